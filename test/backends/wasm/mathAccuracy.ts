// Accuracy measurement of the wasm float32 transcendentals against float64
// Math (and, for erf, tsjax's float64 erf) rounded to float32, in ulps (the distance between the two float32
// values in the ordered sequence of floats).
//
// Each function gets a deterministic set of points (seeded PRNG): uniform
// over its tested range, log-uniform magnitudes (random float32 bit patterns,
// so every binade is sampled equally), dense sets near 0, near the
// range-reduction boundaries and thresholds, and special values. A tiny wasm
// module per function (built with our encoder) maps the SIMD kernel over the
// buffer.
//
// CLI (prints the tables used in docs/wasm-math.md):
//   npx tsx test/backends/wasm/mathAccuracy.ts [pointsPerFunction]
//   npx tsx test/backends/wasm/mathAccuracy.ts --exhaustive [fn...]   (every float32; minutes per function)

import { fileURLToPath } from "node:url";
import { ModuleBuilder, PAGE_BYTES } from "../../../src/backends/wasm/index.js";
import { MATH_FNS, MATH_GENERATORS } from "../../../src/backends/wasm/math/index.js";
import type { MathFn } from "../../../src/backends/wasm/math/index.js";
import { ERF_CLAMP, ERF_SWITCH } from "../../../src/backends/wasm/math/erf.js";
import { EXPM1_MIN_ARG, EXPM1_OVERFLOW } from "../../../src/backends/wasm/math/exp.js";
import { addMapKernel } from "../../../src/backends/wasm/math/mapKernel.js";
import { TANH_CLAMP } from "../../../src/backends/wasm/math/tanh.js";
import { TRIG_MAX_ARG } from "../../../src/backends/wasm/math/trig.js";
import { erf } from "../../../src/ir/prims/erf.js";
import { mulberry32 } from "../../helpers/random.js";

const fround = Math.fround;

/** Float64 references, rounded to float32 by the caller. */
export const REFERENCE: { readonly [K in MathFn]: (x: number) => number } = {
  exp: Math.exp,
  log: Math.log,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  // exp(x)/(1+exp(x)) for x < 0 keeps tiny results exact in float64.
  logistic: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  expm1: Math.expm1,
  log1p: Math.log1p,
  // within 1 float64 ulp (test/ir/erf.test.ts)
  erf,
};

// ---- float32 helpers --------------------------------------------------------

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const i32 = new Int32Array(f32.buffer);

function bitsOf(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

function fromBits(b: number): number {
  u32[0] = b >>> 0;
  return f32[0]!;
}

/** Position of a float32 in the ordered sequence of floats (±0 both map to 0). */
function ordinal(x: number): number {
  f32[0] = x;
  const b = i32[0]!;
  return b >= 0 ? b : -(b & 0x7fffffff);
}

/** Distance in ulps between two float32 values; NaN matches only NaN. */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  return Math.abs(ordinal(a) - ordinal(b));
}

/** The float32 `k` steps above x in the ordered sequence (k may be negative). */
function stepUlps(x: number, k: number): number {
  const o = ordinal(fround(x)) + k;
  return fromBits(o >= 0 ? o : (-o | 0x80000000) >>> 0);
}

// ---- point sets -------------------------------------------------------------

/** mulberry32: small, seeded, good enough to spread test points. */
const prng = mulberry32;

class Points {
  readonly xs: number[] = [];
  constructor(readonly rand: () => number) {}

  add(x: number): void {
    this.xs.push(fround(x));
  }

  uniform(a: number, b: number, count: number): void {
    for (let i = 0; i < count; i++) this.add(a + (b - a) * this.rand());
  }

  /** Magnitudes log-uniform in [lo, hi] (uniform over float32 bit patterns), random sign if `signed`. */
  logUniform(lo: number, hi: number, count: number, signed: boolean): void {
    const a = bitsOf(lo);
    const b = bitsOf(hi);
    for (let i = 0; i < count; i++) {
      const x = fromBits(a + Math.floor((b - a + 1) * this.rand()));
      this.add(signed && this.rand() < 0.5 ? -x : x);
    }
  }

