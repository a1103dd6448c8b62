// Pass `hoist-invariant-carries`: automatic closure isolation.
//
// A `while`/`scan` carry whose body output provably equals its body input
// (in place: output i is input i, seen through forwards, see forwarding.ts)
// never changes, so it becomes a loop const and the loop's output for it is
// replaced by the original outer value. Consts are never batched by vmap, so a
// model carried through a loop with a batched predicate stays broadcast
// (google/flax#4700). Unlike JAX we also hoist carries the cond reads (they
// become cond consts too), so a dynamic fori bound stays unbatched.
//
// `cond` pass-through pruning: an output every branch forwards from the same
// operand is dropped from the cond and replaced by that operand.
//
// Sub-jaxprs are rewritten first (bottom-up), so an inner loop's forward is a
// plain forward by the time the outer loop is analysed: nesting composes.

import type { Atom, Eqn, Jaxpr } from "../ir/core.js";
import { P, match } from "ts-pattern";
import { hasBodies, mapSubJaxprs, rewriteBottomUp, usedVarIds } from "../ir/traverse.js";
import { jaxprForward } from "./forwarding.js";
import { type PassStats, bump, defineRewritePass } from "./pass.js";
import { type ScanCarry, type WhileCarry, editScan, editWhile, scanSlots, whileSlots } from "./util/loopSurgery.js";

interface Rewrite {
  /** Replacement equation, or none when the equation disappears entirely. */
  readonly eqn: Eqn | undefined;
  /** Old output id -> the atom that now stands for it. */
  readonly forwards: ReadonlyMap<number, Atom>;
}

function pick<T>(xs: readonly T[], keep: readonly boolean[]): T[] {
  return xs.filter((_, i) => keep[i]);
}

/** The hoisted carries' outputs -> their initial values, which they always equal. */
function hoistedForwards(carries: readonly (WhileCarry | ScanCarry)[], hoist: readonly boolean[]): Map<number, Atom> {
  const forwards = new Map<number, Atom>();
  carries.forEach((c, i) => hoist[i] && forwards.set(c.output.id, c.init));
  return forwards;
}

function hoistWhile(e: Eqn<"while">, stats: PassStats): Rewrite | undefined {
  const { cond_jaxpr: cj, body_jaxpr: bj, body_nconsts: bn } = e.params;
  const hoist = e.outputs.map((_, i) => jaxprForward(bj, i) === bn + i);
  if (!hoist.some(Boolean)) return undefined;
  bump(stats, "carries hoisted", hoist.filter(Boolean).length);
  const condUsed = usedVarIds(cj);
  const eqn = editWhile(e, (loop) => {
    // A hoisted carry becomes a body const (in front of the others), and a
    // cond const when the cond reads it (the cond drops one it ignores).
    const hoisted = loop.carries.filter((_, i) => hoist[i]);
    loop.carries = loop.carries.filter((_, i) => !hoist[i]);
    const condReads = hoisted.filter((c) => condUsed.has(c.condBinder.id));
    loop.bodyConsts = [...hoisted.map((c) => ({ operand: c.init, binder: c.bodyBinder })), ...loop.bodyConsts];
    loop.condConsts = [...condReads.map((c) => ({ operand: c.init, binder: c.condBinder })), ...loop.condConsts];
  });
  const forwards = hoistedForwards(whileSlots(e).carries, hoist);
  return { eqn: eqn.outputs.length ? eqn : undefined, forwards };
}

