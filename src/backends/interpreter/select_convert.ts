// select_n and convert_element_type.

import type { ArrayValue } from "../../ir/core.js";
import { type DType, INT32_MAX, INT32_MIN, allocStorage } from "../../ir/dtype.js";
import type { Impl } from "./impl.js";
import { clampIndex } from "./strided.js";
import { type ScalarFn1, mapUnary } from "./unary.js";


/** float -> int32 as XLA converts: truncate, saturate at the int32 range, NaN -> 0. */
export function floatToInt32(x: number): number {
  if (Number.isNaN(x)) return 0;
  if (x >= INT32_MAX) return INT32_MAX;
  if (x <= INT32_MIN) return INT32_MIN;
  return Math.trunc(x);
}

const toBool: ScalarFn1 = (x) => (x !== 0 ? 1 : 0); // NaN != 0, so NaN -> true
const identity: ScalarFn1 = (x) => x;

/** The scalar conversion from one dtype to another (storing as `to` does the float32 rounding). */
function conversion(from: DType, to: DType): ScalarFn1 {
  if (to === "bool") return toBool;
  if (from === "float32" && to === "int32") return floatToInt32;
  return identity; // int/bool -> float rounds on store; bool -> int is 0/1 already
}

export const convertElementType: Impl<"convert_element_type"> = ([x], { new_dtype }) => {
  if (x!.dtype === new_dtype) return [x!];
  return [mapUnary(x!, new_dtype, conversion(x!.dtype, new_dtype))];
};

/**
 * `cases[which]`: a bool `which` picks case 0 for false and 1 for true; an
 * int32 `which` is clamped into range. A rank-0 `which` picks a whole case.
 */
export const selectN: Impl<"select_n"> = ([which, ...cases], _params, [out]) => {
  const w = which!.data;
  const last = cases.length - 1;
  if (which!.shape.length === 0) return [cases[clampIndex(w[0]!, 0, last)]!];
  const n = w.length;
  const res = allocStorage(out!.dtype, n);
  const datas = cases.map((c) => c.data);
  for (let i = 0; i < n; i++) res[i] = datas[clampIndex(w[i]!, 0, last)]![i]!;
  return [{ dtype: out!.dtype, shape: out!.shape, data: res } satisfies ArrayValue];
};
