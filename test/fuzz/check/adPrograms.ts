// The derivative programs of a generated program, built with the AD passes
// the way the frontend builds them (frontend/ad.ts, passes/ad/gradientSteps.ts):
//
//   jvp program: (x…, t…)  → (y…, ty…)   jvpJaxpr, one t per float input,
//                                        one ty per float output
//   vjp program: (x…, c…)  → (y…, cx…)   BEFORE_AD, jvp → partial eval
//                                        (linearizeJaxpr) → linearity check →
//                                        transpose, the known part and the
//                                        transpose called with the cotangents
//                                        c (one per float output), inlined and
//                                        cleaned up with AFTER_AD
//
// Both are ordinary jaxprs, so every backend can run them and the
// interpreter is their reference.

import { type Atom, type Jaxpr, newJaxpr, newVar } from "../../../src/ir/core.js";
import { jvpJaxpr } from "../../../src/passes/ad/jvp.js";
import { AFTER_AD, BEFORE_AD } from "../../../src/passes/ad/gradientSteps.js";
import { linearizeJaxpr } from "../../../src/passes/ad/linearizeJaxpr.js";
import { differentiable } from "../../../src/passes/ad/rules.js";
import { transposeJaxpr } from "../../../src/passes/ad/transpose.js";
import { verifyLinear } from "../../../src/passes/ad/verifyLinear.js";
import { runPipeline } from "../../../src/passes/index.js";
import { freshCopy } from "../../../src/passes/util/fresh.js";

/** Which inputs get tangents and which outputs have them: the float32 ones. */
export interface AdShape {
  readonly wrt: readonly boolean[];
  readonly floatOuts: readonly boolean[];
}

export function adShape(j: Jaxpr): AdShape {
  return { wrt: j.invars.map((v) => differentiable(v.aval)), floatOuts: j.outvars.map((o) => differentiable(o.aval)) };
}

/** Constvars as leading invars (what a pjit body needs), with fresh variables: the known part and the transpose share the residuals' vars. */
const closed = (j: Jaxpr): Jaxpr => freshCopy(newJaxpr({ invars: [...j.constvars, ...j.invars], eqns: j.eqns, outvars: j.outvars }));

function noConsts(j: Jaxpr, what: string): void {
  if (j.constvars.length) throw new Error(`${what}: generated programs have no constvars, this one has ${j.constvars.length}`);
}

/** (x…, t…) → (y…, ty…): forward mode of `j` in every float input, a tangent for every float output. */
export function jvpProgram(j: Jaxpr): Jaxpr {
  noConsts(j, "jvpProgram");
  return jvpJaxpr(j, adShape(j).wrt).jaxpr;
}

/** (x…, c…) → (y…, cx…): reverse mode of `j`, one cotangent per float output in, one per float input out. */
export function vjpProgram(j: Jaxpr): Jaxpr {
  noConsts(j, "vjpProgram");
  const { wrt } = adShape(j);
  const prepared = runPipeline(j, BEFORE_AD).jaxpr;
  const lin = linearizeJaxpr(prepared, wrt);
  verifyLinear(lin.linear, lin.linear.invars.map(() => true));
  const nres = lin.linear.constvars.length;
  const t = transposeJaxpr(lin.linear, lin.linear.invars.map(() => true));
  const transposed = runPipeline(newJaxpr({ constvars: t.invars.slice(0, nres), invars: t.invars.slice(nres), eqns: t.eqns, outvars: t.outvars }), AFTER_AD).jaxpr;
  const known = runPipeline(lin.known, "dce").jaxpr;

  const inputs = prepared.invars.map((v) => newVar(v.aval));
  // linearizeJaxpr gives every float32 output a tangent output, in order: those take the cotangents.
  const cts = prepared.outvars.filter((o) => differentiable(o.aval)).map((o) => newVar(o.aval));
  const knownOuts = known.outvars.map((o) => newVar(o.aval));
  const nOut = prepared.outvars.length;
  const residuals: Atom[] = lin.residuals.map((r) => (r.kind === "input" ? inputs[r.index]! : knownOuts[nOut + r.index]!));
  const grads = transposed.outvars.map((o) => newVar(o.aval));
  const program = newJaxpr({
    invars: [...inputs, ...cts],
    eqns: [
      { prim: "pjit", params: { jaxpr: closed(known), name: "known" }, inputs: [...inputs], outputs: knownOuts },
      { prim: "pjit", params: { jaxpr: closed(transposed), name: "transpose" }, inputs: [...residuals, ...cts], outputs: grads },
    ],
    outvars: [...knownOuts.slice(0, nOut), ...grads],
  });
  return runPipeline(program, `inline,${AFTER_AD}`, { verify: true }).jaxpr;
}
