// Whole programs written with the public API, lowered by jit's pipeline and
// compiled by the wasm emitter, against the reference interpreter. They
// exercise what the fixtures do not combine: nested vmap (2-D lane sets),
// vmapped switch with a loop in a branch, a scan RNN under vmap (symbols in
// view offsets), fori_loop with dynamic_update_slice, softmax (reductions and
// broadcasts), concatenate/argmax, strided and broadcast views (gathers).
import { describe, expect, it } from "vitest";
import { evalJaxpr } from "../../../../src/backends/interpreter/index.js";
import { compileWasm } from "../../../../src/backends/wasm/emit/index.js";
import { flatten, foriLoop, jit, np, scan, switchCase, vmap, whileLoop } from "../../../../src/index.js";
import { expectAllClose } from "../../../helpers/allclose.js";
import { expectMatchesInterpreter, randomArray, seeded } from "./helpers.js";

const grid = (shape: number[], f: (i: number) => number): np.Array => {
  const n = shape.reduce((a, b) => a * b, 1);
  const flat = Array.from({ length: n }, (_, i) => f(i));
  const build = (axis: number, off: number): unknown =>
    axis === shape.length ? flat[off] : Array.from({ length: shape[axis]! }, (_, i) => build(axis + 1, off * shape[axis]! + i));
  return np.array(build(0, 0) as number[]);
};

/** `f` lowered by jit and compiled with the wasm emitter equals the interpreter on the same jaxpr. */
function same(f: (...a: never[]) => unknown, opts: { rtol?: number; atol?: number }, ...args: unknown[]): void {
  const jaxpr = (jit(f) as unknown as { lower(...a: unknown[]): ReturnType<ReturnType<typeof jit>["lower"]> }).lower(...args);
  const [leaves] = flatten(args);
  const inputs = (leaves as np.Array[]).map((a) => ({ dtype: a.dtype, shape: [...a.shape], data: a.data() }));
  const got = compileWasm(jaxpr).run(inputs);
  const want = evalJaxpr(jaxpr, [], inputs);
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    expect(g.data.length).toBeGreaterThan(0);
    if (opts.rtol === undefined) expect(Array.from(g.data)).toEqual(Array.from(want[i]!.data));
    else expectAllClose(g.data, want[i]!.data, { rtol: opts.rtol, atol: opts.atol ?? 0 });
  });
}

const TRANSCENDENTAL = { rtol: 1e-5, atol: 1e-6 };

