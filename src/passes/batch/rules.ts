// Batching rules for the non-control-flow primitives, one table entry per
// primitive (a mapped type over `Prim`, so a new primitive fails tsc until it
// has a rule). A rule only runs when at least one operand is batched; the
// driver copies all-unbatched equations unchanged.

import type { Atom, Eqn, Jaxpr } from "../../ir/core.js";
import { newVar } from "../../ir/core.js";
import {
  BINARY_PRIMS,
  COMPARE_PRIMS,
  type DotDimensionNumbers,
  type Params,
  type Prim,
  UNARY_PRIMS,
} from "../../ir/primitives.js";
import {
  type BVal,
  type BatchCtx,
  type Dim,
  I32_ZERO,
  batchedAxis,
  laneShape,
  materialize,
  moveBatch,
} from "./layout.js";

export type BatchRule<P extends Prim> = (ctx: BatchCtx, inputs: readonly BVal[], params: Params[P], eqn: Eqn<P>) => BVal[];

/** Rules for control flow live in control.ts; they need the jaxpr batcher. */
export type ControlPrim = "while" | "cond" | "scan" | "pjit";
export type SimpleBatchRules = { readonly [P in Exclude<Prim, ControlPrim>]: BatchRule<P> };

const unaryRule: BatchRule<Prim> = (ctx, [x], params, eqn) => [
  { atom: ctx.em.emit1(eqn.prim, params, [x!.atom]), dim: x!.dim },
];

/**
 * Elementwise ops: operands must have equal shapes or be rank 0. Batched
 * operands share one batch axis (the first full-shape batched operand's, so the
 * common case needs no transpose); an unbatched lane-scalar stays a scalar;
 * anything else is broadcast to the full batched shape.
 */
function alignElementwise(ctx: BatchCtx, inputs: readonly BVal[], scalarOk: (i: number) => boolean): { atoms: Atom[]; dim: number } {
  const lanes = inputs.map(laneShape);
  const full = lanes.find((s) => s.length > 0) ?? [];
  const anchor = inputs.find((v, i) => v.dim !== null && lanes[i]!.length === full.length);
  const dim = anchor?.dim ?? 0;
  const atoms = inputs.map((v, i) => {
    if (v.dim === null && lanes[i]!.length === 0 && scalarOk(i)) return v.atom;
    return materialize(ctx, v, dim, full).atom;
  });
  return { atoms, dim };
}

const elementwiseRule: BatchRule<Prim> = (ctx, inputs, params, eqn) => {
  const { atoms, dim } = alignElementwise(ctx, inputs, () => true);
  return [{ atom: ctx.em.emit1(eqn.prim, params, atoms), dim }];
};

function reduceLike<P extends "reduce_sum" | "reduce_max" | "reduce_min" | "argmax">(): BatchRule<P> {
  return (ctx, [x], params, eqn) => {
    const d = x!.dim!;
    const axes = params.axes.map((a) => batchedAxis(a, d));
    const out = ctx.em.emit1(eqn.prim, { ...params, axes } as Params[P], [x!.atom]);
    return [{ atom: out, dim: d - axes.filter((a) => a < d).length }];
  };
}

