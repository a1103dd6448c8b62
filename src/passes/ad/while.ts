// Differentiation of `while` (and of `foriLoop` with dynamic bounds).
//
// - jvp (JAX's `_while_loop_jvp`): one while over primals and tangents. A
//   carry has a tangent if its init has one or the body gives it one (a least
//   fixpoint); the cond takes the tangent carries as inputs it ignores. A
//   batched (per-row) predicate needs nothing more: the tangent carries have
//   their primals' shapes, so they are per-row too and stop with their rows.
// - partial eval (JAX's `_while_partial_eval`): when the predicate depends
//   only on known values, a while over the known carries computes them now,
//   and the unknown part reruns the whole loop (primals and tangents) later.
//   That makes `linearize` work; the unknown loop is not linear, though.
// - transpose: the per-iteration residuals of a loop with a dynamic trip count
//   have no static size, so reverse mode stops here with an error naming the
//   loop (issue #14 adds a growable tape).

import { type Atom, type Eqn, type Jaxpr, makeEqn, newJaxpr, newVar } from "../../ir/core.js";
import { debugName } from "../../ir/debugNames.js";
import { whileParts } from "../../ir/loopOperands.js";
import type { Params } from "../../ir/primitives.js";
import { type Recursion, recurse } from "../../ir/trampoline.js";
import { freshCopy } from "../util/fresh.js";
import { jvpJaxprRec } from "./jvp.js";
import { type PartialJaxpr, partialEvalJaxprRec } from "./partialEval.js";
import { type JvpResult, type LinearInput, type Ops, type PartialEqn, type Tangent, differentiable } from "./rules.js";

/** Forward mode: one while over (body consts, their tangents, carries, carry tangents); the cond ignores the tangents. */
export function* whileJvp(ops: Ops, primals: readonly Atom[], tangents: readonly Tangent[], params: Params["while"]): Recursion<JvpResult> {
  const { cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts } = params;
  const p = whileParts(primals, params);
  const t = whileParts(tangents, params);
  const constNz = t.bodyConsts.map((x) => x !== null);
  const none = body_jaxpr.outvars.map(() => false);
  let carryNz = t.carries.map((x, i) => x !== null && differentiable(p.carries[i]!.aval));
  for (;;) {
    const d = yield* recurse(jvpJaxprRec(body_jaxpr, [...constNz, ...carryNz], none));
    const next = carryNz.map((nz, i) => nz || d.outTangents[i]!);
    if (next.every((nz, i) => nz === carryNz[i])) break;
    carryNz = next;
  }
  if (!carryNz.some(Boolean)) {
    // Tangents only on consts the carries do not depend on: the loop is a primal computation.
    return { primals: ops.emit("while", params, primals), tangents: p.carries.map(() => null) };
  }
  const d = yield* recurse(jvpJaxprRec(body_jaxpr, [...constNz, ...carryNz], carryNz));
  // d.jaxpr: (bconsts, carries, bconst tangents, carry tangents) → (carries, carry tangents).
  const nb = body_nconsts;
  const nk = p.carries.length;
  const ntc = constNz.filter(Boolean).length;
  const ins = d.jaxpr.invars;
  const body = newJaxpr({ invars: [...ins.slice(0, nb), ...ins.slice(nb + nk, nb + nk + ntc), ...ins.slice(nb, nb + nk), ...ins.slice(nb + nk + ntc)], eqns: d.jaxpr.eqns, outvars: d.jaxpr.outvars });
  const tangentCarries = p.carries.filter((_, i) => carryNz[i]);
  const cond: Jaxpr = newJaxpr({ invars: [...cond_jaxpr.invars, ...tangentCarries.map((c) => newVar(c.aval))], eqns: cond_jaxpr.eqns, outvars: cond_jaxpr.outvars });
  const carryTangents = p.carries.flatMap((c, i) => (carryNz[i] ? [ops.instantiate(t.carries[i]!, c.aval)] : []));
  const outs = ops.emit(
    "while",
    { cond_jaxpr: cond, body_jaxpr: body, cond_nconsts, body_nconsts: nb + ntc },
    [...p.condConsts, ...p.bodyConsts, ...t.bodyConsts.filter((x): x is Atom => x !== null), ...p.carries, ...carryTangents],
  );
  let k = nk;
  return { primals: outs.slice(0, nk), tangents: carryNz.map((nz) => (nz ? outs[k++]! : null)) };
}

/**
 * Partial evaluation: with a known predicate, a while over the known carries
 * (the body's known part) now, and the whole loop, outputting the unknown
 * carries, later. An unknown predicate leaves the whole loop unknown.
 */
export function* whilePartialEval(eqn: Eqn<"while">, unknownIns: readonly boolean[]): Recursion<PartialEqn> {
  const params = eqn.params;
  const { cond_jaxpr, body_jaxpr } = params;
  const uk = whileParts(unknownIns, params);
  let carryUk = uk.carries;
  let body: PartialJaxpr;
  for (;;) {
    body = yield* recurse(partialEvalJaxprRec(body_jaxpr, [...uk.bodyConsts, ...carryUk], carryUk));
    const next = carryUk.map((u, i) => u || body.outUnknown[i]!);
    if (next.every((u, i) => u === carryUk[i])) break;
    carryUk = next;
  }
  const cond = yield* recurse(partialEvalJaxprRec(cond_jaxpr, [...uk.condConsts, ...carryUk]));
  if (cond.outUnknown[0]) return { known: [], unknown: [eqn] };
  const ops = whileParts(eqn.inputs, params);
  const knownCarries = ops.carries.filter((_, i) => !carryUk[i]);
  const nKnownCarries = knownCarries.length;
  const known = makeEqn(
    "while",
    {
      // Fresh binders: the rerun below binds the original vars.
      cond_jaxpr: freshCopy(newJaxpr({ invars: cond.known.invars, eqns: cond.known.eqns, outvars: cond.known.outvars.slice(0, 1) })),
      body_jaxpr: freshCopy(newJaxpr({ invars: body.known.invars, eqns: body.known.eqns, outvars: body.known.outvars.slice(0, nKnownCarries) })),
      cond_nconsts: uk.condConsts.filter((u) => !u).length,
      body_nconsts: uk.bodyConsts.filter((u) => !u).length,
    },
    [...ops.condConsts.filter((_, i) => !uk.condConsts[i]), ...ops.bodyConsts.filter((_, i) => !uk.bodyConsts[i]), ...knownCarries],
    eqn.outputs.filter((_, i) => !carryUk[i]),
  );
  if (!carryUk.some(Boolean)) return { known: [known], unknown: [] };
  // The whole loop again; its known carries come out as fresh vars nobody reads.
  const rerun = makeEqn("while", params, eqn.inputs, eqn.outputs.map((o, i) => (carryUk[i] ? o : newVar(o.aval))));
  return { known: [known], unknown: [rerun] };
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
