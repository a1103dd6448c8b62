// makeJaxpr: exact IR text for small functions, closure conversion, pytree
// arguments, and "trace then evaluate equals eager" (the traced jaxpr, and
// jit on every backend). Value tests run in every mode (RUN_MODES).
import { describe, expect, it } from "vitest";
import { makeJaxpr, np, runJaxpr, traceFlat, whileLoop } from "../../src/index.js";

type NpArray = np.Array;
import { expectAllClose } from "../helpers/allclose.js";
import { BACKEND_NAMES, RUN_MODES, onBackend } from "../helpers/backends.js";
import { printChecked } from "../helpers/ir.js";

const f32 = (...shape: number[]) => np.ShapeDtype(shape, "float32");
const i32 = (...shape: number[]) => np.ShapeDtype(shape, "int32");

describe("makeJaxpr text", () => {
  it("stages ops with typed literals for JS numbers", () => {
    const j = makeJaxpr((x: np.Array, _n: np.Array) => np.sin(x).mul(3))(f32(8), i32());
    expect(printChecked(j)).toBe(
      [
        "{ lambda ; a:f32[8] b:i32[]. let",
        "    c:f32[8] = sin a",
        "    d:f32[8] = mul c 3.0:f32[]",
        "  in (d,) }",
      ].join("\n"),
    );
    expect(j.toString()).toBe(printChecked(j));
  });

  it("inserts broadcast_in_dim only where shapes differ, and converts dtypes", () => {
    const j = makeJaxpr((x: np.Array, y: np.Array, s: np.Array) => x.add(y).mul(s))(f32(2, 3), i32(3), f32());
    expect(printChecked(j)).toBe(
      [
        "{ lambda ; a:f32[2,3] b:i32[3] c:f32[]. let",
        "    d:f32[3] = convert_element_type[new_dtype=float32] b",
        "    e:f32[2,3] = broadcast_in_dim[broadcast_dimensions=(1,) shape=(2, 3)] d",
        "    f:f32[2,3] = add a e",
        "    g:f32[2,3] = mul f c",
        "  in (g,) }",
      ].join("\n"),
    );
  });

  it("weak typing: int32 * 2.5 is float32, int32 * 2 stays int32", () => {
    const j = makeJaxpr((x: np.Array) => [x.mul(2), x.mul(2.5)])(i32(3));
    expect(printChecked(j)).toBe(
      [
        "{ lambda ; a:i32[3]. let",
        "    b:i32[3] = mul a 2:i32[]",
        "    c:f32[3] = convert_element_type[new_dtype=float32] a",
        "    d:f32[3] = mul c 2.5:f32[]",
        "  in (b, d) }",
      ].join("\n"),
    );
  });

  it("stages creation ops and matmul; JS number args become scalar inputs", () => {
    const j = makeJaxpr((x: np.Array, k: np.Array) => np.matmul(x, np.ones([3])).add(k))(f32(2, 3), 2);
    expect(printChecked(j)).toBe(
      [
        "{ lambda ; a:f32[2,3] b:i32[]. let",
        "    c:f32[3] = broadcast_in_dim[broadcast_dimensions=() shape=(3,)] 1.0:f32[]",
        "    d:f32[2] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a c",
        "    e:f32[] = convert_element_type[new_dtype=float32] b",
        "    f:f32[2] = add d e",
        "  in (f,) }",
      ].join("\n"),
    );
    // A float JS number is an f32[] input.
    expect(printChecked(makeJaxpr((x: np.Array) => x)(0.5))).toBe("{ lambda ; a:f32[]. let\n  in (a,) }");
  });

  it("concrete arrays the function closes over become consts (deduplicated)", () => {
    const c = np.array([1, 2, 3]);
    const j = makeJaxpr((x: np.Array) => x.add(c).mul(c))(f32(3));
    expect(printChecked(j)).toBe(
      [
        "{ lambda a:f32[3]; b:f32[3]. let",
        "    c:f32[3] = add b a",
        "    d:f32[3] = mul c a",
        "  in (d,) }",
      ].join("\n"),
    );
    expect(j.consts).toHaveLength(1);
    expect(j.consts[0]!.data).toEqual(new Float32Array([1, 2, 3]));
  });

  it("takes and returns pytrees", () => {
    const j = makeJaxpr(pytreeFn)({ w: f32(2), b: f32(2) }, [f32(2), i32()]);
    // Object keys are sorted: b before w.
    expect(printChecked(j)).toBe(
      [
        "{ lambda ; a:f32[2] b:f32[2] c:f32[2] d:i32[]. let",
        "    e:f32[2] = mul c b",
        "    f:f32[2] = add e a",
        "  in (f, d) }",
      ].join("\n"),
    );
    expect(j.inTree.toString()).toBe("PyTreeDef([{b: *, w: *}, [*, *]])");
    expect(j.outTree.toString()).toBe("PyTreeDef({y: *, z: [*]})");
    const out = runJaxpr(j, { w: np.array([2, 3]), b: np.array([1, 1]) }, [np.array([10, 20]), np.array(7, { dtype: "int32" })]) as {
      y: np.Array;
      z: [np.Array];
    };
    expect(out.y.toArray()).toEqual([21, 61]);
    expect(out.z[0].toArray()).toEqual(7);
  });

  it("inside a trace even ops on concrete arrays are staged (omnistaging)", () => {
    const j = makeJaxpr((x: np.Array) => x.add(np.array([1, 2]).mul(2)))(f32(2));
    expect(printChecked(j)).toBe(
      [
        "{ lambda a:f32[2]; b:f32[2]. let",
        "    c:f32[2] = mul a 2.0:f32[]",
        "    d:f32[2] = add b c",
        "  in (d,) }",
      ].join("\n"),
    );
  });
});

