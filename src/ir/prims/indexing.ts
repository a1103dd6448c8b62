// Creation and indexing: iota, concatenate, slice (static, strided),
// dynamic_slice and dynamic_update_slice.
//
// Dynamic start indices are clamped so the whole window stays in bounds, as
// lax does (no out-of-bounds reads, no errors at run time). The lowering
// turns static windows into views; a dynamic start becomes a run-time symbol
// (`setsym`) in the view's offset, and dynamic_update_slice writes in place
// when the destination already holds the operand.

import type { ArrayValue, Atom } from "../core.js";
import { type Ops, jvpWithOutputs, linearJvp, scalar, zeroJvp } from "../../passes/ad/rules.js";
import { type Aval, type DType, type Shape, allocStorage, isShapePrefix, sizeOf, stridesOf } from "../dtype.js";
import { I32_ZERO, batchedAxis, materialize } from "../../passes/batch/layout.js";
import { insertAt, perElementScan } from "../../passes/batch/rules.js";
import { allRows } from "../../backends/lower/row_locality.js";
import * as affine from "../../backends/lower/affine.js";
import type { View } from "../../backends/lower/kernel_ir.js";
import { bufferView, dynamicStarts, outAval, outTarget, viewThrough } from "../../backends/lower/rule_helpers.js";
import { loadNode, mkNode } from "../../backends/lower/nodes.js";
import type { FamilyRules, Impl, NoParams } from "./rules.js";
import { arity, axisRange, checkShape, fail, fmtTuple } from "./shapeChecks.js";
import { clampIndex, copyStrided } from "./strided.js";

export interface IndexingParams {
  iota: { readonly dtype: DType; readonly shape: readonly number[]; readonly dimension: number };
  concatenate: { readonly dimension: number };
  slice: {
    readonly start_indices: readonly number[];
    readonly limit_indices: readonly number[];
    readonly strides: readonly number[] | null;
  };
  /** Start indices are clamped so the slice stays in bounds (lax semantics). */
  dynamic_slice: { readonly slice_sizes: readonly number[] };
  dynamic_update_slice: NoParams;
}

export type IndexingPrim = keyof IndexingParams;

const iota: Impl<"iota"> = (_args, { dimension }, [out]) => {
  const n = sizeOf(out!.shape);
  const stride = stridesOf(out!.shape)[dimension]!;
  const size = out!.shape[dimension]!;
  const res = allocStorage(out!.dtype, n);
  for (let i = 0; i < n; i++) res[i] = Math.floor(i / stride) % size;
  return [{ dtype: out!.dtype, shape: out!.shape, data: res }];
};

const concatenate: Impl<"concatenate"> = (args, { dimension }, [out]) => {
  const outStrides = stridesOf(out!.shape);
  const res = allocStorage(out!.dtype, sizeOf(out!.shape));
  let offset = 0;
  for (const x of args) {
    copyStrided(x.data, 0, stridesOf(x.shape), res, offset * outStrides[dimension]!, outStrides, x.shape);
    offset += x.shape[dimension]!;
  }
  return [{ dtype: out!.dtype, shape: out!.shape, data: res } satisfies ArrayValue];
};

/** Element offset of the window start, each start clamped to `[0, dim - window]`. */
function clampedBase(shape: Shape, window: Shape, starts: readonly ArrayValue[], strides: readonly number[]): number {
  let base = 0;
  for (let i = 0; i < shape.length; i++) {
    base += clampIndex(starts[i]!.data[0]!, 0, shape[i]! - window[i]!) * strides[i]!;
  }
  return base;
}

const slice: Impl<"slice"> = ([x], { start_indices, strides }, [out]) => {
  const xStrides = stridesOf(x!.shape);
  let base = 0;
  start_indices.forEach((s, i) => (base += s * xStrides[i]!));
  const srcStrides = xStrides.map((st, i) => st * (strides ? strides[i]! : 1));
  const res = allocStorage(out!.dtype, sizeOf(out!.shape));
  copyStrided(x!.data, base, srcStrides, res, 0, stridesOf(out!.shape), out!.shape);
  return [{ dtype: out!.dtype, shape: out!.shape, data: res }];
};

