// The seed scenario (google/flax#4700) under grad: a model in the carry of a
// per-lane loop, vmapped over a batch, differentiated with respect to the
// model. The seed's loop is a whileLoop whose trip count differs per lane,
// which reverse mode cannot go through (dynamic trip count); the same
// computation with a static trip count is a foriLoop to the largest count
// whose step only takes effect while `i < count` (a per-lane where). Its
// gradient must have the weights' own shape, and no per-lane copy of a weight
// matrix ([B, in, out]) may appear anywhere: not in the traced gradient, not
// in the program jit optimizes, not among the lowered plan's buffers.
//
// Reference: backpropagation written out by hand in float64 (below), itself
// checked against float64 central differences of the same forward pass.
import { allAvals } from "../../helpers/ir.js";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lowerJaxpr } from "../../../src/backends/lower/index.js";
import type { Jaxpr } from "../../../src/ir/index.js";
import { foriLoop, grad, jit, jvp, makeJaxpr, nn, np, vmap, whileLoop } from "../../../src/index.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { RUN_MODES } from "../../helpers/backends.js";

interface SeedFixture {
  sizes: number[];
  batch: number;
  params: { layers: Record<string, { w: number[][]; b: number[] }> };
  xs: number[][];
  counts: number[];
}
const fx = JSON.parse(readFileSync(new URL("../../fixtures/seed.json", import.meta.url), "utf8")) as SeedFixture;
const B = fx.batch;
const MAX_COUNT = Math.max(...fx.counts);

function modelFrom(layers: readonly { w: number[][]; b: number[] }[]): nn.MLP {
  const model = new nn.MLP(fx.sizes, { seed: 123 });
  nn.update(model, { layers: Object.fromEntries(layers.map((l, k) => [String(k), { w: np.array(l.w), b: np.array(l.b) }])) });
  return model;
}
const fixtureLayers = Object.keys(fx.params.layers).sort().map((k) => fx.params.layers[k]!);
const xs = np.array(fx.xs);
const counts = np.array(fx.counts, { dtype: "int32" });

// ----- the programs -----

/** The seed's per-lane computation with a static trip count: `count` steps of the model, then the state unchanged. */
function masked(model: nn.MLP, x: np.Array, count: np.Array) {
  const [y] = foriLoop(0, MAX_COUNT, (i, [h, m]) => [np.where(i.lt(count), m.forward(h), h), m], [x, model]);
  return y;
}
/** The seed program itself (test/frontend/seed/seed.test.ts): a while with a per-lane trip count. */
function carried(model: nn.MLP, x: np.Array, count: np.Array) {
  const [, y] = whileLoop(([i]) => i.lt(count), ([i, h, m]) => [i.add(1), m.forward(h), m], [0, x, model]);
  return y;
}
const sumOfSquares = (y: np.Array) => np.sum(y.mul(y));
/** Σ over lanes and features of y², y from the loop vmapped over the batch with the model unbatched. */
const batchLoss = (m: nn.MLP, x: np.Array, c: np.Array) => sumOfSquares(vmap(masked, { inAxes: [null, 0, 0] })(m, x, c));
const whileBatchLoss = (m: nn.MLP, x: np.Array, c: np.Array) => sumOfSquares(vmap(carried, { inAxes: [null, 0, 0] })(m, x, c));

// ----- the float64 reference -----

interface Layer {
  w: number[][];
  b: number[];
}
const affine = (h: readonly number[], { w, b }: Layer) => b.map((bj, j) => bj + h.reduce((s, hi, i) => s + hi * w[i]![j]!, 0));

/** The loss in float64: per lane, `count` steps of the MLP (tanh between layers), then Σ y². */
function refLoss(layers: readonly Layer[]): number {
  let loss = 0;
  fx.xs.forEach((x, lane) => {
    let h = x;
    for (let step = 0; step < fx.counts[lane]!; step++) {
      layers.forEach((l, k) => {
        h = affine(h, l);
        if (k < layers.length - 1) h = h.map(Math.tanh);
      });
    }
    loss += h.reduce((s, v) => s + v * v, 0);
  });
  return loss;
}