describe("end-to-end programs: wasm equals the interpreter", () => {
  const w = grid([6, 6], (i) => Math.sin(i) * 0.4);

  it("nested vmap of a per-lane while with a matmul (2-D lane set)", () => {
    // (Weights are arguments, not closures: `lower` gives the jaxpr, not captured values.)
    const f = (x: np.Array, n: np.Array, wt: np.Array) => {
      const [, y] = whileLoop(([i]) => i.lt(n), ([i, h]) => [i.add(1), np.tanh(np.matmul(h, wt))], [0, x]);
      return y;
    };
    const xs = grid([3, 4, 6], (i) => Math.cos(i));
    const ns = np.array([[0, 1, 2, 3], [4, 3, 2, 1], [2, 2, 0, 5]], { dtype: "int32" });
    same(vmap(vmap(f, { inAxes: [0, 0, null] }), { inAxes: [0, 0, null] }), TRANSCENDENTAL, xs, ns, w);
  });

  it("vmapped switch with a loop in one branch", () => {
    const f = (k: np.Array, x: np.Array) =>
      switchCase(k, [(v: np.Array) => v.mul(2), (v: np.Array) => whileLoop(([c]) => c.sum().lt(20), ([c]) => [c.add(1.5)], [v])[0], (v: np.Array) => np.sin(v)], x);
    same(vmap(f), TRANSCENDENTAL, np.array([0, 1, 2, 1, 5], { dtype: "int32" }), grid([5, 3], (i) => i - 4));
  });

  it("a scalar switch (br_table) with a clamped index", () => {
    const f = (k: np.Array, x: np.Array) => switchCase(k, [(v: np.Array) => v.mul(2), (v: np.Array) => v.add(1), (v: np.Array) => v.neg()], x);
    for (const k of [-3, 0, 1, 2, 7]) same(f, {}, np.array(k, { dtype: "int32" }), grid([5], (i) => i - 2));
  });

  it("a scan RNN, alone and under vmap", () => {
    const u = grid([4, 6], (i) => Math.cos(i * 0.7) * 0.5);
    const rnn = (h0: np.Array, xs: np.Array, wt: np.Array, ut: np.Array) =>
      scan((h: np.Array, x: np.Array) => {
        const h2 = np.tanh(np.matmul(h, wt).add(np.matmul(x, ut)));
        return [h2, h2.sum()];
      }, h0, xs);
    same(rnn, TRANSCENDENTAL, grid([6], (i) => i * 0.1), grid([5, 4], (i) => Math.sin(i)), w, u);
    same(vmap(rnn, { inAxes: [0, 0, null, null] }), TRANSCENDENTAL, grid([3, 6], (i) => i * 0.05), grid([3, 5, 4], (i) => Math.sin(i)), w, u);
  });

  it("fori_loop building an array with dynamic_update_slice", () => {
    const f = (x: np.Array) =>
      foriLoop(0, 6, (i: np.Array, acc: np.Array) => np.dynamicUpdateSlice(acc, np.reshape(x.mul(i.astype("float32")), [1, 3]), [i, 0]), np.zeros([6, 3]));
    same(f, {}, np.array([1, -2, 0.5]));
    same(vmap(f), {}, grid([4, 3], (i) => i));
  });

  it("softmax over rows, and its vmap", () => {
    const softmax = (x: np.Array) => {
      const e = np.exp(x.sub(np.max(x, -1, { keepdims: true })));
      return e.div(np.sum(e, -1, { keepdims: true }));
    };
    same(softmax, TRANSCENDENTAL, grid([5, 7], (i) => Math.sin(i) * 3));
    same(vmap(softmax), TRANSCENDENTAL, grid([2, 5, 7], (i) => Math.cos(i) * 3));
  });

  it("concatenate, stack and argmax", () => {
    const f = (a: np.Array, b: np.Array) => np.argmax(np.concatenate([a, np.stack([b, b.mul(-1)])], 0), 0);
    same(f, {}, grid([3, 4], (i) => Math.sin(i)), grid([4], (i) => i - 2));
  });
});

