// grad, jvp, vjp, jacfwd, jacrev and hessian composed with each other, with
// vmap and with jit, in every run mode, against derivatives worked out by
// hand (closed forms below, evaluated in double).
import { describe, expect, test } from "vitest";
import { grad, hessian, jacfwd, jacrev, jit, jvp, np, valueAndGrad, vmap } from "../../../src/index.js";
import type { Array as TArray } from "../../../src/frontend/array.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { RUN_MODES } from "../../helpers/backends.js";

const f32 = (data: number | number[] | number[][]) => np.array(data, { dtype: "float32" });
/** float32 results of transcendental functions (wasm's are within 2 ulp) against double closed forms. */
const close = { atol: 1e-6, rtol: 2e-5 };

const XS = [0.3, -1.2, 2.1, 0.75];

// g(x) = sin(x)·x²
const g = (x: TArray) => np.sin(x).mul(x.mul(x));
const dg = (x: number) => Math.cos(x) * x * x + 2 * x * Math.sin(x);
const d2g = (x: number) => (2 - x * x) * Math.sin(x) + 4 * x * Math.cos(x);
const sumG = (x: TArray) => np.sum(g(x));

describe.each(RUN_MODES)("AD compositions (%s)", (_name, { run }) => {
  test("vmap(grad(g)) is g' per element", () => {
    expectAllClose(run(vmap(grad(g)))(f32(XS)), XS.map(dg), close);
  });

  test("grad of the sum of vmap(g) is g' per element", () => {
    expectAllClose(run(grad((x: TArray) => np.sum(vmap(g)(x))))(f32(XS)), XS.map(dg), close);
  });

  test("jit(grad(f)) and grad(jit(f)) agree with grad(f)", () => {
    expectAllClose(run(jit(grad(sumG)))(f32(XS)), XS.map(dg), close);
    expectAllClose(run(grad(jit(sumG)))(f32(XS)), XS.map(dg), close);
  });

  test("grad(grad(g)) is g''", () => {
    for (const x of XS) expectAllClose(run(grad(grad(g)))(f32(x)), d2g(Math.fround(x)), close);
  });

  test("jvp of grad: [g'(x), g''(x)·t]", () => {
    const [d, dd] = run((x: TArray, t: TArray) => jvp(grad(sumG), [x], [t]))(f32(XS), f32([1, 2, -1, 0.5])) as [TArray, TArray];
    expectAllClose(d, XS.map(dg), close);
    expectAllClose(dd, XS.map((x, i) => d2g(x) * [1, 2, -1, 0.5][i]!), close);
  });

  test("jacfwd and jacrev with hasAux: [jacobian of out, aux as f returns it]", () => {
    const a = [[1, 2, -1], [0.5, 0, 3]];
    const h = (x: TArray) => [np.matmul(f32(a), x), np.sum(x.mul(x))];
    for (const jac of [jacfwd, jacrev]) {
      const [j, aux] = run(jac(h, { hasAux: true }))(f32([1, -2, 3])) as [TArray, TArray];
      expectAllClose(j, a, { atol: 0, rtol: 0 });
      expectAllClose(aux, 14, { atol: 0, rtol: 0 }); // 1 + 4 + 9, not differentiated
    }
    expect(() => jacrev((x: TArray) => x, { hasAux: true })(f32([1]))).toThrow(/jacrev with hasAux: the function must return \[out, aux\]/);
  });

  test("jacfwd and jacrev of a linear map are its matrix, shaped out ++ in", () => {
    const a = [[1, 2, -1], [0.5, 0, 3]];
    const h = (x: TArray) => np.matmul(f32(a), x);
    expectAllClose(run(jacrev(h))(f32([1, 1, 1])), a, { atol: 0, rtol: 0 });
    expectAllClose(run(jacfwd(h))(f32([1, 1, 1])), a, { atol: 0, rtol: 0 });
    // [2] -> [3, 2]: the Jacobian is [3, 2, 2], J[i, j, k] = d out[i, j] / d x[k] = (i + 1)·[j = k].
    const outer = (x: TArray) => np.matmul(f32([[1], [2], [3]]), np.reshape(x, [1, 2]));
    const want = [1, 2, 3].map((s) => [[s, 0], [0, s]]);
    expect(run(jacrev(outer))(f32([0.5, -2])) as TArray).toHaveProperty("shape", [3, 2, 2]);
    expectAllClose(run(jacrev(outer))(f32([0.5, -2])), want, { atol: 0, rtol: 0 });
    expectAllClose(run(jacfwd(outer))(f32([0.5, -2])), want, { atol: 0, rtol: 0 });
  });

  test("jacrev (vmap over cotangents) equals jacfwd of an elementwise map: diag(g')", () => {
    const diag = XS.map((x, i) => XS.map((_, j) => (i === j ? dg(x) : 0)));
    expectAllClose(run(jacrev(g))(f32(XS)), diag, close);
    expectAllClose(run(jacfwd(g))(f32(XS)), diag, close);
  });

  test("hessian = jacfwd(jacrev(f)), with off-diagonal terms", () => {
    // f(x) = (x0·x1)² + x0³: H = [[2x1² + 6x0, 4x0x1], [4x0x1, 2x0²]]
    const f = (x: TArray) => {
      const [x0, x1] = [np.sum(x.slice([0, 1])), np.sum(x.slice([1, 2]))];
      return x0.mul(x1).mul(x0.mul(x1)).add(x0.mul(x0).mul(x0));
    };
    const [a, b] = [1.5, -0.5];
    const want = [[2 * b * b + 6 * a, 4 * a * b], [4 * a * b, 2 * a * a]];
    expectAllClose(run(hessian(f))(f32([a, b])), want, close);
    expectAllClose(run(jacfwd(jacrev(f)))(f32([a, b])), want, close);
    expectAllClose(run(jacrev(jacrev(f)))(f32([a, b])), want, close);
    expectAllClose(run(hessian(sumG))(f32(XS)), XS.map((x, i) => XS.map((_, j) => (i === j ? d2g(x) : 0))), close);
  });

  // loss({w, b}, x) = Σ (x·w + b)²: d/dw = 2·xᵀ(x·w + b), d/db = 2·Σ(x·w + b).
  const x = [[1, 2], [0, -1], [3, 0.5]];
  const w = [0.5, -1];
  const bias = 0.25;
  const r = x.map((row) => row[0]! * w[0]! + row[1]! * w[1]! + bias);
  const dw = [0, 1].map((k) => 2 * r.reduce((s, ri, i) => s + ri * x[i]![k]!, 0));
  const db = 2 * r.reduce((s, ri) => s + ri, 0);
  const loss = (p: { w: TArray; b: TArray }, xs: TArray) => np.sum(np.matmul(xs, p.w).add(p.b).mul(np.matmul(xs, p.w).add(p.b)));

  test("gradients of pytrees (objects and lists of arrays) have their structure", () => {
    const gp = run(grad(loss))({ w: f32(w), b: f32(bias) }, f32(x)) as { w: TArray; b: TArray };
    expectAllClose(gp.w, dw, { atol: 0, rtol: 1e-6 });
    expectAllClose(gp.b, db, { atol: 0, rtol: 1e-6 });
    const asList = (p: [TArray, TArray], xs: TArray) => loss({ w: p[0], b: p[1] }, xs);
    const gl = run(grad(asList))([f32(w), f32(bias)], f32(x)) as [TArray, TArray];
    expectAllClose(gl[0], dw, { atol: 0, rtol: 1e-6 });
    expectAllClose(gl[1], db, { atol: 0, rtol: 1e-6 });
  });

  test("argnums arrays give one gradient per argument", () => {
    const f = (a: TArray, xs: TArray, bb: TArray) => loss({ w: a, b: bb }, xs);
    const [ga, gb] = run(grad(f, { argnums: [0, 2] }))(f32(w), f32(x), f32(bias)) as [TArray, TArray];
    expectAllClose(ga, dw, { atol: 0, rtol: 1e-6 });
    expectAllClose(gb, db, { atol: 0, rtol: 1e-6 });
    // d/dx = 2·r·wᵀ
    const gx = run(grad(f, { argnums: 1 }))(f32(w), f32(x), f32(bias));
    expectAllClose(gx, r.map((ri) => w.map((wk) => 2 * ri * wk)), { atol: 0, rtol: 1e-6 });
  });

  test("valueAndGrad and hasAux", () => {
    const value = r.reduce((s, ri) => s + ri * ri, 0);
    const [v, gp] = run(valueAndGrad(loss))({ w: f32(w), b: f32(bias) }, f32(x)) as [TArray, { w: TArray; b: TArray }];
    expectAllClose(v, value, { atol: 0, rtol: 1e-6 });
    expectAllClose(gp.w, dw, { atol: 0, rtol: 1e-6 });
    const withAux = (p: { w: TArray; b: TArray }, xs: TArray) => [loss(p, xs), { residual: np.matmul(xs, p.w).add(p.b) }];
    const [[v2, aux], g2] = run(valueAndGrad(withAux, { hasAux: true }))({ w: f32(w), b: f32(bias) }, f32(x)) as [[TArray, { residual: TArray }], { w: TArray; b: TArray }];
    expectAllClose(v2, value, { atol: 0, rtol: 1e-6 });
    expectAllClose(aux.residual, r, { atol: 0, rtol: 1e-6 });
    expectAllClose(g2.b, db, { atol: 0, rtol: 1e-6 });
    const [g3, aux3] = run(grad(withAux, { hasAux: true }))({ w: f32(w), b: f32(bias) }, f32(x)) as [{ w: TArray; b: TArray }, { residual: TArray }];
    expectAllClose(g3.w, dw, { atol: 0, rtol: 1e-6 });
    expectAllClose(aux3.residual, r, { atol: 0, rtol: 1e-6 });
  });
});
