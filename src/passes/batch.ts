// Pass `batch`: vmap as an IR transformation, for `tsjax opt` and pass
// fixtures. `vmap` calls `batchJaxpr` directly (it also needs the out dims).
//
// Its options are checked before it runs (see `OptionSpec.check`): a bad
// in-axes would otherwise surface as a shape error of some equation the
// batching rules emit (a transpose, a broadcast) rather than as what it is.

import type { Jaxpr } from "../ir/core.js";
import { avalStr } from "../ir/dtype.js";
import { type Dim, batchJaxpr } from "./batch/index.js";
import { type OptionValue, definePass } from "./pass.js";

const NULL_WORDS = new Set(["null", "none", "None"]);

/** One in-axes entry: null, or an axis (a non-negative integer); undefined when malformed. */
function parseEntry(s: string): Dim | undefined {
  if (NULL_WORDS.has(s)) return null;
  return /^[0-9]+$/.test(s) ? Number(s) : undefined;
}

/**
 * The in-axes option as one dim per invar, or why it is invalid. Without `j`
 * only the syntax is checked; with it also the entry count and each axis
 * against its input's rank (a batched input of rank r has axes 0..r).
 */
function parseInAxes(value: OptionValue, j?: Jaxpr): { dims: Dim[] } | { problem: string } {
  const parts = String(value).split(",").map((s) => s.trim());
  const entries = parts.map(parseEntry);
  const bad = parts.findIndex((_, k) => entries[k] === undefined);
  if (bad >= 0) {
    return { problem: `expects null or an axis (0, 1, …) per input, comma-separated, or one entry for all inputs, got '${parts[bad]}' in '${String(value)}'` };
  }
  if (!j) return { dims: entries as Dim[] };
  const n = j.invars.length;
  if (entries.length !== 1 && entries.length !== n) {
    return { problem: `lists ${entries.length} entries but the jaxpr has ${n} inputs; give one entry per input, or one for all` };
  }
  const dims = entries.length === 1 ? Array<Dim>(n).fill(entries[0]!) : (entries as Dim[]);
  for (let i = 0; i < n; i++) {
    const d = dims[i]!;
    const a = j.invars[i]!.aval;
    if (d !== null && d > a.shape.length) {
      const valid = a.shape.length === 0 ? "only 0" : `0..${a.shape.length}`;
      return { problem: `gives axis ${d} for input ${i} (${avalStr(a)}), out of range: batched, that input has rank ${a.shape.length + 1}, so its valid axes are ${valid} (or null to leave it unbatched)` };
    }
  }
  return { dims };
}

export const batchPass = definePass({
  name: "batch",
  summary: "vmap as a pass: batch the inputs along in-axes (size `size`), outputs batched at axis 0",
  options: {
    "in-axes": {
      type: "string",
      default: "0",
      doc: "one axis (or null) for all inputs, or a comma list per input; a batched input of rank r takes axes 0..r",
      check: (value, j) => {
        const r = parseInAxes(value, j);
        return "problem" in r ? r.problem : undefined;
      },
    },
    size: { type: "number", integer: true, min: 1, default: 4, doc: "the batch size" },
  },
  run(j, opts) {
    const axes = parseInAxes(opts["in-axes"]!, j);
    // The pass manager checked the options already; a direct caller gets the same message.
    if ("problem" in axes) throw new Error(`option batch{in-axes} ${axes.problem}`);
    const size = Number(opts["size"]);
    if (!Number.isSafeInteger(size) || size < 1) throw new Error(`option batch{size} expects a positive integer (1, 2, …), got ${size}`);
    const inDims = [...j.constvars.map((): Dim => null), ...axes.dims];
    const probe = batchJaxpr(j, inDims, size);
    const { jaxpr, outDims } = batchJaxpr(j, inDims, size, probe.outDims.map((d) => (d === null ? "any" : 0)));
    return { jaxpr, stats: { "outputs batched": outDims.filter((d) => d !== null).length } };
  },
});
