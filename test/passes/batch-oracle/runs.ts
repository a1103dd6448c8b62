// The generic oracle property: a generated case plus random batch dims per
// input (null or any axis, or forced per input), a batch size 1–4, a value
// seed and sometimes forced out axes.

import fc from "fast-check";
import type { Jaxpr } from "../../../src/ir/core.js";
import type { Dim, OutSpec } from "../../../src/passes/batch/index.js";
import { checkBatching } from "./oracle.js";
import type { GenCase } from "./primGen.js";

/** Per invar: "batched" forces an axis, "unbatched" forces null, "any" draws either. */
export type DimChoice = "batched" | "unbatched" | "any";

/** Per input (constvars, then invars). */
export function dimsArb(j: Jaxpr, choose: (k: number) => DimChoice = () => "any"): fc.Arbitrary<Dim[]> {
  return fc.tuple(
    ...[...j.constvars, ...j.invars].map((v, k) => {
      const axis = fc.integer({ min: 0, max: v.aval.shape.length });
      const c = choose(k);
      return c === "batched" ? axis : c === "unbatched" ? fc.constant(null) : fc.oneof(fc.constant(null), axis);
    }),
  );
}

/** Per output: keep what the rules produce, or force a batch axis (exercises `materialize`). */
function outSpecsArb(j: Jaxpr): fc.Arbitrary<OutSpec[] | undefined> {
  const specs = fc.tuple(...j.outvars.map((o) => fc.oneof(fc.constant<OutSpec>("any"), fc.integer({ min: 0, max: o.aval.shape.length }))));
  return fc.oneof(fc.constant(undefined), specs);
}

export interface OracleRun {
  readonly c: GenCase;
  readonly dims: Dim[];
  readonly size: number;
  readonly seed: number;
  readonly outSpecs: OutSpec[] | undefined;
}

/** A case plus random batch dims (per `choose`), a batch size 1–4, a value seed and (sometimes) forced out specs. */
export function oracleRunArb(cases: fc.Arbitrary<GenCase>, choose?: (k: number, c: GenCase) => DimChoice): fc.Arbitrary<OracleRun> {
  return cases.chain((c) =>
    fc.record({
      c: fc.constant(c),
      dims: dimsArb(c.jaxpr, choose && ((k) => choose(k, c))),
      size: fc.integer({ min: 1, max: 4 }),
      seed: fc.integer(),
      outSpecs: outSpecsArb(c.jaxpr),
    }),
  );
}

export function runOracle(r: OracleRun): void {
  checkBatching({ jaxpr: r.c.jaxpr, dims: r.dims, size: r.size, seed: r.seed, gens: r.c.gens, outSpecs: r.outSpecs });
}

/** Every batched/unbatched pattern of `n` operands (2^n masks). */
export function allMasks(n: number): boolean[][] {
  return Array.from({ length: 2 ** n }, (_, m) => Array.from({ length: n }, (_, k) => ((m >> k) & 1) === 1));
}

export const maskName = (mask: readonly boolean[]): string => mask.map((b) => (b ? "B" : "u")).join("");
