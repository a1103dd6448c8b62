// Natural logarithm for float32 lanes.
//
// frexp-style reduction on the bit pattern: x = 2^k·m with m in [√½, √2),
// found by subtracting the bits of √½ so that the exponent field of the
// difference is k and its mantissa field, re-based on √½, is m. Subnormal
// inputs are first scaled by 2^23 (exact). With f = m - 1 (exact):
//   log(x) = k·ln2 + f - f²/2 + f³·P(f)
// P of degree 7 fitted by scripts/wasm-math-fit.ts (relative error 5.8e-9 on
// [√½-1, √2-1]); ln2 is split into LN2_HI + LN2_LO (exp.ts) so that k·LN2_HI
// is exact and the small terms are summed first.
// Special values: log(±0) = -Inf, log(x<0) = NaN, log(NaN) = NaN, log(Inf) = Inf.

import { LN2_HI, LN2_LO } from "./exp.js";
import type { F, Lanes } from "./lanes.js";

/** log(1+f) - f + f²/2 = f³·P(f): coefficients of f^3..f^10. */
export const LOG_POLY = [0.333333313, -0.250008196, 0.200012416, -0.166234091, 0.1420158, -0.131596103, 0.127622172, -0.0763643906];

const SQRT_HALF_BITS = 0x3f3504f3;
const MIN_NORMAL = 1.17549435e-38;
const TWO_POW_23 = 8388608;

export function log(L: Lanes, x: F): F {
  const subnormal = L.let(L.lt(x, L.c(MIN_NORMAL)));
  const xs = L.select(subnormal, L.mul(x, L.c(TWO_POW_23)), x);
  const ix = L.let(L.isub(L.bits(xs), L.ic(SQRT_HALF_BITS)));
  const k = L.isub(L.shrS(ix, 23), L.select(subnormal, L.ic(23), L.ic(0)));
  const kf = L.let(L.toFloat(k));
  const m = L.fromBits(L.iadd(L.iand(ix, L.ic(0x7fffff)), L.ic(SQRT_HALF_BITS)));
  const f = L.let(L.sub(m, L.c(1)));
  const z = L.let(L.mul(f, f));
  let y = L.mul(L.mul(f, z), L.horner(f, LOG_POLY));
  y = L.add(y, L.mul(kf, L.c(LN2_LO)));
  y = L.sub(y, L.mul(L.c(0.5), z));
  const result = L.add(L.add(f, y), L.mul(kf, L.c(LN2_HI)));
  // Special values last: they override whatever the reduction made of them.
  const withInf = L.select(L.eq(x, L.c(Infinity)), L.c(Infinity), result);
  const withZero = L.select(L.eq(x, L.c(0)), L.c(-Infinity), withInf);
  return L.select(L.not(L.ge(x, L.c(0))), L.c(NaN), withZero);
}
