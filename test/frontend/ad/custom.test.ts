// customJvp and customVjp (JAX's custom_jvp / custom_vjp), in every run mode,
// against derivatives worked out by hand. The cases follow JAX's documented
// examples ("Custom derivative rules for JAX-transformable Python functions"):
// the numerically stable log1pexp, clip_gradient, and rules that differ from
// the true derivative on purpose, so a passing test proves the rule was used.
import { describe, expect, test } from "vitest";
import { customJvp, customVjp, grad, hessian, jacfwd, jacrev, jit, jvp, linearize, makeJaxpr, np, scan, valueAndGrad, vjp, vmap } from "../../../src/index.js";
import type { Array as TArray } from "../../../src/frontend/array.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { RUN_MODES } from "../../helpers/backends.js";
import { numericalGrad } from "../../helpers/finiteDifferences.js";

const f32 = (data: number | number[] | number[][]) => np.array(data, { dtype: "float32" });
const close = { atol: 1e-6, rtol: 2e-5 };
const XS = [0.3, -1.2, 2.1, 0.75];
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

// log1pexp(x) = log(1 + exp(x)); its derivative written as 1 - 1/(1 + exp(x)) stays finite where exp overflows.
const log1pexp: (x: TArray) => TArray = customJvp(
  (x: TArray) => np.log(np.exp(x).add(1)),
  ([x], [t]) => [log1pexp(x), np.subtract(1, np.divide(1, np.exp(x).add(1))).mul(t)],
  { name: "log1pexp" },
);

// sin with a rule of 3·t: not sin's derivative, so the results show which one was used.
const sinThree = customJvp((x: TArray) => np.sin(x), ([x], [t]) => [np.sin(x), t.mul(3)], { name: "sinThree" });

// sin with a rule of 2·cos(x)·t: grad is 2cos, and grad of grad differentiates the rule: -2sin.
const sinTwice = customJvp((x: TArray) => np.sin(x), ([x], [t]) => [np.sin(x), np.cos(x).mul(2).mul(t)], { name: "sinTwice" });

// clip_gradient: the identity whose cotangent is clipped to [lo, hi]; lo and hi are closed over (JAX's nondiff_argnums).
const clipGradient = (lo: number, hi: number) =>
  customVjp(
    (x: TArray) => x,
    (x: TArray) => [x, null],
    (_res: null, g: TArray) => [np.minimum(np.maximum(g, lo), hi)],
    { name: "clipGradient" },
  );

// f(x, y) = sin(x)·y with the documented fwd/bwd (residuals cos x, sin x, y).
const sinTimes = customVjp(
  (x: TArray, y: TArray) => np.sin(x).mul(y),
  (x: TArray, y: TArray) => [np.sin(x).mul(y), [np.cos(x), np.sin(x), y]],
  ([cosX, sinX, y]: TArray[], g: TArray) => [cosX!.mul(g).mul(y!), sinX!.mul(g)],
  { name: "sinTimes" },
);

