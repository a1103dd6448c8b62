// Runs every fixture in test/passes/<pass>/*.jaxpr (format: fixtureFormat.ts):
// each case's input must round-trip through the printer, is run through its
// pipeline with the verifier on, and the printed result and the last pass's
// stats must match the CHECK and STATS sections.
//
// `BLESS=1 npx vitest run test/passes` rewrites CHECK and STATS from the
// actual results (comments and inputs are kept); review the diff afterwards.

import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "../../src/ir/index.js";
import { formatStats, runPipeline } from "../../src/passes/index.js";
import { printChecked } from "../helpers/ir.js";
import { formatStatsLine, parseFixture, renderFixture } from "./fixtureFormat.js";

const BLESS = process.env.BLESS === "1";
const root = fileURLToPath(new URL(".", import.meta.url));

function fixtureFiles(): string[] {
  const out: string[] = [];
  for (const dir of readdirSync(root, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(join(root, dir.name)).sort()) if (f.endsWith(".jaxpr")) out.push(join(dir.name, f));
  }
  return out.sort();
}

const files = fixtureFiles();

it("finds fixture files for every cleanup pass", () => {
  const dirs = new Set(files.map((f) => f.split(/[\\/]/)[0]));
  for (const p of ["dce", "cse", "simplify", "inline", "licm"]) expect(dirs).toContain(p);
});

for (const file of files) {
  const path = join(root, file);
  const cases = parseFixture(readFileSync(path, "utf8"), file);
  const results: { output: string; stats: string }[] = [];

  describe(file, () => {
    cases.forEach((c, i) => {
      const title = `case ${i + 1} [${c.pipeline}]${c.comments[0] ? `: ${c.comments[0]}` : ""}`;
      it(title, () => {
        printChecked(c.input);
        const { jaxpr, reports } = runPipeline(parse(c.input), c.pipeline, { verify: true });
        const output = printChecked(jaxpr);
        const stats = formatStats(reports[reports.length - 1]?.stats ?? {});
        results[i] = { output, stats };
        if (BLESS) return;
        expect(c.expected, "case has no // CHECK: section (run with BLESS=1)").toBeDefined();
        expect(output).toBe(c.expected);
        if (c.stats !== undefined) expect(formatStatsLine(stats)).toBe(c.stats);
      });
    });

    afterAll(() => {
      // Only rewrite a file when every case ran: a failing case has no result to bless.
      if (!BLESS || cases.some((_, i) => results[i] === undefined)) return;
      writeFileSync(path, renderFixture(cases, results));
    });
  });
}