  /** Every float32 within ±`ulps` of each centre. */
  around(centres: Iterable<number>, ulps: number): void {
    for (const c of centres) for (let k = -ulps; k <= ulps; k++) this.add(stepUlps(c, k));
  }

  fillUniform(a: number, b: number, total: number): void {
    if (this.xs.length < total) this.uniform(a, b, total - this.xs.length);
  }
}

function* range(from: number, to: number, f: (k: number) => number): Iterable<number> {
  for (let k = from; k <= to; k++) yield f(k);
}

const SPECIALS = [0, -0, Infinity, -Infinity, NaN, 1.4e-45, -1.4e-45, 1.17549435e-38, 3.4028235e38, -3.4028235e38, 1, -1];

/** sin/cos are accurate for |x| ≤ TRIG_MAX_ARG only; the others over all floats. */
export function inTestedRange(fn: MathFn, x: number): boolean {
  return fn === "sin" || fn === "cos" ? !Number.isFinite(x) || Math.abs(x) <= TRIG_MAX_ARG : true;
}

/** The test points for `fn`: at least `count`, deterministic. */
export function accuracyPoints(fn: MathFn, count: number): Float32Array {
  const p = new Points(prng(0x5eed + MATH_FNS.indexOf(fn)));
  for (const s of SPECIALS) if (inTestedRange(fn, s)) p.add(s);
  const part = (share: number) => Math.floor(count * share);
  switch (fn) {
    case "exp":
      p.uniform(-104, 89, part(0.3));
      p.logUniform(1e-30, 104, part(0.3), true);
      p.uniform(-1e-3, 1e-3, part(0.05));
      // n = nearest(x/ln2) switches at (k + 1/2)·ln2
      p.around(range(-150, 128, (k) => (k + 0.5) * Math.LN2), 64);
      // overflow (ln FLT_MAX), subnormal and zero thresholds
      p.around([88.7228394, -87.3365479, -103.972084, -103.278931], 2000);
      p.fillUniform(-10, 10, count);
      break;
    case "log":
      p.logUniform(1.4e-45, 3.4028235e38, part(0.35), false);
      p.logUniform(1.4e-45, 1.17549435e-38, part(0.05), false);
      p.uniform(0.5, 2, part(0.2));
      p.logUniform(1e-8, 0.1, part(0.1), false);
      for (let i = 0; i < part(0.1); i++) p.add(1 - p.xs[p.xs.length - 1]! * 1e-3);
      // the reduction switches k at √2·2^k
      p.around(range(-149, 127, (k) => Math.SQRT2 * 2 ** k), 64);
      p.fillUniform(0, 100, count);
      break;
    case "sin":
    case "cos": {
      p.uniform(-TRIG_MAX_ARG, TRIG_MAX_ARG, part(0.2));
      p.logUniform(1e-30, TRIG_MAX_ARG, part(0.25), true);
      p.uniform(-4, 4, part(0.1));
      // zeros of sin/cos (cancellation in the reduction) and quadrant switches
      const maxQ = Math.floor(TRIG_MAX_ARG / (Math.PI / 2));
      p.around(range(-maxQ, maxQ, (k) => (k * Math.PI) / 2), 10);
      p.around(range(0, maxQ, (k) => ((k + 0.5) * Math.PI) / 2), 6);
      // the float32s closest to a multiple of π/2 (worst cancellation) up to 12867
      p.around([252.89820861816406, 505.7964172363281, 1011.5928344726562, 4.71238899230957, 8953.5390625], 3);
      p.fillUniform(-100, 100, count);
      break;
    }
    case "tanh":
      p.uniform(-10, 10, part(0.3));
      p.logUniform(1e-30, 50, part(0.3), true);
      p.uniform(-0.01, 0.01, part(0.1));
      // n = nearest(-2|x|·log2 e) switches at |x| = (k + 1/2)·ln2/2, up to the clamp
      p.around(range(0, 25, (k) => (k + 0.5) * (Math.LN2 / 2)), 1000);
      p.around(range(0, 25, (k) => -(k + 0.5) * (Math.LN2 / 2)), 1000);
      p.around([TANH_CLAMP, -TANH_CLAMP], 1000);
      p.uniform(-11, -8, part(0.05));
      p.uniform(8, 11, part(0.05));
      p.fillUniform(-2, 2, count);
      break;
    case "logistic":
      p.uniform(-110, 110, part(0.3));
      p.logUniform(1e-30, 110, part(0.3), true);
      p.uniform(-1, 1, part(0.15));
      p.uniform(-105, -80, part(0.1));
      p.fillUniform(-20, 20, count);
      break;
    case "expm1":
      p.uniform(-20, 89, part(0.2));
      p.logUniform(1e-30, 89, part(0.3), true);
      p.uniform(-1e-3, 1e-3, part(0.05));
      p.uniform(-0.8, 0.8, part(0.1));
      // n = trunc(x/ln2) switches at k·ln2
      p.around(range(-26, 128, (k) => k * Math.LN2), 64);
      // overflow, the clamp, and where the result starts to round to -1 (e^x = 2^-25)
      p.around([EXPM1_OVERFLOW, -EXPM1_MIN_ARG, EXPM1_MIN_ARG, -25 * Math.LN2], 2000);
      p.fillUniform(-10, 10, count);
      break;
    case "log1p":
      p.logUniform(1.4e-45, 3.4028235e38, part(0.3), false);
      // x in (-1, 0), every binade of |x|, and just above -1
      for (let i = 0; i < part(0.15); i++) p.add(-fromBits(Math.floor(bitsOf(1) * p.rand())));
      p.uniform(-1, -0.99, part(0.05));
      p.around([-1], 2000);
      p.uniform(-1e-3, 1e-3, part(0.05));
      // the reduction of u = 1 + x switches k at √2·2^k; the exact correction switches form at x = 1
      p.around(range(-24, 127, (k) => Math.SQRT2 * 2 ** k - 1), 64);
      p.around([1], 1000);
      p.uniform(-1, 10, part(0.1));
      p.fillUniform(-0.5, 2, count);
      break;
    case "erf":
      p.uniform(-5, 5, part(0.3));
      p.logUniform(1e-30, 10, part(0.2), true);
      p.uniform(-1e-3, 1e-3, part(0.05));
      p.uniform(0.5, 4, part(0.2));
      // the switch between the forms, where float32 erf reaches 1 (erfc = 2^-25), the clamp
      p.around([ERF_SWITCH, -ERF_SWITCH, 3.9192059, -3.9192059, ERF_CLAMP, -ERF_CLAMP], 2000);
      p.fillUniform(-4.5, 4.5, count);
      break;
  }
  return Float32Array.from(p.xs);
}

