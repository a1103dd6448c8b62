// Differentiating control flow: cond/switchCase, scan (and foriLoop with
// static bounds), whileLoop (forward mode here; reverse mode in whileGrad.test.ts). JAX's tests from tests/lax_control_flow_test.py are ported by name
// (facts carried over, code ours); derivatives are checked against hand-derived
// values and central finite differences (test/helpers/finiteDifferences.ts),
// on every run mode: eagerly and through jit on each backend.
import { describe, expect, it } from "vitest";
import { cond, foriLoop, grad, jvp, linearize, np, scan, switchCase, vjp, vmap, whileLoop } from "../../../src/index.js";
import type { Array } from "../../../src/frontend/array.js";
import { makeJaxpr } from "../../../src/index.js";
import type { Jaxpr } from "../../../src/ir/core.js";
import { jvpJaxpr } from "../../../src/passes/ad/jvp.js";
import { partialEvalJaxpr } from "../../../src/passes/ad/partialEval.js";
import { RUN_MODES } from "../../helpers/backends.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { numericalGrad, numericalJvp, outputNumbers } from "../../helpers/finiteDifferences.js";

type A = Array;
const FD = { rtol: 2e-2, atol: 2e-3 };

/** jvp's tangent output, every number flattened. */
const jvpNumbers = (f: (...a: never[]) => unknown, args: unknown[], tangents: unknown[]): number[] => outputNumbers(jvp(f, args, tangents)[1]);

