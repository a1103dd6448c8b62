// Stable text keys for structural equality: two equations with the same key
// compute the same values (same primitive, same params, same inputs). Used by
// cse. Sub-jaxprs are keyed by their printed text, which names variables by
// order of appearance and is therefore the same for alpha-equivalent jaxprs.

import type { Atom, Eqn } from "../../ir/core.js";
import { avalStr } from "../../ir/dtype.js";
import { formatLiteralValue, printJaxpr } from "../../ir/printer.js";
import { isJaxpr } from "../../ir/traverse.js";

export function atomKey(a: Atom): string {
  // Literal text distinguishes -0.0 from 0.0 and keeps the dtype (1:i32[] vs 1.0:f32[]).
  return a.kind === "var" ? `%${a.id}` : `${formatLiteralValue(a)}:${avalStr(a.aval)}`;
}

/** Order-independent over object keys; distinguishes -0 from 0; jaxprs by printed text. */
export function valueKey(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "boolean" || typeof v === "string") return JSON.stringify(v);
  if (isJaxpr(v)) return `{${printJaxpr(v)}}`;
  if (Array.isArray(v)) return `(${v.map(valueKey).join(",")})`;
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `[${Object.keys(o).sort().map((k) => `${k}=${valueKey(o[k])}`).join(" ")}]`;
  }
  throw new TypeError(`valueKey: cannot key a ${typeof v}`);
}

export function eqnKey(e: Eqn): string {
  return `${e.prim}${valueKey(e.params)} ${e.inputs.map(atomKey).join(" ")}`;
}
