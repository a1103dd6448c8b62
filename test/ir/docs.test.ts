// docs/ir.md stays true: its printed examples are real printer output that
// verifies, and its primitive tables list exactly the params of the schema.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PRIMS, type Prim } from "../../src/ir/index.js";
import { paramKinds } from "../../src/ir/paramSchema.js";
import { printChecked } from "../helpers/ir.js";

const DOC = readFileSync(new URL("../../docs/ir.md", import.meta.url), "utf8");

describe("docs/ir.md", () => {
  const examples = [...DOC.matchAll(/```jaxpr\n([\s\S]*?)\n```/g)].map((m) => m[1]!);

  it("has printed examples", () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });

  examples.forEach((text, k) => {
    it(`example ${k} is printer output and verifies`, () => {
      expect(printChecked(text)).toBe(text);
    });
  });

  it("documents every primitive once, with the params of the schema", () => {
    const rows = new Map<string, string>();
    const section = DOC.slice(DOC.indexOf("\n## Primitives"), DOC.indexOf("\n## Adding a primitive"));
    for (const m of section.matchAll(/^\| `([a-z0-9_]+)` \| ([^|]*) \|/gm)) {
      expect(rows.has(m[1]!), `duplicate row for ${m[1]}`).toBe(false);
      rows.set(m[1]!, m[2]!.trim());
    }
    expect([...rows.keys()].sort()).toEqual([...PRIMS].sort());
    for (const prim of PRIMS) {
      const expected = Object.entries(paramKinds(prim as Prim)).map(([name, kind]) => `\`${name}: ${kind}\``);
      const documented = rows.get(prim) === "—" ? [] : rows.get(prim)!.split(", ");
      expect(documented.sort(), prim).toEqual(expected.sort());
    }
  });
});
