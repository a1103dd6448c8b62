// Gradients through whileLoop on every run mode: `jit(grad(f))` on each
// backend against the interpreter's eager `grad(f)` (reverse mode records the
// loop's residuals on tapes: ir/prims/tape.ts), and against central finite
// differences so the reference itself is checked. The compiled backends
// lower the tapes (backends/lower/rules_tape.ts) into a per-run arena.
import { describe, expect, it } from "vitest";
import { grad, makeJaxpr, np, vmap, whileLoop } from "../../src/index.js";
import type { Array } from "../../src/frontend/array.js";
import { RUN_MODES } from "../helpers/backends.js";
import { expectAllClose } from "../helpers/allclose.js";
import { primsOf } from "../helpers/ir.js";
import { numericalGrad, outputNumbers } from "../helpers/finiteDifferences.js";

type A = Array;
const FD = { rtol: 2e-2, atol: 2e-3 };
/** wasm's sin/cos/tanh are within 2 ulp of the interpreter's (docs/wasm-math.md); a gradient sums many of them. */
const BACKEND = { rtol: 1e-5, atol: 1e-6 };

/** x ← 1.5·x + sin x while x < 10 (the loop of issue #14). */
const growSin = (x: A): A => whileLoop((c: A) => c.lt(10), (c: A) => c.mul(1.5).add(np.sin(c)), x);

/** A vector carry and a counter: x ← 1.2·x + tanh(x)/2 while Σx² < 50, then Σx. */
const vectorLoop = (x: A): A => {
  const [y] = whileLoop(
    ([v]: [A, A]) => np.sum(v.mul(v)).lt(50),
    ([v, k]: [A, A]) => [v.mul(1.2).add(np.tanh(v).mul(0.5)), k.add(1)] as [A, A],
    [x, np.array(0, { dtype: "int32" })] as [A, A],
  );
  return np.sum(y);
};

/** A matrix-vector product in the body: x ← W x + sin x while Σ|x| < 20 (W is a closed-over constant). */
const W = np.array([
  [0.9, 0.2, -0.1],
  [0.1, 1.1, 0.3],
  [-0.2, 0.1, 1.0],
]);
const matvecLoop = (x: A): A => {
  const y = whileLoop((v: A) => np.sum(np.abs(v)).lt(20), (v: A) => np.matmul(W, v).add(np.sin(v)), x);
  return np.sum(y.mul(y));
};

/** A loop in a loop: three outer steps, each running an inner loop from the outer carry. */
const nested = (x: A): A => {
  const [y] = whileLoop(
    ([, i]: [A, A]) => i.lt(3),
    ([v, i]: [A, A]) => {
      const w = whileLoop((u: A) => u.lt(4), (u: A) => u.mul(1.3).add(0.1), v);
      return [w.mul(0.5).add(np.cos(v)), i.add(1)] as [A, A];
    },
    [x, np.array(0, { dtype: "int32" })] as [A, A],
  );
  return y;
};

describe.each(RUN_MODES)("grad through whileLoop (%s)", (_name, { run, backend }) => {
  const check = (f: (x: A) => A, xs: readonly (number | number[])[]): void => {
    for (const x of xs) {
      const want = grad(f)(np.array(x)) as A;
      const got = run(grad(f))(np.array(x)) as A;
      expectAllClose(outputNumbers(got), outputNumbers(want), backend === null ? { rtol: 0, atol: 0 } : BACKEND);
      expectAllClose(outputNumbers(want), numericalGrad(f, [x]), FD);
    }
  };

  it("a scalar loop: many, one and zero iterations", () => {
    // The reference really goes through a tape (not a loop unrolled at trace time).
    expect(primsOf(makeJaxpr(grad(growSin))(np.array(1.3)).jaxpr).has("while_record")).toBe(true);
    check(growSin, [1.3, 0.4, 9.5, 12]);
  });

  it("a vector carry with a step counter", () => check(vectorLoop, [[0.5, -1, 2]]));

  it("a matrix-vector product in the body", () => check(matvecLoop, [[0.3, -0.2, 0.5]]));

  it("a whileLoop nested in a whileLoop", () => check(nested, [0.5, 2, 5]));

  it("vmap of the gradient: rows with their own trip counts (a batched predicate), one row with none", () => {
    const xs = np.array([1.3, 0.2, 5, 11]);
    const want = vmap(grad(growSin))(xs) as A;
    const got = run(vmap(grad(growSin)))(xs) as A;
    expectAllClose(outputNumbers(got), outputNumbers(want), backend === null ? { rtol: 0, atol: 0 } : BACKEND);
    expectAllClose(outputNumbers(want), [1.3, 0.2, 5, 11].map((x) => numericalGrad(growSin, [x])[0]!), FD);
  });
});
