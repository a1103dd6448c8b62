// What `hoist-invariant-carries` changes under vmap (google/flax#4700,
// #4709): the same numbers with and without it, but only without it do the
// loop-invariant weights get broadcast per lane (f32[4,2,2]), and only with it
// can they come back unbatched (outAxes null). `{ hoistInvariantCarries: false }`
// reproduces JAX before its read-only-carry fix.
//
// Values run in every mode (eagerly, and through jit on every backend:
// test/helpers/backends.ts); jaxpr checks, `is` identity, errors and the
// interpreter's loop iteration counts run once.
import { describe, expect, it } from "vitest";
import { VmapError, cond, makeJaxpr, np, registerPytreeNode, scan, vmap, whileLoop } from "../../../src/index.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { RUN_MODES } from "../../helpers/backends.js";
import { printChecked } from "../../helpers/ir.js";
import { eqnsOf, typeOf } from "./irQuery.js";
import { countWhileBodyRuns, expectMatchesPerLane, f32, int } from "./lanes.js";

/** The seed program: `while c < cmax: (c+1, x @ w, w)`. */
const seed = (w: np.Array, x: np.Array, cMax: np.Array) => {
  const [, y, w2] = whileLoop(([c]) => c.lt(cMax), ([c, x, w]) => [c.add(1), np.matmul(x, w), w], [0, x, w]);
  return [w2, y] as const;
};
const W = f32([[1, 2], [0, 1]]);
const XS = np.ones([4, 2]);
const CMAX = np.arange(4);
// Hand-derived: [1,1] @ W = [1,3], then [1,5], then [1,7]; lane k multiplies k times.
const Y = [[1, 1], [1, 3], [1, 5], [1, 7]];

class Affine {
  constructor(
    readonly w: np.Array,
    readonly b: np.Array,
  ) {}
  forward(x: np.Array): np.Array {
    return np.matmul(x, this.w).add(this.b);
  }
}
registerPytreeNode(Affine, (m) => [{ w: m.w, b: m.b }, null], (_aux, c) => {
  const { w, b } = c as { w: np.Array; b: np.Array };
  return new Affine(w, b);
});

/** The seed scenario (google/flax#4700) with a module carried through the loop. */
const foo = (model: Affine, x: np.Array, count: np.Array) => {
  const [, y, m] = whileLoop(([i]) => i.lt(count), ([i, h, m]) => [i.add(1), m.forward(h), m], [0, x, model]);
  return { y, model: m };
};
const MODEL = new Affine(f32([[2, 0], [0, 2]]), f32([1, 0]));
const FOO_XS = f32([[1, 1], [1, 1], [0, 1]]), FOO_COUNTS = int([3, 0, 1]);

/** test_scan_readonly_carry_optimization (flax#4709): a read-only scan carry inside a batched cond. */
const readonlyScan = (_x: np.Array, y: np.Array) => scan((y: np.Array, _: null) => [y, null], y, null, { length: 1 })[0];
const scanInCond = (x: np.Array, y: np.Array) => cond(x.lt(0), readonlyScan, readonlyScan, x, y);
const ARANGE3 = np.arange(3, { dtype: "float32" });

// ---------------------------------------------------------------- values, in every mode

describe.each(RUN_MODES)("hoisting: values (%s)", (_mode, { run }) => {
  for (const hoist of [true, false]) {
    it(`the seed program gives the same numbers with hoistInvariantCarries: ${hoist}`, () => {
      const [w2, y] = run(vmap(seed, { inAxes: [null, 0, 0], hoistInvariantCarries: hoist }))(W, XS, CMAX);
      expectAllClose(y, Y);
      expect(w2.shape).toEqual([4, 2, 2]); // outAxes 0 broadcasts an unbatched w
      expectAllClose(w2, [0, 1, 2, 3].map(() => W.toArray()));
      expectMatchesPerLane(seed, { inAxes: [null, 0, 0], hoistInvariantCarries: hoist }, [W, XS, CMAX], {}, run);
    });
  }

  it("with hoisting, outAxes [null, 0] gives w back unbatched", () => {
    const [w2, y] = run(vmap(seed, { inAxes: [null, 0, 0], outAxes: [null, 0] }))(W, XS, CMAX);
    expect(w2.shape).toEqual([2, 2]);
    expectAllClose(w2, W.toArray());
    expectAllClose(y, Y);
  });

  it("the seed scenario with a module: per-lane values, and the model comes back unbatched", () => {
    const out = run(vmap(foo, { inAxes: [null, 0, 0], outAxes: { y: 0, model: null } }))(MODEL, FOO_XS, FOO_COUNTS);
    // Hand-derived: h → 2h + [1,0]: [1,1] three times → [15,8]; zero times → [1,1]; [0,1] once → [1,2].
    expectAllClose(out.y, [[15, 8], [1, 1], [1, 2]]);
    expect(out.model).toBeInstanceOf(Affine);
    expect([out.model.w.toArray(), out.model.b.toArray()]).toEqual([MODEL.w.toArray(), MODEL.b.toArray()]);
    expectMatchesPerLane(foo, { inAxes: [null, 0, 0] }, [MODEL, FOO_XS, FOO_COUNTS], {}, run);
  });

  it("flax#4709: with hoisting, outAxes null gives the unbatched 3", () => {
    const out = run(vmap(scanInCond, { inAxes: [0, null], outAxes: null }))(ARANGE3, f32(3));
    expect([out.shape, out.toArray()]).toEqual([[], 3]);
  });

  it("flax#4709: without hoisting the result is batched: [3, 3, 3]", () => {
    expectAllClose(run(vmap(scanInCond, { inAxes: [0, null], hoistInvariantCarries: false }))(ARANGE3, f32(3)), [3, 3, 3]);
  });
});

