// jvp then partial evaluation, packaged as two printable jaxprs: the known
// part (the primal computation and the residuals it saves) and the linear
// part (tangents in, tangents out, closing over the residuals). This is what
// the `linearize` pass prints and what `tsjax dump --grad` shows step by step.
//
//   known : { lambda consts… ; x… . … in (y…, computed residuals…) }
//   linear: { lambda residuals… ; tx… . … in (ty…) }
//
// The residuals are the linear part's constvars, as in JAX, where the
// function `linearize` returns closes over them. A residual that is an input
// of the program (a primal or a const) is not an output of the known part:
// the caller has it already (partialEval.ts). Every float32 output has a
// tangent output; one that does not depend on the tangents is zero, and the
// linear part computes that zero itself, so its outputs never depend on what
// the known part happened to compute.

import { type Atom, type Jaxpr, type Var, newJaxpr } from "../../ir/core.js";
import { Emitter } from "../batch/emitter.js";
import { jvpJaxpr } from "./jvp.js";
import { type ResidualSource, partialEvalJaxpr } from "./partialEval.js";
import { Ops } from "./rules.js";

export interface LinearizedJaxpr {
  /** The jvp of the input, (consts…, x…, tx…) → (y…, ty…), no constvars. */
  readonly jvp: Jaxpr;
  readonly known: Jaxpr;
  readonly linear: Jaxpr;
  /** Where each residual (constvar of `linear`) comes from, in the numbering of `known`'s constvars then invars. */
  readonly residuals: readonly ResidualSource[];
  /** Per output of the input program: has a tangent output (float32). */
  readonly outTangents: readonly boolean[];
}

/** Linearizes `j` with respect to the invars in `wrt` (constvars are never differentiated). */
export function linearizeJaxpr(j: Jaxpr, wrt: readonly boolean[]): LinearizedJaxpr {
  const nc = j.constvars.length;
  const nx = j.invars.length;
  const nt = wrt.filter(Boolean).length;
  const d = jvpJaxpr(j, wrt);
  const p = partialEvalJaxpr(d.jaxpr, [...Array<boolean>(nc + nx).fill(false), ...Array<boolean>(nt).fill(true)]);
  const nOut = j.outvars.length;
  const primalUnknown = p.outUnknown.slice(0, nOut).findIndex(Boolean);
  if (primalUnknown >= 0) throw new Error(`linearize: primal output ${primalUnknown} depends on the tangents; the jvp rule of the equation computing it is wrong`);

  // Known part: the primal outputs and the computed residuals (the known tangent outputs are zeros the linear part rebuilds).
  const nKnownOuts = p.outUnknown.filter((u) => !u).length;
  const computed = p.known.outvars.slice(nKnownOuts);
  const known = newJaxpr({
    constvars: p.known.invars.slice(0, nc),
    invars: p.known.invars.slice(nc),
    eqns: p.known.eqns,
    outvars: [...p.known.outvars.slice(0, nOut), ...computed],
  });

  // Linear part: every tangent output, zeros where it does not depend on the tangents.
  const nres = p.residuals.length;
  const em = new Emitter();
  const ops = new Ops(em);
  let u = 0;
  const tangentOuts: Atom[] = d.jaxpr.outvars.slice(nOut).map((o, k) => (p.outUnknown[nOut + k] ? p.unknown.outvars[u++]! : ops.zeros(o.aval)));
  const linear = newJaxpr({
    constvars: p.unknown.invars.slice(0, nres) as Var[],
    invars: p.unknown.invars.slice(nres),
    eqns: [...p.unknown.eqns, ...em.eqns],
    outvars: tangentOuts,
  });
  return { jvp: d.jaxpr, known, linear, residuals: p.residuals, outTangents: d.outTangents };
}
