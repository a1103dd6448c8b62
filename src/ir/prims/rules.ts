// What every primitive provides: one record of rules per primitive, kept in
// its family's file (unary.ts, binary.ts, …) and gathered in index.ts into a
// table that is a mapped type over `Prim`. A primitive that lacks a rule, or a
// new kind of rule that a primitive does not provide yet, fails `tsc` naming
// the primitive (`PrimRules<"log1p">` is missing `jvp`).
//
// The rule *types* come from the machinery that runs them (the batching pass,
// the simplifier, the lowering); the machinery reads the rules back from the
// table (docs/architecture.md).

import type { ArrayValue, Jaxpr } from "../core.js";
import type { Aval, DType } from "../dtype.js";
import type { ParamSpec } from "../paramSchema.js";
import type { Params, Prim } from "../primitives.js";
import type { BatchRule } from "../../passes/batch/rules.js";
import type { Rule } from "../../passes/rules/rule.js";
import type { LowerRule } from "../../backends/lower/lower.js";
import type { JvpRule, PartialEvalRule, TransposeRule } from "../../passes/ad/rules.js";
import type { RowLocalityRule } from "../../backends/lower/row_locality.js";

export type NoParams = Record<string, never>;

export type ShapeRule<P extends Prim> = (inputs: readonly Aval[], params: Params[P]) => Aval[];

/**
 * What an implementation may use besides its operands. Control-flow
 * primitives evaluate sub-jaxprs through `evalJaxpr` (passed in rather than
 * imported, so the rules do not import the evaluator that runs them).
 */
export interface EvalContext {
  /**
   * Active lanes (a bool array), or null when all are. Only `while` and
   * `cond` look at it; everything else passes it on to its sub-jaxprs (see
   * backends/interpreter/mask.ts for how a mask meets a predicate of another shape).
   */
  readonly mask: ArrayValue | null;
  readonly evalJaxpr: (jaxpr: Jaxpr, consts: readonly ArrayValue[], args: readonly ArrayValue[], mask: ArrayValue | null) => ArrayValue[];
}

/**
 * The reference implementation: the outputs of `prim` from concrete operands.
 * `outAvals` come from the shape rule (the one source of truth for shapes), so
 * an implementation never recomputes output types, it only fills in data.
 * Implementations never mutate their operands: values are immutable and may
 * share storage (reshape returns its operand's storage).
 */
export type Impl<P extends Prim> = (args: readonly ArrayValue[], params: Params[P], outAvals: readonly Aval[], ctx: EvalContext) => ArrayValue[];

export type ScalarFn1 = (x: number) => number;
export type ScalarFn2 = (x: number, y: number) => number;

/** A scalar function per operand dtype; a missing entry is a dtype the shape rule rejects. */
export interface PerDType<F> {
  readonly float32?: F;
  readonly int32?: F;
  readonly bool?: F;
}

export function pick<F>(prim: string, fns: PerDType<F>, dtype: DType): F {
  const f = fns[dtype];
  if (f === undefined) throw new TypeError(`${prim}: no implementation for ${dtype} operands`);
  return f;
}

/**
 * Every rule of one primitive. A new kind of rule joins here, and every
 * primitive's entry then fails tsc until it has it.
 */
export interface PrimRules<P extends Prim> {
  /** Operands → result and semantics in one line: its row in docs/ir.md (generated from here). */
  readonly doc: string;
  /** Param name -> kind: how the parser reads and the verifier checks params. */
  readonly params: ParamSpec<P>;
  /** Output avals from operand avals; throws ShapeError naming the primitive. */
  readonly shape: ShapeRule<P>;
  /** Reference semantics on concrete arrays (the interpreter, eager mode, constant folding). */
  readonly impl: Impl<P>;
  /** vmap: the equation with some operands batched (passes/batch). */
  readonly batch: BatchRule<P>;
  /** Exact algebraic identities, tried in order by `simplify` (and `forwarding`). */
  readonly simplify: readonly Rule<P>[];
  /** Which operands a lane-restricted equation reads at its own lane only (backends/lower/lanes.ts). */
  readonly rowLocality: RowLocalityRule<P>;
  /** Kernel-IR lowering: output nodes from operand nodes (backends/lower). */
  readonly lower: LowerRule<P>;
  /** Forward mode: output tangents from input tangents (passes/ad/jvp.ts). */
  readonly jvp: JvpRule<P>;
  /**
   * Partial evaluation (passes/ad/partialEval.ts) of an equation with some
   * unknown operands; null for the generic rule (the whole equation is unknown
   * when any operand is). Primitives with bodies split their bodies instead.
   */
  readonly partialEval: PartialEvalRule<P> | null;
  /** Reverse mode: input cotangents from output cotangents, for a primitive linear in some operands; null when it is linear in none (passes/ad/transpose.ts). */
  readonly transpose: TransposeRule<P> | null;
}

/** A family's rule table: one entry per primitive of the family. */
export type FamilyRules<K extends Prim> = { readonly [P in K]: PrimRules<P> };
