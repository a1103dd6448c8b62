// The batching oracle for every primitive: random well-typed single-equation
// jaxprs (control flow: the templates, with random lane shapes), random batch
// dims per input (null or any axis), random B in 1..4, sometimes forced out
// axes. A test checks the generator table (generators.ts) against PRIMS.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BINARY_PRIMS, COMPARE_PRIMS, PRIMS, type Prim } from "../../../src/ir/primitives.js";
import { generators } from "./generators.js";
import {
  VAR_FORMS,
  binaryArb,
  concatenateArb,
  dotGeneralArb,
  dynamicSliceArb,
  dynamicUpdateSliceArb,
  forwardingArb,
  selectArb,
  withConstvars,
} from "./primGen.js";
import { allMasks, maskName, oracleRunArb, runOracle } from "./runs.js";

const SEED = 42;

const CONTROL: ReadonlySet<Prim> = new Set<Prim>(["while", "cond", "scan", "pjit"]);

describe("batch oracle: every primitive", () => {
  it("has a generator for every primitive in PRIMS, and each generates that primitive", () => {
    expect(Object.keys(generators).sort()).toEqual([...PRIMS].sort());
    for (const p of PRIMS) {
      const [sample] = fc.sample(generators[p], { seed: SEED, numRuns: 1 });
      expect(sample!.jaxpr.eqns.map((e) => e.prim)).toContain(p);
    }
  });

  for (const p of PRIMS) {
    it(`${p}: random shapes, params, batch dims and sizes`, () => {
      fc.assert(fc.property(oracleRunArb(generators[p]), runOracle), { seed: SEED, numRuns: CONTROL.has(p) ? 40 : 60 });
    });
  }
});

describe("batch oracle: every batched/unbatched operand combination", () => {
  for (const p of [...BINARY_PRIMS, ...COMPARE_PRIMS]) {
    it(`${p}: ${allMasks(2).map(maskName).join(" ")} (equal shapes and rank-0 operands)`, () => {
      for (const mask of allMasks(2)) {
        const arb = oracleRunArb(binaryArb(p, VAR_FORMS), (k) => (mask[k] ? "batched" : "unbatched"));
        fc.assert(fc.property(arb, runOracle), { seed: SEED, numRuns: 12 });
      }
    });
  }

  for (const kind of ["bool", "int"] as const) {
    for (const scalar of [true, false]) {
      it(`select_n, ${kind} ${scalar ? "scalar" : "full-shape"} selector, 2 cases: all 8 combinations`, () => {
        for (const mask of allMasks(3)) {
          const arb = oracleRunArb(selectArb({ kind, scalar, ncases: 2 }), (k) => (mask[k] ? "batched" : "unbatched"));
          fc.assert(fc.property(arb, runOracle), { seed: SEED, numRuns: 10 });
        }
      });
    }
  }

  it("select_n with a literal scalar selector and batched cases", () => {
    const arb = oracleRunArb(selectArb({ scalar: true, literal: true }), () => "batched");
    fc.assert(fc.property(arb, runOracle), { seed: SEED, numRuns: 30 });
  });

  it("select_n with 3-4 int cases and random batching", () => {
    fc.assert(fc.property(oracleRunArb(selectArb({ kind: "int", ncases: 4 })), runOracle), { seed: SEED, numRuns: 40 });
  });

  for (const [name, mask] of [
    ["lhs only", [true, false]],
    ["rhs only", [false, true]],
    ["both", [true, true]],
  ] as const) {
    it(`dot_general batched on ${name}`, () => {
      const arb = oracleRunArb(dotGeneralArb, (k) => (mask[k] ? "batched" : "unbatched"));
      fc.assert(fc.property(arb, runOracle), { seed: SEED, numRuns: 60 });
    });
  }

  it("dynamic_slice with batched start indices (per-lane fallback) and clamped starts", () => {
    // Operand (k = 0) batched or not; every start index input batched.
    const arb = oracleRunArb(dynamicSliceArb, (k) => (k === 0 ? "any" : "batched"));
    fc.assert(fc.property(arb, runOracle), { seed: SEED, numRuns: 60 });
  });

  it("dynamic_slice with a batched operand and unbatched start indices", () => {
    const arb = oracleRunArb(dynamicSliceArb, (k) => (k === 0 ? "batched" : "unbatched"));
    fc.assert(fc.property(arb, runOracle), { seed: SEED, numRuns: 60 });
  });

  it("dynamic_update_slice: operand, update and start indices batched independently", () => {
    for (const mask of allMasks(2)) {
      const arb = oracleRunArb(dynamicUpdateSliceArb, (k) => (k < 2 ? (mask[k] ? "batched" : "unbatched") : "any"));
      fc.assert(fc.property(arb, runOracle), { seed: SEED, numRuns: 25 });
    }
  });

  it("concatenate with a mix of batched and unbatched operands", () => {
    fc.assert(fc.property(oracleRunArb(concatenateArb), runOracle), { seed: SEED, numRuns: 60 });
  });
});

describe("batch oracle: jaxpr-level cases", () => {
  it("constvars take batch dims like invars (first 1-2 inputs as constvars, every primitive)", () => {
    for (const p of PRIMS) {
      const arb = fc.tuple(generators[p], fc.integer({ min: 1, max: 2 })).map(([c, k]) => withConstvars(c, k));
      fc.assert(fc.property(oracleRunArb(arb), runOracle), { seed: SEED, numRuns: 5 });
    }
  });

  it("outputs that are inputs or literals (forced out axes broadcast them)", () => {
    fc.assert(fc.property(oracleRunArb(forwardingArb), runOracle), { seed: SEED, numRuns: 60 });
  });
});