describe.each(RUN_MODES)("cond autodiff (%s)", (_name, { run }) => {
  it("testCondJVP: tangents of both branches, checked against finite differences to order 2", () => {
    const f = (x: A) => cond(x.lt(3), (x: A) => [x, x], (x: A) => { const y = x.mul(2); return [y, y.mul(2)]; }, x);
    for (const x of [3.14, 2.72]) {
      const [out, t] = jvp(run(f), [np.array(x)], [np.array(x)]);
      const taken = x < 3 ? [x, x] : [2 * x, 4 * x];
      const tangent = x < 3 ? [x, x] : [2 * x, 4 * x];
      expectAllClose(outputNumbers(out), taken);
      expectAllClose(outputNumbers(t), tangent);
      // Order 2: the derivative of the jvp along the same direction.
      const jvpAt = (y: A) => jvp(f, [y], [np.array(1)])[1];
      expectAllClose(jvpNumbers(run(jvpAt), [np.array(x)], [np.array(1)]), numericalJvp(jvpAt, [x], [1]), FD);
    }
  });

  it("testSwitchJVP: three branches, index from floor(x)", () => {
    const branches = [(x: A) => [x, x], (x: A) => { const y = x.mul(2); return [y, y.mul(2)]; }, (x: A) => [x, x.neg()]];
    const f = (x: A) => switchCase(np.floor(x).astype("int32"), branches, x);
    for (const x of [-0.7, 0.7, 1.7, 2.7, 3.7]) {
      const idx = Math.min(Math.max(Math.floor(x), 0), 2);
      const want = [[x, x], [2 * x, 4 * x], [x, -x]][idx]!;
      expectAllClose(jvpNumbers(run(f), [np.array(x)], [np.array(x)]), want, { rtol: 1e-6 });
      expectAllClose(jvpNumbers(run(f), [np.array(x)], [np.array(1)]), numericalJvp(f, [x], [1]), FD);
    }
  });

  it("testCondGrad: grad of 3x / sin(x) on either side of 2, and its second derivative", () => {
    const f = (x: A) => cond(x.lt(2), (x: A) => x.mul(3), (x: A) => np.sin(x), x);
    expectAllClose(run(grad(f))(np.array(2.14)), Math.cos(2.14));
    expectAllClose(run(grad(f))(np.array(1.72)), 3);
    expectAllClose(grad(run(f))(np.array(2.14)), Math.cos(2.14));
    expectAllClose(run(grad(grad(f)))(np.array(2.14)), -Math.sin(2.14), { rtol: 1e-5 });
    expectAllClose(run(grad(grad(f)))(np.array(1.72)), 0);
  });

  it("testCondGrad2: vector operand, sum of the branch outputs", () => {
    const f = (x: A) => np.sum(cond(x.slice(0).lt(2), (x: A) => np.array([1, 2]).mul(x), (x: A) => np.sin(x), x));
    for (const v of [2.14, 1.72]) {
      const x = [v, v];
      const want = v < 2 ? [1, 2] : [Math.cos(v), Math.cos(v)];
      expectAllClose(run(grad(f))(np.array(x)), want, { rtol: 1e-6 });
      expectAllClose(run(grad(f))(np.array(x)), numericalGrad(f, [x]), FD);
    }
  });

  it("testCondGrad3: a branch returning a constant", () => {
    const f = (x: A) => cond(x.lt(3), (_x: A) => 2, (x: A) => x.mul(2), x);
    expectAllClose(run(grad(f))(np.array(3.14)), 2);
    expectAllClose(run(grad(f))(np.array(2.72)), 0);
    expectAllClose(run(grad(grad(f)))(np.array(3.14)), 0);
  });

  it("testCondGrad4: a branch closing over y, differentiated with respect to y", () => {
    const f = (x: A, y: A) => cond(x.lt(3), (_x: A) => np.sin(y).mul(2), (x: A) => x.mul(2), x);
    const y = 5.8;
    expectAllClose(run(grad(f, { argnums: 1 }))(np.array(3.14), np.array(y)), 0);
    expectAllClose(run(grad(f, { argnums: 1 }))(np.array(2.72), np.array(y)), 2 * Math.cos(y), { rtol: 1e-5 });
    const both = run(grad(f, { argnums: [0, 1] }))(np.array(2.72), np.array(y)) as A[];
    expectAllClose(both[0], 0);
    expectAllClose(both[1], numericalGrad(f, [2.72, y], 1)[0], FD);
    expectAllClose(run(grad(grad(f, { argnums: 1 }), { argnums: 1 }))(np.array(2.72), np.array(y)), -2 * Math.sin(y), { rtol: 1e-5 });
  });

  it("testSwitchGrad: three branches, first and second derivatives", () => {
    const branches = [(x: A) => x.mul(3), (x: A) => np.sin(x), (x: A) => x.neg()];
    const f = (x: A) => switchCase(np.floor(x).astype("int32"), branches, x);
    for (const x of [-0.7, 0.7, 1.7, 2.7, 3.7]) {
      const idx = Math.min(Math.max(Math.floor(x), 0), 2);
      expectAllClose(run(grad(f))(np.array(x)), [3, Math.cos(x), -1][idx]!, { rtol: 1e-6 });
      expectAllClose(run(grad(grad(f)))(np.array(x)), [0, -Math.sin(x), 0][idx]!, { rtol: 1e-5, atol: 1e-6 });
    }
  });

  it("testCondLinearize: the linear map at either branch", () => {
    const f = (x: A) => cond(x.lt(2), (x: A) => x.mul(3), (x: A) => np.sin(x), x);
    const [y1, lin1] = linearize(run(f), np.array(1));
    expectAllClose(y1, 3);
    expectAllClose(lin1(np.array(2)), 6);
    const [y4, lin4] = linearize(run(f), np.array(4));
    expectAllClose(y4, Math.sin(4));
    expectAllClose(lin4(np.array(2)), Math.cos(4) * 2, { rtol: 1e-5 });
  });

  it("testCondVmapGrad: vmap(grad(cond)) equals the where-based derivative", () => {
    const f = (x: A) => cond(x.gt(0), (x: A) => x.pow(2), (x: A) => x.pow(3), x);
    const xs = Array_from(20, (i) => -1 + (2 * i) / 19);
    const want = xs.map((x) => (x > 0 ? 2 * x : 3 * x * x));
    expectAllClose(run(vmap(grad(f)))(np.array(xs)), want, { rtol: 1e-5, atol: 1e-6 });
  });

  it("testCondGradVmapNan: a per-row cond runs only the taken branch, so sqrt at 0 gives no NaN", () => {
    const eps = 1e-3;
    const safe = (x: A) => cond(x.lt(eps), (_x: A) => eps, (x: A) => np.sqrt(x), x);
    const g = run(grad((x: A) => np.sum(vmap(safe)(x))));
    expectAllClose(g(np.zeros([10])), new Float32Array(10));
    // Mixed rows: 1/(2 sqrt x) where sqrt was taken, 0 elsewhere.
    expectAllClose(g(np.array([0, 4, 0, 0.25])), [0, 0.25, 0, 1]);
  });

  it("a weight shared by every row of a per-row cond: a branch dividing by a value that is 0 on rows it did not take gives no NaN", () => {
    // Rows with x > 0 take w / x; the row x = 0 takes w·x. Σ d/dw = 1/2 + 0 + (-1).
    const f = (w: A, x: A) => cond(x.gt(0), (x: A) => w.div(x), (x: A) => w.mul(x), x);
    const total = (w: A) => np.sum(vmap(f, { inAxes: [null, 0] })(w, np.array([2, 0, -1])));
    expectAllClose(run(grad(total))(np.array(3)), -0.5);
  });

  it("test_cond_ad_batched_unit: vmap of the derivative of an identity cond applied twice", () => {
    const condId = (x: A) => cond(x.lt(0), (x: A) => x, (x: A) => x, x);
    expectAllClose(run(vmap(grad((x: A) => condId(condId(x)))))(np.ones([1])), [1]);
    expectAllClose(run(vmap(grad((x: A) => condId(condId(x)))))(np.array([-2, 3])), [1, 1]);
  });

  it("grad through a per-row cond with respect to a value every row shares (W under vmap)", () => {
    // Σ_b (x_b > 0 ? w·x_b : w²): d/dw = Σ x_b over the positive rows + 2w·#negative rows.
    const loss = (w: A, xs: A) => np.sum(vmap((x: A) => cond(x.gt(0), (x: A) => w.mul(x), (_x: A) => w.mul(w), x))(xs));
    const xs = [1, -2, 3, -4, 5];
    expectAllClose(run(grad(loss))(np.array(0.5), np.array(xs)), 9 + 2 * 0.5 * 2, { rtol: 1e-6 });
    expectAllClose(run(grad(loss))(np.array(0.5), np.array(xs)), numericalGrad(loss, [0.5, xs])[0], FD);
  });

  it("grad through a per-row cond whose branch computes a residual every row shares (sin w): recomputed in the linear part", () => {
    // Σ_b (x_b > 0 ? x_b·sin w : x_b²): d/dx_b = sin w or 2x_b; d/dw = Σ x_b·cos w over the positive rows.
    const loss = (w: A, xs: A) => np.sum(vmap((x: A) => cond(x.gt(0), (x: A) => x.mul(np.sin(w)), (x: A) => x.mul(x), x))(xs));
    const w = 0.7, xs = [1.5, -2, 0.5];
    const [gw, gx] = run(grad(loss, { argnums: [0, 1] }))(np.array(w), np.array(xs)) as A[];
    expectAllClose(gw, 2 * Math.cos(w), { rtol: 1e-5 });
    expectAllClose(gx, [Math.sin(w), -4, Math.sin(w)], { rtol: 1e-5 });
  });
});

