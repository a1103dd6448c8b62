// The CLI session shown in README.md is real output, not hand-copied.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

it("README's `tsjax dump` demo matches what the command prints", () => {
  const readme = readFileSync(`${root}README.md`, "utf8");
  const block = /<!-- cli-demo:begin[^\n]*\n```\n\$ npx (tsjax [^\n]*)\n([\s\S]*?)```\n<!-- cli-demo:end -->/.exec(readme);
  expect(block).not.toBeNull();
  const args = block![1]!.split(" ").slice(1);
  const r = spawnSync(process.execPath, ["bin/tsjax.mjs", ...args], { cwd: root, encoding: "utf8" });
  expect(r.stderr).toBe("");
  expect(r.stdout).toBe(block![2]);
});
