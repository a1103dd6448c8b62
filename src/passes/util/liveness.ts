// Small queries used by dce and licm: which variables are live, what an
// equation contains.

import type { Eqn, Jaxpr, Var } from "../../ir/core.js";
import type { Prim } from "../../ir/primitives.js";
import { subJaxprs } from "../../ir/traverse.js";

/** True when `prim` occurs in `eqn` itself or anywhere in its sub-jaxprs, at any depth. */
export function containsPrim(eqn: Eqn, prim: Prim): boolean {
  return eqn.prim === prim || subJaxprs(eqn).some((j) => jaxprContainsPrim(j, prim));
}

/** Answers per jaxpr and primitive (licm asks about every equation of every loop body, at every level of a nest). */
const containsMemo = new WeakMap<Jaxpr, Map<Prim, boolean>>();

export function jaxprContainsPrim(j: Jaxpr, prim: Prim): boolean {
  const known = containsMemo.get(j)?.get(prim);
  if (known !== undefined) return known;
  // An explicit stack over the nest (no recursion per level).
  let found = false;
  const seen = new Set<Jaxpr>();
  const stack = [j];
  while (stack.length && !found) {
    const x = stack.pop()!;
    const memo = containsMemo.get(x)?.get(prim);
    if (memo !== undefined) {
      found = memo;
      continue;
    }
    for (const e of x.eqns) {
      if (e.prim === prim) found = true;
      for (const s of subJaxprs(e)) if (!seen.has(s)) (seen.add(s), stack.push(s));
    }
  }
  let byPrim = containsMemo.get(j);
  if (!byPrim) containsMemo.set(j, (byPrim = new Map()));
  byPrim.set(prim, found);
  return found;
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
