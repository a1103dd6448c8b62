// README's Differentiation example is examples/grad.ts, and the output shown
// there is what it prints; the printed gradients are checked against the
// hand-derived d/dx Σ x·tanh(x) = tanh(x) + x·(1 - tanh²(x)).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { expectAllClose } from "../helpers/allclose.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const readme = readFileSync(`${root}README.md`, "utf8");
const block = /<!-- grad-demo:begin[^\n]*\n```ts\n([\s\S]*?)```\n\n```\n\$ npx tsx examples\/grad\.ts\n([\s\S]*?)```\n<!-- grad-demo:end -->/.exec(readme);

const derivative = (x: number) => Math.tanh(x) + x * (1 - Math.tanh(x) ** 2);
const numbers = (line: string) => line.replace(/[[\]]/g, " ").trim().split(/\s+/).map(Number);

it("README's grad example is examples/grad.ts, prints what README shows, and the hand-derived gradient", () => {
  expect(block, "README has a grad-demo block").not.toBeNull();
  expect(block![1]).toBe(readFileSync(`${root}examples/grad.ts`, "utf8"));
  const r = spawnSync(process.execPath, ["--import", "tsx", "examples/grad.ts"], { cwd: root, encoding: "utf8", timeout: 60_000 });
  expect(r.stderr).toBe("");
  expect(r.stdout).toBe(block![2]);
  const lines = r.stdout.trim().split("\n");
  const x = [0.5, -1, 2];
  const want = x.map(derivative);
  expectAllClose(numbers(lines[0]!), want, { rtol: 1e-6 });
  expectAllClose(numbers(lines[1]!), want, { rtol: 1e-6 });
  const [value, ...g] = numbers(lines[2]!);
  expectAllClose(value!, x.reduce((s, v) => s + v * Math.tanh(v), 0), { rtol: 1e-6 });
  expectAllClose(g, want, { rtol: 1e-6 });
  expectAllClose([...numbers(lines[3]!), ...numbers(lines[4]!)], [...want, ...[1, 0, -2].map(derivative)], { rtol: 1e-6, atol: 1e-7 });
});
