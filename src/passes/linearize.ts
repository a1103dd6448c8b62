// Pass `linearize`: jvp, then partial evaluation into a known and a linear
// part (passes/ad/linearizeJaxpr.ts); the pass prints one of them, chosen by
// `part`:
//
//   in           : { lambda consts… ; x… . … in (y…) }
//   part=linear  : { lambda residuals… ; tx… . … in (ty…) }     (the default)
//   part=known   : { lambda consts… ; x… . … in (y…, residuals computed here…) }
//
// The linear part closes over the residuals as constvars, so it chains into
// `transpose` (whose default takes constvars as the residuals and every
// input as linear): `jvp`'s contract for tangents, `transpose`'s for
// cotangents. In checked mode (tests, `tsjax opt` unless --no-verify) the
// linear part is checked to be linear in its inputs (passes/ad/verifyLinear.ts).

import { maskOrThrow, parseWrt } from "./ad/inputSelection.js";
import { linearizeJaxpr } from "./ad/linearizeJaxpr.js";
import { verifyLinear } from "./ad/verifyLinear.js";
import { WRT_OPTION } from "./jvp.js";
import { definePass } from "./pass.js";

const PARTS = ["linear", "known"] as const;

export const linearizePass = definePass({
  name: "linearize",
  summary: "jvp + partial eval: the linear part (residuals as constvars; tangents → tangents), or with part=known the primal part that computes the residuals",
  options: {
    wrt: WRT_OPTION,
    part: {
      type: "string",
      default: "linear",
      doc: "which part to output: `linear` (residuals as constvars, tangents → tangent outputs) or `known` (inputs → outputs, then the residuals it computes)",
      check: (value) => ((PARTS as readonly string[]).includes(String(value)) ? undefined : `expects 'linear' or 'known', got '${String(value)}'`),
    },
  },
  run(j, opts) {
    const lin = linearizeJaxpr(j, maskOrThrow(parseWrt(opts["wrt"]!, j), "linearize", "wrt"));
    const jaxpr = opts["part"] === "known" ? lin.known : lin.linear;
    return { jaxpr, stats: { residuals: lin.residuals.length, "eqns in the linear part": lin.linear.eqns.length } };
  },
  checkOutput(out, opts) {
    if (opts["part"] !== "known") verifyLinear(out, out.invars.map(() => true));
  },
});
