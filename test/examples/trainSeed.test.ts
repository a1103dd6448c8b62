// examples/train-seed.ts at a tiny size: SGD through the seed's per-example
// whileLoop (reverse mode over each lane's recorded steps) makes the loss fall.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

it("examples/train-seed.ts trains the seed's model: the loss falls step after step", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "examples/train-seed.ts", "60", "10"], { cwd: root, encoding: "utf8", timeout: 120_000 });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const losses = [...r.stdout.matchAll(/^step +(\d+) +loss (\S+)$/gm)].map((m) => Number(m[2]));
  expect(losses.length).toBe(11);
  losses.forEach((l) => expect(Number.isFinite(l)).toBe(true));
  for (let i = 1; i < losses.length; i++) expect(losses[i]!).toBeLessThan(losses[i - 1]!);
  expect(losses.at(-1)!).toBeLessThan(0.6 * losses[0]!);
});
