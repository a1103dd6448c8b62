// How a gradient is built, one printable program per step: what
// `tsjax dump FILE --grad NAME --print-after-all` shows, so a user can watch
// reverse mode happen (docs/autodiff.md walks through an example). The steps
// are the ones the frontend's `grad` takes (frontend/ad.ts):
//
//   before AD     inline calls, hoist invariant loop carries, dce
//   jvp           primals and tangents            (passes/ad/jvp.ts)
//   known part    the primal and the residuals    (passes/ad/partialEval.ts)
//   linear part   tangents → tangent, over the residuals; checked linear
//   transpose     cotangent → cotangents          (passes/ad/transpose.ts)
//   cleanup       simplify,cse,dce of the transpose
//   gradient      one program, inputs → (value, gradients): the known part,
//                 then the transpose at cotangent 1.0, inlined and cleaned up
//
// `frontend/ad.ts` replays the known and transposed programs through `bind`
// instead of building the last one, which is what lets grad compose with jit
// and vmap; the programs are the same.

import { type Atom, type Jaxpr, lit, newJaxpr, newVar } from "../../ir/core.js";
import { avalStr } from "../../ir/dtype.js";
import { runPipeline } from "../pipeline.js";
import { freshCopy } from "../util/fresh.js";
import { linearizeJaxpr } from "./linearizeJaxpr.js";
import { differentiable } from "./rules.js";
import { transposeJaxpr } from "./transpose.js";
import { verifyLinear } from "./verifyLinear.js";

/** What runs before differentiation (the same pipeline as frontend/ad.ts's). */
export const BEFORE_AD = "inline,hoist-invariant-carries,dce";
/** What runs on each derived program. */
export const AFTER_AD = "simplify,cse,dce";
/**
 * What runs on a linear part before it is transposed: no cse, which would
 * merge the per-layer broadcasts of one tangent (a bias every layer uses) so
 * that its transpose adds every layer's cotangent before one reduction, a
 * kernel that keeps them all live to the end (the `grad` bench: 19 → 15 ms).
 */
export const LINEAR_CLEANUP = "simplify,dce";

export interface GradientStep {
  /** For the dump header: `// ----- IR after <title> -----`. */
  readonly title: string;
  readonly jaxpr: Jaxpr;
}

/**
 * Constvars as leading invars (the form a pjit body needs), with fresh
 * variables: the known part and the transpose may share vars (a residual
 * both bind), and a var may be bound in one jaxpr only.
 */
const closed = (j: Jaxpr): Jaxpr => freshCopy(newJaxpr({ invars: [...j.constvars, ...j.invars], eqns: j.eqns, outvars: j.outvars }));

/**
 * The steps of `valueAndGrad` of `j` (a function returning one float32
 * scalar) with respect to every float32 input; the last step is the gradient
 * program: (consts; inputs…) → (value, gradient of each float32 input…).
 */
export function gradientSteps(traced: Jaxpr, what = "the function"): GradientStep[] {
  const out = traced.outvars;
  if (out.length !== 1 || out[0]!.aval.shape.length !== 0 || !differentiable(out[0]!.aval)) {
    const got = out.length === 1 ? avalStr(out[0]!.aval) : `${out.length} outputs`;
    throw new Error(`grad: ${what} must return one float32 scalar, got ${got}; reduce it (e.g. np.sum or np.mean)`);
  }
  const wrt = traced.invars.map((v) => differentiable(v.aval));
  if (!wrt.some(Boolean)) throw new Error(`grad: ${what} has no float32 input to differentiate (inputs: ${traced.invars.map((v) => avalStr(v.aval)).join(", ") || "none"})`);

  const prepared = runPipeline(traced, BEFORE_AD).jaxpr;
  const lin = linearizeJaxpr(prepared, wrt);
  verifyLinear(lin.linear, lin.linear.invars.map(() => true));
  const linear = runPipeline(lin.linear, LINEAR_CLEANUP).jaxpr;
  const nres = linear.constvars.length;
  const t = transposeJaxpr(linear, linear.invars.map(() => true));
  const transposed = newJaxpr({ constvars: t.invars.slice(0, nres), invars: t.invars.slice(nres), eqns: t.eqns, outvars: t.outvars });
  const cleaned = runPipeline(transposed, AFTER_AD).jaxpr;
  const known = runPipeline(lin.known, "dce").jaxpr;

  // The gradient program: call the known part, then the transpose on its residuals with cotangent 1.
  const consts = prepared.constvars.map((v) => newVar(v.aval));
  const inputs = prepared.invars.map((v) => newVar(v.aval));
  const knownOuts = known.outvars.map((o) => newVar(o.aval));
  const knownInputs: Atom[] = [...consts, ...inputs];
  const residuals = lin.residuals.map((r) => (r.kind === "input" ? knownInputs[r.index]! : knownOuts[1 + r.index]!));
  const grads = cleaned.outvars.map((o) => newVar(o.aval));
  const one = lit(1, out[0]!.aval);
  const program = newJaxpr({
    constvars: consts,
    invars: inputs,
    eqns: [
      { prim: "pjit", params: { jaxpr: closed(known), name: "known" }, inputs: knownInputs, outputs: knownOuts },
      { prim: "pjit", params: { jaxpr: closed(cleaned), name: "transpose" }, inputs: [...residuals, one], outputs: grads },
    ],
    outvars: [knownOuts[0]!, ...grads],
  });
  const gradient = runPipeline(program, `inline,${AFTER_AD}`).jaxpr;

  return [
    { title: `${BEFORE_AD} (before AD)`, jaxpr: prepared },
    { title: "jvp (inputs, then one tangent per float input → output, then its tangent)", jaxpr: lin.jvp },
    { title: "partial eval: known part (inputs → output, then the residuals it computes)", jaxpr: known },
    { title: "partial eval: linear part (residuals as constvars; tangents → tangent), checked linear", jaxpr: lin.linear },
    { title: "transpose (residuals as constvars; cotangent → one cotangent per float input)", jaxpr: transposed },
    { title: `cleanup (${AFTER_AD})`, jaxpr: cleaned },
    { title: "gradient (inputs → value, then the gradient of each float input)", jaxpr: gradient },
  ];
}
