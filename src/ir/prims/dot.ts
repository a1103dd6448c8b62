// dot_general with any contracting and batch dimensions.
//
// Reference implementation:
//
//   out[b, i, j] = Σ_c lhs[b, i, c] * rhs[b, j, c]
//
// where b ranges over the batch dims (in the order listed), i over the lhs
// free dims and j over the rhs free dims (each in axis order), c over the
// contracting dims (pairs in the order listed). Each of these index spaces is
// tabulated as element offsets into its operand, so the inner loop is two
// table lookups and a multiply-add. float32 accumulates in double and rounds
// once; int32 wraps (Math.imul and `| 0`).

// Kernel IR: a pending dot node that absorbs the elementwise epilogue
// consuming it, then a `dot` kernel (backends/lower/dot.ts).

import type { Atom } from "../core.js";
import { type Ops, jvpWithOutputs } from "../../passes/ad/rules.js";
import { type Aval, allocStorage, stridesOf } from "../dtype.js";
import { batchedAxis } from "../../passes/batch/layout.js";
import type { BVal, BatchCtx, Dim } from "../../passes/batch/layout.js";
import { bufferView, outAval } from "../../backends/lower/rule_helpers.js";
import type { RowRead } from "../../backends/lower/row_locality.js";
import { mkNode } from "../../backends/lower/nodes.js";
import type { Eqn } from "../core.js";
import type { FamilyRules, Impl } from "./rules.js";
import { arity, checkAxes, fail, fmtTuple } from "./shapeChecks.js";
import { axisOffsets } from "./strided.js";

/** `(([lhs_contract], [rhs_contract]), ([lhs_batch], [rhs_batch]))`, as in lax.dot_general. */
export type DotDimensionNumbers = readonly [
  readonly [readonly number[], readonly number[]],
  readonly [readonly number[], readonly number[]],
];

export interface DotParams {
  dot_general: { readonly dimension_numbers: DotDimensionNumbers };
}

function freeAxes(rank: number, contracting: readonly number[], batch: readonly number[]): number[] {
  const free: number[] = [];
  for (let i = 0; i < rank; i++) if (!contracting.includes(i) && !batch.includes(i)) free.push(i);
  return free;
}

const dotGeneral: Impl<"dot_general"> = ([x, y], { dimension_numbers }, [out]) => {
  const [[lc, rc], [lb, rb]] = dimension_numbers;
  const xs = stridesOf(x!.shape);
  const ys = stridesOf(y!.shape);
  const lBatch = axisOffsets(x!.shape, xs, lb);
  const rBatch = axisOffsets(y!.shape, ys, rb);
  const lFree = axisOffsets(x!.shape, xs, freeAxes(x!.shape.length, lc, lb));
  const rFree = axisOffsets(y!.shape, ys, freeAxes(y!.shape.length, rc, rb));
  const lCon = axisOffsets(x!.shape, xs, lc);
  const rCon = axisOffsets(y!.shape, ys, rc);
  const xd = x!.data;
  const yd = y!.data;
  const nb = lBatch.length, ni = lFree.length, nj = rFree.length, nc = lCon.length;
  const res = allocStorage(out!.dtype, nb * ni * nj);
  const isInt = out!.dtype === "int32";
  let o = 0;
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < ni; i++) {
      const xBase = lBatch[b]! + lFree[i]!;
      for (let j = 0; j < nj; j++) {
        const yBase = rBatch[b]! + rFree[j]!;
        let acc = 0;
        if (isInt) {
          for (let c = 0; c < nc; c++) acc = (acc + Math.imul(xd[xBase + lCon[c]!]!, yd[yBase + rCon[c]!]!)) | 0;
        } else {
          for (let c = 0; c < nc; c++) acc += xd[xBase + lCon[c]!]! * yd[yBase + rCon[c]!]!;
        }
        res[o++] = acc;
      }
    }
  }
  return [{ dtype: out!.dtype, shape: out!.shape, data: res }];
};