const dynamicSlice: Impl<"dynamic_slice"> = ([x, ...starts], { slice_sizes }, [out]) => {
  const xStrides = stridesOf(x!.shape);
  const base = clampedBase(x!.shape, slice_sizes, starts, xStrides);
  const res = allocStorage(out!.dtype, sizeOf(out!.shape));
  copyStrided(x!.data, base, xStrides, res, 0, stridesOf(out!.shape), out!.shape);
  return [{ dtype: out!.dtype, shape: out!.shape, data: res }];
};

const dynamicUpdateSlice: Impl<"dynamic_update_slice"> = ([x, update, ...starts], _params, [out]) => {
  const xStrides = stridesOf(x!.shape);
  const base = clampedBase(x!.shape, update!.shape, starts, xStrides);
  const res = x!.data.slice();
  copyStrided(update!.data, 0, stridesOf(update!.shape), res, base, xStrides, update!.shape);
  return [{ dtype: out!.dtype, shape: out!.shape, data: res }];
};


/**
 * The cotangent of a static slice's operand: zeros, with the slice's
 * cotangent written back where the slice read. A stride s along an axis is
 * undone by interleaving s - 1 zeros after each element (a concatenate on a
 * new trailing axis, merged by a reshape, trimmed to the strided extent); the
 * result is then written at the start indices.
 */
function sliceTranspose(ops: Ops, ct: Atom, operandShape: Shape, { start_indices, limit_indices, strides }: IndexingParams["slice"]): Atom {
  let spread = ct;
  (strides ?? []).forEach((st, axis) => {
    if (st === 1) return;
    const shape = spread.aval.shape;
    const n = shape[axis]!;
    const withUnit = ops.emit1("reshape", { new_sizes: [...shape.slice(0, axis + 1), 1, ...shape.slice(axis + 1)] }, [spread]);
    const gapShape = [...shape.slice(0, axis + 1), st - 1, ...shape.slice(axis + 1)];
    const interleaved = ops.emit1("concatenate", { dimension: axis + 1 }, [withUnit, ops.zeros({ dtype: ct.aval.dtype, shape: gapShape })]);
    const merged = ops.emit1("reshape", { new_sizes: [...shape.slice(0, axis), n * st, ...shape.slice(axis + 1)] }, [interleaved]);
    const extent = limit_indices[axis]! - start_indices[axis]!;
    const limits = merged.aval.shape.map((d, a) => (a === axis ? Math.min(extent, n * st) : d));
    spread = ops.emit1("slice", { start_indices: limits.map(() => 0), limit_indices: limits, strides: null }, [merged]);
  });
  const starts = start_indices.map((i) => scalar(i, "int32"));
  return ops.emit1("dynamic_update_slice", {}, [ops.zeros({ dtype: ct.aval.dtype, shape: [...operandShape] }), spread, ...starts]);
}

