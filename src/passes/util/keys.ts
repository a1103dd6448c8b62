// Stable text keys for structural equality: two equations with the same key
// compute the same values (same primitive, same params, same inputs). Used by
// cse. Sub-jaxprs are keyed by a canonical text that numbers their binders in
// order of definition, so alpha-equivalent jaxprs get the same key; each
// distinct text is interned as a short `#n`, so a jaxpr nested a thousand
// deep is keyed in time linear in its size (printing every level's whole
// subtree instead was cubic).

import type { Atom, Eqn, Jaxpr, Var } from "../../ir/core.js";
import { avalStr } from "../../ir/dtype.js";
import { formatLiteralValue } from "../../ir/printer.js";
import { isJaxpr } from "../../ir/traverse.js";

function literalKey(a: Atom & { kind: "lit" }): string {
  // Literal text distinguishes -0.0 from 0.0 and keeps the dtype (1:i32[] vs 1.0:f32[]).
  return `${formatLiteralValue(a)}:${avalStr(a.aval)}`;
}

export function atomKey(a: Atom): string {
  return a.kind === "var" ? `%${a.id}` : literalKey(a);
}

/** Keys for one pass run: interned jaxpr texts, memoized per jaxpr object. */
export class EqnKeys {
  private readonly interned = new Map<string, number>();
  private readonly ofJaxpr = new WeakMap<Jaxpr, string>();

  /** Order-independent over object keys; distinguishes -0 from 0; jaxprs by canonical text. */
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

  eqnKey(e: Eqn): string {
    return `${e.prim}${this.valueKey(e.params)} ${e.inputs.map(atomKey).join(" ")}`;
  }

  /** `#n`, equal for alpha-equivalent jaxprs. */
  jaxprKey(j: Jaxpr): string {
    const hit = this.ofJaxpr.get(j);
    if (hit !== undefined) return hit;
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
    const text = parts.join("\n");
    let id = this.interned.get(text);
    if (id === undefined) this.interned.set(text, (id = this.interned.size));
    const key = `#${id}`;
    this.ofJaxpr.set(j, key);
    return key;
  }
}
