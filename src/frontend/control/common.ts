// Shared pieces of the control-flow functions: carry types from init values,
// checking a body's output against the carry, and turning a traced body's
// captures into the leading inputs that control-flow sub-jaxprs take.

import type { Jaxpr } from "../../ir/core.js";
import { type Aval, aval, avalStr, avalsEqual } from "../../ir/dtype.js";
import { Array } from "../array.js";
import type { BindInput } from "../bind.js";
import { PytreeError, type TreeDef, flatten, showPath, treeMismatch } from "../pytree.js";
import { TypedScalar, weakDtype } from "../scalar.js";
import type { FlatOut } from "../tracing.js";

/** The type of a carry/operand leaf: an array's aval; a JS number is int32 if integral, else float32. */
export function leafAval(leaf: unknown, path: string, op: string): Aval {
  if (leaf instanceof Array) return leaf.aval;
  if (leaf instanceof TypedScalar) return aval(leaf.dtype, []);
  if (typeof leaf === "number" || typeof leaf === "boolean") return aval(weakDtype(leaf), []);
  throw new TypeError(`${op}: ${showPath(path)} must be an np.Array or a JS number, got ${String(leaf)}`);
}

/** A carry/operand leaf as a bind operand of the given type (JS numbers become typed literals). */
export function leafInput(leaf: unknown, a: Aval): BindInput {
  if (typeof leaf === "number" || typeof leaf === "boolean") return new TypedScalar(leaf, a.dtype);
  return leaf as BindInput;
}

/** How a leaf reads in a type-mismatch message. */
export function describeLeaf(leaf: unknown): string {
  if (leaf instanceof Array) return avalStr(leaf.aval);
  if (leaf instanceof TypedScalar) return avalStr(aval(leaf.dtype, []));
  if (typeof leaf === "number" || typeof leaf === "boolean") return `a JS ${typeof leaf} (${String(leaf)})`;
  return String(leaf);
}

export interface Carry {
  readonly def: TreeDef;
  readonly avals: readonly Aval[];
  readonly paths: readonly string[];
  /** The init leaves as bind operands. */
  readonly inputs: readonly BindInput[];
}

/** Flattens an init pytree into carry types; `root` prefixes leaf paths (`carry[1].w`). */
export function carryOf(op: string, init: unknown, root: string): Carry {
  const [leaves, def] = flatten(init, root);
  const paths = def.leafPaths(root);
  const avals = leaves.map((l, i) => leafAval(l, paths[i]!, op));
  return { def, avals, paths, inputs: leaves.map((l, i) => leafInput(l, avals[i]!)) };
}

/**
 * Flattens what a body returned and checks it against the carry: the same
 * structure and the same leaf types. A JS number leaf is cast to the carry's
 * dtype when the carry leaf is a scalar. `what` names the output in errors
 * (`whileLoop body output`).
 */
export function conformToCarry(what: string, out: unknown, carry: Carry, root: string): FlatOut[] {
  const [leaves, def] = flatten(out, root);
  const m = treeMismatch(carry.def, def, root);
  if (m) throw new PytreeError(`${what} ${showPath(m.path)}: structure differs from the carry: expected ${m.expected}, got ${m.got}`);
  return leaves.map((l, i) => {
    const want = carry.avals[i]!;
    if ((typeof l === "number" || typeof l === "boolean") && want.shape.length === 0) return new TypedScalar(l, want.dtype);
    if (l instanceof Array && avalsEqual(l.aval, want)) return l;
    if (l instanceof TypedScalar && avalsEqual(aval(l.dtype, []), want)) return l;
    throw new TypeError(`${what} ${showPath(carry.paths[i]!)}: expected ${avalStr(want)}, got ${describeLeaf(l)}`);
  });
}

/** Control-flow sub-jaxprs have no constvars: the captures become leading invars (the primitive's consts). */
export function capturesAsInvars(j: Jaxpr): Jaxpr {
  return { constvars: [], invars: [...j.constvars, ...j.invars], eqns: j.eqns, outvars: j.outvars };
}

/** Checks a predicate: a scalar bool array or a JS boolean. */
export function checkPredicate(what: string, p: unknown): Array | TypedScalar {
  if (typeof p === "boolean") return new TypedScalar(p, "bool");
  if (p instanceof Array && p.dtype === "bool" && p.ndim === 0) return p;
  throw new TypeError(`${what} must return a scalar bool, got ${describeLeaf(p)}`);
}
