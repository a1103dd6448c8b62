// Generic access to the sub-jaxprs an equation carries in its params
// (while bodies, cond branches, scan/pjit bodies). Passes, the printer and the
// verifier use these instead of switching on primitives, so a new primitive
// with a jaxpr param is handled everywhere at once.

import type { Eqn, Jaxpr, Var } from "./core.js";

export function isJaxpr(v: unknown): v is Jaxpr {
  return (
    typeof v === "object" &&
    v !== null &&
    "eqns" in v &&
    "invars" in v &&
    "outvars" in v &&
    "constvars" in v
  );
}

/** Every jaxpr in an equation's params, in sorted-param order (the printer's order). */
export function subJaxprs(eqn: Eqn): Jaxpr[] {
  const out: Jaxpr[] = [];
  const params = eqn.params as Record<string, unknown>;
  for (const key of Object.keys(params).sort()) {
    const v = params[key];
    if (isJaxpr(v)) out.push(v);
    else if (Array.isArray(v)) for (const x of v) if (isJaxpr(x)) out.push(x);
  }
  return out;
}

export function hasSubJaxprs(eqn: Eqn): boolean {
  return subJaxprs(eqn).length > 0;
}

/** A copy of `eqn` whose sub-jaxprs are replaced by `f(sub)`; same object when nothing changed. */
export function mapSubJaxprs(eqn: Eqn, f: (j: Jaxpr) => Jaxpr): Eqn {
  const params = eqn.params as Record<string, unknown>;
  let changed = false;
  const next: Record<string, unknown> = {};
  for (const key of Object.keys(params)) {
    const v = params[key];
    if (isJaxpr(v)) {
      const nv = f(v);
      if (nv !== v) changed = true;
      next[key] = nv;
    } else if (Array.isArray(v) && v.some(isJaxpr)) {
      const nv = v.map((x) => (isJaxpr(x) ? f(x) : x));
      if (nv.some((x, i) => x !== v[i])) changed = true;
      next[key] = nv;
    } else {
      next[key] = v;
    }
  }
  return changed ? ({ ...eqn, params: next } as Eqn) : eqn;
}

/** Ids of variables read in a jaxpr's own scope (equation inputs and outvars). */
export function usedVarIds(j: Jaxpr): Set<number> {
  const used = new Set<number>();
  for (const e of j.eqns) for (const a of e.inputs) if (a.kind === "var") used.add(a.id);
  for (const a of j.outvars) if (a.kind === "var") used.add(a.id);
  return used;
}

/** All binders of a jaxpr's own scope, in definition order. */
export function boundVars(j: Jaxpr): Var[] {
  const out = [...j.constvars, ...j.invars];
  for (const e of j.eqns) out.push(...e.outputs);
  return out;
}
