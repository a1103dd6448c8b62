// The input-selection options of the AD passes: `jvp{wrt=…}` and
// `linearize{wrt=…}` pick the inputs that get tangents, `transpose{linear=…}`
// the inputs the program is linear in. Both are `all`-style words or a comma
// list of input indices, checked against the jaxpr before the pass runs (see
// `OptionSpec.check`) so a bad index is reported as the option it is.

import type { Jaxpr } from "../../ir/core.js";
import { avalStr } from "../../ir/dtype.js";
import type { OptionValue } from "../pass.js";
import { differentiable } from "./rules.js";

/** A comma list of input indices, or why it is malformed; undefined for the keyword. */
function parseIndices(value: OptionValue, keyword: string): number[] | { problem: string } | undefined {
  const text = String(value).trim();
  if (text === keyword) return undefined;
  const parts = text.split(",").map((s) => s.trim());
  const bad = parts.find((p) => !/^[0-9]+$/.test(p));
  if (bad !== undefined) return { problem: `expects '${keyword}' or a comma list of input indices (0, 1, …), got '${bad}' in '${text}'` };
  const indices = parts.map(Number);
  const dup = indices.find((n, i) => indices.indexOf(n) !== i);
  if (dup !== undefined) return { problem: `lists input ${dup} twice in '${text}'` };
  return indices;
}

function outOfRange(indices: readonly number[], j: Jaxpr): string | undefined {
  const n = j.invars.length;
  const bad = indices.find((i) => i >= n);
  return bad === undefined ? undefined : `names input ${bad}, but the jaxpr has ${n} input${n === 1 ? "" : "s"} (0..${n - 1}; constvars are not inputs)`;
}

/**
 * `wrt`: which inputs are differentiated. `float` (every float32 input) or
 * indices, each of a float32 input: integer and bool inputs have no tangents.
 */
export function parseWrt(value: OptionValue, j?: Jaxpr): { mask: boolean[] } | { problem: string } {
  const r = parseIndices(value, "float");
  if (r !== undefined && "problem" in r) return r;
  if (!j) return { mask: [] };
  if (r === undefined) return { mask: j.invars.map((v) => differentiable(v.aval)) };
  const range = outOfRange(r, j);
  if (range) return { problem: range };
  const notFloat = r.find((i) => !differentiable(j.invars[i]!.aval));
  if (notFloat !== undefined) {
    return { problem: `names input ${notFloat} (${avalStr(j.invars[notFloat]!.aval)}), which has no tangent: only float32 inputs are differentiated` };
  }
  return { mask: j.invars.map((_, i) => r.includes(i)) };
}

/** `linear`: which inputs the program is linear in. `all`, or indices. */
export function parseLinear(value: OptionValue, j?: Jaxpr): { mask: boolean[] } | { problem: string } {
  const r = parseIndices(value, "all");
  if (r !== undefined && "problem" in r) return r;
  if (!j) return { mask: [] };
  if (r === undefined) return { mask: j.invars.map(() => true) };
  const range = outOfRange(r, j);
  return range ? { problem: range } : { mask: j.invars.map((_, i) => r.includes(i)) };
}

/** The mask, or the option's problem as an error (for direct callers; the pass manager checks first). */
export function maskOrThrow(r: { mask: boolean[] } | { problem: string }, pass: string, option: string): boolean[] {
  if ("problem" in r) throw new Error(`option ${pass}{${option}} ${r.problem}`);
  return r.mask;
}
