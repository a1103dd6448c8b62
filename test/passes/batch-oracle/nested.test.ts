// vmap of vmap: batch a jaxpr with B2 lanes, batch the result again with B1
// lanes, and compare out[i][j] with the original jaxpr on the inputs of outer
// lane i, inner lane j. Sizes 1–4 at both levels, so B1 == B2 happens (the
// case where a confused batch axis gives silently wrong values, jax#2960).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Eqn, Jaxpr } from "../../../src/ir/core.js";
import { PRIMS } from "../../../src/ir/primitives.js";
import type { Dim } from "../../../src/passes/batch/index.js";
import { countWhileIterations } from "./loopCounter.js";
import { checkNestedBatching } from "./oracle.js";
import { generators } from "./generators.js";
import type { GenCase } from "./primGen.js";
import type { DimChoice } from "./runs.js";
import {
  condBranchesArb,
  condWhileOwnLanesArb,
  pjitBasicArb,
  scanBasicArb,
  scanWithWhileArb,
  whileConstBodyArb,
  whileCountedArb,
  whileDataPredicateArb,
  whileForwardedCarryArb,
  whileInnerIndependentArb,
  whileNestedArb,
  whileWithCondArb,
  whileWithIndependentCondArb,
} from "./templates.js";

const SEED = 42;

interface NestedRun {
  readonly c: GenCase;
  readonly inner: { dims: Dim[]; size: number };
  readonly outer: { dims: Dim[]; size: number };
  readonly seed: number;
}

const axisOrNull = (rank: number, choice: DimChoice): fc.Arbitrary<Dim> => {
  const axis = fc.integer({ min: 0, max: rank });
  return choice === "batched" ? axis : choice === "unbatched" ? fc.constant(null) : fc.oneof(fc.constant(null), axis);
};

/**
 * Random dims at both levels. The outer dims index the inner-batched inputs,
 * whose rank is one more where the inner level batched them.
 */
function nestedRunArb(
  cases: fc.Arbitrary<GenCase>,
  choose: (k: number) => { inner?: DimChoice; outer?: DimChoice } = () => ({}),
): fc.Arbitrary<NestedRun> {
  return cases.chain((c) =>
    fc
      .tuple(...c.jaxpr.invars.map((v, k) => axisOrNull(v.aval.shape.length, choose(k).inner ?? "any")))
      .chain((innerDims) =>
        fc.record({
          c: fc.constant(c),
          inner: fc.record({ dims: fc.constant(innerDims), size: fc.integer({ min: 1, max: 4 }) }),
          outer: fc.record({
            dims: fc.tuple(
              ...c.jaxpr.invars.map((v, k) => axisOrNull(v.aval.shape.length + (innerDims[k] === null ? 0 : 1), choose(k).outer ?? "any")),
            ),
            size: fc.integer({ min: 1, max: 4 }),
          }),
          seed: fc.integer(),
        }),
      ),
  );
}

const nested = (r: NestedRun) => checkNestedBatching({ jaxpr: r.c.jaxpr, inner: r.inner, outer: r.outer, seed: r.seed, gens: r.c.gens });

/** The property body (fast-check fails a predicate that returns a non-boolean value). */
const runNested = (r: NestedRun): void => void nested(r);

function findEqn(j: Jaxpr, prim: string): Eqn | undefined {
  return j.eqns.find((e) => e.prim === prim);
}