/** A loop body closing over an outer tracer (x) and a concrete array (c). */
const C123 = np.array([1, 2, 3]);
const closesOverBoth = (x: np.Array) => whileLoop(([i]) => i.lt(3), ([i, y]) => [i.add(1), y.add(x).mul(C123)], [0, x])[1];

/** The inner body reads the outermost argument s: inner body const → outer body const → top-level var. */
const captureOfCapture = (s: np.Array) =>
  whileLoop(
    ([i]) => i.lt(2),
    ([i, acc]) => [i.add(1), whileLoop(([k]) => k.lt(3), ([k, a]) => [k.add(1), a.add(s)], [0, acc])[1]],
    [0, np.zeros([])],
  )[1];

/** Pytree arguments and results (object keys sorted: b before w). */
const pytreeFn = (p: { w: np.Array; b: np.Array }, xs: [np.Array, np.Array]) => ({ y: xs[0].mul(p.w).add(p.b), z: [xs[1]] });

describe("closure conversion", () => {
  it("a loop body closing over an outer tracer and a concrete array gets both as body consts", () => {
    const f = closesOverBoth;
    const j = makeJaxpr(f)(f32(3));
    expect(printChecked(j)).toBe(
      [
        "{ lambda a:f32[3]; b:f32[3]. let",
        "    _:i32[] c:f32[3] = while[",
        "      body_jaxpr={ lambda ; d:f32[3] e:f32[3] f:i32[] g:f32[3]. let",
        "          h:i32[] = add f 1:i32[]",
        "          i:f32[3] = add g d",
        "          j:f32[3] = mul i e",
        "        in (h, j) }",
        "      body_nconsts=2",
        "      cond_jaxpr={ lambda ; k:i32[] l:f32[3]. let m:bool[] = lt k 3:i32[] in (m,) }",
        "      cond_nconsts=0",
        "    ] b a 0:i32[] b",
        "  in (c,) }",
      ].join("\n"),
    );
    expect((runJaxpr(j, np.array([1, 1, 1])) as np.Array).toArray()).toEqual([4, 22, 66]);
  });

  it("captures of captures compose through nested bodies", () => {
    const j = makeJaxpr(captureOfCapture)(f32());
    expect(printChecked(j)).toBe(
      [
        "{ lambda ; a:f32[]. let",
        "    b:f32[] = broadcast_in_dim[broadcast_dimensions=() shape=()] 0.0:f32[]",
        "    _:i32[] c:f32[] = while[",
        "      body_jaxpr={ lambda ; d:f32[] e:i32[] f:f32[]. let",
        "          g:i32[] = add e 1:i32[]",
        "          _:i32[] h:f32[] = while[",
        "            body_jaxpr={ lambda ; i:f32[] j:i32[] k:f32[]. let",
        "                l:i32[] = add j 1:i32[]",
        "                m:f32[] = add k i",
        "              in (l, m) }",
        "            body_nconsts=1",
        "            cond_jaxpr={ lambda ; n:i32[] o:f32[]. let p:bool[] = lt n 3:i32[] in (p,) }",
        "            cond_nconsts=0",
        "          ] d 0:i32[] f",
        "        in (g, h) }",
        "      body_nconsts=1",
        "      cond_jaxpr={ lambda ; q:i32[] r:f32[]. let s:bool[] = lt q 2:i32[] in (s,) }",
        "      cond_nconsts=0",
        "    ] a 0:i32[] b",
        "  in (c,) }",
      ].join("\n"),
    );
    expect((runJaxpr(j, np.array(1.5)) as np.Array).toArray()).toEqual(9);
  });

  it("traceFlat reports captured outer tracers so enclosing transforms can pass them on", () => {
    let inner: ReturnType<typeof traceFlat> | undefined;
    makeJaxpr((x: np.Array) => {
      inner = traceFlat(([y]) => [y!.add(x)], [{ dtype: "float32", shape: [] }], "inner");
      return x;
    })(f32());
    expect(inner!.captures).toHaveLength(1);
    expect(inner!.captures[0]!.isTracer).toBe(true);
    expect(inner!.jaxpr.constvars).toHaveLength(1);
  });
});

