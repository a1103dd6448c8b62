// The batching oracle on control flow: while (batched predicate through a
// batched init or cond const, unbatched predicate with a batched body const,
// nested loops, unchanged carries, constant bodies), cond (unbatched and
// batched index, 2–3 branches of different cost, a loop that only terminates
// for its own lanes), scan (every batched/unbatched combination of consts,
// carry and xs, forward and reverse) and pjit.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countWhileIterations } from "./loopCounter.js";
import { type GenCase, shapeArb } from "./primGen.js";
import { type DimChoice, allMasks, maskName, oracleRunArb, runOracle } from "./runs.js";
import {
  condBranchesArb,
  condWhileOwnLanesArb,
  pjitBasicArb,
  scanBasic,
  scanBasicArb,
  scanFixpoint,
  scanWithWhileArb,
  whileConstBodyArb,
  whileCountedArb,
  whileDataPredicateArb,
  whileForwardedCarryArb,
  whileNestedArb,
  whileTuple,
  whileWithCondArb,
} from "./templates.js";

const SEED = 42;
const RUNS = 40;

/** Per-input choices by name, "any" for the rest. */
function byName(c: GenCase, choices: Readonly<Record<string, DimChoice>>, names: readonly string[]): (k: number) => DimChoice {
  if (names.length !== c.jaxpr.invars.length) throw new Error("byName: one name per invar");
  return (k) => choices[names[k]!] ?? "any";
}

const COUNTED = ["n", "s", "w", "i0", "x"];

describe("batch oracle: while", () => {
  it("fori-style loop, every input batched or not at random axes", () => {
    fc.assert(fc.property(oracleRunArb(whileCountedArb), runOracle), { seed: SEED, numRuns: RUNS });
  });

  it("batched predicate through a batched cond const (per-lane trip counts)", () => {
    const arb = oracleRunArb(whileCountedArb, (k, c) => byName(c, { n: "batched" }, COUNTED)(k));
    fc.assert(fc.property(arb, runOracle), { seed: SEED, numRuns: RUNS });
  });

  it("batched predicate through a batched counter init", () => {
    const arb = oracleRunArb(whileCountedArb, (k, c) => byName(c, { n: "unbatched", i0: "batched" }, COUNTED)(k));
    fc.assert(fc.property(arb, runOracle), { seed: SEED, numRuns: RUNS });
  });

  it("unbatched predicate, batched body const: the carry becomes batched by the fixpoint", () => {
    for (const bconst of ["s", "w"]) {
      const arb = oracleRunArb(whileCountedArb, (k, c) => byName(c, { n: "unbatched", i0: "unbatched", x: "unbatched", [bconst]: "batched" }, COUNTED)(k));
      fc.assert(fc.property(arb, runOracle), { seed: SEED, numRuns: RUNS / 2 });
    }
  });

  it("predicate computed from the batched data carry (reduce_sum < lim)", () => {
    fc.assert(fc.property(oracleRunArb(whileDataPredicateArb), runOracle), { seed: SEED, numRuns: RUNS });
  });

  it("a carry the body leaves unchanged, and one the cond reads while the body forwards it", () => {
    fc.assert(fc.property(oracleRunArb(whileForwardedCarryArb), runOracle), { seed: SEED, numRuns: RUNS });
  });

  it(`tuple carry (x + y < 5): ${allMasks(2).map(maskName).join(" ")}`, () => {
    for (const mask of allMasks(2)) {
      const arb = oracleRunArb(fc.constant(whileTuple()), (k) => (mask[k] ? "batched" : "unbatched"));
      fc.assert(fc.property(arb, runOracle), { seed: SEED, numRuns: 10 });
    }
  });

  it("a body that sets a batched carry to an unbatched constant", () => {
    fc.assert(fc.property(oracleRunArb(whileConstBodyArb), runOracle), { seed: SEED, numRuns: RUNS });
  });

  it("nested while with independently batched outer and inner trip counts", () => {
    fc.assert(fc.property(oracleRunArb(whileNestedArb), runOracle), { seed: SEED, numRuns: RUNS });
  });
});

describe("batch oracle: cond", () => {
  it("unbatched index, 2–3 branches, operands batched at random", () => {
    const arb = oracleRunArb(condBranchesArb, (k) => (k === 0 ? "unbatched" : "any"));
    fc.assert(fc.property(arb, runOracle), { seed: SEED, numRuns: RUNS });
  });

  it("batched index (per-lane branches, clamped), operands batched at random", () => {
    const arb = oracleRunArb(condBranchesArb, (k) => (k === 0 ? "batched" : "any"));
    fc.assert(fc.property(arb, runOracle), { seed: SEED, numRuns: RUNS });
  });

  it("a branch whose while only terminates for its own lanes iterates only for them (JAX #2947)", () => {
    const arb = oracleRunArb(condWhileOwnLanesArb, (k) => (k === 0 ? "batched" : "any"));
    fc.assert(
      fc.property(arb, (r) => {
        const { iterations } = countWhileIterations(() => runOracle(r));
        // Lanes run at most 4 iterations each (x <= 4); a loop that leaked into
        // the other branch's lanes would run ~1000 (until the c > -1000 guard).
        expect(iterations).toBeLessThan(100);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe("batch oracle: scan", () => {
  for (const reverse of [false, true]) {
    it(`${reverse ? "reverse" : "forward"}: consts (c, w), carry (init) and xs batched in all 16 combinations`, () => {
      for (const mask of allMasks(4)) {
        const cases = fc
          .tuple(shapeArb(0, 2), fc.integer({ min: 0, max: 3 }))
          .map(([s, length]) => scanBasic(s, length, reverse));
        const arb = oracleRunArb(cases, (k) => (mask[k] ? "batched" : "unbatched"));
        fc.assert(fc.property(arb, runOracle), { seed: SEED, numRuns: 6 });
      }
    });
  }

  it("random lane shapes, lengths, directions and batch dims", () => {
    fc.assert(fc.property(oracleRunArb(scanBasicArb), runOracle), { seed: SEED, numRuns: RUNS });
  });

  it("carries that rotate left: batchedness propagates through the fixpoint (testScanVmapFixpoint)", () => {
    for (const reverse of [false, true]) {
      for (const mask of allMasks(4)) {
        const arb = oracleRunArb(fc.constant(scanFixpoint(reverse)), (k) => (mask[k] ? "batched" : "unbatched"));
        fc.assert(fc.property(arb, runOracle), { seed: SEED, numRuns: 3 });
      }
    }
  });
});

describe("batch oracle: control flow inside control flow", () => {
  it("a while inside a scan body, its trip count from the xs slice", () => {
    fc.assert(fc.property(oracleRunArb(scanWithWhileArb), runOracle), { seed: SEED, numRuns: RUNS });
  });

  it("a cond inside a while body, its index from the carry, one operand a literal", () => {
    fc.assert(fc.property(oracleRunArb(whileWithCondArb), runOracle), { seed: SEED, numRuns: RUNS });
  });
});

describe("batch oracle: pjit", () => {
  it("random lane shapes and batch dims", () => {
    fc.assert(fc.property(oracleRunArb(pjitBasicArb), runOracle), { seed: SEED, numRuns: RUNS });
  });
});