/** d refLoss / d layers by hand: each lane's steps replayed forward, then walked back. */
function refGrad(layers: readonly Layer[]): Layer[] {
  const g: Layer[] = layers.map((l) => ({ w: l.w.map((r) => r.map(() => 0)), b: l.b.map(() => 0) }));
  fx.xs.forEach((x, lane) => {
    // inputs[s][k]: the input of layer k in step s; acts[s][k]: its tanh output (hidden layers).
    const inputs: number[][][] = [];
    let h = x;
    for (let step = 0; step < fx.counts[lane]!; step++) {
      const ins: number[][] = [];
      layers.forEach((l, k) => {
        ins.push(h);
        h = affine(h, l);
        if (k < layers.length - 1) h = h.map(Math.tanh);
      });
      inputs.push(ins);
    }
    let gh = h.map((v) => 2 * v);
    for (let step = inputs.length - 1; step >= 0; step--) {
      for (let k = layers.length - 1; k >= 0; k--) {
        const hin = inputs[step]![k]!;
        // Through tanh: the layer's output is the next layer's input (or the step's output, untransformed, for the last layer).
        const gz = k < layers.length - 1 ? gh.map((v, j) => v * (1 - inputs[step]![k + 1]![j]! ** 2)) : gh;
        gz.forEach((v, j) => (g[k]!.b[j]! += v));
        hin.forEach((hi, i) => gz.forEach((v, j) => (g[k]!.w[i]![j]! += hi * v)));
        gh = hin.map((_, i) => gz.reduce((s, v, j) => s + v * layers[k]!.w[i]![j]!, 0));
      }
    }
  });
  return g;
}

/** Every parameter as one flat list, layer by layer, w (row-major) then b. */
const flatParams = (ls: readonly Layer[]) => ls.flatMap((l) => [...l.w.flat(), ...l.b]);
function withFlat(ls: readonly Layer[], flat: readonly number[]): Layer[] {
  let k = 0;
  return ls.map((l) => ({ w: l.w.map((r) => r.map(() => flat[k++]!)), b: l.b.map(() => flat[k++]!) }));
}
const gradLayers = (g: nn.MLP) => g.layers.map((l) => ({ w: l.w.toArray() as number[][], b: l.b.toArray() as number[] }));

const REF = refGrad(fixtureLayers);
const CLOSE = { rtol: 1e-4, atol: 1e-4 };

describe("the float64 reference gradient", () => {
  it("matches central finite differences of the float64 loss in every parameter", () => {
    const p = flatParams(fixtureLayers);
    const eps = 1e-6;
    const numeric = p.map((_, i) => {
      const at = (d: number) => refLoss(withFlat(fixtureLayers, p.map((v, j) => (j === i ? v + d : v))));
      return (at(eps) - at(-eps)) / (2 * eps);
    });
    expectAllClose(flatParams(REF), numeric, { rtol: 1e-6, atol: 1e-6 });
    // Lanes with count 0 contribute nothing: the gradient is not trivially zero either.
    expect(Math.max(...flatParams(REF).map(Math.abs))).toBeGreaterThan(0.1);
  });
});

describe.each(RUN_MODES)("grad of the seed loss (foriLoop with per-lane where) under vmap (%s)", (_mode, { run }) => {
  const model = modelFrom(fixtureLayers);

  it("gives the hand-derived gradient, with every leaf shaped like its weight", () => {
    const g = run(grad(batchLoss))(model, xs, counts) as nn.MLP;
    expect(g).toBeInstanceOf(nn.MLP);
    g.layers.forEach((l, k) => {
      expect(l.w.shape).toEqual(model.layers[k]!.w.shape);
      expect(l.b.shape).toEqual(model.layers[k]!.b.shape);
    });
    gradLayers(g).forEach((l, k) => {
      expectAllClose(l.w, REF[k]!.w, CLOSE);
      expectAllClose(l.b, REF[k]!.b, CLOSE);
    });
  });

  it("forward mode through the seed's own whileLoop gives the same directional derivative", () => {
    const direction = new nn.MLP(fx.sizes, { seed: 7 });
    const [, dLoss] = run((m: nn.MLP, t: nn.MLP) => jvp((mm: nn.MLP) => whileBatchLoss(mm, xs, counts), [m], [t]))(model, direction) as [np.Array, np.Array];
    const t = gradLayers(direction);
    const want = flatParams(REF).reduce((s, v, i) => s + v * flatParams(t)[i]!, 0);
    expectAllClose(dLoss, want, CLOSE);
  });
});

/**
 * Per-lane copies of the weight matrices, [B, in, out]. (A bias's [B, out]
 * is also the shape of the activations every lane legitimately has, so only
 * the matrices tell batched weights apart.)
 */
const model = modelFrom(fixtureLayers);
const perLaneWeights = model.layers.map((l) => `float32[${[B, ...l.w.shape].join(",")}]`);
const batchedWeights = (j: Jaxpr) => allAvals(j).filter((a) => perLaneWeights.includes(a));