// ---- running the kernels ----------------------------------------------------

export interface Kernels {
  /** SIMD body plus scalar tail. */
  simd(xs: Float32Array): Float32Array;
  /** Scalar path for every element. */
  scalar(xs: Float32Array): Float32Array;
  readonly moduleBytes: number;
}

/** Compiles a module with both map kernels for `fn`, with memory for `capacity` elements in and out. */
export function compileKernels(fn: MathFn, capacity: number): Kernels {
  const m = new ModuleBuilder();
  const pages = Math.ceil((8 * capacity + 16) / PAGE_BYTES);
  m.addMemory({ min: pages }, { export: "memory" });
  addMapKernel(m, `${fn}_simd`, MATH_GENERATORS[fn], { simd: true, export: "simd" });
  addMapKernel(m, `${fn}_scalar`, MATH_GENERATORS[fn], { simd: false, export: "scalar" });
  const bytes = m.encode();
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>));
  const memory = instance.exports.memory as WebAssembly.Memory;
  const run = (name: "simd" | "scalar") => (xs: Float32Array) => {
    if (xs.length > capacity) throw new Error(`compileKernels: ${xs.length} points exceed capacity ${capacity}`);
    const heap = new Float32Array(memory.buffer);
    heap.set(xs, 0);
    (instance.exports[name] as (src: number, dst: number, n: number) => void)(0, 4 * capacity, xs.length);
    return heap.slice(capacity, capacity + xs.length);
  };
  return { simd: run("simd"), scalar: run("scalar"), moduleBytes: bytes.length };
}

