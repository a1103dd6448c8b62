// The fuzzer checked against fake backends (fakes.ts) registered only
// inside these tests: broken ones are caught and shrunk to a small printed
// program; a legitimately different one (floats a few ulp off, sums in
// another order) passes, so the comparison does not cry wolf.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BACKENDS, type Backend } from "../../src/backends/index.js";
import type { Jaxpr } from "../../src/ir/core.js";
import { subJaxprs } from "../../src/ir/traverse.js";
import { countEqns } from "./check/differential.js";
import { lit, makeEqn, newJaxpr, newVar } from "../../src/ir/core.js";
import { evalJaxpr } from "../../src/backends/interpreter/index.js";
import { parse } from "../../src/ir/parser.js";
import { runPipeline } from "../../src/passes/index.js";
import { maxToMinPass, perturbedBackend, swappedSubBackend, unmaskedWhileBackend, withRegisteredBackend, withRegisteredPass, withTransposeRule } from "./fakes.js";
import { type FuzzCase, caseArb, defaultCheckOptions, fuzzProperty } from "./fuzzCase.js";
import { type FuzzProgram, finalJaxpr } from "./gen/build.js";
import { checkProgram } from "./check/differential.js";

const SEED = 7;

/**
 * Runs the fuzzer with `b` registered; returns the shrunk counterexample and
 * its report. Only `b` is compared with the interpreter (found in the registry
 * like any backend), so a bug in a real backend cannot make these tests pass
 * or fail.
 */
function fuzzWith(b: Backend, runs: number): { failed: boolean; program?: Jaxpr; report?: string } {
  return withRegisteredBackend(b, () => {
    const registered = defaultCheckOptions();
    const opts = { ...registered, backends: registered.backends.filter((x) => x.name === b.name), ad: false };
    expect(opts.backends).toEqual([b]);
    const details = fc.check(fuzzProperty(opts), { seed: SEED, numRuns: runs });
    if (!details.failed) return { failed: false };
    const c = details.counterexample![0] as FuzzCase;
    return { failed: true, program: finalJaxpr(c.program), report: (details.errorInstance as Error).message };
  });
}

function prims(j: Jaxpr): string[] {
  return j.eqns.flatMap((e) => [e.prim, ...subJaxprs(e).flatMap(prims)]);
}

describe("the fuzzer catches broken backends", () => {
  it("sub with swapped operands: shrunk to a program of at most 3 equations, printed with its inputs", () => {
    const r = fuzzWith(swappedSubBackend, 300);
    expect(r.failed).toBe(true);
    expect(r.report).toContain("backend 'broken-sub' differs from the interpreter");
    // sub needs two different operands: the smallest programs compute the second one (e.g. `neg a`).
    expect(prims(r.program!)).toContain("sub");
    expect(countEqns(r.program!)).toBeLessThanOrEqual(3);
    expect(r.report).toMatch(/= sub [a-z]+ [a-z]+\n/);
    expect(r.report).toContain("inputs:\n  input 0: ");
    expect(BACKENDS["broken-sub"]).toBeUndefined(); // registered only inside the run
  });

  it("a while that ignores per-lane predicates: shrunk to a small loop with a batched predicate", () => {
    const r = fuzzWith(unmaskedWhileBackend, 500);
    expect(r.failed).toBe(true);
    expect(r.report).toContain("backend 'broken-while'");
    const whiles = r.program!.eqns.filter((e) => e.prim === "while");
    expect(whiles.length).toBeGreaterThan(0);
    const condOut = (whiles[0]!.params as { cond_jaxpr: Jaxpr }).cond_jaxpr.outvars[0]!;
    expect(condOut.aval.shape.length).toBeGreaterThan(0);
    expect(countEqns(r.program!)).toBeLessThanOrEqual(12);
  });
});

describe("the fuzzer catches broken differentiation rules", () => {
  it("neg transposed as the identity: the jvp/vjp identity fails, shrunk to a few equations", () => {
    const opts = { ...defaultCheckOptions(), backends: [], pipelines: [], lanes: false };
    const details = withTransposeRule("neg", (_ops, [ct]) => [ct ?? null], () => fc.check(fuzzProperty(opts), { seed: SEED, numRuns: 300 }));
    expect(details.failed).toBe(true);
    const report = (details.errorInstance as Error).message;
    expect(report).toMatch(/<vjp\(c\), t> = .* but <c, jvp\(t\)> = .*: forward and reverse mode disagree/);
    const program = finalJaxpr((details.counterexample![0] as FuzzCase).program);
    // neg, or a primitive whose jvp negates a tangent (sub, div, cos…).
    expect(countEqns(program)).toBeLessThanOrEqual(3);
    expect(report).toMatch(/jvp program:\n[^]*= neg [^]*vjp program:/); // the jvp negates; the broken transpose does not
    // The rule is back: the same run passes.
    expect(fc.check(fuzzProperty(opts), { seed: SEED, numRuns: 100 }).failed).toBe(false);
  });
});

