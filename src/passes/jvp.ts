// Pass `jvp`: forward-mode differentiation as an IR transformation, for
// `tsjax opt` and pass fixtures (the frontend's `jvp` calls the driver,
// passes/ad/jvp.ts, directly). Contract:
//
//   in : { lambda consts… ; x… . … in (y…) }
//   out: { lambda consts… ; x…, tx… . … in (y…, ty…) }
//
// One tangent input tx per differentiated input (`wrt`: every float32 input
// by default, or a list of indices), in input order; one tangent output ty
// per float32 output, in output order (a symbolic zero is instantiated as a
// zero). Constvars have zero tangents and stay constvars.

import { newJaxpr } from "../ir/core.js";
import { maskOrThrow, parseWrt } from "./ad/inputSelection.js";
import { jvpJaxpr } from "./ad/jvp.js";
import { type OptionSpec, definePass } from "./pass.js";

export const WRT_OPTION: OptionSpec = {
  type: "string",
  default: "float",
  doc: "the inputs to differentiate: `float` (every float32 input) or a comma list of input indices",
  check: (value, j) => {
    const r = parseWrt(value, j);
    return "problem" in r ? r.problem : undefined;
  },
};

export const jvpPass = definePass({
  name: "jvp",
  summary: "forward mode: (x…) → (y…) becomes (x…, tangents of x…) → (y…, tangents of the float y…)",
  options: { wrt: WRT_OPTION },
  run(j, opts) {
    const mask = maskOrThrow(parseWrt(opts["wrt"]!, j), "jvp", "wrt");
    const d = jvpJaxpr(j, mask);
    const nc = j.constvars.length;
    // The driver takes constvars as leading inputs; give them back their place.
    const jaxpr = newJaxpr({ constvars: d.jaxpr.invars.slice(0, nc), invars: d.jaxpr.invars.slice(nc), eqns: d.jaxpr.eqns, outvars: d.jaxpr.outvars });
    return {
      jaxpr,
      stats: { "tangent inputs": mask.filter(Boolean).length, "tangent outputs": d.outTangents.filter(Boolean).length },
    };
  },
});
