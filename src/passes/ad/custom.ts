// Differentiation rules of the custom-derivative calls (ir/prims/ad.ts,
// frontend/custom.ts), JAX's custom_jvp / custom_vjp:
//
// - custom_jvp_call: the user's jvp rule (`jvp_jaxpr`) is inlined in place of
//   the call. Its equations are ordinary ones, so partial evaluation and
//   transposition treat them as any other (the rule must be linear in the
//   tangents, as JAX requires), and differentiating the result again
//   differentiates the rule (grad of grad).
// - custom_vjp_call: `fwd_jaxpr` is inlined on the primal side; the tangent
//   side is one custom_vjp_bwd equation, linear in the arg tangents, whose
//   transpose inlines `bwd_jaxpr` on the residuals and the cotangents. It
//   cannot be evaluated: forward mode through a custom_vjp function is an
//   error, as in JAX.
//
// Values the user's functions closed over are leading operands (consts); a
// tangent reaching one means the closure captured something being
// differentiated, which the user's rule cannot see: an error saying so.

import type { Atom, Jaxpr } from "../../ir/core.js";
import { avalStr } from "../../ir/dtype.js";
import type { Params } from "../../ir/primitives.js";
import { type JvpResult, type LinearInput, type Ops, type Tangent, differentiable } from "./rules.js";

/** The error for forward mode (jvp, linearize, jacfwd) through a custom_vjp function. */
export function forwardModeError(name: string): Error {
  return new Error(
    `customVjp function '${name}': forward-mode differentiation (jvp, linearize, jacfwd, …) is not supported: ` +
      "a customVjp function only defines reverse mode (grad, vjp, jacrev). Use customJvp for a custom forward-mode rule (reverse mode then transposes it).",
  );
}

/** Emits the equations of the closed jaxpr `j` applied to `args` (its variables are not reused: each emitted equation gets fresh outputs). */
export function emitInline(ops: Ops, j: Jaxpr, args: readonly Atom[]): Atom[] {
  if (j.constvars.length) throw new Error("internal error: emitInline needs a closed jaxpr (no constvars)");
  const env = new Map<number, Atom>();
  j.invars.forEach((v, i) => env.set(v.id, args[i]!));
  const read = (a: Atom): Atom => (a.kind === "lit" ? a : env.get(a.id)!);
  for (const e of j.eqns) {
    const outs = ops.emit(e.prim, e.params, e.inputs.map(read));
    e.outputs.forEach((v, i) => env.set(v.id, outs[i]!));
  }
  return j.outvars.map(read);
}

function checkConstTangents(kind: string, name: string, primals: readonly Atom[], tangents: readonly Tangent[], numConsts: number): void {
  const i = tangents.slice(0, numConsts).findIndex((t) => t !== null);
  if (i < 0) return;
  throw new Error(
    `${kind} function '${name}' closes over a value that is being differentiated (captured value ${i}, ${avalStr(primals[i]!.aval)}): ` +
      "its custom rule cannot see that value's tangent. Pass the value as an argument of the function instead (its tangent then reaches the rule).",
  );
}

/** Output tangents of non-float outputs are symbolic zeros. */
const floatTangents = (outs: readonly Atom[], tangents: readonly Tangent[]): Tangent[] => tangents.map((t, i) => (differentiable(outs[i]!.aval) ? t : null));

export function customJvpCallJvp(ops: Ops, primals: readonly Atom[], tangents: readonly Tangent[], params: Params["custom_jvp_call"]): JvpResult {
  const { call_jaxpr, jvp_jaxpr, num_consts, name } = params;
  checkConstTangents("customJvp", name, primals, tangents, num_consts);
  const argTangents = primals.slice(num_consts).map((p, i) => ops.instantiate(tangents[num_consts + i] ?? null, p.aval));
  const outs = emitInline(ops, jvp_jaxpr, [...primals, ...argTangents]);
  const n = call_jaxpr.outvars.length;
  const outPrimals = outs.slice(0, n);
  // A rule is linear in the tangents, so a tangent output that does not read them is zero
  // (`0.0`, zeros_like): a symbolic zero, rather than a constant the linear part would add to tangents.
  const reads = readsTangents(jvp_jaxpr, primals.length);
  const outTangents = outs.slice(n).map((t, i) => (reads[n + i] ? t : null));
  return { primals: outPrimals, tangents: floatTangents(outPrimals, outTangents) };
}

/** Per output of a jvp rule `(primals…, tangents…) → (…)`: whether it depends on a tangent input (nested bodies as a whole). */
function readsTangents(rule: Jaxpr, nPrimals: number): boolean[] {
  const dependent = new Set<number>(rule.invars.slice(nPrimals).map((v) => v.id));
  for (const e of rule.eqns) if (e.inputs.some((a) => a.kind === "var" && dependent.has(a.id))) e.outputs.forEach((o) => dependent.add(o.id));
  return rule.outvars.map((o) => o.kind === "var" && dependent.has(o.id));
}

export function customVjpCallJvp(ops: Ops, primals: readonly Atom[], tangents: readonly Tangent[], params: Params["custom_vjp_call"]): JvpResult {
  const { call_jaxpr, fwd_jaxpr, bwd_jaxpr, num_consts, name } = params;
  checkConstTangents("customVjp", name, primals, tangents, num_consts);
  const fwdOuts = emitInline(ops, fwd_jaxpr, primals);
  const n = call_jaxpr.outvars.length;
  const outs = fwdOuts.slice(0, n);
  const residuals = fwdOuts.slice(n);
  if (tangents.every((t) => t === null)) return { primals: outs, tangents: outs.map(() => null) };
  const argTangents = primals.slice(num_consts).map((p, i) => ops.instantiate(tangents[num_consts + i] ?? null, p.aval));
  const outTangents = ops.emit("custom_vjp_bwd", { bwd_jaxpr, num_consts, num_res: residuals.length, name }, [...primals.slice(0, num_consts), ...residuals, ...argTangents]);
  return { primals: outs, tangents: floatTangents(outs, outTangents) };
}

/** custom_vjp_bwd has no tangent of its own: differentiating it is forward mode through the custom_vjp function. */
export function customVjpBwdJvp(name: string): never {
  throw forwardModeError(name);
}

/** custom_vjp_bwd transposed: the user's bwd on the residuals and the output cotangents gives the arg cotangents. */
export function customVjpBwdTranspose(ops: Ops, cts: readonly Tangent[], inputs: readonly LinearInput[], params: Params["custom_vjp_bwd"]): Tangent[] {
  const { bwd_jaxpr, num_consts, num_res, name } = params;
  const k = num_consts + num_res;
  const bad = inputs.slice(0, k).findIndex((x) => x.linear);
  if (bad >= 0) {
    throw new Error(`custom_vjp_bwd of '${name}': operand ${bad} (a ${bad < num_consts ? "captured value" : "residual"}) depends on the tangents; only the arg tangents may`);
  }
  if (cts.every((c) => c === null)) return inputs.map(() => null);
  const ctIns = cts.map((c, i) => c ?? ops.zeros(bwd_jaxpr.invars[k + i]!.aval));
  const argCts = emitInline(ops, bwd_jaxpr, [...inputs.slice(0, k).map((x) => x.atom), ...ctIns]);
  return inputs.map((x, i) => (i >= k && x.linear ? argCts[i - k]! : null));
}
