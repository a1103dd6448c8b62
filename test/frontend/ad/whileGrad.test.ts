// Reverse mode through whileLoop (issue #14): grad, vjp, valueAndGrad, jacrev
// and linearize through loops whose trip count is known only at run time —
// what JAX refuses (`_while_transpose_error`). References we did not write:
// central finite differences, and the same loop written as a scan of the
// largest trip count whose steps do nothing once the predicate is false (a
// cond per step), differentiated by scan's and cond's reverse mode. Every run
// mode: eagerly, and through jit on each backend.
import { describe, expect, it } from "vitest";
import { checkGrads, cond, grad, jacfwd, jacrev, jvp, linearize, makeJaxpr, np, scan, valueAndGrad, vjp, vmap, whileLoop } from "../../../src/index.js";
import type { Array } from "../../../src/frontend/array.js";
import { RUN_MODES } from "../../helpers/backends.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { numericalGrad, outputNumbers } from "../../helpers/finiteDifferences.js";

type A = Array;
const FD = { rtol: 2e-2, atol: 2e-3 };
const i32 = (v: number): A => np.array(v).astype("int32");

/** The loop as a scan of `n` steps, each a cond that runs the body only while the predicate holds. */
function asScan<C>(pred: (c: C) => A, body: (c: C) => C, n: number): (init: C) => C {
  return (init: C) =>
    scan(((c: C): [C, A] => [cond(pred(c), ((c: C) => body(c)) as never, ((c: C) => c) as never, c) as C, np.zeros([])]) as never, init as never, np.zeros([n]))[0] as C;
}

// x ↦ 1.5·x + sin(x) until x ≥ 10.
const growPred = (x: A): A => x.lt(10);
const growBody = (x: A): A => x.mul(1.5).add(np.sin(x));
const grow = (x: A): A => whileLoop(growPred, growBody, x);

// (i, x) ↦ (i+1, x·w + 0.01·sin(x)) while i < n: n iterations, n from the data.
const counted = (n: A, w: A, x: A): A =>
  (whileLoop(([i]: [A, A]) => i.lt(n), ([i, x]: [A, A]) => [i.add(1), x.mul(w).add(np.sin(x).mul(0.01))] as [A, A], [i32(0), x]) as [A, A])[1];

