// vmap × cond/switchCase/scan/select: JAX's cases (reference §4 rows 17–22,
// 24, 28, and issue #2947) with hand-derived values or plain-JS references,
// the structural checks JAX makes (a batched index keeps a per-lane `cond`
// with an `i32[B]` index here — never a select_n), and the per-lane oracle.
//
// Values run in every mode (eagerly, and through jit on every backend:
// test/helpers/backends.ts); jaxpr checks, `is` identity and the
// interpreter's loop iteration counts run once.
import { describe, expect, it } from "vitest";
import { cond, makeJaxpr, np, scan, switchCase, vmap, whileLoop } from "../../../src/index.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { RUN_MODES } from "../../helpers/backends.js";
import { printChecked } from "../../helpers/ir.js";
import { eqnsOf, primsIn, typeOf } from "./irQuery.js";
import { type Nested, countWhileBodyRuns, expectMatchesPerLane, f32, int, laneOf, randn, rng, stackAt } from "./lanes.js";

/** `{ cond present, select_n absent, index type }` of a traced batched program. */
function condShape(j: ReturnType<ReturnType<typeof makeJaxpr>>) {
  printChecked(j);
  const conds = eqnsOf(j, "cond");
  return { conds: conds.length, selectN: primsIn(j).has("select_n"), index: conds.map((e) => typeOf(e.inputs[0]!)) };
}

/** test_cond_vmap_forwarding_doesnt_promote (row 17): a pass-through operand. */
const forwarding = (x: np.Array, y: np.Array) => cond(x.lt(3), (x, y) => [x.mul(2), y], (x, y) => [x.mul(3), y], x, y);

/** testCondBatched (row 18): cond(x<3, y, -z). */
const condBatched = (x: np.Array, y: np.Array, z: np.Array) => cond(x.lt(3), (y) => y, (_y, z) => z.neg(), y, z);
const COND_CASES = [
  { inAxes: [null, 0, 0], args: [int(2), int([1, 2]), int([3, 4])], want: [1, 2], predBatched: false },
  { inAxes: [null, 0, 0], args: [int(4), int([1, 2]), int([3, 4])], want: [-3, -4], predBatched: false },
  { inAxes: [null, 0, null], args: [int(4), int([1, 2]), int(5)], want: [-5, -5], predBatched: false },
  { inAxes: [0, 0, null], args: [int([2, 4]), int([1, 2]), int(5)], want: [1, -5], predBatched: true },
  { inAxes: [0, 0, 0], args: [int([2, 4]), int([1, 2]), int([3, 4])], want: [1, -4], predBatched: true },
] as const;

/** testSwitchBatched (row 19): switch(i, [xyz[0], -xyz[1], sign(xyz[2])]). */
const switchBatched = (i: np.Array, x: np.Array, y: np.Array, z: np.Array) =>
  switchCase(i, [([x]) => x, ([, y]) => y.neg(), ([, , z]) => np.sign(z)], [x, y, z]);
const SWITCH_CASES = [
  { inAxes: [null, 0, 0, null], args: [int(0), int([1, 2]), int([3, 4]), int(9)], want: [1, 2], batched: false },
  { inAxes: [null, 0, 0, null], args: [int(1), int([1, 2]), int([3, 4]), int(9)], want: [-3, -4], batched: false },
  { inAxes: [null, 0, null, null], args: [int(1), int([1, 2]), int(5), int(9)], want: [-5, -5], batched: false },
  // Hand-derived extras: branch 2 with an unbatched operand broadcasts sign(9) = 1.
  { inAxes: [null, 0, 0, null], args: [int(2), int([1, 2]), int([3, 4]), int(9)], want: [1, 1], batched: false },
  { inAxes: [0, 0, null, null], args: [int([0, 1]), int([1, 2]), int(5), int(9)], want: [1, -5], batched: true },
  { inAxes: [0, 0, 0, 0], args: [int([0, 1]), int([1, 2]), int([3, 4]), int([9, 9])], want: [1, -4], batched: true },
  // Out-of-range indices clamp, lane by lane: 5 → branch 2, -1 → branch 0.
  { inAxes: [0, 0, 0, 0], args: [int([5, -1]), int([1, 2]), int([3, 4]), int([-9, 9])], want: [-1, 2], batched: true },
] as const;

