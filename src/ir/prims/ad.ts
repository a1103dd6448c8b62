// Primitives that only matter to automatic differentiation: stop_gradient,
// the identity whose tangent is zero (`jax.lax.stop_gradient`). Everything
// but the jvp rule treats it as the identity: the lowering forwards its
// operand (no kernel work). No pass removes it, since `grad` may run after
// `jit` has optimized a program (`grad(jit(f))`), and the marker must still be
// there for the jvp pass.

import { batchUnary } from "../../passes/batch/rules.js";
import { zeroJvp } from "../../passes/ad/rules.js";
import { elementwiseRows } from "../../backends/lower/row_locality.js";
import type { FamilyRules, NoParams } from "./rules.js";
import { unaryShape } from "./shapeChecks.js";

export interface AdParams {
  stop_gradient: NoParams;
}

export type AdPrim = keyof AdParams;

export const AD_RULES: FamilyRules<AdPrim> = {
  stop_gradient: {
    doc: "`x` → same aval, the same values; its tangent is zero",
    params: {},
    shape: unaryShape("stop_gradient", "any"),
    impl: ([x]) => [x!],
    batch: batchUnary,
    simplify: [],
    rowLocality: elementwiseRows,
    lower: ([x]) => [x!],
    jvp: zeroJvp,
    partialEval: null,
    transpose: null,
  },
};
