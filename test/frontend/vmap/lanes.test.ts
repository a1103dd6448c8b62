// The oracle helpers themselves, on hand-derived data: if they were wrong,
// every "matches the per-lane oracle" assertion would be vacuous.
import { describe, expect, it } from "vitest";
import { np, whileLoop } from "../../../src/index.js";
import { allCloseMismatch } from "../../helpers/allclose.js";
import { countWhileBodyRuns, int, laneOf, perLane, randn, rng, stackAt } from "./lanes.js";

describe("per-lane oracle helpers", () => {
  const x = [[[0, 1], [2, 3], [4, 5]], [[6, 7], [8, 9], [10, 11]]]; // shape [2,3,2]

  it("laneOf takes one index along an axis; stackAt inverts it", () => {
    expect(laneOf(x, 0, 1)).toEqual([[6, 7], [8, 9], [10, 11]]);
    expect(laneOf(x, 1, 2)).toEqual([[4, 5], [10, 11]]);
    expect(laneOf(x, 2, 0)).toEqual([[0, 2, 4], [6, 8, 10]]);
    for (const axis of [0, 1, 2]) {
      const n = [2, 3, 2][axis]!;
      expect(stackAt(Array.from({ length: n }, (_, l) => laneOf(x, axis, l)), axis)).toEqual(x);
    }
  });

  it("perLane slices mapped arguments, passes unmapped ones whole, and accepts negative axes", () => {
    const lanes = perLane((a: np.Array, b: np.Array) => a.sum().add(b), [int(x), int(100)], [-2, null]);
    // Lane k sums x[:, k, :]: 0+1+6+7 = 14, 2+3+8+9 = 22, 4+5+10+11 = 30.
    expect(lanes.map((l) => (l as np.Array).toArray())).toEqual([114, 122, 130]);
  });

  it("a stacked wrong answer is caught", () => {
    const lanes = perLane((a: np.Array) => a.mul(2), [int([[1, 2], [3, 4]])], 1);
    const expected = stackAt(lanes.map((l) => (l as np.Array).toArray() as number[]), 0);
    expect(expected).toEqual([[2, 6], [4, 8]]);
    expect(allCloseMismatch([[2, 6], [4, 9]], expected)).not.toBeNull();
  });

  it("randn is seeded: the same seed gives the same float32 data", () => {
    const a = randn(rng(7), [3, 2]), b = randn(rng(7), [3, 2]);
    expect(a).toEqual(b);
    const flat = (a as number[][]).flat();
    expect(flat.every((v) => Math.fround(v) === v && Math.abs(v) < 6)).toBe(true);
    expect(new Set(flat).size).toBe(6);
  });

  it("countWhileBodyRuns counts body evaluations per loop (inner loops first) and restores the interpreter", () => {
    const f = () => whileLoop(([i]) => i.lt(2), ([i, s]) => [i.add(1), whileLoop((v) => v.lt(3), (v) => v.add(1), s)], [0, 0]);
    const { result, bodyRuns } = countWhileBodyRuns(f);
    expect(result[1].toArray()).toEqual(3);
    expect(bodyRuns).toEqual([3, 0, 2]); // inner (0 → 3), inner again (already 3), outer
    expect(countWhileBodyRuns(() => 1).bodyRuns).toEqual([]);
  });
});
