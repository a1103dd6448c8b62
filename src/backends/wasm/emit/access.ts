// Loads and stores of one element (width 1) or of four points spaced
// `strideBytes` apart (width 4) at `ptr + offset`: contiguous points are one
// v128 access, others are gathered/scattered lane by lane. bool is one byte
// in memory (0/1) and a mask in vector registers (see values.ts).

import type { DType } from "../../../ir/dtype.js";
import type { FunctionBuilder } from "../func.js";
import type { Local } from "../types.js";
import type { Width } from "./values.js";

export const ELEM_BYTES: { readonly [D in DType]: number } = { float32: 4, int32: 4, bool: 1 };

/** Byte offsets: 4-byte types use 4-byte alignment hints, bytes 1. */
const align = (d: DType): number => ELEM_BYTES[d];

function scalarLoad(f: FunctionBuilder, dtype: DType, ptr: Local, offset: number): void {
  f.local.get(ptr);
  if (dtype === "float32") f.f32.load({ offset, align: 4 });
  else if (dtype === "int32") f.i32.load({ offset, align: 4 });
  else f.i32.load8_u({ offset });
}

/** Pushes the value(s) at `ptr + offset` (+ q·strideBytes for lane q). */
export function emitLoad(f: FunctionBuilder, dtype: DType, width: Width, ptr: Local, offset: number, strideBytes: number): void {
  if (width === 1) return scalarLoad(f, dtype, ptr, offset);
  const eb = ELEM_BYTES[dtype];
  if (strideBytes === eb) {
    f.local.get(ptr);
    if (dtype === "bool") {
      f.v128.load32_zero({ offset, align: 1 }).i16x8.extend_low_i8x16_u().i32x4.extend_low_i16x8_u().i32x4.neg();
    } else f.v128.load({ offset, align: align(dtype) });
    return;
  }
  if (strideBytes === 0) {
    f.local.get(ptr);
    if (dtype === "float32") f.v128.load32_splat({ offset, align: 4 });
    else if (dtype === "int32") f.v128.load32_splat({ offset, align: 4 });
    else f.v128.load8_splat({ offset }).v128.const("i32x4", [0, 0, 0, 0]).i32x4.ne();
    return;
  }
  // gather
  const isF = dtype === "float32";
  scalarLoad(f, dtype, ptr, offset);
  f.op(isF ? "f32x4.splat" : "i32x4.splat");
  for (let q = 1; q < 4; q++) {
    scalarLoad(f, dtype, ptr, offset + q * strideBytes);
    f.laneOp(isF ? "f32x4.replace_lane" : "i32x4.replace_lane", q);
  }
  if (dtype === "bool") f.i32x4.neg();
}

function scalarStore(f: FunctionBuilder, dtype: DType, offset: number): void {
  if (dtype === "float32") f.f32.store({ offset, align: 4 });
  else if (dtype === "int32") f.i32.store({ offset, align: 4 });
  else f.i32.store8({ offset });
}

/** Stores `value` (the width's representation) at `ptr + offset` (+ q·strideBytes for lane q, in lane order). */
export function emitStore(f: FunctionBuilder, dtype: DType, width: Width, ptr: Local, offset: number, strideBytes: number, value: Local): void {
  if (width === 1) {
    f.local.get(ptr).local.get(value);
    scalarStore(f, dtype, offset);
    return;
  }
  const eb = ELEM_BYTES[dtype];
  if (strideBytes === eb) {
    f.local.get(ptr).local.get(value);
    if (dtype === "bool") {
      // mask → 0/1, then bytes 0, 4, 8, 12 → one i32
      f.i32x4.neg();
      f.local.get(value).i32x4.neg();
      f.i8x16.shuffle([0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12]);
      f.i32x4.extract_lane(0).i32.store({ offset, align: 1 });
    } else f.v128.store({ offset, align: align(dtype) });
    return;
  }
  const isF = dtype === "float32";
  for (let q = 0; q < 4; q++) {
    if (strideBytes === 0 && q < 3) continue; // every lane writes the same element: the last one wins
    f.local.get(ptr).local.get(value);
    f.laneOp(isF ? "f32x4.extract_lane" : "i32x4.extract_lane", q);
    if (dtype === "bool") f.i32.const(1).i32.and();
    scalarStore(f, dtype, offset + q * strideBytes);
  }
}
