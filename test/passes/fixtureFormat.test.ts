// The fixture format itself: pipelines per file and per case, and blessing
// rewriting only CHECK/STATS while keeping comments and inputs.
import { describe, expect, it } from "vitest";
import { parseFixture, renderFixture } from "./fixtureFormat.js";

const FILE = `// RUN: simplify,dce
// first case
{ lambda ; a:f32[]. let  in (a,) }
// CHECK:
stale output
// STATS: 9 stale
// -----

// RUN: cse
// second case, no expectation yet
{ lambda ; b:f32[]. let  in (b,) }
// -----
// third case
{ lambda ; c:f32[]. let  in (c,) }
// CHECK:
{ lambda ; c:f32[]. let  in (c,) }
// a comment after the expectation
`;

describe("fixture format", () => {
  const cases = parseFixture(FILE, "example.jaxpr");

  it("splits cases and resolves each case's pipeline", () => {
    expect(cases.map((c) => c.pipeline)).toEqual(["simplify,dce", "cse", "simplify,dce"]);
    expect(cases.map((c) => c.input)).toEqual([
      "{ lambda ; a:f32[]. let  in (a,) }",
      "{ lambda ; b:f32[]. let  in (b,) }",
      "{ lambda ; c:f32[]. let  in (c,) }",
    ]);
    expect(cases.map((c) => c.comments)).toEqual([["first case"], ["second case, no expectation yet"], ["third case"]]);
    expect(cases.map((c) => c.expected)).toEqual(["stale output", undefined, "{ lambda ; c:f32[]. let  in (c,) }"]);
    expect(cases.map((c) => c.stats)).toEqual(["9 stale", undefined, undefined]);
  });

  it("blessing rewrites CHECK and STATS and keeps everything else", () => {
    const text = renderFixture(cases, [
      { output: "OUT1", stats: "1 x*1 -> x" },
      { output: "OUT2", stats: "" },
      { output: "OUT3", stats: "2 eqns removed" },
    ]);
    expect(text).toBe(`// RUN: simplify,dce
// first case
{ lambda ; a:f32[]. let  in (a,) }
// CHECK:
OUT1
// STATS: 1 x*1 -> x
// -----
// RUN: cse
// second case, no expectation yet
{ lambda ; b:f32[]. let  in (b,) }
// CHECK:
OUT2
// STATS: none
// -----
// third case
{ lambda ; c:f32[]. let  in (c,) }
// CHECK:
OUT3
// STATS: 2 eqns removed
// a comment after the expectation
`);
  });

  it("requires a pipeline at the top of the file", () => {
    expect(() => parseFixture("{ lambda ; . let  in () }\n", "bad.jaxpr")).toThrow("bad.jaxpr: the file must start with '// RUN: <pipeline>'");
  });
});
