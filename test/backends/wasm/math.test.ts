// The vectorised float32 transcendentals: max error within each function's
// bound (MAX_ULP) against float64 Math (tsjax's float64 erf for erf) rounded to
// float32 over ≥ 10^6 points per function, special values as Math gives them,
// and the scalar tail bit-identical to the SIMD lanes.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ModuleBuilder } from "../../../src/backends/wasm/index.js";
import { emitMath, MATH_FNS, MATH_GENERATORS, mathFunction } from "../../../src/backends/wasm/math/index.js";
import type { MathFn } from "../../../src/backends/wasm/math/index.js";
import { addMapKernel } from "../../../src/backends/wasm/math/mapKernel.js";
import { erf as erf64 } from "../../../src/ir/prims/erf.js";
import { ERF_CLAMP } from "../../../src/backends/wasm/math/erf.js";
import { EXPM1_MIN_ARG, EXPM1_OVERFLOW } from "../../../src/backends/wasm/math/exp.js";
import { HALF_LN2, TANH_CLAMP } from "../../../src/backends/wasm/math/tanh.js";
import { TRIG_MAX_ARG } from "../../../src/backends/wasm/math/trig.js";
import { instantiate } from "./helpers.js";
import { accuracyPoints, compileKernels, formatTable, measure, REFERENCE, ulpDistance } from "./mathAccuracy.js";
import type { Accuracy } from "./mathAccuracy.js";

const POINTS = 1_000_000;
/** The asserted bound per function: 4 for the first six, 2 for those added with issue 12's log1p/expm1/erf. */
const MAX_ULP: { readonly [K in MathFn]: number } = { exp: 4, log: 4, sin: 4, cos: 4, tanh: 4, logistic: 4, expm1: 2, log1p: 2, erf: 2 };

/** Bitwise equality of two float32 arrays, any NaN equal to any NaN; returns the first mismatch index or -1. */
function firstMismatch(a: Float32Array, b: Float32Array): number {
  const ia = new Int32Array(a.buffer, a.byteOffset, a.length);
  const ib = new Int32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ia[i] !== ib[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return i;
  }
  return -1;
}

interface Run {
  readonly xs: Float32Array;
  readonly simd: Float32Array;
  readonly scalar: (xs: Float32Array) => Float32Array;
  readonly accuracy: Accuracy;
}

const runs = new Map<MathFn, Run>();

/** The SIMD kernel over the accuracy points, computed once per function. */
function run(fn: MathFn): Run {
  let r = runs.get(fn);
  if (!r) {
    const xs = accuracyPoints(fn, POINTS);
    const kernels = compileKernels(fn, xs.length);
    const simd = kernels.simd(xs);
    r = { xs, simd, scalar: kernels.scalar, accuracy: measure(fn, xs, simd) };
    runs.set(fn, r);
  }
  return r;
}

describe.each(MATH_FNS.map((fn) => ({ fn })))("$fn", ({ fn }) => {
  it(`max error ≤ ${MAX_ULP[fn]} ulp over ≥ 10^6 points`, () => {
    const { xs, accuracy: acc } = run(fn);
    expect(xs.length).toBeGreaterThanOrEqual(POINTS);
    expect(acc.maxUlp, `worst at x=${acc.worst.x}: got ${acc.worst.got}, expected ${acc.worst.expected}`).toBeLessThanOrEqual(MAX_ULP[fn]);
  });

  it("the scalar path computes exactly what the SIMD lanes compute", () => {
    const { xs, simd } = run(fn);
    const scalar = run(fn).scalar(xs);
    const i = firstMismatch(simd, scalar);
    expect(i, i < 0 ? "" : `x=${xs[i]}: simd ${simd[i]}, scalar ${scalar[i]}`).toBe(-1);
  });

  it("lengths that are not a multiple of 4 go through the tail, and nothing past n is written", () => {
    const few = Float32Array.from([0.5, -1.25, 3, 0.001, 7.5, -0.75, 2]);
    const m = new ModuleBuilder();
    m.addMemory({ min: 1 }, { export: "memory" });
    addMapKernel(m, "map", MATH_GENERATORS[fn], { export: "map" });
    const inst = instantiate(m);
    const heap = new Float32Array((inst.exports.memory as WebAssembly.Memory).buffer);
    const run = inst.exports.map as (src: number, dst: number, n: number) => void;
    for (const n of [0, 1, 3, 5, 7]) {
      heap.fill(-99, 0, 64);
      heap.set(few, 0);
      run(0, 4 * 32, n);
      for (let i = 0; i < n; i++) expect(ulpDistance(heap[32 + i]!, Math.fround(REFERENCE[fn](few[i]!)))).toBeLessThanOrEqual(MAX_ULP[fn]);
      expect(heap[32 + n]).toBe(-99);
    }
  });
});

