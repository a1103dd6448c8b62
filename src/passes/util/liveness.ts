// Small queries used by dce and licm: which variables are live, what an
// equation contains.

import type { Eqn, Jaxpr, Var } from "../../ir/core.js";
import type { Prim } from "../../ir/primitives.js";
import { anyNestedEqn, subJaxprs } from "../../ir/traverse.js";

/** True when `prim` occurs in `eqn` itself or anywhere in its sub-jaxprs, at any depth. */
export function containsPrim(eqn: Eqn, prim: Prim): boolean {
  return eqn.prim === prim || subJaxprs(eqn).some((j) => jaxprContainsPrim(j, prim));
}

/** Answers per primitive and jaxpr (licm asks about every equation of every loop body, at every level of a nest). */
const containsMemo = new Map<Prim, WeakMap<Jaxpr, boolean>>();

export function jaxprContainsPrim(j: Jaxpr, prim: Prim): boolean {
  let memo = containsMemo.get(prim);
  if (!memo) containsMemo.set(prim, (memo = new WeakMap()));
  return anyNestedEqn(memo, j, (e) => e.prim === prim);
}

/** Keeps the entries of `xs` whose flag is set. */
export function keep<T>(xs: readonly T[], flags: readonly boolean[]): T[] {
  return xs.filter((_, i) => flags[i]);
}

/** For each var in `vs`: is it in `live`? */
export function liveFlags(vs: readonly Var[], live: ReadonlySet<number>): boolean[] {
  return vs.map((v) => live.has(v.id));
}

export function countFalse(flags: readonly boolean[]): number {
  return flags.reduce((n, f) => (f ? n : n + 1), 0);
}

export function countTrue(flags: readonly boolean[]): number {
  return flags.length - countFalse(flags);
}
