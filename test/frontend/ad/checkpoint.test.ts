// checkpoint(f) (JAX's jax.checkpoint / remat, issue #14): reverse mode
// recomputes f's intermediates from its operands instead of storing them.
// Gradients must not change (against the same function without checkpoint and
// against central finite differences), and the residuals the known part
// stores must shrink: counted on the known part `linearizeJaxpr` returns
// (its computed residuals, the stacked ys of a scan, the records of a
// while_record), after the same before-AD passes grad runs.
import { describe, expect, it } from "vitest";
import { checkGrads, checkpoint, grad, hessian, jacfwd, jacrev, jit, jvp, linearize, makeJaxpr, np, scan, stopGradient, valueAndGrad, vmap, whileLoop } from "../../../src/index.js";
import type { Array } from "../../../src/frontend/array.js";
import type { Jaxpr } from "../../../src/ir/core.js";
import { BEFORE_AD } from "../../../src/passes/ad/gradientSteps.js";
import { linearizeJaxpr } from "../../../src/passes/ad/linearizeJaxpr.js";
import { runPipeline } from "../../../src/passes/pipeline.js";
import { RUN_MODES } from "../../helpers/backends.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { errorOf } from "../../helpers/errors.js";
import { numericalGrad, outputNumbers } from "../../helpers/finiteDifferences.js";
import { primsOf } from "../../helpers/ir.js";

type A = Array;
const FD = { rtol: 2e-2, atol: 2e-3 };
const i32 = (v: number): A => np.array(v).astype("int32");

// A layer: tanh(W x + b); a net: three of them, each with its own weights.
const layer = (w: A, b: A, x: A): A => np.tanh(np.matmul(w, x).add(b));
const W = (seed: number): A => np.array([0, 1, 2].map((i) => [0, 1, 2].map((j) => Math.sin(seed + 3 * i + j) * 0.7)));
const B = (seed: number): A => np.array([0, 1, 2].map((i) => Math.cos(seed + i) * 0.2));
const WS = [W(1), W(2), W(3)];
const BS = [B(1), B(2), B(3)];
const X = np.array([0.3, -0.8, 1.1]);

function net(step: (w: A, b: A, x: A) => A): (ws: A[], x: A) => A {
  return (ws, x) => np.sum(ws.reduce((h, w, k) => step(w, BS[k]!, h), x));
}
const plainNet = net(layer);
const layerwiseNet = net(checkpoint(layer));
const wholeNet = (ws: A[], x: A): A => checkpoint((ws: A[], x: A) => plainNet(ws, x), { name: "whole" })(ws, x);

// A scan whose step is two tanh layers on the carry.
const cell = (w: A, h: A, x: A): A => np.tanh(np.tanh(h.mul(w).add(x)).mul(w));
const scanLoss = (step: (w: A, h: A, x: A) => A) => (w: A, h: A): A =>
  np.sum(scan((c: A, x: A) => [step(w, c, x), np.sum(c)] as [A, A], h, np.array([[0.1, -0.2], [0.3, 0.05], [-0.4, 0.2], [0.25, 0.1]]))[1]);

// A whileLoop whose body is two sin/tanh stages, run until the step counter reaches n (n from the data).
const stage = (w: A, x: A): A => np.tanh(np.sin(x.mul(w)).mul(w)).add(x.mul(0.5));
const whileLoss = (body: (w: A, x: A) => A) => (w: A, x: A): A =>
  np.sum((whileLoop(([i]: [A, A]) => i.lt(i32(5)), ([i, x]: [A, A]) => [i.add(1), body(w, x)] as [A, A], [i32(0), x]) as [A, A])[1]);

/** The known part of f's linearization with respect to its float inputs, as grad builds it. */
function knownPart(f: (...a: never[]) => unknown, args: unknown[]): Jaxpr {
  const traced = makeJaxpr(f)(...(args as never[])).jaxpr;
  const prepared = runPipeline(traced, BEFORE_AD).jaxpr;
  return linearizeJaxpr(prepared, prepared.invars.map((v) => v.aval.dtype === "float32")).known;
}

