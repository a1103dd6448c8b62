// Every pass handles programs of a hundred thousand equations (chains whose
// equations each read the previous result, a wide tree, and for each pass a
// program where it has a hundred thousand things to do) and jaxprs nested
// MAX_JAXPR_NESTING deep, in seconds and without running out of stack; one
// level deeper is refused with an error naming the pass (#11 item 9).
// Results are evaluated with the interpreter and compared with values
// derived from the programs' construction (test/helpers/largePrograms.ts).
import { describe, expect, it } from "vitest";
import { evalJaxpr } from "../../src/backends/interpreter/index.js";
import type { ArrayValue, Jaxpr } from "../../src/ir/core.js";
import { MAX_JAXPR_NESTING } from "../../src/ir/limits.js";
import { NestingLimitError } from "../../src/ir/traverse.js";
import { PASSES } from "../../src/passes/index.js";
import type { OptionValue } from "../../src/passes/pass.js";
import {
  NEST_KINDS,
  callChain,
  countEqns,
  forwardingLoop,
  invariantLoop,
  nestedProgram,
  ringLoop,
  ringLoopReference,
  stepChain,
  wideSum,
} from "../helpers/largePrograms.js";

const EQNS = 100_000;
const X = [0.5, 1, 2, -3];

const f32 = (...xs: number[]): ArrayValue => ({ dtype: "float32", shape: [xs.length], data: new Float32Array(xs) });
const values = (outs: readonly ArrayValue[]) => outs.map((o) => Array.from(o.data));

/** Options every pass runs with here: the batch pass vmaps over a leading axis of 2. */
const OPTIONS: Readonly<Record<string, Readonly<Record<string, OptionValue>>>> = { batch: { "in-axes": "0", size: 2 } };
const runPass = (name: string, j: Jaxpr) => PASSES[name]!.run(j, OPTIONS[name] ?? {});

/**
 * The AD passes change the program's signature (tangent inputs and outputs,
 * cotangents), so the checks below, which evaluate the result as the input
 * program, do not apply; test/passes/ad/large_programs.test.ts runs them on
 * large programs with their own references.
 */
const AD_PASSES = new Set(["jvp", "linearize", "transpose"]);

describe.each(Object.keys(PASSES).filter((n) => !AD_PASSES.has(n)))("pass %s on large programs", (name) => {
  it(`a chain of ${EQNS} equations (y + 1 with duplicated, dead and identity work, ${EQNS / 5} times)`, { timeout: 60_000 }, () => {
    const { jaxpr } = runPass(name, stepChain(EQNS / 5, X.length));
    if (name === "batch") {
      const stacked: ArrayValue = { dtype: "float32", shape: [2, X.length], data: new Float32Array([...X, ...X.map((x) => x * 2)]) };
      expect(values(evalJaxpr(jaxpr, [], [stacked]))).toEqual([[...X, ...X.map((x) => x * 2)].map((x) => x + EQNS / 5)]);
    } else {
      expect(values(evalJaxpr(jaxpr, [], [f32(...X)]))).toEqual([X.map((x) => x + EQNS / 5)]);
    }
  });

  it(`a wide program of ${EQNS} equations (${EQNS / 2} sums added up by a tree)`, { timeout: 60_000 }, () => {
    const leaves = EQNS / 2;
    const { jaxpr } = runPass(name, wideSum(leaves, 2));
    const x: ArrayValue = name === "batch" ? { dtype: "int32", shape: [2, 2], data: new Int32Array([0, 1, 2, 3]) } : { dtype: "int32", shape: [2], data: new Int32Array([0, 3]) };
    const want = Array.from(x.data).map((v) => leaves * v + (leaves * (leaves - 1)) / 2);
    expect(values(evalJaxpr(jaxpr, [], [x]))).toEqual([want]);
  });

  it(`a loop with ${EQNS / 2} carries, each updated from its neighbour`, { timeout: 60_000 }, () => {
    const carries = EQNS / 2;
    const { jaxpr } = runPass(name, ringLoop(carries, 2));
    const init = Array.from({ length: carries }, (_, k) => k % 1000);
    const want = ringLoopReference(init);
    const lanes = name === "batch" ? 2 : 1; // batched: lane 1 holds twice lane 0's values
    const args = init.map((v): ArrayValue => {
      const row = [v, -v];
      return { dtype: "float32", shape: lanes === 2 ? [2, 2] : [2], data: new Float32Array(lanes === 2 ? [...row, ...row.map((x) => 2 * x)] : row) };
    });
    const outs = evalJaxpr(jaxpr, [], args);
    expect(outs.map((o) => o.data[0])).toEqual(want);
    expect(outs.map((o) => o.data[1])).toEqual(want.map((v) => -v));
    if (lanes === 2) expect(outs.map((o) => o.data[2])).toEqual(want.map((v) => 2 * v));
  });

  for (const kind of NEST_KINDS) {
    it(`${kind} nested ${MAX_JAXPR_NESTING} deep (the limit); ${MAX_JAXPR_NESTING + 1} deep is refused by name`, { timeout: 60_000 }, () => {
      const { jaxpr } = runPass(name, nestedProgram(kind, MAX_JAXPR_NESTING - 1));
      const x: ArrayValue = name === "batch" ? f32(0.5, 1.5) : { dtype: "float32", shape: [], data: new Float32Array([0.5]) };
      expect(values(evalJaxpr(jaxpr, [], [x]))).toEqual([Array.from(x.data).map((v) => v + MAX_JAXPR_NESTING)]);
      const tooDeep = nestedProgram(kind, MAX_JAXPR_NESTING);
      expect(() => runPass(name, tooDeep)).toThrow(NestingLimitError);
      expect(() => runPass(name, tooDeep)).toThrow(new RegExp(`^pass ${name}: jaxprs nest ${MAX_JAXPR_NESTING + 1} levels deep .* limit of ${MAX_JAXPR_NESTING} nested jaxprs`));
    });
  }
});

