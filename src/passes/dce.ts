// Dead code elimination. Every primitive is pure, so an equation none of
// whose outputs is read can go. Control flow is pruned from the inside: unused
// outputs of while/scan/cond/pjit are removed together with whatever of their
// bodies only served those outputs, and then inputs nobody reads any more.
// The top-level signature (constvars, invars, outvars) never changes; the
// signatures of sub-jaxprs change only together with the equation that
// carries them.
//
// Pruning a scope waits on the pruning of the bodies nested in it, so the
// walk is written as generators run on a heap stack (ir/trampoline.ts):
// loops may nest as deep as MAX_JAXPR_NESTING.

import type { Eqn, Jaxpr, Var } from "../ir/core.js";
import { makeEqn } from "../ir/core.js";
import { type Recursion, recurse, runRecursion } from "../ir/trampoline.js";
import { hasBodies, unhandledPrim } from "../ir/traverse.js";
import { type PassStats, bump, defineRewritePass, mergeStats } from "./pass.js";
import { countFalse, keep, liveFlags } from "./util/liveness.js";
import { type BoundOperand, editScan, editWhile, scanSlots, whileSlots } from "./util/loopSurgery.js";

interface ScopeResult {
  /** The jaxpr with dead equations removed and only the used outputs; inputs untouched. */
  readonly jaxpr: Jaxpr;
  /** Ids of every variable of this scope that a kept equation or output reads. */
  readonly live: ReadonlySet<number>;
}

/**
 * Results of `dceScope` in one pass run, by jaxpr and used-outputs flags,
 * with the stats each produced. A loop's carry fixpoint prunes its body
 * several times, each time pruning the loops nested in it: without the memo
 * a nest of n loops is pruned 2^n times.
 */
type Memo = Map<Jaxpr, Map<string, { result: ScopeResult; stats: PassStats }>>;

/** DCE of one scope, keeping only the outputs flagged in `usedOutputs`. */
function* dceScope(j: Jaxpr, usedOutputs: readonly boolean[], stats: PassStats, memo: Memo): Recursion<ScopeResult> {
  const key = usedOutputs.map((u) => (u ? 1 : 0)).join("");
  let byKey = memo.get(j);
  if (!byKey) memo.set(j, (byKey = new Map()));
  let hit = byKey.get(key);
  if (!hit) {
    const own: PassStats = {};
    hit = { result: yield* recurse(dceScopeOnce(j, usedOutputs, own, memo)), stats: own };
    byKey.set(key, hit);
  }
  mergeStats(stats, hit.stats);
  return hit.result;
}

function* dceScopeOnce(j: Jaxpr, usedOutputs: readonly boolean[], stats: PassStats, memo: Memo): Recursion<ScopeResult> {
  const outvars = keep(j.outvars, usedOutputs);
  const live = new Set<number>();
  for (const a of outvars) if (a.kind === "var") live.add(a.id);
  const kept: Eqn[] = [];
  for (let i = j.eqns.length - 1; i >= 0; i--) {
    const e = j.eqns[i]!;
    const liveOuts = liveFlags(e.outputs, live);
    if (!liveOuts.includes(true)) {
      bump(stats, "eqns removed");
      continue;
    }
    const pruned = yield* pruneEqn(e, liveOuts, stats, memo);
    kept.push(pruned);
    for (const a of pruned.inputs) if (a.kind === "var") live.add(a.id);
  }
  kept.reverse();
  return { jaxpr: { ...j, eqns: kept, outvars }, live };
}

