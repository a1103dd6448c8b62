// The pass manager: text pipeline errors and the instrumentation (dumps,
// print-after-change, verification between passes), using fake passes where
// a real one cannot misbehave on purpose.
import { describe, expect, it } from "vitest";
import { type Jaxpr, newVar, parse } from "../../src/ir/index.js";
import { type Pass, PipelineError, definePass, parsePipeline, runPipeline } from "../../src/passes/index.js";
import { PASSES } from "../../src/passes/registry.js";

const PROGRAM = `{ lambda ; a:f32[8]. let
    b:f32[8] = sin a
    c:f32[8] = mul a 1.0:f32[]
  in (c,) }`;

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

describe("parsePipeline", () => {
  it("parses names and options, filling defaults", () => {
    const p = parsePipeline("inline, simplify{fold=false},cse,dce");
    expect(p.map((x) => x.pass.name)).toEqual(["inline", "simplify", "cse", "dce"]);
    expect(p[1]!.options).toEqual({ fold: false });
    expect(parsePipeline("simplify")[0]!.options).toEqual({ fold: true });
  });

  it("names the unknown pass and lists the known ones", () => {
    const e = errorOf(() => parsePipeline("dce,frobnicate"));
    expect(e).toBeInstanceOf(PipelineError);
    expect(e.message).toContain("unknown pass 'frobnicate'");
    for (const name of ["cse", "dce", "inline", "licm", "simplify"]) expect(e.message).toContain(name);
  });

  it("rejects an option the pass does not have, listing the ones it has", () => {
    expect(errorOf(() => parsePipeline("simplify{fold=true depth=3}")).message).toBe(
      "pass 'simplify' has no option 'depth' (options: fold)",
    );
    expect(errorOf(() => parsePipeline("dce{aggressive=1}")).message).toBe("pass 'dce' has no option 'aggressive' (it takes no options)");
  });

  it("rejects a badly typed option value", () => {
    const e = errorOf(() => parsePipeline("simplify{fold=maybe}"));
    expect(e).toBeInstanceOf(PipelineError);
    expect(e.message).toBe("option simplify{fold} expects true or false, got 'maybe'");
  });

  it("rejects malformed text", () => {
    expect(errorOf(() => parsePipeline("dce,,cse")).message).toMatch(/^malformed pipeline 'dce,,cse' at offset 4/);
  });
});

/** A pass that returns its input unchanged. */
const identity: Pass = definePass({ name: "identity", summary: "does nothing", options: {}, run: (j) => ({ jaxpr: j, stats: {} }) });

/** A pass that returns IR reading a variable nobody defines. */
const broken: Pass = definePass({
  name: "broken",
  summary: "returns ill-formed IR",
  options: {},
  run: (j: Jaxpr) => ({ jaxpr: { ...j, outvars: [newVar({ dtype: "float32", shape: [8] })] }, stats: { "vars invented": 1 } }),
});

describe("runPipeline instrumentation", () => {
  it("print-after-all dumps after every pass with a greppable header carrying the stats", () => {
    const log: string[] = [];
    runPipeline(parse(PROGRAM), "simplify,dce", { printAfterAll: true, sink: (t) => log.push(t) });
    expect(log).toEqual([
      `// ----- IR after simplify (1 x*1 -> x) -----
{ lambda ; a:f32[8]. let
    _:f32[8] = sin a
  in (a,) }
`,
      `// ----- IR after dce (1 eqns removed) -----
{ lambda ; a:f32[8]. let
  in (a,) }
`,
    ]);
  });

  it("print-after-change prints only the passes that changed the IR", () => {
    const log: string[] = [];
    const { reports } = runPipeline(
      parse(PROGRAM),
      [
        { pass: identity, options: {} },
        { pass: PASSES.dce!, options: {} },
        { pass: PASSES.cse!, options: {} },
      ],
      { printAfterAll: true, printAfterChange: true, sink: (t) => log.push(t) },
    );
    expect(reports.map((r) => [r.name, r.changed])).toEqual([
      ["identity", false],
      ["dce", true],
      ["cse", false],
    ]);
    expect(log).toHaveLength(1);
    expect(log[0]!.split("\n")[0]).toBe("// ----- IR after dce (1 eqns removed) -----");
  });

  it("print-before dumps the input of the named pass", () => {
    const log: string[] = [];
    runPipeline(parse(PROGRAM), "dce,simplify", { printBefore: ["simplify"], sink: (t) => log.push(t) });
    expect(log).toEqual([
      `// ----- IR before simplify -----
{ lambda ; a:f32[8]. let
    b:f32[8] = mul a 1.0:f32[]
  in (b,) }
`,
    ]);
  });

  it("verify catches a pass that produces ill-formed IR, naming the pass", () => {
    const run = (verify: boolean) => runPipeline(parse(PROGRAM), [{ pass: broken, options: {} }], { verify });
    const e = errorOf(() => run(true));
    expect(e).toBeInstanceOf(PipelineError);
    expect(e.message).toMatch(/^verifier failed after pass 'broken': /);
    // Without verification the bad IR goes through unnoticed, which is what --verify is for.
    expect(() => run(false)).not.toThrow();
  });

  it("verify checks the input too", () => {
    const bad: Jaxpr = { ...parse(PROGRAM), outvars: [newVar({ dtype: "float32", shape: [8] })] };
    expect(errorOf(() => runPipeline(bad, "dce", { verify: true })).message).toMatch(/^verifier failed on the input: /);
  });
});