describe.each(RUN_MODES)("customJvp (%s)", (_name, { run }) => {
  // Found by the AD fuzzer: a rule's tangent output that reads no tangent (zeros) used to reach the linear
  // part as a constant added to tangents, which the linearity check refuses; it is a symbolic zero.
  test("a rule whose tangent output reads no tangent (zeros) is a zero tangent: grad through a product of it works", () => {
    const flat = customJvp((x: TArray) => x.mul(1), ([x]: TArray[]) => [x!.mul(1), np.zerosLike(x!)]);
    const f = (x: TArray) => np.sum(x.mul(flat(x)));
    // d/dx Σ x·flat(x) with flat' = 0: Σ flat(x) terms only, i.e. x itself.
    expectAllClose(run(grad(f))(f32([1.5, -2])), [1.5, -2], close);
  });

  test("log1pexp: values, and a gradient that stays finite at x = 100 (the naive one is nan)", () => {
    expectAllClose(run(log1pexp)(f32(XS)), XS.map((x) => Math.log1p(Math.exp(x))), close);
    expectAllClose(run(grad(log1pexp))(f32(100)), 1, close);
    expectAllClose(run(vmap(grad(log1pexp)))(f32(XS)), XS.map(sigmoid), close);
    const naive = (x: TArray) => np.log(np.exp(x).add(1));
    expect(Number.isNaN((run(grad(naive))(f32(100)) as TArray).item())).toBe(true);
  });

  test("log1pexp's rule is its true derivative: central finite differences agree where the naive form is finite", () => {
    const sumLog1pexp = (x: TArray) => np.sum(log1pexp(x));
    const fd = numericalGrad(sumLog1pexp, [XS]);
    expectAllClose(run(grad(sumLog1pexp))(f32(XS)), fd, { atol: 2e-3, rtol: 2e-3 });
  });

  test("the rule is used, not the function's derivative: grad, jvp, vjp", () => {
    for (const x of XS) expectAllClose(run(grad(sinThree))(f32(x)), 3, close);
    const [y, t] = run((x: TArray, t: TArray) => jvp(sinThree, [x], [t]))(f32(XS), f32([1, 2, -1, 0.5])) as [TArray, TArray];
    expectAllClose(y, XS.map(Math.sin), close);
    expectAllClose(t, [3, 6, -3, 1.5], close);
    const [, back] = vjp(sinThree, f32(XS));
    expectAllClose(back(f32([1, 1, 2, 0]))[0], [3, 3, 6, 0], close);
  });

  test("composes with vmap and jit in either order", () => {
    const sum = (x: TArray) => np.sum(sinThree(x));
    expectAllClose(run(vmap(grad(sinThree)))(f32(XS)), [3, 3, 3, 3], close);
    expectAllClose(run(grad((x: TArray) => np.sum(vmap(sinThree)(x))))(f32(XS)), [3, 3, 3, 3], close);
    expectAllClose(run(grad(jit(sum)))(f32(XS)), [3, 3, 3, 3], close);
    expectAllClose(run(jit(grad(sum)))(f32(XS)), [3, 3, 3, 3], close);
    expectAllClose(run(vmap(sinThree))(f32(XS)), XS.map(Math.sin), close);
  });

  test("grad of grad differentiates the rule: d²/dx² with rule 2cos(x)·t is -2sin(x)", () => {
    for (const x of XS) {
      expectAllClose(run(grad(sinTwice))(f32(x)), 2 * Math.cos(Math.fround(x)), close);
      expectAllClose(run(grad(grad(sinTwice)))(f32(x)), -2 * Math.sin(Math.fround(x)), close);
    }
  });

  test("linearize, jacfwd, jacrev and hessian use the rule", () => {
    const [y, lin] = linearize(sinThree, f32(XS));
    expectAllClose(y, XS.map(Math.sin), close);
    expectAllClose(run(lin)(f32([1, 2, -1, 0.5])), [3, 6, -3, 1.5], close);
    const diag = (v: (x: number) => number) => XS.map((x, i) => XS.map((_, j) => (i === j ? v(Math.fround(x)) : 0)));
    expectAllClose(run(jacfwd(sinTwice))(f32(XS)), diag((x) => 2 * Math.cos(x)), close);
    expectAllClose(run(jacrev(sinTwice))(f32(XS)), diag((x) => 2 * Math.cos(x)), close);
    expectAllClose(run(hessian((x: TArray) => np.sum(sinTwice(x))))(f32(XS)), diag((x) => -2 * Math.sin(x)), close);
  });

  test("pytree arguments and outputs, a closed-over non-differentiable parameter", () => {
    // f({a, b}) = [a·b, a + b]; the rule scales the product's tangent by a closed-over k = 10.
    const k = f32(10);
    const f = customJvp(
      (p: { a: TArray; b: TArray }) => [p.a.mul(p.b), p.a.add(p.b)],
      ([p], [t]) => [[p.a.mul(p.b), p.a.add(p.b)], [t.a.mul(p.b).add(p.a.mul(t.b)).mul(k), t.a.add(t.b)]],
      { name: "productAndSum" },
    );
    const loss = (a: TArray, b: TArray) => {
      const [prod, sum] = f({ a, b }) as [TArray, TArray];
      return np.sum(prod.add(sum.mul(2)));
    };
    // d/da = 10·b + 2, d/db = 10·a + 2
    const [ga, gb] = run(grad(loss, { argnums: [0, 1] }))(f32([1, 2]), f32([3, -1])) as [TArray, TArray];
    expectAllClose(ga, [32, -8], close);
    expectAllClose(gb, [12, 22], close);
  });

  test("closing over a batched value under vmap (the rule sees it per batch element)", () => {
    // scaled(s)(x) = s·x with rule tangent s·t: d/dx = s per element.
    const per = (s: TArray, x: TArray) => grad(customJvp((y: TArray) => y.mul(s), ([y], [t]) => [y.mul(s), t.mul(s)], { name: "scaled" }))(x);
    expectAllClose(run(vmap(per))(f32([1, 2, 3]), f32([5, 6, 7])), [1, 2, 3], close);
  });
});