/** An equation with at least one live output, with its dead outputs (and what only they needed) removed where sound. */
function* pruneEqn(e: Eqn, liveOuts: readonly boolean[], stats: PassStats, memo: Memo): Recursion<Eqn> {
  if (!hasBodies(e)) return e;
  switch (e.prim) {
    case "while":
      return yield* pruneWhile(e, liveOuts, stats, memo);
    case "scan":
      return yield* pruneScan(e, liveOuts, stats, memo);
    case "cond":
      return yield* pruneCond(e, liveOuts, stats, memo);
    case "pjit":
    case "checkpoint":
      // A checkpoint's known part is its body's primal outputs only: pruning here drops what it would have saved.
      return yield* pruneCall(e, liveOuts, stats, memo);
    case "custom_jvp_call":
    case "custom_vjp_call":
    case "custom_vjp_bwd":
      // The call and its rule must keep matching signatures: kept whole while any output is live.
      return e;
    case "while_record": {
      // Made by reverse mode, which records only what the replay reads: every operand and output stays,
      // but the bodies may hold dead equations (a checkpoint's known part, for one).
      const { cond_jaxpr, body_jaxpr } = e.params;
      return { ...e, params: { ...e.params, cond_jaxpr: yield* dceKeepingSignature(cond_jaxpr, stats, memo), body_jaxpr: yield* dceKeepingSignature(body_jaxpr, stats, memo) } };
    }
    case "replay":
      return { ...e, params: { ...e.params, jaxpr: yield* dceKeepingSignature(e.params.jaxpr, stats, memo) } };
    default:
      return unhandledPrim(e);
  }
}

function* dceKeepingSignature(j: Jaxpr, stats: PassStats, memo: Memo): Recursion<Jaxpr> {
  return (yield* recurse(dceScope(j, j.outvars.map(() => true), stats, memo))).jaxpr;
}

/** `j` with invars restricted to the flagged ones (sub-jaxprs have no constvars). */
function withInvars(j: Jaxpr, invars: readonly Var[]): Jaxpr {
  return { ...j, invars };
}

/**
 * Iterates `step` (which returns the next set of live loop carries together
 * with the scope results it computed) until the live set stops growing. Only
 * the final iteration's stats count, since only its bodies are kept.
 */
function* fixpoint<R>(
  initial: readonly boolean[],
  step: (live: readonly boolean[], stats: PassStats) => Recursion<{ next: boolean[]; result: R }>,
  stats: PassStats,
): Recursion<{ live: readonly boolean[]; result: R }> {
  let live = initial;
  for (;;) {
    const scratch: PassStats = {};
    const { next, result } = yield* step(live, scratch);
    if (next.every((f, i) => f === live[i])) {
      mergeStats(stats, scratch);
      return { live, result };
    }
    live = next;
  }
}

// while[cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts] cconsts… bconsts… carries…
// A carry can go only if its output is unused and neither the cond nor the
// body computation of a live carry reads it. Keeping a carry that is read
// makes its body output live, which can make more carries live: fixpoint.
function* pruneWhile(e: Eqn<"while">, liveOuts: readonly boolean[], stats: PassStats, memo: Memo): Recursion<Eqn> {
  const { cond_jaxpr: cj, body_jaxpr: bj } = e.params;
  const { condConsts, bodyConsts, carries } = whileSlots(e);
  const { live, result } = yield* fixpoint(
    liveOuts,
    function* (live, scratch) {
      const body = yield* recurse(dceScope(bj, live, scratch, memo));
      const cond = yield* recurse(dceScope(cj, [true], scratch, memo));
      const next = live.map((l, i) => l || body.live.has(carries[i]!.bodyBinder.id) || cond.live.has(carries[i]!.condBinder.id));
      return { next, result: { body, cond } };
    },
    stats,
  );
  const { body, cond } = result;
  const condConstUsed = (c: BoundOperand) => cond.live.has(c.binder.id);
  const bodyConstUsed = (c: BoundOperand) => body.live.has(c.binder.id);
  bump(stats, "while carries removed", countFalse(live));
  bump(stats, "while consts removed", countUnused(condConsts, condConstUsed) + countUnused(bodyConsts, bodyConstUsed));
  return editWhile(
    e,
    (loop) => {
      loop.condConsts = loop.condConsts.filter(condConstUsed);
      loop.bodyConsts = loop.bodyConsts.filter(bodyConstUsed);
      loop.carries = loop.carries.filter((_, i) => live[i]);
    },
    { cond: cond.jaxpr, body: body.jaxpr },
  );
}

