// The pass manager: text pipeline errors and the instrumentation (dumps,
// print-after-change, verification between passes), using fake passes where
// a real one cannot misbehave on purpose.
import { describe, expect, it } from "vitest";
import { type Jaxpr, newVar, parse } from "../../src/ir/index.js";
import { type Pass, type PassInvocation, PipelineError, definePass, parsePipeline, runPipeline } from "../../src/passes/index.js";
import { PASSES } from "../../src/passes/registry.js";
import { errorOf } from "../helpers/errors.js";

const PROGRAM = `{ lambda ; a:f32[8]. let
    b:f32[8] = sin a
    c:f32[8] = mul a 1.0:f32[]
  in (c,) }`;


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

  // Issue #11 item 12: `batch{size=-2}` and `batch{size=2.5}` used to run and print IR with shapes like f32[-2,3].
  it.each([
    ["batch{size=-2}", "option batch{size} expects a positive integer (1, 2, …), got '-2'"],
    ["batch{size=2.5}", "option batch{size} expects a positive integer (1, 2, …), got '2.5'"],
    ["batch{size=0}", "option batch{size} expects a positive integer (1, 2, …), got '0'"],
    ["batch{size=0x10}", "option batch{size} expects a positive integer (1, 2, …), got '0x10'"],
    ["batch{size=1e400}", "option batch{size} expects a positive integer (1, 2, …), got '1e400'"],
    ["batch{size=}", "option batch{size} expects a positive integer (1, 2, …), got ''"],
    ["batch{in-axes=x}", "option batch{in-axes} expects null or an axis (0, 1, …) per input, comma-separated, or one entry for all inputs, got 'x' in 'x'"],
    ["batch{in-axes=0,-1}", "option batch{in-axes} expects null or an axis (0, 1, …) per input, comma-separated, or one entry for all inputs, got '-1' in '0,-1'"],
    ["batch{size=2 size=3}", "option batch{size} is given twice"],
  ])("rejects %s naming the pass, the option and the valid values", (text, message) => {
    const e = errorOf(() => parsePipeline(text));
    expect(e).toBeInstanceOf(PipelineError);
    expect(e.message).toBe(message);
  });

  it("accepts integral spellings of an integer option", () => {
    expect(parsePipeline("batch{size=3}")[0]!.options).toEqual({ "in-axes": "0", size: 3 });
    expect(parsePipeline("batch{size=1e1 in-axes=null,0}")[0]!.options).toEqual({ "in-axes": "null,0", size: 10 });
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

// Issue #11 item 12: options that depend on the input are checked against it
// before the pass runs (batch{in-axes=null,5} on an f32[3] input used to fail
// inside a transpose the batching rules emitted).
describe("input-dependent option checks", () => {
  const TWO_INPUTS = "{ lambda ; a:f32[] b:f32[3]. let c:f32[3] = mul b a in (c,) }";

  it.each([
    [
      "batch{in-axes=null,5}",
      "option batch{in-axes} gives axis 5 for input 1 (f32[3]), out of range: batched, that input has rank 2, so its valid axes are 0..1 (or null to leave it unbatched)",
    ],
    [
      "batch{in-axes=1}",
      "option batch{in-axes} gives axis 1 for input 0 (f32[]), out of range: batched, that input has rank 1, so its valid axes are only 0 (or null to leave it unbatched)",
    ],
    ["batch{in-axes=0,0,0}", "option batch{in-axes} lists 3 entries but the jaxpr has 2 inputs; give one entry per input, or one for all"],
  ])("%s is a PipelineError about the option", (pipeline, message) => {
    const e = errorOf(() => runPipeline(parse(TWO_INPUTS), pipeline));
    expect(e).toBeInstanceOf(PipelineError);
    expect(e.message).toBe(message);
    // Running the pass directly reports the same problem.
    const [{ pass, options }] = parsePipeline(pipeline) as [PassInvocation];
    expect(() => pass.run(parse(TWO_INPUTS), options)).toThrow(message);
  });

  it("the largest valid axis batches the input at its end", () => {
    // in-axes 1 on f32[3]: the batched input is f32[3,2]; outputs are batched at axis 0.
    const { jaxpr } = runPipeline(parse(TWO_INPUTS), "batch{in-axes=null,1 size=2}", { verify: true });
    expect(jaxpr.invars.map((v) => v.aval.shape)).toEqual([[], [3, 2]]);
    expect(jaxpr.outvars.map((v) => v.aval.shape)).toEqual([[2, 3]]);
  });
});