/** test_disable_jit_cond_with_vmap (row 24): cond(t>0, →0, →1). */
const constBranches = (t: np.Array) => cond(t.gt(0), () => 0, () => 1);

// JAX #2947: count up to 0 from below on x<0 lanes, down to 0 from above on the others: on the
// other branch's lanes either loop would never end. JAX turns a batched cond into select(both
// branches), running both loops on every lane. The per-lane cond runs each branch, and its loop,
// only on the lanes that took it. (A step cap keeps a regression from hanging the suite: it would
// show up as 1000 body runs instead of the slowest own lane's count.)
const toZero = (step: number) => (x: np.Array) => whileLoop(([v, k]) => v.ne(0).and(k.lt(1000)), ([v, k]) => [v.add(step), k.add(1)], [x, 0])[0];
const issue2947 = (x: np.Array) => cond(x.lt(0), toZero(1), toZero(-1), x);
const XS_2947 = int([-3, 5, -1, 2, 0]);
/** JAX #2947, exact form: cond(x<0, whileLoop(v<0, v+1), identity). */
const issue2947Exact = (x: np.Array) => cond(x.lt(0), (x) => whileLoop((v) => v.lt(0), (v) => v.add(1), x), (x) => x, x);

/** testScanVmapFixpoint (row 20): a shifting carry tuple. */
const shiftingCarry = (ci: np.Array) => scan((c, _x) => [[c[1], c[2], c[3], 0], null], [f32(0), f32(1), f32(2), ci], np.zeros([2]))[0];

/** testScanVmapTuples (row 22): tuple carry and xs. */
const scanTuples = (c: readonly [np.Array, np.Array], as: readonly [np.Array, np.Array]) =>
  scan(
    ([c1, c2], [a1, a2]) => {
      const b = np.cos(a1).sum().mul(c2.mul(a2).sum());
      return [[c1.mul(np.sin(a1.mul(a2).sum())), c2.mul(np.cos(a1.sum()))], b] as const;
    },
    c,
    as,
  );

/** testSelect (lax_vmap_test row 28): np.where(c < 0, x, y). */
const select = (c: np.Array, x: np.Array, y: np.Array) => np.where(c.lt(0), x, y);
/** Plain-JS reference for one lane of `select`. */
const selectRef = (c: Nested, x: Nested, y: Nested): Nested =>
  Array.isArray(x) ? x.map((xi, i) => selectRef(Array.isArray(c) ? c[i]! : c, xi, (y as Nested[])[i]!)) : (c as number) < 0 ? x : y;
const SELECT_SHAPES: [number[], number[]][] = [
  [[], []],
  [[], [3]],
  [[3], [3]],
  [[], [2, 3]],
  [[2, 3], [2, 3]],
];

// ---------------------------------------------------------------- values, in every mode

