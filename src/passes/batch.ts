// Pass `batch`: vmap as an IR transformation, for `tsjax opt` and pass
// fixtures. `vmap` calls `batchJaxpr` directly (it also needs the out dims).

import { type Dim, batchJaxpr } from "./batch/index.js";
import { definePass } from "./pass.js";

function parseAxes(text: string, n: number): Dim[] {
  const parts = text.split(",").map((s) => s.trim()).filter(Boolean);
  const one = (s: string): Dim => {
    if (s === "null" || s === "none" || s === "None") return null;
    const k = Number(s);
    if (!Number.isInteger(k) || k < 0) throw new Error(`batch: in-axes entry '${s}' must be a non-negative integer or null`);
    return k;
  };
  if (parts.length === 1) return Array<Dim>(n).fill(one(parts[0]!));
  if (parts.length !== n) throw new Error(`batch: in-axes lists ${parts.length} entries but the jaxpr has ${n} inputs`);
  return parts.map(one);
}

export const batchPass = definePass({
  name: "batch",
  summary: "vmap as a pass: batch the inputs along in-axes (size `size`), outputs batched at axis 0",
  options: {
    "in-axes": { type: "string", default: "0", doc: "one axis (or null) for all inputs, or a comma list per input" },
    size: { type: "number", default: 4, doc: "the batch size" },
  },
  run(j, opts) {
    const inDims = [...j.constvars.map((): Dim => null), ...parseAxes(String(opts["in-axes"]), j.invars.length)];
    const size = Number(opts["size"]);
    const probe = batchJaxpr(j, inDims, size);
    const { jaxpr, outDims } = batchJaxpr(j, inDims, size, probe.outDims.map((d) => (d === null ? "any" : 0)));
    return { jaxpr, stats: { "outputs batched": outDims.filter((d) => d !== null).length } };
  },
});
