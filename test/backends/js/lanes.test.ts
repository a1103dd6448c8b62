// What is particular to the js backend's active-lane execution: its runtime's
// lane sets follow the interpreter's mask rules, and a loop of scalar lanes
// keeps its state in JS locals. The cases every compiled backend shares
// (lane-iteration counts through the debug hook, finished lanes untouched,
// nested lanes, the seed scenario) are in test/backends/semantics/lanes.test.ts.
import { describe, expect, it } from "vitest";
import { maskForLanes } from "../../../src/backends/interpreter/mask.js";
import { runtime } from "../../../src/backends/js/runtime.js";
import { SCALAR_LANES } from "../semantics/lane_programs.js";
import { compile } from "./helpers.js";

describe("lane sets follow the interpreter's mask rules", () => {
  it("lanesInit matches maskForLanes for equal, prefix, longer and unrelated shapes", () => {
    const from = runtime.laneSet([2, 3]);
    from.mask.set([1, 0, 0, 0, 0, 1]);
    for (const shape of [[2, 3], [2], [2, 3, 2], [3], [4, 3]]) {
      const s = runtime.laneSet(shape);
      runtime.lanesInit(s, from);
      const want = maskForLanes({ dtype: "bool", shape: [2, 3], data: from.mask }, shape) ?? new Uint8Array(s.n).fill(1);
      expect(Array.from(s.mask), `[${shape}]`).toEqual(Array.from(want));
      expect(Array.from(s.list.subarray(0, s.count))).toEqual(Array.from(want).flatMap((m, l) => (m ? [l] : [])));
    }
  });
});

describe("scalar lanes run lane by lane", () => {
  // Results (against the interpreter and by hand) and hook counts: the shared lanes test.
  it("keeps the loop state in locals (one function call, no per-iteration kernels)", () => {
    const prog = compile(SCALAR_LANES);
    const run = prog.source.slice(prog.source.indexOf("return function run"));
    expect(run).not.toMatch(/for \(;;\)/);
    expect(prog.source).toMatch(/let [^;]*\br\d+ = 0/); // registers are locals
  });
});
