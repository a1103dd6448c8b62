// Generated blocks in docs/*.md (IR examples from fixtures, CLI output) are current.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { docFiles, renderDoc } from "../scripts/gen-docs.js";

describe.each(docFiles().map((f) => ({ file: f, name: basename(f) })))("docs/$name", ({ file }) => {
  it("has current generated blocks (run `npm run docs`)", () => {
    const text = readFileSync(file, "utf8");
    expect(renderDoc(text)).toBe(text);
  });
});
