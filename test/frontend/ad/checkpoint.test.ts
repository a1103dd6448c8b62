// checkpoint(f) (jax.checkpoint / remat): the gradient is unchanged, and the
// residuals reverse mode keeps for f shrink to f's inputs, because the
// backward pass recomputes f's intermediates. Every run mode.
import { describe, expect, it } from "vitest";
import { checkpoint, grad, jit, makeJaxpr, np, scan, valueAndGrad, vmap, whileLoop } from "../../../src/index.js";
import type { Array } from "../../../src/frontend/array.js";
import type { Jaxpr } from "../../../src/ir/core.js";
import { linearizeJaxpr } from "../../../src/passes/ad/linearizeJaxpr.js";
import { RUN_MODES } from "../../helpers/backends.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { numericalGrad, outputNumbers } from "../../helpers/finiteDifferences.js";

type A = Array;
const FD = { rtol: 2e-2, atol: 2e-3 };

/** Three tanh layers on x (a chain whose intermediates reverse mode would store). */
const layers = (w: A, x: A): A => {
  let h = x;
  for (let k = 0; k < 3; k++) h = np.tanh(np.matmul(h, w).add(0.1 * k));
  return h;
};
const loss = (f: (w: A, x: A) => A) => (w: A, x: A): A => np.sum(f(w, x).mul(f(w, x)));

const W = np.array([[0.5, -0.2, 0.3], [0.1, 0.4, -0.6], [-0.3, 0.2, 0.7]]);
const X = np.array([[0.3, -0.1, 0.8], [0.5, 0.5, -0.4]]);

/** Bytes of the residuals the known part of grad(f) hands to the linear part (computed ones, not inputs). */
function residualBytes(f: (w: A, x: A) => A): number {
  const j: Jaxpr = makeJaxpr(f)(W, X).jaxpr;
  const lin = linearizeJaxpr({ ...j, constvars: [], invars: [...j.constvars, ...j.invars] }, [...j.constvars.map(() => false), true, false]);
  return lin.residuals.filter((r) => r.kind === "output").reduce((n, r) => n + 4 * lin.known.outvars[j.outvars.length + r.index]!.aval.shape.reduce((a, d) => a * d, 1), 0);
}

describe.each(RUN_MODES)("checkpoint (%s)", (_name, { run }) => {
  it("the gradient of a chain of layers is unchanged and matches finite differences", () => {
    const plain = run(grad(loss(layers)))(W, X) as A;
    const remat = run(grad(loss(checkpoint(layers))))(W, X) as A;
    expectAllClose(remat, plain, { rtol: 1e-6, atol: 1e-7 });
    expectAllClose(outputNumbers(remat), numericalGrad(loss(checkpoint(layers)), [W.toArray() as number[][], X.toArray() as number[][]]), FD);
  });

  it("inside a scan body and a whileLoop body: same gradients as without", () => {
    const step = (w: A, h: A): A => np.tanh(np.matmul(h, w)).add(h.mul(0.5));
    const viaScan = (cp: boolean) => (w: A, x: A): A => {
      const body = cp ? checkpoint(step) : step;
      return np.sum(scan((h: A, _t: A): [A, A] => [body(w, h), np.zeros([])], x, np.zeros([4]))[0]);
    };
    const viaWhile = (cp: boolean) => (w: A, x: A): A => {
      const body = cp ? checkpoint(step) : step;
      const [, y] = whileLoop(([i]: [A, A]) => i.lt(3), ([i, h]: [A, A]) => [i.add(1), body(w, h)] as [A, A], [np.array(0).astype("int32"), x]) as [A, A];
      return np.sum(y);
    };
    for (const f of [viaScan, viaWhile]) expectAllClose(run(grad(f(true)))(W, X), grad(f(false))(W, X), { rtol: 1e-5, atol: 1e-6 });
  });

  it("under vmap and jit, and nested checkpoints", () => {
    const nested = checkpoint((w: A, x: A): A => checkpoint(layers)(w, x).mul(2));
    const per = run(vmap(grad((w: A, x: A) => np.sum(nested(w, x))), { inAxes: [null, 0] }))(W, X) as A;
    const rows = [0, 1].map((r) => grad((w: A, x: A) => np.sum(layers(w, x).mul(2)))(W, X.slice(r)) as A);
    expectAllClose(per, rows.map((g) => g.toArray()), { rtol: 1e-5, atol: 1e-6 });
    const [v, g] = run(jit(valueAndGrad(loss(nested))))(W, X) as [A, A];
    expectAllClose(v, (loss((w: A, x: A) => layers(w, x).mul(2))(W, X) as A).item());
    expect(g.shape).toEqual([3, 3]);
  });
});

describe("checkpoint stores less", () => {
  it("the residuals of grad shrink: only the inputs of the checkpointed function are kept", () => {
    const plain = residualBytes(loss(layers));
    const remat = residualBytes(loss(checkpoint(layers)));
    expect(plain).toBeGreaterThan(0);
    expect(remat).toBeLessThan(plain);
  });

  it("a whileLoop whose body is checkpointed records fewer bytes per iteration", () => {
    const step = (w: A, h: A): A => np.tanh(np.tanh(np.matmul(h, w)).mul(2)).add(h);
    const program = (cp: boolean) => (w: A, x: A): A => {
      const body = cp ? checkpoint(step) : step;
      const [, y] = whileLoop(([i]: [A, A]) => i.lt(3), ([i, h]: [A, A]) => [i.add(1), body(w, h)] as [A, A], [np.array(0).astype("int32"), x]) as [A, A];
      return np.sum(y);
    };
    const recorded = (cp: boolean): number => {
      const j = makeJaxpr(grad(program(cp)))(W, X).jaxpr;
      const rec = j.eqns.find((e) => e.prim === "while_record")!;
      return rec.outputs.filter((o) => o.aval.tape).reduce((n, o) => n + o.aval.shape.reduce((a, d) => a * d, 1), 0);
    };
    expect(recorded(true)).toBeLessThan(recorded(false));
  });

  it("errors for people: a non-function", () => {
    expect(() => checkpoint(3 as never)).toThrow(/checkpoint: expects a function, got number/);
  });
});
