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
import { mapSubJaxprs, subJaxprs } from "../ir/traverse.js";
import { type PassStats, bump, defineRewritePass, mergeStats } from "./pass.js";
import { countFalse, countTrue, keep, liveFlags } from "./util/liveness.js";
import { scanParts, splitConsts, whileParts } from "../ir/loopOperands.js";

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
  switch (e.prim) {
    case "while":
      return yield* pruneWhile(e, liveOuts, stats, memo);
    case "scan":
      return yield* pruneScan(e, liveOuts, stats, memo);
    case "cond":
      return yield* pruneCond(e, liveOuts, stats, memo);
    case "pjit":
      return yield* prunePjit(e, liveOuts, stats, memo);
    default: {
      // Any other equation with bodies: clean the bodies, keep their signatures.
      const cleaned = new Map<Jaxpr, Jaxpr>();
      for (const sub of subJaxprs(e)) cleaned.set(sub, yield* recurse(dceKeepingSignature(sub, stats, memo)));
      return cleaned.size ? mapSubJaxprs(e, (sub) => cleaned.get(sub)!) : e;
    }
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
  const { cond_jaxpr: cj, body_jaxpr: bj, cond_nconsts: cn, body_nconsts: bn } = e.params;
  const { live, result } = yield* fixpoint(
    liveOuts,
    function* (live, scratch) {
      const body = yield* recurse(dceScope(bj, live, scratch, memo));
      const cond = yield* recurse(dceScope(cj, [true], scratch, memo));
      const next = live.map((l, i) => l || body.live.has(bj.invars[bn + i]!.id) || cond.live.has(cj.invars[cn + i]!.id));
      return { next, result: { body, cond } };
    },
    stats,
  );
  const { body, cond } = result;
  const [cConstIn, cCarryIn] = splitConsts(cj.invars, cn);
  const [bConstIn, bCarryIn] = splitConsts(bj.invars, bn);
  const condConstUsed = liveFlags(cConstIn, cond.live);
  const bodyConstUsed = liveFlags(bConstIn, body.live);
  bump(stats, "while carries removed", countFalse(live));
  bump(stats, "while consts removed", countFalse(condConstUsed) + countFalse(bodyConstUsed));
  const { condConsts: cconsts, bodyConsts: bconsts, carries: init } = whileParts(e.inputs, e.params);
  const condJaxpr = withInvars(cond.jaxpr, [...keep(cConstIn, condConstUsed), ...keep(cCarryIn, live)]);
  const bodyJaxpr = withInvars(body.jaxpr, [...keep(bConstIn, bodyConstUsed), ...keep(bCarryIn, live)]);
  return makeEqn(
    "while",
    {
      cond_jaxpr: condJaxpr,
      body_jaxpr: bodyJaxpr,
      cond_nconsts: countTrue(condConstUsed),
      body_nconsts: countTrue(bodyConstUsed),
    },
    [...keep(cconsts, condConstUsed), ...keep(bconsts, bodyConstUsed), ...keep(init, live)],
    keep(e.outputs, live),
  );
}

// scan[jaxpr, length, reverse, num_consts, num_carry] consts… init… xs…
// Body: (consts, carries, x slices) -> (carries, ys). Unused ys go; a carry
// goes when its output is unused and no live body output reads it (fixpoint).
function* pruneScan(e: Eqn<"scan">, liveOuts: readonly boolean[], stats: PassStats, memo: Memo): Recursion<Eqn> {
  const { jaxpr: j, num_consts: nc, num_carry: k } = e.params;
  const liveYs = liveOuts.slice(k);
  const { live: liveCarry, result: body } = yield* fixpoint(
    liveOuts.slice(0, k),
    function* (live, scratch) {
      const body = yield* recurse(dceScope(j, [...live, ...liveYs], scratch, memo));
      const next = live.map((l, i) => l || body.live.has(j.invars[nc + i]!.id));
      return { next, result: body };
    },
    stats,
  );
  const bodyIn = scanParts(j.invars, e.params);
  const constUsed = liveFlags(bodyIn.consts, body.live);
  const xsUsed = liveFlags(bodyIn.xs, body.live);
  bump(stats, "scan carries removed", countFalse(liveCarry));
  bump(stats, "scan ys removed", countFalse(liveYs));
  bump(stats, "scan consts removed", countFalse(constUsed));
  bump(stats, "scan xs removed", countFalse(xsUsed));
  const { consts, carries: init, xs } = scanParts(e.inputs, e.params);
  const invars = [...keep(bodyIn.consts, constUsed), ...keep(bodyIn.carries, liveCarry), ...keep(bodyIn.xs, xsUsed)];
  return makeEqn(
    "scan",
    { ...e.params, jaxpr: withInvars(body.jaxpr, invars), num_consts: countTrue(constUsed), num_carry: countTrue(liveCarry) },
    [...keep(consts, constUsed), ...keep(init, liveCarry), ...keep(xs, xsUsed)],
    [...keep(e.outputs.slice(0, k), liveCarry), ...keep(e.outputs.slice(k), liveYs)],
  );
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

function* prunePjit(e: Eqn<"pjit">, liveOuts: readonly boolean[], stats: PassStats, memo: Memo): Recursion<Eqn> {
  const j = e.params.jaxpr;
  const body = yield* recurse(dceScope(j, liveOuts, stats, memo));
  const inUsed = liveFlags(j.invars, body.live);
  bump(stats, "pjit outputs removed", countFalse(liveOuts));
  bump(stats, "pjit inputs removed", countFalse(inUsed));
  return makeEqn(
    "pjit",
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