describe("the fuzzer accepts legitimate float differences", () => {
  it("(the perturbed backend really differs: sin is 3 ulp off, a float32 reverse sum rounds differently)", () => {
    const x = newVar({ dtype: "float32", shape: [4] });
    const y = newVar({ dtype: "float32", shape: [4] });
    const s = newVar({ dtype: "float32", shape: [] });
    const j = newJaxpr({ invars: [x], eqns: [makeEqn("sin", {}, [x], [y]), makeEqn("reduce_sum", { axes: [0] }, [x], [s])], outvars: [y, s] });
    // 1e8 + 1 + 1 - 1e8: float32 partial sums from the back give 0 (1 is absorbed), a double accumulator gives 2.
    const args = [{ dtype: "float32" as const, shape: [4], data: new Float32Array([1e8, 1, 1, -1e8]) }];
    const [sin, sum] = perturbedBackend.compile(j).run(args);
    const want = evalJaxpr(j, [], args);
    expect(Array.from(sin!.data)).not.toEqual(Array.from(want[0]!.data));
    expect(Array.from(sin!.data).every((v, i) => Math.abs(v - want[0]!.data[i]!) < 1e-6)).toBe(true);
    expect([sum!.data[0], want[1]!.data[0]]).toEqual([0, 2]);
  });

  it("pipelines are compared exactly, -0.0 included: simplify no longer turns 0.0 + x into x", () => {
    const program = parse(`{ lambda ; a:f32[2]. let
    b:f32[2] = add 0.0:f32[] a
    c:f32[2] = div 1.0:f32[] b
  in (c,) }`);
    const simplified = runPipeline(program, "simplify").jaxpr;
    const negZero = [{ dtype: "float32" as const, shape: [2], data: new Float32Array([-0, 2]) }];
    // IEEE: 0.0 + -0.0 = +0.0, so 1/x is +inf, before and after simplify.
    expect(Array.from(evalJaxpr(program, [], negZero)[0]!.data)).toEqual([Infinity, 0.5]);
    expect(Array.from(evalJaxpr(simplified, [], negZero)[0]!.data)).toEqual([Infinity, 0.5]);
  });

  it("transcendentals 3 ulp off and float32 sums in reverse order pass 300 programs", () => {
    expect(fuzzWith(perturbedBackend, 300)).toEqual({ failed: false });
  });
});

/** Checks the fuzz property on every case after `tamper`; returns the shrunk failure's program and report. */
function fuzzTampered(tamper: (p: FuzzProgram) => FuzzProgram, runs: number, pipelines: readonly string[] = []) {
  const opts = { ...defaultCheckOptions(), backends: [], pipelines, ad: false };
  const details = fc.check(
    fc.property(caseArb(), (c) => void checkProgram(tamper(c.program), opts)),
    { seed: SEED, numRuns: runs },
  );
  return { failed: details.failed, report: (details.errorInstance as Error | null)?.message ?? "", counterexample: details.counterexample?.[0] };
}

describe("the fuzzer catches broken passes", () => {
  it("a pass that rewrites max to min: the pipeline check fails on a small program using max (printed before and after)", () => {
    withRegisteredPass(maxToMinPass, () => {
      const r = fuzzTampered((p) => p, 300, ["broken-max-to-min"]);
      expect(r.failed).toBe(true);
      expect(r.report).toContain("pipeline 'broken-max-to-min' changed the interpreter's results: output");
      expect(r.report).toContain("optimized program:\n{ lambda");
      const program = finalJaxpr(r.counterexample!.program);
      expect(prims(program)).toContain("max");
      expect(countEqns(program)).toBeLessThanOrEqual(8);
    });
  });

  it("a batched program whose first output is off by one on every lane is caught by the per-lane check", () => {
    // Stands in for a wrong batching rule: the last vmap level's first int/float output gets + 1.
    const offByOne = (p: FuzzProgram): FuzzProgram => {
      const last = p.levels[p.levels.length - 1];
      const out = last?.jaxpr.outvars[0];
      if (!last || !out || out.aval.dtype === "bool") return p;
      const bumped = newVar(out.aval);
      const eqn = makeEqn("add", {}, [out, lit(1, { dtype: out.aval.dtype, shape: [] })], [bumped]);
      const jaxpr = { ...last.jaxpr, eqns: [...last.jaxpr.eqns, eqn], outvars: [bumped, ...last.jaxpr.outvars.slice(1)] };
      return { ...p, levels: [...p.levels.slice(0, -1), { ...last, jaxpr }] };
    };
    const r = fuzzTampered(offByOne, 300);
    expect(r.failed).toBe(true);
    expect(r.report).toMatch(/vmap level \d, lane \d, output 0 differs from level \d run on that lane/);
    expect(countEqns(r.counterexample!.program.base)).toBeLessThanOrEqual(2);
  });
});