describe.each(RUN_MODES)("grad through whileLoop (%s)", (_name, { run }) => {
  it("x ↦ 1.5x + sin x until x ≥ 10: grad matches finite differences and the scan oracle", () => {
    for (const x of [1.3, 0.4, 9.5, 12]) {
      const g = run(grad(grow))(np.array(x)) as A;
      expectAllClose(outputNumbers(g), numericalGrad(grow, [x]), FD);
      const oracle = grad(asScan(growPred, growBody, 12))(np.array(x)) as A;
      expectAllClose(g, oracle, { rtol: 1e-5 });
    }
  });

  it("trip counts 0, 1 and 10⁴: the tape grows to the count, and the gradient is exact", () => {
    const w = np.array(0.9999);
    for (const n of [0, 1, 10000]) {
      const [value, [gw, gx]] = run(valueAndGrad((w: A, x: A) => counted(i32(n), w, x), { argnums: [0, 1] }))(w, np.array(0.5)) as [A, [A, A]];
      // Reference: the same recurrence in float64 with its derivative carried forward.
      let x = 0.5, dx = 1, dw = 0;
      for (let k = 0; k < n; k++) {
        const wv = Math.fround(0.9999);
        dw = dw * (wv + 0.01 * Math.cos(x)) + x;
        dx = dx * (wv + 0.01 * Math.cos(x));
        x = x * wv + 0.01 * Math.sin(x);
      }
      expectAllClose(value, x, { rtol: 1e-3 });
      expectAllClose(gx, dx, { rtol: 2e-3 });
      expectAllClose(gw, dw, { rtol: 2e-3 });
    }
  });

  it("checkGrads order 1, forward and reverse, on a loop with a matrix carry and weights", () => {
    const w = np.array([[0.6, -0.3, 0.1], [0.2, 0.5, -0.4], [0.1, 0.3, 0.7]]);
    const f = (w: A, x: A): A => {
      const [, y] = whileLoop(([i, x]: [A, A]) => i.lt(4).and(np.sum(x.mul(x)).lt(50)), ([i, x]: [A, A]) => [i.add(1), np.tanh(np.matmul(w, x)).mul(2).add(x)] as [A, A], [i32(0), x]) as [A, A];
      return y;
    };
    checkGrads(f, [w, np.array([0.3, -0.2, 0.5])], { order: 1, modes: ["fwd", "rev"], run });
  });

  it("vjp of a loop with several carries equals the scan oracle's", () => {
    const pred = ([x, y]: [A, A]): A => np.sum(x).lt(6);
    const body = ([x, y]: [A, A]): [A, A] => [x.add(np.exp(y.mul(0.3))), y.mul(x).mul(0.5).add(1)];
    const f = (x: A, y: A) => whileLoop(pred, body, [x, y]);
    const g = (x: A, y: A) => asScan(pred, body, 20)([x, y]);
    const x = np.array([0.1, 0.2]), y = np.array([0.5, -0.5]);
    const ct = [np.array([1, -2]), np.array([0.5, 3])];
    const [out, back] = vjp(run(f), x, y);
    const [outRef, backRef] = vjp(g, x, y);
    expectAllClose(outputNumbers(out), outputNumbers(outRef), { rtol: 1e-5 });
    expectAllClose(outputNumbers(back(ct)), outputNumbers(backRef(ct)), { rtol: 1e-4 });
  });

  it("linearize through a while: the linear map reruns only the recorded steps", () => {
    const [y, fJvp] = linearize(run(grow), np.array(1.3));
    const [yRef, tRef] = jvp(grow, [np.array(1.3)], [np.array(0.7)]);
    expectAllClose(y, yRef);
    expectAllClose(fJvp(np.array(0.7)), tRef, { rtol: 1e-5 });
  });

  it("jacrev through a while equals jacfwd (a vmap over cotangents, with the loop's predicate unbatched)", () => {
    const f = (x: A): A => whileLoop((x: A) => np.sum(x).lt(8), (x: A) => x.mul(1.3).add(np.sin(x.mul(x))), x);
    const x = np.array([0.4, 0.9, -0.3]);
    expectAllClose(run(jacrev(f))(x), jacfwd(f)(x), { rtol: 1e-4, atol: 1e-6 });
  });

  it("vmap(grad) with per-lane trip counts equals per-lane grads stacked, and grad(sum∘vmap) their sum", () => {
    const w = np.array(0.95);
    const ns = [0, 3, 7, 1], xs = [0.5, -1.2, 2.0, 0.1];
    const f = (n: A, w: A, x: A) => counted(n, w, x);
    const perLane = ns.map((n, l) => grad(f, { argnums: [1, 2] })(i32(n), w, np.array(xs[l]!)) as [A, A]);
    const [gw, gx] = run(vmap(grad(f, { argnums: [1, 2] }), { inAxes: [0, null, 0] }))(np.array(ns).astype("int32"), w, np.array(xs)) as [A, A];
    expectAllClose(gw, perLane.map(([g]) => g.item()), { rtol: 1e-5 });
    expectAllClose(gx, perLane.map(([, g]) => g.item()), { rtol: 1e-5 });
    const total = (w: A, xs: A) => np.sum(vmap(f, { inAxes: [0, null, 0] })(np.array(ns).astype("int32"), w, xs));
    const [tw, tx] = run(grad(total, { argnums: [0, 1] }))(w, np.array(xs)) as [A, A];
    expectAllClose(tw, perLane.reduce((s, [g]) => s + (g.item() as number), 0), { rtol: 1e-5 });
    expectAllClose(tx, perLane.map(([, g]) => g.item()), { rtol: 1e-5 });
  });

  it("inactive lanes never poison an unbatched cotangent: log in the body, lanes that never start", () => {
    // Lane x0 ≤ 1 never runs; the batched loop still evaluates its body there (log of 0 or of a negative).
    const f = (w: A, x: A): A => whileLoop((x: A) => x.gt(1), (x: A) => np.log(x).mul(w), x);
    const xs = np.array([3, 0, -1, 1.5]);
    const total = (w: A) => np.sum(vmap(f, { inAxes: [null, 0] })(w, xs));
    const g = run(grad(total))(np.array(2)) as A;
    expect(Number.isFinite(g.item() as number)).toBe(true);
    const perLane = [3, 0, -1, 1.5].map((x) => grad(f)(np.array(2), np.array(x)) as A);
    expectAllClose(g, perLane.reduce((s, v) => s + (v.item() as number), 0), { rtol: 1e-5 });
  });

  it("a while inside a cond branch, inside a scan, and inside a while (inner count varying per outer step)", () => {
    const inner = (x: A): A => whileLoop((x: A) => x.lt(3), (x: A) => x.mul(1.7).add(0.1), x);
    const inCond = (x: A): A => cond(x.gt(0), inner, (x: A) => x.mul(x), x);
    const inScan = (x: A): A => scan((c: A, s: A): [A, A] => [inner(c.mul(s)).mul(0.5), c], x, np.array([0.9, 1.1, 1.3]))[0];
    const inWhile = (x: A): A =>
      (whileLoop(([i]: [A, A]) => i.lt(3), ([i, x]: [A, A]) => [i.add(1), inner(x.mul(0.5)).mul(0.4)] as [A, A], [i32(0), x]) as [A, A])[1];
    for (const f of [inCond, inScan, inWhile]) {
      for (const x of [0.7, 1.9]) expectAllClose(outputNumbers(run(grad(f))(np.array(x))), numericalGrad(f, [x]), FD);
    }
  });

  it("the gradient program records the loop on a tape and replays it backwards", () => {
    const text = makeJaxpr(grad(grow))(np.array(1.3)).toString();
    expect(text).toMatch(/while_record\[/);
    expect(text).toMatch(/tape\(f32\[\]\)/);
    expect(text).toMatch(/replay\[[\s\S]*reverse=True/);
  });

  it("second derivatives through a while: grad of grad, jvp of grad and hessian match finite differences of the gradient", () => {
    const g = grad(grow);
    for (const x of [1.3, 0.4]) {
      const gg = run(grad(g))(np.array(x)) as A;
      expectAllClose(outputNumbers(gg), numericalGrad(g, [x]), FD);
      const [, t] = jvp(run(g), [np.array(x)], [np.array(1)]);
      expectAllClose(t, gg, { rtol: 1e-4 });
    }
    // The Hessian of a vector loop, against forward mode twice through the scan oracle.
    const pred = (x: A): A => np.sum(x).lt(4);
    const body = (x: A): A => x.mul(1.3).add(np.sin(x.mul(x)).mul(0.2));
    const f = (x: A): A => np.sum(whileLoop(pred, body, x));
    const oracle = (x: A): A => np.sum(asScan(pred, body, 12)(x));
    const x = np.array([0.4, 0.9, -0.3]);
    const h = run(jacfwd(jacrev(f)))(x) as A;
    expectAllClose(h, jacfwd(jacfwd(oracle))(x), { rtol: 1e-4, atol: 1e-5 });
    expectAllClose(run(jacrev(jacrev(f)))(x), h, { rtol: 1e-4, atol: 1e-5 });
  });

  it("checkGrads order 2, forward and reverse, through a while with weights", () => {
    const f = (w: A, x: A): A => np.sum(whileLoop((x: A) => np.sum(x).lt(6), (x: A) => np.tanh(x.mul(w)).add(x).add(0.5), x));
    checkGrads(f, [np.array(1.2), np.array([0.3, -0.2])], { order: 2, modes: ["fwd", "rev"], run });
  });

  it("whileLoop with maxSteps: the same values and gradients within the limit, a run-time error naming the loop and the limit past it", () => {
    const doubling = (x: A): A => whileLoop((x: A) => x.lt(10), (x: A) => x.mul(2), x, { maxSteps: 3, name: "doubling" });
    expectAllClose(run(doubling)(np.array(1.5)), 12);
    expectAllClose(run(grad(doubling))(np.array(1.5)), 8);
    expect(() => run(doubling)(np.array(1))).toThrow(/whileLoop 'doubling': its predicate was still true after maxSteps=3 iterations/);
    expect(() => run(grad(doubling))(np.array(1))).toThrow(/maxSteps=3/);
    // Under vmap one lane past the limit is enough (1 needs 4 steps; 3 and 6 fewer).
    expectAllClose(run(vmap(doubling))(np.array([3, 6, 1.5])), [12, 12, 12]);
    expect(() => run(vmap(doubling))(np.array([3, 1, 6]))).toThrow(/maxSteps=3/);
    expect(() => whileLoop((x: A) => x.lt(1), (x: A) => x, np.array(0), { maxSteps: -1 })).toThrow(/maxSteps must be a non-negative integer, got -1/);
  });

  it("nested vmap: vmap(vmap(grad)) and grad of a doubly vmapped loss, against per-lane grads", () => {
    const w = np.array(0.97);
    const ns = [[0, 4, 2], [5, 1, 3]], xs = [[0.5, -1.2, 2.0], [0.1, 0.8, -0.4]];
    const f = (n: A, w: A, x: A) => counted(n, w, x);
    const perLane = ns.map((row, i) => row.map((n, j) => grad(f, { argnums: [1, 2] })(i32(n), w, np.array(xs[i]![j]!)) as [A, A]));
    const inner = vmap(grad(f, { argnums: [1, 2] }), { inAxes: [0, null, 0] });
    const [gw, gx] = run(vmap(inner, { inAxes: [0, null, 0] }))(np.array(ns).astype("int32"), w, np.array(xs)) as [A, A];
    expectAllClose(gw, perLane.map((r) => r.map(([g]) => g.item())), { rtol: 1e-5 });
    expectAllClose(gx, perLane.map((r) => r.map(([, g]) => g.item())), { rtol: 1e-5 });
    const total = (w: A) => np.sum(vmap(vmap(f, { inAxes: [0, null, 0] }), { inAxes: [0, null, 0] })(np.array(ns).astype("int32"), w, np.array(xs)));
    expectAllClose(run(grad(total))(w), perLane.flat().reduce((a, [g]) => a + (g.item() as number), 0), { rtol: 1e-5 });
  });

  it("edge cases: a weight used only by the body (acc += w·i), a loop the input does not reach, an int-only loop", () => {
    // Σ_{i<5} w·i = 10w: d/dw = 10.
    const acc = (w: A): A => (whileLoop(([i]: [A, A]) => i.lt(5), ([i, s]: [A, A]) => [i.add(1), s.add(w.mul(i.astype("float32")))] as [A, A], [i32(0), np.zeros([])]) as [A, A])[1];
    expectAllClose(run(grad(acc))(np.array(0.3)), 10);
    // The loop does not read x: the gradient is x's own term only.
    const apart = (x: A): A => (whileLoop(([i]: [A, A]) => i.lt(3), ([i, s]: [A, A]) => [i.add(1), s.mul(2)] as [A, A], [i32(0), np.ones([])]) as [A, A])[1].add(x.mul(x));
    expectAllClose(run(grad(apart))(np.array(1.5)), 3);
    // An int-only loop's result scales x: d/dx (n·x) = n.
    const count = (x: A): A => whileLoop((i: A) => i.lt(7), (i: A) => i.add(2), i32(0)).astype("float32").mul(x);
    expectAllClose(run(grad(count))(np.array(2)), 8);
  });

  it("a recording while inside a cond branch (its tape a residual of the cond): grad, vmap(grad) and grad(sum∘vmap) agree per lane", () => {
    // The while body needs cos(x) from every iteration, so the branch records a tape; a lane taking the other branch
    // would loop forever (x only decreases below 0), so the transposed branch must not run on it.
    const inner = (x: A): A => whileLoop((x: A) => x.lt(3), (x: A) => np.sin(x).mul(0.5).add(x).add(0.3), x);
    const f = (x: A): A => cond(x.gt(0), inner, (x: A) => x.mul(x), x);
    const xs = [0.7, 0.3, -2, -0.5];
    const perLane = xs.map((x) => (grad(f)(np.array(x)) as A).item() as number);
    xs.forEach((x, l) => expectAllClose(perLane[l], numericalGrad(f, [x])[0]!, FD));
    expectAllClose(run(grad(f))(np.array(0.7)), perLane[0]);
    expectAllClose(run(vmap(grad(f)))(np.array(xs)), perLane, { rtol: 1e-5 });
    expectAllClose(run(grad((x: A) => np.sum(vmap(f)(x))))(np.array(xs)), perLane, { rtol: 1e-5 });
  });
});