describe("docs/wasm-math.md", () => {
  it("shows the accuracy table this measurement produces", () => {
    const doc = readFileSync(new URL("../../../docs/wasm-math.md", import.meta.url), "utf8");
    const table = /<!-- accuracy-table -->\n([\s\S]*?)\n<!-- \/accuracy-table -->/.exec(doc)?.[1];
    expect(table, "run `npx tsx test/backends/wasm/mathAccuracy.ts` and paste the table").toBe(formatTable(MATH_FNS.map((fn) => run(fn).accuracy)));
  });
});

/** Hand-picked inputs whose float32 results are exact (Math's value, rounded). */
const SPECIAL: { readonly [K in MathFn]: readonly [number, number][] } = {
  exp: [
    [NaN, NaN],
    [Infinity, Infinity],
    [-Infinity, 0],
    [0, 1],
    [-0, 1],
    [100, Infinity],
    [89, Infinity],
    [88.72283, Math.fround(Math.exp(Math.fround(88.72283)))],
    // float32 exp(-100) is a subnormal, as Math gives it (not 0); below -103.97 it is 0
    [-100, Math.fround(Math.exp(-100))],
    [-104, 0],
    [-1000, 0],
    [1e-10, 1],
  ],
  log: [
    [NaN, NaN],
    [0, -Infinity],
    [-0, -Infinity],
    [-1, NaN],
    [-Infinity, NaN],
    [-1e-45, NaN],
    [Infinity, Infinity],
    [1, 0],
    [2, Math.fround(Math.LN2)],
    [1.4e-45, Math.fround(Math.log(Math.fround(1.4e-45)))],
    [3.4028235e38, Math.fround(Math.log(Math.fround(3.4028235e38)))],
  ],
  sin: [
    [NaN, NaN],
    [Infinity, NaN],
    [-Infinity, NaN],
    [0, 0],
    [-0, -0],
    [1e-30, Math.fround(1e-30)],
    [-1.4e-45, Math.fround(-1.4e-45)],
    [Math.PI / 2, 1],
    [-Math.PI / 2, -1],
  ],
  cos: [
    [NaN, NaN],
    [Infinity, NaN],
    [-Infinity, NaN],
    [0, 1],
    [-0, 1],
    [1e-30, 1],
    [Math.PI, -1],
  ],
  tanh: [
    [NaN, NaN],
    [Infinity, 1],
    [-Infinity, -1],
    [0, 0],
    [-0, -0],
    [20, 1],
    [-20, -1],
    [1e-30, Math.fround(1e-30)],
    [-1e-30, Math.fround(-1e-30)],
    // subnormals: the reduction leaves them alone (n = 0) and the result is x itself
    [1.4e-45, Math.fround(1.4e-45)],
    [-1.17549421e-38, Math.fround(-1.17549421e-38)],
    // the clamp and beyond: exactly ±1
    [TANH_CLAMP, 1],
    [-TANH_CLAMP, -1],
    [3.4028235e38, 1],
  ],
  logistic: [
    [NaN, NaN],
    [Infinity, 1],
    [-Infinity, 0],
    [0, 0.5],
    [-0, 0.5],
    [100, 1],
    // a subnormal result, kept (the naive 1/(1+e^-x) would give 0)
    [-100, Math.fround(Math.exp(-100) / (1 + Math.exp(-100)))],
    [-200, 0],
  ],
  expm1: [
    [NaN, NaN],
    [Infinity, Infinity],
    [-Infinity, -1],
    [0, 0],
    [-0, -0],
    // tiny x: exactly x, subnormals included
    [1e-30, Math.fround(1e-30)],
    [-1e-30, Math.fround(-1e-30)],
    [1.4e-45, Math.fround(1.4e-45)],
    [-1.17549421e-38, Math.fround(-1.17549421e-38)],
    // the largest x with a finite result, and beyond it
    [EXPM1_OVERFLOW, Math.fround(Math.expm1(EXPM1_OVERFLOW))],
    [88.7228394, Infinity],
    [100, Infinity],
    [3.4028235e38, Infinity],
    // e^x < 2^-25: rounds to -1
    [-17.5, -1],
    [EXPM1_MIN_ARG, -1],
    [-1000, -1],
    [Math.LN2, 1],
  ],
  log1p: [
    [NaN, NaN],
    [Infinity, Infinity],
    [-Infinity, NaN],
    [0, 0],
    [-0, -0],
    [-1, -Infinity],
    [-1.5, NaN],
    [-3.4028235e38, NaN],
    // tiny x: exactly x, subnormals included
    [1e-30, Math.fround(1e-30)],
    [-1e-30, Math.fround(-1e-30)],
    [1.4e-45, Math.fround(1.4e-45)],
    [-1.17549421e-38, Math.fround(-1.17549421e-38)],
    [1, Math.fround(Math.LN2)],
    [3.4028235e38, Math.fround(Math.log1p(Math.fround(3.4028235e38)))],
  ],
  erf: [
    [NaN, NaN],
    [Infinity, 1],
    [-Infinity, -1],
    [0, 0],
    [-0, -0],
    // tiny x: (2/√π)·x rounded (chosen away from ties: (2/√π)·1e-20 is 0.06 ulp above a float32)
    [1e-20, Math.fround(erf64(Math.fround(1e-20)))],
    [-3e-10, Math.fround(erf64(Math.fround(-3e-10)))],
    [-1.4e-45, Math.fround(-1.4e-45)],
    // float32 erf is ±1 from 3.9192059 on (where it is a near-tie) to the clamp and beyond
    [3.95, 1],
    [-ERF_CLAMP, -1],
    [10, 1],
    [-3.4028235e38, -1],
  ],
};

