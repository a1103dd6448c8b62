// reduce_sum / reduce_max / reduce_min over a set of axes, and argmax.
//
// Offsets of the kept positions and of the reduced positions are tabulated
// once (`axisOffsets`), so every output element is a plain loop over one
// table. Float sums accumulate in double and round once when stored.

import type { ArrayValue } from "../../ir/core.js";
import { type DType, INT32_MAX, INT32_MIN, allocStorage, stridesOf } from "../../ir/dtype.js";
import type { ReducePrim } from "../../ir/primitives.js";
import type { Impl } from "./impl.js";
import { axisOffsets } from "./strided.js";
import type { ScalarFn2 } from "./binary.js";


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

export const reductionImpls: { readonly [P in ReducePrim | "argmax"]: Impl<P> } = {
  reduce_sum: reduce("reduce_sum"),
  reduce_max: reduce("reduce_max"),
  reduce_min: reduce("reduce_min"),
  argmax,
};