function dotShape(inputs: readonly Aval[], { dimension_numbers }: DotParams["dot_general"]): Aval[] {
  const prim = "dot_general";
  arity(prim, inputs, 2);
  const [x, y] = inputs as [Aval, Aval];
  const [[lc, rc], [lb, rb]] = dimension_numbers;
  if (x.dtype !== y.dtype) fail(prim, "operand dtypes must be equal", inputs);
  if (x.dtype === "bool") fail(prim, "expects float32 or int32 operands", inputs);
  if (lc.length !== rc.length) fail(prim, `dimension_numbers: lhs and rhs contracting dimensions ${fmtTuple(lc)}, ${fmtTuple(rc)} must have equal length`, inputs);
  if (lb.length !== rb.length) fail(prim, `dimension_numbers: lhs and rhs batch dimensions ${fmtTuple(lb)}, ${fmtTuple(rb)} must have equal length`, inputs);
  checkAxes(prim, [...lc, ...lb], x.shape.length, inputs, "dimension_numbers: lhs contracting + batch dimensions", "the lhs");
  checkAxes(prim, [...rc, ...rb], y.shape.length, inputs, "dimension_numbers: rhs contracting + batch dimensions", "the rhs");
  for (let i = 0; i < lc.length; i++) {
    if (x.shape[lc[i]!] !== y.shape[rc[i]!]) fail(prim, `contracting dimension sizes differ: lhs axis ${lc[i]} (${x.shape[lc[i]!]}) vs rhs axis ${rc[i]} (${y.shape[rc[i]!]})`, inputs);
  }
  for (let i = 0; i < lb.length; i++) {
    if (x.shape[lb[i]!] !== y.shape[rb[i]!]) fail(prim, `batch dimension sizes differ: lhs axis ${lb[i]} (${x.shape[lb[i]!]}) vs rhs axis ${rb[i]} (${y.shape[rb[i]!]})`, inputs);
  }
  const batch = lb.map((d) => x.shape[d]!);
  const lfree = x.shape.filter((_, i) => !lc.includes(i) && !lb.includes(i));
  const rfree = y.shape.filter((_, i) => !rc.includes(i) && !rb.includes(i));
  return [{ dtype: x.dtype, shape: [...batch, ...lfree, ...rfree] }];
}