/** Applies a primitive lane by lane with a `scan` over the batch (gathers we have no primitive for). */
function perLaneScan(ctx: BatchCtx, eqn: Eqn, inputs: readonly BVal[]): BVal[] {
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

function insertAt<T>(xs: readonly T[], at: number, v: T): T[] {
  const out = [...xs];
  out.splice(at, 0, v);
  return out;
}

function dotGeneral(ctx: BatchCtx, [x, y]: readonly BVal[], params: Params["dot_general"]): BVal[] {
  const [[lc, rc], [lb, rb]] = params.dimension_numbers;
  const remap = (axes: readonly number[], d: Dim) => (d === null ? [...axes] : axes.map((a) => batchedAxis(a, d)));
  const xd = x!.dim, yd = y!.dim;
  let dims: DotDimensionNumbers;
  let outDim: number;
  if (xd !== null && yd !== null) {
    // Both batched: the vmap axis becomes a leading batch dimension of the dot.
    dims = [[remap(lc, xd), remap(rc, yd)], [[xd, ...remap(lb, xd)], [yd, ...remap(rb, yd)]]];
    outDim = 0;
  } else if (xd !== null) {
    // Only lhs batched: the vmap axis is one more lhs free dimension; no transpose.
    const lcs = remap(lc, xd), lbs = remap(lb, xd);
    dims = [[lcs, [...rc]], [lbs, [...rb]]];
    const free = Array.from({ length: x!.atom.aval.shape.length }, (_, i) => i).filter((i) => !lcs.includes(i) && !lbs.includes(i));
    outDim = lb.length + free.indexOf(xd);
  } else {
    const rcs = remap(rc, yd!), rbs = remap(rb, yd!);
    dims = [[[...lc], rcs], [[...lb], rbs]];
    const lfree = x!.atom.aval.shape.length - lc.length - lb.length;
    const free = Array.from({ length: y!.atom.aval.shape.length }, (_, i) => i).filter((i) => !rcs.includes(i) && !rbs.includes(i));
    outDim = lb.length + lfree + free.indexOf(yd!);
  }
  return [{ atom: ctx.em.emit1("dot_general", { dimension_numbers: dims }, [x!.atom, y!.atom]), dim: outDim }];
}

const unaryEntries = Object.fromEntries(UNARY_PRIMS.map((p) => [p, unaryRule])) as { [P in (typeof UNARY_PRIMS)[number]]: BatchRule<P> };
const binaryEntries = Object.fromEntries([...BINARY_PRIMS, ...COMPARE_PRIMS].map((p) => [p, elementwiseRule])) as {
  [P in (typeof BINARY_PRIMS)[number] | (typeof COMPARE_PRIMS)[number]]: BatchRule<P>;
};

export const simpleBatchRules: SimpleBatchRules = {
  ...unaryEntries,
  ...binaryEntries,
  convert_element_type: unaryRule,
  // select_n(which, *cases): cases must match exactly; an unbatched scalar selector may stay scalar.
  select_n: (ctx, inputs, params) => {
    const { atoms, dim } = alignElementwise(ctx, inputs, (i) => i === 0);
    return [{ atom: ctx.em.emit1("select_n", params, atoms), dim }];
  },
  broadcast_in_dim: (ctx, [x], { shape, broadcast_dimensions }) => {
    const v = moveBatch(ctx, x!, 0);
    const out = ctx.em.emit1("broadcast_in_dim", { shape: [ctx.size, ...shape], broadcast_dimensions: [0, ...broadcast_dimensions.map((d) => d + 1)] }, [v.atom]);
    return [{ atom: out, dim: 0 }];
  },
  reshape: (ctx, [x], { new_sizes }) => {
    const v = moveBatch(ctx, x!, 0);
    return [{ atom: ctx.em.emit1("reshape", { new_sizes: [ctx.size, ...new_sizes] }, [v.atom]), dim: 0 }];
  },
  transpose: (ctx, [x], { permutation }) => {
    // One transpose that also brings the batch axis to the front.
    const d = x!.dim!;
    const perm = [d, ...permutation.map((p) => batchedAxis(p, d))];
    return [{ atom: ctx.em.emit1("transpose", { permutation: perm }, [x!.atom]), dim: 0 }];
  },
  squeeze: (ctx, [x], { dimensions }) => {
    const d = x!.dim!;
    const dims = dimensions.map((a) => batchedAxis(a, d));
    return [{ atom: ctx.em.emit1("squeeze", { dimensions: dims }, [x!.atom]), dim: d - dims.filter((a) => a < d).length }];
  },
  expand_dims: (ctx, [x], { dimensions }) => {
    const v = moveBatch(ctx, x!, 0);
    return [{ atom: ctx.em.emit1("expand_dims", { dimensions: dimensions.map((a) => a + 1) }, [v.atom]), dim: 0 }];
  },
  reduce_sum: reduceLike(),
  reduce_max: reduceLike(),
  reduce_min: reduceLike(),
  argmax: reduceLike(),
  dot_general: dotGeneral,
  iota: () => {
    throw new Error("iota has no operands, so it is never batched");
  },
  concatenate: (ctx, inputs, { dimension }) => {
    const atoms = inputs.map((v) => materialize(ctx, v, 0).atom);
    return [{ atom: ctx.em.emit1("concatenate", { dimension: dimension + 1 }, atoms), dim: 0 }];
  },
  slice: (ctx, [x], { start_indices, limit_indices, strides }) => {
    const d = x!.dim!;
    const out = ctx.em.emit1(
      "slice",
      {
        start_indices: insertAt(start_indices, d, 0),
        limit_indices: insertAt(limit_indices, d, ctx.size),
        strides: strides ? insertAt(strides, d, 1) : null,
      },
      [x!.atom],
    );
    return [{ atom: out, dim: d }];
  },
  dynamic_slice: (ctx, inputs, { slice_sizes }, eqn) => {
    const [x, ...idx] = inputs;
    if (idx.some((i) => i.dim !== null)) return perLaneScan(ctx, eqn, inputs);
    const d = x!.dim!;
    const out = ctx.em.emit1("dynamic_slice", { slice_sizes: insertAt(slice_sizes, d, ctx.size) }, [x!.atom, ...insertAt(idx.map((i) => i.atom), d, I32_ZERO)]);
    return [{ atom: out, dim: d }];
  },
  dynamic_update_slice: (ctx, inputs, params, eqn) => {
    const [x, u, ...idx] = inputs;
    if (idx.some((i) => i.dim !== null)) return perLaneScan(ctx, eqn, inputs);
    const d = x!.dim ?? u!.dim!;
    const xb = materialize(ctx, x!, d), ub = materialize(ctx, u!, d);
    const out = ctx.em.emit1("dynamic_update_slice", params, [xb.atom, ub.atom, ...insertAt(idx.map((i) => i.atom), d, I32_ZERO)]);
    return [{ atom: out, dim: d }];
  },
};
