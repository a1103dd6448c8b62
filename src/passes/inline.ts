// Inlining: every `pjit` equation is replaced by its body. The body is copied
// with fresh variables (the same body may be called twice, and each binder
// must appear once), its inputs are bound to the call's operands and the
// call's outputs read the body's results. Bodies are inlined into first, so
// nested calls disappear at every depth, including inside loop bodies.

import type { Eqn, Jaxpr } from "../ir/core.js";
import { mapSubJaxprs, rewriteBottomUp } from "../ir/traverse.js";
import { type PassStats, bump, defineRewritePass } from "./pass.js";
import { freshCopy } from "./util/fresh.js";
import { type Subst, substAtom, substAtoms, substEqn } from "./util/subst.js";

function inlineScope(j: Jaxpr, stats: PassStats, done: (sub: Jaxpr) => Jaxpr): Jaxpr {
  const subst: Subst = new Map();
  const eqns: Eqn[] = [];
  for (const e0 of j.eqns) {
    const e = substEqn(subst, mapSubJaxprs(e0, done));
    if (e.prim !== "pjit") {
      eqns.push(e);
      continue;
    }
    // The body was inlined into by mapSubJaxprs above, so it has no pjit left.
    const body = freshCopy(e.params.jaxpr);
    const bind: Subst = new Map(body.invars.map((v, i) => [v.id, e.inputs[i]!]));
    for (const be of body.eqns) eqns.push(substEqn(bind, be));
    e.outputs.forEach((v, i) => subst.set(v.id, substAtom(bind, body.outvars[i]!)));
    bump(stats, "pjit calls inlined");
  }
  return { ...j, eqns, outvars: substAtoms(subst, j.outvars) };
}

export const inline = defineRewritePass({
  name: "inline",
  summary: "Replaces every pjit call by its body (with fresh variables), recursively.",
  options: {},
  transform: (j, stats) => rewriteBottomUp(j, (x, done) => inlineScope(x, stats, done)),
});
