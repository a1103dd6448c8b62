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

import type { Atom, Eqn, Jaxpr, Var } from "./core.js";
import { avalStr } from "./dtype.js";
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

  nameJaxpr(j: Jaxpr): void {
    for (const v of j.constvars) this.bind(v);
    for (const v of j.invars) this.bind(v);
    const used = usedVarIds(j);
    for (const e of j.eqns) {
      for (const v of e.outputs) if (used.has(v.id)) this.bind(v);
      for (const sub of subJaxprs(e)) this.nameJaxpr(sub);
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

function formatParamValue(v: unknown, namer: Namer, indent: number): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : formatFloat32(v);
  if (typeof v === "string") return PLAIN_IDENT.test(v) && v !== "None" && v !== "True" && v !== "False" ? v : JSON.stringify(v);
  if (isJaxpr(v)) return printJaxprAt(v, namer, indent, false);
  if (Array.isArray(v)) {
    if (v.length > 0 && v.every(isJaxpr)) {
      const inner = v.map((j) => " ".repeat(indent + 2) + printJaxprAt(j, namer, indent + 2, false));
      return `(\n${inner.join("\n")}\n${" ".repeat(indent)})`;
    }
    const items = v.map((x) => formatParamValue(x, namer, indent));
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
  }
  throw new TypeError(`printer: cannot print param value ${String(v)}`);
}

function binder(v: Var, namer: Namer): string {
  return `${namer.has(v) ? namer.name(v) : "_"}:${avalStr(v.aval)}`;
}

function printEqnAt(e: Eqn, namer: Namer, indent: number): string {
  const params = e.params as Record<string, unknown>;
  const keys = Object.keys(params).sort();
  const lhs = e.outputs.map((v) => binder(v, namer)).join(" ");
  const args = e.inputs.map((a) => formatAtom(a, namer)).join(" ");
  let head = e.prim as string;
  if (keys.length > 0) {
    if (subJaxprs(e).length > 0) {
      const pad = " ".repeat(indent + 2);
      const lines = keys.map((k) => `${pad}${k}=${formatParamValue(params[k], namer, indent + 2)}`);
      head = `${e.prim}[\n${lines.join("\n")}\n${" ".repeat(indent)}]`;
    } else {
      head = `${e.prim}[${keys.map((k) => `${k}=${formatParamValue(params[k], namer, indent)}`).join(" ")}]`;
    }
  }
  return `${lhs} = ${args ? `${head} ${args}` : head}`;
}

function printJaxprAt(j: Jaxpr, namer: Namer, indent: number, topLevel: boolean): string {
  const consts = j.constvars.map((v) => binder(v, namer)).join(" ");
  const ins = j.invars.map((v) => binder(v, namer)).join(" ");
  const header = `{ lambda ${consts ? `${consts}; ` : "; "}${ins}. let`;
  const outs = j.outvars.map((a) => formatAtom(a, namer));
  const tail = `in ${outs.length === 1 ? `(${outs[0]},)` : `(${outs.join(", ")})`} }`;
  if (!topLevel && j.eqns.length <= 1 && j.eqns.every((e) => subJaxprs(e).length === 0)) {
    const body = j.eqns.map((e) => printEqnAt(e, namer, 0)).join("");
    const line = `${header} ${body} ${tail}`;
    if (indent + line.length <= WIDTH) return line;
  }
  const eqnIndent = indent + 4;
  const lines = j.eqns.map((e) => " ".repeat(eqnIndent) + printEqnAt(e, namer, eqnIndent));
  return [header, ...lines, " ".repeat(indent + 2) + tail].join("\n");
}

/** The text form of a jaxpr. */
export function printJaxpr(j: Jaxpr): string {
  const namer = new Namer();
  namer.nameJaxpr(j);
  return printJaxprAt(j, namer, 0, true);
}

/**
 * One equation on one line for error messages, with names taken from the
 * enclosing jaxpr `context` (so they match what `printJaxpr(context)` shows).
 */
export function printEqn(e: Eqn, context?: Jaxpr): string {
  const namer = new Namer();
  if (context) namer.nameJaxpr(context);
  const text = printEqnAt(e, namer, 0);
  const firstLine = text.split("\n")[0]!;
  return firstLine === text ? text : `${firstLine} …]`;
}

/** The jaxpr's text; `print(parse(t)) === t` for printer output. Same as `printJaxpr`. */
export const print = printJaxpr;
