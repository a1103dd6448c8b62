// checkGrads itself: it accepts correct derivatives of pytree functions with
// integer leaves at any order, in every run mode, and rejects wrong ones in
// each mode (a wrong derivative is built with stop_gradient, which AD treats
// as a constant and finite differences do not).
import { describe, expect, test } from "vitest";
import { CheckGradsError, checkGrads, np, stopGradient } from "../../../src/index.js";
import type { Array as TArray } from "../../../src/frontend/array.js";
import { RUN_MODES } from "../../helpers/backends.js";
import { errorOf } from "../../helpers/errors.js";

const f32 = (data: number[] | number[][]) => np.array(data, { dtype: "float32" });

/** A model-like function of a pytree with an int leaf, returning a pytree with an int leaf. */
const model = (p: { w: TArray; n: TArray }, xs: TArray[]) => {
  const h = np.tanh(np.matmul(xs[0]!, p.w)).mul(p.n.astype("float32"));
  return { loss: np.sum(h.mul(h)), h, count: np.sum(p.n) };
};
const params = { w: f32([[0.3, -0.2], [0.8, 0.1], [-0.5, 0.4]]), n: np.array([2, 3], { dtype: "int32" }) };
const inputs = [f32([[1, -0.5, 0.25], [0.1, 0.7, -1.2]])];

describe.each(RUN_MODES)("checkGrads (%s)", (_name, { run }) => {
  test("accepts pytrees with integer leaves, to order 2", () => {
    checkGrads(model, [params, inputs], { order: 2, run });
  });

  test("accepts a polynomial to order 3 under any seed", () => {
    const cubic = (x: TArray) => x.mul(x).mul(x).sub(x.mul(2));
    for (const seed of [0, 1, 12345]) checkGrads(cubic, [f32([0.5, -1.5])], { order: 3, seed, run });
  });

  test("rejects a wrong derivative in each mode", () => {
    // AD sees d/dx (x·sg(x)) = x; finite differences see 2x.
    const wrong = (x: TArray) => x.mul(stopGradient(x));
    for (const mode of ["fwd", "rev"] as const) {
      const e = errorOf(() => checkGrads(wrong, [f32([0.5, -1.5])], { modes: [mode], run }));
      expect(e).toBeInstanceOf(CheckGradsError);
      expect(e.message).toContain(mode === "fwd" ? "JVP (mode fwd, order 1)" : "VJP (mode rev, order 1)");
    }
  });
});

test("the same seed gives the same check, a bad option is refused by name", () => {
  const wrong = (x: TArray) => x.mul(stopGradient(x));
  const message = (seed: number) => errorOf(() => checkGrads(wrong, [f32([0.5, -1.5])], { seed })).message;
  expect(message(7)).toBe(message(7));
  expect(message(7)).not.toBe(message(8));
  expect(errorOf(() => checkGrads(wrong, [f32([1])], { modes: ["both" as "fwd"] })).message).toBe('checkGrads: modes may hold "fwd" and "rev", got "both"');
});
