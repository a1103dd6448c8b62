// The shape of one primitive's implementation in the reference interpreter.

import type { ArrayValue, Jaxpr } from "../../ir/core.js";
import type { Aval } from "../../ir/dtype.js";
import type { Params, Prim } from "../../ir/primitives.js";

/**
 * What an implementation may use besides its operands. Control-flow
 * primitives evaluate sub-jaxprs through `evalJaxpr` (passed in rather than
 * imported, so the kernels do not import the evaluator that imports them).
 */
export interface EvalContext {
  /**
   * Lanes that matter (a bool array), or null when all do. Only `while` and
   * `cond` look at it; everything else passes it on to its sub-jaxprs. See
   * mask.ts for how a mask meets a predicate of another shape.
   */
  readonly mask: ArrayValue | null;
  readonly evalJaxpr: (
    jaxpr: Jaxpr,
    consts: readonly ArrayValue[],
    args: readonly ArrayValue[],
    mask: ArrayValue | null,
  ) => ArrayValue[];
}

/**
 * Computes the outputs of `prim` from concrete operands. `outAvals` come from
 * `abstractEval` (the one source of truth for shapes), so an implementation
 * never recomputes output shapes or dtypes, it only fills in data.
 * Implementations never mutate their operands: values are immutable and may
 * share storage (reshape returns its operand's storage).
 */
export type Impl<P extends Prim> = (
  args: readonly ArrayValue[],
  params: Params[P],
  outAvals: readonly Aval[],
  ctx: EvalContext,
) => ArrayValue[];
