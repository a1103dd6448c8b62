// Forwarding analysis: which value does an atom provably equal, looking
// through equations that return one of their operands unchanged? JAX's
// `_jaxpr_forwarding` follows no-op casts, same-shape broadcasts and `jit`;
// we also see through every identity `simplify` removes (its rule table is the
// one definition of those), through `select_n` whose cases have one source,
// and through loops and conds that forward a value.
// Used by hoist-invariant-carries to prove a loop carry unmodified.

import type { Atom, Eqn, Jaxpr } from "../ir/core.js";
import { avalsEqual, shapesEqual } from "../ir/dtype.js";
import type { Prim } from "../ir/primitives.js";
import { sameAtom } from "./rules/match.js";
import type { Rule, RuleContext } from "./rules/rule.js";
import { RULES } from "./rules/table.js";

/** Maps each equation output id to the equation that defines it and its index. */
export function definitions(j: Jaxpr): Map<number, { eqn: Eqn; index: number }> {
  const defs = new Map<number, { eqn: Eqn; index: number }>();
  for (const e of j.eqns) e.outputs.forEach((v, index) => defs.set(v.id, { eqn: e, index }));
  return defs;
}

/**
 * The operand an equation's output provably equals, if any: one of simplify's
 * forwarding rules (src/passes/rules/table.ts) applies, so "provably
 * unchanged" here means exactly what simplify removes (`x*1`, `x+(-0.0)`,
 * `x-0`, `x/1`, no-op casts and shape ops, `neg(neg x)`, `select_n(p, x, x)`,
 * …). Rewrite rules that compute something new do not count.
 */
function forwardedOperand(e: Eqn, index: number, defs: ReadonlyMap<number, { eqn: Eqn; index: number }>): Atom | undefined {
  if (e.outputs.length !== 1 || index !== 0) return undefined;
  const out = e.outputs[0]!;
  const ctx: RuleContext = { producer: (a) => (a.kind === "var" ? defs.get(a.id)?.eqn : undefined) };
  for (const rule of RULES[e.prim] as readonly Rule<Prim>[]) {
    const r = rule.apply(e.inputs, e.params, ctx);
    if (r !== undefined && r.eqns.length === 0 && avalsEqual(r.outputs[0]!.aval, out.aval)) return r.outputs[0];
  }
  return undefined;
}

/**
 * Follows forwards from `a` back to the earliest atom it provably equals
 * (an invar, a literal, or the output of an equation that computes something).
 */
export function sourceOf(a: Atom, defs: ReadonlyMap<number, { eqn: Eqn; index: number }>): Atom {
  for (let guard = 0; guard < 10_000 && a.kind === "var"; guard++) {
    const d = defs.get(a.id);
    if (!d) return a;
    const next = forwardedThrough(d.eqn, d.index, defs);
    if (!next) return a;
    a = next;
  }
  return a;
}

/** Like `forwardedOperand`, plus what needs the sources of operands: select_n of cases with one source, call/loop/cond forwards. */
function forwardedThrough(e: Eqn, index: number, defs: ReadonlyMap<number, { eqn: Eqn; index: number }>): Atom | undefined {
  const simple = forwardedOperand(e, index, defs);
  if (simple) return simple;
  switch (e.prim) {
    case "select_n": {
      const cases = e.inputs.slice(1).map((c) => sourceOf(c, defs));
      const first = cases[0]!;
      return cases.every((c) => sameAtom(c, first)) && shapesEqual(first.aval.shape, e.outputs[index]!.aval.shape) ? first : undefined;
    }
    case "pjit": {
      const p = jaxprForward((e.params as { jaxpr: Jaxpr }).jaxpr, index);
      return p === undefined ? undefined : e.inputs[p];
    }
    case "cond": {
      const branches = (e.params as { branches: readonly Jaxpr[] }).branches;
      const ps = branches.map((b) => jaxprForward(b, index));
      return ps.every((p) => p !== undefined && p === ps[0]) ? e.inputs[1 + ps[0]!] : undefined;
    }
    case "while": {
      const { body_jaxpr: body, body_nconsts: bn, cond_nconsts: cn } = e.params as { body_jaxpr: Jaxpr; body_nconsts: number; cond_nconsts: number };
      return jaxprForward(body, index) === bn + index ? e.inputs[cn + bn + index] : undefined;
    }
    case "scan": {
      const { jaxpr, num_consts: nc, num_carry: ncarry } = e.params as { jaxpr: Jaxpr; num_consts: number; num_carry: number };
      return index < ncarry && jaxprForward(jaxpr, index) === nc + index ? e.inputs[nc + index] : undefined;
    }
    default:
      return undefined;
  }
}

/** If output `k` of `j` provably equals one of its invars, that invar's index (among constvars+invars). */
export function jaxprForward(j: Jaxpr, k: number): number | undefined {
  const src = sourceOf(j.outvars[k]!, definitions(j));
  if (src.kind !== "var") return undefined;
  const ins = [...j.constvars, ...j.invars];
  const i = ins.findIndex((v) => v.id === src.id);
  return i < 0 ? undefined : i;
}
