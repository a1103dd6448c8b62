// Opcode tables: the instructions without structured immediates that the
// emitters and math generators write (plus the stores the encoder tests read
// results back with), keyed by text-format name. The function builder
// derives its typed namespaces (`f.i32.add()`, `f.f32x4.mul()`) from the
// keys, the stack checker reads the signatures, the encoder the bytes, the
// WAT printer the names. The spec has many more; an emitter that needs one
// adds its line here (tsc rejects a name that is not in a table).
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
const F32_CMP = "f32 f32 -> i32";
const F32_UN = "f32 -> f32";
const F32_BIN = "f32 f32 -> f32";
const F64_UN = "f64 -> f64";
const F64_BIN = "f64 f64 -> f64";
const V_UN = "v128 -> v128";
const V_BIN = "v128 v128 -> v128";
const V_TERN = "v128 v128 v128 -> v128";
const V_TEST = "v128 -> i32";
const V_SHIFT = "v128 i32 -> v128";

/** Instructions whose only operands are on the stack. */
export const PLAIN_OPS = {
  // Numeric: i32 (0x45-0x4f comparisons, 0x6a-0x76 arithmetic)
  "i32.eqz": core(0x45, I32_TEST),
  "i32.eq": core(0x46, I32_BIN),
  "i32.ne": core(0x47, I32_BIN),
  "i32.lt_s": core(0x48, I32_BIN),
  "i32.lt_u": core(0x49, I32_BIN),
  "i32.gt_s": core(0x4a, I32_BIN),
  "i32.gt_u": core(0x4b, I32_BIN),
  "i32.le_s": core(0x4c, I32_BIN),
  "i32.ge_s": core(0x4e, I32_BIN),
  "i32.ge_u": core(0x4f, I32_BIN),
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
  "f64.sqrt": core(0x9f, F64_UN),
  "f64.add": core(0xa0, F64_BIN),
  "f64.div": core(0xa3, F64_BIN),
  // Conversions, reinterpretations, a saturating truncation (0xfc prefix)
  "f32.convert_i32_s": core(0xb2, "i32 -> f32"),
  "f32.demote_f64": core(0xb6, "f64 -> f32"),
  "f64.promote_f32": core(0xbb, "f32 -> f64"),
  "i32.reinterpret_f32": core(0xbc, "f32 -> i32"),
  "f32.reinterpret_i32": core(0xbe, "i32 -> f32"),
  "i32.trunc_sat_f32_s": misc(0, "f32 -> i32"),

  // SIMD (0xfd prefix). Splats
  "i32x4.splat": simd(0x11, "i32 -> v128"),
  "f32x4.splat": simd(0x13, "f32 -> v128"),
  // SIMD comparisons: all-ones lanes where true
  "i32x4.eq": simd(0x37, V_BIN),
  "i32x4.ne": simd(0x38, V_BIN),
  "i32x4.lt_s": simd(0x39, V_BIN),
  "i32x4.gt_s": simd(0x3b, V_BIN),
  "i32x4.le_s": simd(0x3d, V_BIN),
  "i32x4.ge_s": simd(0x3f, V_BIN),
  "f32x4.eq": simd(0x41, V_BIN),
  "f32x4.ne": simd(0x42, V_BIN),
  "f32x4.lt": simd(0x43, V_BIN),
  "f32x4.gt": simd(0x44, V_BIN),
  "f32x4.le": simd(0x45, V_BIN),
  "f32x4.ge": simd(0x46, V_BIN),
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
  "f64x2.sqrt": simd(0xef, V_UN),
  "f64x2.add": simd(0xf0, V_BIN),
  "f64x2.div": simd(0xf3, V_BIN),
  // SIMD conversions
  "i32x4.trunc_sat_f32x4_s": simd(0xf8, V_UN),
  "f32x4.convert_i32x4_s": simd(0xfa, V_UN),
  // SIMD integer lanes
  "i16x8.extend_low_i8x16_u": simd(0x89, V_UN),
  "i32x4.abs": simd(0xa0, V_UN),
  "i32x4.neg": simd(0xa1, V_UN),
  "i32x4.bitmask": simd(0xa4, V_TEST),
  "i32x4.extend_low_i16x8_u": simd(0xa9, V_UN),
  "i32x4.shl": simd(0xab, V_SHIFT),
  "i32x4.shr_s": simd(0xac, V_SHIFT),
  "i32x4.shr_u": simd(0xad, V_SHIFT),
  "i32x4.add": simd(0xae, V_BIN),
  "i32x4.sub": simd(0xb1, V_BIN),
  "i32x4.mul": simd(0xb5, V_BIN),
  "i32x4.min_s": simd(0xb6, V_BIN),
  "i32x4.max_s": simd(0xb8, V_BIN),
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
  "f32.load": mem(0x2a, 2, "i32 -> f32"),
  "i32.load8_u": mem(0x2d, 0, "i32 -> i32"),
  "i32.store": mem(0x36, 2, "i32 i32 ->"),
  "i64.store": mem(0x37, 3, "i32 i64 ->"),
  "f32.store": mem(0x38, 2, "i32 f32 ->"),
  "f64.store": mem(0x39, 3, "i32 f64 ->"),
  "i32.store8": mem(0x3a, 0, "i32 i32 ->"),
  "v128.load": simdMem(0x00, 4, "i32 -> v128"),
  "v128.load8_splat": simdMem(0x07, 0, "i32 -> v128"),
  "v128.load32_splat": simdMem(0x09, 2, "i32 -> v128"),
  "v128.store": simdMem(0x0b, 4, "i32 v128 ->"),
  "v128.load32_zero": simdMem(0x5c, 2, "i32 -> v128"),
} as const satisfies Record<string, MemOpDef>;

export type MemOpName = keyof typeof MEM_OPS;

export interface LaneOpDef extends OpDef {
  readonly lanes: number;
}

const lane = (sub: number, lanes: number, sig: string): LaneOpDef => ({ code: 0xfd, sub, lanes, sig });

/** Lane accesses: a lane-index byte after the opcode. */
export const LANE_OPS = {
  "i32x4.extract_lane": lane(0x1b, 4, "v128 -> i32"),
  "i32x4.replace_lane": lane(0x1c, 4, "v128 i32 -> v128"),
  "f32x4.extract_lane": lane(0x1f, 4, "v128 -> f32"),
  "f32x4.replace_lane": lane(0x20, 4, "v128 f32 -> v128"),
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
