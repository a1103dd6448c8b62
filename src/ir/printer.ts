// Prints jaxprs in JAX's text format (2024 layout, typed literals):
//
//   { lambda ; a:f32[8] b:i32[]. let
//       c:f32[8] = mul a 3.0:f32[]
//     in (c,) }
//
// Names `a b c …` (then `ba bb …`, as JAX encodes them) are assigned in order
// of appearance and continue into nested jaxprs. A binder nobody reads prints
// as `_`. Params are sorted by name. A nested jaxpr goes on one line when it
// has at most one equation, no nested jaxpr of its own, and fits in 80 columns.
// The output is deterministic, so `print(parse(text)) === text` (the parser is
// whitespace-insensitive and the names are re-derived on printing).
//
// Text is appended to one array of pieces and joined once: building each
// nested jaxpr's text as a string and splicing it into its parent's would
// copy the innermost text once per level. Naming walks the tree with an
// explicit stack; printing recurses (three native frames per level) and
// stops with an error past MAX_JAXPR_NESTING levels, which the parser and
// verifier never accept.

import type { Atom, Eqn, Jaxpr, Var } from "./core.js";
import { avalStr } from "./dtype.js";
import { MAX_JAXPR_NESTING } from "./limits.js";
import { isJaxpr, subJaxprs, usedVarIds } from "./traverse.js";

const WIDTH = 80;

