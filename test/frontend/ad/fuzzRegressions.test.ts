// Reverse-mode bugs the differential fuzzer found (test/fuzz, check/adCheck.ts),
// each pinned through the public API on every run mode, against hand-derived
// derivatives and central finite differences.
import { describe, it } from "vitest";
import type { Array } from "../../../src/frontend/array.js";
import { cond, foriLoop, grad, np, switchCase, vmap } from "../../../src/index.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { BACKEND_NAMES, RUN_MODES } from "../../helpers/backends.js";
import { getBackend } from "../../../src/backends/index.js";
import { parse } from "../../../src/ir/parser.js";
import { gradientSteps } from "../../../src/passes/ad/gradientSteps.js";
import { numericalGrad } from "../../helpers/finiteDifferences.js";

type A = Array;
const FD = { rtol: 2e-2, atol: 2e-3 };

describe.each(RUN_MODES)("reverse-mode regressions found by fuzzing (%s)", (_name, { run }) => {
  it("a per-row cond whose branch loops (foriLoop) over a value every row shares: the recomputed branch stays split", () => {
    // Σ_b (x_b > 0 ? x_b·sin(sin w) : x_b²). The branch's loop carries w, shared by all
    // rows, so partial evaluation recomputes the branch in the linear part; it used to
    // copy the branch whole, leaving a scan that carried the primal beside the tangent,
    // which scan's transpose refused ("div is not linear in its divisor" in the fuzzer's
    // log1p version; here sin's cos).
    const sin2 = (w: A) => foriLoop(0, 2, (_i, c: A) => np.sin(c), w);
    const loss = (w: A, xs: A) => np.sum(vmap((x: A) => cond(x.gt(0), (x: A) => x.mul(sin2(w)), (x: A) => x.mul(x), x))(xs));
    const w = 0.7, xs = [1.5, -2, 0.5];
    const [gw, gx] = run(grad(loss, { argnums: [0, 1] }))(np.array(w), np.array(xs)) as A[];
    const s1 = Math.sin(w), s2 = Math.sin(s1);
    expectAllClose(gw, (1.5 + 0.5) * Math.cos(s1) * Math.cos(w), { rtol: 1e-5 });
    expectAllClose(gx, [s2, -4, s2], { rtol: 1e-5 });
    expectAllClose(gw, numericalGrad(loss, [w, xs])[0], FD);
  });
  it("a per-row cond whose operand holds its rows along another axis (vmap with inAxes 1): cotangents go back to the right rows", () => {
    // Inner: each row of a [3, 2] kept (k = 0) or negated (k = 1). Outer: vmap over axis 1 of
    // A [3, 3, 2], so the cond's operand is A itself, rows along axis 1, while its index is
    // [3 (outer), 3 (rows)]: the same shape as A's leading axes, but not the same rows. The
    // branches move the axis (transpose); the cotangent used to be taken row by row of A.
    const perRow = (a: A, k: A) => vmap((row: A, ki: A) => switchCase(ki, [(r: A) => r, (r: A) => r.neg()], row))(a, k);
    const ks = [[0, 1, 1], [1, 0, 0], [1, 1, 0]];
    const C = [[[1, 2], [3, 4], [5, 6]], [[-1, 0.5], [2, -3], [0.25, 1]], [[7, -2], [1, 1], [-4, 3]]];
    const loss = (a: A, k: A) => np.sum(vmap(perRow, { inAxes: [1, 0] })(a, k).mul(np.array(C)));
    const a = C.map((_, i) => C.map((_, b) => [i + b, i - b])); // A[i][b] = row i of lane b
    // d loss / dA[i][b][j] = C[b][i][j]·(ks[b][i] = 1 ? −1 : 1)
    const want = a.map((_, i) => a[i]!.map((_, b) => C[b]![i]!.map((c) => (ks[b]![i] === 1 ? -c : c))));
    expectAllClose(run(grad(loss))(np.array(a), np.array(ks, { dtype: "int32" })), want, { rtol: 1e-6 });
  });
});

describe.each(BACKEND_NAMES)("reverse-mode regressions found by fuzzing, as IR (%s)", (backend) => {
  it("a per-row cond whose branch scans over the whole operand: its stacked residual [length, …] is not per row", () => {
    // Row r of e: c_r when int(c_r) clamps to branch 0, else max(c) (a scan of running maxima).
    // The scan's residual [3 iterations, 3] has the index shape [3] as a prefix, so the known
    // cond used to hand it over row by row: iterations mixed with rows, wrong gradients.
    const program = parse(`{ lambda ; a:f32[] b:f32[3] w:f32[3]. let
    c:f32[3] = dot_general[dimension_numbers=(((), ()), ((), ()))] a b
    d:i32[3] = convert_element_type[new_dtype=int32] c
    e:f32[3] = cond[
      branches=(
        { lambda ; f:f32[3]. let  in (f,) }
        { lambda ; g:f32[3]. let
            h:f32[3] = scan[
              jaxpr={ lambda ; k:f32[3] l:f32[]. let m:f32[3] = max k l in (m,) }
              length=3
              num_carry=1
              num_consts=0
              reverse=False
            ] g g
          in (h,) }
      )
    ] d c
    s:f32[] = dot_general[dimension_numbers=(((0,), (0,)), ((), ()))] e w
  in (s,) }`);
    // (gradientSteps also used to fail here: its known part and transpose shared the residual vars.)
    const gradient = gradientSteps(program).at(-1)!.jaxpr;
    const f32 = (data: number[], shape: number[]) => ({ dtype: "float32" as const, shape, data: new Float32Array(data) });
    // a = 1, b = c = [0.5, 3, 1.5]: branches [0, 1, 1], e = [0.5, 3, 3], Σ w·e with w = [2, 3, 5].
    const [value, ga, gb, gw] = getBackend(backend).compile(gradient).run([f32([1], []), f32([0.5, 3, 1.5], [3]), f32([2, 3, 5], [3])]).map((x) => [...x.data]);
    expectAllClose(value!, [0.5 * 2 + 3 * 3 + 3 * 5], { rtol: 1e-6 });
    // d/dc = [w0, w1 + w2 (both maxima are c1), 0]; d/db = a·d/dc; d/da = Σ b·d/dc; d/dw = e.
    expectAllClose(gb!, [2, 8, 0], { rtol: 1e-6 });
    expectAllClose(ga!, [0.5 * 2 + 3 * 8], { rtol: 1e-6 });
    expectAllClose(gw!, [0.5, 3, 3], { rtol: 1e-6 });
  });
});
