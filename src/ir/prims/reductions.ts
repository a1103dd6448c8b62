// Reductions: reduce_sum, reduce_max, reduce_min over a set of axes, and
// argmax along one axis.
//
// The reference implementations tabulate the offsets of the kept positions
// and of the reduced positions once (`axisOffsets`), so every output element
// is a plain loop over one table. Float sums accumulate in double and round
// once when stored. Kernel IR: a `reduce` kernel with the reducer of the same
// name (sum, max, min, argmax).

import type { ArrayValue } from "../core.js";
import { type Aval, type DType, INT32_MAX, INT32_MIN, allocStorage, stridesOf } from "../dtype.js";
import { forwardRule } from "../../passes/rules/rule.js";
import { type JvpRule, type TransposeRule, jvpWithOutputs, linearJvp, zeroJvp } from "../../passes/ad/rules.js";
import { batchReduce } from "../../passes/batch/rules.js";
import { allRows, below } from "../../backends/lower/row_locality.js";
import { lowerReduce } from "../../backends/lower/rule_helpers.js";
import type { FamilyRules, Impl, PrimRules, ScalarFn2 } from "./rules.js";
import { arity, checkAxes, fail, fmtTuple, reduceShape } from "./shapeChecks.js";
import { axisOffsets } from "./strided.js";

type Axes = { readonly axes: readonly number[] };

export interface ReductionParams {
  reduce_sum: Axes;
  reduce_max: Axes;
  reduce_min: Axes;
  argmax: Axes & { readonly index_dtype: DType };
}

export type ReducePrim = "reduce_sum" | "reduce_max" | "reduce_min";
export type ReductionPrim = keyof ReductionParams;

interface Monoid {
  /** Value of reducing nothing. */
  readonly identity: number;
  readonly combine: ScalarFn2;
}

// Math.max/min propagate NaN, as XLA's float reductions do; on bool (0/1)
// max is `any` and min is `all`. int32 sums wrap at every step.
const MONOIDS: { readonly [P in ReducePrim]: { readonly [D in DType]?: Monoid } } = {
  reduce_sum: {
    float32: { identity: 0, combine: (a, b) => a + b },
    int32: { identity: 0, combine: (a, b) => (a + b) | 0 },
  },
  reduce_max: {
    float32: { identity: -Infinity, combine: Math.max },
    int32: { identity: INT32_MIN, combine: Math.max },
    bool: { identity: 0, combine: Math.max },
  },
  reduce_min: {
    float32: { identity: Infinity, combine: Math.min },
    int32: { identity: INT32_MAX, combine: Math.min },
    bool: { identity: 1, combine: Math.min },
  },
};

function keptAxes(rank: number, reduced: readonly number[]): number[] {
  const kept: number[] = [];
  for (let i = 0; i < rank; i++) if (!reduced.includes(i)) kept.push(i);
  return kept;
}

function reduce<P extends ReducePrim>(prim: P): Impl<P> {
  return ([x], { axes }, [out]) => {
    const m = MONOIDS[prim][x!.dtype];
    if (!m) throw new TypeError(`${prim}: no implementation for ${x!.dtype} operands`);
    const strides = stridesOf(x!.shape);
    const outer = axisOffsets(x!.shape, strides, keptAxes(x!.shape.length, axes));
    const inner = axisOffsets(x!.shape, strides, [...axes].sort((a, b) => a - b));
    const xd = x!.data;
    const res = allocStorage(out!.dtype, outer.length);
    const { identity, combine } = m;
    for (let o = 0; o < outer.length; o++) {
      const base = outer[o]!;
      let acc = identity;
      for (let r = 0; r < inner.length; r++) acc = combine(acc, xd[base + inner[r]!]!);
      res[o] = acc;
    }
    return [{ dtype: out!.dtype, shape: out!.shape, data: res }];
  };
}

