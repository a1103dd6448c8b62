// A deep copy of a jaxpr with every binder replaced by a fresh variable, in
// this jaxpr and in all its sub-jaxprs. Needed when a body is copied into
// another scope (inlining the same pjit body twice must not bind the same var
// twice; the printer and the verifier both assume each binder appears once).

import { type Atom, type Eqn, type Jaxpr, type Var, newVar } from "../../ir/core.js";
import { mapSubJaxprs, rewriteBottomUp } from "../../ir/traverse.js";
import { type Subst, substAtom } from "./subst.js";

function bindFresh(s: Subst, vs: readonly Var[]): Var[] {
  return vs.map((v) => {
    const nv = newVar(v.aval);
    s.set(v.id, nv);
    return nv;
  });
}

/** `j` with fresh binders in its own scope; `done` gives the fresh copies of its sub-jaxprs (closed: their own scopes). */
function freshIn(j: Jaxpr, done: (sub: Jaxpr) => Jaxpr): Jaxpr {
  const s: Subst = new Map();
  const constvars = bindFresh(s, j.constvars);
  const invars = bindFresh(s, j.invars);
  const eqns: Eqn[] = j.eqns.map((e) => {
    const inputs: Atom[] = e.inputs.map((a) => substAtom(s, a));
    const withSubs = mapSubJaxprs(e, done);
    return { ...withSubs, inputs, outputs: bindFresh(s, e.outputs) };
  });
  return { constvars, invars, eqns, outvars: j.outvars.map((a) => substAtom(s, a)) };
}

/** A copy of `j` with fresh binders everywhere (same structure, same printed text). */
export function freshCopy(j: Jaxpr): Jaxpr {
  return rewriteBottomUp(j, freshIn);
}
