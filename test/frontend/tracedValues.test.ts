// Tracers where JS code meets them (issue #11 items 15 and 19): np.array of
// traced values stacks them, static arguments that got a tracer say how to keep
// them static, and no message or JSON shows a tracer's internals.
import { describe, expect, it } from "vitest";
import { foriLoop, jit, makeJaxpr, np, runJaxpr } from "../../src/index.js";
import { RUN_MODES } from "../helpers/backends.js";

describe.each(RUN_MODES)("np.array of traced values (%s)", (_name, { run }) => {
  it("stacks arrays, as jnp.array does", () => {
    const f = run((a: np.Array, b: np.Array) => np.array([a, b.mul(2)]));
    expect(f(np.array([1, 2]), np.array([3, 4])).toArray()).toEqual([[1, 2], [6, 8]]);
  });
  it("nests, promotes with JS numbers weakly typed, and honours a dtype", () => {
    const f = run((a: np.Array) => np.array([[a, 2], [3, a.mul(2)]]));
    const out = f(np.array(1.5));
    expect([out.dtype, out.toArray()]).toEqual(["float32", [[1.5, 2], [3, 3]]]);
    const g = run((a: np.Array) => np.array([a, 7], { dtype: "float32" }));
    const outG = g(np.array(2, { dtype: "int32" }));
    expect([outG.dtype, outG.toArray()]).toEqual(["float32", [2, 7]]);
  });
});

describe("np.array of traced values: errors", () => {
  it("ragged data names the element", () => {
    expect(() => jit((a: np.Array) => np.array([a, np.zeros([3])]))(np.zeros([2]))).toThrow(
      "array: element [1] has shape (3,) but element [0] has (2,); nested data must be rectangular",
    );
  });
});

describe("static arguments that got a tracer", () => {
  const x = np.ones([2]);
  it("a JS number passed to jit and used as a shape says how to make it static", () => {
    const f = jit((x: np.Array, n: number) => np.zeros([n]).add(x.sum()));
    const msg = /zeros: shape\[0\] is Traced<i32\[\]>; dimensions must be non-negative integers\. It is a value traced by jit\(jitted\).*jit\(f, \{ staticArgnums: \[position\] \}\)/;
    expect(() => f(x, 3)).toThrow(msg);
    expect(() => jit((x: np.Array, a: number) => x.sum(a))(x, 0)).toThrow(/sum: axis must be an integer, a list of integers or null, got Traced<i32\[\]>\. It is a value traced by/);
    expect(() => jit((x: np.Array, n: number) => x.reshape([n, 1]))(x, 2)).toThrow(/reshape: shape\[0\] is Traced<i32\[\]>/);
  });
  it("no message shows a tracer's internals", () => {
    let json = "";
    makeJaxpr((a: np.Array) => {
      json = JSON.stringify({ a });
      return a;
    })(x);
    expect(json).toBe('{"a":"Traced<f32[2]>"}');
    expect(JSON.stringify(np.array([[1, 2]]))).toBe("[[1,2]]");
    for (const f of [(n: number) => np.zeros([n]), (n: number) => np.ones([2]).sum(n)]) {
      try {
        jit(f)(1);
      } catch (e) {
        expect((e as Error).message).not.toMatch(/builder|tracerVar|captureVars/);
      }
    }
  });
});

describe("JS numbers that must fit int32 where control flow and runJaxpr take them", () => {
  it("foriLoop bounds and runJaxpr arguments are range-checked", () => {
    expect(() => foriLoop(0, 3e9, (_i, c: np.Array) => c, np.zeros([]))).toThrow(/^foriLoop: upper \(3000000000\) does not fit int32/);
    const j = makeJaxpr((n: np.Array) => n.add(1))(np.ShapeDtype([], "int32"));
    expect(() => runJaxpr(j, 3e9)).toThrow(/^runJaxpr: argument args\[0\] \(3000000000\) does not fit int32/);
    expect((runJaxpr(j, 41) as np.Array).item()).toBe(42);
  });
});
