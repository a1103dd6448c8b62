// Checks that a jaxpr is well formed and well typed:
//
// - SSA: every variable is bound exactly once in the whole jaxpr tree (ids are
//   process-unique, so passes never rename; a var or sub-jaxpr object shared
//   between two places would also print names that do not parse back to the
//   same structure), defined before it is read, and read only in its own
//   scope (sub-jaxprs are closed: no free variables);
// - params match the param schema; literals are rank 0 and hold a value the
//   dtype can represent;
// - every equation's declared output avals equal what `abstractEval` computes
//   (which also checks while/cond/scan/pjit sub-jaxpr signatures);
// - recursively, the same for every sub-jaxpr, nested at most
//   MAX_JAXPR_NESTING deep (two native frames per level, so the limit is
//   reached long before the stack runs out).
//
// Errors name the equation (index and printed text, with the names the
// printed jaxpr shows), the path of enclosing sub-jaxprs, and the reason, and
// carry the offending jaxpr and equation objects so that `parse` can report
// the equation's line and column.

import type { Atom, ClosedJaxpr, Eqn, Jaxpr, Var } from "./core.js";
import { type Aval, INT32_MAX, INT32_MIN, avalStr, avalsEqual, isDType, sizeOf } from "./dtype.js";
import { MAX_JAXPR_NESTING } from "./limits.js";
import { validateParams } from "./paramSchema.js";
import { abstractEval, isPrim } from "./primitives.js";
import { Namer, printEqn } from "./printer.js";
import { isJaxpr, subJaxprs } from "./traverse.js";

/** Where a verifier error is: the jaxpr (scope) and, for equation errors, the equation. */
export interface VerifySite {
  readonly jaxpr: Jaxpr;
  readonly eqn?: Eqn;
}

/** A text position, for jaxprs that came from text (see `parse`). */
export interface VerifyPosition {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units. */
  readonly column: number;
  readonly source?: string;
}

export class VerifyError extends TypeError {
  constructor(
    /** The explanation without a position prefix (`verify: equation 0 ... : reason`). */
    readonly reason: string,
    readonly site?: VerifySite,
    readonly position?: VerifyPosition,
  ) {
    const where = position ? `${position.source ? `${position.source}:` : ""}${position.line}:${position.column}: ` : "";
    super(`${where}${reason}`);
    this.name = "VerifyError";
  }

  /** The same error, positioned in the text the jaxpr was parsed from: `x.jaxpr:3:5: verify: ...`. */
  at(position: VerifyPosition): VerifyError {
    return new VerifyError(this.reason, this.site, position);
  }
}

/** One level of nesting: "body_jaxpr of equation 2 (while)". */
interface Frame {
  readonly label: string;
  readonly eqnIndex: number;
  readonly prim: string;
}

/** Paths longer than this show their innermost and outermost frames only. */
const SHOWN_FRAMES = 8;

/** "the top-level jaxpr", or innermost first like a stack trace: "body_jaxpr of equation 0 (while) in jaxpr of equation 3 (scan)". */
function scopeText(path: readonly Frame[]): string {
  if (path.length === 0) return "the top-level jaxpr";
  const frames = path.map((f) => `${f.label} of equation ${f.eqnIndex} (${f.prim})`).reverse();
  if (frames.length <= SHOWN_FRAMES) return frames.join(" in ");
  const half = SHOWN_FRAMES / 2;
  return [...frames.slice(0, half), `… ${frames.length - SHOWN_FRAMES} more levels …`, ...frames.slice(-half)].join(" in ");
}

function avalsText(xs: readonly Aval[]): string {
  return `(${xs.map(avalStr).join(", ")})`;
}

