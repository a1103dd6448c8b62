// Every primitive's rules, gathered from the family files into one table, a
// mapped type over `Prim`: a primitive without an entry, or an entry without
// every rule, fails `tsc` naming the primitive. The machinery (verifier,
// parser, evaluator, batcher, simplifier, lowering) reads its rule from here.

import type { Aval } from "../dtype.js";
import type { Params, Prim } from "../primitives.js";
import { AD_RULES } from "./ad.js";
import { BINARY_RULES } from "./binary.js";
import { CHECK_RULES } from "./check.js";
import { COMPARE_RULES } from "./compare.js";
import { CONTROL_FLOW_RULES } from "./control.js";
import { DOT_RULES } from "./dot.js";
import { INDEXING_RULES } from "./indexing.js";
import { REDUCTION_RULES } from "./reductions.js";
import type { PrimRules } from "./rules.js";
import { SELECT_CONVERT_RULES } from "./select_convert.js";
import { SHAPE_OP_RULES } from "./shape_ops.js";
import { TAPE_RULES } from "./tape.js";
import { UNARY_RULES } from "./unary.js";

/** The families, by the name docs and tools use for them (docs/ir.md's tables are generated per family). */
export const FAMILIES = {
  unary: UNARY_RULES,
  binary: BINARY_RULES,
  compare: COMPARE_RULES,
  select_convert: SELECT_CONVERT_RULES,
  shape_ops: SHAPE_OP_RULES,
  reductions: REDUCTION_RULES,
  dot: DOT_RULES,
  indexing: INDEXING_RULES,
  control: CONTROL_FLOW_RULES,
  tape: TAPE_RULES,
  check: CHECK_RULES,
  ad: AD_RULES,
} as const;

export type FamilyName = keyof typeof FAMILIES;

export const PRIM_RULES: { readonly [P in Prim]: PrimRules<P> } = {
  ...UNARY_RULES,
  ...BINARY_RULES,
  ...COMPARE_RULES,
  ...SELECT_CONVERT_RULES,
  ...SHAPE_OP_RULES,
  ...REDUCTION_RULES,
  ...DOT_RULES,
  ...INDEXING_RULES,
  ...CONTROL_FLOW_RULES,
  ...TAPE_RULES,
  ...CHECK_RULES,
  ...AD_RULES,
};

/**
 * One primitive's rules. The table is keyed by prim, so `rulesOf(e.prim)`
 * matches `e.params`; TypeScript cannot correlate the two through a union
 * index, so the machinery calls rules through this accessor.
 */
export function rulesOf<P extends Prim>(prim: P): PrimRules<P> {
  return PRIM_RULES[prim];
}

export const PRIMS: readonly Prim[] = Object.keys(PRIM_RULES) as Prim[];

export function isPrim(name: string): name is Prim {
  return Object.prototype.hasOwnProperty.call(PRIM_RULES, name);
}

/** Output avals of applying `prim` to operands of the given avals; throws ShapeError. */
export function abstractEval<P extends Prim>(prim: P, params: Params[P], inputs: readonly Aval[]): Aval[] {
  return rulesOf(prim).shape(inputs, params);
}
