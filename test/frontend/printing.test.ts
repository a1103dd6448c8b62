// How arrays print, against numpy's own output: `toString()` is numpy's str,
// `console.log` / `util.inspect` give JAX's repr (`Array([1., 2.], dtype=float32)`).
// The expected strings are in test/fixtures/repr.json, written by
// scripts/gen_repr_fixtures.py with numpy (`npm run fixtures`).
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { makeJaxpr, np, vmap, whileLoop } from "../../src/index.js";
import { TypedScalar } from "../../src/frontend/scalar.js";
import { decodeArray, type EncodedArray } from "../fixtures/primitives.js";

interface ReprCase extends EncodedArray {
  readonly name: string;
  readonly str: string;
  readonly repr: string;
}

const CASES = (JSON.parse(readFileSync(new URL("../fixtures/repr.json", import.meta.url), "utf8")) as { cases: ReprCase[] }).cases;

describe("printing matches numpy (fixtures)", () => {
  it.each(CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const x = np.Array.fromValue(decodeArray(c));
    expect(x.toString()).toBe(c.str);
    expect(`${x}`).toBe(c.str);
    expect(inspect(x)).toBe(c.repr);
  });
});

describe("printing in use", () => {
  it("console.log shows the repr, not the class internals", () => {
    const shown = inspect({ weights: np.array([1, 2, 3]) });
    expect(shown).toBe("{ weights: Array([1., 2., 3.], dtype=float32) }");
    expect(inspect(np.array([1, 2, 3], { dtype: "int32" }))).toBe("Array([1, 2, 3], dtype=int32)");
    expect(inspect(np.zeros([2, 0, 3]))).toBe("Array([], shape=(2, 0, 3), dtype=float32)");
  });

  it("a tracer shows its type, not the trace builder", () => {
    const seen: string[] = [];
    makeJaxpr((x: np.Array) => {
      seen.push(inspect(x), inspect([x.sum()]), x.toString());
      return x;
    })(np.ShapeDtype([3], "float32"));
    expect(seen).toEqual(["Traced<f32[3]>", "[ Traced<f32[]> ]", "Traced<f32[3]>"]);
    // Inside a loop body and under vmap the tracer is per-example.
    whileLoop((i) => i.lt(1), (i) => (seen.push(inspect(i)), i.add(1)), 0);
    vmap((r: np.Array) => (seen.push(inspect(r)), r))(np.zeros([4, 2]));
    expect(seen.slice(3)).toEqual(["Traced<i32[]>", "Traced<f32[2]>"]);
  });

  it("the summarised form keeps large arrays short", () => {
    const big = np.arange(1_000_000);
    expect(inspect(big)).toBe("Array([     0,      1,      2, ..., 999997, 999998, 999999], dtype=int32)");
    expect(big.reshape([1000, 1000]).toString().split("\n")).toHaveLength(7);
  });

  it("other values a user may log", () => {
    expect(inspect(np.ShapeDtype([3, 4], "int32"))).toBe("ShapeDtype((3, 4), int32)");
    expect(String(np.ShapeDtype([2]))).toBe("ShapeDtype((2,), float32)");
    // The typed literal a JS number becomes once its dtype is known.
    expect(inspect(new TypedScalar(2, "float32"))).toBe("TypedScalar(2.0:f32[])");
    expect(String(new TypedScalar(true, "bool"))).toBe("True:bool[]");
  });
});
