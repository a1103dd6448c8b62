// Forwarding analysis: which value does an atom provably equal, looking
// through equations that return one of their operands unchanged? JAX's
// `_jaxpr_forwarding` follows no-op casts, same-shape broadcasts and `jit`;
// we also see through the algebraic identities `simplify` removes, through
// `select_n(p, x, x)`, and through loops and conds that forward a value.
// Used by hoist-invariant-carries to prove a loop carry unmodified.

import type { Atom, Eqn, Jaxpr } from "../ir/core.js";
import { shapesEqual } from "../ir/dtype.js";
import { additiveIdentity, sameNumber } from "./rules/match.js";

/** Maps each equation output id to the equation that defines it and its index. */
export function definitions(j: Jaxpr): Map<number, { eqn: Eqn; index: number }> {
  const defs = new Map<number, { eqn: Eqn; index: number }>();
  for (const e of j.eqns) e.outputs.forEach((v, index) => defs.set(v.id, { eqn: e, index }));
  return defs;
}

/** A literal `v` (as simplify's rules see it: -0.0 is not 0.0 for floats). */
const isLit = (a: Atom, v: number): boolean => a.kind === "lit" && sameNumber(a.aval.dtype, a.value, v);

/** The operand an equation's output `index` provably equals, if any. */
function forwardedOperand(e: Eqn, index: number): Atom | undefined {
  const out = e.outputs[index]!;
  const sameType = (a: Atom | undefined) =>
    a !== undefined && a.aval.dtype === out.aval.dtype && shapesEqual(a.aval.shape, out.aval.shape) ? a : undefined;
  const [x, y] = e.inputs;
  switch (e.prim) {
    case "convert_element_type":
    case "reshape":
    case "broadcast_in_dim":
      return sameType(x);
    case "transpose": {
      const perm = (e.params as { permutation: readonly number[] }).permutation;
      return perm.every((p, i) => p === i) ? sameType(x) : undefined;
    }
    case "mul":
      return (isLit(y!, 1) && sameType(x)) || (isLit(x!, 1) && sameType(y)) || undefined;
    case "add": {
      const zero = additiveIdentity(out.aval.dtype); // -0.0 for floats: x + 0.0 is not x at x = -0.0
      return (isLit(y!, zero) && sameType(x)) || (isLit(x!, zero) && sameType(y)) || undefined;
    }
    case "sub":
      return isLit(y!, 0) ? sameType(x) : undefined;
    case "div":
      return isLit(y!, 1) ? sameType(x) : undefined;
    default:
      return undefined;
  }
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

/** Like `forwardedOperand`, plus structural forwards: neg∘neg, select_n(p,x,x), call/loop/cond forwards. */
function forwardedThrough(e: Eqn, index: number, defs: ReadonlyMap<number, { eqn: Eqn; index: number }>): Atom | undefined {
  const simple = forwardedOperand(e, index);
  if (simple) return simple;
  switch (e.prim) {
    case "neg": {
      const inner = e.inputs[0]!;
      if (inner.kind !== "var") return undefined;
      const d = defs.get(inner.id);
      return d && d.eqn.prim === "neg" ? d.eqn.inputs[0] : undefined;
    }
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

export function sameAtom(a: Atom, b: Atom): boolean {
  if (a.kind === "var") return b.kind === "var" && a.id === b.id;
  return b.kind === "lit" && a.value === b.value && a.aval.dtype === b.aval.dtype;
}

/** If output `k` of `j` provably equals one of its invars, that invar's index (among constvars+invars). */
export function jaxprForward(j: Jaxpr, k: number): number | undefined {
  const src = sourceOf(j.outvars[k]!, definitions(j));
  if (src.kind !== "var") return undefined;
  const ins = [...j.constvars, ...j.invars];
  const i = ins.findIndex((v) => v.id === src.id);
  return i < 0 ? undefined : i;
}
