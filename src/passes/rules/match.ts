// Predicates the rule table uses to recognise operands.

import { type Atom, type Eqn, isEqnOf } from "../../ir/core.js";
import { type DType, avalsEqual } from "../../ir/dtype.js";
import type { Prim } from "../../ir/primitives.js";
import type { RuleContext } from "./rule.js";

/**
 * Is `a` the constant `value` everywhere: a literal, or a broadcast of one
 * (`broadcast_in_dim 1.0:f32[]`)? The broadcast case is why the engine
 * checks avals: such an operand can be bigger than the other one. Float
 * constants compare with Object.is: 0.0 and -0.0 are different constants.
 */
export function isConst(a: Atom, value: number, ctx: RuleContext): boolean {
  if (a.kind === "lit") return sameNumber(a.aval.dtype, a.value, value);
  const p = ctx.producer(a);
  return p !== undefined && p.prim === "broadcast_in_dim" && isConst(p.inputs[0]!, value, ctx);
}

/** `v` is `value` as a number of `dtype`: floats have two zeros (x + 0.0 and x + -0.0 differ at x = -0.0), ints one. */
export function sameNumber(dtype: DType, v: number, value: number): boolean {
  return dtype === "float32" ? Object.is(v, value) : v === value;
}

/**
 * The z with x + z = x for every x of `dtype`. For floats that is -0.0, not
 * 0.0: -0.0 + 0.0 is +0.0, so `x + 0.0 -> x` would turn a -0.0 into +0.0
 * eagerly and leave it -0.0 under jit (1 / (x + 0) would be +inf or -inf).
 */
export function additiveIdentity(dtype: DType): number {
  return dtype === "float32" ? -0 : 0;
}

/** The equation that defines `a` when it is `prim`, else undefined. */
export function producedBy<P extends Prim>(a: Atom, prim: P, ctx: RuleContext): Eqn<P> | undefined {
  const p = ctx.producer(a);
  return p !== undefined && isEqnOf(p, prim) ? p : undefined;
}

export function sameAtom(a: Atom, b: Atom): boolean {
  if (a.kind === "var") return b.kind === "var" && a.id === b.id;
  if (b.kind === "var") return false;
  // Object.is: NaN equals NaN, and -0.0 differs from 0.0.
  return Object.is(a.value, b.value) && avalsEqual(a.aval, b.aval);
}

export function isIdentityPermutation(p: readonly number[]): boolean {
  return p.every((d, i) => d === i);
}
