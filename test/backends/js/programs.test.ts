// Whole programs written with the public API, jitted on the js backend and on
// the interpreter: the results must be identical. They exercise what the
// fixtures do not combine: nested vmap (2-D lane sets), vmapped switch with a
// loop in a branch, a scan RNN under vmap, fori_loop building an array with
// dynamic_update_slice, softmax (reductions + broadcasts).
import { describe, expect, it } from "vitest";
import { foriLoop, jit, np, scan, switchCase, vmap, whileLoop } from "../../../src/index.js";

const grid = (shape: number[], f: (i: number) => number): np.Array => {
  const n = shape.reduce((a, b) => a * b, 1);
  const flat = Array.from({ length: n }, (_, i) => f(i));
  const build = (axis: number, off: number): unknown =>
    axis === shape.length ? flat[off] : Array.from({ length: shape[axis]! }, (_, i) => build(axis + 1, off * shape[axis]! + i));
  return np.array(build(0, 0) as number[]);
};

/** `f` jitted on js and on the interpreter gives identical numbers. */
function same(f: (...a: never[]) => unknown, ...args: unknown[]): void {
  const call = (backend: string): unknown => (jit(f, { backend }) as unknown as (...a: unknown[]) => unknown)(...args);
  const js = call("js");
  const ref = call("interpreter");
  const flat = (x: unknown): number[] => (x instanceof np.Array ? Array.from(x.data()) : Array.isArray(x) ? x.flatMap(flat) : []);
  const a = flat(js), b = flat(ref);
  expect(a.length).toBeGreaterThan(0);
  expect(a).toEqual(b);
}

describe("end-to-end programs: js equals the interpreter", () => {
  const w = grid([6, 6], (i) => Math.sin(i) * 0.4);

  it("nested vmap of a per-lane while with a matmul (2-D lane set)", () => {
    const f = (x: np.Array, n: np.Array) => {
      const [, y] = whileLoop(([i]) => i.lt(n), ([i, h]) => [i.add(1), np.tanh(np.matmul(h, w))], [0, x]);
      return y;
    };
    const xs = grid([3, 4, 6], (i) => Math.cos(i));
    const ns = np.array([[0, 1, 2, 3], [4, 3, 2, 1], [2, 2, 0, 5]], { dtype: "int32" });
    same(vmap(vmap(f)), xs, ns);
  });

  it("vmapped switch with a loop in one branch", () => {
    const f = (k: np.Array, x: np.Array) =>
      switchCase(k, [
        (v: np.Array) => v.mul(2),
        (v: np.Array) => whileLoop(([c]) => c.sum().lt(20), ([c]) => [c.add(1.5)], [v])[0],
        (v: np.Array) => np.sin(v),
      ], x);
    same(vmap(f), np.array([0, 1, 2, 1, 5], { dtype: "int32" }), grid([5, 3], (i) => i - 4));
  });

  it("a scan RNN, alone and under vmap", () => {
    const u = grid([4, 6], (i) => Math.cos(i * 0.7) * 0.5);
    const rnn = (h0: np.Array, xs: np.Array) => scan((h: np.Array, x: np.Array) => {
      const h2 = np.tanh(np.matmul(h, w).add(np.matmul(x, u)));
      return [h2, h2.sum()];
    }, h0, xs);
    same(rnn, grid([6], (i) => i * 0.1), grid([5, 4], (i) => Math.sin(i)));
    same(vmap(rnn), grid([3, 6], (i) => i * 0.05), grid([3, 5, 4], (i) => Math.sin(i)));
  });

  it("fori_loop building an array with dynamic_update_slice", () => {
    const f = (x: np.Array) =>
      foriLoop(0, 6, (i: np.Array, acc: np.Array) => np.dynamicUpdateSlice(acc, np.reshape(x.mul(i.astype("float32")), [1, 3]), [i, 0]), np.zeros([6, 3]));
    same(f, np.array([1, -2, 0.5]));
    same(vmap(f), grid([4, 3], (i) => i));
  });

  it("softmax over rows, and its vmap", () => {
    const softmax = (x: np.Array) => {
      const e = np.exp(x.sub(np.max(x, -1, { keepdims: true })));
      return e.div(np.sum(e, -1, { keepdims: true }));
    };
    same(softmax, grid([5, 7], (i) => Math.sin(i) * 3));
    same(vmap(softmax), grid([2, 5, 7], (i) => Math.cos(i) * 3));
  });

  it("concatenate, stack and argmax", () => {
    const f = (a: np.Array, b: np.Array) => np.argmax(np.concatenate([a, np.stack([b, b.mul(-1)])], 0), 0);
    same(f, grid([3, 4], (i) => Math.sin(i)), grid([4], (i) => i - 2));
  });
});