/** Index of the first maximum along one axis; NaN counts as larger than everything (numpy). */
const argmax: Impl<"argmax"> = ([x], { axes }, [out]) => {
  const axis = axes[0]!;
  const strides = stridesOf(x!.shape);
  const outer = axisOffsets(x!.shape, strides, keptAxes(x!.shape.length, axes));
  const n = x!.shape[axis]!;
  const st = strides[axis]!;
  const xd = x!.data;
  const res = new Int32Array(outer.length);
  for (let o = 0; o < outer.length; o++) {
    const base = outer[o]!;
    let best = xd[base]!;
    let bestIdx = 0;
    for (let i = 1; i < n && !Number.isNaN(best); i++) {
      const v = xd[base + i * st]!;
      if (v > best || Number.isNaN(v)) {
        best = v;
        bestIdx = i;
      }
    }
    res[o] = bestIdx;
  }
  return [{ dtype: out!.dtype, shape: out!.shape, data: res } satisfies ArrayValue];
};


const keptAxesOf = (rank: number, axes: readonly number[]): number[] => Array.from({ length: rank }, (_, i) => i).filter((i) => !axes.includes(i));

const sumTranspose: TransposeRule<ReducePrim> = (ops, [ct], [x], { axes }) => {
  if (ct === null) return [null];
  const shape = x!.atom.aval.shape;
  return [ops.broadcast(ct, shape, keptAxesOf(shape.length, axes))];
};

/**
 * reduce_max/min: the mean of the tangents at the positions that attain the
 * extremum (JAX's `_reduce_chooser_jvp_rule`), so ties share the derivative.
 */
const chooserJvp: JvpRule<ReducePrim> = jvpWithOutputs((ops, [x], [t], [out], { axes }) => {
  if (t === null) return [null];
  const shape = x!.aval.shape;
  const at = ops.convert(ops.compare("eq", x!, ops.broadcast(out!, shape, keptAxesOf(shape.length, axes))), "float32");
  return [ops.div(ops.reduceSum(ops.mul(t, at), axes), ops.reduceSum(at, axes))];
});

function reducePrim<P extends ReducePrim>(prim: P, reducer: "sum" | "max" | "min", doc: string): PrimRules<P> {
  return {
    doc,
    // ParamSpec of a generic P is unresolved here; the table below checks each entry against its primitive.
    params: { axes: "nats" } as PrimRules<P>["params"],
    shape: reduceShape(prim),
    impl: reduce(prim),
    batch: batchReduce(),
    simplify: [forwardRule("reduce(x, ()) -> x", ([x], { axes }) => (axes.length === 0 ? x : undefined))],
    rowLocality: (e, p) => allRows(below(e.params.axes, p), e),
    lower: lowerReduce(reducer),
    jvp: reducer === "sum" ? linearJvp : chooserJvp,
    partialEval: null,
    // reduce_sum is linear: its transpose broadcasts the cotangent back over the reduced axes.
    transpose: reducer === "sum" ? sumTranspose : null,
  };
}

export const REDUCTION_RULES: FamilyRules<ReductionPrim> = {
  reduce_sum: reducePrim("reduce_sum", "sum", "`x` (f32, i32) → `x` without `axes`"),
  reduce_max: reducePrim("reduce_max", "max", "`x` (any) → `x` without `axes`"),
  reduce_min: reducePrim("reduce_min", "min", "`x` (any) → `x` without `axes`"),
  argmax: {
    doc: "`x` → i32 with the one axis in `axes` removed; the axis must be non-empty and `index_dtype` is `int32`",
    params: { axes: "nats", index_dtype: "dtype" },
    shape: (inputs, { axes, index_dtype }) => {
      arity("argmax", inputs, 1);
      const [x] = inputs as [Aval];
      if (axes.length !== 1) fail("argmax", `axes must hold exactly one axis, got ${fmtTuple(axes)}`, inputs);
      checkAxes("argmax", axes, x.shape.length, inputs);
      if (x.shape[axes[0]!] === 0) fail("argmax", `axes ${fmtTuple(axes)}: axis ${axes[0]} has size 0, so it has no maximum`, inputs);
      if (index_dtype !== "int32") fail("argmax", `index_dtype must be int32, got ${index_dtype}`, inputs);
      return [{ dtype: "int32", shape: x.shape.filter((_, i) => i !== axes[0]) }];
    },
    impl: argmax,
    batch: batchReduce(),
    simplify: [],
    rowLocality: (e, p) => allRows(below(e.params.axes, p), e),
    lower: lowerReduce("argmax"),
    jvp: zeroJvp,
    partialEval: null,
    transpose: null,
  },
};

export const REDUCE_PRIMS = ["reduce_sum", "reduce_max", "reduce_min"] as const satisfies readonly ReducePrim[];
