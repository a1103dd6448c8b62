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

import type { F, Lanes } from "./lanes.js";

export const LOG2E = 1.44269502;
export const LN2_HI = 0.693359375;
export const LN2_LO = -2.12194440e-4;

/** e^r - 1 - r = r²·P(r): coefficients of r^2..r^6. */
export const EXP_POLY = [0.49999994, 0.166665211, 0.0416682586, 0.00836866628, 0.00138211728];

/** Beyond these, float32 exp is 0 (e^-104 < 2^-150) or Inf (e^89 > FLT_MAX); clamping keeps n in range. */
export const EXP_MIN_ARG = -104;
export const EXP_MAX_ARG = 89;

export function exp(L: Lanes, x: F): F {
  // min/max propagate NaN, so a NaN input flows through to a NaN result.
  const xc = L.let(L.min(L.max(x, L.c(EXP_MIN_ARG)), L.c(EXP_MAX_ARG)));
  const n = L.let(L.nearest(L.mul(xc, L.c(LOG2E))));
  const r = L.let(L.sub(L.sub(xc, L.mul(n, L.c(LN2_HI))), L.mul(n, L.c(LN2_LO))));
  const p = L.add(L.c(1), L.add(r, L.mul(L.mul(r, r), L.horner(r, EXP_POLY))));
  const ni = L.let(L.toInt(n));
  const n1 = L.let(L.shrS(ni, 1));
  return L.mul(L.mul(p, L.pow2(n1)), L.pow2(L.isub(ni, n1)));
}
