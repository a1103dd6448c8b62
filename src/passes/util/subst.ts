// Substitution of atoms: when a pass forwards a value (`x*1 -> x`), merges two
// equations (cse) or splices a body in (inline), every later read of the old
// variable must read the replacement. A `Subst` maps var ids to atoms; lookups
// chase chains (a -> b -> c) so the order in which forwards were recorded does
// not matter.

import type { Atom, Eqn, Jaxpr } from "../../ir/core.js";

export type Subst = Map<number, Atom>;

export function substAtom(s: Subst, a: Atom): Atom {
  let cur = a;
  // Chains are short (one link per rewrite); the bound only guards against a cycle bug.
  for (let hops = 0; cur.kind === "var" && hops <= s.size; hops++) {
    const next = s.get(cur.id);
    if (next === undefined) return cur;
    cur = next;
  }
  if (cur.kind === "var" && s.has(cur.id)) throw new Error(`substitution cycle through var ${cur.id}`);
  return cur;
}

export function substAtoms(s: Subst, atoms: readonly Atom[]): Atom[] {
  return atoms.map((a) => substAtom(s, a));
}

/** `eqn` with its inputs substituted; the same object when nothing changed. */
export function substEqn(s: Subst, e: Eqn): Eqn {
  if (s.size === 0) return e;
  const inputs = substAtoms(s, e.inputs);
  return inputs.some((a, i) => a !== e.inputs[i]) ? { ...e, inputs } : e;
}

/** `j` with the reads of its own scope (eqn inputs and outvars) substituted. Sub-jaxprs are closed and untouched. */
export function substJaxpr(s: Subst, j: Jaxpr): Jaxpr {
  if (s.size === 0) return j;
  return { ...j, eqns: j.eqns.map((e) => substEqn(s, e)), outvars: substAtoms(s, j.outvars) };
}
