// The AD passes on programs of a hundred thousand equations and on calls
// nested to the nesting limit (the companion of test/passes/large_programs.test.ts,
// whose checks evaluate a pass's result as the input program: these passes
// change the signature). The references come from the programs' construction
// (test/helpers/largePrograms.ts): stepChain computes x + steps, so its
// derivative is the identity; nestedProgram computes x + levels + 1.
import { describe, expect, it } from "vitest";
import { evalJaxpr } from "../../../src/backends/interpreter/index.js";
import type { ArrayValue } from "../../../src/ir/core.js";
import { MAX_JAXPR_NESTING } from "../../../src/ir/limits.js";
import { NestingLimitError } from "../../../src/ir/traverse.js";
import { runPipeline } from "../../../src/passes/index.js";
import { PASSES } from "../../../src/passes/registry.js";
import { nestedProgram, stepChain } from "../../helpers/largePrograms.js";

const EQNS = 100_000;
const STEPS = EQNS / 5;
const X = [0.5, 1, 2, -3];
const T = [1, -2, 0.25, 4];
const f32 = (...xs: number[]): ArrayValue => ({ dtype: "float32", shape: [xs.length], data: new Float32Array(xs) });
const scalar = (x: number): ArrayValue => ({ dtype: "float32", shape: [], data: new Float32Array([x]) });
const values = (outs: readonly ArrayValue[]) => outs.map((o) => Array.from(o.data));

describe(`AD passes on a chain of ${EQNS} equations (x + 1, ${STEPS} times)`, () => {
  it("jvp: the primal output is x + steps and the tangent passes through unchanged", { timeout: 60_000 }, () => {
    const { jaxpr } = runPipeline(stepChain(STEPS, X.length), "jvp", { verify: false });
    expect(values(evalJaxpr(jaxpr, [], [f32(...X), f32(...T)]))).toEqual([X.map((x) => x + STEPS), T]);
  });

  it("linearize, then transpose: both the linear map and its transpose are the identity", { timeout: 60_000 }, () => {
    // stepChain's max of two equal values gives each operand half the tangent (JAX's tie rule): the residuals are those weights.
    const linear = runPipeline(stepChain(STEPS, X.length), "linearize", { verify: false }).jaxpr;
    const known = runPipeline(stepChain(STEPS, X.length), "linearize{part=known}", { verify: false }).jaxpr;
    const knownOuts = evalJaxpr(known, [], [f32(...X)]);
    expect(values(knownOuts.slice(0, 1))).toEqual([X.map((x) => x + STEPS)]);
    const residuals = knownOuts.slice(1);
    expect(residuals.length).toBe(linear.constvars.length);
    expect(values(evalJaxpr(linear, residuals, [f32(...T)]))).toEqual([T]);
    const transposed = runPipeline(linear, "transpose", { verify: false }).jaxpr;
    expect(values(evalJaxpr(transposed, residuals, [f32(...T)]))).toEqual([T]);
  });
});

describe(`AD passes on pjit calls nested ${MAX_JAXPR_NESTING} deep`, () => {
  it("jvp differentiates through every level: x + levels + 1, tangent t", { timeout: 60_000 }, () => {
    const { jaxpr } = runPipeline(nestedProgram("pjit", MAX_JAXPR_NESTING - 1), "jvp", { verify: false });
    expect(values(evalJaxpr(jaxpr, [], [scalar(0.5), scalar(3)]))).toEqual([[0.5 + MAX_JAXPR_NESTING], [3]]);
  });

  it.each(["jvp", "linearize", "transpose"])("%s refuses one level deeper by name", (name) => {
    const tooDeep = nestedProgram("pjit", MAX_JAXPR_NESTING);
    const options = { wrt: "float", part: "linear", linear: "all" };
    expect(() => PASSES[name]!.run(tooDeep, options)).toThrow(NestingLimitError);
    expect(() => PASSES[name]!.run(tooDeep, options)).toThrow(new RegExp(`^pass ${name}: jaxprs nest ${MAX_JAXPR_NESTING + 1} levels deep`));
  });
});
