// Loop-invariant code motion. Inside a `while` (its cond and its body) or a
// `scan` body, an equation whose inputs are loop consts, literals, or results
// of equations already found invariant computes the same value on every
// iteration. It is moved in front of the loop, into the enclosing jaxpr,
// and its results enter the loop as new consts. Consts that are no longer
// read stay (dce removes them).
//
// Hoisting runs an equation even when the loop runs zero times. That is
// harmless for pure, terminating equations, so equations containing a
// `while` at any depth (which might not terminate) are never hoisted.
// Loops are processed inner first, so an invariant of an inner loop can be
// hoisted to the outer body and from there out of the outer loop.

import { type Atom, type Eqn, type Jaxpr, type Var, makeEqn, newVar } from "../ir/core.js";
import { mapSubJaxprs, rewriteBottomUp } from "../ir/traverse.js";
import { type PassStats, bump, defineRewritePass } from "./pass.js";
import { containsPrim } from "./util/liveness.js";
import { type Subst, substAtoms, substEqn } from "./util/subst.js";
import { whileParts } from "../ir/loopOperands.js";

interface Hoisted {
  /** Equations moved out, rewritten to read the loop's operands: they go before the loop. */
  readonly outer: readonly Eqn[];
  /** The body without them, with `newConsts` inserted right after its existing consts. */
  readonly body: Jaxpr;
  /** Outer vars (results of `outer`) that become new const operands, in order. */
  readonly newOperands: readonly Var[];
}

/**
 * Splits invariant equations out of `body`, whose first `nconsts` invars are
 * loop consts bound to the outer atoms `constOperands`.
 */
function hoistFrom(body: Jaxpr, nconsts: number, constOperands: readonly Atom[], stats: PassStats): Hoisted {
  const toOuter: Subst = new Map(body.invars.slice(0, nconsts).map((v, i) => [v.id, constOperands[i]!]));
  const invariant = new Set(body.invars.slice(0, nconsts).map((v) => v.id));
  const outer: Eqn[] = [];
  const remaining: Eqn[] = [];
  for (const e of body.eqns) {
    const readsOnlyInvariants = e.inputs.every((a) => a.kind === "lit" || invariant.has(a.id));
    if (readsOnlyInvariants && !containsPrim(e, "while")) {
      outer.push(substEqn(toOuter, e));
      for (const v of e.outputs) invariant.add(v.id);
    } else {
      remaining.push(e);
    }
  }
  if (outer.length === 0) return { outer, body, newOperands: [] };
  bump(stats, "eqns hoisted", outer.length);

  // Each hoisted result the loop still reads becomes a new const: outside it
  // is the hoisted equation's own output var, inside a fresh invar.
  const stillRead = new Set<number>();
  for (const e of remaining) for (const a of e.inputs) if (a.kind === "var") stillRead.add(a.id);
  for (const a of body.outvars) if (a.kind === "var") stillRead.add(a.id);
  const toInner: Subst = new Map();
  const newOperands: Var[] = [];
  const newConsts: Var[] = [];
  for (const e of outer) {
    for (const v of e.outputs) {
      if (!stillRead.has(v.id)) continue;
      const inner = newVar(v.aval);
      toInner.set(v.id, inner);
      newOperands.push(v);
      newConsts.push(inner);
    }
  }
  const newBody: Jaxpr = {
    constvars: body.constvars,
    invars: [...body.invars.slice(0, nconsts), ...newConsts, ...body.invars.slice(nconsts)],
    eqns: remaining.map((e) => substEqn(toInner, e)),
    outvars: substAtoms(toInner, body.outvars),
  };
  return { outer, body: newBody, newOperands };
}

function hoistWhile(e: Eqn<"while">, stats: PassStats): Eqn[] {
  const { cond_jaxpr, body_jaxpr, cond_nconsts: cn, body_nconsts: bn } = e.params;
  const { condConsts: cconsts, bodyConsts: bconsts, carries } = whileParts(e.inputs, e.params);
  const c = hoistFrom(cond_jaxpr, cn, cconsts, stats);
  const b = hoistFrom(body_jaxpr, bn, bconsts, stats);
  if (c.outer.length === 0 && b.outer.length === 0) return [e];
  const loop = makeEqn(
    "while",
    {
      cond_jaxpr: c.body,
      body_jaxpr: b.body,
      cond_nconsts: cn + c.newOperands.length,
      body_nconsts: bn + b.newOperands.length,
    },
    [...cconsts, ...c.newOperands, ...bconsts, ...b.newOperands, ...carries],
    e.outputs,
  );
  return [...c.outer, ...b.outer, loop];
}

function hoistScan(e: Eqn<"scan">, stats: PassStats): Eqn[] {
  const { jaxpr, num_consts: nc } = e.params;
  const consts = e.inputs.slice(0, nc);
  const h = hoistFrom(jaxpr, nc, consts, stats);
  if (h.outer.length === 0) return [e];
  const loop = makeEqn(
    "scan",
    { ...e.params, jaxpr: h.body, num_consts: nc + h.newOperands.length },
    [...consts, ...h.newOperands, ...e.inputs.slice(nc)],
    e.outputs,
  );
  return [...h.outer, loop];
}

function licmScope(j: Jaxpr, stats: PassStats, done: (sub: Jaxpr) => Jaxpr): Jaxpr {
  const eqns: Eqn[] = [];
  for (const e0 of j.eqns) {
    const e = mapSubJaxprs(e0, done);
    const out = e.prim === "while" ? hoistWhile(e, stats) : e.prim === "scan" ? hoistScan(e, stats) : [e];
    for (const x of out) eqns.push(x); // not push(...out): a body can hoist more equations than a call takes arguments
  }
  return { ...j, eqns };
}

export const licm = defineRewritePass({
  name: "licm",
  summary: "Hoists loop-invariant equations (reading only consts and literals) out of while and scan bodies; inner loops first.",
  options: {},
  transform: (j, stats) => rewriteBottomUp(j, (x, done) => licmScope(x, stats, done)),
});
