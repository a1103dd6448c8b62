// Forwarding analysis: which value does an atom provably equal, looking
// through equations that return one of their operands unchanged? JAX's
// `_jaxpr_forwarding` follows no-op casts, same-shape broadcasts and `jit`;
// we also see through the algebraic identities `simplify` removes, through
// `select_n(p, x, x)`, and through loops and conds that forward a value.
// Used by hoist-invariant-carries to prove a loop carry unmodified.

import { directSubJaxprs } from "../ir/traverse.js";
import type { Atom, Eqn, Jaxpr } from "../ir/core.js";
import { shapesEqual } from "../ir/dtype.js";

/** Maps each equation output id to the equation that defines it and its index. */
export function definitions(j: Jaxpr): Map<number, { eqn: Eqn; index: number }> {
  const defs = new Map<number, { eqn: Eqn; index: number }>();
  for (const e of j.eqns) e.outputs.forEach((v, index) => defs.set(v.id, { eqn: e, index }));
  return defs;
}

const isLit = (a: Atom, v: number): boolean => a.kind === "lit" && a.value === v;

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
    case "add":
      return (isLit(y!, 0) && sameType(x)) || (isLit(x!, 0) && sameType(y)) || undefined;
    case "sub":
      return isLit(y!, 0) ? sameType(x) : undefined;
    case "div":
      return isLit(y!, 1) ? sameType(x) : undefined;
    default:
      return undefined;
  }
}

/**
 * Like `forwardedOperand`, plus structural forwards: neg∘neg, select_n(p,x,x),
 * call/loop/cond forwards. Operands are read through `source` (already
 * resolved, since equations come in definition order) and sub-jaxprs through
 * their memoized forwards.
 */
function forwardedThrough(e: Eqn, index: number, source: (a: Atom) => Atom, defs: ReadonlyMap<number, { eqn: Eqn; index: number }>): Atom | undefined {
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
      const cases = e.inputs.slice(1).map(source);
      const first = cases[0]!;
      return cases.every((c) => sameAtom(c, first)) && shapesEqual(first.aval.shape, e.outputs[index]!.aval.shape) ? first : undefined;
    }
    case "pjit": {
      const p = memoizedForwards((e.params as { jaxpr: Jaxpr }).jaxpr)[index];
      return p === undefined ? undefined : e.inputs[p];
    }
    case "cond": {
      const branches = (e.params as { branches: readonly Jaxpr[] }).branches;
      const ps = branches.map((b) => memoizedForwards(b)[index]);
      return ps.every((p) => p !== undefined && p === ps[0]) ? e.inputs[1 + ps[0]!] : undefined;
    }
    case "while": {
      const { body_jaxpr: body, body_nconsts: bn, cond_nconsts: cn } = e.params as { body_jaxpr: Jaxpr; body_nconsts: number; cond_nconsts: number };
      return memoizedForwards(body)[index] === bn + index ? e.inputs[cn + bn + index] : undefined;
    }
    case "scan": {
      const { jaxpr, num_consts: nc, num_carry: ncarry } = e.params as { jaxpr: Jaxpr; num_consts: number; num_carry: number };
      return index < ncarry && memoizedForwards(jaxpr)[index] === nc + index ? e.inputs[nc + index] : undefined;
    }
    default:
      return undefined;
  }
}

export function sameAtom(a: Atom, b: Atom): boolean {
  if (a.kind === "var") return b.kind === "var" && a.id === b.id;
  return b.kind === "lit" && a.value === b.value && a.aval.dtype === b.aval.dtype;
}

/** Per output of a jaxpr: the index among constvars+invars of the input it provably equals. */
type Forwards = readonly (number | undefined)[];

/**
 * Forwards per jaxpr (jaxprs are immutable): hoisting asks about every carry
 * of every loop, and about the same bodies again at each enclosing level.
 */
const forwardsMemo = new WeakMap<Jaxpr, Forwards>();

function memoizedForwards(j: Jaxpr): Forwards {
  const f = forwardsMemo.get(j);
  if (f === undefined) throw new Error("forwarding: a sub-jaxpr was not analysed before its parent");
  return f;
}

/**
 * One scope: every variable's source (the earliest atom it provably equals,
 * an input, a literal or a computed value), in one pass in definition order,
 * so chains of forwards of any length cost one step each (no recursion along
 * a chain of select_n, no cap on its length).
 */
function analyse(j: Jaxpr): Forwards {
  const src = new Map<number, Atom>();
  const defs = definitions(j);
  const source = (a: Atom): Atom => (a.kind === "var" ? (src.get(a.id) ?? a) : a);
  for (const e of j.eqns) {
    e.outputs.forEach((v, index) => {
      const next = forwardedThrough(e, index, source, defs);
      src.set(v.id, next ? source(next) : v);
    });
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
  if (!forwardsMemo.has(j)) {
    // Sub-jaxprs first, with an explicit stack: loops can nest a thousand deep.
    const stack: { j: Jaxpr; subs: Jaxpr[]; next: number }[] = [{ j, subs: directSubJaxprs(j), next: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.subs.length) {
        const s = top.subs[top.next++]!;
        if (!forwardsMemo.has(s)) stack.push({ j: s, subs: directSubJaxprs(s), next: 0 });
        continue;
      }
      stack.pop();
      forwardsMemo.set(top.j, analyse(top.j));
    }
  }
  return memoizedForwards(j)[k];
}
