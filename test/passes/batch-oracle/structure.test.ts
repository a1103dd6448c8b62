// Structural properties JAX's tests check on batched jaxprs (reference §4):
// an unbatched counter stays i32[] in a batched loop (testForiLoopBatchedIssue1190),
// a cond with an unbatched index has no select (testCondBatched), a batched
// predicate is bool[B], and loop consts are never broadcast. Each property
// also runs the value oracle on the same case.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Eqn, Jaxpr } from "../../../src/ir/core.js";
import type { Params } from "../../../src/ir/primitives.js";
import { primsOf } from "../../helpers/ir.js";
import { checkBatching } from "./oracle.js";
import { type DimChoice, type OracleRun, oracleRunArb } from "./runs.js";
import { condBranchesArb, scanBasicArb, whileCountedArb, whileDataPredicateArb } from "./templates.js";

const SEED = 42;
const RUNS = 40;

function check(r: OracleRun): Jaxpr {
  return checkBatching({ jaxpr: r.c.jaxpr, dims: r.dims, size: r.size, seed: r.seed, gens: r.c.gens }).jaxpr;
}

function only<P extends "while" | "cond" | "scan">(j: Jaxpr, prim: P): Eqn<P> {
  const es = j.eqns.filter((e) => e.prim === prim);
  expect(es).toHaveLength(1);
  return es[0]! as Eqn<P>;
}

// whileCounted's inputs: n (cond const), s, w (body consts), i0 (counter init), x (carry init).
const COUNTED: Record<string, number> = { n: 0, s: 1, w: 2, i0: 3, x: 4 };
const choose = (spec: Record<string, DimChoice>) => (k: number): DimChoice => {
  const name = Object.keys(COUNTED).find((key) => COUNTED[key] === k)!;
  return spec[name] ?? "any";
};

describe("batch structure (JAX's checks)", () => {
  it("a loop whose predicate reads only an unbatched counter keeps it i32[] and the predicate bool[]", () => {
    const arb = oracleRunArb(whileCountedArb, choose({ n: "unbatched", i0: "unbatched", x: "batched" }));
    fc.assert(
      fc.property(arb, (r) => {
        const w = only(check(r), "while");
        const cond: Params["while"]["cond_jaxpr"] = w.params.cond_jaxpr;
        expect(cond.invars.map((v) => v.aval)).toEqual([
          { dtype: "int32", shape: [] },
          { dtype: "int32", shape: [] },
          expect.objectContaining({ dtype: "float32" }),
        ]);
        expect(cond.outvars[0]!.aval).toEqual({ dtype: "bool", shape: [] });
        expect(w.outputs[0]!.aval).toEqual({ dtype: "int32", shape: [] });
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("a batched predicate is bool[B] (batched trip count, batched counter init, or batched data carry)", () => {
    const cases: [string, ReturnType<typeof oracleRunArb>][] = [
      ["cond const", oracleRunArb(whileCountedArb, choose({ n: "batched" }))],
      ["counter init", oracleRunArb(whileCountedArb, choose({ i0: "batched" }))],
      ["data carry", oracleRunArb(whileDataPredicateArb, (k) => (k === 2 ? "batched" : "any"))],
    ];
    for (const [, arb] of cases) {
      fc.assert(
        fc.property(arb, (r) => {
          const w = only(check(r), "while");
          expect(w.params.cond_jaxpr.outvars[0]!.aval).toEqual({ dtype: "bool", shape: [r.size] });
          // The predicate is a prefix of every carry: each is batched at axis 0.
          for (const o of w.outputs) expect(o.aval.shape[0]).toBe(r.size);
        }),
        { seed: SEED, numRuns: RUNS / 2 },
      );
    }
  });

  it("a cond with an unbatched index stays a cond with an i32[] index and contains no select_n", () => {
    const arb = oracleRunArb(condBranchesArb, (k) => (k === 0 ? "unbatched" : "any"));
    fc.assert(
      fc.property(arb, (r) => {
        const j = check(r);
        expect(only(j, "cond").inputs[0]!.aval).toEqual({ dtype: "int32", shape: [] });
        expect(primsOf(j).has("select_n")).toBe(false);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("a cond with a batched index becomes a per-lane cond (index i32[B]), not a select", () => {
    const arb = oracleRunArb(condBranchesArb, (k) => (k === 0 ? "batched" : "any"));
    fc.assert(
      fc.property(arb, (r) => {
        const j = check(r);
        expect(only(j, "cond").inputs[0]!.aval).toEqual({ dtype: "int32", shape: [r.size] });
        expect(primsOf(j).has("select_n")).toBe(false);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("while consts are never broadcast, even under a batched predicate", () => {
    // Batched predicate (through the counter init), unbatched cond const n and body consts s, w.
    const arb = oracleRunArb(whileCountedArb, choose({ n: "unbatched", s: "unbatched", w: "unbatched", i0: "batched" }));
    fc.assert(
      fc.property(arb, (r) => {
        const j = check(r);
        const w = only(j, "while");
        const [n, s, wc] = j.invars;
        // The consts are passed as they come in (no broadcast_in_dim in front)…
        expect(w.inputs.slice(0, 3)).toEqual([n, s, wc]);
        // …and the sub-jaxprs take them with their unbatched types.
        expect(w.params.cond_jaxpr.invars[0]!.aval).toEqual(r.c.jaxpr.invars[0]!.aval);
        expect(w.params.body_jaxpr.invars.slice(0, 2).map((v) => v.aval)).toEqual([r.c.jaxpr.invars[1]!.aval, r.c.jaxpr.invars[2]!.aval]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("scan consts are never broadcast, whatever else is batched", () => {
    // scanBasic's inputs: c, w (consts), init, xs.
    const arb = oracleRunArb(scanBasicArb, (k) => (k < 2 ? "unbatched" : "any"));
    fc.assert(
      fc.property(arb, (r) => {
        const j = check(r);
        const sc = only(j, "scan");
        expect(sc.inputs.slice(0, 2)).toEqual(j.invars.slice(0, 2));
        expect(sc.params.jaxpr.invars.slice(0, 2).map((v) => v.aval)).toEqual(r.c.jaxpr.invars.slice(0, 2).map((v) => v.aval));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