describe("grad of the seed loss keeps the weights unbatched", () => {
  it("the traced gradient (makeJaxpr) has no [B, in, out] value", () => {
    const traced = makeJaxpr(grad(batchLoss))(model, xs, counts).jaxpr;
    expect(allAvals(traced)).toContain("float32[8,16]"); // the weights' own shape is there (the gradient)
    expect(batchedWeights(traced)).toEqual([]);
  });

  it("nor does the program jit optimizes, nor the lowered plan: every buffer is smaller than B copies of a weight matrix", () => {
    const lowered = jit(grad(batchLoss)).lower(model, xs, counts);
    expect(batchedWeights(lowered)).toEqual([]);
    const smallest = Math.min(...model.layers.map((l) => l.w.shape.reduce((a, b) => a * b, 1)));
    const buffers = lowerJaxpr(lowered).buffers;
    expect(buffers.filter((b) => b.size >= B * smallest).map((b) => `${b.label}: ${b.size} elements`)).toEqual([]);
    // The gradient outputs themselves are parameter-sized: one buffer per bias and per weight matrix.
    const bySize = (a: number, b: number) => a - b;
    const paramSizes = model.layers.flatMap((l) => [l.b.shape[0]!, l.w.shape[0]! * l.w.shape[1]!]).sort(bySize);
    expect(buffers.filter((b) => b.role === "output").map((b) => b.size).sort(bySize)).toEqual(paramSizes);
  });

  it("also with vmap's carry hoisting off: a foriLoop's carried model stays unbatched without it (no batched predicate)", () => {
    const unhoisted = (m: nn.MLP, x: np.Array, c: np.Array) => sumOfSquares(vmap(masked, { inAxes: [null, 0, 0], hoistInvariantCarries: false })(m, x, c));
    expect(batchedWeights(makeJaxpr(grad(unhoisted))(model, xs, counts).jaxpr)).toEqual([]);
    expect(batchedWeights(jit(grad(unhoisted)).lower(model, xs, counts))).toEqual([]);
    gradLayers(grad(unhoisted)(model, xs, counts) as nn.MLP).forEach((l, k) => expectAllClose(l.w, REF[k]!.w, CLOSE));
  });

  it("per-example gradients (vmap of grad) are the one place [B, in, out] belongs, and the check sees them", () => {
    const laneLoss = (m: nn.MLP, x: np.Array, c: np.Array) => sumOfSquares(masked(m, x, c));
    const perExample = vmap(grad(laneLoss), { inAxes: [null, 0, 0] });
    expect(new Set(batchedWeights(makeJaxpr(perExample)(model, xs, counts).jaxpr))).toEqual(new Set(perLaneWeights));
    // Summed over the batch they are the batch loss's gradient.
    const g = perExample(model, xs, counts) as nn.MLP;
    g.layers.forEach((l, k) => {
      expect(l.w.shape).toEqual([B, ...model.layers[k]!.w.shape]);
      expectAllClose(np.sum(l.w, 0), REF[k]!.w, CLOSE);
    });
  });

});

describe.each(RUN_MODES)("grad through the seed's own whileLoop (per-lane trip counts) under vmap (%s)", (_mode, { run }) => {
  it("gives the hand-derived gradient (reverse mode records each lane's steps on a tape)", () => {
    const g = run(grad(whileBatchLoss))(model, xs, counts) as nn.MLP;
    gradLayers(g).forEach((l, k) => {
      expectAllClose(l.w, REF[k]!.w, CLOSE);
      expectAllClose(l.b, REF[k]!.b, CLOSE);
    });
  });

  it("vmap of grad gives per-example gradients that sum to it", () => {
    const laneLoss = (m: nn.MLP, x: np.Array, c: np.Array) => sumOfSquares(carried(m, x, c));
    const g = run(vmap(grad(laneLoss), { inAxes: [null, 0, 0] }))(model, xs, counts) as nn.MLP;
    g.layers.forEach((l, k) => expectAllClose(np.sum(l.w, 0), REF[k]!.w, CLOSE));
  });
});

describe("grad through the seed's whileLoop keeps the weights unbatched in both directions", () => {
  it("no [B, in, out] value in the traced gradient, the optimized program or the lowered plan", () => {
    const traced = makeJaxpr(grad(whileBatchLoss))(model, xs, counts).jaxpr;
    expect(allAvals(traced)).toContain("float32[8,16]");
    expect(batchedWeights(traced)).toEqual([]);
    const lowered = jit(grad(whileBatchLoss)).lower(model, xs, counts);
    expect(batchedWeights(lowered)).toEqual([]);
  });

  it("with hoisting off, JAX-style batching of the carried model puts a [B, in, out] copy of every weight matrix in the gradient", () => {
    const unhoisted = (m: nn.MLP, x: np.Array, c: np.Array) => sumOfSquares(vmap(carried, { inAxes: [null, 0, 0], hoistInvariantCarries: false })(m, x, c));
    const traced = makeJaxpr(grad(unhoisted))(model, xs, counts).jaxpr;
    expect(new Set(batchedWeights(traced))).toEqual(new Set(perLaneWeights));
    // Same numbers, at B times the weights' memory per recorded step.
    gradLayers(grad(unhoisted)(model, xs, counts) as nn.MLP).forEach((l, k) => expectAllClose(l.w, REF[k]!.w, CLOSE));
  });
});
