// logistic(x) = 1/(1 + e^-x) for float32 lanes.
//
// With z = exp(-|x|) ≤ 1 (never overflows): logistic(x) = 1/(1+z) for x ≥ 0
// and z/(1+z) for x < 0. The second form keeps relative accuracy for very
// negative x, where the result is tiny (down to subnormal: logistic(-100) is
// 3.8e-44, not 0); the naive 1/(1+e^-x) would overflow e^-x to Inf and give 0.

import { exp } from "./exp.js";
import type { F, Lanes } from "./lanes.js";

export function logistic(L: Lanes, x: F): F {
  const xx = L.let(x);
  // -|x| ≤ 0 (or NaN): exp's upper clamp can be skipped.
  const z = L.let(exp(L, L.neg(L.abs(xx)), { nonPositive: true }));
  const d = L.let(L.add(L.c(1), z));
  return L.select(L.ge(xx, L.c(0)), L.div(L.c(1), d), L.div(z, d));
}
