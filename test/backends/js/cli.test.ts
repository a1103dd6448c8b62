// `tsjax dump FILE --emit js|plan`: the generated source / the kernel plan of
// what jit would compile (run as a child process, like test/cli).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runtime } from "../../../src/backends/js/runtime.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));

function tsjax(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/tsjax.mjs", ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("tsjax dump --emit", () => {
  it("plan: kernels, fused epilogue, buffers and memory", () => {
    const r = tsjax(["dump", "examples/dump-demo.ts", "--emit", "plan"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^program: 4 inputs, 1 outputs, \d+ kernels/);
    // h @ w + b, tanh, / scale: one dot kernel with the elementwise tail fused.
    expect(r.stdout).toMatch(/k\d+ dot f32 b1×m1×n4×k4 .*epilogue\(add,tanh,div\)/);
    expect(r.stdout).toMatch(/^  while pred=/m);
    expect(r.stdout).toMatch(/^temp memory: \d+ B \(without reuse: \d+ B\); outputs: 16 B$/m);
  });

  it("js: the generated source, which compiles", () => {
    const r = tsjax(["dump", "examples/dump-demo.ts", "--emit", "js"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^"use strict";/);
    expect(r.stdout).toMatch(/return function run\(in0, in1, in2, in3\)/);
    const run = new Function("rt", "dbg", r.stdout)(runtime, undefined) as (...a: unknown[]) => unknown[];
    const out = run(new Float32Array(16), new Float32Array(4), new Float32Array([1, 2, 3, 4]), new Int32Array([0]));
    // Zero steps: the result is x.
    expect(Array.from(out[0] as Float32Array)).toEqual([1, 2, 3, 4]);
  });

  it("rejects an unknown target", () => {
    const r = tsjax(["dump", "examples/dump-demo.ts", "--emit", "wasm"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("tsjax: error: dump: --emit must be 'js', 'wat' or 'plan', got 'wasm'\n");
  });
});
