// JAX's conventions at the points where a derivative is a choice (kinks,
// ties, poles, 0**0) or is zero by decree (selectors, integers,
// stop_gradient), with the values derived by hand from JAX's rules (cited per
// test). Every value is checked in every run mode, with the derivative
// itself compiled (run(grad(f))).
import { describe, expect, test } from "vitest";
import { grad, jvp, np, stopGradient, vjp } from "../../../src/index.js";
import type { Array as TArray } from "../../../src/frontend/array.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { RUN_MODES } from "../../helpers/backends.js";

const f32 = (data: number | number[] | number[][]) => np.array(data, { dtype: "float32" });
const exact = { atol: 0, rtol: 0 };

describe.each(RUN_MODES)("AD conventions (%s)", (_name, { run }) => {
  // lax.abs jvp: select(x >= 0, t, -t), so the derivative at 0 (and at -0.0, which is >= 0) is 1.
  test("abs'(0) = 1", () => {
    expectAllClose(run(grad((x: TArray) => np.abs(x)))(f32(0)), 1, exact);
    expectAllClose(run(grad((x: TArray) => np.abs(x)))(f32(-0)), 1, exact);
    expectAllClose(run(grad((x: TArray) => np.sum(np.abs(x))))(f32([-2, 0, 3])), [-1, 1, 1], exact);
    const [, t] = run((x: TArray, tx: TArray) => jvp((a: TArray) => np.abs(a), [x], [tx]))(f32(0), f32(2.5)) as [TArray, TArray];
    expectAllClose(t, 2.5, exact);
  });

  // lax.max/min jvp (_balanced_eq): on a tie each operand gets half the tangent.
  test("max and min ties split the derivative 0.5 / 0.5", () => {
    for (const op of [np.maximum, np.minimum]) {
      const g = run(grad((x: TArray, y: TArray) => np.sum(op(x, y)), { argnums: [0, 1] }));
      const [gx, gy] = g(f32([2, 1, 5]), f32([2, 3, -1])) as [TArray, TArray];
      const xWins = op === np.maximum ? [0.5, 0, 1] : [0.5, 1, 0];
      expectAllClose(gx, xWins, exact);
      expectAllClose(gy, xWins.map((w) => 1 - w), exact);
    }
    // max(x, x) is x: the halves add up to 1.
    expectAllClose(run(grad((x: TArray) => np.maximum(x, x)))(f32(1.5)), 1, exact);
  });

  // _reduce_chooser_jvp_rule: the tangent is the mean over the positions attaining the extremum.
  test("reduce_max and reduce_min ties share the derivative", () => {
    expectAllClose(run(grad((x: TArray) => np.max(x)))(f32([1, 3, 3, 2])), [0, 0.5, 0.5, 0], exact);
    expectAllClose(run(grad((x: TArray) => np.min(x)))(f32([4, -1, 2, -1])), [0, 0.5, 0, 0.5], exact);
    // Per row: a three-way tie gets a third each, a unique maximum all of it.
    const g = run(grad((x: TArray) => np.sum(np.max(x, 1))))(f32([[7, 7, 7], [0, 9, 1]]));
    expectAllClose(g, [[1 / 3, 1 / 3, 1 / 3], [0, 1, 0]], { atol: 0, rtol: 1e-7 });
  });

  // lax.sqrt jvp: t · 0.5 / sqrt(x), so +inf at 0.
  test("sqrt'(0) = +inf", () => {
    expectAllClose(run(grad((x: TArray) => np.sqrt(x)))(f32(0)), Infinity, exact);
    expectAllClose(run(grad((x: TArray) => np.sqrt(x)))(f32(4)), 0.25, exact);
  });

  // lax.pow jvp: d/dx = y·x^(y−1) but 0 where y = 0; d/dy = log(x)·x^y with log(1) for x = 0.
  test("pow with a zero base or a zero exponent has no NaN", () => {
    const dPow = run(grad((x: TArray, y: TArray) => np.power(x, y), { argnums: [0, 1] }));
    const at = (x: number, y: number) => (dPow(f32(x), f32(y)) as TArray[]).map((a) => a.item());
    expect(at(0, 0)).toEqual([0, 0]); // d/dx 0**0 = 0 (not 0·0^-1 = NaN), d/dy = log(1)·1 = 0
    expect(at(0, 2)).toEqual([0, 0]); // 2·0^1 = 0, log(1)·0^2 = 0
    expect(at(3, 0)).toEqual([0, Math.fround(Math.log(3))]); // x^0 is constant in x; d/dy = log(3)·1
    expectAllClose(at(2, 3), [12, Math.log(2) * 8], { atol: 0, rtol: 1e-6 });
  });

  // select_n transpose: each case gets the cotangent where it was selected, zero elsewhere.
  test("where/select_n: the gradient goes only to the chosen case", () => {
    const g = run(grad((p: TArray, x: TArray, y: TArray) => np.sum(np.where(p, x, y).mul(f32([1, 2, 3]))), { argnums: [1, 2] }));
    const [gx, gy] = g(np.array([true, false, true]), f32([10, 20, 30]), f32([-1, -2, -3])) as [TArray, TArray];
    expectAllClose(gx, [1, 0, 3], exact);
    expectAllClose(gy, [0, 2, 0], exact);
    // Where x <= 0 the chosen case is the constant: x² contributes nothing there.
    const safe = run(grad((x: TArray) => np.sum(np.where(x.gt(0), x.mul(x), f32(0)))));
    expectAllClose(safe(f32([0, 2, -1])), [0, 4, 0], exact);
  });

  // Integer and bool values have only zero tangents (JAX gives float0 zeros; tsjax gives zeros of the input's dtype).
  test("integer inputs get zero cotangents in vjp", () => {
    const f = (x: TArray, n: TArray, b: TArray) => np.where(b, x.mul(n.astype("float32")), x);
    const back = run((x: TArray, n: TArray, b: TArray, c: TArray) => vjp(f, x, n, b)[1](c));
    const [cx, cn, cb] = back(f32([1.5, 2]), np.array([3, 4], { dtype: "int32" }), np.array([true, false]), f32([1, 1])) as TArray[];
    expectAllClose(cx!, [3, 1], exact);
    expect(cn!.dtype).toBe("int32");
    expect(cn!.toArray()).toEqual([0, 0]);
    expect(cb!.dtype).toBe("bool");
    expect(cb!.toArray()).toEqual([false, false]);
  });

  // lax.stop_gradient: the value passes, the derivative does not.
  test("stop_gradient", () => {
    expectAllClose(run(grad((x: TArray) => x.mul(stopGradient(x))))(f32(3)), 3, exact);
    expectAllClose(run(grad((x: TArray) => np.sum(stopGradient(x.mul(x)).add(x))))(f32([1, 2])), [1, 1], exact);
    // Second order: d²/dx² of x²·sg(x) treats sg(x) as a constant: 2·sg(x).
    expectAllClose(run(grad(grad((x: TArray) => x.mul(x).mul(stopGradient(x)))))(f32(5)), 10, exact);
  });
});
