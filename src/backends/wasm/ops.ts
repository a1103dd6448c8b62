// Opcode tables: every instruction without structured immediates, keyed by
// its text-format name. The function builder derives its typed namespaces
// (`f.i32.add()`, `f.f32x4.mul()`) from the keys, the stack checker reads the
// signatures, the encoder the bytes, the WAT printer the names.
//
// Encodings follow the WebAssembly 2.0 spec (5.4 Instructions): one opcode
// byte, or a prefix byte (0xfc misc, 0xfd SIMD) followed by a u32 LEB128
// sub-opcode. Signatures are "params -> results", stack bottom first.

import type { ValType } from "./types.js";

export interface OpDef {
  /** Opcode byte, or the prefix byte when `sub` is set. */
  readonly code: number;
  /** Sub-opcode after a 0xfc/0xfd prefix (LEB128-encoded). */
  readonly sub?: number;
  readonly sig: string;
}

const core = (code: number, sig: string): OpDef => ({ code, sig });
const misc = (sub: number, sig: string): OpDef => ({ code: 0xfc, sub, sig });
const simd = (sub: number, sig: string): OpDef => ({ code: 0xfd, sub, sig });

const I32_TEST = "i32 -> i32";
const I32_BIN = "i32 i32 -> i32";
const I64_TEST = "i64 -> i32";
const I64_CMP = "i64 i64 -> i32";
const I64_UN = "i64 -> i64";
const I64_BIN = "i64 i64 -> i64";
const F32_CMP = "f32 f32 -> i32";
const F32_UN = "f32 -> f32";
const F32_BIN = "f32 f32 -> f32";
const F64_CMP = "f64 f64 -> i32";
const F64_UN = "f64 -> f64";
const F64_BIN = "f64 f64 -> f64";
const V_UN = "v128 -> v128";
const V_BIN = "v128 v128 -> v128";
const V_TERN = "v128 v128 v128 -> v128";
const V_TEST = "v128 -> i32";
const V_SHIFT = "v128 i32 -> v128";

