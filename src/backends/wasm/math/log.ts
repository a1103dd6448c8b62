// Natural logarithm log(x) and log1p(x) = log(1 + x) for float32 lanes.
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
//
// log1p reduces u = 1 + x the same way (u is never subnormal: it is 0 or at
// least 2^-24) and adds the classic correction for the rounding of u:
// c = (1 + x) - u, computed exactly, and log(1 + x) = log(u + c) ≈ log(u) + c/u
// (the error c²/(2u²) is below 2^-49 relative). For tiny x, u = 1 and the
// result is c = x itself. log1p(-1) = -Inf, log1p(x < -1) = NaN, and the sign
// of x is put back so that log1p(-0) = -0.

import { LN2_HI, LN2_LO } from "./exp.js";
import type { F, I, Lanes } from "./lanes.js";

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
  return withSpecials(L, x, logOfReduced(L, L.toFloat(k), ix));
}

export function log1p(L: Lanes, x: F): F {
  const xx = L.let(x);
  const u = L.let(L.add(L.c(1), xx));
  // c = (1 + x) - u exactly (Fast2Sum: subtract the larger operand first).
  const c = L.select(L.gt(xx, L.c(1)), L.sub(L.c(1), L.sub(u, xx)), L.sub(xx, L.sub(u, L.c(1))));
  const ix = L.let(L.isub(L.bits(u), L.ic(SQRT_HALF_BITS)));
  const y = withSpecials(L, u, logOfReduced(L, L.toFloat(L.shrS(ix, 23)), ix, L.div(c, u)));
  return L.withSign(y, L.signBit(xx));
}

/**
 * k·ln2 + log(m) (+ `extra`, a correction summed with the small terms) from
 * `ix` = bits(x) - bits(√½), whose mantissa field re-based on √½ is m, and
 * k as a float; small terms summed first.
 */
function logOfReduced(L: Lanes, k: F, ix: I, extra?: F): F {
  const kf = L.let(k);
  const m = L.fromBits(L.iadd(L.iand(ix, L.ic(0x7fffff)), L.ic(SQRT_HALF_BITS)));
  const f = L.let(L.sub(m, L.c(1)));
  const z = L.let(L.mul(f, f));
  let y = L.mul(L.mul(f, z), L.horner(f, LOG_POLY));
  const kLow = L.mul(kf, L.c(LN2_LO));
  y = L.add(y, extra ? L.add(kLow, extra) : kLow);
  y = L.sub(y, L.mul(L.c(0.5), z));
  return L.add(L.add(f, y), L.mul(kf, L.c(LN2_HI)));
}

/** log's special values for the argument `arg`, selected last: they override whatever the reduction made of them. */
function withSpecials(L: Lanes, arg: F, result: F): F {
  const withInf = L.select(L.eq(arg, L.c(Infinity)), L.c(Infinity), result);
  const withZero = L.select(L.eq(arg, L.c(0)), L.c(-Infinity), withInf);
  return L.select(L.not(L.ge(arg, L.c(0))), L.c(NaN), withZero);
}
