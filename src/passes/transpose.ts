// Pass `transpose`: reverse a linear program (passes/ad/transpose.ts), for
// `tsjax opt` and pass fixtures. Contract:
//
//   in : { lambda residuals… ; inputs… . … in (outs…) }     linear in the inputs named by `linear`
//   out: { lambda residuals…, non-linear inputs… ; ct of each out… . … in (ct of each linear input…) }
//
// Constvars are residuals (never linear), which is how `linearize` outputs
// its linear part, so `linearize,transpose` chains with the defaults. The input is first checked to be linear in the inputs named
// (passes/ad/verifyLinear.ts): a program that is not is an error naming the
// first equation that is not linear in its linear operands, rather than a
// wrong transpose. The non-linear inputs join the residuals, so transposing
// twice gives back a program of the original's signature.

import { newJaxpr } from "../ir/core.js";
import { maskOrThrow, parseLinear } from "./ad/inputSelection.js";
import { transposeJaxpr } from "./ad/transpose.js";
import { verifyLinear } from "./ad/verifyLinear.js";
import { definePass } from "./pass.js";

export const transposePass = definePass({
  name: "transpose",
  summary: "reverse mode: a program linear in some inputs becomes the map from its outputs' cotangents to those inputs' cotangents (constvars are residuals)",
  options: {
    linear: {
      type: "string",
      default: "all",
      doc: "the inputs the program is linear in: `all`, or a comma list of input indices (the others become residuals)",
      check: (value, j) => {
        const r = parseLinear(value, j);
        return "problem" in r ? r.problem : undefined;
      },
    },
  },
  run(j, opts) {
    const linear = maskOrThrow(parseLinear(opts["linear"]!, j), "transpose", "linear");
    const { linearEqns } = verifyLinear(j, linear);
    const t = transposeJaxpr(j, linear);
    const nres = j.constvars.length + linear.filter((l) => !l).length;
    const jaxpr = newJaxpr({ constvars: t.invars.slice(0, nres), invars: t.invars.slice(nres), eqns: t.eqns, outvars: t.outvars });
    return { jaxpr, stats: { "eqns transposed": linearEqns } };
  },
});
