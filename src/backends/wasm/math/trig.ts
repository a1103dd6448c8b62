// sin and cos for float32 lanes.
//
// Quadrant reduction of a = |x|: q = nearest(a·2/π), r = a - q·π/2 with π/2
// split into five float32 pieces (PIO2_1..PIO2_5). The first four have 11
// significant bits, so q·PIO2_i is exact for q < 2^13 and each subtraction is
// exact whenever r is small (Sterbenz), which is where it matters: the
// nearest float32 to a multiple of π/2 below 12867 is 2^-27.8 away from it
// (x = 252.898), and the five pieces carry π/2 to 2^-78. Measured over every
// float32 in [0.5, 12868], the reduced r is within 1.003 ulp of the exact one.
// Valid range: |x| < 12867 (q ≤ 8191). Beyond it the products round and the
// error grows with |x|; r is clamped so the result stays finite in [-1, 1].
//
// On r in [-π/4, π/4] (plus the overshoot from rounding a·2/π):
//   sin r = r + r³·S(r²),  cos r = 1 - r²/2 + r⁴·C(r²)
// fitted by scripts/wasm-math-fit.ts (relative errors 4.2e-9 and 1.2e-10).
// sin(a) is ±sin r or ±cos r by q mod 4; sin is odd, so sin(x) gets the sign
// of x (which also gives sin(-0) = -0); cos(x) = cos(a) = sin(a + π/2), the
// same selection with q + 1.

import type { F, I, Lanes } from "./lanes.js";

export const TWO_OVER_PI = 0.636619747;
export const PIO2_1 = 1.5703125;
export const PIO2_2 = 0.0004837512969970703;
export const PIO2_3 = 7.549533620476723e-8;
export const PIO2_4 = 2.5632829192545614e-12;
export const PIO2_5 = 6.123234262925839e-17;

/** (sin r - r)/r³ as a polynomial in r²: coefficients of r^3, r^5, r^7. */
export const SIN_POLY = [-0.166666538, 0.00833210628, -0.000195078464];
/** (cos r - 1 + r²/2)/r⁴ as a polynomial in r²: coefficients of r^4, r^6, r^8. */
export const COS_POLY = [0.0416666456, -0.00138873083, 0.0000244321018];

/** Largest |x| for which the reduction is exact enough (q ≤ 8191). */
export const TRIG_MAX_ARG = 12867;

interface Reduced {
  readonly q: I;
  readonly sinR: F;
  readonly cosR: F;
}

function reduce(L: Lanes, absX: F): Reduced {
  const a = L.let(absX);
  const qf = L.let(L.nearest(L.mul(a, L.c(TWO_OVER_PI))));
  let r = a;
  for (const piece of [PIO2_1, PIO2_2, PIO2_3, PIO2_4, PIO2_5]) r = L.sub(r, L.mul(qf, L.c(piece)));
  // In range |r| ≤ 0.787; beyond TRIG_MAX_ARG the products round and r can be
  // anything, so clamp it to keep the polynomials bounded (result in [-1, 1],
  // never NaN for finite x).
  const rr = L.let(L.min(L.max(r, L.c(-1)), L.c(1)));
  const z = L.let(L.mul(rr, rr));
  const sinR = L.let(L.add(rr, L.mul(L.mul(rr, z), L.horner(z, SIN_POLY))));
  const cosR = L.let(L.add(L.c(1), L.sub(L.mul(L.mul(z, z), L.horner(z, COS_POLY)), L.mul(L.c(0.5), z))));
  return { q: L.toInt(qf), sinR, cosR };
}

/** sin(a + quadrant·π/2) from the polynomials; `extraSign` is XORed into the sign bit. */
function quadrant(L: Lanes, q: I, red: Reduced, extraSign: I | undefined): F {
  const qq = L.let(q);
  const odd = L.ieq(L.iand(qq, L.ic(1)), L.ic(1));
  const base = L.select(odd, red.cosR, red.sinR);
  let sign = L.shl(L.iand(qq, L.ic(2)), 30);
  if (extraSign) sign = L.ixor(sign, extraSign);
  return L.fromBits(L.ixor(L.bits(base), sign));
}

export function sin(L: Lanes, x: F): F {
  const xx = L.let(x);
  const red = reduce(L, L.abs(xx));
  return quadrant(L, red.q, red, L.signBit(xx));
}

export function cos(L: Lanes, x: F): F {
  const red = reduce(L, L.abs(x));
  return quadrant(L, L.iadd(red.q, L.ic(1)), red, undefined);
}
