// The error function erf(x) = 2/√π ∫₀ˣ e^(-t²) dt in float64.
//
// JavaScript has no Math.erf. This is the reference the interpreter and the
// js backend round to float32, so it has to be accurate enough that rounding
// it to float32 is correctly rounded except at rare near-ties: a few float64
// ulp would do; measured, it is within 1 ulp (test/ir/erf.test.ts compares it
// with Python's math.erf, itself within 1 ulp, on a few thousand points).
//
// Five regions of a = |x| (erf is odd, so the sign is put back at the end):
//
// - a < 2^-28: erf(x) = (2/√π)·x·(1 - x²/3 + …) and x²/3 < 2^-57 is below
//   float64's resolution, so erf(x) = x + x·(2/√π - 1), computed on 8x and
//   scaled back so that subnormal x lose no bits to the product. Keeps ±0.
//
// - a < 1/2: the Maclaurin series erf(x) = 2/√π · Σ (-1)ⁿ x^(2n+1)/(n!·(2n+1))
//   in float64 as x + x·(2/√π - 1 + x²·P(x²)), P its coefficients to n = 13
//   (the first term left out is below 1e-21). The correction x·(…) is at most
//   0.08·x, so its rounding errors reach the result divided by about ten and
//   the error is dominated by the final addition's half ulp.
//
// - 1/2 ≤ a < 3: the Taylor expansion around the nearest centre c = j/8
//   (|h| = |a - c| ≤ 1/16, h exact), whose derivatives are Hermite
//   polynomials times erf'(c) = 2/√π·e^(-c²):
//     erf(c + h) = erf(c) + erf'(c)·Σ_{k≥0} (-1)^k H_k(c)·h^(k+1)/(k+1)!
//   with 15 terms (the first left out is below 2^-62). erf(c) is a
//   double-double (hi + lo, about 106 bits), computed once when the module
//   loads by the Maclaurin series in double-double arithmetic: its
//   alternating terms reach 63 at c = 3 where the sum is 0.89, so plain
//   float64 would lose six bits to cancellation there. The
//   correction erf'(c)·Σ is at most 0.07 next to erf(c) ≥ 0.52, so its
//   rounding errors (and erf'(c)'s, from Math.exp) are damped about ten
//   times; the error is dominated by the final addition's half ulp.
//
// - 3 ≤ a < 6: erf = 1 - erfc with erfc(a) = e^(-a²)/(√π·F(a)) and Laplace's
//   continued fraction F(a) = a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + …)))),
//   25 levels evaluated backwards (absolute error of erfc below 1e-19 at
//   a = 3, the worst case, and falling fast with a). erfc(3) = 2.2e-5 is
//   small next to 1, so erfc's own error of a few ulp (from the rounding of
//   a² and the fraction) moves erf by far less than half an ulp: what
//   remains is the rounding of 1 - erfc.
//
// - a ≥ 6: erfc(6) = 2.2e-17 is below half an ulp of 1 (5.6e-17), so erf = ±1.
//
// NaN gives NaN, ±Infinity gives ±1.

/** 2/√π - 1, for the tiny-argument form x + x·(2/√π - 1). */
const TWO_OVER_SQRT_PI_MINUS_1 = 0.1283791670955126;
/** 2/√π as a double-double: hi + lo, lo the float64 nearest to 2/√π - hi. */
const TWO_OVER_SQRT_PI_HI = 1.1283791670955126;
const TWO_OVER_SQRT_PI_LO = 1.533545961316588e-17;
const SQRT_PI = 1.7724538509055159;

/**
 * 2/√π·(-1)ⁿ/(n!·(2n+1)) for n = 1 … 13, rounded to float64: the Maclaurin
 * coefficients of x² in (erf(x) - x)/x beyond the constant 2/√π - 1.
 */
const MACLAURIN: readonly number[] = [
  -0.37612638903183754, 0.11283791670955126, -0.026866170645131252, 0.005223977625442188, -0.0008548327023450853, 0.00012055332981789664,
  -1.492565035840625e-5, 1.6462114365889248e-6, -1.6365844691234924e-7, 1.4807192815879218e-8, -1.2290555301717928e-9, 9.422759064650411e-11,
  -6.7113668551641105e-12,
];

const TINY = 2 ** -28;
const SMALL = 0.5;
const TAYLOR_END = 3;
const ONE_BEYOND = 6;
const CONTINUED_FRACTION_LEVELS = 25;
/**
 * The Maclaurin series (run once per centre, when the module loads) stops
 * once a term is below 2^-100 of the running sum: what is left out is then
 * below the double-double's own rounding.
 */
const SERIES_TOLERANCE = 2 ** -100;
/** Spacing of the Taylor expansions' centres on [1/2, 3]. */
const CENTRE_STEP = 1 / 8;
/** Terms of each Taylor expansion beyond the first: |h| ≤ 1/16, so the next is below 2^-62. */
const TAYLOR_TERMS = 14;

/** Veltkamp's split constant 2^27 + 1: splits a float64 into two 26-bit halves. */
const SPLITTER = 134217729;

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a < TINY) return 0.125 * (8 * x + 8 * TWO_OVER_SQRT_PI_MINUS_1 * x);
  if (a < SMALL) {
    const z = a * a;
    let p = MACLAURIN[MACLAURIN.length - 1]!;
    for (let k = MACLAURIN.length - 2; k >= 0; k--) p = p * z + MACLAURIN[k]!;
    return x + x * (TWO_OVER_SQRT_PI_MINUS_1 + z * p);
  }
  let y: number;
  if (a < TAYLOR_END) y = taylor(a);
  else if (a < ONE_BEYOND) y = 1 - erfcContinuedFraction(a);
  else y = 1;
  return x < 0 ? -y : y;
}