function hoistScan(e: Eqn<"scan">, stats: PassStats): Rewrite | undefined {
  const { jaxpr: j, num_consts: nc, num_carry: ncarry } = e.params;
  const hoist = Array.from({ length: ncarry }, (_, i) => jaxprForward(j, i) === nc + i);
  if (!hoist.some(Boolean)) return undefined;
  bump(stats, "carries hoisted", hoist.filter(Boolean).length);
  const eqn = editScan(e, (loop) => {
    // A hoisted carry becomes a const, in front of the others.
    const hoisted = loop.carries.filter((_, i) => hoist[i]);
    loop.carries = loop.carries.filter((_, i) => !hoist[i]);
    loop.consts = [...hoisted.map((c) => ({ operand: c.init, binder: c.bodyBinder })), ...loop.consts];
  });
  const forwards = hoistedForwards(scanSlots(e).carries, hoist);
  return { eqn: eqn.outputs.length ? eqn : undefined, forwards };
}

function pruneCondPassThrough(e: Eqn<"cond">, stats: PassStats): Rewrite | undefined {
  const { branches } = e.params;
  const fwd = e.outputs.map((_, k) => {
    const ps = branches.map((b) => jaxprForward(b, k));
    return ps.every((p) => p !== undefined && p === ps[0]) ? ps[0] : undefined;
  });
  if (fwd.every((p) => p === undefined)) return undefined;
  const keep = fwd.map((p) => p === undefined);
  bump(stats, "cond outputs forwarded", keep.filter((k) => !k).length);
  const forwards = new Map<number, Atom>();
  e.outputs.forEach((v, k) => fwd[k] !== undefined && forwards.set(v.id, e.inputs[1 + fwd[k]!]!));
  const outputs = pick(e.outputs, keep);
  const eqn: Eqn<"cond"> = {
    ...e,
    params: { branches: branches.map((b) => ({ ...b, outvars: pick(b.outvars, keep) })) },
    outputs,
  };
  return { eqn: outputs.length ? eqn : undefined, forwards };
}

export function hoistInvariantCarries(j: Jaxpr, stats: PassStats = {}): Jaxpr {
  return rewriteBottomUp(j, (x, done) => hoistScope(x, stats, done));
}

/** The rewrite of `e`, if it has carries to hoist or outputs to forward. */
function rewriteOf(e: Eqn, stats: PassStats): Rewrite | undefined {
  if (!hasBodies(e)) return undefined;
  return match(e)
    .with({ prim: "while" }, (w) => hoistWhile(w, stats))
    .with({ prim: "scan" }, (s) => hoistScan(s, stats))
    .with({ prim: "cond" }, (c) => pruneCondPassThrough(c, stats))
    .with({ prim: "pjit" }, () => undefined) // calls stay as they are: forwarding sees through them, inline removes them
    .with({ prim: "checkpoint" }, () => undefined) // a call too; its loops are hoisted inside it (the pass recurses into bodies)
    .with({ prim: P.union("custom_jvp_call", "custom_vjp_call", "custom_vjp_bwd") }, () => undefined) // their jaxprs must keep matching signatures
    .with({ prim: P.union("while_record", "replay") }, () => undefined) // made by reverse mode after hoisting ran (docs/autodiff.md)
    .exhaustive();
}

function hoistScope(j: Jaxpr, stats: PassStats, done: (sub: Jaxpr) => Jaxpr): Jaxpr {
  const subst = new Map<number, Atom>();
  const read = (a: Atom): Atom => (a.kind === "var" ? (subst.get(a.id) ?? a) : a);
  const eqns: Eqn[] = [];
  for (const e0 of j.eqns) {
    let e = mapSubJaxprs(e0, done);
    e = { ...e, inputs: e.inputs.map(read) };
    const rw = rewriteOf(e, stats);
    if (!rw) {
      eqns.push(e);
      continue;
    }
    for (const [id, a] of rw.forwards) subst.set(id, a);
    if (rw.eqn) eqns.push(rw.eqn);
  }
  return { ...j, eqns, outvars: j.outvars.map(read) };
}

export const hoistInvariantCarriesPass = defineRewritePass({
  name: "hoist-invariant-carries",
  summary: "turn loop carries the body provably never changes into loop consts; forward cond pass-through outputs",
  options: {},
  transform: (j, stats) => hoistInvariantCarries(j, stats),
});

