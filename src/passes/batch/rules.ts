// Helpers for writing batching rules (the rules themselves are in each
// primitive's family file, ir/prims/). A rule only runs when at least one
// operand is batched; the driver (batchJaxpr.ts) copies all-unbatched
// equations unchanged.

import type { Atom, Eqn, Jaxpr } from "../../ir/core.js";
import { newVar } from "../../ir/core.js";
import type { Params, Prim } from "../../ir/primitives.js";
import type { Recursion } from "../../ir/trampoline.js";
import { type BVal, type BatchCtx, batchedAxis, elementShape, materialize, moveBatch } from "./layout.js";

/**
 * The equation with some operands batched, as batched outputs. Control-flow
 * rules batch their sub-jaxprs, so they are Recursions (ir/trampoline.ts).
 */
export type BatchRule<P extends Prim> = (ctx: BatchCtx, inputs: readonly BVal[], params: Params[P], eqn: Eqn<P>) => BVal[] | Recursion<BVal[]>;

/** A unary op (or any op whose output is batched like its one operand). */
export const batchUnary: BatchRule<Prim> = (ctx, [x], params, eqn) => [
  { atom: ctx.em.emit1(eqn.prim, params, [x!.atom]), dim: x!.dim },
];

/**
 * Elementwise ops: operands must have equal shapes or be rank 0. Batched
 * operands share one batch axis (the first full-shape batched operand's, so the
 * common case needs no transpose); an unbatched scalar stays a scalar;
 * anything else is broadcast to the full batched shape.
 */
export function alignElementwise(ctx: BatchCtx, inputs: readonly BVal[], scalarOk: (i: number) => boolean): { atoms: Atom[]; dim: number } {
  const shapes = inputs.map(elementShape);
  const full = shapes.find((s) => s.length > 0) ?? [];
  const anchor = inputs.find((v, i) => v.dim !== null && shapes[i]!.length === full.length);
  const dim = anchor?.dim ?? 0;
  const atoms = inputs.map((v, i) => {
    if (v.dim === null && shapes[i]!.length === 0 && scalarOk(i)) return v.atom;
    return materialize(ctx, v, dim, full).atom;
  });
  return { atoms, dim };
}

export const batchElementwise: BatchRule<Prim> = (ctx, inputs, params, eqn) => {
  const { atoms, dim } = alignElementwise(ctx, inputs, () => true);
  return [{ atom: ctx.em.emit1(eqn.prim, params, atoms), dim }];
};

/** A reduction over `axes`: the axes move past the batch axis, which stays where it was (less the reduced axes before it). */
export function batchReduce<P extends "reduce_sum" | "reduce_max" | "reduce_min" | "argmax">(): BatchRule<P> {
  return (ctx, [x], params, eqn) => {
    const d = x!.dim!;
    const axes = params.axes.map((a) => batchedAxis(a, d));
    const out = ctx.em.emit1(eqn.prim, { ...params, axes } as Params[P], [x!.atom]);
    return [{ atom: out, dim: d - axes.filter((a) => a < d).length }];
  };
}

/** Applies a primitive element by element with a `scan` over the batch (gathers we have no primitive for). */
export function perElementScan(ctx: BatchCtx, eqn: Eqn, inputs: readonly BVal[]): BVal[] {
  const consts = inputs.filter((v) => v.dim === null);
  const xs = inputs.filter((v) => v.dim !== null).map((v) => moveBatch(ctx, v, 0));
  const constVars = consts.map((v) => newVar(v.atom.aval));
  const xVars = xs.map((v) => newVar({ dtype: v.atom.aval.dtype, shape: v.atom.aval.shape.slice(1) }));
  let ci = 0, xi = 0;
  const bodyInputs = inputs.map((v) => (v.dim === null ? constVars[ci++]! : xVars[xi++]!));
  const outs = eqn.outputs.map((o) => newVar(o.aval));
  const body: Jaxpr = { constvars: [], invars: [...constVars, ...xVars], eqns: [{ ...eqn, inputs: bodyInputs, outputs: outs }], outvars: outs };
  const ys = ctx.em.emit("scan", { jaxpr: body, length: ctx.size, reverse: false, num_consts: consts.length, num_carry: 0 }, [
    ...consts.map((v) => v.atom),
    ...xs.map((v) => v.atom),
  ]);
  return ys.map((atom) => ({ atom, dim: 0 }));
}

export function insertAt<T>(xs: readonly T[], at: number, v: T): T[] {
  const out = [...xs];
  out.splice(at, 0, v);
  return out;
}
