// Generic access to the sub-jaxprs an equation carries in its params
// (while bodies, cond branches, scan/pjit bodies). Walks that treat every body
// alike (the printer, the verifier, rewriting bottom-up) use these instead of
// switching on primitives, so they handle a new primitive with a jaxpr param
// at once. Rewrites that depend on what a body means (a loop's carries, a
// call's inlining) switch over `PrimWithBodies` exhaustively instead, so the
// same new primitive is a compile error in each until it is handled there.

import type { Eqn, Jaxpr, Var } from "./core.js";
import { MAX_JAXPR_NESTING } from "./limits.js";
import type { Params, Prim } from "./primitives.js";

/** The params of `T` holding a jaxpr or a tuple of jaxprs (a param-less primitive's `Record<string, never>` has none). */
type JaxprParamKeys<T> = { [K in keyof T]-?: [T[K]] extends [never] ? never : T[K] extends Jaxpr | readonly Jaxpr[] ? K : never }[keyof T];

/** The primitives with sub-jaxprs (while, scan, cond, pjit), read off their params' types. */
export type PrimWithBodies = { [P in Prim]: [JaxprParamKeys<Params[P]>] extends [never] ? never : P }[Prim];

// The same set at run time. Every key must be listed, so a new primitive with
// a jaxpr param is a compile error here, and then in each pass's switch over
// this set, until someone decides what the pass does with it.
const PRIMS_WITH_BODIES: { readonly [P in PrimWithBodies]: true } = {
  while: true,
  while_record: true,
  replay: true,
  scan: true,
  cond: true,
  pjit: true,
  checkpoint: true,
  custom_jvp_call: true,
  custom_vjp_call: true,
  custom_vjp_bwd: true,
};

/** Narrows to the equations with sub-jaxprs, so a `switch (e.prim)` over them can end in `unhandledPrim`. */
export function hasBodies(e: Eqn): e is Eqn<PrimWithBodies> {
  return Object.hasOwn(PRIMS_WITH_BODIES, e.prim);
}

/** The default of an exhaustive `switch (e.prim)`: unreachable, and a compile error once a case is missing. */
export function unhandledPrim(e: never): never {
  throw new Error(`internal error: no case for primitive '${String(Reflect.get(e, "prim"))}' (a switch over primitives misses one)`);
}

export function isJaxpr(v: unknown): v is Jaxpr {
  return (
    typeof v === "object" &&
    v !== null &&
    "eqns" in v &&
    "invars" in v &&
    "outvars" in v &&
    "constvars" in v
  );
}

/** Every jaxpr in an equation's params, in sorted-param order (the printer's order). */
export function subJaxprs(eqn: Eqn): Jaxpr[] {
  const out: Jaxpr[] = [];
  const params = eqn.params as Record<string, unknown>;
  for (const key of Object.keys(params).sort()) {
    const v = params[key];
    if (isJaxpr(v)) out.push(v);
    else if (Array.isArray(v)) for (const x of v) if (isJaxpr(x)) out.push(x);
  }
  return out;
}

export function hasSubJaxprs(eqn: Eqn): boolean {
  return subJaxprs(eqn).length > 0;
}

/** A copy of `eqn` whose sub-jaxprs are replaced by `f(sub)`; same object when nothing changed. */
export function mapSubJaxprs(eqn: Eqn, f: (j: Jaxpr) => Jaxpr): Eqn {
  const params = eqn.params as Record<string, unknown>;
  let changed = false;
  const next: Record<string, unknown> = {};
  for (const key of Object.keys(params)) {
    const v = params[key];
    if (isJaxpr(v)) {
      const nv = f(v);
      if (nv !== v) changed = true;
      next[key] = nv;
    } else if (Array.isArray(v) && v.some(isJaxpr)) {
      const nv = v.map((x) => (isJaxpr(x) ? f(x) : x));
      if (nv.some((x, i) => x !== v[i])) changed = true;
      next[key] = nv;
    } else {
      next[key] = v;
    }
  }
  return changed ? ({ ...eqn, params: next } as Eqn) : eqn;
}

/** Ids of variables read in a jaxpr's own scope (equation inputs and outvars). */
export function usedVarIds(j: Jaxpr): Set<number> {
  const used = new Set<number>();
  for (const e of j.eqns) for (const a of e.inputs) if (a.kind === "var") used.add(a.id);
  for (const a of j.outvars) if (a.kind === "var") used.add(a.id);
  return used;
}

/** All binders of a jaxpr's own scope, in definition order. */
export function boundVars(j: Jaxpr): Var[] {
  const out = [...j.constvars, ...j.invars];
  for (const e of j.eqns) for (const v of e.outputs) out.push(v);
  return out;
}

/** Every sub-jaxpr of a jaxpr's own equations (one level down). */
export function directSubJaxprs(j: Jaxpr): Jaxpr[] {
  const out: Jaxpr[] = [];
  for (const e of j.eqns) for (const s of subJaxprs(e)) out.push(s);
  return out;
}