// scan[jaxpr, length, reverse, num_consts, num_carry] consts… init… xs…
// Body: (consts, carries, x slices) -> (carries, ys). Unused ys go; a carry
// goes when its output is unused and no live body output reads it (fixpoint).
function* pruneScan(e: Eqn<"scan">, liveOuts: readonly boolean[], stats: PassStats, memo: Memo): Recursion<Eqn> {
  const { jaxpr: j, num_carry: k } = e.params;
  const { consts, carries, xs } = scanSlots(e);
  const liveYs = liveOuts.slice(k);
  const { live: liveCarry, result: body } = yield* fixpoint(
    liveOuts.slice(0, k),
    function* (live, scratch) {
      const body = yield* recurse(dceScope(j, [...live, ...liveYs], scratch, memo));
      const next = live.map((l, i) => l || body.live.has(carries[i]!.bodyBinder.id));
      return { next, result: body };
    },
    stats,
  );
  const used = (b: BoundOperand) => body.live.has(b.binder.id);
  bump(stats, "scan carries removed", countFalse(liveCarry));
  bump(stats, "scan ys removed", countFalse(liveYs));
  bump(stats, "scan consts removed", countUnused(consts, used));
  bump(stats, "scan xs removed", countUnused(xs, used));
  return editScan(
    e,
    (loop) => {
      loop.consts = loop.consts.filter(used);
      loop.carries = loop.carries.filter((_, i) => liveCarry[i]);
      loop.xs = loop.xs.filter(used);
      loop.ys = loop.ys.filter((_, i) => liveYs[i]);
    },
    body.jaxpr,
  );
}

function countUnused(bs: readonly BoundOperand[], used: (b: BoundOperand) => boolean): number {
  return bs.reduce((n, b) => (used(b) ? n : n + 1), 0);
}

// cond[branches] index operands…: outputs unused outside go from every branch,
// then operands that no branch reads any more.
function* pruneCond(e: Eqn<"cond">, liveOuts: readonly boolean[], stats: PassStats, memo: Memo): Recursion<Eqn> {
  const branches: { orig: Jaxpr; res: ScopeResult }[] = [];
  for (const b of e.params.branches) branches.push({ orig: b, res: yield* recurse(dceScope(b, liveOuts, stats, memo)) });
  const opUsed = e.inputs.slice(1).map((_, i) => branches.some(({ orig, res }) => res.live.has(orig.invars[i]!.id)));
  bump(stats, "cond outputs removed", countFalse(liveOuts));
  bump(stats, "cond operands removed", countFalse(opUsed));
  return makeEqn(
    "cond",
    { branches: branches.map(({ orig, res }) => withInvars(res.jaxpr, keep(orig.invars, opUsed))) },
    [e.inputs[0]!, ...keep(e.inputs.slice(1), opUsed)],
    keep(e.outputs, liveOuts),
  );
}

function* pruneCall(e: Eqn<"pjit" | "checkpoint">, liveOuts: readonly boolean[], stats: PassStats, memo: Memo): Recursion<Eqn> {
  const j = e.params.jaxpr;
  const body = yield* recurse(dceScope(j, liveOuts, stats, memo));
  const inUsed = liveFlags(j.invars, body.live);
  bump(stats, `${e.prim} outputs removed`, countFalse(liveOuts));
  bump(stats, `${e.prim} inputs removed`, countFalse(inUsed));
  return makeEqn(
    e.prim,
    { ...e.params, jaxpr: withInvars(body.jaxpr, keep(j.invars, inUsed)) },
    keep(e.inputs, inUsed),
    keep(e.outputs, liveOuts),
  );
}

export const dce = defineRewritePass({
  name: "dce",
  summary: "Removes equations whose results are unused, and unused outputs, carries, consts and operands of while/scan/cond/pjit.",
  options: {},
  transform: (j, stats) => runRecursion(dceKeepingSignature(j, stats, new Map())),
});
