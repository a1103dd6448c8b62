// `tsjax dump --grad NAME` and the AD passes from the command line. The
// gradient program the dump prints is run on every backend and compared with
// the gradient derived by hand for examples/grad-demo.ts:
//
//   loss(w, x, y) = Σ (tanh(x·w) - y)²,  r = tanh(x·w) - y,  s = 2r·(1 - tanh²(x·w))
//   ∂loss/∂w = xᵀ·s,  ∂loss/∂x = s·wᵀ,  ∂loss/∂y = -2r
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BACKEND_NAMES } from "../helpers/backends.js";
import { expectAllClose } from "../helpers/allclose.js";
import { getBackend } from "../../src/backends/index.js";
import type { ArrayValue } from "../../src/ir/core.js";
import { parse } from "../../src/ir/index.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

function tsjax(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/tsjax.mjs", ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const dump = tsjax(["dump", "examples/grad-demo.ts", "--grad", "loss", "--print-after-all"]);

describe("tsjax dump --grad", () => {
  it("prints the IR after every step of building the gradient", () => {
    expect(dump.stderr).toBe("");
    expect(dump.code).toBe(0);
    expect(dump.stdout.match(/^\/\/ ----- IR .* -----$/gm)).toEqual([
      "// ----- IR traced loss -----",
      "// ----- IR after inline,hoist-invariant-carries,dce (before AD) -----",
      "// ----- IR after jvp (inputs, then one tangent per float input → output, then its tangent) -----",
      "// ----- IR after partial eval: known part (inputs → output, then the residuals it computes) -----",
      "// ----- IR after partial eval: linear part (residuals as constvars; tangents → tangent), checked linear -----",
      "// ----- IR after transpose (residuals as constvars; cotangent → one cotangent per float input) -----",
      "// ----- IR after cleanup (simplify,cse,dce) -----",
      "// ----- IR after gradient (inputs → value, then the gradient of each float input) -----",
    ]);
    // The residual of tanh is 1 - y² (known part); the transpose multiplies by it and contracts with x and w:
    // dw = xᵀ·ct as one dot with x first (contracting both row axes), so no transpose op.
    const known = section("partial eval: known part");
    expect(known).toMatch(/= sub 1\.0:f32\[\] /);
    expect(section("gradient")).toMatch(/f32\[3,2\] = dot_general\[dimension_numbers=\(\(\(0,\), \(0,\)\), \(\(\), \(\)\)\)\] b /);
    expect(section("gradient")).not.toMatch(/transpose\[/);
  });

  it("without --print-after-all prints only the gradient program, the last step", () => {
    const r = tsjax(["dump", "examples/grad-demo.ts", "--grad", "loss"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(section("gradient").trim());
  });

  it("refuses a function that does not return a float32 scalar, and --fn with --grad", () => {
    const vector = tsjax(["dump", "test/cli/inputs/vector-out.ts", "--grad", "tanh"]);
    expect(vector.code).toBe(1);
    expect(vector.stderr).toBe("tsjax: error: grad: tanh (in test/cli/inputs/vector-out.ts) must return one float32 scalar, got f32[3]; reduce it (e.g. np.sum or np.mean)\n");
    const both = tsjax(["dump", "examples/grad-demo.ts", "--grad", "loss", "--fn", "loss"]);
    expect(both.code).toBe(1);
    expect(both.stderr).toBe("tsjax: error: dump: give --fn NAME or --grad NAME, not both\n");
  });
});

/** The IR printed after the step whose title starts with `title`. */
function section(title: string): string {
  const start = dump.stdout.indexOf(`// ----- IR after ${title}`);
  const body = dump.stdout.slice(dump.stdout.indexOf("\n", start) + 1);
  const end = body.indexOf("// -----");
  return end < 0 ? body : body.slice(0, end);
}

// Inputs and the hand-derived value and gradients, in float64.
const W = [[0.5, -0.3], [0.2, 0.8], [-0.6, 0.1]];
const X = [[1, 2, -1], [0.5, -0.5, 0.25], [-2, 0, 1], [0.3, 0.7, -0.9]];
const Y = [[0.1, -0.2], [0.4, 0.0], [-0.3, 0.5], [0.2, 0.2]];

function handGradient(): { value: number; gw: number[][]; gx: number[][]; gy: number[][] } {
  const t = X.map((row) => [0, 1].map((j) => Math.tanh(row.reduce((s, xk, k) => s + xk * W[k]![j]!, 0))));
  const r = t.map((row, i) => row.map((v, j) => v - Y[i]![j]!));
  const s = r.map((row, i) => row.map((v, j) => 2 * v * (1 - t[i]![j]! ** 2)));
  return {
    value: r.flat().reduce((a, v) => a + v * v, 0),
    gw: W.map((_, k) => [0, 1].map((j) => X.reduce((acc, row, i) => acc + row[k]! * s[i]![j]!, 0))),
    gx: X.map((_, i) => [0, 1, 2].map((k) => s[i]!.reduce((acc, v, j) => acc + v * W[k]![j]!, 0))),
    gy: r.map((row) => row.map((v) => -2 * v)),
  };
}

const value = (rows: number[][]): ArrayValue => ({ dtype: "float32", shape: [rows.length, rows[0]!.length], data: new Float32Array(rows.flat()) });
const nested = (a: ArrayValue): number[][] => {
  const [n, m] = a.shape as [number, number];
  return Array.from({ length: n }, (_, i) => Array.from(a.data.slice(i * m, (i + 1) * m)));
};

describe.each(BACKEND_NAMES)("the printed gradient program on %s", (backend) => {
  it("computes the loss and the hand-derived gradients of w, x and y", () => {
    const program = getBackend(backend).compile(parse(section("gradient")));
    const [v, gw, gx, gy] = program.run([value(W), value(X), value(Y)]);
    const want = handGradient();
    expectAllClose(v!.data[0], want.value, { rtol: 1e-5, atol: 1e-6 });
    expectAllClose(nested(gw!), want.gw, { rtol: 1e-5, atol: 1e-6 });
    expectAllClose(nested(gx!), want.gx, { rtol: 1e-5, atol: 1e-6 });
    expectAllClose(nested(gy!), want.gy, { rtol: 1e-5, atol: 1e-6 });
  });
});

describe("tsjax passes and opt with the AD passes", () => {
  it("lists jvp, linearize and transpose", () => {
    const r = tsjax(["passes"]);
    expect(r.code).toBe(0);
    for (const name of ["jvp", "linearize", "transpose"]) expect(r.stdout).toMatch(new RegExp(`^  ${name} +\\S`, "m"));
  });

  it("runs linearize,transpose on a .jaxpr file: reverse mode of the file's program", () => {
    const r = tsjax(["opt", "test/cli/inputs/not-linear.jaxpr", "--passes", "linearize{wrt=0},transpose", "--print-after-all"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^\/\/ ----- IR .* -----$/gm)).toEqual([
      "// ----- IR after linearize (2 residuals, 2 eqns in the linear part) -----",
      "// ----- IR after transpose (2 eqns transposed) -----",
    ]);
  });

  it("transposing a program that is not linear is an error naming the equation and the primitive", () => {
    const r = tsjax(["opt", "test/cli/inputs/not-linear.jaxpr", "--passes", "transpose"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tsjax: error: not linear: equation 1 `d:f32\[4\] = tanh c` reads linear operand 0 \(values computed from the tangents\), but tanh: it is not linear in any operand\./);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
