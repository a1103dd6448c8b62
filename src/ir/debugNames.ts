// Names the user gave to values, such as the pytree path `carry[2].w` of a
// loop carry, kept beside the IR for diagnostics only. They never affect the
// printed text or any pass; a pass that keeps a Var object keeps its name, so
// a message about a carry can still use the user's path after hoisting and DCE
// have renumbered the carries.

import type { Var } from "./core.js";

const names = new WeakMap<Var, string>();

export function setDebugName(v: Var, name: string): void {
  names.set(v, name);
}

/** The user's name for `v`, if the frontend recorded one. */
export function debugName(v: Var): string | undefined {
  return names.get(v);
}
