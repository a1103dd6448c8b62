// docs/passes.md is generated from the registry and the fixtures; it must be current.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderPassDocs } from "../../scripts/gen-pass-docs.js";
import { PASSES } from "../../src/passes/registry.js";

describe("docs/passes.md", () => {
  it("is regenerated from the fixtures (run `npm run docs:passes`)", () => {
    expect(readFileSync(new URL("../../docs/passes.md", import.meta.url), "utf8")).toBe(renderPassDocs());
  });
  it("shows a before/after example for every pass", () => {
    const doc = renderPassDocs();
    for (const name of Object.keys(PASSES)) expect(doc).toContain(`## ${name}\n`);
    expect(doc.split("Before:").length - 1).toBe(Object.keys(PASSES).length);
  });
});
