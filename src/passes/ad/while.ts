// Differentiation of `while` (and of `foriLoop` with dynamic bounds).
//
// - jvp (JAX's `_while_loop_jvp`): one while over primals and tangents. A
//   carry has a tangent if its init has one or the body gives it one (a least
//   fixpoint); the cond takes the tangent carries as inputs it ignores. A
//   batched (per-row) predicate needs nothing more: the tangent carries have
//   their primals' shapes, so they are per-row too and stop with their rows.
// - partial eval: when the predicate depends only on known values, the known
//   part is a `while_record` that runs the primal loop once, counting its
//   iterations and pushing each one's residuals onto tapes, and the unknown
//   part is a `replay` of the body's linear part over those tapes (replay.ts).
//   JAX's `_while_partial_eval` instead reruns the whole loop later, which is
//   not linear, so JAX cannot transpose it.
// - transpose: a `while` is never linear (its linear part is a replay); one
//   left whole by partial evaluation (a predicate that depends on tangents,
//   which no jvp produces) is an error naming the loop.

import { type Atom, type Eqn, type Jaxpr, makeEqn, newJaxpr, newVar } from "../../ir/core.js";
import { recordAndReplay } from "./replay.js";
import { debugName } from "../../ir/debugNames.js";
import { whileParts } from "../../ir/loopOperands.js";
import type { Params } from "../../ir/primitives.js";
import { type Recursion, recurse } from "../../ir/trampoline.js";
import { freshCopy } from "../util/fresh.js";
import { carryFixpoint } from "./carryFixpoint.js";
import { jvpJaxprRec } from "./jvp.js";
import { partialEvalJaxprRec } from "./partialEval.js";
import { type JvpResult, type LinearInput, type Ops, type PartialEqn, type Tangent, differentiable } from "./rules.js";

/** Forward mode: one while over (body consts, their tangents, carries, carry tangents); the cond ignores the tangents. */
export function* whileJvp(ops: Ops, primals: readonly Atom[], tangents: readonly Tangent[], params: Params["while"]): Recursion<JvpResult> {
  return yield* loopJvp(ops, primals, tangents, params, 0);
}

/** Forward mode of a recording while: the same loop, also recording the recorded values' tangents (a tape's tangent is the tape of its slots' tangents). */
export function* whileRecordJvp(ops: Ops, primals: readonly Atom[], tangents: readonly Tangent[], params: Params["while_record"]): Recursion<JvpResult> {
  return yield* loopJvp(ops, primals, tangents, params, params.num_records);
}

/**
 * jvp of a while (nRecords = 0) or a while_record, whose body returns
 * `nRecords` recorded values after its carries and which returns one tape per
 * recorded value after its carries.
 */
function* loopJvp(ops: Ops, primals: readonly Atom[], tangents: readonly Tangent[], params: Params["while"], nRecords: number): Recursion<JvpResult> {
  const { cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts } = params;
  const p = whileParts(primals, params);
  const t = whileParts(tangents, params);
  const constNz = t.bodyConsts.map((x) => x !== null);
  const none = body_jaxpr.outvars.map(() => false);
  const nk = p.carries.length;
  const fix = yield* carryFixpoint(
    t.carries.map((x, i) => x !== null && differentiable(p.carries[i]!.aval)),
    (carryNz) => jvpJaxprRec(body_jaxpr, [...constNz, ...carryNz], none),
    (r) => r.outTangents,
  );
  const carryNz = fix.flags;
  let d = fix.result;
  const recordNz = d.outTangents.slice(nk);
  if (!carryNz.some(Boolean) && !recordNz.some(Boolean)) {
    // Tangents only on consts the carries do not depend on: the loop is a primal computation.
    return { primals: nRecords ? ops.emit("while_record", { ...params, num_records: nRecords }, primals) : ops.emit("while", params, primals), tangents: Array.from({ length: nk + nRecords }, () => null) };
  }
  d = yield* recurse(jvpJaxprRec(body_jaxpr, [...constNz, ...carryNz], [...carryNz, ...recordNz]));
  // d.jaxpr: (bconsts, carries, bconst tangents, carry tangents) → (carries, records, carry tangents, record tangents).
  const nb = body_nconsts;
  const ntc = constNz.filter(Boolean).length;
  const ntk = carryNz.filter(Boolean).length;
  const ins = d.jaxpr.invars;
  const o = d.jaxpr.outvars;
  const body = newJaxpr({
    invars: [...ins.slice(0, nb), ...ins.slice(nb + nk, nb + nk + ntc), ...ins.slice(nb, nb + nk), ...ins.slice(nb + nk + ntc)],
    eqns: d.jaxpr.eqns,
    // (carries, carry tangents, records, record tangents)
    outvars: [...o.slice(0, nk), ...o.slice(nk + nRecords, nk + nRecords + ntk), ...o.slice(nk, nk + nRecords), ...o.slice(nk + nRecords + ntk)],
  });
  const tangentCarries = p.carries.filter((_, i) => carryNz[i]);
  const cond: Jaxpr = newJaxpr({ invars: [...cond_jaxpr.invars, ...tangentCarries.map((c) => newVar(c.aval))], eqns: cond_jaxpr.eqns, outvars: cond_jaxpr.outvars });
  const carryTangents = p.carries.flatMap((c, i) => (carryNz[i] ? [ops.instantiate(t.carries[i]!, c.aval)] : []));
  const loopParams = { cond_jaxpr: cond, body_jaxpr: body, cond_nconsts, body_nconsts: nb + ntc };
  const operands = [...p.condConsts, ...p.bodyConsts, ...t.bodyConsts.filter((x): x is Atom => x !== null), ...p.carries, ...carryTangents];
  const nRecordTangents = recordNz.filter(Boolean).length;
  const outs = nRecords
    ? ops.emit("while_record", { ...loopParams, num_records: nRecords + nRecordTangents }, operands)
    : ops.emit("while", loopParams, operands);
  let k = nk;
  let r = nk + ntk + nRecords;
  return {
    primals: [...outs.slice(0, nk), ...outs.slice(nk + ntk, nk + ntk + nRecords)],
    tangents: [...carryNz.map((nz) => (nz ? outs[k++]! : null)), ...recordNz.map((nz) => (nz ? outs[r++]! : null))],
  };
}