describe.each(RUN_MODES)("customVjp (%s)", (_name, { run }) => {
  test("clipGradient: values pass through, the gradient of sin through it is clip(cos x, -0.75, 0.75)", () => {
    const ts = [0, 0.5, 1.2, 2.5, 3.3, 4.4, 6];
    const f = (x: TArray) => np.sin(clipGradient(-0.75, 0.75)(x));
    expectAllClose(run(vmap(f))(f32(ts)), ts.map(Math.sin), close);
    expectAllClose(run(vmap(grad(f)))(f32(ts)), ts.map((t) => Math.min(Math.max(Math.cos(t), -0.75), 0.75)), close);
  });

  test("sin(x)·y: both gradients come from bwd, under jit, vmap and valueAndGrad", () => {
    const [gx, gy] = run(grad(sinTimes, { argnums: [0, 1] }))(f32(0.5), f32(2)) as [TArray, TArray];
    expectAllClose(gx, 2 * Math.cos(0.5), close);
    expectAllClose(gy, Math.sin(0.5), close);
    const loss = (x: TArray, y: TArray) => np.sum(sinTimes(x, y));
    const [v, g] = run(valueAndGrad(loss))(f32(XS), f32([1, 2, 3, 4])) as [TArray, TArray];
    expectAllClose(v, XS.reduce((s, x, i) => s + Math.sin(x) * (i + 1), 0), close);
    expectAllClose(g, XS.map((x, i) => Math.cos(x) * (i + 1)), close);
    expectAllClose(run(vmap(grad(sinTimes)))(f32(XS), f32([1, 2, 3, 4])), XS.map((x, i) => Math.cos(x) * (i + 1)), close);
  });

  test("a bwd that differs from the true derivative is the one used (also through vmap, the batched bwd)", () => {
    const half = customVjp((x: TArray) => np.exp(x), (x: TArray) => [np.exp(x), x], (_x: TArray, g: TArray) => [g.mul(0.5)], { name: "half" });
    expectAllClose(run(grad((x: TArray) => np.sum(half(x))))(f32(XS)), [0.5, 0.5, 0.5, 0.5], close);
    // The batched custom_vjp_call is differentiated: bwd runs batched, and the unbatched y gets its cotangent summed over the batch.
    const h = (x: TArray, y: TArray) => np.sum(vmap((xi: TArray) => sinTimes(xi, y))(x));
    const [gx, gy] = run(grad(h, { argnums: [0, 1] }))(f32(XS), f32(3)) as [TArray, TArray];
    expectAllClose(gx, XS.map((x) => 3 * Math.cos(x)), close);
    expectAllClose(gy, XS.reduce((s, x) => s + Math.sin(x), 0), close);
  });

  test("grad of grad differentiates bwd", () => {
    // cube(x) = x³ with bwd 3x²·g: its gradient 3x² is differentiated again to 6x.
    const cube = customVjp((x: TArray) => x.mul(x).mul(x), (x: TArray) => [x.mul(x).mul(x), x], (x: TArray, g: TArray) => [x.mul(x).mul(3).mul(g)], { name: "cube" });
    for (const x of XS) expectAllClose(run(grad(grad(cube)))(f32(x)), 6 * Math.fround(x), close);
  });
});