/** How many float32 elements the known part stores as residuals (its outputs past the function's own). */
function storedElements(f: (...a: never[]) => unknown, args: unknown[], nOut = 1): number {
  const known = knownPart(f, args);
  return known.outvars.slice(nOut).reduce((n, v) => n + v.aval.shape.reduce((a, d) => a * d, 1), 0);
}

describe.each(RUN_MODES)("checkpoint (%s)", (_name, { run }) => {
  it("a chain of tanh layers: the gradient is unchanged, per layer and around the whole chain", () => {
    const want = grad(plainNet, { argnums: [0, 1] })(WS, X) as [A[], A];
    for (const f of [layerwiseNet, wholeNet]) {
      const [gws, gx] = run(grad(f, { argnums: [0, 1] }))(WS, X) as [A[], A];
      gws.forEach((g, k) => expectAllClose(g, want[0][k]!, { rtol: 1e-5, atol: 1e-6 }));
      expectAllClose(gx, want[1], { rtol: 1e-5, atol: 1e-6 });
    }
    const x = [0.3, -0.8, 1.1];
    expectAllClose(outputNumbers(run(grad(layerwiseNet, { argnums: 1 }))(WS, X)), numericalGrad((x: A) => layerwiseNet(WS, x), [x]), FD);
  });

  it("value and gradient of a scan whose step is checkpointed match the step without it and finite differences", () => {
    const w = np.array([0.9, -0.6]), h = np.array([0.2, 0.4]);
    const [v, [gw, gh]] = run(valueAndGrad(scanLoss(checkpoint(cell)), { argnums: [0, 1] }))(w, h) as [A, [A, A]];
    const [v0, [gw0, gh0]] = valueAndGrad(scanLoss(cell), { argnums: [0, 1] })(w, h) as [A, [A, A]];
    expectAllClose(v, v0, { rtol: 1e-6 });
    expectAllClose(gw, gw0, { rtol: 1e-5, atol: 1e-6 });
    expectAllClose(gh, gh0, { rtol: 1e-5, atol: 1e-6 });
    expectAllClose(outputNumbers(gw), numericalGrad((w: A) => scanLoss(checkpoint(cell))(w, h), [[0.9, -0.6]]), FD);
  });

  it("nested checkpoints: the gradient is unchanged", () => {
    const inner = checkpoint((w: A, x: A) => np.sin(x.mul(w)).mul(w), { name: "inner" });
    const outer = checkpoint((w: A, x: A) => np.tanh(inner(w, inner(w, x))), { name: "outer" });
    const f = (w: A, x: A): A => np.sum(outer(w, outer(w, x)));
    const w = np.array([0.7, -1.2]), x = np.array([0.5, 1.5]);
    const plain = (w: A, x: A): A => {
      const inn = (x: A): A => np.sin(x.mul(w)).mul(w);
      const out = (x: A): A => np.tanh(inn(inn(x)));
      return np.sum(out(out(x)));
    };
    expectAllClose(run(grad(f, { argnums: [0, 1] }))(w, x), grad(plain, { argnums: [0, 1] })(w, x), { rtol: 1e-5, atol: 1e-6 });
    // Second order: the transposed call is a checkpoint again, and differentiates.
    const gg = run(grad((w: A) => np.sum(grad(f)(w, x) as A)))(w);
    expectAllClose(gg, grad((w: A) => np.sum(grad(plain)(w, x) as A))(w), { rtol: 1e-4, atol: 1e-5 });
  });

  it("under vmap and jit, in either order with grad", () => {
    const f = (w: A, x: A): A => np.sum(checkpoint(cell)(w, x, x));
    const plain = (w: A, x: A): A => np.sum(cell(w, x, x));
    const w = np.array([0.8, -0.5]);
    const xs = np.array([[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]]);
    const want = vmap(grad(plain), { inAxes: [null, 0] })(w, xs);
    expectAllClose(run(vmap(grad(f), { inAxes: [null, 0] }))(w, xs), want, { rtol: 1e-5, atol: 1e-6 });
    expectAllClose(run(grad((w: A) => np.sum(vmap((x: A) => f(w, x))(xs))))(w), grad((w: A) => np.sum(vmap((x: A) => plain(w, x))(xs)))(w), { rtol: 1e-5, atol: 1e-6 });
    expectAllClose(run(grad(jit(f)))(w, np.array([0.1, 0.2])), grad(plain)(w, np.array([0.1, 0.2])), { rtol: 1e-5, atol: 1e-6 });
    // Evaluated without differentiation, a checkpoint is the function.
    expectAllClose(run(vmap(checkpoint(cell), { inAxes: [null, 0, 0] }))(w, xs, xs), vmap(cell, { inAxes: [null, 0, 0] })(w, xs, xs), { rtol: 1e-6 });
  });

  it("pytree arguments and outputs, and values it closes over (differentiated like arguments)", () => {
    const scale = np.array(1.5);
    const f = checkpoint(({ w, x }: { w: A; x: A }) => ({ y: np.tanh(x.mul(w).mul(scale)), z: [np.sin(x)] }));
    const loss = (s: A, w: A, x: A): A => {
      const g = checkpoint(({ w, x }: { w: A; x: A }) => ({ y: np.tanh(x.mul(w).mul(s)), z: [np.sin(x)] }));
      const o = g({ w, x });
      return np.sum(o.y.add(o.z[0]!));
    };
    const plain = (s: A, w: A, x: A): A => np.sum(np.tanh(x.mul(w).mul(s)).add(np.sin(x)));
    const w = np.array([0.4, 0.9]), x = np.array([1.0, -2.0]);
    const out = run((w: A, x: A) => f({ w, x }))(w, x) as { y: A; z: A[] };
    expectAllClose(out.y, np.tanh(x.mul(w).mul(scale)), { rtol: 1e-6 });
    expectAllClose(out.z[0]!, np.sin(x), { rtol: 1e-6 });
    const got = run(grad(loss, { argnums: [0, 1, 2] }))(scale, w, x) as A[];
    const want = grad(plain, { argnums: [0, 1, 2] })(scale, w, x) as A[];
    got.forEach((g, k) => expectAllClose(g, want[k]!, { rtol: 1e-5, atol: 1e-6 }));
  });

  it("loops inside a checkpoint: a scan, differentiated to second order in both modes", () => {
    const inner = (w: A, x: A) => scan((c: A, y: A) => [np.tanh(c.mul(w).add(y)), np.sin(c)] as [A, A], x, np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]));
    const total = (call: typeof inner) => (w: A, x: A): A => {
      const [c, ys] = call(w, x) as [A, A];
      return np.sum(c).add(np.sum(ys));
    };
    const w = np.array([0.5, -0.7]), x = np.array([0.2, 0.9]);
    const got = run(grad(total(checkpoint(inner)), { argnums: [0, 1] }))(w, x) as A[];
    const want = grad(total(inner), { argnums: [0, 1] })(w, x) as A[];
    got.forEach((g, k) => expectAllClose(g, want[k]!, { rtol: 1e-5, atol: 1e-6 }));
    checkGrads(total(checkpoint(inner)), [w, x], { order: 2, modes: ["fwd", "rev"], run });
  });

  it("forward mode, jacobians, hessian and linearize see the function", () => {
    const g = (x: A): A => np.tanh(np.sin(x).mul(x));
    const f = checkpoint(g);
    const x = np.array([0.3, 0.8]), t = np.array([1, -0.5]);
    expectAllClose(run((x: A, t: A) => jvp(f, [x], [t])[1])(x, t), jvp(g, [x], [t])[1], { rtol: 1e-5 });
    expectAllClose(run(jacfwd(f))(x), jacfwd(g)(x), { rtol: 1e-5 });
    expectAllClose(run(jacrev(f))(x), jacrev(g)(x), { rtol: 1e-5 });
    expectAllClose(run(hessian((x: A) => np.sum(f(x))))(x), hessian((x: A) => np.sum(g(x)))(x), { rtol: 1e-4, atol: 1e-6 });
    const [, fJvp] = linearize(f, x) as [A, (t: A) => A];
    const [, gJvp] = linearize(g, x) as [A, (t: A) => A];
    expectAllClose(fJvp(t), gJvp(t), { rtol: 1e-5 });
  });

  it("outputs that are an operand, a JS number, an int, a stop_gradient or unused", () => {
    const h = checkpoint((x: A, n: A) => [x, 3, n.add(1), np.sum(stopGradient(x).mul(x)), np.exp(x)] as const);
    const f = (x: A, n: A): A => {
      const [a, b, c, d] = h(x, n) as unknown as [A, A, A, A];
      return np.sum(a).mul(b).add(d).add(c.astype("float32"));
    };
    const x = np.array([0.3, 0.8]), n = i32(2);
    expectAllClose(run(f)(x, n), 3 * 1.1 + 0.09 + 0.64 + 3, { rtol: 1e-6 });
    // d/dx: 3 from the sum, x from the product with the stopped x.
    expectAllClose(run(grad(f))(x, n), np.array([3.3, 3.8]), { rtol: 1e-6 });
    expectAllClose(run(vmap(grad(f), { inAxes: [0, null] }))(np.array([[0.3, 0.8], [1, 2]]), n), np.array([[3.3, 3.8], [4, 5]]), { rtol: 1e-6 });
  });

  it("a whileLoop inside a checkpoint: the gradient is unchanged", () => {
    const inner = (w: A, x: A): A => whileLoop((c: A) => np.sum(c).lt(5), (c: A) => c.mul(w).add(np.sin(c)), x);
    const w = np.array([1.5, 1.2]), x = np.array([0.2, 0.9]);
    const got = run(grad((w: A, x: A) => np.sum(checkpoint(inner)(w, x)), { argnums: [0, 1] }))(w, x) as A[];
    const want = grad((w: A, x: A) => np.sum(inner(w, x)), { argnums: [0, 1] })(w, x) as A[];
    got.forEach((g, k) => expectAllClose(g, want[k]!, { rtol: 1e-5, atol: 1e-6 }));
  });

  it("a whileLoop body: the gradient is unchanged and matches finite differences", () => {
    const w = np.array([0.8, 1.1]), x = np.array([0.3, -0.2]);
    const got = run(grad(whileLoss(checkpoint(stage)), { argnums: [0, 1] }))(w, x) as [A, A];
    const want = grad(whileLoss(stage), { argnums: [0, 1] })(w, x) as [A, A];
    expectAllClose(got, want, { rtol: 1e-5, atol: 1e-6 });
    expectAllClose(outputNumbers(got[0]), numericalGrad((w: A) => whileLoss(stage)(w, x), [[0.8, 1.1]]), FD);
    // Per-row trip counts under vmap (each row's values grow by at least 1.2× a step until their sum passes 4), both orders.
    const rowLoss = (body: (w: A, x: A) => A) => (w: A, x: A): A => np.sum(whileLoop((c: A) => np.sum(c).lt(4), (c: A) => body(w, c).add(c.mul(0.7)), x));
    const xs = np.array([[0.3, 0.2], [1.5, 1.2], [0.05, 0.1]]);
    expectAllClose(run(vmap(grad(rowLoss(checkpoint(stage))), { inAxes: [null, 0] }))(w, xs), vmap(grad(rowLoss(stage)), { inAxes: [null, 0] })(w, xs), { rtol: 1e-5, atol: 1e-6 });
    const summed = (body: (w: A, x: A) => A) => (w: A): A => np.sum(vmap((x: A) => rowLoss(body)(w, x))(xs));
    expectAllClose(run(grad(summed(checkpoint(stage))))(w), grad(summed(stage))(w), { rtol: 1e-5, atol: 1e-6 });
  });
});

