// Texts that identify jaxprs and equations up to renaming of variables: two
// jaxprs with the same text compute the same function (same binder types,
// primitives, params, literals — -0.0 and NaN included — and dataflow), so
// cse merges equations by key and the wasm backend caches compiled programs
// by text. Binders are numbered in order of definition within each jaxpr
// (sub-jaxprs are closed), so alpha-equivalent jaxprs get the same text.
//
// Sub-jaxprs are keyed before their parents with an explicit stack, and each
// jaxpr's key is memoized, so a program nested MAX_JAXPR_NESTING deep costs no
// native stack per level. With interning, a jaxpr's key is a short `#n`
// standing for its text (valid within one StructuralKeys), so keying every
// level of a deep nest stays linear.

import type { Atom, Eqn, Jaxpr, Var } from "./core.js";
import { avalStr } from "./dtype.js";
import { formatLiteralValue } from "./printer.js";
import { computeBottomUp, isJaxpr } from "./traverse.js";

function literalKey(a: Atom & { kind: "lit" }): string {
  // Literal text distinguishes -0.0 from 0.0 and keeps the dtype (1:i32[] vs 1.0:f32[]).
  return `${formatLiteralValue(a)}:${avalStr(a.aval)}`;
}

export class StructuralKeys {
  private readonly interned = new Map<string, number>();
  private readonly ofJaxpr = new WeakMap<Jaxpr, string>();

  /** `intern`: a jaxpr's key is `#n` (short; only comparable within this object) rather than its whole text. */
  constructor(private readonly intern: boolean) {}

  /** An equation: primitive, params, and inputs by variable id (within the scope being keyed). */
  eqnKey(e: Eqn): string {
    return `${e.prim}${this.valueKey(e.params)} ${e.inputs.map((a) => (a.kind === "var" ? `%${a.id}` : literalKey(a))).join(" ")}`;
  }

  /** Order-independent over object keys; distinguishes -0 from 0; jaxprs by their key. */
  valueKey(v: unknown): string {
    if (v === null || v === undefined) return "None";
    if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
    if (typeof v === "boolean" || typeof v === "string") return JSON.stringify(v);
    if (isJaxpr(v)) return this.jaxprKey(v);
    if (Array.isArray(v)) return `(${v.map((x) => this.valueKey(x)).join(",")})`;
    if (typeof v === "object") {
      const o = v as Record<string, unknown>;
      return `[${Object.keys(o).sort().map((k) => `${k}=${this.valueKey(o[k])}`).join(" ")}]`;
    }
    throw new TypeError(`valueKey: cannot key a ${typeof v}`);
  }

  jaxprKey(j: Jaxpr): string {
    // Sub-jaxprs first (their keys are memoized when the parent's params are keyed).
    return computeBottomUp(j, this.ofJaxpr, (x) => this.keyOf(this.text(x)));
  }

  private keyOf(text: string): string {
    if (!this.intern) return text;
    let id = this.interned.get(text);
    if (id === undefined) this.interned.set(text, (id = this.interned.size));
    return `#${id}`;
  }

  /** The canonical text of one jaxpr whose sub-jaxprs are keyed already. */
  private text(j: Jaxpr): string {
    const local = new Map<number, number>();
    const bind = (vs: readonly Var[]): string => vs.map((v) => (local.set(v.id, local.size), avalStr(v.aval))).join(" ");
    const read = (a: Atom): string => {
      if (a.kind === "lit") return literalKey(a);
      const n = local.get(a.id);
      return n === undefined ? `%${a.id}` : `$${n}`;
    };
    const parts = [`{${bind(j.constvars)};${bind(j.invars)}.`];
    for (const e of j.eqns) parts.push(`${e.prim}${this.valueKey(e.params)} ${e.inputs.map(read).join(" ")} -> ${bind(e.outputs)}`);
    parts.push(`in ${j.outvars.map(read).join(" ")}}`);
    return parts.join("\n");
  }
}

/** The full structural text of `j` (for caches keyed across compilations). */
export function structuralText(j: Jaxpr): string {
  return new StructuralKeys(false).jaxprKey(j);
}