/** Why `a` is not a well-formed aval, or undefined. */
function avalProblem(a: Aval): string | undefined {
  if (typeof a !== "object" || a === null || !isDType(a.dtype) || !Array.isArray(a.shape)) return "is not an aval";
  if (!a.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return `has an invalid shape [${a.shape.join(",")}]`;
  return undefined;
}

/** Why a literal is malformed, or undefined. */
function literalProblem(a: Atom & { kind: "lit" }): string | undefined {
  const bad = avalProblem(a.aval);
  if (bad) return `literal ${bad}`;
  const v = a.value;
  const shown = `literal ${String(v)}:${avalStr(a.aval)}`;
  if (a.aval.shape.length !== 0) return `${shown} must be rank 0`;
  if (typeof v !== "number") return `${shown} has a non-numeric value`;
  switch (a.aval.dtype) {
    case "bool":
      return v === 0 || v === 1 ? undefined : `${shown}: a bool literal holds 0 or 1`;
    case "int32":
      return Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX ? undefined : `${shown} is not an int32 value`;
    case "float32":
      return Number.isNaN(v) || Math.fround(v) === v ? undefined : `${shown} is not a float32 value (round it with castScalar)`;
  }
}

/** Walks the jaxpr tree once; `root` is what names in messages are taken from. */
class Verifier {
  /** Every var id bound anywhere so far, to reject a second binding in any scope. */
  private readonly boundAnywhere = new Set<number>();
  private namer: Namer | undefined;

  constructor(private readonly root: Jaxpr) {}

  private name(v: Var): string {
    if (!this.namer) {
      this.namer = new Namer();
      this.namer.nameJaxpr(this.root);
    }
    // Unbound vars (free variables) print as `_v<id>`, as printJaxpr shows them.
    return this.namer.name(v);
  }

  /** `where` is "equation 3 `c:f32[] = add a b`", or empty for the jaxpr's own binders and outputs. */
  private fail(site: VerifySite, where: string, path: readonly Frame[], reason: string): never {
    throw new VerifyError(`verify: ${where ? `${where} ` : ""}in ${scopeText(path)}: ${reason}`, site);
  }

  private failEqn(j: Jaxpr, e: Eqn, i: number, path: readonly Frame[], reason: string): never {
    let text: string;
    try {
      text = printEqn(e, this.root);
    } catch {
      // Params the printer cannot render (the reason says which) must not hide the real error.
      text = `${String(e.prim)} …`;
    }
    return this.fail({ jaxpr: j, eqn: e }, `equation ${i} \`${text}\``, path, reason);
  }

  /** Binds `v` in `scope`; `what` describes the binder for messages. */
  private bind(v: Var, scope: Set<number>, fail: (reason: string) => never, what: string): void {
    if (typeof v !== "object" || v === null || v.kind !== "var") fail(`${what} is not a variable`);
    const bad = avalProblem(v.aval);
    if (bad) fail(`${what} ${bad}`);
    if (scope.has(v.id)) fail(`${what} '${this.name(v)}' is already defined in this scope`);
    if (this.boundAnywhere.has(v.id)) {
      fail(`${what} '${this.name(v)}' is also bound in another jaxpr (each variable, and each sub-jaxpr object, may be bound only once; copy it with fresh vars)`);
    }
    scope.add(v.id);
    this.boundAnywhere.add(v.id);
  }

  /** Checks an operand or output read in a scope; `later` holds the ids bound later in the same scope. */
  private checkRead(a: Atom, defined: Set<number>, later: Set<number>, fail: (reason: string) => never, what: string): void {
    if (typeof a !== "object" || a === null || (a.kind !== "var" && a.kind !== "lit")) fail(`${what} is neither a variable nor a literal`);
    if (a.kind === "lit") {
      const bad = literalProblem(a);
      if (bad) fail(`${what}: ${bad}`);
      return;
    }
    if (defined.has(a.id)) return;
    if (later.has(a.id)) fail(`${what} '${this.name(a)}' is used before its definition`);
    if (this.boundAnywhere.has(a.id)) {
      fail(`${what} '${this.name(a)}' is defined in another jaxpr scope (sub-jaxprs are closed: pass it as an input)`);
    }
    fail(`${what} '${this.name(a)}' is a free variable (bound nowhere)`);
  }

  /** `path` holds the enclosing sub-jaxpr frames: the jaxpr is nested `path.length + 1` deep. */
  jaxpr(j: Jaxpr, path: readonly Frame[]): void {
    const defined = new Set<number>();
    const later = new Set<number>();
    for (const e of j.eqns) for (const o of e.outputs) if (o && o.kind === "var") later.add(o.id);
    const failHere = (reason: string): never => this.fail({ jaxpr: j }, "", path, reason);
    for (let k = 0; k < j.constvars.length; k++) this.bind(j.constvars[k]!, defined, failHere, `constvar ${k}`);
    for (let k = 0; k < j.invars.length; k++) this.bind(j.invars[k]!, defined, failHere, `invar ${k}`);
    for (let i = 0; i < j.eqns.length; i++) this.eqn(j, i, defined, later, path);
    for (let k = 0; k < j.outvars.length; k++) this.checkRead(j.outvars[k]!, defined, later, failHere, `output ${k}`);
  }

  private eqn(j: Jaxpr, i: number, defined: Set<number>, later: Set<number>, path: readonly Frame[]): void {
    const e = j.eqns[i]!;
    const fail = (reason: string): never => this.failEqn(j, e, i, path, reason);
    if (!isPrim(e.prim)) this.fail({ jaxpr: j, eqn: e }, `equation ${i}`, path, `unknown primitive '${String(e.prim)}'`);
    const paramProblem = validateParams(e.prim, e.params);
    if (paramProblem) fail(paramProblem);
    for (let k = 0; k < e.inputs.length; k++) this.checkRead(e.inputs[k]!, defined, later, fail, `operand ${k}`);

    // Sub-jaxprs first, so an error inside a body is reported where it is.
    const subs = subJaxprs(e);
    if (subs.length > 0 && path.length + 1 >= MAX_JAXPR_NESTING) {
      fail(`its sub-jaxprs would be nested ${path.length + 2} levels deep; tsjax accepts at most ${MAX_JAXPR_NESTING} (MAX_JAXPR_NESTING), so restructure the program to nest fewer loops, conds and calls`);
    }
    const labels = subJaxprLabels(e.params as Record<string, unknown>);
    for (let k = 0; k < subs.length; k++) this.jaxpr(subs[k]!, [...path, { label: labels[k] ?? "a sub-jaxpr", eqnIndex: i, prim: e.prim }]);

    let expected: Aval[];
    try {
      expected = abstractEval(e.prim, e.params, e.inputs.map((a) => a.aval));
    } catch (err) {
      if (err instanceof VerifyError) throw err;
      return fail(err instanceof Error ? err.message : String(err));
    }
    const declared = e.outputs.map((v) => v?.aval);
    if (declared.length !== expected.length || !expected.every((a, k) => declared[k] !== undefined && avalsEqual(a, declared[k]!))) {
      const ins = e.inputs.map((a) => avalStr(a.aval)).join(", ");
      fail(`declares outputs ${avalsText(declared.filter((a): a is Aval => a !== undefined))} but ${e.prim} of (${ins}) produces ${avalsText(expected)}`);
    }
    for (let k = 0; k < e.outputs.length; k++) {
      const v = e.outputs[k]!;
      later.delete(v.id);
      this.bind(v, defined, fail, `output ${k}`);
    }
  }
}

/**
 * `body_jaxpr`, `branches[1]`, …: where each sub-jaxpr sits in the params, in
 * the order `subJaxprs` returns them (sorted param names, tuples in order).
 */
function subJaxprLabels(params: Record<string, unknown>): string[] {
  const labels: string[] = [];
  for (const key of Object.keys(params).sort()) {
    const v = params[key];
    if (isJaxpr(v)) labels.push(key);
    else if (Array.isArray(v)) v.forEach((x, k) => isJaxpr(x) && labels.push(`${key}[${k}]`));
  }
  return labels;
}

const STORAGE = { float32: Float32Array, int32: Int32Array, bool: Uint8Array } as const;

/** Throws VerifyError when `j` is not a well-formed, well-typed jaxpr. */
export function verify(j: Jaxpr): void {
  new Verifier(j).jaxpr(j, []);
}

/** `verify`, plus: one const per constvar, each of the constvar's dtype and shape with matching storage. */
export function verifyClosed(cj: ClosedJaxpr): void {
  const { jaxpr, consts } = cj;
  if (consts.length !== jaxpr.constvars.length) {
    throw new VerifyError(`verify: closed jaxpr has ${jaxpr.constvars.length} constvars but ${consts.length} consts`);
  }
  const namer = new Namer();
  namer.nameJaxpr(jaxpr);
  consts.forEach((c, k) => {
    const v = jaxpr.constvars[k]!;
    const got = { dtype: c.dtype, shape: c.shape };
    if (!avalsEqual(got, v.aval)) {
      throw new VerifyError(`verify: const ${k} is ${avalStr(got)} but constvar '${namer.name(v)}' is ${avalStr(v.aval)}`);
    }
    if (!(c.data instanceof STORAGE[c.dtype]) || c.data.length !== sizeOf(c.shape)) {
      throw new VerifyError(`verify: const ${k} (${avalStr(got)}) holds ${c.data.length} elements in a ${c.data.constructor.name}, expected ${sizeOf(c.shape)} in a ${STORAGE[c.dtype].name}`);
    }
  });
  verify(jaxpr);
}
