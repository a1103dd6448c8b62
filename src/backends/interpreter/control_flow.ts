// while, cond, scan, pjit: the control-flow contract of docs/ir.md ("Control
// flow and calls"), including batched predicates/indices and
// active-lane masks (mask.ts).

import type { ArrayValue } from "../../ir/core.js";
import { allocStorage, sizeOf } from "../../ir/dtype.js";
import type { EvalContext, Impl } from "./impl.js";
import { andLanes, andMasks, anyLane, copyLanes, maskForLanes, selectLanes } from "./mask.js";
import { clampIndex } from "./strided.js";

/**
 * Scalar predicate: an ordinary loop. Batched predicate `bool[B…]`: loop while
 * any lane is active; each iteration computes the predicate on the old carry,
 * runs the body once for all lanes (under the mask of active lanes, so nested
 * loops stop for inactive ones) and keeps the new carry only on active lanes.
 * A finished lane's carry never changes again, so its predicate stays false:
 * the predicate is evaluated under the previous iteration's active lanes.
 */
const whileLoop: Impl<"while"> = (args, params, _outAvals, ctx) => {
  const { cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts } = params;
  const condConsts = args.slice(0, cond_nconsts);
  const bodyConsts = args.slice(cond_nconsts, cond_nconsts + body_nconsts);
  let carry = args.slice(cond_nconsts + body_nconsts);
  const predShape = cond_jaxpr.outvars[0]!.aval.shape;

  if (predShape.length === 0) {
    for (;;) {
      const [pred] = ctx.evalJaxpr(cond_jaxpr, [], [...condConsts, ...carry], ctx.mask);
      if (!pred!.data[0]) return carry;
      carry = ctx.evalJaxpr(body_jaxpr, [], [...bodyConsts, ...carry], ctx.mask);
    }
  }

  let laneMask = ctx.mask;
  for (;;) {
    const [pred] = ctx.evalJaxpr(cond_jaxpr, [], [...condConsts, ...carry], laneMask);
    const active = andLanes(pred!.data as Uint8Array, maskForLanes(laneMask, predShape));
    if (!anyLane(active)) return carry;
    laneMask = andMasks({ dtype: "bool", shape: predShape, data: active }, ctx.mask);
    const next = ctx.evalJaxpr(body_jaxpr, [], [...bodyConsts, ...carry], laneMask);
    carry = carry.map((old, i) => selectLanes(active, next[i]!, old));
  }
};

/**
 * The index is clamped into range. Scalar index: run that branch. Batched
 * index `i32[B…]`: run each branch that some (unmasked) lane selected, under
 * the mask of its lanes, and take each lane's outputs from its own branch.
 * Lanes outside the enclosing mask run nothing and come out as zeros.
 */
const cond: Impl<"cond"> = ([index, ...operands], { branches }, outAvals, ctx) => {
  const last = branches.length - 1;
  if (index!.shape.length === 0) {
    return ctx.evalJaxpr(branches[clampIndex(index!.data[0]!, 0, last)]!, [], operands, ctx.mask);
  }
  const lanes = index!.data.length;
  const enclosing = maskForLanes(ctx.mask, index!.shape);
  const outs = outAvals.map((a) => allocStorage(a.dtype, sizeOf(a.shape)));
  branches.forEach((branch, k) => {
    const taken = new Uint8Array(lanes);
    for (let l = 0; l < lanes; l++) {
      taken[l] = clampIndex(index!.data[l]!, 0, last) === k && (enclosing === null || enclosing[l]) ? 1 : 0;
    }
    if (!anyLane(taken)) return;
    const mask = andMasks({ dtype: "bool", shape: index!.shape, data: taken }, ctx.mask);
    const results = ctx.evalJaxpr(branch, [], operands, mask);
    results.forEach((r, i) => copyLanes(taken, r, outs[i]!));
  });
  return outAvals.map((a, i) => ({ dtype: a.dtype, shape: a.shape, data: outs[i]! }));
};

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
const scan: Impl<"scan"> = (args, params, outAvals, ctx) => {
  const { jaxpr, length, reverse, num_consts, num_carry } = params;
  const consts = args.slice(0, num_consts);
  let carry = args.slice(num_consts, num_consts + num_carry);
  const xs = args.slice(num_consts + num_carry);
  const yAvals = outAvals.slice(num_carry);
  const ys = yAvals.map((a) => allocStorage(a.dtype, sizeOf(a.shape)));
  for (let step = 0; step < length; step++) {
    const t = reverse ? length - 1 - step : step;
    const outs = ctx.evalJaxpr(jaxpr, [], [...consts, ...carry, ...xs.map((x) => row(x, t))], ctx.mask);
    carry = outs.slice(0, num_carry);
    outs.slice(num_carry).forEach((y, k) => ys[k]!.set(y.data, t * y.data.length));
  }
  return [...carry, ...yAvals.map((a, k) => ({ dtype: a.dtype, shape: a.shape, data: ys[k]! }))];
};

const pjit: Impl<"pjit"> = (args, { jaxpr }, _outAvals, ctx: EvalContext) => ctx.evalJaxpr(jaxpr, [], args, ctx.mask);

export const controlFlowImpls: { readonly [P in "while" | "cond" | "scan" | "pjit"]: Impl<P> } = {
  while: whileLoop,
  cond,
  scan,
  pjit,
};
