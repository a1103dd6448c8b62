// Common subexpression elimination. Two equations with the same primitive,
// the same params and the same inputs (after earlier merges were substituted)
// compute the same values, since every primitive is pure; the later one is
// dropped and its outputs read the earlier one's. Runs in each scope
// separately (sub-jaxprs are closed, so nothing is shared across scopes) and
// inner scopes first, so two loops whose bodies become equal merge too.

import type { Eqn, Jaxpr, Var } from "../ir/core.js";
import { mapSubJaxprs, rewriteBottomUp } from "../ir/traverse.js";
import { type PassStats, bump, defineRewritePass } from "./pass.js";
import { StructuralKeys } from "../ir/structuralKey.js";
import { type Subst, substAtoms, substEqn } from "./util/subst.js";

function cseScope(j: Jaxpr, stats: PassStats, keys: StructuralKeys, done: (sub: Jaxpr) => Jaxpr): Jaxpr {
  const subst: Subst = new Map();
  const seen = new Map<string, readonly Var[]>();
  const eqns: Eqn[] = [];
  for (const e0 of j.eqns) {
    const e = substEqn(subst, mapSubJaxprs(e0, done));
    const key = keys.eqnKey(e);
    const earlier = seen.get(key);
    if (earlier) {
      e.outputs.forEach((v, i) => subst.set(v.id, earlier[i]!));
      bump(stats, "eqns removed");
      continue;
    }
    seen.set(key, e.outputs);
    eqns.push(e);
  }
  return { ...j, eqns, outvars: substAtoms(subst, j.outvars) };
}

export const cse = defineRewritePass({
  name: "cse",
  summary: "Merges structurally equal equations (same primitive, params and inputs), in every scope.",
  options: {},
  transform: (j, stats) => {
    const keys = new StructuralKeys(true);
    return rewriteBottomUp(j, (x, done) => cseScope(x, stats, keys, done));
  },
});