/** `0 -> a`, `25 -> z`, `26 -> ba`: JAX's alphabetic encoding. */
export function varName(n: number): string {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  let s = "";
  do {
    s = letters[n % 26] + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return s;
}

/** Names `varName` can produce that the parser does not accept as variables. */
const RESERVED_VAR_NAMES: ReadonlySet<string> = new Set(["in", "let", "lambda", "inf", "nan"]);

/** Assigns print names to every binder in print order; unused eqn binders get none (`_`). */
export class Namer {
  private readonly names = new Map<number, string>();
  private count = 0;

  /**
   * Names `j`'s binders, then for each equation its outputs and (depth first)
   * its sub-jaxprs. An explicit stack of jaxprs in progress replaces
   * recursion, so any nesting depth can be named.
   */
  nameJaxpr(j: Jaxpr): void {
    // A frame is entered (its inputs named, `used` computed) when it first reaches the top.
    const stack: { jaxpr: Jaxpr; used?: Set<number>; next: number }[] = [{ jaxpr: j, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (!top.used) {
        for (const v of top.jaxpr.constvars) this.bind(v);
        for (const v of top.jaxpr.invars) this.bind(v);
        top.used = usedVarIds(top.jaxpr);
      }
      const e = top.jaxpr.eqns[top.next++];
      if (!e) {
        stack.pop();
        continue;
      }
      for (const v of e.outputs) if (top.used.has(v.id)) this.bind(v);
      const subs = subJaxprs(e);
      for (let k = subs.length - 1; k >= 0; k--) stack.push({ jaxpr: subs[k]!, next: 0 });
    }
  }

  private bind(v: Var): void {
    if (this.names.has(v.id)) return;
    let name = varName(this.count++);
    // The parser reserves these words (`inf:f32[]` is a literal, `in` ends the equations).
    while (RESERVED_VAR_NAMES.has(name)) name = varName(this.count++);
    this.names.set(v.id, name);
  }

  name(v: Var): string {
    return this.names.get(v.id) ?? `_v${v.id}`;
  }

  has(v: Var): boolean {
    return this.names.has(v.id);
  }
}

/** `3.0`, `-1.5`, `1e-10`, `inf`, `nan`: shortest text that reads back as the same float32. */
export function formatFloat32(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (Object.is(v, -0)) return "-0.0";
  let s = String(v);
  for (let p = 1; p <= 9; p++) {
    const cand = String(Number(v.toPrecision(p)));
    if (Math.fround(Number(cand)) === v) {
      s = cand;
      break;
    }
  }
  return /[.e]/.test(s) ? s : `${s}.0`;
}

export function formatLiteralValue(a: Atom & { kind: "lit" }): string {
  switch (a.aval.dtype) {
    case "bool":
      return a.value ? "True" : "False";
    case "int32":
      return String(a.value);
    case "float32":
      return formatFloat32(a.value);
  }
}

export function formatAtom(a: Atom, namer: Namer): string {
  return a.kind === "var" ? namer.name(a) : `${formatLiteralValue(a)}:${avalStr(a.aval)}`;
}

const PLAIN_IDENT = /^[A-Za-z_<][A-Za-z0-9_<>.-]*$/;

/** A param value that holds no jaxpr, on one line. */
function formatPlainParamValue(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : formatFloat32(v);
  if (typeof v === "string") return PLAIN_IDENT.test(v) && v !== "None" && v !== "True" && v !== "False" ? v : JSON.stringify(v);
  if (Array.isArray(v) && !v.some(isJaxpr)) {
    const items = v.map(formatPlainParamValue);
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
  }
  throw new TypeError(`printer: cannot print param value ${String(v)}`);
}

function binder(v: Var, namer: Namer): string {
  return `${namer.has(v) ? namer.name(v) : "_"}:${avalStr(v.aval)}`;
}

/** `outs = prim`: the part of an equation before its params. */
function eqnHead(e: Eqn, namer: Namer): string {
  return `${e.outputs.map((v) => binder(v, namer)).join(" ")} = ${e.prim}`;
}

function eqnOperands(e: Eqn, namer: Namer): string {
  return e.inputs.map((a) => ` ${formatAtom(a, namer)}`).join("");
}

/** An equation without sub-jaxprs, on one line. */
function printFlatEqn(e: Eqn, namer: Namer): string {
  const params = e.params as Record<string, unknown>;
  const keys = Object.keys(params).sort();
  const bracket = keys.length > 0 ? `[${keys.map((k) => `${k}=${formatPlainParamValue(params[k])}`).join(" ")}]` : "";
  return `${eqnHead(e, namer)}${bracket}${eqnOperands(e, namer)}`;
}

/** Appends the text of jaxprs to `out`; `depth` is the nesting depth of the jaxpr being printed (top level: 1). */
class JaxprWriter {
  readonly out: string[] = [];

  constructor(private readonly namer: Namer) {}

  jaxpr(j: Jaxpr, indent: number, topLevel: boolean, depth: number): void {
    if (depth > MAX_JAXPR_NESTING) {
      throw new RangeError(`printJaxpr: sub-jaxprs nest more than ${MAX_JAXPR_NESTING} levels deep (MAX_JAXPR_NESTING); such a jaxpr is rejected by the parser and the verifier`);
    }
    const namer = this.namer;
    const consts = j.constvars.map((v) => binder(v, namer)).join(" ");
    const ins = j.invars.map((v) => binder(v, namer)).join(" ");
    const header = `{ lambda ${consts ? `${consts}; ` : "; "}${ins}. let`;
    const outs = j.outvars.map((a) => formatAtom(a, namer));
    const tail = `in ${outs.length === 1 ? `(${outs[0]},)` : `(${outs.join(", ")})`} }`;
    if (!topLevel && j.eqns.length <= 1 && j.eqns.every((e) => subJaxprs(e).length === 0)) {
      const body = j.eqns.map((e) => printFlatEqn(e, namer)).join("");
      const line = `${header} ${body} ${tail}`;
      if (indent + line.length <= WIDTH) {
        this.out.push(line);
        return;
      }
    }
    this.out.push(header);
    const eqnIndent = indent + 4;
    for (const e of j.eqns) {
      this.out.push("\n", " ".repeat(eqnIndent));
      this.eqn(e, eqnIndent, depth);
    }
    this.out.push("\n", " ".repeat(indent + 2), tail);
  }

  /** An equation with sub-jaxprs puts each param on its own line. */
  private eqn(e: Eqn, indent: number, depth: number): void {
    if (subJaxprs(e).length === 0) {
      this.out.push(printFlatEqn(e, this.namer));
      return;
    }
    const params = e.params as Record<string, unknown>;
    const pad = " ".repeat(indent + 2);
    this.out.push(`${eqnHead(e, this.namer)}[`);
    for (const k of Object.keys(params).sort()) {
      this.out.push("\n", pad, `${k}=`);
      this.paramValue(params[k], indent + 2, depth);
    }
    this.out.push("\n", " ".repeat(indent), "]", eqnOperands(e, this.namer));
  }

  private paramValue(v: unknown, indent: number, depth: number): void {
    if (isJaxpr(v)) return this.jaxpr(v, indent, false, depth + 1);
    if (Array.isArray(v) && v.length > 0 && v.every(isJaxpr)) {
      // A tuple of jaxprs (cond branches): one per line.
      this.out.push("(");
      for (const j of v) {
        this.out.push("\n", " ".repeat(indent + 2));
        this.jaxpr(j, indent + 2, false, depth + 1);
      }
      this.out.push("\n", " ".repeat(indent), ")");
      return;
    }
    this.out.push(formatPlainParamValue(v));
  }
}

/** The text form of a jaxpr. */
export function printJaxpr(j: Jaxpr): string {
  const namer = new Namer();
  namer.nameJaxpr(j);
  const w = new JaxprWriter(namer);
  w.jaxpr(j, 0, true, 1);
  return w.out.join("");
}

/**
 * One equation on one line for error messages, with names taken from the
 * enclosing jaxpr `context` (so they match what `printJaxpr(context)` shows).
 */
export function printEqn(e: Eqn, context?: Jaxpr): string {
  const namer = new Namer();
  if (context) namer.nameJaxpr(context);
  // Sub-jaxprs are elided without printing them (they may be large or deep).
  return subJaxprs(e).length > 0 ? `${eqnHead(e, namer)}[ …]` : printFlatEqn(e, namer);
}

/** The jaxpr's text; `print(parse(t)) === t` for printer output. Same as `printJaxpr`. */
export const print = printJaxpr;
