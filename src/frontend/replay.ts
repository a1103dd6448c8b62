// Re-emits a jaxpr through `bind`, one equation at a time: inside a trace its
// equations are staged into the current builder (so `makeJaxpr(vmap(f))` shows
// the batched program inline), outside one they run eagerly. Transformations
// that work on IR (vmap's batching pass) use this to hand their result back to
// whatever context called them.

import type { Atom, Jaxpr } from "../ir/core.js";
import { Array } from "./array.js";
import { type BindInput, bind } from "./bind.js";
import { TypedScalar } from "./scalar.js";

export function replayJaxpr(j: Jaxpr, inputs: readonly BindInput[]): BindInput[] {
  const ins = [...j.constvars, ...j.invars];
  if (inputs.length !== ins.length) throw new Error(`replayJaxpr: the jaxpr takes ${ins.length} inputs, got ${inputs.length}`);
  const env = new Map<number, BindInput>();
  ins.forEach((v, i) => env.set(v.id, inputs[i]!));
  const read = (a: Atom): BindInput => (a.kind === "lit" ? new TypedScalar(a.value, a.aval.dtype) : env.get(a.id)!);
  for (const e of j.eqns) {
    const outs: Array[] = bind(e.prim, e.params as never, e.inputs.map(read));
    e.outputs.forEach((v, i) => env.set(v.id, outs[i]!));
  }
  return j.outvars.map(read);
}