/** erfc(a) for a ≥ 3 by Laplace's continued fraction, to an absolute error below 1e-19. */
function erfcContinuedFraction(a: number): number {
  let f = a;
  for (let k = CONTINUED_FRACTION_LEVELS; k >= 1; k--) f = a + (0.5 * k) / f;
  return Math.exp(-a * a) / (SQRT_PI * f);
}

interface Centre {
  readonly c: number;
  /** erf(c) = erfHi + erfLo. */
  readonly erfHi: number;
  readonly erfLo: number;
  /** erf'(c) = 2/√π·e^(-c²). */
  readonly slope: number;
}

/** The expansion centres c = j/8 for j = 4 … 24. */
const CENTRES: readonly Centre[] = Array.from({ length: (TAYLOR_END - SMALL) / CENTRE_STEP + 1 }, (_, j) => {
  const c = SMALL + j * CENTRE_STEP;
  const [erfHi, erfLo] = maclaurin(c);
  return { c, erfHi, erfLo, slope: TWO_OVER_SQRT_PI_HI * Math.exp(-c * c) };
});

/** erf(a) for 1/2 ≤ a < 3 by the Taylor expansion around the nearest centre. */
function taylor(a: number): number {
  const { c, erfHi, erfLo, slope } = CENTRES[Math.round((a - SMALL) / CENTRE_STEP)]!;
  const h = a - c;
  // Σ (-1)^k H_k(c)·h^(k+1)/(k+1)!, with H_0 = 1, H_1 = 2c, H_(k+1) = 2c·H_k - 2k·H_(k-1).
  let hermitePrev = 1;
  let hermite = 2 * c;
  let power = h;
  let sum = h;
  for (let k = 1; k <= TAYLOR_TERMS; k++) {
    power *= -h / (k + 1);
    sum += hermite * power;
    const next = 2 * c * hermite - 2 * k * hermitePrev;
    hermitePrev = hermite;
    hermite = next;
  }
  return erfHi + (erfLo + slope * sum);
}

/**
 * erf(a) as a double-double [hi, lo] by the Maclaurin series in double-double
 * arithmetic (Dekker's and Knuth's error-free transformations, written out).
 */
function maclaurin(a: number): readonly [number, number] {
  // z = a² exactly, as zHi + zLo (Dekker's product).
  const zHi = a * a;
  const zLo = productError(a, a, zHi);
  // t = a^(2n+1)/n!, starting at n = 0 with t = a; sum = Σ (-1)^n t/(2n+1).
  let tHi = a;
  let tLo = 0;
  let sHi = a;
  let sLo = 0;
  for (let n = 1; ; n++) {
    // t ← t·z (the product of two double-doubles, dropping lo·lo).
    const pHi = tHi * zHi;
    const pLo = productError(tHi, zHi, pHi) + (tHi * zLo + tLo * zHi);
    tHi = pHi + pLo;
    tLo = pLo - (tHi - pHi);
    // t ← t/n, then the term q = t/(2n+1).
    [tHi, tLo] = divideBySmallInteger(tHi, tLo, n);
    const [qHi, qLo] = divideBySmallInteger(tHi, tLo, 2 * n + 1);
    const termHi = n % 2 === 1 ? -qHi : qHi;
    const termLo = n % 2 === 1 ? -qLo : qLo;
    // sum ← sum + term (Knuth's two-sum on the high parts, then renormalise).
    const s = sHi + termHi;
    const bv = s - sHi;
    const err = sHi - (s - bv) + (termHi - bv) + (sLo + termLo);
    sHi = s + err;
    sLo = err - (sHi - s);
    if (Math.abs(qHi) < SERIES_TOLERANCE * sHi) break;
  }
  // erf = (2/√π)·sum
  const rHi = sHi * TWO_OVER_SQRT_PI_HI;
  const rLo = productError(sHi, TWO_OVER_SQRT_PI_HI, rHi) + (sHi * TWO_OVER_SQRT_PI_LO + sLo * TWO_OVER_SQRT_PI_HI);
  const hi = rHi + rLo;
  return [hi, rLo - (hi - rHi)];
}

/** The rounding error of the float64 product p = fl(a·b): a·b = p + error exactly (Dekker, no FMA). */
function productError(a: number, b: number, p: number): number {
  const ca = SPLITTER * a;
  const aHi = ca - (ca - a);
  const aLo = a - aHi;
  const cb = SPLITTER * b;
  const bHi = cb - (cb - b);
  const bLo = b - bHi;
  return aHi * bHi - p + aHi * bLo + aLo * bHi + aLo * bLo;
}

/** (hi + lo)/d for a small positive integer d, as a normalised double-double. */
function divideBySmallInteger(hi: number, lo: number, d: number): readonly [number, number] {
  const q1 = hi / d;
  // remainder (hi + lo) - q1·d, with q1·d exact as p + pErr
  const p = q1 * d;
  const pErr = productError(q1, d, p);
  const q2 = (hi - p - pErr + lo) / d;
  const q = q1 + q2;
  return [q, q2 - (q - q1)];
}