describe("loop kernels: views, gathers, tails, reductions", () => {
  const rand = seeded(3);

  it("transposed, strided-slice and broadcast operands (gathered vector loads) and a 9-wide tail", () => {
    const ir = `{ lambda ; a:f32[9,13] b:f32[13,9] c:f32[13]. let
        t:f32[9,13] = transpose[permutation=(1, 0)] b
        s:f32[9,13] = slice[limit_indices=(9, 13) start_indices=(0, 0) strides=None] a
        cb:f32[9,13] = broadcast_in_dim[broadcast_dimensions=(1,) shape=(9, 13)] c
        d:f32[9,13] = mul s t
        e:f32[9,13] = add d cb
        f:f32[9,13] = max e 0.0:f32[]
        g:i32[9,13] = convert_element_type[new_dtype=int32] e
        h:bool[9,13] = lt e 0.5:f32[]
      in (f, g, h) }`;
    expectMatchesInterpreter(ir, [randomArray("float32", [9, 13], rand), randomArray("float32", [13, 9], rand), randomArray("float32", [13], rand)]);
  });

  it("a strided slice with step 3 and a reversed-order store (transposed output)", () => {
    const ir = `{ lambda ; a:f32[12,10]. let
        b:f32[4,10] = slice[limit_indices=(12, 10) start_indices=(0, 0) strides=(3, 1)] a
        c:f32[10,4] = transpose[permutation=(1, 0)] b
        d:f32[10,4] = mul c 2.0:f32[]
      in (d,) }`;
    expectMatchesInterpreter(ir, [randomArray("float32", [12, 10], rand)]);
  });

  it("reductions: float sums in f64 (exact), int sums wrap, max/min/argmax with NaN", () => {
    const ir = `{ lambda ; a:f32[6,7] b:i32[5,9] . let
        s:f32[6] = reduce_sum[axes=(1,)] a
        t:f32[7] = reduce_sum[axes=(0,)] a
        u:f32[] = reduce_max[axes=(0, 1)] a
        v:f32[7] = reduce_min[axes=(0,)] a
        w:i32[6] = argmax[axes=(1,) index_dtype=int32] a
        x:i32[9] = reduce_sum[axes=(0,)] b
        y:i32[5] = reduce_max[axes=(1,)] b
      in (s, t, u, v, w, x, y) }`;
    const a = randomArray("float32", [6, 7], rand);
    a.data[10] = NaN;
    a.data[30] = 5;
    a.data[32] = 5;
    expectMatchesInterpreter(ir, [a, randomArray("int32", [5, 9], rand, 2 ** 30)]);
  });

  it("reductions over leading axes (four outputs at a time): fused prologues, broadcast and strided operands, -0 and NaN, tails", () => {
    const ir = `{ lambda ; a:f32[5,9,6] b:f32[9] c:i32[7,13] d:f32[11,5]. let
        bb:f32[5,9,6] = broadcast_in_dim[broadcast_dimensions=(1,) shape=(5, 9, 6)] b
        e:f32[5,9,6] = mul a bb
        s:f32[9] = reduce_sum[axes=(0, 2)] e
        t:f32[5,9] = reduce_max[axes=(2,)] a
        u:f32[6] = reduce_min[axes=(0, 1)] a
        v:i32[13] = reduce_sum[axes=(0,)] c
        w:i32[13] = reduce_max[axes=(0,)] c
        dt:f32[5,11] = transpose[permutation=(1, 0)] d
        x:f32[11] = reduce_sum[axes=(0,)] dt
        y:f32[9,6] = reduce_sum[axes=(0,)] bb
      in (s, t, u, v, w, x, y) }`;
    const a = randomArray("float32", [5, 9, 6], rand);
    a.data[7] = NaN;
    a.data[8] = -0;
    a.data[14] = 0;
    const d = randomArray("float32", [11, 5], rand);
    for (let i = 0; i < d.data.length; i += 7) d.data[i] = -0;
    expectMatchesInterpreter(ir, [a, randomArray("float32", [9], rand), randomArray("int32", [7, 13], rand, 2 ** 30), d]);
  });

  it("a reduction over leading axes inside a vmapped loop (kept axes after the lanes)", () => {
    const f = (x: np.Array, n: np.Array) => whileLoop(([i]) => i.lt(n), ([i, h]) => [i.add(1), h.add(np.sum(h.mul(h), 0).mul(0.01))], [0, x])[1];
    same(vmap(f), {}, grid([3, 6, 5], (i) => Math.sin(i) * 0.5), np.array([2, 0, 3], { dtype: "int32" }));
  });

  it("iota in float and int, and a dynamic_slice at a clamped run-time offset", () => {
    const ir = `{ lambda ; a:f32[10,3] k:i32[]. let
        i:f32[10,3] = iota[dimension=0 dtype=float32 shape=(10, 3)]
        j:i32[10,3] = iota[dimension=1 dtype=int32 shape=(10, 3)]
        b:f32[10,3] = add a i
        d:f32[4,3] = dynamic_slice[slice_sizes=(4, 3)] b k 0:i32[]
      in (d, j) }`;
    for (const k of [-2, 0, 3, 6, 9]) expectMatchesInterpreter(ir, [randomArray("float32", [10, 3], rand), { dtype: "int32", shape: [], data: new Int32Array([k]) }]);
  });
});
