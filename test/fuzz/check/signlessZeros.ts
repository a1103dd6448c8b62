// Evaluation with the sign of zero erased, for checking passes.
//
// The simplify pass rewrites `x + 0.0 -> x` on purpose (src/passes/rules/
// table.ts: exact except that (-0.0) + 0.0 is +0.0, accepted as XLA does), so
// a pass may turn a -0.0 into +0.0 or back, which 1/x or rsqrt make visible as
// -inf vs +inf. Passes are checked to preserve results *up to the sign of
// zero*: both programs run on an interpreter where every -0.0 an operation
// produces (and every -0.0 input) is replaced by +0.0. Backends are still
// compared with the plain IEEE interpreter.

import { evalJaxpr, impls } from "../../../src/backends/interpreter/index.js";
import type { ArrayValue, Jaxpr } from "../../../src/ir/core.js";

function unsignZeros(v: ArrayValue): ArrayValue {
  if (v.dtype !== "float32") return v;
  const d = v.data;
  let copy: Float32Array | undefined;
  for (let i = 0; i < d.length; i++) {
    if (d[i] === 0 && Object.is(d[i], -0)) (copy ??= new Float32Array(d))[i] = 0;
  }
  return copy ? { ...v, data: copy } : v;
}

/** `evalJaxpr(j, [], inputs)` where no operation ever yields -0.0. */
export function evalWithoutNegativeZeros(j: Jaxpr, inputs: readonly ArrayValue[]): ArrayValue[] {
  const table = impls as unknown as Record<string, (...a: unknown[]) => ArrayValue[]>;
  const saved = { ...table };
  for (const [prim, impl] of Object.entries(saved)) table[prim] = (...a: unknown[]) => impl(...a).map(unsignZeros);
  try {
    return evalJaxpr(j, [], inputs.map(unsignZeros));
  } finally {
    Object.assign(table, saved);
  }
}
