// tanh for float32 lanes, by the addition formula.
//
// On a = |x|, with e^{-2a} = 2^n·e^{-2v} (the reduction of exp: n =
// nearest(-2a·log2 e), v = a + n·ln2/2, |v| ≤ ln2/4), a = v + u where
// u = -n·ln2/2 and tanh u = (1 - 2^n)/(1 + 2^n). So with A = 1 + 2^n and
// B = 1 - 2^n (exact for n ≥ -23):
//
//   tanh a = (tanh v + tanh u)/(1 + tanh v·tanh u) = (B + A·tanh v)/(A + B·tanh v)
//
// and tanh v = v + v³·T(v²) on |v| ≤ ln2/4, T fitted by
// scripts/wasm-math-fit.ts (relative error 1.7e-10). No exp: 2^n is built
// from the bits of the rounding sum, and one division does the rest.
//
// For a < 0.173 (n = 0): A = 2, B = 0, so the result is exactly tanh v with
// v = a: full relative accuracy near 0 (and tanh(subnormal) = itself).
// For larger a the errors of tanh v are damped by dy/d(tanh v) =
// 4·2^n/(A + B·tanh v)²; the roundings of numerator, denominator (both near 1)
// and quotient remain: at most 2 ulp over all float32 (docs/wasm-math.md).
// For a ≥ 8.49 (n ≤ -25) A and B both round to 1 and the result is exactly 1,
// as it is for tanh(±Inf) after the clamp; NaN propagates through min.
// The sign of x is ORed back in at the end, which keeps tanh(-0) = -0.

import { EXP_ROUND_MAGIC, LOG2E } from "./exp.js";
import type { F, Lanes } from "./lanes.js";

/** (tanh v - v)/v³ as a polynomial in v²: coefficients of v^3, v^5, v^7. */
export const TANH_POLY = [-0.333333224, 0.133311421, -0.0527152084];

/**
 * |x| is clamped here: the smallest float32 whose tanh rounds to 1. Any clamp
 * in [8.5, 2^20] gives the same results (n ≤ -25 already gives exactly 1);
 * it only keeps a·TANH_SCALE inside the range of the rounding trick (|y| < 2^22).
 */
export const TANH_CLAMP = 9.010913848876953;

/** -2·log2 e: n = nearest(a·TANH_SCALE). */
const TANH_SCALE = -2 * LOG2E;
/**
 * ln2/2 to 21 bits, 1453635·2^-22: it happens to be within 9.5e-10 of ln2/2,
 * so one constant does what needs two (hi/lo) in exp. n·HALF_LN2 is exact for
 * |n| < 8 and a + n·HALF_LN2 is then exact (both are multiples of ulp(a) or
 * 2^-22 and the sum is below 0.18); for |n| ≥ 8 the product rounds, but there
 * the error of v is damped by 4·2^n ≤ 2^-6 in the result.
 */
export const HALF_LN2 = 1453635 / 2 ** 22;
/** The bits of 1.0: adding them to n << 23 builds 2^n. */
const ONE_BITS = 0x3f800000;

export function tanh(L: Lanes, x: F): F {
  const xx = L.let(x);
  const a = L.let(L.min(L.abs(xx), L.c(TANH_CLAMP)));
  // t = a·(-2 log2 e) + 1.5·2^23 rounds to the nearest integer n (see exp.ts);
  // its bits are 0x4b400000 + n, and the << 23 drops 0x4b400000 (a multiple of 2^9).
  const t = L.let(L.add(L.mul(a, L.c(TANH_SCALE)), L.c(EXP_ROUND_MAGIC)));
  const n = L.sub(t, L.c(EXP_ROUND_MAGIC));
  const p = L.let(L.fromBits(L.iadd(L.shl(L.bits(t), 23), L.ic(ONE_BITS)))); // 2^n, n in [-26, 0]
  const v = L.let(L.add(a, L.mul(n, L.c(HALF_LN2))));
  const w = L.let(L.mul(v, v));
  const tv = L.let(L.add(v, L.mul(L.mul(v, w), L.horner(w, TANH_POLY))));
  const A = L.let(L.add(L.c(1), p));
  const B = L.let(L.sub(L.c(1), p));
  const y = L.div(L.add(L.mul(A, tv), B), L.add(L.mul(B, tv), A));
  return L.withSign(y, L.signBit(xx));
}