describe("checkpoint: the stored residuals shrink", () => {
  it("a chain of tanh layers stores its layers' inputs only (nothing for a checkpoint around the whole chain)", () => {
    const plain = storedElements(plainNet, [WS, X]);
    const layerwise = storedElements(layerwiseNet, [WS, X]);
    const whole = storedElements(wholeNet, [WS, X]);
    expect(plain).toBeGreaterThan(layerwise);
    // Per layer: the input of layers 2 and 3 (layer 1's input is the argument x): 2 × 3 floats.
    expect(layerwise).toBe(6);
    expect(whole).toBe(0);
  });

  it("a scan stacks only its carries' inputs with a checkpointed step", () => {
    const args = [np.array([0.9, -0.6]), np.array([0.2, 0.4])];
    const stacked = (f: (w: A, h: A) => A): number => {
      const scanEqn = knownPart(f, args).eqns.find((e) => e.prim === "scan")!;
      return scanEqn.outputs.length;
    };
    // carry + ys, then the stacked residuals: with checkpoint only the carry each step starts from.
    expect(stacked(scanLoss(checkpoint(cell)))).toBe(3);
    expect(stacked(scanLoss(cell))).toBeGreaterThan(3);
  });

  it("a whileLoop records only its carry with a checkpointed body", () => {
    const records = (f: (w: A, x: A) => A): number => {
      const rec = knownPart(f, [np.array([0.8, 1.1]), np.array([0.3, -0.2])]).eqns.find((e) => e.prim === "while_record")!;
      return (rec.params as { num_records: number }).num_records;
    };
    expect(records(whileLoss(checkpoint(stage)))).toBe(1);
    expect(records(whileLoss(stage))).toBeGreaterThan(1);
  });

  it("the known part keeps the call, without residual outputs, and the linear part recomputes inside it", () => {
    const traced = makeJaxpr(layerwiseNet)(WS, X).jaxpr;
    const lin = linearizeJaxpr(runPipeline(traced, BEFORE_AD).jaxpr, traced.invars.map(() => true));
    expect(primsOf(lin.known).has("checkpoint")).toBe(true);
    const calls = lin.linear.eqns.filter((e) => e.prim === "checkpoint");
    expect(calls).toHaveLength(3);
    // Each recomputes its layer's tanh from the residual input.
    for (const c of calls) expect(primsOf((c.params as { jaxpr: Jaxpr }).jaxpr).has("tanh")).toBe(true);
  });
});

describe("checkpoint: errors", () => {
  it("a non-function argument", () => {
    expect(errorOf(() => checkpoint(3 as never)).message).toMatch(/checkpoint: expected a function to checkpoint, got number/);
  });

  it("an output leaf that is not an array or a number names the checkpoint and the path", () => {
    const text = checkpoint((x: A) => ({ ok: x, bad: "text" }), { name: "labelled" });
    expect(errorOf(() => text(np.array([1, 2]))).message).toMatch(/^checkpoint 'labelled': pytree: unsupported value at output\.bad: a string/);
    const shapes = checkpoint(function shapes(x: A) {
      return [x, np.ShapeDtype([2], "float32")];
    });
    expect(errorOf(() => shapes(np.array([1, 2]))).message).toBe("checkpoint 'shapes': output[1] must be an array or a number, got ShapeDtype((2,), float32)");
  });

  it("an argument that is not an array or a number names the checkpoint and the path", () => {
    const f = checkpoint((x: A) => x);
    expect(errorOf(() => f("nope" as never)).message).toMatch(/^checkpoint: pytree: unsupported value at args\[0\]: a string/);
  });
});