describe("batch oracle: nested vmap", () => {
  const templates: [string, fc.Arbitrary<GenCase>][] = [
    ["fori-style while", whileCountedArb],
    ["while with a data predicate", whileDataPredicateArb],
    ["while with unchanged carries", whileForwardedCarryArb],
    ["while with a constant body", whileConstBodyArb],
    ["nested while", whileNestedArb],
    ["while whose inner loop reads no outer carry", whileInnerIndependentArb],
    ["cond with 2-3 branches", condBranchesArb],
    ["scan", scanBasicArb],
    ["pjit", pjitBasicArb],
    ["while inside scan", scanWithWhileArb],
    ["cond inside while", whileWithCondArb],
    ["cond inside while, reading no carry", whileWithIndependentCondArb],
  ];
  for (const p of PRIMS) {
    it(`${p}: random single-equation cases, random dims and sizes at both levels`, () => {
      fc.assert(fc.property(nestedRunArb(generators[p]), runNested), { seed: SEED, numRuns: 25 });
    });
  }

  for (const [name, arb] of templates) {
    it(`${name}: random dims and sizes at both levels`, () => {
      fc.assert(fc.property(nestedRunArb(arb), runNested), { seed: SEED, numRuns: 40 });
    });
  }

  // whileCounted's inputs: n (cond const), s, w (body consts), i0, x (carry inits).
  it("a batched while (bool[B2] predicate) batched again with a batched trip count: predicate bool[B1,B2]", () => {
    const arb = nestedRunArb(whileCountedArb, (k) => (k === 0 ? { inner: "batched", outer: "batched" } : {}));
    fc.assert(
      fc.property(arb, (r) => {
        const { inner, outer } = nested(r);
        const pred = (j: Jaxpr) => (findEqn(j, "while")!.params as { cond_jaxpr: Jaxpr }).cond_jaxpr.outvars[0]!.aval;
        expect(pred(inner.jaxpr)).toEqual({ dtype: "bool", shape: [r.inner.size] });
        expect(pred(outer.jaxpr)).toEqual({ dtype: "bool", shape: [r.outer.size, r.inner.size] });
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it("a batched while batched again with only the data carry batched: predicate stays bool[B2]", () => {
    const arb = nestedRunArb(whileCountedArb, (k) =>
      k === 0 ? { inner: "batched", outer: "unbatched" } : k === 4 ? { outer: "batched" } : { outer: "unbatched" },
    );
    fc.assert(
      fc.property(arb, (r) => {
        const { outer } = nested(r);
        const cond = (findEqn(outer.jaxpr, "while")!.params as { cond_jaxpr: Jaxpr }).cond_jaxpr;
        expect(cond.outvars[0]!.aval).toEqual({ dtype: "bool", shape: [r.inner.size] });
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  // The inputs of these templates: a (outer loop bound), b (what the inner
  // loop or cond reads), v (the accumulator's init).
  const NESTED_LOOPS: [string, { inner: Dim[]; outer: Dim[] }][] = [
    // Outer loop batched only at the outer level (mask [B1]), inner
    // loop/cond only at the inner level (predicate/index [B2]).
    ["outer loop batched by the outer vmap, inner loop by the inner vmap", { inner: [null, 0, null], outer: [0, null, null] }],
    // Outer loop batched only at the inner level (mask [B2]), inner loop at the outer level.
    ["outer loop batched by the inner vmap, inner loop by the outer vmap", { inner: [0, null, null], outer: [null, 0, null] }],
    // Outer loop batched at both levels (mask [B1,B2]), inner loop at the inner level only.
    ["outer loop batched by both, inner loop by the inner vmap", { inner: [0, 0, null], outer: [0, null, null] }],
  ];
  for (const [name, dims] of NESTED_LOOPS) {
    const inners = [
      ["nested while", whileNestedArb],
      ["independent inner loop", whileInnerIndependentArb],
      ["independent inner cond", whileWithIndependentCondArb],
    ] as const;
    for (const [tname, arb] of inners) {
      it(`${tname}: ${name}, every B1, B2 in 1..4`, () => {
        const run = fc.tuple(arb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer());
        fc.assert(
          fc.property(run, ([c, b1, b2, seed]) => {
            runNested({ c, inner: { dims: dims.inner, size: b2 }, outer: { dims: dims.outer, size: b1 }, seed });
          }),
          { seed: SEED, numRuns: 30 },
        );
      });
    }
  }

  it("a batched-index cond batched again (index batched at the outer level or only the operands)", () => {
    for (const outerIndex of ["batched", "unbatched"] as const) {
      const arb = nestedRunArb(condBranchesArb, (k) => (k === 0 ? { inner: "batched", outer: outerIndex } : {}));
      fc.assert(fc.property(arb, runNested), { seed: SEED, numRuns: 40 });
    }
  });

  it("nested vmap of a branch loop that only terminates for its own lanes (JAX #2947)", () => {
    const arb = nestedRunArb(condWhileOwnLanesArb, (k) => (k === 0 ? { inner: "batched" } : {}));
    fc.assert(
      fc.property(arb, (r) => {
        const { iterations } = countWhileIterations(() => runNested(r));
        expect(iterations).toBeLessThan(200);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });
});
