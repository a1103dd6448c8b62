// Lowering filetests: every test/backends/lower/plan/*.jaxpr (the pass
// fixtures' format, test/passes/fixtureFormat.ts) is lowered as written — no
// passes — and its text form must match the CHECK section. The RUN line names
// the form: `plan` (formatPlan, what `tsjax dump --emit plan` prints: one line
// per kernel) or `program` (formatProgram: every kernel's instructions too).
// The lowered program is also verified (lower/verify.ts) and run on the js
// backend against the interpreter, so a CHECK never pins a wrong program.
//
// `BLESS=1 npx vitest run test/backends/lower/plan_fixtures.test.ts` rewrites
// the CHECK sections from the actual output (comments and inputs are kept);
// review the diff afterwards.

import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { formatPlan, formatProgram } from "../../../src/backends/lower/index.js";
import { assertValidProgram } from "../../../src/backends/lower/verify.js";
import { parse } from "../../../src/ir/parser.js";
import { SEPARATOR, parseFixture } from "../../passes/fixtureFormat.js";
import { expectMatchesInterpreter, randomArray, seeded } from "../js/helpers.js";
import { lower } from "./helpers.js";

const BLESS = process.env.BLESS === "1";
const dir = fileURLToPath(new URL("./plan/", import.meta.url));
const FORMS: { readonly [form: string]: typeof formatPlan } = { plan: formatPlan, program: formatProgram };

const files = readdirSync(dir).filter((f) => f.endsWith(".jaxpr")).sort();

it("finds the lowering fixtures", () => {
  expect(files.length).toBeGreaterThanOrEqual(7);
});

for (const file of files) {
  const path = join(dir, file);
  const cases = parseFixture(readFileSync(path, "utf8"), file);
  const outputs: string[] = [];

  describe(file, () => {
    cases.forEach((c, i) => {
      it(`case ${i + 1} [${c.pipeline}]${c.comments[0] ? `: ${c.comments[0]}` : ""}`, () => {
        const format = FORMS[c.pipeline];
        if (!format) throw new Error(`${file}: RUN must be one of ${Object.keys(FORMS).join(", ")}, got '${c.pipeline}'`);
        const program = lower(c.input);
        assertValidProgram(program);
        const rand = seeded(i + 1);
        const args = parse(c.input).invars.map((v) => randomArray(v.aval.dtype, v.aval.shape, rand));
        expectMatchesInterpreter(c.input, args);
        outputs[i] = format(program);
        if (BLESS) return;
        expect(c.expected, "case has no // CHECK: section (run with BLESS=1)").toBeDefined();
        expect(outputs[i]).toBe(c.expected);
      });
    });

    afterAll(() => {
      // Only rewrite a file when every case ran: a failing case has no output to bless.
      if (!BLESS || cases.some((_, i) => outputs[i] === undefined)) return;
      const chunks = cases.map((c, i) => [...c.head, "// CHECK:", outputs[i]!, ...c.tail].join("\n"));
      writeFileSync(path, `${chunks.join(`\n${SEPARATOR}\n`)}\n`);
    });
  });
}
