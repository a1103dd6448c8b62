// exp(x) for float32 lanes.
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
