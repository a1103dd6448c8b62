// Fits the polynomial coefficients used by src/backends/wasm/math/ and prints
// them as float32 literals, with the relative error of each fit (in float64
// arithmetic) so the choice of degree is documented by a measurement.
//
// Method: discrete minimax by Lawson's algorithm (iteratively reweighted least
// squares) on 2000 points of the reduced interval, minimising the *relative*
// error of the full approximation (fixed leading terms + fitted terms). The
// coefficients are then rounded to float32 one at a time, lowest order first,
// refitting the remaining ones after each rounding so that the later terms
// absorb the rounding of the earlier ones.
//
// Usage: npx tsx scripts/wasm-math-fit.ts

import { fileURLToPath } from "node:url";
import { erf } from "../src/ir/prims/erf.js";

export interface Problem {
  readonly name: string;
  /** Reduced argument interval. */
  readonly interval: readonly [number, number];
  readonly target: (x: number) => number;
  /** The part of the approximation that is not fitted (e.g. 1 + r for exp). */
  readonly fixed: (x: number) => number;
  /** Powers of x multiplied by the fitted coefficients. */
  readonly powers: readonly number[];
  /**
   * The function each coefficient multiplies, given x and its power; x^power
   * unless set (erf's tail multiplies a polynomial by -e^(-x²)).
   */
  readonly basis?: (x: number, power: number) => number;
}

function basisOf(p: Problem): (x: number, power: number) => number {
  return p.basis ?? ((x, e) => x ** e);
}

/** Least squares min ||A c - b|| by Householder QR (A is n×k, row-major arrays). */
function leastSquares(A: number[][], b: number[]): number[] {
  const n = A.length;
  const k = A[0]!.length;
  const R = A.map((row) => row.slice());
  const y = b.slice();
  for (let j = 0; j < k; j++) {
    let norm = 0;
    for (let i = j; i < n; i++) norm += R[i]![j]! ** 2;
    norm = Math.sqrt(norm);
    const alpha = R[j]![j]! > 0 ? -norm : norm;
    const v = new Array<number>(n).fill(0);
    for (let i = j; i < n; i++) v[i] = R[i]![j]!;
    v[j]! -= alpha;
    let vv = 0;
    for (let i = j; i < n; i++) vv += v[i]! ** 2;
    if (vv === 0) continue;
    for (let c = j; c < k; c++) {
      let dot = 0;
      for (let i = j; i < n; i++) dot += v[i]! * R[i]![c]!;
      const s = (2 * dot) / vv;
      for (let i = j; i < n; i++) R[i]![c]! -= s * v[i]!;
    }
    let dot = 0;
    for (let i = j; i < n; i++) dot += v[i]! * y[i]!;
    const s = (2 * dot) / vv;
    for (let i = j; i < n; i++) y[i]! -= s * v[i]!;
  }
  const c = new Array<number>(k).fill(0);
  for (let j = k - 1; j >= 0; j--) {
    let s = y[j]!;
    for (let m = j + 1; m < k; m++) s -= R[j]![m]! * c[m]!;
    c[j] = s / R[j]![j]!;
  }
  return c;
}

/** Chebyshev-distributed points (denser at the ends, where minimax errors peak). */
function points(a: number, b: number, n: number): number[] {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = (a + b) / 2 + ((b - a) / 2) * Math.cos((Math.PI * (i + 0.5)) / n);
    if (Math.abs(x) > 1e-7) xs.push(x); // relative error is 0/0 at x = 0
  }
  return xs;
}

/** Relative-error minimax fit of the free coefficients, with `fixedCoeffs` already chosen for the lowest powers. */
export function fit(p: Problem, fixedCoeffs: readonly number[]): number[] {
  const xs = points(p.interval[0], p.interval[1], 2000);
  const free = p.powers.slice(fixedCoeffs.length);
  const basis = basisOf(p);
  // Columns scaled to a maximum of about 1, for the conditioning of the least squares.
  const scale = p.basis
    ? free.map((e) => Math.max(...xs.map((x) => Math.abs(basis(x, e)))))
    : free.map((e) => Math.max(Math.abs(p.interval[0]), Math.abs(p.interval[1])) ** e);
  const rows = xs.map((x) => {
    const w = 1 / Math.abs(p.target(x));
    return free.map((e, j) => (w * basis(x, e)) / scale[j]!);
  });
  const rhs = xs.map((x) => {
    let known = p.fixed(x);
    fixedCoeffs.forEach((c, j) => (known += c * basis(x, p.powers[j]!)));
    return (p.target(x) - known) / Math.abs(p.target(x));
  });
  let u = new Array<number>(xs.length).fill(1 / xs.length);
  let c: number[] = [];
  for (let iter = 0; iter < 300; iter++) {
    const s = u.map(Math.sqrt);
    c = leastSquares(
      rows.map((r, i) => r.map((v) => v * s[i]!)),
      rhs.map((v, i) => v * s[i]!),
    );
    const err = rows.map((r, i) => Math.abs(r.reduce((acc, v, j) => acc + v * c[j]!, 0) - rhs[i]!));
    const total = u.reduce((acc, ui, i) => acc + ui * err[i]!, 0);
    u = u.map((ui, i) => (ui * err[i]!) / total);
  }
  return c.map((v, j) => v / scale[j]!);
}

