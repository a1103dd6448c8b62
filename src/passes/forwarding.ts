// Forwarding analysis: which value does an atom provably equal, looking
// through equations that return one of their operands unchanged? JAX's
// `_jaxpr_forwarding` follows no-op casts, same-shape broadcasts and `jit`;
// we also see through every identity `simplify` removes (its rule table is the
// one definition of those), through `select_n` whose cases have one source,
// and through loops and conds that forward a value.
// Used by hoist-invariant-carries to prove a loop carry unmodified.
//
// Results are memoized per jaxpr (jaxprs are immutable): hoisting asks about
// every carry of every loop, and about the same bodies again at each
// enclosing level.

import type { Atom, Eqn, Jaxpr } from "../ir/core.js";
import { avalsEqual, shapesEqual } from "../ir/dtype.js";
import type { Prim } from "../ir/primitives.js";
import { P, match } from "ts-pattern";
import { computeBottomUp, hasBodies } from "../ir/traverse.js";
import { sameAtom } from "./rules/match.js";
import type { Rule, RuleContext } from "./rules/rule.js";
import { rulesOf } from "../ir/prims/index.js";

/**
 * The operand an equation's output provably equals, if any: one of simplify's
 * forwarding rules (each primitive's `simplify` entry, ir/prims/) applies, so "provably
 * unchanged" here means exactly what simplify removes (`x*1`, `x+(-0.0)`,
 * `x-0`, `x/1`, no-op casts and shape ops, `neg(neg x)`, `select_n(p, x, x)`,
 * …). Rewrite rules that compute something new do not count.
 */
function forwardedOperand(e: Eqn, index: number, defs: ReadonlyMap<number, Eqn>): Atom | undefined {
  if (e.outputs.length !== 1 || index !== 0) return undefined;
  const out = e.outputs[0]!;
  const ctx: RuleContext = { producer: (a) => (a.kind === "var" ? defs.get(a.id) : undefined) };
  for (const rule of rulesOf(e.prim).simplify) {
    const r = rule.apply(e.inputs, e.params, ctx);
    if (r !== undefined && r.eqns.length === 0 && avalsEqual(r.outputs[0]!.aval, out.aval)) return r.outputs[0];
  }
  return undefined;
}

/**
 * Like `forwardedOperand`, plus what needs the sources of operands: select_n
 * of cases with one source, call/loop/cond forwards. Operands are read through `source` (already
 * resolved, since equations come in definition order) and sub-jaxprs through
 * their memoized forwards.
 */
function forwardedThrough(e: Eqn, index: number, source: (a: Atom) => Atom, defs: ReadonlyMap<number, Eqn>): Atom | undefined {
  const simple = forwardedOperand(e, index, defs);
  if (simple) return simple;
  if (e.prim === "select_n") {
    const cases = e.inputs.slice(1).map(source);
    const first = cases[0]!;
    return cases.every((c) => sameAtom(c, first)) && shapesEqual(first.aval.shape, e.outputs[index]!.aval.shape) ? first : undefined;
  }
  if (!hasBodies(e)) return undefined;
  return match(e)
    .with({ prim: P.union("pjit", "checkpoint") }, ({ params, inputs }) => {
      const p = memoizedForwards(params.jaxpr)[index];
      return p === undefined ? undefined : inputs[p];
    })
    .with({ prim: "cond" }, ({ params, inputs }) => {
      const ps = params.branches.map((b) => memoizedForwards(b)[index]);
      return ps.every((p) => p !== undefined && p === ps[0]) ? inputs[1 + ps[0]!] : undefined;
    })
    .with({ prim: "while" }, ({ params: { body_jaxpr: body, body_nconsts: bn, cond_nconsts: cn }, inputs }) =>
      memoizedForwards(body)[index] === bn + index ? inputs[cn + bn + index] : undefined,
    )
    .with({ prim: "scan" }, ({ params: { jaxpr, num_consts: nc, num_carry: ncarry }, inputs }) =>
      index < ncarry && memoizedForwards(jaxpr)[index] === nc + index ? inputs[nc + index] : undefined,
    )
    // An output of a custom-derivative call is not its operand for differentiation, even when call_jaxpr returns the operand.
    .with({ prim: P.union("custom_jvp_call", "custom_vjp_call", "custom_vjp_bwd", "while_record", "replay") }, () => undefined)
    .exhaustive();
}

/** Per output of a jaxpr: the index among constvars+invars of the input it provably equals. */
type Forwards = readonly (number | undefined)[];

const forwardsMemo = new WeakMap<Jaxpr, Forwards>();

function memoizedForwards(j: Jaxpr): Forwards {
  const f = forwardsMemo.get(j);
  if (f === undefined) throw new Error("forwarding: a sub-jaxpr was not analysed before its parent");
  return f;
}

/**
 * One scope: every variable's source (the earliest atom it provably equals,
 * an input, a literal or a computed value), in one pass in definition order,
 * so chains of forwards of any length cost one step each.
 */
function analyse(j: Jaxpr): Forwards {
  const src = new Map<number, Atom>();
  const defs = new Map<number, Eqn>();
  const source = (a: Atom): Atom => (a.kind === "var" ? (src.get(a.id) ?? a) : a);
  for (const e of j.eqns) {
    e.outputs.forEach((v, index) => {
      const next = forwardedThrough(e, index, source, defs);
      src.set(v.id, next ? source(next) : v);
    });
    for (const v of e.outputs) defs.set(v.id, e);
  }
  const position = new Map<number, number>();
  [...j.constvars, ...j.invars].forEach((v, i) => position.set(v.id, i));
  return j.outvars.map((o) => {
    const s = source(o);
    return s.kind === "var" ? position.get(s.id) : undefined;
  });
}

/** If output `k` of `j` provably equals one of its invars, that invar's index (among constvars+invars). */
export function jaxprForward(j: Jaxpr, k: number): number | undefined {
  // Sub-jaxprs first (analyse reads their forwards), without native recursion: loops can nest a thousand deep.
  return computeBottomUp(j, forwardsMemo, analyse)[k];
}
