// Helper functions a module gets on first use (lane-set and tape runtimes):
// each is built once per module, the first time an emitter asks for it.

import type { FuncRef } from "../types.js";

export class HelperFunctions {
  private readonly fns = new Map<string, FuncRef>();

  /** The helper named `name`, built by `build` the first time. */
  get(name: string, build: () => FuncRef): FuncRef {
    let f = this.fns.get(name);
    if (!f) {
      f = build();
      this.fns.set(name, f);
    }
    return f;
  }
}