// ---------------------------------------------------------------- jaxprs, identity, loop iteration counts (one run)

describe("the seed program with and without hoist-invariant-carries", () => {
  for (const hoist of [true, false]) {
    it(`runs one masked loop of max(cmax) = 3 steps (hoistInvariantCarries: ${hoist})`, () => {
      const { result, bodyRuns } = countWhileBodyRuns(() => vmap(seed, { inAxes: [null, 0, 0], hoistInvariantCarries: hoist })(W, XS, CMAX));
      expectAllClose(result[1], Y);
      expect(bodyRuns).toEqual([3]);
    });
  }

  it("without hoisting, w is a carry broadcast to f32[4,2,2] and the matmul is batched against it", () => {
    const j = makeJaxpr(vmap(seed, { inAxes: [null, 0, 0], hoistInvariantCarries: false }))(W, XS, CMAX);
    const text = printChecked(j);
    expect(text).toContain("f32[4,2,2] = broadcast_in_dim[broadcast_dimensions=(1, 2) shape=(4, 2, 2)] a");
    const [w] = eqnsOf(j, "while");
    expect(w!.params.body_nconsts).toBe(0);
    expect(w!.outputs.map(typeOf)).toEqual(["i32[4]", "f32[4,2]", "f32[4,2,2]"]);
    // A batched dot_general: both operands carry the lane axis.
    const [dot] = eqnsOf(j, "dot_general");
    expect(dot!.inputs.map(typeOf)).toEqual(["f32[4,2]", "f32[4,2,2]"]);
    expect(dot!.params.dimension_numbers[1]).toEqual([[0], [0]]);
  });

  it("with hoisting, w is an unbatched f32[2,2] body const and nothing is f32[4,2,2] inside the loop", () => {
    const j = makeJaxpr(vmap(seed, { inAxes: [null, 0, 0] }))(W, XS, CMAX);
    printChecked(j);
    const [w] = eqnsOf(j, "while");
    expect(w!.params.body_nconsts).toBe(1);
    expect(w!.outputs.map(typeOf)).toEqual(["i32[4]", "f32[4,2]"]);
    expect(typeOf(w!.params.body_jaxpr.invars[0]!)).toBe("f32[2,2]");
    expect(w!.inputs[w!.params.cond_nconsts]).toBe(j.jaxpr.invars[0]); // the body const is the argument w itself
    const [dot] = eqnsOf(j, "dot_general");
    expect(dot!.inputs.map(typeOf)).toEqual(["f32[4,2]", "f32[2,2]"]);
    // The only f32[4,2,2] is the final broadcast that outAxes 0 asks for, outside the loop.
    expect(eqnsOf(w!.params.body_jaxpr, "broadcast_in_dim")).toHaveLength(0);
  });

  it("only with hoisting does outAxes [null, 0] succeed (and return the input w itself)", () => {
    const [w2] = vmap(seed, { inAxes: [null, 0, 0], outAxes: [null, 0] })(W, XS, CMAX);
    expect(w2).toBe(W);
    expect(() => vmap(seed, { inAxes: [null, 0, 0], outAxes: [null, 0], hoistInvariantCarries: false })(W, XS, CMAX)).toThrow(VmapError);
    expect(() => vmap(seed, { inAxes: [null, 0, 0], outAxes: [null, 0], hoistInvariantCarries: false })(W, XS, CMAX)).toThrow(
      "outAxes for output[0] is null, but the output is batched (f32[4,2,2], batch axis 0)",
    );
  });
});

describe("the seed scenario (google/flax#4700) with a module carried through the loop", () => {
  it("keeps W and b unbatched end to end; the model comes back as the input model's arrays", () => {
    const out = vmap(foo, { inAxes: [null, 0, 0], outAxes: { y: 0, model: null } })(MODEL, FOO_XS, FOO_COUNTS);
    expect(out.model).toBeInstanceOf(Affine);
    expect(out.model.w).toBe(MODEL.w);
    expect(out.model.b).toBe(MODEL.b);
    const j = makeJaxpr(vmap(foo, { inAxes: [null, 0, 0], outAxes: { y: 0, model: null } }))(MODEL, FOO_XS, FOO_COUNTS);
    const text = printChecked(j);
    expect(text).not.toMatch(/f32\[3,2,2\]/);
    const [w] = eqnsOf(j, "while");
    expect(w!.params.body_jaxpr.invars.slice(0, w!.params.body_nconsts).map(typeOf).sort()).toEqual(["f32[2,2]", "f32[2]"]);
  });
});

describe("test_scan_readonly_carry_optimization (flax#4709): a read-only scan carry inside a batched cond", () => {
  it("with hoisting: outAxes null works and returns y itself", () => {
    const y = f32(3);
    const out = vmap(scanInCond, { inAxes: [0, null], outAxes: null })(ARANGE3, y);
    expect(out).toBe(y);
    // The scan forwarded y, the cond forwarded it on every branch: nothing is left to batch.
    const j = makeJaxpr(vmap(scanInCond, { inAxes: [0, null], outAxes: null }))(ARANGE3, y);
    expect(printChecked(j)).toBe("{ lambda ; a:f32[3] b:f32[]. let\n  in (b,) }");
  });

  it("without hoisting: the batched cond batches the scan's result, so outAxes null is an error", () => {
    expect(() => vmap(scanInCond, { inAxes: [0, null], outAxes: null, hoistInvariantCarries: false })(ARANGE3, f32(3))).toThrow(
      "outAxes for output is null, but the output is batched (f32[3], batch axis 0)",
    );
  });
});
