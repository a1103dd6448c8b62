// exp(x) and expm1(x) = e^x - 1 for float32 lanes.
//
// Cody–Waite reduction: x = n·ln2 + r with n = nearest(x/ln2), |r| ≤ ln2/2.
// ln2 is split as LN2_HI + LN2_LO where LN2_HI has 9 significant bits, so
// n·LN2_HI is exact for |n| ≤ 2^15 and x - n·LN2_HI loses nothing.
// e^r = 1 + r + r²·P(r), P of degree 4 fitted by scripts/wasm-math-fit.ts
// (relative error 3.1e-9 on [-0.3467, 0.3467]). The result is scaled by 2^n
// in two steps, 2^(n>>1) then 2^(n - (n>>1)), so that n = 128 (results near
// FLT_MAX) and n down to -150 (subnormal results) need no special case: the
// first product is always normal and only the second one rounds.
//
// n is rounded and turned into an integer with the "magic number" trick
// instead of f32x4.nearest and i32x4.trunc_sat_f32x4_s (the latter is about 7
// x64 instructions in V8): for |y| < 2^22, t = y + 1.5·2^23 is a float in
// [2^23, 2^24), where floats are spaced exactly 1 apart, so the single
// rounding of the add is round-to-nearest-even of y (1.5·2^23 is even, so
// ties go the same way as nearest's), t - 1.5·2^23 = nearest(y) exactly, and
// the bits of t are MAGIC_BITS + n. Only the sign of a zero n can differ
// (+0 where nearest gives -0), and that changes no bit of r: x - (±0) = x for
// x ≠ 0, and x = ±0 gives r = +0 both ways. The results are bit-identical to
// the nearest/trunc_sat form.
//
// expm1 reduces with n = trunc(x/ln2) instead, so that r = x - n·ln2 has the
// sign of x and |r| < ln2: then e^x - 1 = 2^n·(e^r - 1) + (2^n - 1) adds two
// terms of the same sign (no cancellation), and for |x| < ln2 (n = 0) it is
// the polynomial e^r - 1 = r + r²·Q(r) itself, exact for tiny x. Q of degree 6
// (relative error 1.5e-9 on |r| ≤ ln2 + 2e-5).

import type { F, Lanes } from "./lanes.js";

export const LOG2E = 1.44269502;
export const LN2_HI = 0.693359375;
export const LN2_LO = -2.12194440e-4;

/** e^r - 1 - r = r²·P(r): coefficients of r^2..r^6. */
export const EXP_POLY = [0.49999994, 0.166665211, 0.0416682586, 0.00836866628, 0.00138211728];

/** Beyond these, float32 exp is 0 (e^-104 < 2^-150) or Inf (e^89 > FLT_MAX); clamping keeps n in range. */
export const EXP_MIN_ARG = -104;
export const EXP_MAX_ARG = 89;

/** 1.5·2^23: adding it rounds any |y| < 2^22 to an integer held in the low mantissa bits. */
export const EXP_ROUND_MAGIC = 12582912;

/** e^r - 1 - r = r²·Q(r) on |r| ≤ ln2: coefficients of r^2..r^8. */
export const EXPM1_POLY = [0.5, 0.166666716, 0.0416666456, 0.00833266042, 0.00138897286, 0.00020091387, 0.0000248445831];

/** The largest float32 whose e^x - 1 is finite in float32; beyond it, expm1 is Inf. */
export const EXPM1_OVERFLOW = 88.72283172607422;
/**
 * Below this, e^x < 2^-25 and float32 e^x - 1 rounds to -1. Clamping keeps
 * n ≥ -25, where 2^n - 1 already rounds to -1.
 */
export const EXPM1_MIN_ARG = -18;

/** The bits of 1.0: adding n << 23 to them builds 2^n. */
const ONE_BITS = 0x3f800000;

export interface ExpOptions {
  /**
   * The caller guarantees x ≤ 0 or NaN (e.g. tanh's exp(-2|x|)), so the upper
   * clamp at EXP_MAX_ARG is a no-op and is left out.
   */
  readonly nonPositive?: boolean;
}