/** How deeply sub-jaxprs nest in `j`, the top level counting 1 (as MAX_JAXPR_NESTING counts). Iterative. */
export function nestingDepth(j: Jaxpr): number {
  let deepest = 0;
  const reached = new Map<Jaxpr, number>(); // deepest level each jaxpr was found at
  const stack: [Jaxpr, number][] = [[j, 1]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    deepest = Math.max(deepest, d);
    for (const s of directSubJaxprs(x)) {
      // A jaxpr shared by several equations is walked again only when found deeper.
      if ((reached.get(s) ?? 0) < d + 1) (reached.set(s, d + 1), stack.push([s, d + 1]));
    }
  }
  return deepest;
}

/** A jaxpr nests deeper than MAX_JAXPR_NESTING: passes and backends refuse it instead of overflowing the stack. */
export class NestingLimitError extends RangeError {
  constructor(doing: string, depth: number) {
    super(
      `${doing}: jaxprs nest ${depth} levels deep (each while/cond/scan/pjit body is one level below its equation, the top level is 1), ` +
        `more than tsjax's limit of ${MAX_JAXPR_NESTING} nested jaxprs (MAX_JAXPR_NESTING); restructure the program to nest fewer loops, conds and calls`,
    );
    this.name = "NestingLimitError";
  }
}

/**
 * Throws NestingLimitError when `j` nests deeper than MAX_JAXPR_NESTING.
 * `doing` names the operation for the message (`pass dce`, `the js backend`).
 * Passes, the lowering and the backends check this on entry: the limit is
 * part of the IR's contract (limits.ts), even where a walk would cope with
 * more (theirs use heap stacks, not native recursion, per level).
 */
export function checkNesting(j: Jaxpr, doing: string): void {
  const depth = nestingDepth(j);
  if (depth > MAX_JAXPR_NESTING) throw new NestingLimitError(doing, depth);
}

/**
 * Rewrites `root` and every jaxpr nested in it, innermost first, with an
 * explicit stack (no recursion per nesting level). `rewrite(j, done)` gets a
 * jaxpr whose sub-jaxprs are all rewritten already: `done(sub)` returns the
 * rewritten version of a direct sub-jaxpr of j. For passes whose treatment of a
 * sub-jaxpr does not depend on where it occurs (cse, simplify, inline, …);
 * a jaxpr shared by several equations is rewritten once.
 */
export function rewriteBottomUp(root: Jaxpr, rewrite: (j: Jaxpr, done: (sub: Jaxpr) => Jaxpr) => Jaxpr): Jaxpr {
  const done = new Map<Jaxpr, Jaxpr>();
  const lookup = (sub: Jaxpr): Jaxpr => {
    const r = done.get(sub);
    if (r === undefined) throw new Error("rewriteBottomUp: asked for a jaxpr that is not a sub-jaxpr of the one being rewritten");
    return r;
  };
  return computeBottomUp(root, done, (j) => rewrite(j, lookup));
}

/**
 * `compute(j)` for `root` and every jaxpr nested in it that `memo` does not
 * hold yet, innermost first, each stored in `memo` before its parents are
 * computed (so `compute` may read its sub-jaxprs' results there). An explicit
 * stack, not one native frame per nesting level. Returns root's result.
 */
export function computeBottomUp<T>(root: Jaxpr, memo: Map<Jaxpr, T> | WeakMap<Jaxpr, T>, compute: (j: Jaxpr) => T): T {
  if (!memo.has(root)) {
    const stack: { j: Jaxpr; subs: Jaxpr[]; next: number }[] = [{ j: root, subs: directSubJaxprs(root), next: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.subs.length) {
        const s = top.subs[top.next++]!;
        if (!memo.has(s)) stack.push({ j: s, subs: directSubJaxprs(s), next: 0 });
        continue;
      }
      stack.pop();
      memo.set(top.j, compute(top.j));
    }
  }
  return memo.get(root)!;
}

/**
 * Whether some equation anywhere in `j` (its sub-jaxprs at any depth
 * included) satisfies `test`. Passes ask such questions at every level of a
 * nest of loops, so answers are memoized per jaxpr in `memo` (one memo per
 * question; jaxprs are immutable), and the nest is walked with an explicit
 * stack, not one native frame per level.
 */
export function anyNestedEqn(memo: WeakMap<Jaxpr, boolean>, j: Jaxpr, test: (e: Eqn) => boolean): boolean {
  const known = memo.get(j);
  if (known !== undefined) return known;
  let found = false;
  const seen = new Set<Jaxpr>();
  const stack = [j];
  while (stack.length && !found) {
    const x = stack.pop()!;
    const m = memo.get(x);
    if (m !== undefined) {
      found = m;
      continue;
    }
    for (const e of x.eqns) {
      if (test(e)) found = true;
      for (const s of subJaxprs(e)) if (!seen.has(s)) (seen.add(s), stack.push(s));
    }
  }
  memo.set(j, found);
  return found;
}
