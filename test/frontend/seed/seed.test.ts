// The seed scenario (google/flax#4700, #4709) and its variants, end to end:
// values against numpy (scripts/gen_seed_fixtures.py), and the IR structure
// that proves the model parameters stayed unbatched. Values run in every mode
// (eagerly, and through jit on every backend: test/helpers/backends.ts).
import { allAvals } from "../../helpers/ir.js";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Jaxpr } from "../../../src/ir/index.js";
import { cond, foriLoop, jit, makeJaxpr, nn, np, vmap, whileLoop } from "../../../src/index.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { RUN_MODES } from "../../helpers/backends.js";
import { printChecked } from "../../helpers/ir.js";

interface SeedFixture {
  sizes: number[];
  batch: number;
  params: { layers: Record<string, { w: number[][]; b: number[] }> };
  xs: number[][];
  counts: number[];
  flags: number[];
  expected: Record<string, number[][]>;
}
const fx = JSON.parse(readFileSync(new URL("../../fixtures/seed.json", import.meta.url), "utf8")) as SeedFixture;
const B = fx.batch;

function fixtureModel(): nn.MLP {
  const model = new nn.MLP(fx.sizes, { seed: 123 });
  const layers: Record<string, { w: np.Array; b: np.Array }> = {};
  for (const [k, { w, b }] of Object.entries(fx.params.layers)) layers[k] = { w: np.array(w), b: np.array(b) };
  nn.update(model, { layers });
  return model;
}
const xs = np.array(fx.xs);
const counts = np.array(fx.counts, { dtype: "int32" });
const flags = np.array(fx.flags, { dtype: "int32" });

/** Weight matrices batched per lane: a rank-3 float array [B, in, out]. */
const batchedWeights = (j: Jaxpr) =>
  allAvals(j).filter((a) => a === `float32[${B},8,16]` || a === `float32[${B},16,8]`);

// The seed program (google/flax#4700): the model rides in the while carry, counts differ per lane.
function carried(model: nn.MLP, x: np.Array, count: np.Array) {
  const [, y] = whileLoop(([i]) => i.lt(count), ([i, h, m]) => [i.add(1), m.forward(h), m], [0, x, model]);
  return y;
}
function closedOver(model: nn.MLP, x: np.Array, count: np.Array) {
  const [, y] = whileLoop(([i]) => i.lt(count), ([i, h]) => [i.add(1), model.forward(h)], [0, x]);
  return y;
}
function nested(model: nn.MLP, x: np.Array, count: np.Array) {
  const [, y] = whileLoop(
    ([i]) => i.lt(count),
    ([i, h, m]) => {
      const [, h2, m2] = whileLoop(([j]) => j.lt(2), ([j, g, mm]) => [j.add(1), mm.forward(g), mm], [0, h, m]);
      return [i.add(1), h2, m2];
    },
    [0, x, model],
  );
  return y;
}
function foriInCond(model: nn.MLP, x: np.Array, flag: np.Array) {
  return cond(
    flag.lt(2),
    (m: nn.MLP, h: np.Array) => foriLoop(0, 3, (_i, [g, mm]) => [mm.forward(g), mm], [h, m])[0],
    (_m: nn.MLP, h: np.Array) => np.zerosLike(h),
    model,
    x,
  );
}
function carriedTwice(model: nn.MLP, x: np.Array, count: np.Array) {
  const [, y] = whileLoop(([i]) => i.lt(count), ([i, h, m, m2]) => [i.add(1), m.forward(h), m, m2], [0, x, model, model]);
  return y;
}

const SCENARIOS = [
  { name: "carried", f: carried, third: counts },
  { name: "closed_over", f: closedOver, third: counts },
  { name: "nested", f: nested, third: counts },
  { name: "fori_in_cond", f: foriInCond, third: flags },
  { name: "carried_twice", f: carriedTwice, third: counts },
] as const;

