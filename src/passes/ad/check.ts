// Differentiation of `check` (ir/prims/check.ts). The check guards the
// tangents and cotangents too: a gradient does not read the primal values
// the check passes on (only what the loop recorded), so without a check on
// the tangent side a failing check would vanish from `grad` with its unused
// primal output. Two equations, so the primal one stays known under partial
// evaluation and the tangent one is linear.
import type { Atom } from "../../ir/core.js";
import type { Params } from "../../ir/primitives.js";
import type { JvpResult, LinearInput, Ops, Tangent } from "./rules.js";

export function checkJvp(ops: Ops, primals: readonly Atom[], tangents: readonly Tangent[], params: Params["check"]): JvpResult {
  const [pred, ...values] = primals;
  const outs = ops.emit("check", params, [pred!, ...values]);
  const nonzero = tangents.slice(1).filter((t): t is Atom => t !== null);
  if (nonzero.length === 0) return { primals: outs, tangents: values.map(() => null) };
  const checked = ops.emit("check", params, [pred!, ...nonzero]);
  let k = 0;
  return { primals: outs, tangents: tangents.slice(1).map((t) => (t === null ? null : checked[k++]!)) };
}

export function checkTranspose(ops: Ops, cts: readonly Tangent[], inputs: readonly LinearInput[], params: Params["check"]): Tangent[] {
  const pred = inputs[0]!.atom;
  const flowing = cts.filter((c): c is Atom => c !== null);
  const checked = flowing.length ? ops.emit("check", params, [pred, ...flowing]) : [];
  let k = 0;
  return [null, ...inputs.slice(1).map((x, i) => (x.linear && cts[i] !== null ? checked[k++]! : null))];
}
