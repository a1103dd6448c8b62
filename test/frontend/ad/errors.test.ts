// What AD says when it is used wrongly: the error class, and a message that
// names the function, the offending leaf or output, the shapes, and what to do.
import { describe, expect, test } from "vitest";
import { CheckGradsError, GradError, checkGrads, grad, jacfwd, jacrev, jvp, np, stopGradient, valueAndGrad, vjp } from "../../../src/index.js";
import type { Array as TArray } from "../../../src/frontend/array.js";
import { errorOf } from "../../helpers/errors.js";

const f32 = (data: number | number[]) => np.array(data, { dtype: "float32" });
const sum = (x: TArray) => np.sum(x);

/** The error `f` throws, checked to be a GradError whose message contains every fragment. */
function gradError(f: () => unknown, ...fragments: string[]): void {
  const e = errorOf(f);
  expect(e).toBeInstanceOf(GradError);
  for (const s of fragments) expect(e.message).toContain(s);
}

describe("AD errors", () => {
  test("grad of a non-scalar output says so and what to use instead", () => {
    gradError(() => grad((x: TArray) => x.mul(2))(f32([1, 2, 3])), "grad: the function must return a float32 scalar, got f32[3]", "np.sum", "jacrev");
    gradError(() => valueAndGrad((x: TArray) => [sum(x), sum(x)])(f32([1])), "valueAndGrad: the function must return a float32 scalar, got 2 values");
  });

  test("grad of an integer output names its type", () => {
    gradError(() => grad((x: TArray) => sum(x).astype("int32"))(f32([1, 2, 3])), "grad: the function must return a float32 scalar, got i32[]");
  });

  test("differentiating with respect to an integer argument names the leaf path", () => {
    const loss = (p: { w: TArray; b: TArray }) => sum(p.b);
    gradError(() => grad(loss)({ w: np.array([1, 2], { dtype: "int32" }), b: f32(1) }), "grad: args[0].w is i32[2]", "only float32 inputs can be differentiated");
    gradError(() => grad((x: TArray, n: TArray) => sum(x.mul(n)), { argnums: [0, 1] })(f32([1]), np.array([true])), "args[1] is bool[1]");
    gradError(() => jacfwd((x: TArray) => x, { argnums: 0 })([f32([1]), np.array([2], { dtype: "int32" })]), "jacfwd: args[0][1] is i32[1]");
    gradError(() => jacrev((x: TArray, n: TArray) => x.mul(n), { argnums: [1] })(f32([1]), np.array([2], { dtype: "int32" })), "jacrev: args[1] is i32[1]");
    // Not differentiated, an integer argument is fine.
    expect((grad((x: TArray, n: TArray) => sum(x.mul(n.astype("float32"))))(f32([1, 2]), np.array([3, 4], { dtype: "int32" })) as TArray).toArray()).toEqual([3, 4]);
  });

  test("argnums out of range", () => {
    gradError(() => grad(sum, { argnums: 1 })(f32([1])), "grad: argnums 1 is out of range for a call with 1 argument");
    gradError(() => grad(sum, { argnums: [0, -1] })(f32([1])), "grad: argnums -1 is out of range");
    gradError(() => valueAndGrad(sum, { argnums: 1.5 })(f32([1])), "valueAndGrad: argnums 1.5 is out of range");
    gradError(() => jacrev((x: TArray) => x, { argnums: 2 })(f32([1])), "jacrev: argnums 2 is out of range for a call with 1 argument");
    gradError(() => jacfwd((x: TArray) => x, { argnums: [3] })(f32([1]), f32([2])), "jacfwd: argnums 3 is out of range for a call with 2 arguments");
  });

  test("hasAux with a function that returns no [value, aux] pair", () => {
    gradError(() => grad(sum, { hasAux: true })(f32([1])), "grad with hasAux: the function must return [value, aux]", "PyTreeDef(*)", "leave hasAux off");
    gradError(() => valueAndGrad((x: TArray) => [x, sum(x), sum(x)], { hasAux: true })(f32([1, 2])), "valueAndGrad with hasAux", "PyTreeDef([*, *, *])");
    // [value, aux] with a non-scalar value is the non-scalar error.
    gradError(() => valueAndGrad((x: TArray) => [x, sum(x)], { hasAux: true })(f32([1, 2])), "valueAndGrad: the function must return a float32 scalar, got f32[2]");
  });

  test("jvp: a tangent of the wrong shape or structure", () => {
    gradError(() => jvp((x: TArray) => x, [f32([1, 2])], [f32([1, 2, 3])]), "jvp: the tangent for args[0] is f32[3], but the primal is f32[2]");
    gradError(() => jvp((x: TArray) => x, [f32([1, 2])], [np.array([1, 2], { dtype: "int32" })]), "jvp: the tangent for args[0] is i32[2]", "the primal's shape and dtype");
    gradError(() => jvp((x: TArray) => x, [f32([1, 2])], [f32([1, 2]), f32(1)]), "jvp: tangents must have the structure of primals", "PyTreeDef([*])", "PyTreeDef([*, *])");
  });

  test("vjp: a cotangent of the wrong shape or structure", () => {
    const [, back] = vjp((x: TArray) => ({ y: x.mul(2), s: sum(x) }), f32([1, 2]));
    gradError(() => back({ y: f32([1, 2, 3]), s: f32(1) }), "vjp: the cotangent for output.y is f32[3], but output.y is f32[2]");
    gradError(() => back([f32([1, 2])]), "vjp: the cotangent must have the structure of the output", "PyTreeDef({s: *, y: *})");
  });

  test("checkGrads names the check, the leaf, both values and the tolerance", () => {
    const e = errorOf(() => checkGrads((x: TArray) => np.floor(x.mul(1000)), [f32([0.3])], { modes: ["fwd"] }));
    expect(e).toBeInstanceOf(CheckGradsError);
    expect(e.message).toMatch(/^checkGrads: JVP \(mode fwd, order 1\): tangent of output: AD gives 0, the finite difference gives \S+; \|difference\| \S+ exceeds atol 0.002 \+ rtol 0.002/);
    // Right first derivative, wrong second: d = x − stop_gradient(x) is 0 with derivative 1, so
    // f(x) = x²/2 + 1.5·d² has f' = x + 3d = x (right) but AD's f'' = 1 + 3 = 4 (finite differences: 1).
    const f = (x: TArray) => {
      const d = x.sub(stopGradient(x));
      return x.mul(x).mul(0.5).add(d.mul(d).mul(1.5));
    };
    checkGrads(f, [f32([0.3, 1.1])], { order: 1 });
    const e2 = errorOf(() => checkGrads(f, [f32([0.3, 1.1])], { order: 2, modes: ["fwd"] }));
    expect(e2.message).toMatch(/^checkGrads: JVP of JVP \(mode fwd, order 2\): tangent of output\[1\], element 0: AD gives \S+, the finite difference gives/);
    const e3 = errorOf(() => checkGrads(sum, [f32([1])], { order: 0 }));
    expect(e3.message).toBe("checkGrads: order must be a positive integer, got 0");
  });
});