describe("each pass doing a hundred thousand things", () => {
  const steps = EQNS / 5;

  it(`dce removes the ${steps} dead equations of a ${EQNS}-equation chain`, () => {
    const { jaxpr, stats } = PASSES["dce"]!.run(stepChain(steps, X.length), {});
    expect(stats).toEqual({ "eqns removed": steps });
    expect(countEqns(jaxpr)).toBe(EQNS - steps);
  });

  it(`cse merges the ${steps} duplicated equations of a ${EQNS}-equation chain`, () => {
    const { jaxpr, stats } = PASSES["cse"]!.run(stepChain(steps, X.length), {});
    expect(stats).toEqual({ "eqns removed": steps });
    expect(countEqns(jaxpr)).toBe(EQNS - steps);
  });

  it(`simplify removes the ${steps} multiplications by 1 of a ${EQNS}-equation chain`, () => {
    const { jaxpr, stats } = PASSES["simplify"]!.run(stepChain(steps, X.length), {});
    expect(Object.values(stats).reduce((a, b) => a + b, 0)).toBe(steps);
    expect(countEqns(jaxpr)).toBe(EQNS - steps);
    expect(values(evalJaxpr(jaxpr, [], [f32(...X)]))).toEqual([X.map((x) => x + steps)]);
  });

  it(`inline replaces a chain of ${EQNS / 2} pjit calls by their bodies`, () => {
    const calls = EQNS / 2;
    const { jaxpr, stats } = PASSES["inline"]!.run(callChain(calls, X.length), {});
    expect(stats).toEqual({ "pjit calls inlined": calls });
    expect(jaxpr.eqns.every((e) => e.prim === "add")).toBe(true);
    expect(jaxpr.eqns.length).toBe(calls);
    expect(values(evalJaxpr(jaxpr, [], [f32(...X)]))).toEqual([X.map((x) => x + calls)]);
  });

  it(`licm hoists a loop-invariant chain of ${EQNS} equations out of a while body`, () => {
    const { jaxpr, stats } = PASSES["licm"]!.run(invariantLoop(EQNS, X.length), {});
    expect(stats).toEqual({ "eqns hoisted": EQNS });
    const loop = jaxpr.eqns.find((e) => e.prim === "while")!;
    expect(countEqns({ ...jaxpr, eqns: [loop] })).toBe(1 + 1 + 2); // the loop, its cond's lt, its body's two adds
    const c = [1, 2, 3, 4];
    expect(values(evalJaxpr(jaxpr, [], [f32(...c), f32(...X)]))).toEqual([X.map((x, i) => x + 3 * (c[i]! + EQNS))]);
  });

  it(`hoist-invariant-carries sees a carry unchanged through ${EQNS} forwarding equations`, () => {
    const { jaxpr, stats } = PASSES["hoist-invariant-carries"]!.run(forwardingLoop(EQNS, X.length), {});
    expect(stats).toEqual({ "carries hoisted": 1 });
    expect(jaxpr.outvars[0]).toBe(jaxpr.invars[0]);
    expect(values(evalJaxpr(jaxpr, [], [f32(...X)]))).toEqual([X, [3]]);
  });
});