/** Instructions whose only operands are on the stack. */
export const PLAIN_OPS = {
  // Numeric: i32 (0x45-0x4f comparisons, 0x67-0x78 arithmetic)
  "i32.eqz": core(0x45, I32_TEST),
  "i32.eq": core(0x46, I32_BIN),
  "i32.ne": core(0x47, I32_BIN),
  "i32.lt_s": core(0x48, I32_BIN),
  "i32.lt_u": core(0x49, I32_BIN),
  "i32.gt_s": core(0x4a, I32_BIN),
  "i32.gt_u": core(0x4b, I32_BIN),
  "i32.le_s": core(0x4c, I32_BIN),
  "i32.le_u": core(0x4d, I32_BIN),
  "i32.ge_s": core(0x4e, I32_BIN),
  "i32.ge_u": core(0x4f, I32_BIN),
  "i32.clz": core(0x67, I32_TEST),
  "i32.ctz": core(0x68, I32_TEST),
  "i32.popcnt": core(0x69, I32_TEST),
  "i32.add": core(0x6a, I32_BIN),
  "i32.sub": core(0x6b, I32_BIN),
  "i32.mul": core(0x6c, I32_BIN),
  "i32.div_s": core(0x6d, I32_BIN),
  "i32.div_u": core(0x6e, I32_BIN),
  "i32.rem_s": core(0x6f, I32_BIN),
  "i32.rem_u": core(0x70, I32_BIN),
  "i32.and": core(0x71, I32_BIN),
  "i32.or": core(0x72, I32_BIN),
  "i32.xor": core(0x73, I32_BIN),
  "i32.shl": core(0x74, I32_BIN),
  "i32.shr_s": core(0x75, I32_BIN),
  "i32.shr_u": core(0x76, I32_BIN),
  "i32.rotl": core(0x77, I32_BIN),
  "i32.rotr": core(0x78, I32_BIN),
  // Numeric: i64
  "i64.eqz": core(0x50, I64_TEST),
  "i64.eq": core(0x51, I64_CMP),
  "i64.ne": core(0x52, I64_CMP),
  "i64.lt_s": core(0x53, I64_CMP),
  "i64.lt_u": core(0x54, I64_CMP),
  "i64.gt_s": core(0x55, I64_CMP),
  "i64.gt_u": core(0x56, I64_CMP),
  "i64.le_s": core(0x57, I64_CMP),
  "i64.le_u": core(0x58, I64_CMP),
  "i64.ge_s": core(0x59, I64_CMP),
  "i64.ge_u": core(0x5a, I64_CMP),
  "i64.clz": core(0x79, I64_UN),
  "i64.ctz": core(0x7a, I64_UN),
  "i64.popcnt": core(0x7b, I64_UN),
  "i64.add": core(0x7c, I64_BIN),
  "i64.sub": core(0x7d, I64_BIN),
  "i64.mul": core(0x7e, I64_BIN),
  "i64.div_s": core(0x7f, I64_BIN),
  "i64.div_u": core(0x80, I64_BIN),
  "i64.rem_s": core(0x81, I64_BIN),
  "i64.rem_u": core(0x82, I64_BIN),
  "i64.and": core(0x83, I64_BIN),
  "i64.or": core(0x84, I64_BIN),
  "i64.xor": core(0x85, I64_BIN),
  "i64.shl": core(0x86, I64_BIN),
  "i64.shr_s": core(0x87, I64_BIN),
  "i64.shr_u": core(0x88, I64_BIN),
  "i64.rotl": core(0x89, I64_BIN),
  "i64.rotr": core(0x8a, I64_BIN),
  // Numeric: f32
  "f32.eq": core(0x5b, F32_CMP),
  "f32.ne": core(0x5c, F32_CMP),
  "f32.lt": core(0x5d, F32_CMP),
  "f32.gt": core(0x5e, F32_CMP),
  "f32.le": core(0x5f, F32_CMP),
  "f32.ge": core(0x60, F32_CMP),
  "f32.abs": core(0x8b, F32_UN),
  "f32.neg": core(0x8c, F32_UN),
  "f32.ceil": core(0x8d, F32_UN),
  "f32.floor": core(0x8e, F32_UN),
  "f32.trunc": core(0x8f, F32_UN),
  "f32.nearest": core(0x90, F32_UN),
  "f32.sqrt": core(0x91, F32_UN),
  "f32.add": core(0x92, F32_BIN),
  "f32.sub": core(0x93, F32_BIN),
  "f32.mul": core(0x94, F32_BIN),
  "f32.div": core(0x95, F32_BIN),
  "f32.min": core(0x96, F32_BIN),
  "f32.max": core(0x97, F32_BIN),
  "f32.copysign": core(0x98, F32_BIN),
  // Numeric: f64
  "f64.eq": core(0x61, F64_CMP),
  "f64.ne": core(0x62, F64_CMP),
  "f64.lt": core(0x63, F64_CMP),
  "f64.gt": core(0x64, F64_CMP),
  "f64.le": core(0x65, F64_CMP),
  "f64.ge": core(0x66, F64_CMP),
  "f64.abs": core(0x99, F64_UN),
  "f64.neg": core(0x9a, F64_UN),
  "f64.ceil": core(0x9b, F64_UN),
  "f64.floor": core(0x9c, F64_UN),
  "f64.trunc": core(0x9d, F64_UN),
  "f64.nearest": core(0x9e, F64_UN),
  "f64.sqrt": core(0x9f, F64_UN),
  "f64.add": core(0xa0, F64_BIN),
  "f64.sub": core(0xa1, F64_BIN),
  "f64.mul": core(0xa2, F64_BIN),
  "f64.div": core(0xa3, F64_BIN),
  "f64.min": core(0xa4, F64_BIN),
  "f64.max": core(0xa5, F64_BIN),
  "f64.copysign": core(0xa6, F64_BIN),
  // Conversions (0xa7-0xc4) and saturating truncations (0xfc 0-7)
  "i32.wrap_i64": core(0xa7, "i64 -> i32"),
  "i32.trunc_f32_s": core(0xa8, "f32 -> i32"),
  "i32.trunc_f32_u": core(0xa9, "f32 -> i32"),
  "i32.trunc_f64_s": core(0xaa, "f64 -> i32"),
  "i32.trunc_f64_u": core(0xab, "f64 -> i32"),
  "i64.extend_i32_s": core(0xac, "i32 -> i64"),
  "i64.extend_i32_u": core(0xad, "i32 -> i64"),
  "i64.trunc_f32_s": core(0xae, "f32 -> i64"),
  "i64.trunc_f32_u": core(0xaf, "f32 -> i64"),
  "i64.trunc_f64_s": core(0xb0, "f64 -> i64"),
  "i64.trunc_f64_u": core(0xb1, "f64 -> i64"),
  "f32.convert_i32_s": core(0xb2, "i32 -> f32"),
  "f32.convert_i32_u": core(0xb3, "i32 -> f32"),
  "f32.convert_i64_s": core(0xb4, "i64 -> f32"),
  "f32.convert_i64_u": core(0xb5, "i64 -> f32"),
  "f32.demote_f64": core(0xb6, "f64 -> f32"),
  "f64.convert_i32_s": core(0xb7, "i32 -> f64"),
  "f64.convert_i32_u": core(0xb8, "i32 -> f64"),
  "f64.convert_i64_s": core(0xb9, "i64 -> f64"),
  "f64.convert_i64_u": core(0xba, "i64 -> f64"),
  "f64.promote_f32": core(0xbb, "f32 -> f64"),
  "i32.reinterpret_f32": core(0xbc, "f32 -> i32"),
  "i64.reinterpret_f64": core(0xbd, "f64 -> i64"),
  "f32.reinterpret_i32": core(0xbe, "i32 -> f32"),
  "f64.reinterpret_i64": core(0xbf, "i64 -> f64"),
  "i32.extend8_s": core(0xc0, I32_TEST),
  "i32.extend16_s": core(0xc1, I32_TEST),
  "i64.extend8_s": core(0xc2, I64_UN),
  "i64.extend16_s": core(0xc3, I64_UN),
  "i64.extend32_s": core(0xc4, I64_UN),
  "i32.trunc_sat_f32_s": misc(0, "f32 -> i32"),
  "i32.trunc_sat_f32_u": misc(1, "f32 -> i32"),
  "i32.trunc_sat_f64_s": misc(2, "f64 -> i32"),
  "i32.trunc_sat_f64_u": misc(3, "f64 -> i32"),
  "i64.trunc_sat_f32_s": misc(4, "f32 -> i64"),
  "i64.trunc_sat_f32_u": misc(5, "f32 -> i64"),
  "i64.trunc_sat_f64_s": misc(6, "f64 -> i64"),
  "i64.trunc_sat_f64_u": misc(7, "f64 -> i64"),

  // SIMD (0xfd prefix). Splats
  "i8x16.swizzle": simd(0x0e, V_BIN),
  "i8x16.splat": simd(0x0f, "i32 -> v128"),
  "i16x8.splat": simd(0x10, "i32 -> v128"),
  "i32x4.splat": simd(0x11, "i32 -> v128"),
  "i64x2.splat": simd(0x12, "i64 -> v128"),
  "f32x4.splat": simd(0x13, "f32 -> v128"),
  "f64x2.splat": simd(0x14, "f64 -> v128"),
  // SIMD comparisons: all-ones lanes where true
  "i8x16.eq": simd(0x23, V_BIN),
  "i8x16.ne": simd(0x24, V_BIN),
  "i8x16.lt_s": simd(0x25, V_BIN),
  "i8x16.lt_u": simd(0x26, V_BIN),
  "i8x16.gt_s": simd(0x27, V_BIN),
  "i8x16.gt_u": simd(0x28, V_BIN),
  "i8x16.le_s": simd(0x29, V_BIN),
  "i8x16.le_u": simd(0x2a, V_BIN),
  "i8x16.ge_s": simd(0x2b, V_BIN),
  "i8x16.ge_u": simd(0x2c, V_BIN),
  "i16x8.eq": simd(0x2d, V_BIN),
  "i16x8.ne": simd(0x2e, V_BIN),
  "i16x8.lt_s": simd(0x2f, V_BIN),
  "i16x8.lt_u": simd(0x30, V_BIN),
  "i16x8.gt_s": simd(0x31, V_BIN),
  "i16x8.gt_u": simd(0x32, V_BIN),
  "i16x8.le_s": simd(0x33, V_BIN),
  "i16x8.le_u": simd(0x34, V_BIN),
  "i16x8.ge_s": simd(0x35, V_BIN),
  "i16x8.ge_u": simd(0x36, V_BIN),
  "i32x4.eq": simd(0x37, V_BIN),
  "i32x4.ne": simd(0x38, V_BIN),
  "i32x4.lt_s": simd(0x39, V_BIN),
  "i32x4.lt_u": simd(0x3a, V_BIN),
  "i32x4.gt_s": simd(0x3b, V_BIN),
  "i32x4.gt_u": simd(0x3c, V_BIN),
  "i32x4.le_s": simd(0x3d, V_BIN),
  "i32x4.le_u": simd(0x3e, V_BIN),
  "i32x4.ge_s": simd(0x3f, V_BIN),
  "i32x4.ge_u": simd(0x40, V_BIN),
  "f32x4.eq": simd(0x41, V_BIN),
  "f32x4.ne": simd(0x42, V_BIN),
  "f32x4.lt": simd(0x43, V_BIN),
  "f32x4.gt": simd(0x44, V_BIN),
  "f32x4.le": simd(0x45, V_BIN),
  "f32x4.ge": simd(0x46, V_BIN),
  "f64x2.eq": simd(0x47, V_BIN),
  "f64x2.ne": simd(0x48, V_BIN),
  "f64x2.lt": simd(0x49, V_BIN),
  "f64x2.gt": simd(0x4a, V_BIN),
  "f64x2.le": simd(0x4b, V_BIN),
  "f64x2.ge": simd(0x4c, V_BIN),
  "i64x2.eq": simd(0xd6, V_BIN),
  "i64x2.ne": simd(0xd7, V_BIN),
  "i64x2.lt_s": simd(0xd8, V_BIN),
  "i64x2.gt_s": simd(0xd9, V_BIN),
  "i64x2.le_s": simd(0xda, V_BIN),
  "i64x2.ge_s": simd(0xdb, V_BIN),
  // SIMD bitwise
  "v128.not": simd(0x4d, V_UN),
  "v128.and": simd(0x4e, V_BIN),
  "v128.andnot": simd(0x4f, V_BIN),
  "v128.or": simd(0x50, V_BIN),
  "v128.xor": simd(0x51, V_BIN),
  "v128.bitselect": simd(0x52, V_TERN),
  "v128.any_true": simd(0x53, V_TEST),
  // SIMD f32x4 / f64x2 arithmetic
  "f32x4.demote_f64x2_zero": simd(0x5e, V_UN),
  "f64x2.promote_low_f32x4": simd(0x5f, V_UN),
  "f32x4.ceil": simd(0x67, V_UN),
  "f32x4.floor": simd(0x68, V_UN),
  "f32x4.trunc": simd(0x69, V_UN),
  "f32x4.nearest": simd(0x6a, V_UN),
  "f32x4.abs": simd(0xe0, V_UN),
  "f32x4.neg": simd(0xe1, V_UN),
  "f32x4.sqrt": simd(0xe3, V_UN),
  "f32x4.add": simd(0xe4, V_BIN),
  "f32x4.sub": simd(0xe5, V_BIN),
  "f32x4.mul": simd(0xe6, V_BIN),
  "f32x4.div": simd(0xe7, V_BIN),
  "f32x4.min": simd(0xe8, V_BIN),
  "f32x4.max": simd(0xe9, V_BIN),
  "f32x4.pmin": simd(0xea, V_BIN),
  "f32x4.pmax": simd(0xeb, V_BIN),
  "f64x2.ceil": simd(0x74, V_UN),
  "f64x2.floor": simd(0x75, V_UN),
  "f64x2.trunc": simd(0x7a, V_UN),
  "f64x2.nearest": simd(0x94, V_UN),
  "f64x2.abs": simd(0xec, V_UN),
  "f64x2.neg": simd(0xed, V_UN),
  "f64x2.sqrt": simd(0xef, V_UN),
  "f64x2.add": simd(0xf0, V_BIN),
  "f64x2.sub": simd(0xf1, V_BIN),
  "f64x2.mul": simd(0xf2, V_BIN),
  "f64x2.div": simd(0xf3, V_BIN),
  "f64x2.min": simd(0xf4, V_BIN),
  "f64x2.max": simd(0xf5, V_BIN),
  "f64x2.pmin": simd(0xf6, V_BIN),
  "f64x2.pmax": simd(0xf7, V_BIN),
  // SIMD conversions
  "i32x4.trunc_sat_f32x4_s": simd(0xf8, V_UN),
  "i32x4.trunc_sat_f32x4_u": simd(0xf9, V_UN),
  "f32x4.convert_i32x4_s": simd(0xfa, V_UN),
  "f32x4.convert_i32x4_u": simd(0xfb, V_UN),
  "i32x4.trunc_sat_f64x2_s_zero": simd(0xfc, V_UN),
  "i32x4.trunc_sat_f64x2_u_zero": simd(0xfd, V_UN),
  "f64x2.convert_low_i32x4_s": simd(0xfe, V_UN),
  "f64x2.convert_low_i32x4_u": simd(0xff, V_UN),
  // SIMD i8x16
  "i8x16.abs": simd(0x60, V_UN),
  "i8x16.neg": simd(0x61, V_UN),
  "i8x16.popcnt": simd(0x62, V_UN),
  "i8x16.all_true": simd(0x63, V_TEST),
  "i8x16.bitmask": simd(0x64, V_TEST),
  "i8x16.narrow_i16x8_s": simd(0x65, V_BIN),
  "i8x16.narrow_i16x8_u": simd(0x66, V_BIN),
  "i8x16.shl": simd(0x6b, V_SHIFT),
  "i8x16.shr_s": simd(0x6c, V_SHIFT),
  "i8x16.shr_u": simd(0x6d, V_SHIFT),
  "i8x16.add": simd(0x6e, V_BIN),
  "i8x16.add_sat_s": simd(0x6f, V_BIN),
  "i8x16.add_sat_u": simd(0x70, V_BIN),
  "i8x16.sub": simd(0x71, V_BIN),
  "i8x16.sub_sat_s": simd(0x72, V_BIN),
  "i8x16.sub_sat_u": simd(0x73, V_BIN),
  "i8x16.min_s": simd(0x76, V_BIN),
  "i8x16.min_u": simd(0x77, V_BIN),
  "i8x16.max_s": simd(0x78, V_BIN),
  "i8x16.max_u": simd(0x79, V_BIN),
  "i8x16.avgr_u": simd(0x7b, V_BIN),
  // SIMD i16x8
  "i16x8.extadd_pairwise_i8x16_s": simd(0x7c, V_UN),
  "i16x8.extadd_pairwise_i8x16_u": simd(0x7d, V_UN),
  "i16x8.abs": simd(0x80, V_UN),
  "i16x8.neg": simd(0x81, V_UN),
  "i16x8.q15mulr_sat_s": simd(0x82, V_BIN),
  "i16x8.all_true": simd(0x83, V_TEST),
  "i16x8.bitmask": simd(0x84, V_TEST),
  "i16x8.narrow_i32x4_s": simd(0x85, V_BIN),
  "i16x8.narrow_i32x4_u": simd(0x86, V_BIN),
  "i16x8.extend_low_i8x16_s": simd(0x87, V_UN),
  "i16x8.extend_high_i8x16_s": simd(0x88, V_UN),
  "i16x8.extend_low_i8x16_u": simd(0x89, V_UN),
  "i16x8.extend_high_i8x16_u": simd(0x8a, V_UN),
  "i16x8.shl": simd(0x8b, V_SHIFT),
  "i16x8.shr_s": simd(0x8c, V_SHIFT),
  "i16x8.shr_u": simd(0x8d, V_SHIFT),
  "i16x8.add": simd(0x8e, V_BIN),
  "i16x8.add_sat_s": simd(0x8f, V_BIN),
  "i16x8.add_sat_u": simd(0x90, V_BIN),
  "i16x8.sub": simd(0x91, V_BIN),
  "i16x8.sub_sat_s": simd(0x92, V_BIN),
  "i16x8.sub_sat_u": simd(0x93, V_BIN),
  "i16x8.mul": simd(0x95, V_BIN),
  "i16x8.min_s": simd(0x96, V_BIN),
  "i16x8.min_u": simd(0x97, V_BIN),
  "i16x8.max_s": simd(0x98, V_BIN),
  "i16x8.max_u": simd(0x99, V_BIN),
  "i16x8.avgr_u": simd(0x9b, V_BIN),
  "i16x8.extmul_low_i8x16_s": simd(0x9c, V_BIN),
  "i16x8.extmul_high_i8x16_s": simd(0x9d, V_BIN),
  "i16x8.extmul_low_i8x16_u": simd(0x9e, V_BIN),
  "i16x8.extmul_high_i8x16_u": simd(0x9f, V_BIN),
  // SIMD i32x4
  "i32x4.extadd_pairwise_i16x8_s": simd(0x7e, V_UN),
  "i32x4.extadd_pairwise_i16x8_u": simd(0x7f, V_UN),
  "i32x4.abs": simd(0xa0, V_UN),
  "i32x4.neg": simd(0xa1, V_UN),
  "i32x4.all_true": simd(0xa3, V_TEST),
  "i32x4.bitmask": simd(0xa4, V_TEST),
  "i32x4.extend_low_i16x8_s": simd(0xa7, V_UN),
  "i32x4.extend_high_i16x8_s": simd(0xa8, V_UN),
  "i32x4.extend_low_i16x8_u": simd(0xa9, V_UN),
  "i32x4.extend_high_i16x8_u": simd(0xaa, V_UN),
  "i32x4.shl": simd(0xab, V_SHIFT),
  "i32x4.shr_s": simd(0xac, V_SHIFT),
  "i32x4.shr_u": simd(0xad, V_SHIFT),
  "i32x4.add": simd(0xae, V_BIN),
  "i32x4.sub": simd(0xb1, V_BIN),
  "i32x4.mul": simd(0xb5, V_BIN),
  "i32x4.min_s": simd(0xb6, V_BIN),
  "i32x4.min_u": simd(0xb7, V_BIN),
  "i32x4.max_s": simd(0xb8, V_BIN),
  "i32x4.max_u": simd(0xb9, V_BIN),
  "i32x4.dot_i16x8_s": simd(0xba, V_BIN),
  "i32x4.extmul_low_i16x8_s": simd(0xbc, V_BIN),
  "i32x4.extmul_high_i16x8_s": simd(0xbd, V_BIN),
  "i32x4.extmul_low_i16x8_u": simd(0xbe, V_BIN),
  "i32x4.extmul_high_i16x8_u": simd(0xbf, V_BIN),
  // SIMD i64x2
  "i64x2.abs": simd(0xc0, V_UN),
  "i64x2.neg": simd(0xc1, V_UN),
  "i64x2.all_true": simd(0xc3, V_TEST),
  "i64x2.bitmask": simd(0xc4, V_TEST),
  "i64x2.extend_low_i32x4_s": simd(0xc7, V_UN),
  "i64x2.extend_high_i32x4_s": simd(0xc8, V_UN),
  "i64x2.extend_low_i32x4_u": simd(0xc9, V_UN),
  "i64x2.extend_high_i32x4_u": simd(0xca, V_UN),
  "i64x2.shl": simd(0xcb, V_SHIFT),
  "i64x2.shr_s": simd(0xcc, V_SHIFT),
  "i64x2.shr_u": simd(0xcd, V_SHIFT),
  "i64x2.add": simd(0xce, V_BIN),
  "i64x2.sub": simd(0xd1, V_BIN),
  "i64x2.mul": simd(0xd5, V_BIN),
  "i64x2.extmul_low_i32x4_s": simd(0xdc, V_BIN),
  "i64x2.extmul_high_i32x4_s": simd(0xdd, V_BIN),
  "i64x2.extmul_low_i32x4_u": simd(0xde, V_BIN),
  "i64x2.extmul_high_i32x4_u": simd(0xdf, V_BIN),
} as const satisfies Record<string, OpDef>;

