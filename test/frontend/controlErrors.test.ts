// JS logic on arrays inside loop conditions, and carries typed by a JS number
// (issue #11 items 7 and 20): errors that say what happened and what to write.
import { describe, expect, it } from "vitest";
import { jit, np, whileLoop } from "../../src/index.js";

const HELP = /Use a\.and\(b\) or np\.logicalAnd\(a, b\), a\.or\(b\) or np\.logicalOr\(a, b\), and a\.not\(\) or np\.logicalNot\(a\)/;

describe("whileLoop cond functions that use JS logic", () => {
  it("`c.lt(3) && true` returns a JS true: an error, not an endless loop", () => {
    const f = () => whileLoop((c: np.Array) => (c.lt(3) && true) as unknown as np.Array, (c) => c.add(1), 0);
    expect(f).toThrow(/whileLoop condFn returned the JS boolean true, not a bool\[\] array/);
    expect(f).toThrow(HELP);
  });

  it("`!c.ge(3)` is always false: an error", () => {
    const f = () => whileLoop((c: np.Array) => !c.ge(3) as unknown as np.Array, (c) => c.add(1), 0);
    expect(f).toThrow(/returned the JS boolean false/);
  });

  it("`c.lt(n) && c.gt(0)` drops the first comparison: an error naming it, eagerly and under jit", () => {
    const loop = (n: np.Array) => whileLoop((c: np.Array) => c.lt(n) && c.gt(0), (c) => c.add(1), 1);
    const want = /whileLoop condFn computed a comparison \(`lt`, bool\[\]\) whose result does not reach the value it returns/;
    expect(() => loop(np.array(5, { dtype: "int32" }))).toThrow(want);
    expect(() => jit(loop)(np.array(5, { dtype: "int32" }))).toThrow(want);
    expect(() => loop(np.array(5, { dtype: "int32" }))).toThrow(HELP);
  });

  it("the same conditions written with array logic run", () => {
    const loop = (n: np.Array) => whileLoop((c: np.Array) => c.lt(n).and(c.gt(0)), (c) => c.add(1), 1);
    expect(loop(np.array(5, { dtype: "int32" })).item()).toBe(5);
    expect(whileLoop((c: np.Array) => c.ge(3).not(), (c) => c.add(1), 0).item()).toBe(3);
    expect(whileLoop((c: np.Array) => np.logicalOr(c.lt(2), c.eq(2)), (c) => c.add(1), 0).item()).toBe(3);
  });

  it("a cond returning a non-bool array says what to return", () => {
    expect(() => whileLoop((c: np.Array) => c.add(1), (c) => c.add(1), 0)).toThrow(
      "whileLoop condFn must return a scalar bool, got i32[]: return a bool[] array, e.g. from a comparison such as x.lt(n)",
    );
  });
});

describe("a carry typed by a JS number in the init", () => {
  it("an integer init makes an int32 carry: the error says so and how to carry floats", () => {
    const x = np.array(0.5);
    expect(() => whileLoop(([i]: np.Array[]) => i!.lt(3), ([i, s]) => [i!.add(1), s!.add(x)], [0, 0])).toThrow(
      'whileLoop body output carry[1]: expected i32[], got f32[]. The init value at carry[1] is the JS integer 0, which makes an int32 carry (JS cannot tell 0 from 0.0); to carry float32, initialise it with np.array(0, { dtype: "float32" })',
    );
  });
  it("a carry from an array init gets no such hint", () => {
    expect(() => whileLoop((s: np.Array) => s.lt(3), (s) => s.add(0.5), np.array(0, { dtype: "int32" }))).toThrow(
      /^whileLoop body output carry: expected i32\[\], got f32\[\]$/,
    );
  });
});