const Array_from = <T>(n: number, f: (i: number) => T): T[] => globalThis.Array.from({ length: n }, (_, i) => f(i));

/** Deterministic pseudo-random values in [-1, 1) (a small LCG, so the test data is fixed). */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array_from(n, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}
const matrix = (rows: number, cols: number, seed: number): number[][] => {
  const v = values(rows * cols, seed);
  return Array_from(rows, (r) => v.slice(r * cols, (r + 1) * cols));
};

describe.each(RUN_MODES)("scan autodiff (%s)", (_name, { run }) => {
  const d = values(2, 7);
  // JAX's scan test body: b = cos(Σ sin a + Σ cos c + Σ d); c' = sin(c·b); y = b.
  const body = (c: A, a: A): [A, A] => {
    const b = np.cos(np.sum(np.sin(a)).add(np.sum(np.cos(c))).add(np.sum(np.array(d))));
    return [np.sin(c.mul(b)), b];
  };
  const scanF = (c: A, as: A) => scan(body, c, as);
  const c0 = values(4, 1);
  const as0 = matrix(5, 3, 2);
  /** The same recurrence unrolled in JS (float64): the reference for values. */
  const unrolled = (c: A, as: A) => {
    const ys: A[] = [];
    for (let t = 0; t < 5; t++) {
      const [next, y] = body(c, as.slice(t));
      c = next;
      ys.push(y.reshape([1]));
    }
    return [c, np.concatenate(ys)];
  };

  it("testScanJVP: the jvp of the scan equals the jvp of the unrolled loop and finite differences", () => {
    const got = jvpNumbers(run(scanF), [np.array(c0), np.array(as0)], [np.array(c0), np.array(as0)]);
    const want = jvpNumbers(unrolled, [np.array(c0), np.array(as0)], [np.array(c0), np.array(as0)]);
    expectAllClose(got, want, { rtol: 1e-4, atol: 1e-5 });
    expectAllClose(got, numericalJvp(scanF, [c0, as0], [c0, as0]), FD);
  });

  it("testScanLinearize: the linear map of the scan equals the unrolled jvp", () => {
    const [, lin] = linearize(run(scanF), np.array(c0), np.array(as0));
    const want = jvpNumbers(unrolled, [np.array(c0), np.array(as0)], [np.array(c0), np.array(as0)]);
    expectAllClose(outputNumbers(lin(np.array(c0), np.array(as0))), want, { rtol: 1e-4, atol: 1e-5 });
  });

  it("testScanGrad: grad of the final carry's sum, against the unrolled loop and finite differences", () => {
    // JAX's testScanGrad body (sin instead of the outer cos).
    const bodyG = (c: A, a: A): [A, A] => {
      const b = np.sum(np.sin(a)).add(np.sum(np.sin(c))).add(np.sum(np.sin(np.array(d))));
      return [np.sin(c.mul(b)), b];
    };
    const loss = (c: A, as: A) => np.sum(scan(bodyG, c, as)[0]);
    const lossUnrolled = (c: A, as: A) => {
      for (let t = 0; t < 5; t++) c = bodyG(c, as.slice(t))[0];
      return np.sum(c);
    };
    const got = run(grad(loss, { argnums: [0, 1] }))(np.array(c0), np.array(as0)) as A[];
    const want = grad(lossUnrolled, { argnums: [0, 1] })(np.array(c0), np.array(as0)) as A[];
    expectAllClose(got[0], want[0], { rtol: 2e-4, atol: 8e-5 });
    expectAllClose(got[1], want[1], { rtol: 2e-4, atol: 8e-5 });
    expectAllClose(outputNumbers(got[0]), numericalGrad(loss, [c0, as0], 0), FD);
    expectAllClose(outputNumbers(got[1]), numericalGrad(loss, [c0, as0], 1), FD);
  });

  it("testScanHigherOrderDifferentiation: second derivatives through a scan, reverse over reverse and forward over reverse", () => {
    const dd = 0.75;
    const f = (c: A, a: A): [A, A] => [np.cos(np.sum(np.sin(c.mul(a))).mul(dd)).mul(0.9), np.sin(c.mul(np.sum(np.cos(a.mul(dd)))))];
    const as = [[0, 1], [2, 3], [4, 5]];
    const loss = (c: A) => {
      const [cf, ys] = scan(f, c, np.array(as));
      return cf.add(np.sum(ys));
    };
    const g = grad(loss);
    const c = 1;
    expectAllClose(run(g)(np.array(c)), numericalGrad(loss, [c])[0], FD);
    expectAllClose(run(grad(g))(np.array(c)), numericalGrad(g, [c])[0], FD);
    expectAllClose(jvpNumbers(run(g), [np.array(c)], [np.array(1)]), numericalGrad(g, [c]), FD);
  });

  it("testScanRnn: jvp, linearize and grad of an RNN loss; vmap over the batch", () => {
    const nIn = 4, nHid = 2, nOut = 1, length = 3;
    const wTrans = matrix(nHid, nHid + nIn, 11);
    const wOut = matrix(nOut, nHid + nIn, 12);
    const inputs = matrix(length, nIn, 13);
    const targets = matrix(length, nOut, 14);
    const loss = (params: [A, A], xs: A, ys: A) => {
      const [wt, wo] = params;
      const [, outs] = scan((state: A, x: A): [A, A] => {
        const stacked = np.concatenate([state, x]);
        return [np.tanh(np.matmul(wt, stacked)), np.tanh(np.matmul(wo, stacked))];
      }, np.zeros([nHid]), xs);
      return np.sum(outs.sub(ys).pow(2));
    };
    const params: [A, A] = [np.array(wTrans), np.array(wOut)];
    const lossOf = (wt: A, wo: A, xs: A, ys: A) => loss([wt, wo], xs, ys);
    const args = [wTrans, wOut, inputs, targets];
    const tangentsJs = args;
    const jv = jvpNumbers(run(lossOf), args.map((a) => np.array(a)), tangentsJs.map((a) => np.array(a)));
    expectAllClose(jv, numericalJvp(lossOf, args, tangentsJs), FD);
    const [, lin] = linearize(run(lossOf), ...args.map((a) => np.array(a)));
    expectAllClose(outputNumbers(lin(...args.map((a) => np.array(a)))), jv, { rtol: 1e-5, atol: 1e-6 });
    const g = run(grad(loss))(params, np.array(inputs), np.array(targets)) as [A, A];
    expectAllClose(outputNumbers(g[0]), numericalGrad(lossOf, args, 0), FD);
    expectAllClose(outputNumbers(g[1]), numericalGrad(lossOf, args, 1), FD);
    // vmap of the loss over a batch of sequences equals the per-sequence losses.
    const batchX = [matrix(length, nIn, 21), matrix(length, nIn, 22)];
    const batchY = [matrix(length, nOut, 23), matrix(length, nOut, 24)];
    const losses = run(vmap((x: A, y: A) => loss(params, x, y)))(np.array(batchX), np.array(batchY));
    expectAllClose(losses, batchX.map((x, i) => outputNumbers(loss(params, np.array(x), np.array(batchY[i]!)))[0]!), { rtol: 1e-5 });
    // And the gradient of the batch's total loss is the sum of the per-sequence gradients.
    const total = (wt: A, wo: A) => np.sum(vmap((x: A, y: A) => loss([wt, wo], x, y))(np.array(batchX), np.array(batchY)));
    const gTotal = run(grad(total, { argnums: [0, 1] }))(params[0], params[1]) as A[];
    const gEach = batchX.map((x, i) => grad(lossOf, { argnums: [0, 1] })(params[0], params[1], np.array(x), np.array(batchY[i]!)) as A[]);
    for (const k of [0, 1]) {
      const sum = outputNumbers(gEach[0]![k]).map((v, m) => v + outputNumbers(gEach[1]![k])[m]!);
      expectAllClose(outputNumbers(gTotal[k]), sum, { rtol: 1e-5, atol: 1e-6 });
    }
  });

  it("testIssue711: a scan whose body takes a gradient, differentiated in reverse mode", () => {
    // energy(x) = Σ x·p, so each step is x ← x − 0.1 p, five steps: x = x0 − 0.5 p; loss Σ x·p.
    const loss = (p: A) => {
      const energyGrad = grad((x: A) => np.sum(x.mul(p)));
      const [[, x]] = scan(([i, x]: [A, A]): [[A, A], null] => [[i.add(1), x.sub((energyGrad(x) as A).mul(0.1))], null], [np.array(0).astype("int32"), np.array([1, 2, 3])], null, { length: 5 });
      return np.sum(x.mul(p));
    };
    const p = [0.5, -1, 2];
    // d/dp Σ (x0 − 0.5p)·p = x0 − p.
    expectAllClose(run(grad(loss))(np.array(p)), [1 - 0.5 * 2 * 0.5, 2 + 0.5 * 2 * 1, 3 - 0.5 * 2 * 2], { rtol: 1e-5 });
  });

  it("test_scan_vjp_forwards_extensive_residuals: cumulative products, vjp against the hand-derived one", () => {
    // s ← x_t·s, y_t = s (the product before step t); ys cotangent 1, final-carry cotangent 1.
    const xs = [[0.5, 2], [1.5, -1], [0.25, 3]];
    const cumprod = (x: A) => scan((s: A, x: A): [A, A] => [x.mul(s), s], np.ones([2]), x);
    const [out, back] = vjp(run(cumprod), np.array(xs));
    const prefix = (t: number, j: number) => xs.slice(0, t).reduce((m, r) => m * r[j]!, 1);
    expectAllClose(outputNumbers(out), [prefix(3, 0), prefix(3, 1), ...[0, 1, 2].flatMap((t) => [prefix(t, 0), prefix(t, 1)])], { rtol: 1e-6 });
    const [ct] = back([np.ones([2]), np.ones([3, 2])]) as A[];
    // d/dx_t of (final + Σ_u y_u) = Π_{u≠t} x_u + Σ_{u>t} Π_{v<u, v≠t} x_v.
    const want = xs.map((_, t) => [0, 1].map((j) => {
      const without = (n: number) => xs.slice(0, n).reduce((m, r, v) => (v === t ? m : m * r[j]!), 1);
      let s = without(3);
      for (let u = t + 1; u < 3; u++) s += without(u);
      return s;
    }));
    expectAllClose(ct, want, { rtol: 1e-5 });
  });

  it("testStaticForiGrad: grad and linearize through a foriLoop with JS-number bounds (a scan)", () => {
    const f = (x: A) => foriLoop(0, 2, (_i: A, c: A) => c, x);
    expectAllClose(run(grad(f))(np.array(1)), 1);
    const [y, lin] = linearize(run(f), np.array(1));
    expectAllClose(y, 1);
    expectAllClose(lin(np.array(3)), 3);
    // A body that uses the index: x·1·2·3, so the derivative is 6 (and 6x² for x³·…).
    const g = (x: A) => foriLoop(0, 3, (i: A, c: A) => c.mul(i.add(1).astype("float32")).mul(x), x);
    expectAllClose(run(grad(g))(np.array(1.5)), 6 * 4 * 1.5 ** 3, { rtol: 1e-6 });
  });
});