export function maxRelError(p: Problem, coeffs: readonly number[]): number {
  const basis = basisOf(p);
  let worst = 0;
  for (const x of points(p.interval[0], p.interval[1], 20000)) {
    let y = p.fixed(x);
    coeffs.forEach((c, j) => (y += c * basis(x, p.powers[j]!)));
    worst = Math.max(worst, Math.abs(y / p.target(x) - 1));
  }
  return worst;
}

/** Float32 coefficients, rounded lowest order first with refits in between. */
export function fitFloat32(p: Problem): number[] {
  const chosen: number[] = [];
  while (chosen.length < p.powers.length) chosen.push(Math.fround(fit(p, chosen)[0]!));
  return chosen;
}

const LN2 = Math.LN2;
const PIO4 = Math.PI / 4;
// Reduced intervals, widened slightly: the reduction rounds x·(1/ln2),
// x·(2/π) or (for tanh) |x|·2·log2(e) in float32, so r can overshoot the ideal
// bound by a few ulps of that product (at most 2^-10·π/2 for sin/cos
// arguments up to 12868, below 1e-6 for tanh's |x| ≤ 9.011).
export const PROBLEMS: readonly Problem[] = [
  {
    name: "exp: e^r ≈ 1 + r + Σ c_k r^k",
    interval: [-LN2 / 2 - 1e-4, LN2 / 2 + 1e-4],
    target: Math.exp,
    fixed: (r) => 1 + r,
    powers: [2, 3, 4, 5, 6],
  },
  {
    name: "log: log(1+f) ≈ f - f²/2 + Σ c_k f^k",
    interval: [Math.SQRT1_2 - 1, Math.SQRT2 - 1],
    target: Math.log1p,
    fixed: (f) => f - (f * f) / 2,
    powers: [3, 4, 5, 6, 7, 8, 9, 10],
  },
  {
    name: "sin: sin r ≈ r + Σ c_k r^k",
    interval: [0, PIO4 + 1.6e-3],
    target: Math.sin,
    fixed: (r) => r,
    powers: [3, 5, 7],
  },
  {
    name: "cos: cos r ≈ 1 - r²/2 + Σ c_k r^k",
    interval: [0, PIO4 + 1.6e-3],
    target: Math.cos,
    fixed: (r) => 1 - (r * r) / 2,
    powers: [4, 6, 8],
  },
  {
    // trunc instead of nearest: r has the sign of x and |r| < ln2 (plus the overshoot of the rounded x·log2(e) near 88.7)
    name: "expm1: e^r - 1 ≈ r + Σ c_k r^k (|r| ≤ ln2)",
    interval: [-LN2 - 2e-5, LN2 + 2e-5],
    target: Math.expm1,
    fixed: (r) => r,
    powers: [2, 3, 4, 5, 6, 7, 8],
  },
  {
    name: "erf, small: erf(a) ≈ a + Σ c_k a^k",
    interval: [0, 1],
    target: erf,
    fixed: (a) => a,
    powers: [1, 3, 5, 7, 9, 11, 13],
  },
  {
    // fitted for the relative error of erf itself, not of erfc (which only needs to be accurate relative to 1 - erfc)
    name: "erf, tail: erf(a) ≈ 1 - e^(-a²)·Σ c_k (a - 2.5)^k",
    interval: [1, 4],
    target: erf,
    fixed: () => 1,
    powers: [0, 1, 2, 3, 4, 5, 6, 7, 8],
    basis: (a, k) => -Math.exp(-a * a) * (a - 2.5) ** k,
  },
  {
    name: "tanh: tanh v ≈ v + Σ c_k v^k (|v| ≤ ln2/4)",
    interval: [0, LN2 / 4 + 1e-4],
    target: Math.tanh,
    fixed: (v) => v,
    powers: [3, 5, 7],
  },
];

/**
 * The float with the fewest significant bits within `tol` of `c`. tanh reduces
 * by n·ln2/2 with one such constant instead of a hi/lo pair: with b bits,
 * n·constant is exact for |n| < 2^(24-b).
 */
export function shortConstant(c: number, tol: number): { readonly value: number; readonly bits: number } {
  const exponent = Math.floor(Math.log2(Math.abs(c)));
  for (let bits = 1; bits <= 24; bits++) {
    const scale = 2 ** (bits - 1 - exponent);
    const value = Math.round(c * scale) / scale;
    if (Math.abs(value - c) <= tol) return { value, bits };
  }
  throw new Error(`shortConstant: no float32 within ${tol} of ${c}`);
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  for (const p of PROBLEMS) {
    const exact = fit(p, []);
    const f32 = fitFloat32(p);
    console.log(`${p.name}  on [${p.interval.map((v) => v.toPrecision(6)).join(", ")}]`);
    console.log(`  max relative error: float64 coefficients ${maxRelError(p, exact).toExponential(2)}, float32 coefficients ${maxRelError(p, f32).toExponential(2)} (float32 ulp = 5.96e-8)`);
    console.log(`  [${f32.map((c, j) => `${c.toPrecision(9)} /* x^${p.powers[j]} */`).join(", ")}]`);
  }
  // tanh's reduction error n·(constant - ln2/2) reaches the result damped by
  // 4·2^n (at most 2|constant - ln2/2|), so 1e-9 costs < 0.05 ulp.
  const half = shortConstant(LN2 / 2, 1e-9);
  const mantissa = half.value * 2 ** (half.bits - 1 - Math.floor(Math.log2(half.value)));
  console.log(`tanh reduction constant: ln2/2 ≈ ${mantissa}·2^${Math.log2(half.value / mantissa)} (${half.bits} significant bits), error ${Math.abs(half.value - LN2 / 2).toExponential(2)}`);
}
