// Differentiation rules of pjit. The rules of the other primitives with
// bodies are in cond.ts, scan.ts and while.ts. They transform their bodies
// with the drivers (jvp.ts, partialEval.ts, transpose.ts), as Recursions, so
// they live beside the drivers; ir/prims/control.ts lists them, importing
// them all from here (the one module of passes/ad it may reach the table
// through: test/ir/primsLayering.test.ts).

import { type Atom } from "../../ir/core.js";
import type { Params } from "../../ir/primitives.js";
import { type Recursion, recurse } from "../../ir/trampoline.js";
import { jvpJaxprRec } from "./jvp.js";
import type { JvpResult, LinearInput, Ops, Tangent } from "./rules.js";
import { transposeJaxprRec } from "./transpose.js";

export { condJvp, condPartialEval, condTranspose } from "./cond.js";
export { scanJvp, scanPartialEval, scanTranspose } from "./scan.js";
export { WhileReverseModeError, whileJvp, whilePartialEval, whileRecordJvp, whileTranspose } from "./while.js";
export { higherOrderError, replayJvp, replayTranspose, tapeReadJvp } from "./replay.js";

/** pjit: a call of the body's jvp, with tangent inputs for the nonzero tangents and tangent outputs for the float outputs. */
export function* pjitJvp(ops: Ops, primals: readonly Atom[], tangents: readonly Tangent[], params: Params["pjit"]): Recursion<JvpResult> {
  const nonzero = tangents.map((t) => t !== null);
  const d = yield* recurse(jvpJaxprRec(params.jaxpr, nonzero));
  const outs = ops.emit("pjit", { jaxpr: d.jaxpr, name: `jvp(${params.name})` }, [...primals, ...tangents.filter((t): t is Atom => t !== null)]);
  const n = params.jaxpr.outvars.length;
  let k = n;
  const outTangents = params.jaxpr.outvars.map((_, i) => (d.outTangents[i] ? outs[k++]! : null));
  return { primals: outs.slice(0, n), tangents: outTangents };
}

/** pjit of a linear body: a call of the body's transpose. */
export function* pjitTranspose(ops: Ops, cts: readonly Tangent[], inputs: readonly LinearInput[], params: Params["pjit"]): Recursion<Tangent[]> {
  if (cts.every((c) => c === null)) return inputs.map(() => null);
  const linear = inputs.map((x) => x.linear);
  const t = yield* recurse(transposeJaxprRec(params.jaxpr, linear));
  const ctIns = cts.map((c, i) => c ?? ops.zeros(params.jaxpr.outvars[i]!.aval));
  const outs = ops.emit("pjit", { jaxpr: t, name: `transpose(${params.name})` }, [...inputs.filter((x) => !x.linear).map((x) => x.atom), ...ctIns]);
  let k = 0;
  return inputs.map((x) => (x.linear ? outs[k++]! : null));
}
export { checkpointJvp, checkpointPartialEval, checkpointTranspose } from "./checkpoint.js";
export { customJvpCallJvp, customVjpBwdJvp, customVjpBwdTranspose, customVjpCallJvp, forwardModeError } from "./custom.js";
