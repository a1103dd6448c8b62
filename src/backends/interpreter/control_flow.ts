// while, cond, scan, pjit: the control-flow contract of docs/ir.md ("Control
// flow and calls"), including batched predicates/indices and
// active-lane masks (mask.ts).
//
// Each is a Recursion (ir/trampoline.ts) that waits on its sub-jaxprs with
// `(yield sub(…)) as ArrayValue[]`: `recurse` without its wrapper generator,
// since this runs once per loop iteration.

import type { ArrayValue, Jaxpr } from "../../ir/core.js";
import { type Aval, allocStorage, sizeOf } from "../../ir/dtype.js";
import type { Params } from "../../ir/primitives.js";
import type { ControlPrim } from "../../ir/prims/control.js";
import { scanParts, whileParts } from "../../ir/loopOperands.js";
import { type Recursion, runRecursion } from "../../ir/trampoline.js";
import type { EvalContext, Impl } from "../../ir/prims/rules.js";
import { andLanes, andMasks, anyLane, copyLanes, maskForLanes, selectLanes } from "./mask.js";
import { clampIndex } from "../../ir/prims/strided.js";

/**
 * Scalar predicate: an ordinary loop. Batched predicate `bool[B…]`: loop while
 * any lane is active; each iteration computes the predicate on the old carry,
 * runs the body once for all lanes (under the mask of active lanes, so nested
 * loops stop for inactive ones) and keeps the new carry only on active lanes.
 * A finished lane's carry never changes again, so its predicate stays false:
 * the predicate is evaluated under the previous iteration's active lanes.
 */
function* whileLoop(args: readonly ArrayValue[], params: Params["while"], _outAvals: readonly Aval[], mask: ArrayValue | null, sub: SubEval): Recursion<ArrayValue[]> {
  return yield* recordingWhile(args, params, mask, sub, null);
}

/**
 * The while loop, optionally recording: a body that returns values after its
 * carries hands them to `record` each iteration (while_record, tape.ts).
 * Under a batched predicate they are whole values: every row's, active or not.
 */
export function* recordingWhile(
  args: readonly ArrayValue[],
  params: Params["while"],
  mask: ArrayValue | null,
  sub: SubEval,
  record: ((residuals: readonly ArrayValue[]) => void) | null,
): Recursion<ArrayValue[]> {
  const { cond_jaxpr, body_jaxpr } = params;
  const { condConsts, bodyConsts, carries } = whileParts(args, params);
  let carry = carries;
  const predShape = cond_jaxpr.outvars[0]!.aval.shape;

  if (predShape.length === 0) {
    for (;;) {
      const [pred] = (yield sub(cond_jaxpr, [...condConsts, ...carry], mask)) as ArrayValue[];
      if (!pred!.data[0]) return carry;
      const next = (yield sub(body_jaxpr, [...bodyConsts, ...carry], mask)) as ArrayValue[];
      record?.(next.slice(carries.length));
      carry = next.slice(0, carries.length);
    }
  }

  let laneMask = mask;
  for (;;) {
    const [pred] = (yield sub(cond_jaxpr, [...condConsts, ...carry], laneMask)) as ArrayValue[];
    const active = andLanes(pred!.data as Uint8Array, maskForLanes(laneMask, predShape));
    if (!anyLane(active)) return carry;
    laneMask = andMasks({ dtype: "bool", shape: predShape, data: active }, mask);
    const next = (yield sub(body_jaxpr, [...bodyConsts, ...carry], laneMask)) as ArrayValue[];
    record?.(next.slice(carries.length));
    carry = carry.map((old, i) => selectLanes(active, next[i]!, old));
  }
}

/**
 * The index is clamped into range. Scalar index: run that branch. Batched
 * index `i32[B…]`: run each branch that some (unmasked) lane selected, under
 * the mask of its lanes, and take each lane's outputs from its own branch.
 * Lanes outside the enclosing mask run nothing and come out as zeros.
 */