export const INDEXING_RULES: FamilyRules<IndexingPrim> = {
  iota: {
    doc: "no operands → `dtype[shape]` (f32 or i32) holding each element's index along `dimension`",
    params: { dtype: "dtype", shape: "nats", dimension: "nat" },
    shape: (inputs, { dtype, shape, dimension }) => {
      arity("iota", inputs, 0);
      checkShape("iota", shape, inputs);
      if (dtype === "bool") fail("iota", "dtype must be float32 or int32", inputs);
      if (!Number.isInteger(dimension) || dimension < 0 || dimension >= shape.length) {
        fail("iota", `dimension ${dimension} out of range: the valid axes of shape ${fmtTuple(shape)} are ${axisRange(shape.length)}`, inputs);
      }
      return [{ dtype, shape: [...shape] }];
    },
    impl: iota,
    batch: () => {
      throw new Error("iota has no operands, so it is never batched");
    },
    simplify: [],
    rowLocality: () => [],
    lower: (_ins, r) => {
      const { dtype, shape, dimension } = r.params;
      const strides = shape.map((_, i) => (i === dimension ? 1 : 0));
      return [mkNode({ op: "index", map: { offset: affine.ZERO_OFFSET, strides }, dtype, shape, restricted: r.restricted })];
    },
    jvp: zeroJvp,
    partialEval: null,
    transpose: null,
  },
  concatenate: {
    doc: "one or more operands of one dtype and rank, equal except along `dimension` → sizes along `dimension` summed",
    params: { dimension: "nat" },
    shape: (inputs, { dimension }) => {
      if (inputs.length < 1) fail("concatenate", "expects at least one operand", inputs);
      const x0 = inputs[0]!;
      const rank = x0.shape.length;
      if (!Number.isInteger(dimension) || dimension < 0 || dimension >= rank) {
        fail("concatenate", `dimension ${dimension} out of range: the valid axes of the operands (rank ${rank}) are ${axisRange(rank)}`, inputs);
      }
      let total = 0;
      for (const x of inputs) {
        if (x.dtype !== x0.dtype) fail("concatenate", "operand dtypes must be equal", inputs);
        if (x.shape.length !== rank) fail("concatenate", "operands must have equal rank", inputs);
        for (let i = 0; i < rank; i++) {
          if (i !== dimension && x.shape[i] !== x0.shape[i]) fail("concatenate", `operand shapes must agree except on dimension ${dimension}`, inputs);
        }
        total += x.shape[dimension]!;
      }
      const shape = [...x0.shape];
      shape[dimension] = total;
      return [{ dtype: x0.dtype, shape }];
    },
    impl: concatenate,
    batch: (ctx, inputs, { dimension }) => {
      const atoms = inputs.map((v) => materialize(ctx, v, 0).atom);
      return [{ atom: ctx.em.emit1("concatenate", { dimension: dimension + 1 }, atoms), dim: 0 }];
    },
    simplify: [],
    rowLocality: (e, p) => allRows(e.params.dimension >= p, e),
    lower: (ins, r) => {
      const { L, b } = r;
      const out = outAval(r);
      // Parts along a row axis do not start with the row shape: they are written in full.
      const lanes = r.restricted && b.ctx.restrict && r.params.dimension >= b.ctx.restrict.shape.length ? L.lanesOf(b.ctx.restrict) : null;
      const target = outTarget(r, "concatenate", lanes);
      let pos = 0;
      for (const x of ins) {
        const part: View = { buf: target.buf, offset: affine.addOffset(target.offset, pos * target.strides[r.params.dimension]!), strides: target.strides };
        L.storeInto(b, x, part, lanes);
        pos += x.shape[r.params.dimension]!;
      }
      return [loadNode(target, out.shape, out.dtype, r.restricted)];
    },
    jvp: linearJvp,
    // Each operand's cotangent is its slice of the output's.
    partialEval: null,
    transpose: (ops, [ct], inputs, { dimension }) => {
      let pos = 0;
      return inputs.map((x) => {
        const shape = x.atom.aval.shape;
        const start = pos;
        pos += shape[dimension]!;
        if (ct === null || !x.linear) return null;
        const starts = shape.map((_, a) => (a === dimension ? start : 0));
        const limits = shape.map((d, a) => (a === dimension ? start + d : d));
        return ops.emit1("slice", { start_indices: starts, limit_indices: limits, strides: null }, [ct]);
      });
    },
  },
  slice: {
    doc: "`x` → per axis `ceil((limit − start) / stride)`, with `0 ≤ start ≤ limit ≤ size` and stride ≥ 1 (`None` = all 1)",
    params: { start_indices: "nats", limit_indices: "nats", strides: "positive_ints_or_none" },
    shape: (inputs, { start_indices: start, limit_indices: limit, strides }) => {
      arity("slice", inputs, 1);
      const [x] = inputs as [Aval];
      const r = x.shape.length;
      if (start.length !== r || limit.length !== r || (strides && strides.length !== r)) {
        const shownStrides = strides ? fmtTuple(strides) : "None";
        fail("slice", `start_indices ${fmtTuple(start)}, limit_indices ${fmtTuple(limit)} and strides ${shownStrides} need one entry per operand axis (${r})`, inputs);
      }
      const shape: number[] = [];
      for (let i = 0; i < r; i++) {
        const s = start[i]!, l = limit[i]!, st = strides ? strides[i]! : 1;
        if (!(Number.isInteger(s) && Number.isInteger(l) && 0 <= s && s <= l && l <= x.shape[i]!)) {
          fail("slice", `start_indices/limit_indices on axis ${i}: need 0 <= start (${s}) <= limit (${l}) <= size (${x.shape[i]})`, inputs);
        }
        if (!Number.isInteger(st) || st < 1) fail("slice", `strides on axis ${i}: stride ${st} must be a positive integer`, inputs);
        shape.push(Math.ceil((l - s) / st));
      }
      return [{ dtype: x.dtype, shape }];
    },
    impl: slice,
    batch: (ctx, [x], { start_indices, limit_indices, strides }) => {
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
    simplify: [],
    rowLocality: (e, p) => {
      const { start_indices, limit_indices, strides } = e.params;
      const xs = e.inputs[0]!.aval.shape;
      let ok = true;
      for (let k = 0; k < p; k++) ok &&= start_indices[k] === 0 && limit_indices[k] === xs[k] && (strides === null || strides[k] === 1);
      return allRows(ok, e);
    },
    lower: ([x], r) => [viewThrough(r.L, r.b, x!, outAval(r).shape, (a) => affine.slice(a, r.params.start_indices, r.params.strides), r.restricted)],
    jvp: linearJvp,
    partialEval: null,
    transpose: (ops, [ct], [x], params) => [ct && sliceTranspose(ops, ct, x!.atom.aval.shape, params)],
  },
  dynamic_slice: {
    doc: "`x, start₀, …` (one i32[] per axis) → `slice_sizes`; starts are clamped so the slice stays in bounds",
    params: { slice_sizes: "nats" },
    shape: (inputs, { slice_sizes }) => {
      const [x, ...idx] = inputs as [Aval, ...Aval[]];
      if (!x) fail("dynamic_slice", "expects an operand", inputs);
      const r = x.shape.length;
      if (idx.length !== r) fail("dynamic_slice", `expects ${r} start indices (one per axis), got ${idx.length}`, inputs);
      for (const i of idx) if (i.dtype !== "int32" || i.shape.length !== 0) fail("dynamic_slice", "start indices must be i32[] scalars", inputs);
      if (slice_sizes.length !== r) fail("dynamic_slice", `slice_sizes ${fmtTuple(slice_sizes)} must have one entry per operand axis (${r})`, inputs);
      for (let i = 0; i < r; i++) {
        const s = slice_sizes[i]!;
        if (!Number.isInteger(s) || s < 0 || s > x.shape[i]!) {
          fail("dynamic_slice", `slice_sizes ${fmtTuple(slice_sizes)}: size ${s} on axis ${i} must be in 0..${x.shape[i]} (the operand's size)`, inputs);
        }
      }
      return [{ dtype: x.dtype, shape: [...slice_sizes] }];
    },
    impl: dynamicSlice,
    batch: (ctx, inputs, { slice_sizes }, eqn) => {
      const [x, ...idx] = inputs;
      if (idx.some((i) => i.dim !== null)) return perElementScan(ctx, eqn, inputs);
      const d = x!.dim!;
      const out = ctx.em.emit1("dynamic_slice", { slice_sizes: insertAt(slice_sizes, d, ctx.size) }, [x!.atom, ...insertAt(idx.map((i) => i.atom), d, I32_ZERO)]);
      return [{ atom: out, dim: d }];
    },
    simplify: [],
    rowLocality: (e, p) => {
      const sizes = e.params.slice_sizes;
      const xs = e.inputs[0]!.aval.shape;
      let ok = true;
      for (let k = 0; k < p; k++) ok &&= sizes[k] === xs[k];
      return e.inputs.map((_, i) => (i === 0 && ok ? "row" : "any"));
    },
    lower: ([x, ...idx], r) => {
      const { L, b } = r;
      const out = outAval(r);
      const src = bufferView(L, b, x!);
      const m = affine.atWindow(src, dynamicStarts(L, b, idx, x!.shape, r.params.slice_sizes));
      return [loadNode({ buf: src.buf, offset: m.offset, strides: m.strides }, out.shape, out.dtype, r.restricted)];
    },
    jvp: jvpWithOutputs((ops, [, ...idx], [t], _outs, params) => [t && ops.emit1("dynamic_slice", params, [t, ...idx])]),
    // The cotangent lands in the window (clamped as the slice was), zeros elsewhere.
    partialEval: null,
    transpose: (ops, [ct], [x, ...idx]) => [ct && x!.linear ? ops.emit1("dynamic_update_slice", {}, [ops.zeros(x!.atom.aval), ct, ...idx.map((i) => i.atom)]) : null, ...idx.map(() => null)],
  },
  dynamic_update_slice: {
    doc: "`x, update, start₀, …` (update of `x`'s dtype and rank, no larger; one i32[] start per axis, clamped) → `x`'s aval",
    params: {},
    shape: (inputs) => {
      const [x, u, ...idx] = inputs as [Aval, Aval, ...Aval[]];
      if (!x || !u) fail("dynamic_update_slice", "expects an operand and an update", inputs);
      const r = x.shape.length;
      if (u.dtype !== x.dtype) fail("dynamic_update_slice", "update dtype must equal the operand dtype", inputs);
      if (u.shape.length !== r) fail("dynamic_update_slice", "update rank must equal the operand rank", inputs);
      for (let i = 0; i < r; i++) if (u.shape[i]! > x.shape[i]!) fail("dynamic_update_slice", `update is larger than the operand on axis ${i}`, inputs);
      if (idx.length !== r) fail("dynamic_update_slice", `expects ${r} start indices (one per axis), got ${idx.length}`, inputs);
      for (const i of idx) if (i.dtype !== "int32" || i.shape.length !== 0) fail("dynamic_update_slice", "start indices must be i32[] scalars", inputs);
      return [x];
    },
    impl: dynamicUpdateSlice,
    batch: (ctx, inputs, params, eqn) => {
      const [x, u, ...idx] = inputs;
      if (idx.some((i) => i.dim !== null)) return perElementScan(ctx, eqn, inputs);
      const d = x!.dim ?? u!.dim!;
      const xb = materialize(ctx, x!, d), ub = materialize(ctx, u!, d);
      const out = ctx.em.emit1("dynamic_update_slice", params, [xb.atom, ub.atom, ...insertAt(idx.map((i) => i.atom), d, I32_ZERO)]);
      return [{ atom: out, dim: d }];
    },
    simplify: [],
    rowLocality: (e, p) => {
      const out = e.outputs[0]!.aval.shape;
      const u = e.inputs[1]!.aval.shape;
      return e.inputs.map((_, i) => (i === 0 ? "row" : i === 1 && isShapePrefix(out.slice(0, p), u) ? "row" : "any"));
    },
    // Lazy: written when materialized (Lowerer.storeUpdate), in place when the destination already holds the operand.
    lower: ([x, u, ...idx], r) => {
      const { shape, dtype } = outAval(r);
      const starts = dynamicStarts(r.L, r.b, idx, x!.shape, u!.shape);
      return [mkNode({ op: "dus", starts, args: [x!, u!], shape, dtype, restricted: r.restricted })];
    },
    jvp: jvpWithOutputs((ops, [x, u, ...idx], [tx, tu]) => [
      tx === null && tu === null ? null : ops.emit1("dynamic_update_slice", {}, [ops.instantiate(tx!, x!.aval), ops.instantiate(tu!, u!.aval), ...idx]),
    ]),
    // The operand's cotangent is the output's outside the window; the update's is the window.
    partialEval: null,
    transpose: (ops, [ct], [x, u, ...idx]) => {
      const starts = idx.map((i) => i.atom);
      if (ct === null) return [null, null, ...idx.map(() => null)];
      return [
        x!.linear ? ops.emit1("dynamic_update_slice", {}, [ct, ops.zeros(u!.atom.aval), ...starts]) : null,
        u!.linear ? ops.emit1("dynamic_slice", { slice_sizes: [...u!.atom.aval.shape] }, [ct, ...starts]) : null,
        ...idx.map(() => null),
      ];
    },
  },
};