export type PlainOpName = keyof typeof PLAIN_OPS;

export interface MemOpDef extends OpDef {
  /** log2 of the access width in bytes: the natural (and maximal) alignment. */
  readonly naturalAlign: number;
}

const mem = (code: number, naturalAlign: number, sig: string): MemOpDef => ({ code, naturalAlign, sig });
const simdMem = (sub: number, naturalAlign: number, sig: string): MemOpDef => ({ code: 0xfd, sub, naturalAlign, sig });

/** Loads and stores: a memarg immediate (alignment, offset) after the opcode. */
export const MEM_OPS = {
  "i32.load": mem(0x28, 2, "i32 -> i32"),
  "i64.load": mem(0x29, 3, "i32 -> i64"),
  "f32.load": mem(0x2a, 2, "i32 -> f32"),
  "f64.load": mem(0x2b, 3, "i32 -> f64"),
  "i32.load8_s": mem(0x2c, 0, "i32 -> i32"),
  "i32.load8_u": mem(0x2d, 0, "i32 -> i32"),
  "i32.load16_s": mem(0x2e, 1, "i32 -> i32"),
  "i32.load16_u": mem(0x2f, 1, "i32 -> i32"),
  "i64.load8_s": mem(0x30, 0, "i32 -> i64"),
  "i64.load8_u": mem(0x31, 0, "i32 -> i64"),
  "i64.load16_s": mem(0x32, 1, "i32 -> i64"),
  "i64.load16_u": mem(0x33, 1, "i32 -> i64"),
  "i64.load32_s": mem(0x34, 2, "i32 -> i64"),
  "i64.load32_u": mem(0x35, 2, "i32 -> i64"),
  "i32.store": mem(0x36, 2, "i32 i32 ->"),
  "i64.store": mem(0x37, 3, "i32 i64 ->"),
  "f32.store": mem(0x38, 2, "i32 f32 ->"),
  "f64.store": mem(0x39, 3, "i32 f64 ->"),
  "i32.store8": mem(0x3a, 0, "i32 i32 ->"),
  "i32.store16": mem(0x3b, 1, "i32 i32 ->"),
  "i64.store8": mem(0x3c, 0, "i32 i64 ->"),
  "i64.store16": mem(0x3d, 1, "i32 i64 ->"),
  "i64.store32": mem(0x3e, 2, "i32 i64 ->"),
  "v128.load": simdMem(0x00, 4, "i32 -> v128"),
  "v128.load8x8_s": simdMem(0x01, 3, "i32 -> v128"),
  "v128.load8x8_u": simdMem(0x02, 3, "i32 -> v128"),
  "v128.load16x4_s": simdMem(0x03, 3, "i32 -> v128"),
  "v128.load16x4_u": simdMem(0x04, 3, "i32 -> v128"),
  "v128.load32x2_s": simdMem(0x05, 3, "i32 -> v128"),
  "v128.load32x2_u": simdMem(0x06, 3, "i32 -> v128"),
  "v128.load8_splat": simdMem(0x07, 0, "i32 -> v128"),
  "v128.load16_splat": simdMem(0x08, 1, "i32 -> v128"),
  "v128.load32_splat": simdMem(0x09, 2, "i32 -> v128"),
  "v128.load64_splat": simdMem(0x0a, 3, "i32 -> v128"),
  "v128.store": simdMem(0x0b, 4, "i32 v128 ->"),
  "v128.load32_zero": simdMem(0x5c, 2, "i32 -> v128"),
  "v128.load64_zero": simdMem(0x5d, 3, "i32 -> v128"),
} as const satisfies Record<string, MemOpDef>;