describe.each(SCENARIOS)("seed scenario: $name", ({ name, f, third }) => {
  const model = fixtureModel();
  const batched = vmap(f, { inAxes: [null, 0, 0] });

  describe.each(RUN_MODES)("values (%s)", (_mode, { run }) => {
    it("vmap gives numpy's per-lane values", () => {
      expectAllClose(run(batched)(model, xs, third), fx.expected[name]!, { rtol: 1e-5, atol: 1e-6 });
    });

    it("hands the model back unbatched (outAxes null for it)", () => {
      const withModel = vmap((m: nn.MLP, x: np.Array, t: np.Array) => [m, f(m, x, t)] as const, { inAxes: [null, 0, 0], outAxes: [null, 0] });
      const [m2, y] = run(withModel)(model, xs, third);
      expect(m2).toBeInstanceOf(nn.MLP);
      m2.layers.forEach((layer, k) => {
        expect(layer.w.toArray()).toEqual(model.layers[k]!.w.toArray());
        expect(layer.b.toArray()).toEqual(model.layers[k]!.b.toArray());
      });
      expectAllClose(y, fx.expected[name]!, { rtol: 1e-5, atol: 1e-6 });
    });
  });

  it("keeps every parameter unbatched in the batched IR", () => {
    const closed = makeJaxpr(batched)(model, xs, third);
    printChecked(closed);
    expect(batchedWeights(closed.jaxpr)).toEqual([]);
  });

  it("under jit, the optimized program keeps the parameters unbatched", () => {
    expect(batchedWeights(jit(batched).lower(model, xs, third))).toEqual([]);
  });
});

describe.each(RUN_MODES)("seed scenario with hoisting disabled (JAX's behaviour): values (%s)", (_mode, { run }) => {
  const model = fixtureModel();
  it("still computes the right numbers", () => {
    const off = vmap(carried, { inAxes: [null, 0, 0], hoistInvariantCarries: false });
    expectAllClose(run(off)(model, xs, counts), fx.expected["carried"]!, { rtol: 1e-5, atol: 1e-6 });
  });

  it("with hoisting, a model carried through the loop comes back unbatched and unchanged", () => {
    const hoisted = vmap(
      (m: nn.MLP, x: np.Array, t: np.Array) => whileLoop(([i]) => i.lt(t), ([i, h, mm]) => [i.add(1), mm.forward(h), mm], [0, x, m])[2],
      { inAxes: [null, 0, 0], outAxes: null },
    );
    const back = run(hoisted)(model, xs, counts);
    expect(back.layers.map((l) => [l.w.toArray(), l.b.toArray()])).toEqual(model.layers.map((l) => [l.w.toArray(), l.b.toArray()]));
  });
});

describe("seed scenario with hoisting disabled (JAX's behaviour)", () => {
  const model = fixtureModel();

  it("batches the parameters: the difference hoisting makes, pinned", () => {
    const on = makeJaxpr(vmap(carried, { inAxes: [null, 0, 0] }))(model, xs, counts).jaxpr;
    const off = makeJaxpr(vmap(carried, { inAxes: [null, 0, 0], hoistInvariantCarries: false }))(model, xs, counts).jaxpr;
    expect(batchedWeights(on)).toEqual([]);
    // Without hoisting the weights are broadcast to [B, in, out] and carried per lane.
    expect(batchedWeights(off).length).toBeGreaterThan(0);
    expect(allAvals(off)).toContain(`float32[${B},8,16]`);
    expect(allAvals(off)).toContain(`float32[${B},16,8]`);
  });

  it("cannot hand the model back unbatched", () => {
    const withModel = vmap((m: nn.MLP, x: np.Array, t: np.Array) => [m, carried(m, x, t)] as const, {
      inAxes: [null, 0, 0],
      outAxes: [null, 0],
      hoistInvariantCarries: false,
    });
    // The model is an output of the per-lane function here, not of the loop, so
    // it stays unbatched even without hoisting; return the loop's copy instead.
    expect(() => withModel(model, xs, counts)).not.toThrow();
    const loopModel = vmap(
      (m: nn.MLP, x: np.Array, t: np.Array) => whileLoop(([i]) => i.lt(t), ([i, h, mm]) => [i.add(1), mm.forward(h), mm], [0, x, m])[2],
      { inAxes: [null, 0, 0], outAxes: null, hoistInvariantCarries: false },
    );
    expect(() => loopModel(model, xs, counts)).toThrow(/outAxes for output\.layers\.0\.b is null, but the output is batched/);
    const hoisted = vmap(
      (m: nn.MLP, x: np.Array, t: np.Array) => whileLoop(([i]) => i.lt(t), ([i, h, mm]) => [i.add(1), mm.forward(h), mm], [0, x, m])[2],
      { inAxes: [null, 0, 0], outAxes: null },
    );
    expect(hoisted(model, xs, counts).layers[1]!.w.toArray()).toEqual(model.layers[1]!.w.toArray());
  });
});