export function exp(L: Lanes, x: F, options: ExpOptions = {}): F {
  // min/max propagate NaN, so a NaN input flows through to a NaN result.
  const lower = L.max(x, L.c(EXP_MIN_ARG));
  const xc = L.let(options.nonPositive ? lower : L.min(lower, L.c(EXP_MAX_ARG)));
  // y = xc·log2(e) is in [-150.1, 128.4], well inside |y| < 2^22.
  const t = L.let(L.add(L.mul(xc, L.c(LOG2E)), L.c(EXP_ROUND_MAGIC)));
  const n = L.let(L.sub(t, L.c(EXP_ROUND_MAGIC)));
  const r = L.let(L.sub(L.sub(xc, L.mul(n, L.c(LN2_HI))), L.mul(n, L.c(LN2_LO))));
  const p = L.add(L.c(1), L.add(r, L.mul(L.mul(r, r), L.horner(r, EXP_POLY))));
  // b = MAGIC_BITS + n with MAGIC_BITS = 0x4b400000. MAGIC_BITS is even, so
  // h = b >> 1 = MAGIC_BITS/2 + (n >> 1) and b - h = MAGIC_BITS/2 + (n - (n >> 1)).
  // pow2 shifts its argument left by 23, which drops MAGIC_BITS/2 = 0x25a00000
  // (a multiple of 2^20, so 0x25a00000·2^23 ≡ 0 mod 2^32): pow2(h) = 2^(n>>1)
  // and pow2(b - h) = 2^(n - (n>>1)) with no integer conversion and no offset.
  // A NaN lane gives arbitrary b, but pow2 never makes a NaN and p is NaN there.
  // Not bound with `let`: in SIMD the reinterpretation is free (so t is read
  // directly); the scalar tail just reinterprets twice.
  const b = L.bits(t);
  const h = L.let(L.shrS(b, 1));
  return L.mul(L.mul(p, L.pow2(h)), L.pow2(L.isub(b, h)));
}

export function expm1(L: Lanes, x: F): F {
  const xx = L.let(x);
  // The clamp keeps n in [-25, 127] (trunc(EXPM1_OVERFLOW·LOG2E) is 127 in
  // float32); min/max propagate NaN.
  const xc = L.let(L.min(L.max(xx, L.c(EXPM1_MIN_ARG)), L.c(EXPM1_OVERFLOW)));
  const n = L.let(L.trunc(L.mul(xc, L.c(LOG2E))));
  // |n| ≤ 127 and xc within a factor 2 of n·LN2_HI (or n = 0): the first
  // subtraction is exact.
  const r = L.let(L.sub(L.sub(xc, L.mul(n, L.c(LN2_HI))), L.mul(n, L.c(LN2_LO))));
  const q = L.add(r, L.mul(L.mul(r, r), L.horner(r, EXPM1_POLY)));
  // 2^n from the bits of n + 1.5·2^23 (n is already an integer, so the add is
  // exact): MAGIC_BITS + n, and the << 23 drops MAGIC_BITS as in exp.
  const scale = L.let(L.fromBits(L.iadd(L.shl(L.bits(L.add(n, L.c(EXP_ROUND_MAGIC))), 23), L.ic(ONE_BITS))));
  // 2^n·q is exact; 2^n - 1 is exact for n ≥ -24 and rounds harmlessly beyond
  // (to -1 for n = -25, to 2^n for n ≥ 25, where 1 is below a quarter ulp of
  // the result).
  const y = L.add(L.mul(scale, q), L.sub(scale, L.c(1)));
  const withOverflow = L.select(L.gt(xx, L.c(EXPM1_OVERFLOW)), L.c(Infinity), y);
  // expm1 has the sign of x; ORing it in turns the +0 the sums make of -0 back into -0.
  return L.withSign(withOverflow, L.signBit(xx));
}