describe("special values", () => {
  it.each(MATH_FNS.flatMap((fn) => SPECIAL[fn].map(([x, y]) => ({ fn, x, y }))))("$fn($x) = $y", ({ fn, x, y }) => {
    const xs = Float32Array.from([x, x, x, x, x]); // 4 SIMD lanes and one scalar tail element
    const got = compileKernels(fn, xs.length).simd(xs);
    for (const v of got) expect(v).toEqual(Math.fround(y)); // toEqual: -0 ≠ 0, NaN = NaN
  });
});

describe("tanh's reduction", () => {
  it("uses one constant for ln2/2: 21 significant bits (n·HALF_LN2 exact for |n| < 8), within 1e-9 of ln2/2", () => {
    expect(Math.fround(HALF_LN2)).toBe(HALF_LN2);
    expect(Number.isInteger(HALF_LN2 * 2 ** 22)).toBe(true);
    expect(HALF_LN2 * 2 ** 22).toBeLessThan(2 ** 21);
    expect(Math.abs(HALF_LN2 - Math.LN2 / 2)).toBeLessThan(1e-9);
  });

  it("clamps at the smallest float32 whose tanh rounds to 1", () => {
    const below = TANH_CLAMP - 2 ** -20; // float32 spacing in [8, 16)
    expect(Math.fround(TANH_CLAMP)).toBe(TANH_CLAMP);
    expect(Math.fround(Math.tanh(TANH_CLAMP))).toBe(1);
    expect(Math.fround(Math.tanh(below))).toBeLessThan(1);
  });
});

describe("sin/cos outside the accurate range", () => {
  it.each(["sin", "cos"] as const)("%s stays finite in [-1, 1], and within 1e-6 absolute up to 1e5", (fn) => {
    const xs = Float32Array.from([1e5, -3e7, 1e20, -3.4e38, 3.4028235e38, 123456.7, TRIG_MAX_ARG * 2]);
    const got = compileKernels(fn, xs.length).simd(xs);
    for (const v of got) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    expect(Math.abs(got[0]! - Math[fn](xs[0]!))).toBeLessThan(1e-6);
    expect(Math.abs(got[6]! - Math[fn](xs[6]!))).toBeLessThan(1e-6);
  });
});

describe("using the generators from an emitter", () => {
  it("emitMath inline and mathFunction helpers compute the kernel's values", () => {
    const m = new ModuleBuilder();
    m.addMemory({ min: 1 }, { export: "memory" });
    const f = m.addFunction({ name: "run", export: "run" });
    // out[0..3] = exp(in[0..3]) inline SIMD; out[4..7] = the same via the helper; out[8] = scalar helper on in[0]
    f.i32.const(64).i32.const(0).v128.load();
    emitMath(f, "exp", "f32x4");
    f.v128.store();
    f.i32.const(80).i32.const(0).v128.load().call(mathFunction(m, "exp", "f32x4")).v128.store();
    f.i32.const(96).i32.const(0).f32.load().call(mathFunction(m, "exp", "f32")).f32.store();
    expect(mathFunction(m, "exp", "f32x4")).toBe(mathFunction(m, "exp", "f32x4")); // added once
    expect(m.functions.map((g) => g.name)).toEqual(["run", "exp_f32x4", "exp_f32"]);
    const inst = instantiate(m);
    const heap = new Float32Array((inst.exports.memory as WebAssembly.Memory).buffer);
    heap.set([0, 1, -2.5, 10]);
    (inst.exports.run as () => void)();
    const expected = [0, 1, -2.5, 10].map((x) => Math.fround(Math.exp(x)));
    for (let i = 0; i < 4; i++) expect(ulpDistance(heap[16 + i]!, expected[i]!)).toBeLessThanOrEqual(1);
    expect([...heap.slice(20, 24)]).toEqual([...heap.slice(16, 20)]);
    expect(heap[24]).toBe(heap[16]);
  });

  it("scratch locals are returned to the pool, so repeated inline uses do not grow the function", () => {
    const m = new ModuleBuilder();
    const f = m.addFunction({ name: "twice", params: { x: "f32" }, results: ["f32"] });
    f.local.get(f.params.x);
    emitMath(f, "tanh", "f32");
    const after1 = f.locals.length;
    emitMath(f, "tanh", "f32");
    expect(f.locals.length).toBe(after1);
  });
});
