// The benchmark's implementations at tiny sizes: every column (tsjax on every
// registered backend, plain JS, jax-js) must agree with the plain-JS
// reference, and plain JS itself must match hand-derived values. Nothing here
// is timed; this only keeps `npm run bench` from silently measuring a broken
// computation.
import { expectAllClose } from "../helpers/allclose.js";
import { beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../../src/backends/index.js";
import { jit } from "../../src/index.js";
import { printJaxpr } from "../../src/ir/index.js";
import { grid, seedCounts } from "../../bench/data.js";
import { compare } from "../../bench/harness/check.js";
import type { Column, Workload } from "../../bench/harness/types.js";
import { loadJaxJs } from "../../bench/jaxjs.js";
import { mandelbrotPlain, mlpGradPlain, mlpPlain, seedGradPlain, seedPlain } from "../../bench/plain.js";
import { mlpGradProgram, np, seedBatched } from "../../bench/tsjax.js";
import { compileWorkload, gradFlops, gradWorkload, type JaxHandle, mandelbrotWorkload, mlpWorkload, seedGradWorkload, seedWorkload, WORKLOAD_NAMES } from "../../bench/workloads/index.js";
import { seedSetup } from "../../bench/workloads/seed.js";

const COLUMNS: Column[] = [
  ...Object.keys(BACKENDS).map((backend): Column => ({ kind: "tsjax", backend, id: `tsjax:${backend}` })),
  { kind: "plain", id: "plain JS" },
  { kind: "jaxjs", id: "jax-js" },
];

let jax: JaxHandle;
beforeAll(async () => {
  jax = await loadJaxJs();
});

describe("plain JS baseline against hand-derived values", () => {
  it("mlp: 3 layers of tanh(h @ W + b) on two 2-feature rows", () => {
    const w = new Float32Array([0.5, -1, 0.25, 2]); // [[0.5, -1], [0.25, 2]]
    const b = new Float32Array([0.1, -0.2]);
    const x = new Float32Array([1, 0, -0.5, 0.5]);
    const layer = ([p, q]: number[]) => [Math.tanh(p! * 0.5 + q! * 0.25 + 0.1), Math.tanh(p! * -1 + q! * 2 - 0.2)];
    const expected = [layer(layer(layer([1, 0]))), layer(layer(layer([-0.5, 0.5])))].flat();
    expect(compare(mlpPlain(x, w, b, 2, 2, 3), new Float32Array(expected), { kind: "allclose", rtol: 1e-6, atol: 1e-7 }).ok).toBe(true);
  });

  it("grad: one layer, one feature, one row: loss = (tanh(w·x + b) - y)², by hand", () => {
    const [x, w, b, y] = [0.5, 0.75, -0.25, 0.3];
    const h = Math.tanh(w * x + b);
    // d/dz of (h - y)² = 2(h - y)·(1 - h²); dz/dw = x, dz/db = 1.
    const dz = 2 * (h - y) * (1 - h * h);
    const out = mlpGradPlain(new Float32Array([x]), new Float32Array([w]), new Float32Array([b]), new Float32Array([y]), 1, 1, 1);
    expect(compare(out, new Float32Array([(h - y) ** 2, dz * x, dz]), { kind: "allclose", rtol: 1e-6, atol: 1e-7 }).ok).toBe(true);
  });

  it("grad: 3 layers, 2 features, 3 rows: the gradient matches central differences of the loss", () => {
    const [n, d, layers] = [3, 2, 3];
    const x = [0.9, -0.4, 0.1, 0.7, -0.8, 0.3], y = [0.2, -0.1, 0.4, 0.0, -0.3, 0.5];
    const params = [0.5, -1, 0.25, 2, 0.1, -0.2]; // W row-major, then b
    // The loss in float64, written out directly from its definition.
    const loss = (p: readonly number[]) => {
      let total = 0;
      for (let i = 0; i < n; i++) {
        let h = x.slice(i * d, i * d + d);
        for (let l = 0; l < layers; l++) h = [0, 1].map((j) => Math.tanh(h[0]! * p[j]! + h[1]! * p[2 + j]! + p[4 + j]!));
        total += h.reduce((s, v, j) => s + (v - y[i * d + j]!) ** 2, 0);
      }
      return total / (n * d);
    };
    const eps = 1e-5;
    const numeric = params.map((_, k) => {
      const up = params.slice(), down = params.slice();
      up[k]! += eps;
      down[k]! -= eps;
      return (loss(up) - loss(down)) / (2 * eps);
    });
    const f32 = (a: number[]) => new Float32Array(a);
    const out = mlpGradPlain(f32(x), f32(params.slice(0, 4)), f32(params.slice(4)), f32(y), n, d, layers);
    const result = compare(out, f32([loss(params), ...numeric]), { kind: "allclose", rtol: 1e-4, atol: 1e-6 });
    expect(result.ok, result.detail).toBe(true);
  });

  it("grad: the FLOP count is forward + dW + the input cotangents of all layers but the first", () => {
    // 2 layers of 4×3 @ 3×3: forward 2·(2·4·3·3), dW 2·(2·4·3·3), one input cotangent 2·4·3·3.
    expect(gradFlops({ n: 4, d: 3, layers: 2 })).toBe(5 * 72);
  });

  it("seed: lanes run 0, 1 and 2 steps of tanh(w·h + b) (1 feature)", () => {
    const w = 0.75, b = -0.25;
    const out = seedPlain(new Float32Array([0.5, 0.5, 0.5]), new Float32Array([w]), new Float32Array([b]), new Int32Array([0, 1, 2]), 1);
    const step = (h: number) => Math.tanh(w * h + b);
    expect(Array.from(out)).toEqual(Array.from(new Float32Array([0.5, step(0.5), step(Math.fround(step(0.5)))])));
  });

  it("seed-grad: the per-lane backprop matches central differences of the seed loss (3 lanes, 2 features)", () => {
    const x = new Float32Array([0.5, -0.3, 0.2, 0.9, -0.7, 0.1]);
    const w = new Float32Array([0.8, -0.4, 0.3, 0.6]), b = new Float32Array([0.1, -0.2]);
    const counts = new Int32Array([0, 1, 3]);
    const loss = (wv: Float32Array, bv: Float32Array) => {
      const y = seedPlain(x, wv, bv, counts, 2);
      return y.reduce((s, v) => s + v * v, 0) / y.length;
    };
    const got = seedGradPlain(x, w, b, counts, 2);
    expect(got[0]).toBeCloseTo(loss(w, b), 6);
    const eps = 1e-3;
    const params = [...w, ...b];
    const numeric = params.map((_, i) => {
      const at = (dv: number) => {
        const p = params.map((v, j) => (j === i ? v + dv : v));
        return loss(Float32Array.from(p.slice(0, 4)), Float32Array.from(p.slice(4)));
      };
      return (at(eps) - at(-eps)) / (2 * eps);
    });
    expectAllClose(Array.from(got.slice(1)), numeric, { rtol: 1e-2, atol: 1e-4 });
  });

  it("mandelbrot: escape counts of known points", () => {
    // c = 0, -1 (period 2), -2 (|z|² reaches exactly 4, never > 4) stay bounded;
    // c = 1: z = 0, 1, 2, 5 → 3 steps; c = 2i: z = 0, 2i, -4+2i → 2;
    // c = 0.5: z = 0, .5, .75, 1.0625, 1.6289, 3.1533 → 5.
    const cr = new Float32Array([0, -1, -2, 1, 0, 0.5]);
    const ci = new Float32Array([0, 0, 0, 0, 2, 0]);
    expect(Array.from(mandelbrotPlain(cr, ci, 16))).toEqual([16, 16, 16, 3, 2, 5]);
  });

  it("inputs: grid corners and per-lane counts", () => {
    const g = grid(3, 2, [-2, 0.6], [-1.2, 1.2]);
    expect(Array.from(g.cr)).toEqual(Array.from(new Float32Array([-2, -0.7, 0.6, -2, -0.7, 0.6])));
    expect(Array.from(g.ci)).toEqual(Array.from(new Float32Array([-1.2, -1.2, -1.2, 1.2, 1.2, 1.2])));
    expect(Array.from(seedCounts(5, 3))).toEqual([0, 1, 2, 0, 1]);
  });
});

describe("the result check", () => {
  it("allclose catches a wrong element and NaN, accepts rounding noise", () => {
    const check = { kind: "allclose", rtol: 1e-4, atol: 1e-5 } as const;
    expect(compare(new Float32Array([1, 2]), new Float32Array([1, 2.01]), check).ok).toBe(false);
    expect(compare(new Float32Array([1, NaN]), new Float32Array([1, 2]), check).ok).toBe(false);
    expect(compare(new Float32Array([1, 2]), new Float32Array([1, 2, 3]), check).ok).toBe(false);
    expect(compare(new Float32Array([1, 2.00001]), new Float32Array([1, 2]), check).ok).toBe(true);
  });

  it("counts allow only the stated fraction of differing entries", () => {
    const check = { kind: "counts", maxMismatchFraction: 0.1 } as const;
    const expected = new Int32Array(20).fill(7);
    const oneOff = expected.slice();
    oneOff[3] = 8;
    expect(compare(oneOff, expected, check)).toEqual({ ok: true, detail: "1 of 20 counts differ (first at 3: 8 vs 7)" });
    const threeOff = oneOff.slice();
    threeOff[4] = threeOff[5] = 6;
    expect(compare(threeOff, expected, check).ok).toBe(false);
  });
});

describe("every column agrees with plain JS at a tiny size", () => {
  it("jax-js runs in Node (wasm device)", () => {
    expect("unavailable" in jax ? jax.unavailable : "ok").toBe("ok");
  });

  const tiny: Record<string, () => Workload> = {
    mlp: () => mlpWorkload({ n: 6, d: 5, layers: 3 }, jax),
    grad: () => gradWorkload({ n: 6, d: 5, layers: 3 }, jax),
    // 20 lanes with modulus 17: trip counts 0…16 and a wrap-around.
    seed: () => seedWorkload({ lanes: 20, d: 4, modulus: 17 }, jax),
    "seed-grad": () => seedGradWorkload({ lanes: 20, d: 4, modulus: 17 }, jax),
    mandelbrot: () => mandelbrotWorkload({ width: 9, height: 7, maxIter: 12 }, jax),
    compile: () => compileWorkload({ lanes: 5, d: 3, modulus: 4 }, jax),
  };

  it("covers every registered workload", () => {
    expect(Object.keys(tiny).sort()).toEqual([...WORKLOAD_NAMES].sort());
  });

  describe.each(Object.keys(tiny))("%s", (name) => {
    it.each(COLUMNS.map((c) => [c.id, c] as const))("%s", (_, column) => {
      const w = tiny[name]!();
      const run = w.prepare(column);
      if (typeof run !== "function") {
        // Only the compile workload has no plain column, and seed-grad no jax-js one.
        const expectedSkip = name === "compile" ? ["compile", "plain", "nothing to compile"] : ["seed-grad", "jaxjs", "no reverse mode through a while loop with a dynamic trip count (JAX and jax-js)"];
        expect([name, column.kind, run.skip]).toEqual(expectedSkip);
        return;
      }
      const expected = w.reference();
      // Twice: the first call compiles, the second is what the timed runs repeat.
      for (let i = 0; i < 2; i++) {
        const result = compare(run(), expected, w.check);
        expect(result.ok, result.detail).toBe(true);
      }
    });
  });

  it("mandelbrot at the tiny size: every column's counts are exact", () => {
    // The benchmark tolerates a few float32-vs-float64 flips at full size; this small grid has none.
    const w = mandelbrotWorkload({ width: 9, height: 7, maxIter: 12 }, jax);
    const expected = w.reference();
    for (const c of COLUMNS) {
      const run = w.prepare(c);
      if (typeof run === "function") expect(Array.from(run()), c.id).toEqual(Array.from(expected));
    }
  });
});

describe("the tsjax seed program the benchmark times", () => {
  it("keeps the model broadcast: W stays f32[d,d], never copied per lane", () => {
    const [model, xs, counts] = seedSetup({ lanes: 20, d: 4, modulus: 17 }, { unavailable: "not needed" }).tsjaxArgs();
    const text = printJaxpr(jit(seedBatched).lower(model, xs, counts));
    expect(text).toContain("f32[4,4]");
    expect(text).not.toContain("f32[20,4,4]");
    expect(text).toContain("while[");
  });
});

describe("the tsjax gradient program the grad workload times", () => {
  it("is 3·layers − 1 dots (forward, dW = hᵀ·ct, and ct·Wᵀ for every layer but the first) and no transpose op", () => {
    const [n, d, layers] = [6, 5, 3];
    const text = printJaxpr(jit(mlpGradProgram(layers)).lower(np.zeros([d, d]), np.zeros([d]), np.zeros([n, d]), np.zeros([n, d])));
    expect(text.match(/= dot_general\[/g)?.length).toBe(3 * layers - 1);
    // dW comes out of its dot in W's axis order: h first, contracting the rows.
    expect(text).toMatch(/f32\[5,5\] = dot_general\[dimension_numbers=\(\(\(0,\), \(0,\)\), \(\(\), \(\)\)\)\]/);
    expect(text).not.toContain("transpose[");
  });
});
