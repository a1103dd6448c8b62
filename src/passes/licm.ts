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

import { castDraft } from "immer";
import { type Atom, type Eqn, type Jaxpr, newVar } from "../ir/core.js";
import { scanParts, whileParts } from "../ir/loopOperands.js";
import { P, match } from "ts-pattern";
import { hasBodies, mapSubJaxprs, rewriteBottomUp } from "../ir/traverse.js";
import { type PassStats, bump, defineRewritePass } from "./pass.js";
import { containsPrim } from "./util/liveness.js";
import { type BoundOperand, editScan, editWhile } from "./util/loopSurgery.js";
import { type Subst, substAtom, substAtoms, substEqn } from "./util/subst.js";

interface Hoisted {
  /** Equations moved out, rewritten to read the loop's operands: they go before the loop. */
  readonly outer: readonly Eqn[];
  /** The jaxpr without them, reading the new consts' binders instead of the hoisted results (invars unchanged). */
  readonly jaxpr: Jaxpr;
  /** Hoisted results the loop still reads: the outer var as operand, a fresh inner var as binder. */
  readonly newConsts: readonly BoundOperand[];
  /** Hoisted result -> its new binder (the loop's slots name the body's outputs too). */
  readonly inner: Subst;
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
  if (outer.length === 0) return { outer, jaxpr: body, newConsts: [], inner: new Map() };
  bump(stats, "eqns hoisted", outer.length);

  // Each hoisted result the loop still reads becomes a new const: outside it
  // is the hoisted equation's own output var, inside a fresh invar.
  const stillRead = new Set<number>();
  for (const e of remaining) for (const a of e.inputs) if (a.kind === "var") stillRead.add(a.id);
  for (const a of body.outvars) if (a.kind === "var") stillRead.add(a.id);
  const inner: Subst = new Map();
  const newConsts: BoundOperand[] = [];
  for (const e of outer) {
    for (const v of e.outputs) {
      if (!stillRead.has(v.id)) continue;
      const binder = newVar(v.aval);
      inner.set(v.id, binder);
      newConsts.push({ operand: v, binder });
    }
  }
  return { outer, jaxpr: { ...body, eqns: remaining.map((e) => substEqn(inner, e)), outvars: substAtoms(inner, body.outvars) }, newConsts, inner };
}

// The new consts go after each sub-jaxpr's existing consts; the body's
// outputs that were hoisted results now read their new binders.
function hoistWhile(e: Eqn<"while">, stats: PassStats): Eqn[] {
  const { cond_jaxpr, body_jaxpr, cond_nconsts: cn, body_nconsts: bn } = e.params;
  const { condConsts, bodyConsts } = whileParts(e.inputs, e.params);
  const c = hoistFrom(cond_jaxpr, cn, condConsts, stats);
  const b = hoistFrom(body_jaxpr, bn, bodyConsts, stats);
  if (c.outer.length === 0 && b.outer.length === 0) return [e];
  const loop = editWhile(
    e,
    (loop) => {
      loop.condConsts = [...loop.condConsts, ...castDraft(c.newConsts)];
      loop.bodyConsts = [...loop.bodyConsts, ...castDraft(b.newConsts)];
      for (const carry of loop.carries) carry.bodyOut = castDraft(substAtom(b.inner, carry.bodyOut));
    },
    { cond: c.jaxpr, body: b.jaxpr },
  );
  return [...c.outer, ...b.outer, loop];
}

function hoistScan(e: Eqn<"scan">, stats: PassStats): Eqn[] {
  const { jaxpr, num_consts: nc } = e.params;
  const h = hoistFrom(jaxpr, nc, scanParts(e.inputs, e.params).consts, stats);
  if (h.outer.length === 0) return [e];
  const loop = editScan(
    e,
    (loop) => {
      loop.consts = [...loop.consts, ...castDraft(h.newConsts)];
      for (const out of [...loop.carries, ...loop.ys]) out.bodyOut = castDraft(substAtom(h.inner, out.bodyOut));
    },
    h.jaxpr,
  );
  return [...h.outer, loop];
}

/** `e`, preceded by what was hoisted out of it when it is a loop. */
function hoistOutOf(e: Eqn, stats: PassStats): Eqn[] {
  if (!hasBodies(e)) return [e];
  return match(e)
    .with({ prim: "while" }, (w) => hoistWhile(w, stats))
    .with({ prim: "scan" }, (s) => hoistScan(s, stats))
    .with({ prim: P.union("cond", "pjit", "checkpoint", "custom_jvp_call", "custom_vjp_call", "custom_vjp_bwd") }, () => [e]) // each branch or call runs at most once: nothing is repeated
    .with({ prim: P.union("while_record", "replay") }, () => [e]) // reverse mode hoists their loop constants itself (passes/ad/replay.ts)
    .exhaustive();
}

function licmScope(j: Jaxpr, stats: PassStats, done: (sub: Jaxpr) => Jaxpr): Jaxpr {
  const eqns: Eqn[] = [];
  for (const e0 of j.eqns) {
    const out = hoistOutOf(mapSubJaxprs(e0, done), stats);
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
