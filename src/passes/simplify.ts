// Algebraic simplification driven by each primitive's identities (the
// `simplify` entry of its rules, ir/prims/), plus
// constant folding (rules/fold.ts). Each scope is walked in order; a rewrite
// replaces an equation's outputs by other atoms (and maybe new equations),
// and later reads are substituted. The replaced equation is left out; any
// producer that becomes unused is left for dce. Rounds repeat until no rule
// fires, since one rewrite can enable another (`x*-1` becomes `neg(x)`, which
// can then cancel with another `neg`). Sub-jaxprs are simplified first
// (innermost first, without recursion: rewriteBottomUp).

import type { Atom, Eqn, Jaxpr } from "../ir/core.js";
import { avalsEqual } from "../ir/dtype.js";
import type { Prim } from "../ir/primitives.js";
import { mapSubJaxprs, rewriteBottomUp } from "../ir/traverse.js";
import { type PassStats, bump, definePass, mergeStats } from "./pass.js";
import { FOLD_LABEL, foldConstants } from "./rules/fold.js";
import type { Replacement, Rule, RuleContext } from "./rules/rule.js";
import { rulesOf } from "../ir/prims/index.js";
import { type Subst, substAtoms, substEqn } from "./util/subst.js";

/** Rounds per scope before giving up; every rule shrinks or canonicalises, so this is only a guard. */
const MAX_ROUNDS = 100;

/** A replacement is valid only if it keeps every output's exact type. */
function typesMatch(e: Eqn, r: Replacement): boolean {
  return r.outputs.length === e.outputs.length && r.outputs.every((a, i) => avalsEqual(a.aval, e.outputs[i]!.aval));
}

interface Config {
  readonly fold: boolean;
}

function firstRewrite(e: Eqn, ctx: RuleContext, cfg: Config): { label: string; replacement: Replacement } | undefined {
  const folded = cfg.fold ? foldConstants(e) : undefined;
  if (folded && typesMatch(e, folded)) return { label: FOLD_LABEL, replacement: folded };
  for (const rule of rulesOf(e.prim).simplify) {
    const r = rule.apply(e.inputs, e.params, ctx);
    if (r && typesMatch(e, r)) return { label: rule.name, replacement: r };
  }
  return undefined;
}

function simplifyRound(j: Jaxpr, cfg: Config, stats: PassStats, done: ((sub: Jaxpr) => Jaxpr) | null): Jaxpr {
  const subst: Subst = new Map();
  const producers = new Map<number, Eqn>();
  const ctx: RuleContext = { producer: (a: Atom) => (a.kind === "var" ? producers.get(a.id) : undefined) };
  const eqns: Eqn[] = [];
  const emitEqn = (e: Eqn): void => {
    eqns.push(e);
    for (const v of e.outputs) producers.set(v.id, e);
  };
  for (const e0 of j.eqns) {
    const e = substEqn(subst, done ? mapSubJaxprs(e0, done) : e0);
    const hit = firstRewrite(e, ctx, cfg);
    if (!hit) {
      emitEqn(e);
      continue;
    }
    bump(stats, hit.label);
    hit.replacement.eqns.forEach(emitEqn);
    e.outputs.forEach((v, i) => subst.set(v.id, hit.replacement.outputs[i]!));
  }
  return { ...j, eqns, outvars: substAtoms(subst, j.outvars) };
}

/** Rounds over one scope; its sub-jaxprs (already simplified, `done`) are put in place by the first. */
function simplifyScope(j: Jaxpr, cfg: Config, stats: PassStats, done: (sub: Jaxpr) => Jaxpr): Jaxpr {
  let cur = j;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const roundStats: PassStats = {};
    cur = simplifyRound(cur, cfg, roundStats, round === 0 ? done : null);
    mergeStats(stats, roundStats);
    if (Object.keys(roundStats).length === 0) break;
  }
  return cur;
}

export const simplify = definePass({
  name: "simplify",
  summary: "Algebraic simplification (x*1, x-0, x+(-0.0), neg(neg x), identity reshapes/transposes/converts, …: only rewrites exact for NaN, inf and -0.0) and scalar constant folding, to a fixpoint.",
  options: {
    fold: { type: "boolean", default: true, doc: "fold rank-0 equations whose inputs are all literals (off: only the rule table applies)" },
  },
  run(j, options) {
    const stats: PassStats = {};
    const cfg: Config = { fold: options.fold !== false };
    const out = rewriteBottomUp(j, (x, done) => simplifyScope(x, cfg, stats, done));
    return { jaxpr: Object.keys(stats).length ? out : j, stats };
  },
});
