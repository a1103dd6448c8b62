// What a simplification rule is. A rule looks at one equation (inputs already
// substituted) and either declines or proposes a replacement: the atoms that
// take the place of the equation's outputs, plus any new equations that
// compute them. The engine (simplify.ts) accepts a replacement only when every
// replacing atom has exactly the aval of the output it replaces, so a rule
// cannot change a type even when it matches too eagerly (`mul x:f32[] ones:f32[8]`
// must not become `x`).

import type { Atom, Eqn } from "../../ir/core.js";
import type { Params, Prim } from "../../ir/primitives.js";

export interface Replacement {
  readonly eqns: readonly Eqn[];
  readonly outputs: readonly Atom[];
}

export interface RuleContext {
  /** The equation (in the scope being simplified) that defines `a`, if it is a var defined by one. */
  producer(a: Atom): Eqn | undefined;
}

export interface Rule<P extends Prim> {
  /** Shown in stats, e.g. `x*1 -> x`: the rule's documentation. */
  readonly name: string;
  readonly apply: (inputs: readonly Atom[], params: Params[P], ctx: RuleContext) => Replacement | undefined;
}

/** A rule whose replacement is an existing atom (or nothing). */
export function forwardRule<P extends Prim>(
  name: string,
  match: (inputs: readonly Atom[], params: Params[P], ctx: RuleContext) => Atom | undefined,
): Rule<P> {
  return { name, apply: (ins, params, ctx) => forward(match(ins, params, ctx)) };
}

/** A rule whose replacement is one new equation (built with `emit`). */
export function rewriteRule<P extends Prim>(
  name: string,
  match: (inputs: readonly Atom[], params: Params[P], ctx: RuleContext) => Replacement | undefined,
): Rule<P> {
  return { name, apply: match };
}

export function forward(a: Atom | undefined): Replacement | undefined {
  return a === undefined ? undefined : { eqns: [], outputs: [a] };
}
