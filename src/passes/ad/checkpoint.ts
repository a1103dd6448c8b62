// Differentiation rules of `checkpoint` (JAX's remat_p, jax/_src/ad_checkpoint.py):
// a call whose intermediates reverse mode recomputes instead of storing.
//
// - jvp: the jvp of the body, wrapped in a checkpoint again, so that partial
//   evaluation still sees the boundary.
// - partial eval: the known part is a checkpoint of the body's known part that
//   returns the primal outputs only (it saves no residuals: what the body
//   computed is dropped); the unknown part is the whole jvp'd call again, its
//   known operands (the call's inputs, not its intermediates) becoming the
//   residuals, so it recomputes the primal intermediates beside the tangents.
// - transpose: the body of a checkpoint in a linear program mixes primal
//   recomputation (equations reading only residuals) with linear equations.
//   As JAX's remat_transpose does, the body is split again by partial
//   evaluation (linear operands unknown): the transposed body runs the known
//   part forward (the recomputation, including loops, which partial eval
//   splits with their own rules) and then the transpose of the linear part.
//   It is a checkpoint again, so differentiating the gradient recomputes too.

import { type Atom, type Eqn, type Jaxpr, makeEqn, newJaxpr, newVar } from "../../ir/core.js";
import type { Params } from "../../ir/primitives.js";
import { type Recursion, recurse } from "../../ir/trampoline.js";
import { dce } from "../dce.js";
import { freshCopy } from "../util/fresh.js";
import { keep } from "../util/liveness.js";
import { jvpJaxprRec } from "./jvp.js";
import { partialEvalJaxprRec } from "./partialEval.js";
import type { JvpResult, LinearInput, Ops, PartialEqn, Tangent } from "./rules.js";
import { transposeJaxprRec } from "./transpose.js";

/** `j` returning only the outputs flagged, without what only the others needed, and without the inputs nothing reads (`usedIns`). */
function restrict(j: Jaxpr, outs: readonly boolean[]): { jaxpr: Jaxpr; usedIns: boolean[] } {
  const pruned = dce.run(newJaxpr({ invars: j.invars, eqns: j.eqns, outvars: keep(j.outvars, outs) }), {}).jaxpr;
  const read = new Set<number>();
  const note = (a: Atom): void => void (a.kind === "var" && read.add(a.id));
  pruned.eqns.forEach((e) => e.inputs.forEach(note));
  pruned.outvars.forEach(note);
  const usedIns = pruned.invars.map((v) => read.has(v.id));
  // Fresh variables: the known and unknown bodies are cut from one jaxpr and would otherwise bind the same vars.
  return { jaxpr: freshCopy({ ...pruned, invars: keep(pruned.invars, usedIns) }), usedIns };
}

/** checkpoint: a checkpoint of the body's jvp (tangent inputs for the nonzero tangents, tangent outputs where the body gives one). */
export function* checkpointJvp(ops: Ops, primals: readonly Atom[], tangents: readonly Tangent[], params: Params["checkpoint"]): Recursion<JvpResult> {
  const d = yield* recurse(jvpJaxprRec(params.jaxpr, tangents.map((t) => t !== null)));
  const outs = ops.emit("checkpoint", { jaxpr: d.jaxpr, name: params.name }, [...primals, ...tangents.filter((t): t is Atom => t !== null)]);
  const n = params.jaxpr.outvars.length;
  let k = n;
  const outTangents = params.jaxpr.outvars.map((_, i) => (d.outTangents[i] ? outs[k++]! : null));
  return { primals: outs.slice(0, n), tangents: outTangents };
}

/** checkpoint with some operands unknown: the known outputs without residuals, the unknown ones recomputed from the call's operands. */
export function* checkpointPartialEval(eqn: Eqn<"checkpoint">, unknownIns: readonly boolean[]): Recursion<PartialEqn> {
  const { jaxpr, name } = eqn.params;
  const split = yield* recurse(partialEvalJaxprRec(jaxpr, unknownIns));
  const outUnknown = split.outUnknown;
  const known: Eqn[] = [];
  if (outUnknown.some((u) => !u)) {
    // The known body's outputs are its known outputs, then residuals: keep the former only.
    const nKnown = outUnknown.filter((u) => !u).length;
    const body = restrict(split.known, split.known.outvars.map((_, i) => i < nKnown));
    const operands = keep(keep(eqn.inputs, unknownIns.map((u) => !u)), body.usedIns);
    known.push(makeEqn("checkpoint", { jaxpr: body.jaxpr, name }, operands, keep(eqn.outputs, outUnknown.map((u) => !u))));
  }
  if (!outUnknown.some(Boolean)) return { known, unknown: [] };
  const body = restrict(jaxpr, outUnknown);
  const unknown = makeEqn("checkpoint", { jaxpr: body.jaxpr, name }, keep(eqn.inputs, body.usedIns), keep(eqn.outputs, outUnknown));
  return { known, unknown: [unknown] };
}

/** checkpoint in a linear program: a checkpoint of the body's transpose, which recomputes the body's primal part first. */
export function* checkpointTranspose(ops: Ops, cts: readonly Tangent[], inputs: readonly LinearInput[], params: Params["checkpoint"]): Recursion<Tangent[]> {
  if (cts.every((c) => c === null)) return inputs.map(() => null);
  const { jaxpr, name } = params;
  const linear = inputs.map((x) => x.linear);
  const split = yield* recurse(partialEvalJaxprRec(jaxpr, linear));
  // Outputs the body computes from residuals alone are not linear values: they have no cotangent to pass on.
  const unknownOuts = split.outUnknown;
  const t = yield* recurse(transposeJaxprRec(split.unknown, split.unknown.invars.map((_, i) => i >= split.residuals.length)));

  // The transposed body: (non-linear operands…, cotangents of the unknown outputs…) → cotangents of the linear operands.
  const knownBody = freshCopy(split.known);
  const nKnownOuts = unknownOuts.filter((u) => !u).length;
  const residualAtoms = split.residuals.map((r) => (r.kind === "input" ? knownBody.invars[r.index]! : knownBody.outvars[nKnownOuts + r.index]!));
  const ctVars = keep(jaxpr.outvars, unknownOuts).map((o) => newVar(o.aval));
  const linearCts = t.outvars.map((o) => newVar(o.aval));
  const call = makeEqn("pjit", { jaxpr: t, name: `transpose(${name})` }, [...residualAtoms, ...ctVars], linearCts);
  const transposed = newJaxpr({ invars: [...knownBody.invars, ...ctVars], eqns: [...knownBody.eqns, call], outvars: linearCts });

  const ctIns = keep(cts.map((c, i) => c ?? ops.zeros(jaxpr.outvars[i]!.aval)), unknownOuts);
  const outs = ops.emit("checkpoint", { jaxpr: transposed, name: `transpose(${name})` }, [...inputs.filter((x) => !x.linear).map((x) => x.atom), ...ctIns]);
  let k = 0;
  return inputs.map((x) => (x.linear ? outs[k++]! : null));
}