function dotBatch(ctx: BatchCtx, [x, y]: readonly BVal[], params: DotParams["dot_general"]): BVal[] {
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

/** A row-restricted dot reads an operand per row when each row axis of the output comes from the same axis of it. */
function dotLaneLocality(e: Eqn<"dot_general">, p: number): RowRead[] {
  const [[lc, rc], [lb, rb]] = e.params.dimension_numbers;
  const [x, y] = e.inputs as [Atom, Atom];
  const lfree = x.aval.shape.map((_, i) => i).filter((i) => !lc.includes(i) && !lb.includes(i));
  // Source axis in lhs / rhs of each output axis (batch…, lhs free…, rhs free…); -1 = none.
  const lsrc = [...lb, ...lfree, ...y.aval.shape.map(() => -1)];
  const rsrc = [...rb, ...lfree.map(() => -1), ...y.aval.shape.map((_, i) => i).filter((i) => !rc.includes(i) && !rb.includes(i))];
  const maps = (src: readonly number[]): boolean => {
    for (let k = 0; k < p; k++) if (src[k] !== k) return false;
    return true;
  };
  return [maps(lsrc) ? "row" : "any", maps(rsrc) ? "row" : "any"];
}

export const DOT_RULES: FamilyRules<"dot_general"> = {
  dot_general: {
    doc: "`lhs, rhs` (same dtype, f32 or i32) → batch dims, then lhs free dims, then rhs free dims; contracting and batch sizes must match pairwise",
    params: { dimension_numbers: "dot_dims" },
    shape: dotShape,
    impl: dotGeneral,
    batch: (ctx, inputs, params) => dotBatch(ctx, inputs, params),
    simplify: [],
    rowLocality: dotLaneLocality,
    lower: ([x, y], r) => {
      const { shape, dtype } = outAval(r);
      const lhs = bufferView(r.L, r.b, x!);
      const rhs = bufferView(r.L, r.b, y!);
      const spec = { lhs, rhs, lhsShape: x!.shape, rhsShape: y!.shape, dims: r.params.dimension_numbers };
      return [mkNode({ op: "dot", spec, shape, dtype, restricted: r.restricted })];
    },
    // Bilinear: d(x·y) = tx·y + x·ty.
    jvp: jvpWithOutputs((ops, [x, y], [tx, ty], _outs, params) => [
      ops.addTangents(tx && ops.emit1("dot_general", params, [tx, y!]), ty && ops.emit1("dot_general", params, [x!, ty])),
    ]),
    partialEval: null,
    transpose: (ops, [ct], [x, y], { dimension_numbers }) => {
      if (x!.linear && y!.linear) throw new Error("transpose: dot_general of two tangents is not linear");
      if (ct === null) return [null, null];
      return [
        x!.linear ? dotOperandCotangent(ops, ct, y!.atom, x!.atom.aval.shape.length, dimension_numbers, "lhs") : null,
        y!.linear ? dotOperandCotangent(ops, ct, x!.atom, y!.atom.aval.shape.length, dimension_numbers, "rhs") : null,
      ];
    },
  },
};

/**
 * The cotangent of one operand of a dot (`side`), given the output's
 * cotangent and the other operand: contract the cotangent's axes that came
 * from the other operand's free axes with those axes and keep the batch
 * axes. That dot gives (batch…, own free…, own contracting…) with the
 * cotangent as its lhs, or (batch…, own contracting…, own free…) with the
 * other operand as its lhs; the own contracting axes come out in the order of
 * the other operand's paired axes, sorted. Whichever order is already the
 * operand's axis order is used, so the common cases (x @ W: dx = ct·Wᵀ with
 * the cotangent first, dW = xᵀ·ct with x first) need no transpose; otherwise
 * the cotangent goes first and a transpose puts the axes in place.
 */
function dotOperandCotangent(ops: Ops, ct: Atom, other: Atom, rank: number, dims: DotDimensionNumbers, side: "lhs" | "rhs"): Atom {
  const [[lc, rc], [lb, rb]] = dims;
  const [ownC, otherC, ownB, otherB] = side === "lhs" ? [lc, rc, lb, rb] : [rc, lc, rb, lb];
  const nb = lb.length;
  const lhsRank = side === "lhs" ? rank : other.aval.shape.length;
  const nlf = lhsRank - lc.length - lb.length;
  const ownFree = Array.from({ length: rank }, (_, i) => i).filter((i) => !ownC.includes(i) && !ownB.includes(i));
  const otherRank = other.aval.shape.length;
  const otherFree = Array.from({ length: otherRank }, (_, i) => i).filter((i) => !otherC.includes(i) && !otherB.includes(i));
  // The cotangent's axes: batch…, lhs free…, rhs free….
  const ctBatch = Array.from({ length: nb }, (_, k) => k);
  const ctOtherFree = otherFree.map((_, j) => (side === "lhs" ? nb + nlf + j : nb + j));
  const otherCSorted = [...otherC].sort((a, b) => a - b);
  // Where each of the operand's axes lands in the dot's result, for either operand order.
  const position = (axis: number, ctFirst: boolean): number => {
    const b = ownB.indexOf(axis);
    if (b >= 0) return b;
    const f = ownFree.indexOf(axis);
    const c = otherCSorted.indexOf(otherC[ownC.indexOf(axis)]!);
    if (ctFirst) return f >= 0 ? nb + f : nb + ownFree.length + c;
    return f >= 0 ? nb + otherC.length + f : nb + c;
  };
  const permutationFor = (ctFirst: boolean) => Array.from({ length: rank }, (_, a) => position(a, ctFirst));
  const isIdentity = (perm: readonly number[]) => perm.every((p, i) => p === i);
  const ctFirst = isIdentity(permutationFor(true)) || !isIdentity(permutationFor(false));
  const r = ctFirst
    ? ops.emit1("dot_general", { dimension_numbers: [[ctOtherFree, otherFree], [ctBatch, [...otherB]]] }, [ct, other])
    : ops.emit1("dot_general", { dimension_numbers: [[otherFree, ctOtherFree], [[...otherB], ctBatch]] }, [other, ct]);
  const permutation = permutationFor(ctFirst);
  return isIdentity(permutation) ? r : ops.emit1("transpose", { permutation }, [r]);
}
