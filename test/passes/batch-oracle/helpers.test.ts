// The oracle's own array helpers, against hand-written values (they are the
// reference for everything else in this folder, so they get checked first).

import { describe, expect, it } from "vitest";
import { fromNested, toNested } from "../../../src/ir/value.js";
import { stackLanes, takeLane, valueMismatch } from "./arrays.js";

describe("oracle helpers", () => {
  const x = fromNested([[[0, 1, 2], [3, 4, 5]], [[6, 7, 8], [9, 10, 11]]], "int32"); // shape [2,2,3]

  it("takeLane drops the given axis", () => {
    expect(toNested(takeLane(x, 0, 1))).toEqual([[6, 7, 8], [9, 10, 11]]);
    expect(toNested(takeLane(x, 1, 0))).toEqual([[0, 1, 2], [6, 7, 8]]);
    expect(toNested(takeLane(x, 2, 2))).toEqual([[2, 5], [8, 11]]);
    expect(toNested(takeLane(fromNested([4, 5], "float32"), 0, 1))).toEqual(5);
  });

  it("stackLanes inserts a new axis", () => {
    const a = fromNested([1, 2, 3], "float32");
    const b = fromNested([4, 5, 6], "float32");
    expect(toNested(stackLanes([a, b], 0))).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(toNested(stackLanes([a, b], 1))).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(toNested(stackLanes([fromNested(true, "bool"), fromNested(false, "bool")], 0))).toEqual([true, false]);
  });

  it("takeLane undoes stackLanes at every axis", () => {
    const lanes = [0, 1].map((i) => takeLane(x, 0, i)); // two [2,3] lanes
    for (const axis of [0, 1, 2]) {
      const s = stackLanes(lanes, axis);
      lanes.forEach((l, i) => expect(toNested(takeLane(s, axis, i))).toEqual(toNested(l)));
    }
  });

  it("valueMismatch: exact for ints, rtol 1e-5 for floats, NaN equals NaN", () => {
    expect(valueMismatch(fromNested([1, 2], "int32"), fromNested([1, 2], "int32"))).toBeNull();
    expect(valueMismatch(fromNested([1, 3], "int32"), fromNested([1, 2], "int32"))).toMatch(/element 1/);
    expect(valueMismatch(fromNested([1000.001], "float32"), fromNested([1000], "float32"))).toBeNull();
    expect(valueMismatch(fromNested([1000.1], "float32"), fromNested([1000], "float32"))).toMatch(/element 0/);
    expect(valueMismatch(fromNested([NaN], "float32"), fromNested([NaN], "float32"))).toBeNull();
    expect(valueMismatch(fromNested([1], "float32"), fromNested([1], "int32"))).toMatch(/dtype/);
    expect(valueMismatch(fromNested([1, 2], "float32"), fromNested([[1, 2]], "float32"))).toMatch(/shape/);
  });
});
