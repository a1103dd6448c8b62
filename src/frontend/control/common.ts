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
export function leafInput(leaf: unknown, a: Aval, op = "", path = ""): BindInput {
  if (typeof leaf === "number" || typeof leaf === "boolean") return new TypedScalar(leaf, a.dtype, op ? { op, what: showPath(path) } : undefined);
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
  /** The init leaves that were JS numbers or booleans (their dtype was chosen from the JS value), by leaf. */
  readonly jsInits: readonly (number | boolean | undefined)[];
}

/** Flattens an init pytree into carry types; `root` prefixes leaf paths (`carry[1].w`). */
export function carryOf(op: string, init: unknown, root: string): Carry {
  const [leaves, def] = flatten(init, root);
  const paths = def.leafPaths(root);
  const avals = leaves.map((l, i) => leafAval(l, paths[i]!, op));
  const jsInits = leaves.map((l) => (typeof l === "number" || typeof l === "boolean" ? l : undefined));
  return { def, avals, paths, inputs: leaves.map((l, i) => leafInput(l, avals[i]!, op, paths[i]!)), jsInits };
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
    if ((typeof l === "number" || typeof l === "boolean") && want.shape.length === 0) {
      return new TypedScalar(l, want.dtype, { op: what, what: showPath(carry.paths[i]!) });
    }
    if (l instanceof Array && avalsEqual(l.aval, want)) return l;
    if (l instanceof TypedScalar && avalsEqual(aval(l.dtype, []), want)) return l;
    throw new TypeError(`${what} ${showPath(carry.paths[i]!)}: expected ${avalStr(want)}, got ${describeLeaf(l)}${jsInitHint(carry, i, l)}`);
  });
}

/**
 * When a carry's type came from a JS number in the init and the body returns
 * another dtype: say so, since `0` and `0.0` are the same JS number.
 */
function jsInitHint(carry: Carry, i: number, got: unknown): string {
  const init = carry.jsInits[i];
  if (init === undefined || !(got instanceof Array || got instanceof TypedScalar)) return "";
  const want = carry.avals[i]!.dtype;
  const kind = typeof init === "boolean" ? "boolean" : want === "int32" ? "integer" : "number";
  const why = want === "int32" ? " (JS cannot tell 0 from 0.0)" : "";
  return `. The init value at ${showPath(carry.paths[i]!)} is the JS ${kind} ${String(init)}, which makes ${want === "int32" ? "an" : "a"} ${want} carry${why}; ` +
    `to carry ${got.dtype}, initialise it with np.array(${String(init)}, { dtype: "${got.dtype}" })`;
}

/** Control-flow sub-jaxprs have no constvars: the captures become leading invars (the primitive's consts). */
export function capturesAsInvars(j: Jaxpr): Jaxpr {
  return { constvars: [], invars: [...j.constvars, ...j.invars], eqns: j.eqns, outvars: j.outvars };
}

const JS_LOGIC_HELP =
  "JS's &&, || and ! cannot combine arrays: an array is always truthy, so `a && b` is always b, `a || b` is always a and `!a` is always false. " +
  "Use a.and(b) or np.logicalAnd(a, b), a.or(b) or np.logicalOr(a, b), and a.not() or np.logicalNot(a).";

/**
 * Checks what a loop's cond function returned: a bool[] array or tracer. A JS
 * boolean here comes from JS logic applied to arrays (`c.lt(3) && true`,
 * `!c.ge(3)`) and would make a loop that never or always runs, so it is an error.
 */
export function checkLoopPredicate(what: string, p: unknown): Array {
  if (p instanceof Array && p.dtype === "bool" && p.ndim === 0) return p;
  if (typeof p === "boolean") throw new TypeError(`${what} returned the JS boolean ${p}, not a bool[] array. ${JS_LOGIC_HELP}`);
  throw new TypeError(`${what} must return a scalar bool, got ${describeLeaf(p)}: return a bool[] array, e.g. from a comparison such as x.lt(n)`);
}

const LOGIC_PRIMS: ReadonlySet<string> = new Set(["lt", "le", "gt", "ge", "eq", "ne", "and", "or", "not"]);

/**
 * A comparison or logical op in a cond function whose result reaches nothing
 * is the trace of `a && b` (a was computed, then dropped): an error, because
 * the loop would silently test only b.
 */
export function checkNoDroppedComparisons(what: string, j: Jaxpr): void {
  const used = new Set<number>();
  for (const o of j.outvars) if (o.kind === "var") used.add(o.id);
  for (let k = j.eqns.length - 1; k >= 0; k--) {
    const e = j.eqns[k]!;
    const live = e.outputs.some((v) => used.has(v.id));
    if (live) {
      for (const a of e.inputs) if (a.kind === "var") used.add(a.id);
      continue;
    }
    const out = e.outputs[0];
    if (LOGIC_PRIMS.has(e.prim) && out?.aval.dtype === "bool") {
      throw new TypeError(
        `${what} computed a comparison (\`${e.prim}\`, ${avalStr(out.aval)}) whose result does not reach the value it returns: ` +
          `this is what \`a && b\` does with arrays (a is computed, then dropped). ${JS_LOGIC_HELP} ` +
          "If the comparison is really unused, remove it.",
      );
    }
  }
}
