// Shape manipulation: broadcast_in_dim, reshape, transpose, squeeze,
// expand_dims. None computes anything: the interpreter moves (or relabels)
// elements, the lowering composes index maps (views) and moves nothing.
//
// reshape, squeeze and expand_dims do not move data in row-major order, so
// their reference implementations return the operand's storage under the new
// shape (values are immutable).

import type { Atom } from "../core.js";
import { type Aval, allocStorage, isShapePrefix, shapesEqual, sizeOf, stridesOf } from "../dtype.js";
import { type Ops, linearJvp } from "../../passes/ad/rules.js";
import { isIdentityPermutation, producedBy } from "../../passes/rules/match.js";
import { emit } from "../../passes/rules/emit.js";
import { forwardRule, rewriteRule } from "../../passes/rules/rule.js";
import { batchedAxis, moveBatch } from "../../passes/batch/layout.js";
import { allRows, below } from "../../backends/lower/row_locality.js";
import * as affine from "../../backends/lower/affine.js";
import { outAval, viewThrough } from "../../backends/lower/rule_helpers.js";
import { isLeaf, loadNode } from "../../backends/lower/nodes.js";
import type { FamilyRules, Impl } from "./rules.js";
import { arity, axisRange, checkAxes, checkShape, fail, fmtTuple } from "./shapeChecks.js";
import { copyStrided } from "./strided.js";

export interface ShapeOpParams {
  broadcast_in_dim: { readonly shape: readonly number[]; readonly broadcast_dimensions: readonly number[] };
  reshape: { readonly new_sizes: readonly number[] };
  transpose: { readonly permutation: readonly number[] };
  squeeze: { readonly dimensions: readonly number[] };
  expand_dims: { readonly dimensions: readonly number[] };
}

export type ShapeOpPrim = keyof ShapeOpParams;

/** Same elements, new shape (the output aval from the shape rule). */
const relabel: Impl<"reshape" | "squeeze" | "expand_dims"> = ([x], _params, [out]) => [
  { dtype: x!.dtype, shape: out!.shape, data: x!.data },
];

const broadcastInDim: Impl<"broadcast_in_dim"> = ([x], { broadcast_dimensions: bd }, [out]) => {
  const xStrides = stridesOf(x!.shape);
  // Output axes not fed by an operand axis, or fed by a size-1 axis, repeat: stride 0.
  const srcStrides = new Array<number>(out!.shape.length).fill(0);
  bd.forEach((d, i) => {
    if (x!.shape[i] !== 1) srcStrides[d] = xStrides[i]!;
  });
  const res = allocStorage(out!.dtype, sizeOf(out!.shape));
  copyStrided(x!.data, 0, srcStrides, res, 0, stridesOf(out!.shape), out!.shape);
  return [{ dtype: out!.dtype, shape: out!.shape, data: res }];
};

const transpose: Impl<"transpose"> = ([x], { permutation }, [out]) => {
  const xStrides = stridesOf(x!.shape);
  const res = allocStorage(out!.dtype, sizeOf(out!.shape));
  copyStrided(x!.data, 0, permutation.map((p) => xStrides[p]!), res, 0, stridesOf(out!.shape), out!.shape);
  return [{ dtype: out!.dtype, shape: out!.shape, data: res }];
};


/** `x` with `shape` (same elements in row-major order): a reshape unless it already has it. */
function reshapeTo(ops: Ops, x: Atom, shape: readonly number[]): Atom {
  return shapesEqual(x.aval.shape, shape) ? x : ops.emit1("reshape", { new_sizes: [...shape] }, [x]);
}

const sameShape = (x: Aval, shape: readonly number[]): boolean => x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i]);