describe("custom rules: the IR and errors", () => {
  test("the call is one custom_jvp_call equation carrying the function and the rule", () => {
    const text = makeJaxpr(sinThree)(f32(1)).toString();
    expect(text).toContain("custom_jvp_call");
    expect(text).toContain("name=sinThree");
    expect(makeJaxpr(sinTimes)(f32(1), f32(2)).toString()).toContain("custom_vjp_call");
  });

  test("a jvp rule returning the wrong shapes names the function and the shapes", () => {
    const bad = customJvp((x: TArray) => np.sin(x), ([x], [t]) => [np.sin(x), np.sum(t)], { name: "badRule" });
    expect(() => grad((x: TArray) => np.sum(bad(x)))(f32([1, 2]))).toThrow(/customJvp function 'badRule': the jvp rule's tangent output output: expected f32\[2\].*got f32\[\]/);
    const notPair = customJvp((x: TArray) => x, () => [] as unknown as [unknown, unknown], { name: "notPair" });
    expect(() => notPair(f32(1))).toThrow(/customJvp function 'notPair': the jvp rule must return \[primalOut, tangentOut\]/);
  });

  test("bwd returning the wrong number or shape of cotangents is an error naming the function", () => {
    const two = customVjp((x: TArray) => x, (x: TArray) => [x, null], (_r: null, g: TArray) => [g, g], { name: "twoCts" });
    expect(() => two(f32(1))).toThrow(/customVjp function 'twoCts': bwd must return an array with one cotangent per argument \(1\)/);
    const shape = customVjp((x: TArray) => x, (x: TArray) => [x, null], (_r: null, g: TArray) => [np.sum(g)], { name: "shapeCt" });
    expect(() => shape(f32([1, 2]))).toThrow(/customVjp function 'shapeCt': bwd's cotangent for args\[0\]: expected f32\[2\]/);
  });

  test("forward mode through customVjp is an error saying so", () => {
    expect(() => jvp(sinTimes, [f32(1), f32(2)], [f32(1), f32(0)])).toThrow(/customVjp function 'sinTimes': forward-mode differentiation .* is not supported/);
    expect(() => linearize((x: TArray) => sinTimes(x, f32(2)), f32(1))[1](f32(1))).toThrow(/forward-mode differentiation/);
  });

  test("differentiating a value the function closes over is an error pointing at arguments", () => {
    const f = (k: TArray) => customJvp((x: TArray) => x.mul(k), ([x], [t]) => [x.mul(k), t.mul(k)], { name: "closesOverK" })(f32(2));
    expect(() => grad(f)(f32(3))).toThrow(/customJvp function 'closesOverK' closes over a value that is being differentiated.*Pass the value as an argument/);
  });
});

// Cases of jax-ml/jax tests/api_test.py (CustomJVPTest), by name; the expected values are theirs.
// f(x) = sin(x) with the rule [f(x), 2·cos(x)·g]: the rule calls f itself.
const sinJax = customJvp((x: TArray) => np.sin(x), ([x], [g]): [TArray, TArray] => [sinJax(x), np.cos(x).mul(2).mul(g)], { name: "f" });

describe.each(RUN_MODES)("customJvp: JAX CustomJVPTest cases (%s)", (_name, { run }) => {
  test("test_basic: f(3), jvp and grad use 2·cos", () => {
    expectAllClose(run(sinJax)(f32(3)), Math.sin(3), close);
    const [y, t] = run((x: TArray) => jvp(sinJax, [x], [f32(1)]))(f32(3)) as [TArray, TArray];
    expectAllClose(y, Math.sin(3), close);
    expectAllClose(t, 2 * Math.cos(3), close);
    expectAllClose(run(grad(sinJax))(f32(3)), 2 * Math.cos(3), close);
  });

  test("test_invariance: jvp of the primal of a jvp, nested three deep, still uses the rule", () => {
    // f(x) = cos(2x)/2 with rule 3·g; f2 and f3 return the primal output of a jvp.
    const f: (x: TArray) => TArray = customJvp((x: TArray) => np.cos(x.mul(2)).div(2), ([x], [g]) => [f(x), g.mul(3)], { name: "f" });
    const f2 = (x: TArray) => jvp(f, [x], [x])[0] as TArray;
    const f3 = (x: TArray) => jvp(f2, [x], [x])[0] as TArray;
    const want = [Math.cos(2) / 2, 3];
    for (const fn of [f, f2, f3]) expectAllClose(run((x: TArray) => jvp(fn, [x], [x]))(f32(1)), want, close);
  });

  test("test_vmap: vmap of f, vmap of jvp, jvp of vmap, vmap of jvp of vmap", () => {
    const x = [0, 1, 2];
    const xx = [[0, 1, 2], [3, 4, 5]];
    const want = (v: number) => [Math.sin(v), 2 * Math.cos(v) * v];
    expectAllClose(run(vmap(sinJax))(f32(x)), x.map(Math.sin), close);
    expectAllClose(run(vmap(vmap(sinJax)))(f32(xx)), xx.map((r) => r.map(Math.sin)), close);
    const jvpSelf = (v: TArray) => jvp(sinJax, [v], [v]);
    const pairOf = (vs: number[]) => [vs.map((v) => want(v)[0]!), vs.map((v) => want(v)[1]!)];
    expectAllClose(run(vmap(jvpSelf))(f32(x)), pairOf(x), close);
    expectAllClose(run((v: TArray) => jvp(vmap(sinJax), [v], [v]))(f32(x)), pairOf(x), close);
    const [ys, ts] = run(vmap((v: TArray) => jvp(vmap(sinJax), [v], [v])))(f32(xx)) as [TArray, TArray];
    expectAllClose(ys, xx.map((r) => pairOf(r)[0]), close);
    expectAllClose(ts, xx.map((r) => pairOf(r)[1]), close);
  });

  test("test_jit: jit of f, jit of jvp, jvp of jit", () => {
    expectAllClose(run(jit(jit(sinJax)))(f32(3)), Math.sin(3), close);
    expectAllClose(run(jit((x: TArray) => jvp(sinJax, [x], [x])))(f32(3)), [Math.sin(3), 2 * Math.cos(3) * 3], close);
    expectAllClose(run((x: TArray) => jvp(jit(sinJax), [x], [x]))(f32(3)), [Math.sin(3), 2 * Math.cos(3) * 3], close);
  });

  test("test_pytrees: {a} → {b}", () => {
    const f: (x: { a: TArray }) => { b: TArray } = customJvp(
      (x: { a: TArray }) => ({ b: np.sin(x.a) }),
      ([x], [g]) => [f(x), { b: np.cos(x.a).mul(2).mul(g.a) }],
      { name: "f" },
    );
    const [y, t] = run((a: TArray) => jvp(f, [{ a }], [{ a }]))(f32(3)) as [{ b: TArray }, { b: TArray }];
    expectAllClose(y.b, Math.sin(3), close);
    expectAllClose(t.b, 2 * Math.cos(3) * 3, close);
  });

  test("test_initial_style: a custom function inside scan, under grad, jit and grad of grad", () => {
    const f: (x: TArray) => TArray = customJvp((x: TArray) => x.mul(3), ([x], [g]) => [f(x), g.mul(2)], { name: "f" });
    const foo = (x: TArray) => scan((c: TArray) => [f(c), null] as const, x, null, { length: 1 })[0] as TArray;
    expectAllClose(run(grad(foo))(f32(3)), 2, close);
    expectAllClose(run(grad(jit(foo)))(f32(3)), 2, close);
    expectAllClose(run(grad(grad(foo)))(f32(3)), 0, close);
    expectAllClose(run(grad(jit(grad(foo))))(f32(3)), 0, close);
    expectAllClose(run(grad((x: TArray) => np.sum(vmap(foo)(x))))(f32([1, 1, 1])), [2, 2, 2], close);
  });

  test("test_nondiff_arg_vmap_tracer: a vmapped closed-over value, then jvp in the argument", () => {
    // f(x, y) = x·y with rule 5·t_y; x is a non-differentiated parameter (closed over).
    const f = (x: TArray, y: TArray) => customJvp((yy: TArray) => x.mul(yy), ([yy], [t]) => [x.mul(yy), t.mul(5)], { name: "f" })(y);
    const g = vmap(f);
    expectAllClose(run((y: TArray) => jvp((v: TArray) => g(f32([2]), v), [y], [f32([1])]))(f32([3])), [[6], [5]], close);
  });
});

describe("customJvp: JAX CustomJVPTest errors", () => {
  test("test_closed_over_tracers_error_message: the rule cannot see a closed-over differentiated value", () => {
    const f = (x: TArray) => {
      const g: (y: TArray) => TArray = customJvp((y: TArray) => x.add(y), ([y]) => [g(x), y.mul(2)], { name: "g" });
      return g(f32(1));
    };
    expect(() => jvp(f, [f32(3)], [f32(1)])).toThrow(/customJvp function 'g' closes over a value that is being differentiated/);
    expect(() => grad(f)(f32(3))).toThrow(/customJvp function 'g' closes over a value that is being differentiated/);
  });

  test("test_jvp_rule_doesnt_return_pair_error_message", () => {
    const f = customJvp((x: TArray) => x.mul(x), (_p, [t]) => t as unknown as [TArray, TArray], { name: "f" });
    expect(() => jvp(f, [f32(2)], [f32(1)])).toThrow(/customJvp function 'f': the jvp rule must return \[primalOut, tangentOut\], got f32\[\]/);
  });

  test("test_primal_tangent_aval_disagreement_error_message", () => {
    const f: (x: TArray) => TArray = customJvp((x: TArray) => x.mul(x), ([x], [t]) => [f(x), np.reshape(t, [1])], { name: "f" });
    expect(() => jvp(f, [f32(2)], [f32(1)])).toThrow(/customJvp function 'f': the jvp rule's tangent output output: expected f32\[\] .*got f32\[1\]/);
  });
});

// Cases of jax-ml/jax tests/api_test.py (CustomVJPTest), by name; the expected values are theirs.
describe.each(RUN_MODES)("customVjp: JAX CustomVJPTest cases (%s)", (_name, { run }) => {
  test("test_basic: fwd calls f itself, bwd gives 2·cos(x)·g", () => {
    const f: (x: TArray) => TArray = customVjp((x: TArray) => np.sin(x), (x: TArray) => [f(x), np.cos(x)], (cosX: TArray, g: TArray) => [cosX.mul(2).mul(g)], { name: "f" });
    expectAllClose(run(f)(f32(3)), Math.sin(3), close);
    expectAllClose(run(grad(f))(f32(3)), 2 * Math.cos(3), close);
    expectAllClose(run(valueAndGrad(f))(f32(3)), [Math.sin(3), 2 * Math.cos(3)], close);
  });

  test("test_invariance: the value of value_and_grad, nested, is f; its gradient comes from bwd", () => {
    const f: (x: TArray) => TArray = customVjp((x: TArray) => np.cos(x.mul(2)).div(2), (x: TArray) => [f(x), x], (_x: TArray, g: TArray) => [g.mul(3)], { name: "f" });
    const f2 = (x: TArray) => (valueAndGrad(f)(x) as [TArray, TArray])[0];
    const f3 = (x: TArray) => (valueAndGrad(f2)(x) as [TArray, TArray])[0];
    for (const fn of [f2, f3]) expectAllClose(run(fn)(f32(1)), Math.cos(2) / 2, close);
    expectAllClose(run(grad(f))(f32(1)), 3, close);
    expectAllClose(run(grad(f2))(f32(1)), 3, close);
  });
});
