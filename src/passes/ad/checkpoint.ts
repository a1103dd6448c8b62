// Differentiation of `checkpoint` (jax.checkpoint / remat; ir/prims/ad.ts).
//
// - jvp: the jvp of the body, called as a checkpoint again, so that partial
//   evaluation sees it;
// - partial eval: the known part is the call of the body's known part that
//   returns only the known outputs (its residuals are not outputs, so dce
//   drops what computed them); the unknown part is the whole call again, on
//   the known inputs as residuals: it recomputes the body's intermediates
//   where the linear part needs them instead of storing them;
// - transpose: the body transposed (transpose.ts evaluates its equations on
//   residuals forward, the recomputation, then the linear ones backwards),
//   called as an ordinary call.

import { type Atom, type Eqn, makeEqn, newJaxpr, newVar } from "../../ir/core.js";
import type { Params } from "../../ir/primitives.js";
import { type Recursion, recurse } from "../../ir/trampoline.js";
import { freshCopy } from "../util/fresh.js";
import { jvpJaxprRec } from "./jvp.js";
import { partialEvalJaxprRec } from "./partialEval.js";
import type { JvpResult, LinearInput, Ops, PartialEqn, Tangent } from "./rules.js";
import { transposeJaxprRec } from "./transpose.js";

export function* checkpointJvp(ops: Ops, primals: readonly Atom[], tangents: readonly Tangent[], params: Params["checkpoint"]): Recursion<JvpResult> {
  const nonzero = tangents.map((t) => t !== null);
  const d = yield* recurse(jvpJaxprRec(params.jaxpr, nonzero));
  const outs = ops.emit("checkpoint", { jaxpr: d.jaxpr, name: params.name }, [...primals, ...tangents.filter((t): t is Atom => t !== null)]);
  const n = params.jaxpr.outvars.length;
  let k = n;
  return { primals: outs.slice(0, n), tangents: params.jaxpr.outvars.map((_, i) => (d.outTangents[i] ? outs[k++]! : null)) };
}

export function* checkpointPartialEval(eqn: Eqn<"checkpoint">, unknownIns: readonly boolean[]): Recursion<PartialEqn> {
  const { jaxpr, name } = eqn.params;
  const p = yield* recurse(partialEvalJaxprRec(jaxpr, unknownIns));
  const knownOuts = p.outUnknown.filter((u) => !u).length;
  const knownBody = freshCopy(newJaxpr({ invars: p.known.invars, eqns: p.known.eqns, outvars: p.known.outvars.slice(0, knownOuts) }));
  const known = makeEqn("checkpoint", { jaxpr: knownBody, name }, eqn.inputs.filter((_, i) => !unknownIns[i]), eqn.outputs.filter((_, i) => !p.outUnknown[i]));
  if (!p.outUnknown.some(Boolean)) return { known: [known], unknown: [] };
  // The whole call again; its known outputs come out as fresh vars nobody reads.
  const rerun = makeEqn("checkpoint", eqn.params, eqn.inputs, eqn.outputs.map((o, i) => (p.outUnknown[i] ? o : newVar(o.aval))));
  return { known: [known], unknown: [rerun] };
}

export function* checkpointTranspose(ops: Ops, cts: readonly Tangent[], inputs: readonly LinearInput[], params: Params["checkpoint"]): Recursion<Tangent[]> {
  if (cts.every((c) => c === null)) return inputs.map(() => null);
  const linear = inputs.map((x) => x.linear);
  const t = yield* recurse(transposeJaxprRec(params.jaxpr, linear));
  const ctIns = cts.map((c, i) => c ?? ops.zeros(params.jaxpr.outvars[i]!.aval));
  const outs = ops.emit("pjit", { jaxpr: t, name: `transpose(${params.name})` }, [...inputs.filter((x) => !x.linear).map((x) => x.atom), ...ctIns]);
  let k = 0;
  return inputs.map((x) => (x.linear ? outs[k++]! : null));
}