export type MemOpName = keyof typeof MEM_OPS;

export interface LaneOpDef extends OpDef {
  readonly lanes: number;
}

const lane = (sub: number, lanes: number, sig: string): LaneOpDef => ({ code: 0xfd, sub, lanes, sig });

/** Lane accesses: a lane-index byte after the opcode. */
export const LANE_OPS = {
  "i8x16.extract_lane_s": lane(0x15, 16, "v128 -> i32"),
  "i8x16.extract_lane_u": lane(0x16, 16, "v128 -> i32"),
  "i8x16.replace_lane": lane(0x17, 16, "v128 i32 -> v128"),
  "i16x8.extract_lane_s": lane(0x18, 8, "v128 -> i32"),
  "i16x8.extract_lane_u": lane(0x19, 8, "v128 -> i32"),
  "i16x8.replace_lane": lane(0x1a, 8, "v128 i32 -> v128"),
  "i32x4.extract_lane": lane(0x1b, 4, "v128 -> i32"),
  "i32x4.replace_lane": lane(0x1c, 4, "v128 i32 -> v128"),
  "i64x2.extract_lane": lane(0x1d, 2, "v128 -> i64"),
  "i64x2.replace_lane": lane(0x1e, 2, "v128 i64 -> v128"),
  "f32x4.extract_lane": lane(0x1f, 4, "v128 -> f32"),
  "f32x4.replace_lane": lane(0x20, 4, "v128 f32 -> v128"),
  "f64x2.extract_lane": lane(0x21, 2, "v128 -> f64"),
  "f64x2.replace_lane": lane(0x22, 2, "v128 f64 -> v128"),
} as const satisfies Record<string, LaneOpDef>;

export type LaneOpName = keyof typeof LANE_OPS;

export interface Signature {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

const sigCache = new Map<string, Signature>();

/** Parses "i32 f32 -> v128" (cached). */
export function parseSig(sig: string): Signature {
  let s = sigCache.get(sig);
  if (!s) {
    const [lhs, rhs] = sig.split("->");
    const words = (part: string | undefined) => (part ?? "").trim().split(/\s+/).filter((w) => w !== "") as ValType[];
    s = { params: words(lhs), results: words(rhs) };
    sigCache.set(sig, s);
  }
  return s;
}