describe.each(RUN_MODES)("traced-function values (%s)", (_mode, { run }) => {
  it("a loop body closing over an outer tracer and a concrete array", () => {
    // Hand-derived: y -> (y + x) * c three times from y = x = [1, 1, 1].
    // [1,1,1] -> [2,4,6] -> [3,10,21] -> [4,22,66]
    expect(run(closesOverBoth)(np.array([1, 1, 1])).toArray()).toEqual([4, 22, 66]);
  });

  it("captures of captures compose through nested bodies", () => {
    // 2 outer × 3 inner additions of s.
    expect(run(captureOfCapture)(np.array(1.5)).toArray()).toEqual(9);
  });

  it("takes and returns pytrees", () => {
    const out = run(pytreeFn)({ w: np.array([2, 3]), b: np.array([1, 1]) }, [np.array([10, 20]), np.array(7, { dtype: "int32" })]);
    expect(out.y.toArray()).toEqual([21, 61]);
    expect([out.z[0].dtype, out.z[0].toArray()]).toEqual(["int32", 7]);
  });
});

const A = np.array([[0.5, -1, 2], [3, 0.25, -4]]);
const V = np.array([1, -2, 3]);
const K = np.array([3, -7, 8], { dtype: "int32" });
/** Functions whose traced form must compute what their eager form does. */
const EAGER_CASES: [string, (...xs: NpArray[]) => NpArray | NpArray[], NpArray[]][] = [
  ["broadcast arithmetic", (x, y) => x.mul(y).sub(y.div(2)).add(1), [A, V]],
  ["math", (x) => np.tanh(x).add(np.exp(x.mul(0.1))).add(np.sigmoid(x)), [A]],
  ["reductions", (x) => [x.sum(0), x.max(1, { keepdims: true }), x.mean(), np.argmax(x, 1)], [A]],
  ["matmul", (x, y) => np.matmul(x, y).add(np.matmul(y, x.T)), [A, V]],
  ["where and comparisons", (x) => np.where(x.gt(0), x, x.mul(-2)).add(np.where(x.le(0.25), 1, 0)), [A]],
  ["integer numpy division", (x) => [np.floorDivide(x, 3), np.remainder(x, -3), np.divide(x, 2), np.power(x, 2)], [K]],
  ["shapes", (x) => np.concatenate([x.reshape([3, 2]).T, np.stack([x.slice(0), x.slice(1)])], 1).squeeze(), [A]],
  ["indexing", (x) => np.dynamicUpdateSlice(x, np.dynamicSlice(x, [1, np.array(1, { dtype: "int32" })], [1, 2]), [0, 0]), [A]],
  ["creation", (x) => x.add(np.arange(3)).add(np.eye(2, 3)).add(np.linspace(0, 1, 3)), [A]],
];

function expectSameResults(got: NpArray | NpArray[], eager: NpArray | NpArray[]): void {
  if (Array.isArray(eager)) {
    expect((got as NpArray[]).length).toBe(eager.length);
    eager.forEach((e, i) => expectAllClose((got as NpArray[])[i], e));
  } else {
    expectAllClose(got, eager);
  }
}

describe("trace then evaluate equals eager", () => {
  for (const [name, fn, args] of EAGER_CASES) {
    it(name, () => {
      const eager = fn(...args);
      const j = makeJaxpr(fn)(...args);
      printChecked(j);
      expectSameResults(runJaxpr(j, ...args) as NpArray | NpArray[], eager);
    });
  }
});

describe.each(BACKEND_NAMES)("jit on backend %s equals eager", (backend) => {
  for (const [name, fn, args] of EAGER_CASES) {
    it(name, () => {
      expectSameResults(onBackend(backend, fn)(...args), fn(...args));
    });
  }
});