describe.each(RUN_MODES)("whileLoop autodiff (%s)", (_name, { run }) => {
  const cond3 = (x: A) => x.slice(0, 2).le(8);
  const square = (x: A) => x.mul(x);
  const x0 = [[0, 1, 2], [3, 4, 5], [6, 7, 8]];

  it("testWhileJVP: x ↦ x² until x[0,2] > 8 (two steps: x⁴, tangent 4x³·t)", () => {
    const loop = (x: A) => whileLoop(cond3, square, x);
    const [out, t] = jvp(run(loop), [np.array(x0)], [np.array(x0)]);
    expectAllClose(out, x0.map((r) => r.map((v) => v ** 4)));
    expectAllClose(t, x0.map((r) => r.map((v) => 4 * v ** 3 * v)));
  });

  it("testWhileLinearize: linearize reruns the loop for the tangents", () => {
    const loop = (x: A) => whileLoop(cond3, square, x);
    const [y, lin] = linearize(run(loop), np.array(x0));
    expectAllClose(y, x0.map((r) => r.map((v) => v ** 4)));
    expectAllClose(lin(np.array(x0)), x0.map((r) => r.map((v) => 4 * v ** 4)));
  });

  it("testWhileJVPViaForiLoop: foriLoop with a traced bound is a while; its jvp", () => {
    const twice = (x: A) => foriLoop(0, np.array(3).astype("int32"), (_i: A, x: A) => x.mul(2), x);
    const [y, t] = jvp(run(twice), [np.array(2)], [np.array(1)]);
    expectAllClose(y, 16);
    expectAllClose(t, 8);
    const scaled = (x: A) => foriLoop(0, np.array(3).astype("int32"), (i: A, x: A) => x.mul(i.add(1).astype("float32")), x);
    const [y2, t2] = jvp(run(scaled), [np.array(2)], [np.array(1)]);
    expectAllClose(y2, 12);
    expectAllClose(t2, 6);
  });

  it("testWhileJVPWithGrowingNonzeroTangents: y and z get tangents only through the body", () => {
    const y0 = values(2, 31), z0 = values(2, 32), x = values(2, 33);
    const loop = (x: A) => whileLoop(
      ([i]: [A, A, A, A]) => i.lt(2),
      ([i, x]: [A, A, A, A]) => { const y = x.mul(x); return [i.add(1), x, y, y.mul(y)]; },
      [np.array(0).astype("int32"), x, np.array(y0), np.array(z0)],
    );
    const out = (xv: A) => { const [, a, b, c] = loop(xv); return [a, b, c]; };
    const [, t] = jvp(run(out), [np.array(x)], [np.array(x)]);
    // x' = t, y' = 2x·t, z' = 4x³·t.
    expectAllClose(outputNumbers(t), [...x, ...x.map((v) => 2 * v * v), ...x.map((v) => 4 * v ** 3 * v)], { rtol: 1e-5 });
    expectAllClose(outputNumbers(t), numericalJvp(out, [x], [x]), FD);
  });

  it("a per-row while (vmap with per-row trip counts) has a per-row jvp", () => {
    // Row b doubles until it exceeds 10: 1 → 16 (4 steps), 3 → 12 (2), 20 → 20 (0).
    const loop = vmap((x: A) => whileLoop((x: A) => x.lt(10), (x: A) => x.mul(2), x));
    const [y, t] = jvp(run(loop), [np.array([1, 3, 20])], [np.array([1, 1, 1])]);
    expectAllClose(y, [16, 12, 20]);
    expectAllClose(t, [16, 4, 1]);
  });

  it("grad through a whileLoop (reverse mode over the recorded steps; test/frontend/ad/whileGrad.test.ts has the rest)", () => {
    const loop = (x: A) => whileLoop(([i]: [A, A]) => i.lt(5), ([i, x]: [A, A]) => [i.add(1), np.sin(x)], [np.array(0).astype("int32"), x])[1];
    // d/dx sin⁵(x) by the chain rule: Π cos(sinᵏ(x)), k = 0..4.
    let x = 1, d = 1;
    for (let k = 0; k < 5; k++) (d *= Math.cos(x)), (x = Math.sin(x));
    expectAllClose(run(grad(loop))(np.array(1)), d, { rtol: 1e-5 });
  });
});