export interface Accuracy {
  readonly fn: MathFn;
  readonly points: number;
  readonly maxUlp: number;
  /** Where the maximum error occurs (first such point). */
  readonly worst: { readonly x: number; readonly got: number; readonly expected: number };
  /** Number of points with error 0, 1, 2, ≥3 ulps. */
  readonly histogram: readonly number[];
}

export function measure(fn: MathFn, xs: Float32Array, got: Float32Array): Accuracy {
  const ref = REFERENCE[fn];
  let maxUlp = -1;
  let worst = { x: NaN, got: NaN, expected: NaN };
  const hist = [0, 0, 0, 0];
  for (let i = 0; i < xs.length; i++) {
    const expected = fround(ref(xs[i]!));
    const e = ulpDistance(got[i]!, expected);
    hist[Math.min(e, 3)]!++;
    if (e > maxUlp) {
      maxUlp = e;
      worst = { x: xs[i]!, got: got[i]!, expected };
    }
  }
  return { fn, points: xs.length, maxUlp, worst, histogram: hist };
}

export function measureAll(count: number): Accuracy[] {
  return MATH_FNS.map((fn) => {
    const xs = accuracyPoints(fn, count);
    return measure(fn, xs, compileKernels(fn, xs.length).simd(xs));
  });
}

/**
 * Every float32 input (both signs, all 2^32 bit patterns; for sin/cos those
 * with |x| ≤ TRIG_MAX_ARG), in chunks. Takes minutes per function: CLI only.
 */
export function measureExhaustive(fn: MathFn): Accuracy {
  const CHUNK = 1 << 22;
  const kernels = compileKernels(fn, CHUNK);
  const xs = new Float32Array(CHUNK);
  const bits = new Uint32Array(xs.buffer);
  let total = 0;
  let maxUlp = -1;
  let worst = { x: NaN, got: NaN, expected: NaN };
  const histogram = [0, 0, 0, 0];
  for (let start = 0; start < 2 ** 32; start += CHUNK) {
    for (let i = 0; i < CHUNK; i++) bits[i] = start + i;
    let n = CHUNK;
    if (fn === "sin" || fn === "cos") {
      n = 0;
      for (let i = 0; i < CHUNK; i++) if (inTestedRange(fn, xs[i]!)) xs[n++] = xs[i]!;
      if (n === 0) continue;
    }
    const chunk = xs.subarray(0, n);
    const r = measure(fn, chunk, kernels.simd(chunk));
    total += n;
    r.histogram.forEach((h, k) => (histogram[k]! += h));
    if (r.maxUlp > maxUlp) ({ maxUlp, worst } = r);
  }
  return { fn, points: total, maxUlp, worst, histogram };
}

export function formatTable(results: readonly Accuracy[]): string {
  const rows = results.map((r) => {
    const pct = r.histogram.join(" / ");
    return `| ${r.fn} | ${r.points} | ${r.maxUlp} | x = ${r.worst.x} (got ${r.worst.got}, expected ${r.worst.expected}) | ${pct} |`;
  });
  return ["| function | points | max ulp | worst case | points at 0 / 1 / 2 / ≥3 ulp |", "|---|---|---|---|---|", ...rows].join("\n");
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  if (process.argv[2] === "--exhaustive") {
    const fns = process.argv.length > 3 ? (process.argv.slice(3) as MathFn[]) : MATH_FNS;
    console.log(formatTable(fns.map(measureExhaustive)));
  } else {
    const count = Number(process.argv[2] ?? 1_000_000);
    console.log(formatTable(measureAll(count)));
  }
}
