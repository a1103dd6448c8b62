// tanh for float32 lanes.
//
// |x| < 0.625: tanh x = x + x³·T(x²), T fitted by scripts/wasm-math-fit.ts
// (relative error 4.5e-9); this keeps full relative accuracy near 0, where
// the exp form would cancel.
// |x| ≥ 0.625: with e = exp(-2|x|) ≤ 0.287, tanh|x| = (1 - e)/(1 + e).
// Both are computed on |x| and the sign of x is put back. For large |x|, e underflows to 0 and the result
// saturates at exactly ±1 (tanh(±Inf) = ±1); NaN propagates through exp.

import { exp } from "./exp.js";
import type { F, Lanes } from "./lanes.js";

/** (tanh x - x)/x³ as a polynomial in x²: coefficients of x^3..x^11. */
export const TANH_POLY = [-0.333332807, 0.133314058, -0.0537365153, 0.0206281673, -0.0056922962];
export const TANH_POLY_LIMIT = 0.625;

export function tanh(L: Lanes, x: F): F {
  // tanh is odd: compute tanh|x| ≥ 0 and OR the sign of x back in, which
  // also keeps tanh(-0) = -0 (the polynomial on x itself would give +0).
  const xx = L.let(x);
  const a = L.let(L.abs(xx));
  const z = L.let(L.mul(a, a));
  const small = L.add(a, L.mul(L.mul(a, z), L.horner(z, TANH_POLY)));
  // -2|x| ≤ 0 (or NaN): exp's upper clamp can be skipped.
  const e = L.let(exp(L, L.mul(a, L.c(-2)), { nonPositive: true }));
  const large = L.div(L.sub(L.c(1), e), L.add(L.c(1), e));
  return L.withSign(L.select(L.lt(a, L.c(TANH_POLY_LIMIT)), small, large), L.signBit(xx));
}