describe("scan partial evaluation: what the known scan returns", () => {
  // s ← x_t·s·sin(w), y_t = s: the jvp needs x_t, s_t, sin(w) and cos(w).
  const program = (w: A, xs: A) => scan((s: A, x: A): [A, A] => [x.mul(s).mul(np.sin(w)), s], np.ones([2]), xs);
  const j = makeJaxpr(program)(np.array(0.5), np.ones([4, 2])).jaxpr;
  const closed: Jaxpr = { ...j, constvars: [], invars: [...j.constvars, ...j.invars] };
  const d = jvpJaxpr(closed, closed.invars.map((_, i) => i >= j.constvars.length));
  const p = partialEvalJaxpr(d.jaxpr, d.jaxpr.invars.map((_, i) => i >= closed.invars.length));
  const knownScan = p.known.eqns.find((e) => e.prim === "scan")!;
  const xsIndex = closed.invars.length - 1;

  it("test_scan_vjp_forwards_extensive_residuals: the xs reach the linear part as the input itself, not a copy (jax #4510)", () => {
    expect(p.residuals).toContainEqual({ kind: "input", index: xsIndex });
    // The known scan's outputs: final carry, ys, and one stacked residual per iteration value (s_t, and x_t·s_t), never x again.
    expect(knownScan.outputs.map((o) => o.aval.shape)).toEqual([[2], [4, 2], [4, 2], [4, 2]]);
  });

  it("residuals computed from loop constants only (sin w, cos w) are hoisted out of the loop, unstacked", () => {
    expect(knownScan.outputs.some((o) => o.aval.shape.length === 1 && o.aval.shape[0] === 4)).toBe(false);
    const hoisted = p.known.eqns.filter((e) => e.prim === "sin" || e.prim === "cos").map((e) => e.prim);
    expect(hoisted.sort()).toEqual(["cos", "sin"]);
    const unknownScan = p.unknown.eqns.find((e) => e.prim === "scan")!;
    expect(unknownScan.prim === "scan" && unknownScan.params.num_consts).toBe(3); // cos w, sin w, and w's tangent
  });
});