export const SHAPE_OP_RULES: FamilyRules<ShapeOpPrim> = {
  broadcast_in_dim: {
    doc: "`x` → `shape`; operand axis `i` becomes output axis `broadcast_dimensions[i]` (strictly increasing, one per operand axis) and must have size 1 or `shape[broadcast_dimensions[i]]`",
    params: { shape: "nats", broadcast_dimensions: "nats" },
    shape: (inputs, { shape, broadcast_dimensions: bd }) => {
      const prim = "broadcast_in_dim";
      arity(prim, inputs, 1);
      const [x] = inputs as [Aval];
      checkShape(prim, shape, inputs);
      if (bd.length !== x.shape.length) {
        fail(prim, `broadcast_dimensions ${fmtTuple(bd)} must have one entry per operand axis (${x.shape.length})`, inputs);
      }
      for (let i = 0; i < bd.length; i++) {
        const d = bd[i]!;
        if (!Number.isInteger(d) || d < 0 || d >= shape.length) {
          fail(prim, `broadcast_dimensions ${fmtTuple(bd)} out of range: the valid axes of shape ${fmtTuple(shape)} are ${axisRange(shape.length)}`, inputs);
        }
        if (i > 0 && d <= bd[i - 1]!) fail(prim, `broadcast_dimensions ${fmtTuple(bd)} must be strictly increasing`, inputs);
        const xd = x.shape[i]!;
        if (xd !== 1 && xd !== shape[d]) fail(prim, `operand axis ${i} (size ${xd}) cannot broadcast to size ${shape[d]} of shape ${fmtTuple(shape)}`, inputs);
      }
      return [{ dtype: x.dtype, shape: [...shape] }];
    },
    impl: broadcastInDim,
    batch: (ctx, [x], { shape, broadcast_dimensions }) => {
      const v = moveBatch(ctx, x!, 0);
      const out = ctx.em.emit1("broadcast_in_dim", { shape: [ctx.size, ...shape], broadcast_dimensions: [0, ...broadcast_dimensions.map((d) => d + 1)] }, [v.atom]);
      return [{ atom: out, dim: 0 }];
    },
    simplify: [
      forwardRule("broadcast_in_dim(x) -> x (same shape, identity dims)", ([x], { broadcast_dimensions: bd, shape }) =>
        bd.length === shape.length && isIdentityPermutation(bd) ? x : undefined),
    ],
    rowLocality: (e, p) => {
      const { broadcast_dimensions: bd, shape } = e.params;
      const xs = e.inputs[0]!.aval.shape;
      let ok = xs.length >= p;
      for (let k = 0; ok && k < p; k++) ok = bd[k] === k && xs[k] === shape[k];
      return allRows(ok, e);
    },
    lower: ([x], r) => {
      const { shape } = outAval(r);
      const bd = r.params.broadcast_dimensions;
      let src = x!;
      // Re-evaluating a computed value at every broadcast copy would repeat its work: compute it once.
      if (!isLeaf(src) && src.shape.length > 0 && sizeOf(shape) > sizeOf(src.shape)) src = loadNode(r.L.materialize(r.b, src), src.shape, src.dtype, src.restricted);
      return [viewThrough(r.L, r.b, src, shape, (a) => affine.broadcastInDim(a, src.shape, shape.length, bd), r.restricted)];
    },
    jvp: linearJvp,
    // Sum over the axes the broadcast created or stretched, then restore the operand's size-1 axes.
    partialEval: null,
    transpose: (ops, [ct], [x], { shape, broadcast_dimensions: bd }) => {
      if (ct === null) return [null];
      const xs = x!.atom.aval.shape;
      const summed = shape.map((_, a) => a).filter((a) => {
        const i = bd.indexOf(a);
        return i < 0 || (xs[i] === 1 && shape[a] !== 1);
      });
      return [reshapeTo(ops, ops.reduceSum(ct, summed), xs)];
    },
  },
  reshape: {
    doc: "`x` → `new_sizes` (same element count, row-major order)",
    params: { new_sizes: "nats" },
    shape: (inputs, { new_sizes }) => {
      arity("reshape", inputs, 1);
      const [x] = inputs as [Aval];
      checkShape("reshape", new_sizes, inputs, "new_sizes");
      if (sizeOf(new_sizes) !== sizeOf(x.shape)) {
        fail("reshape", `new_sizes ${fmtTuple(new_sizes)} hold ${sizeOf(new_sizes)} elements but the operand holds ${sizeOf(x.shape)}; they must be equal`, inputs);
      }
      return [{ dtype: x.dtype, shape: [...new_sizes] }];
    },
    impl: relabel,
    batch: (ctx, [x], { new_sizes }) => {
      const v = moveBatch(ctx, x!, 0);
      return [{ atom: ctx.em.emit1("reshape", { new_sizes: [ctx.size, ...new_sizes] }, [v.atom]), dim: 0 }];
    },
    simplify: [
      forwardRule("reshape(x) -> x (same shape)", ([x], { new_sizes }) => (sameShape(x!.aval, new_sizes) ? x : undefined)),
      rewriteRule("reshape(reshape(x)) -> reshape(x)", ([x], params, c) => {
        const inner = producedBy(x!, "reshape", c);
        return inner ? emit("reshape", params, inner.inputs) : undefined;
      }),
    ],
    rowLocality: (e, p) => allRows(isShapePrefix(e.outputs[0]!.aval.shape.slice(0, p), e.inputs[0]!.aval.shape), e),
    lower: ([x], r) => {
      const { shape } = outAval(r);
      return [viewThrough(r.L, r.b, x!, shape, (a) => affine.reshape(a, x!.shape, shape), r.restricted)];
    },
    jvp: linearJvp,
    partialEval: null,
    transpose: (ops, [ct], [x]) => [ct && reshapeTo(ops, ct, x!.atom.aval.shape)],
  },
  transpose: {
    doc: "`x` → shape `x.shape[permutation[i]]`",
    params: { permutation: "nats" },
    shape: (inputs, { permutation }) => {
      arity("transpose", inputs, 1);
      const [x] = inputs as [Aval];
      const isPermutation = permutation.length === x.shape.length && [...permutation].sort((a, b) => a - b).every((p, i) => p === i);
      if (!isPermutation) {
        fail("transpose", `permutation ${fmtTuple(permutation)} must be a permutation of ${fmtTuple(x.shape.map((_, i) => i))}, one entry per operand axis`, inputs);
      }
      return [{ dtype: x.dtype, shape: permutation.map((p) => x.shape[p]!) }];
    },
    impl: transpose,
    batch: (ctx, [x], { permutation }) => {
      // One transpose that also brings the batch axis to the front.
      const d = x!.dim!;
      const perm = [d, ...permutation.map((p) => batchedAxis(p, d))];
      return [{ atom: ctx.em.emit1("transpose", { permutation: perm }, [x!.atom]), dim: 0 }];
    },
    simplify: [
      forwardRule("transpose(x) -> x (identity permutation)", ([x], { permutation }) => (isIdentityPermutation(permutation) ? x : undefined)),
      rewriteRule("transpose(transpose(x)) -> transpose(x)", ([x], { permutation: outer }, c) => {
        const inner = producedBy(x!, "transpose", c);
        // out[i] = mid[outer[i]] = in[inner[outer[i]]]
        return inner ? emit("transpose", { permutation: outer.map((d) => inner.params.permutation[d]!) }, inner.inputs) : undefined;
      }),
    ],
    rowLocality: (e, p) => {
      const perm = e.params.permutation;
      let ok = true;
      for (let k = 0; k < p; k++) ok &&= perm[k] === k;
      return allRows(ok, e);
    },
    lower: ([x], r) => [viewThrough(r.L, r.b, x!, outAval(r).shape, (a) => affine.transpose(a, r.params.permutation), r.restricted)],
    jvp: linearJvp,
    partialEval: null,
    transpose: (ops, [ct], _x, { permutation }) => {
      const inverse = permutation.map((_, i) => permutation.indexOf(i));
      return [ct && ops.emit1("transpose", { permutation: inverse }, [ct])];
    },
  },
  squeeze: {
    doc: "`x` → `x` without the listed axes, which must have size 1",
    params: { dimensions: "nats" },
    shape: (inputs, { dimensions }) => {
      arity("squeeze", inputs, 1);
      const [x] = inputs as [Aval];
      checkAxes("squeeze", dimensions, x.shape.length, inputs, "dimensions");
      for (const d of dimensions) if (x.shape[d] !== 1) fail("squeeze", `dimensions ${fmtTuple(dimensions)}: axis ${d} has size ${x.shape[d]}, not 1`, inputs);
      return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !dimensions.includes(i)) }];
    },
    impl: relabel,
    batch: (ctx, [x], { dimensions }) => {
      const d = x!.dim!;
      const dims = dimensions.map((a) => batchedAxis(a, d));
      return [{ atom: ctx.em.emit1("squeeze", { dimensions: dims }, [x!.atom]), dim: d - dims.filter((a) => a < d).length }];
    },
    simplify: [forwardRule("squeeze(x, ()) -> x", ([x], { dimensions }) => (dimensions.length === 0 ? x : undefined))],
    rowLocality: (e, p) => allRows(below(e.params.dimensions, p), e),
    lower: ([x], r) => [viewThrough(r.L, r.b, x!, outAval(r).shape, (a) => affine.squeeze(a, r.params.dimensions), r.restricted)],
    jvp: linearJvp,
    partialEval: null,
    transpose: (ops, [ct], [x]) => [ct && reshapeTo(ops, ct, x!.atom.aval.shape)],
  },
  expand_dims: {
    doc: "`x` → rank `x.rank + len(dimensions)`, size-1 axes at the listed output positions",
    params: { dimensions: "nats" },
    shape: (inputs, { dimensions }) => {
      arity("expand_dims", inputs, 1);
      const [x] = inputs as [Aval];
      const rank = x.shape.length + dimensions.length;
      checkAxes("expand_dims", dimensions, rank, inputs, "dimensions", "the result");
      const out: number[] = [];
      let k = 0;
      for (let i = 0; i < rank; i++) out.push(dimensions.includes(i) ? 1 : x.shape[k++]!);
      return [{ dtype: x.dtype, shape: out }];
    },
    impl: relabel,
    batch: (ctx, [x], { dimensions }) => {
      const v = moveBatch(ctx, x!, 0);
      return [{ atom: ctx.em.emit1("expand_dims", { dimensions: dimensions.map((a) => a + 1) }, [v.atom]), dim: 0 }];
    },
    simplify: [forwardRule("expand_dims(x, ()) -> x", ([x], { dimensions }) => (dimensions.length === 0 ? x : undefined))],
    rowLocality: (e, p) => allRows(below(e.params.dimensions, p), e),
    lower: ([x], r) => {
      const { shape } = outAval(r);
      return [viewThrough(r.L, r.b, x!, shape, (a) => affine.expandDims(a, shape.length, r.params.dimensions), r.restricted)];
    },
    jvp: linearJvp,
    partialEval: null,
    transpose: (ops, [ct], [x]) => [ct && reshapeTo(ops, ct, x!.atom.aval.shape)],
  },
};