describe.each(RUN_MODES)("vmap × cond/scan/select values (%s)", (_mode, { run }) => {
  const matches = (f: (...args: never[]) => unknown, options: Parameters<typeof expectMatchesPerLane>[1], args: readonly unknown[], tol = {}) =>
    expectMatchesPerLane(f, options, args, tol, run);

  describe("cond under vmap", () => {
    it("test_cond_vmap_forwarding_doesnt_promote (row 17): x2 = [0,2,4]", () => {
      const [x2] = run(vmap(forwarding, { inAxes: [0, null], outAxes: [0, null] }))(np.arange(3), f32(3));
      expect(x2.toArray()).toEqual([0, 2, 4]);
      matches(forwarding, { inAxes: [0, null] }, [np.arange(3), f32(3)]);
    });

    describe("testCondBatched (row 18): cond(x<3, y, -z)", () => {
      for (const c of COND_CASES) {
        it(`inAxes ${JSON.stringify(c.inAxes)}, x=${c.args[0].toString()} → [${c.want}]`, () => {
          expect(run(vmap(condBatched, { inAxes: c.inAxes }))(...c.args).toArray()).toEqual(c.want);
          matches(condBatched, { inAxes: c.inAxes }, c.args);
        });
      }
    });

    describe("testSwitchBatched (row 19): switch(i, [xyz[0], -xyz[1], sign(xyz[2])])", () => {
      for (const c of SWITCH_CASES) {
        it(`inAxes ${JSON.stringify(c.inAxes)}, i=${c.args[0].toString()} → [${c.want}]`, () => {
          expect(run(vmap(switchBatched, { inAxes: c.inAxes }))(...c.args).toArray()).toEqual(c.want);
          matches(switchBatched, { inAxes: c.inAxes }, c.args);
        });
      }
    });

    it("test_disable_jit_cond_with_vmap (row 24): cond(t>0, →0, →1) on [1] → [0] (and [1,-1,0] → [0,1,1])", () => {
      const out = run(vmap(constBranches))(int([1]));
      expect([out.dtype, out.toArray()]).toEqual(["int32", [0]]);
      expect(run(vmap(constBranches))(int([1, -1, 0])).toArray()).toEqual([0, 1, 1]);
      matches(constBranches, {}, [int([1, -1, 0])]);
    });

    it("JAX #2947: loops that only terminate on their own branch's lanes terminate under a batched cond", () => {
      expect(run(vmap(issue2947))(XS_2947).toArray()).toEqual([0, 0, 0, 0, 0]);
      matches(issue2947, {}, [XS_2947]);
    });

    it("JAX #2947, exact form: cond(x<0, whileLoop(v<0, v+1), identity)", () => {
      expect(run(vmap(issue2947Exact))(int([-3, 5, -1, 2])).toArray()).toEqual([0, 5, 0, 2]);
      matches(issue2947Exact, {}, [int([-3, 5, -1, 2])]);
    });
  });

  describe("scan under vmap", () => {
    it("testScanVmapFixpoint (row 20): a shifting carry tuple → ([2,2,2], [3,4,5], [0,0,0], [0,0,0])", () => {
      expectAllClose(run(vmap(shiftingCarry))(f32([3, 4, 5])), [[2, 2, 2], [3, 4, 5], [0, 0, 0], [0, 0, 0]]);
      matches(shiftingCarry, {}, [f32([3, 4, 5])]);
    });

    describe("testScanVmap (row 21): b = cos(Σsin a + Σcos c + Σd); c = sin(c·b), size 7", () => {
      const next = rng(21);
      const d = randn(next, [2]) as number[];
      const dArr = f32(d);
      const body = (c: np.Array, a: np.Array) => {
        const b = np.cos(np.sin(a).sum().add(np.cos(c).sum()).add(dArr.sum()));
        return [np.sin(c.mul(b)), b] as const;
      };
      const f = (c: np.Array, as: np.Array) => scan(body, c, as);
      // JAX's `scan_reference`, in plain JS doubles.
      const sum = (v: number[]) => v.reduce((s, x) => s + x, 0);
      const scanReference = (c: number[], as: number[][]): [number[], number[]] => {
        const bs: number[] = [];
        for (const a of as) {
          const b = Math.cos(sum(a.map(Math.sin)) + sum(c.map(Math.cos)) + sum(d));
          c = c.map((ci) => Math.sin(ci * b));
          bs.push(b);
        }
        return [c, bs];
      };
      for (const cAxis of [null, 0, 1] as const) {
        for (const asAxis of [null, 0, 1, 2] as const) {
          if (cAxis === null && asAxis === null) continue;
          it(`inAxes [${cAxis}, ${asAxis}]`, () => {
            const cShape = [4], asShape = [5, 3];
            if (cAxis !== null) cShape.splice(cAxis, 0, 7);
            if (asAxis !== null) asShape.splice(asAxis, 0, 7);
            const c = randn(next, cShape), as = randn(next, asShape);
            const [cOut, bs] = run(vmap(f, { inAxes: [cAxis, asAxis] }))(f32(c), f32(as));
            const lanes = Array.from({ length: 7 }, (_, l) =>
              scanReference((cAxis === null ? c : laneOf(c, cAxis, l)) as number[], (asAxis === null ? as : laneOf(as, asAxis, l)) as number[][]),
            );
            expectAllClose(cOut, lanes.map(([cl]) => cl), { rtol: 1e-4, atol: 1e-5 });
            expectAllClose(bs, lanes.map(([, b]) => b), { rtol: 1e-4, atol: 1e-5 });
            matches(f, { inAxes: [cAxis, asAxis] }, [f32(c), f32(as)], { rtol: 1e-5, atol: 1e-5 });
          });
        }
      }
    });

    it("testScanVmapTuples (row 22): tuple carry and xs, inAxes [0, [1, 2]]", () => {
      const next = rng(22);
      const as1 = randn(next, [3, 7]), as2 = randn(next, [3, 4, 7]);
      const c1 = randn(next, [7, 2]), c2 = randn(next, [7]);
      const args = [[f32(c1), f32(c2)], [f32(as1), f32(as2)]] as const;
      const [[c1Out, c2Out], bs] = run(vmap(scanTuples, { inAxes: [0, [1, 2]] }))(...args);
      // Plain-JS reference, lane by lane: per step x1 is a scalar, x2 a [4] vector.
      const sum = (v: number[]) => v.reduce((s, x) => s + x, 0);
      const lanes = Array.from({ length: 7 }, (_, l) => {
        let k1 = (c1 as number[][])[l]!, k2 = (c2 as number[])[l]!;
        const b: number[] = [];
        for (let t = 0; t < 3; t++) {
          const x1 = laneOf(as1, 1, l) as number[], x2 = (laneOf(as2, 2, l) as number[][])[t]!;
          b.push(Math.cos(x1[t]!) * sum(x2.map((v) => k2 * v)));
          [k1, k2] = [k1.map((v) => v * Math.sin(sum(x2.map((w) => x1[t]! * w)))), k2 * Math.cos(x1[t]!)];
        }
        return { k1, k2, b };
      });
      expectAllClose(c1Out, lanes.map((l) => l.k1), { rtol: 1e-4, atol: 1e-5 });
      expectAllClose(c2Out, lanes.map((l) => l.k2), { rtol: 1e-4, atol: 1e-5 });
      expectAllClose(bs, lanes.map((l) => l.b), { rtol: 1e-4, atol: 1e-5 });
      matches(scanTuples, { inAxes: [0, [1, 2]] }, args, { rtol: 1e-5, atol: 1e-5 });
    });
  });

  describe("testSelect (lax_vmap_test row 28): np.where(c < 0, x, y), size 5, every bdim combination", () => {
    for (const [predShape, argShape] of SELECT_SHAPES) {
      it(`pred shape [${predShape}], arg shape [${argShape}]`, () => {
        const next = rng(28 + predShape.length * 10 + argShape.length);
        const dimsFor = (rank: number) => [null, ...Array.from({ length: rank + 1 }, (_, i) => i)];
        let combos = 0;
        for (const cd of dimsFor(predShape.length)) {
          for (const xd of dimsFor(argShape.length)) {
            for (const yd of dimsFor(argShape.length)) {
              if (cd === null && xd === null && yd === null) continue;
              const withBatch = (shape: number[], d: number | null) => (d === null ? shape : [...shape.slice(0, d), 5, ...shape.slice(d)]);
              const trunc = (v: Nested): Nested => (Array.isArray(v) ? v.map(trunc) : Math.trunc(2 * (v as number)));
              const c = trunc(randn(next, withBatch(predShape, cd))); // small ints, about half negative
              const x = randn(next, withBatch(argShape, xd)), y = randn(next, withBatch(argShape, yd));
              const out = run(vmap(select, { inAxes: [cd, xd, yd] }))(int(c), f32(x), f32(y));
              const lane = (v: Nested, d: number | null, l: number) => (d === null ? v : laneOf(v, d, l));
              const want = stackAt(Array.from({ length: 5 }, (_, l) => selectRef(lane(c, cd, l), lane(x, xd, l), lane(y, yd, l))), 0);
              expectAllClose(out, want);
              matches(select, { inAxes: [cd, xd, yd] }, [int(c), f32(x), f32(y)]);
              combos++;
            }
          }
        }
        const n = (r: number) => r + 2;
        expect(combos).toBe(n(predShape.length) * n(argShape.length) ** 2 - 1);
      });
    }
  });
});

