// `tsjax dump FILE --emit wat`: the module the wasm backend would compile, as
// WebAssembly text (run as a child process, like test/cli).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../..", import.meta.url));

function tsjax(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/tsjax.mjs", ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("tsjax dump --emit wat", () => {
  it("prints the module: run, the fused kernel with its f32x4 body and scalar tail, the exports", () => {
    const r = tsjax(["dump", "test/backends/wasm/emit/inputs/axpy.ts", "--emit", "wat"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\(module\n {2}\(memory \$memory 1\)\n {2}\(func \$run\n/);
    // x·2 + y over 6 elements: one vector of 4, then a tail of 2.
    expect(r.stdout).toMatch(/f32x4\.mul\n\s+local\.set \$v2\n/);
    expect(r.stdout).toMatch(/f32x4\.add/);
    expect(r.stdout).toMatch(/f32\.mul/);
    expect(r.stdout).toMatch(/i32\.const 2\n\s+i32\.lt_u\n\s+br_if \$loop0/);
    expect(r.stdout).toMatch(/\(export "run" \(func \$run\)\)\n {2}\(export "memory" \(memory \$memory\)\)\n\)\n$/);
  });

  it("the seed demo: lane sets, the lane-restricted dot kernel and its tanh epilogue", () => {
    const r = tsjax(["dump", "test/backends/js/inputs/lanes-demo.ts", "--emit", "wat"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\(func \$dot\d+ \(param \$b0 i32\)/);
    expect(r.stdout).toMatch(/v128\.load32_splat[\s\S]*f32x4\.mul/);
    expect(r.stdout).toMatch(/call \$lanes_and/);
    expect(r.stdout).toMatch(/\(data \(i32\.const \d+\) "/);
  });
});
