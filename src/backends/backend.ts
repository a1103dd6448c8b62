// What a backend is: something that turns an optimized, closed jaxpr (no
// constvars: consts are leading inputs) into a callable program. `jit` picks
// one by name; tests run every semantic case on every registered backend.

import type { ArrayValue, Jaxpr } from "../ir/core.js";

export interface CompiledProgram {
  /** Runs the program; `args` match the jaxpr's invars. Outputs are fresh values. */
  run(args: readonly ArrayValue[]): ArrayValue[];
  /** Generated source (for `tsjax dump --emit <backend>`), when the backend generates code. */
  readonly source?: string;
}

export interface Backend {
  readonly name: string;
  /** One line for help texts. */
  readonly summary: string;
  compile(jaxpr: Jaxpr): CompiledProgram;
}