// ---------------------------------------------------------------- jaxprs, identity, loop iteration counts (one run)

describe("cond under vmap: jaxprs", () => {
  it("test_cond_vmap_forwarding_doesnt_promote (row 17): the pass-through y stays unbatched", () => {
    const y = f32(3);
    const [, y2] = vmap(forwarding, { inAxes: [0, null], outAxes: [0, null] })(np.arange(3), y);
    expect(y2).toBe(y); // JAX: `y2 is y`
    // The cond itself has one output: y was pruned as a pass-through.
    const j = makeJaxpr(vmap(forwarding, { inAxes: [0, null], outAxes: [0, null] }))(np.arange(3), y);
    const [c] = eqnsOf(j, "cond");
    expect(c!.outputs.map((v) => typeOf(v))).toEqual(["i32[3]"]);
    expect(printChecked(j)).toMatch(/in \(\w+, b\) \}$/);
  });

  describe("testCondBatched (row 18): unbatched predicate: one cond with a scalar index, batched branches; batched: the cond's index is i32[2]", () => {
    for (const c of COND_CASES) {
      it(`inAxes ${JSON.stringify(c.inAxes)}, x=${c.args[0].toString()}`, () => {
        const shape = condShape(makeJaxpr(vmap(condBatched, { inAxes: c.inAxes }))(...c.args));
        expect(shape).toEqual({ conds: 1, selectN: false, index: [c.predBatched ? "i32[2]" : "i32[]"] });
      });
    }
  });

  describe("testSwitchBatched (row 19): one cond, never a select_n", () => {
    for (const c of SWITCH_CASES) {
      it(`inAxes ${JSON.stringify(c.inAxes)}, i=${c.args[0].toString()}`, () => {
        expect(condShape(makeJaxpr(vmap(switchBatched, { inAxes: c.inAxes }))(...c.args))).toEqual({ conds: 1, selectN: false, index: [c.batched ? "i32[2]" : "i32[]"] });
      });
    }
  });

  it("JAX #2947: each branch's loop runs only for its own lanes (3 and 5 steps), in a per-lane cond", () => {
    const { result, bodyRuns } = countWhileBodyRuns(() => vmap(issue2947)(XS_2947));
    expect(result.toArray()).toEqual([0, 0, 0, 0, 0]);
    // x<0 lanes (-3, -1) need 3 steps; the others (5, 2, 0) need 5.
    expect([...bodyRuns].sort()).toEqual([3, 5]);
    expect(condShape(makeJaxpr(vmap(issue2947))(XS_2947))).toEqual({ conds: 1, selectN: false, index: ["i32[5]"] });
  });
});

describe("scan under vmap: jaxprs", () => {
  it("testScanVmapFixpoint (row 20): the fixpoint batches every carry", () => {
    // Batchedness propagates left through the carries (c2 ← c3, c1 ← c2, c0 ← c1): the fixpoint
    // needs three rounds to batch them all; stopping early would give a carry a wrong type.
    const [s] = eqnsOf(makeJaxpr(vmap(shiftingCarry))(f32([3, 4, 5])), "scan");
    expect(s!.outputs.map(typeOf)).toEqual(["f32[3]", "f32[3]", "f32[3]", "f32[3]"]);
  });
});
