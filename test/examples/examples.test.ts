// The examples run (they are what `npm start` and the README show).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const run = (file: string) => spawnSync(process.execPath, ["--import", "tsx", file], { cwd: root, encoding: "utf8", timeout: 60_000 });

describe("examples", () => {
  it("seed.ts: prints the pipeline, the result, and hoisting on vs off", () => {
    const r = run("examples/seed.ts");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\/\/ ----- IR after hoist-invariant-carries \(4 carries hoisted\) -----/);
    expect(r.stdout).toMatch(/\/\/ ----- IR after batch \(1 outputs batched\) -----/);
    expect(r.stdout).toMatch(/same numbers: max \|difference\| = 0\n/);
    expect(r.stdout).toMatch(/parameter shapes +f32\[16\] f32\[8,16\] f32\[8\] f32\[16,8\] +f32\[4,16\] f32\[4,8,16\] f32\[4,8\] f32\[4,16,8\]/);
    expect(r.stdout).toMatch(/parameter bytes +1120 +4480/);
  });

  it("while-loop.ts: an eager while loop and its jaxpr", () => {
    const r = run("examples/while-loop.ts");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^sqrt \[ 2, 9, 10, 0\.25 \] = \[ 1\.41421\d*, 3, 3\.16227\d*, 0\.5 \]/);
    expect(r.stdout).toMatch(/= while\[/);
  });
});