function* cond([index, ...operands]: readonly ArrayValue[], { branches }: Params["cond"], outAvals: readonly Aval[], mask: ArrayValue | null, sub: SubEval): Recursion<ArrayValue[]> {
  const last = branches.length - 1;
  if (index!.shape.length === 0) {
    return (yield sub(branches[clampIndex(index!.data[0]!, 0, last)]!, operands, mask)) as ArrayValue[];
  }
  const lanes = index!.data.length;
  const enclosing = maskForLanes(mask, index!.shape);
  const outs = outAvals.map((a) => allocStorage(a.dtype, sizeOf(a.shape)));
  for (const [k, branch] of branches.entries()) {
    const taken = new Uint8Array(lanes);
    for (let l = 0; l < lanes; l++) {
      taken[l] = clampIndex(index!.data[l]!, 0, last) === k && (enclosing === null || enclosing[l]) ? 1 : 0;
    }
    if (!anyLane(taken)) continue;
    const branchMask = andMasks({ dtype: "bool", shape: index!.shape, data: taken }, mask);
    const results = (yield sub(branch, operands, branchMask)) as ArrayValue[];
    results.forEach((r, i) => copyLanes(taken, r, outs[i]!));
  }
  return outAvals.map((a, i) => ({ dtype: a.dtype, shape: a.shape, data: outs[i]! }));
}

/** Row `t` of `x` along axis 0, sharing storage. */
function row(x: ArrayValue, t: number): ArrayValue {
  const shape = x.shape.slice(1);
  const n = sizeOf(shape);
  return { dtype: x.dtype, shape, data: x.data.subarray(t * n, (t + 1) * n) };
}

/**
 * consts…, init…, xs…: `length` steps, step t reading row t of every xs and
 * writing row t of every ys; in reverse mode t runs from length-1 down to 0
 * (ys still land at their step's index, as in JAX).
 */
function* scan(args: readonly ArrayValue[], params: Params["scan"], outAvals: readonly Aval[], mask: ArrayValue | null, sub: SubEval): Recursion<ArrayValue[]> {
  const { jaxpr, length, reverse, num_carry } = params;
  const { consts, carries, xs } = scanParts(args, params);
  let carry = carries;
  const yAvals = outAvals.slice(num_carry);
  const ys = yAvals.map((a) => allocStorage(a.dtype, sizeOf(a.shape)));
  for (let step = 0; step < length; step++) {
    const t = reverse ? length - 1 - step : step;
    const outs = (yield sub(jaxpr, [...consts, ...carry, ...xs.map((x) => row(x, t))], mask)) as ArrayValue[];
    carry = outs.slice(0, num_carry);
    outs.slice(num_carry).forEach((y, k) => ys[k]!.set(y.data, t * y.data.length));
  }
  return [...carry, ...yAvals.map((a, k) => ({ dtype: a.dtype, shape: a.shape, data: ys[k]! }))];
}

function* pjit(args: readonly ArrayValue[], { jaxpr }: Params["pjit"], _outAvals: readonly Aval[], mask: ArrayValue | null, sub: SubEval): Recursion<ArrayValue[]> {
  return (yield sub(jaxpr, args, mask)) as ArrayValue[];
}


/** Evaluates a closed sub-jaxpr (no consts) under a mask. */
export type SubEval = (j: Jaxpr, args: readonly ArrayValue[], mask: ArrayValue | null) => Recursion<ArrayValue[]>;

/** A control-flow primitive as a Recursion over a sub-jaxpr evaluator. */
type ControlRecursion<P extends ControlPrim> = (
  args: readonly ArrayValue[],
  params: Params[P],
  outAvals: readonly Aval[],
  mask: ArrayValue | null,
  sub: SubEval,
) => Recursion<ArrayValue[]>;

/**
 * The control-flow primitives as Recursions (ir/trampoline.ts) over a
 * sub-jaxpr evaluator: evalJaxpr runs them with its own generator, so loops
 * nested MAX_JAXPR_NESTING deep cost heap, not native stack.
 */
export const controlFlowRecursions: { readonly [P in ControlPrim]: ControlRecursion<P> } = { while: whileLoop, cond, scan, pjit };

/** Sub-jaxprs through `ctx.evalJaxpr` (one synchronous call each). */
export function viaContext(ctx: EvalContext): SubEval {
  return function* (j, args, mask) {
    return ctx.evalJaxpr(j, [], args, mask);
  };
}

/**
 * The interpreter table's entries: synchronous, evaluating sub-jaxprs through
 * `ctx.evalJaxpr`, so tools can wrap them (the fuzzer counts loop
 * iterations by wrapping `impls.while` and its context).
 */
export const controlFlowImpls: { readonly [P in ControlPrim]: Impl<P> } = {
  while: synchronous(whileLoop),
  cond: synchronous(cond),
  scan: synchronous(scan),
  pjit: synchronous(pjit),
};

/** A control-flow Recursion as a synchronous table entry (its sub-jaxprs through `ctx.evalJaxpr`). */
function synchronous<P extends ControlPrim>(rec: ControlRecursion<P>): Impl<P> {
  return (args, params, outAvals, ctx) => runRecursion(rec(args, params, outAvals, ctx.mask, viaContext(ctx)));
}
