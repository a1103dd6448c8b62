// slice (static, strided), dynamic_slice and dynamic_update_slice.
//
// Dynamic start indices are clamped so the whole window stays in bounds, as
// lax does (no out-of-bounds reads, no errors at run time).

import type { ArrayValue } from "../../ir/core.js";
import { type Shape, allocStorage, sizeOf, stridesOf } from "../../ir/dtype.js";
import type { Impl } from "./impl.js";
import { clampIndex, copyStrided } from "./strided.js";

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

export const indexingImpls: { readonly [P in "slice" | "dynamic_slice" | "dynamic_update_slice"]: Impl<P> } = {
  slice,
  dynamic_slice: dynamicSlice,
  dynamic_update_slice: dynamicUpdateSlice,
};
