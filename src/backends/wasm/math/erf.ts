// The error function erf(x) for float32 lanes.
//
// erf is odd: computed on a = |x| (clamped to ERF_CLAMP, beyond which float32
// erf is ±1) with the sign of x ORed back in, which keeps erf(-0) = -0.
// Two forms, both evaluated in every lane and one selected:
//
// - a < 1: erf(a) = a + a·S(a²), S of degree 6 fitted by
//   scripts/wasm-math-fit.ts (relative error of erf 1.4e-9). The correction
//   a·S is at most 0.16·a, so its roundings reach the result shrunk; tiny and
//   subnormal a come out as a + a·(2/√π - 1) rounded, within an ulp.
//
// - 1 ≤ a ≤ 4: erf(a) = 1 - e^(-a²)·T(a - 5/2), with T ≈ e^(a²)·erfc(a) a
//   smooth, slowly varying function (0.43 down to 0.14) of degree 8, fitted
//   for the relative error of erf itself (2.5e-9). erfc ≤ 0.16 here, so its
//   relative error (the rounding of a², exp's ulp, T's evaluation) reaches
//   erf shrunk at least six times; the last subtraction rounds once.
//
// NaN propagates (min keeps it, and the tail's exp returns it).

import { exp } from "./exp.js";
import type { F, Lanes } from "./lanes.js";

/** (erf(a) - a)/a as a polynomial in a² on [0, 1]: coefficients of a^1, a^3, …, a^13 in erf. */
export const ERF_SMALL_POLY = [0.128379166, -0.37612626, 0.112835787, -0.0268533472, 0.0051871622, -0.00079978531, 0.0000780690316];

/** e^(a²)·erfc(a) as a polynomial in a - ERF_TAIL_CENTRE on [1, 4]. */
export const ERF_TAIL_POLY = [
  0.210807651, -0.0743423477, 0.0249122642, -0.00813753065, 0.00230186153, -0.000650468981, 0.00055732124, 0.000232243488, 0.000108191307,
];

/** The midpoint of the tail interval [1, 4]: T's variable is a - ERF_TAIL_CENTRE. */
export const ERF_TAIL_CENTRE = 2.5;

/** Below this the small-argument polynomial, from it the tail form. */
export const ERF_SWITCH = 1;

/**
 * |x| is clamped here. float32 erf rounds to 1 from 3.9192059 on (erfc there
 * is 2^-25); erfc(4) = 1.5e-8, so every a in [3.92, 4] gives exactly 1.
 */
export const ERF_CLAMP = 4;

export function erf(L: Lanes, x: F): F {
  const xx = L.let(x);
  const a = L.let(L.min(L.abs(xx), L.c(ERF_CLAMP)));
  const z = L.let(L.mul(a, a));
  const small = L.add(a, L.mul(a, L.horner(z, ERF_SMALL_POLY)));
  // -a² ≤ 0 (or NaN): exp's upper clamp can be skipped.
  const e = exp(L, L.neg(z), { nonPositive: true });
  const t = L.let(L.sub(a, L.c(ERF_TAIL_CENTRE)));
  const tail = L.sub(L.c(1), L.mul(e, L.horner(t, ERF_TAIL_POLY)));
  const y = L.select(L.lt(a, L.c(ERF_SWITCH)), small, tail);
  return L.withSign(y, L.signBit(xx));
}