/**
 * Partial evaluation: with a known predicate, a recording while now and a
 * replay of the linear part later (replay.ts), or just the known loop when no
 * carry is unknown. An unknown predicate leaves the whole loop unknown.
 */
export function* whilePartialEval(eqn: Eqn<"while"> | Eqn<"while_record">, unknownIns: readonly boolean[]): Recursion<PartialEqn> {
  const params = eqn.params;
  const { cond_jaxpr, body_jaxpr } = params;
  const uk = whileParts(unknownIns, params);
  const nk = uk.carries.length;
  const { flags: carryUk, result: body } = yield* carryFixpoint(uk.carries, (f) => partialEvalJaxprRec(body_jaxpr, [...uk.bodyConsts, ...f], f), (r) => r.outUnknown);
  const cond = yield* recurse(partialEvalJaxprRec(cond_jaxpr, [...uk.condConsts, ...carryUk]));
  if (cond.outUnknown[0]) {
    if (eqn.prim === "while_record") throw new Error("while_record partial evaluation: its predicate reads an unknown value");
    return { known: [], unknown: [eqn] };
  }
  if (body.outUnknown.some(Boolean)) return recordAndReplay({ eqn, unknownIns, carryUk, body, cond });
  // Nothing unknown comes out of the loop: it is a primal computation, run now.
  const ops = whileParts(eqn.inputs, params);
  const loopParams = {
    cond_jaxpr: freshCopy(newJaxpr({ invars: cond.known.invars, eqns: cond.known.eqns, outvars: cond.known.outvars.slice(0, 1) })),
    body_jaxpr: freshCopy(newJaxpr({ invars: body.known.invars, eqns: body.known.eqns, outvars: body.known.outvars.slice(0, body_jaxpr.outvars.length) })),
    cond_nconsts: uk.condConsts.filter((u) => !u).length,
    body_nconsts: uk.bodyConsts.filter((u) => !u).length,
  };
  const operands = [...ops.condConsts.filter((_, i) => !uk.condConsts[i]), ...ops.bodyConsts.filter((_, i) => !uk.bodyConsts[i]), ...ops.carries];
  const known = eqn.prim === "while_record"
    ? makeEqn("while_record", { ...loopParams, num_records: body_jaxpr.outvars.length - nk }, operands, eqn.outputs)
    : makeEqn("while", loopParams, operands, eqn.outputs);
  return { known: [known], unknown: [] };
}

export class WhileReverseModeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WhileReverseModeError";
  }
}

/** Reverse mode through a dynamic trip count: an error saying which loop and what to use instead. */
export function whileTranspose(_ops: Ops, _cts: readonly Tangent[], _inputs: readonly LinearInput[], params: Params["while"]): never {
  const { body_jaxpr, cond_jaxpr, body_nconsts, cond_nconsts } = params;
  const names = body_jaxpr.invars.slice(body_nconsts).map((v, i) => debugName(v) ?? debugName(cond_jaxpr.invars[cond_nconsts + i]!));
  const named = names.filter((n): n is string => n !== undefined);
  const which = named.length ? `the whileLoop with carry ${named.join(", ")}` : `a whileLoop with ${names.length} carr${names.length === 1 ? "y" : "ies"} (${body_jaxpr.invars.slice(body_nconsts).map((v) => `${v.aval.dtype}[${v.aval.shape.join(",")}]`).join(", ")})`;
  throw new WhileReverseModeError(
    `grad: reverse-mode differentiation through ${which} is not supported: its trip count is dynamic, so the values the backward pass needs from each iteration have no static size. ` +
      "Use foriLoop with JS-number bounds or scan (both have a static trip count and support grad), or forward mode (jvp, linearize), which works through whileLoop.",
  );
}
