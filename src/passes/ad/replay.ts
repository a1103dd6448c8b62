// Reverse mode through `while` (issue #14; docs/autodiff.md, "while loops").
//
// Partial evaluation of a jvp'd while whose predicate is known splits it into
//
//   known:   carries…, steps, tapes… = while_record(known cond, known body + step counter + residuals)
//   unknown: tangent carries… = replay(steps, tapes…, residual consts…, tangent consts…; tangent carries…)
//
// The known loop runs the primal computation once, counting iterations (per
// row under a batched predicate) and pushing each iteration's residuals onto
// tapes. Residuals that are loop constants (known body consts, or computed
// from them only) are not recorded: they are hoisted out and passed to the
// replay as consts, as scan's partial evaluation does. The replay runs the
// body's linear part once per recorded iteration; with a batched predicate
// its body keeps a row's old tangent where the row was not active
// (`select_n(active, old, new)`), which is what the batched while did.
//
// A replay is linear in its consts' tangents and its carries, and it is an
// ordinary loop over g, so its transpose is the replay run the other way:
// the body transposed (transpose.ts), carrying the carries' cotangents and,
// from zeros, the accumulated cotangents of the linear consts. Under a
// batched predicate the transposed select sends a row's cotangent through the
// body only at the steps where the row was active; a row that was not active
// keeps its cotangent unchanged.

import { type Atom, type Eqn, type Jaxpr, type Var, lit, makeEqn, newJaxpr, newVar } from "../../ir/core.js";
import { type Aval, isShapePrefix, tapeOf } from "../../ir/dtype.js";
import { rulesOf } from "../../ir/prims/index.js";
import { hasBodies } from "../../ir/traverse.js";
import { replayParts, whileParts } from "../../ir/loopOperands.js";
import type { Params } from "../../ir/primitives.js";
import { type Recursion, recurse } from "../../ir/trampoline.js";
import { Emitter } from "../batch/emitter.js";
import { freshCopy } from "../util/fresh.js";
import type { PartialJaxpr } from "./partialEval.js";
import { type JvpResult, type LinearInput, Ops, type PartialEqn, type Tangent, differentiable } from "./rules.js";
import { jvpJaxprRec } from "./jvp.js";
import { copyEqns, invariantEqns } from "./scan.js";
import { transposeJaxprRec } from "./transpose.js";

/** What the split of a jvp'd while needs from whilePartialEval: the eqn, which inputs and carries are unknown, and the split cond and body. */
export interface WhileSplit {
  readonly eqn: Eqn<"while">;
  readonly unknownIns: readonly boolean[];
  readonly carryUk: readonly boolean[];
  readonly body: PartialJaxpr;
  readonly cond: PartialJaxpr;
}

/** Where a residual of the body's unknown part comes from. */
type Residual = { readonly kind: "const"; readonly operand: Atom } | { readonly kind: "recorded"; readonly value: Atom };

/** A while with a known predicate and unknown carries: a recording while now, a replay later. */
export function recordAndReplay({ eqn, unknownIns, carryUk, body, cond }: WhileSplit): PartialEqn {
  const params = eqn.params;
  const { cond_jaxpr, body_nconsts } = params;
  const uk = whileParts(unknownIns, params);
  const ops = whileParts(eqn.inputs, params);
  const predShape = cond_jaxpr.outvars[0]!.aval.shape;
  const stepsAval: Aval = { dtype: "int32", shape: predShape };
  const nKnownBconsts = uk.bodyConsts.filter((u) => !u).length;
  const knownBconstOperands = ops.bodyConsts.filter((_, i) => !uk.bodyConsts[i]);
  const nKnownOuts = body.outUnknown.filter((u) => !u).length;
  const computed = body.known.outvars.slice(nKnownOuts);

  // Residuals that depend on loop constants only are computed once, outside the loop.
  const constVarIds = new Set(body.known.invars.slice(0, nKnownBconsts).map((v) => v.id));
  const { eqns: hoistEqns, invariant } = invariantEqns(body.known, constVarIds, computed);
  const subst = new Map<number, Atom>();
  body.known.invars.slice(0, nKnownBconsts).forEach((v, i) => subst.set(v.id, knownBconstOperands[i]!));
  const hoisted = copyEqns(hoistEqns, subst);
  const residuals: Residual[] = body.residuals.map((r) => {
    if (r.kind === "input") {
      const v = body.known.invars[r.index]!;
      return r.index < nKnownBconsts ? { kind: "const", operand: knownBconstOperands[r.index]! } : { kind: "recorded", value: v };
    }
    const c = computed[r.index]!;
    if (c.kind === "lit") return { kind: "const", operand: c };
    if (invariant.has(c.id)) return { kind: "const", operand: subst.get(c.id) ?? c };
    return { kind: "recorded", value: c };
  });

  // The known loop: the body's known part, a step counter, and the recorded residuals.
  const recorded = residuals.flatMap((r) => (r.kind === "recorded" ? [r.value] : []));
  const k = newVar(stepsAval);
  const k1 = newVar(stepsAval);
  const knownBody = newJaxpr({
    invars: [...body.known.invars, k],
    eqns: [...body.known.eqns, makeEqn("add", {}, [k, lit(1, { dtype: "int32", shape: [] })], [k1])],
    outvars: [...body.known.outvars.slice(0, nKnownOuts), k1, ...recorded],
  });
  const knownCond = newJaxpr({ invars: [...cond.known.invars, newVar(stepsAval)], eqns: cond.known.eqns, outvars: cond.known.outvars.slice(0, 1) });
  const pre = new Emitter();
  const steps0 = new Ops(pre).zeros(stepsAval);
  const steps = newVar(stepsAval);
  const tapes = recorded.map((v) => newVar(tapeOf(v.aval)));
  const knownLoop = makeEqn(
    "while_record",
    {
      cond_jaxpr: freshCopy(knownCond),
      body_jaxpr: freshCopy(knownBody),
      cond_nconsts: uk.condConsts.filter((u) => !u).length,
      body_nconsts: nKnownBconsts,
      num_records: recorded.length,
    },
    [...ops.condConsts.filter((_, i) => !uk.condConsts[i]), ...knownBconstOperands, ...ops.carries.filter((_, i) => !carryUk[i]), steps0],
    [...eqn.outputs.filter((_, i) => !carryUk[i]), steps, ...tapes],
  );

  // The replay: (active, slots…, residual consts…, unknown body consts…, unknown carries…) → unknown carries.
  const resVars = body.unknown.invars.slice(0, residuals.length);
  const ukIns = body.unknown.invars.slice(residuals.length);
  const nUkBconsts = uk.bodyConsts.filter(Boolean).length;
  const ukCarryVars = ukIns.slice(nUkBconsts);
  const constVars = resVars.filter((_, i) => residuals[i]!.kind === "const");
  const constOperands = residuals.flatMap((r) => (r.kind === "const" ? [r.operand] : []));
  const active = newVar({ dtype: "bool", shape: predShape });
  const em = new Emitter();
  const o = new Ops(em);
  // Under a batched predicate a slot also holds what the body computed on rows that were not
  // active (stale, possibly inf or NaN). The linear body multiplies them by zero cotangents,
  // but 0·NaN is NaN, and a cotangent summed over rows (an unbatched weight's) would be
  // poisoned. So a per-row residual reads 1 on inactive rows: a finite, nonzero coefficient.
  const rows = predShape.length > 0 ? rowValues(body.known, nKnownBconsts, predShape) : new Set<number>();
  const maskEqns: Eqn[] = [];
  const slotVars = resVars.flatMap((v, i) => {
    const r = residuals[i]!;
    if (r.kind !== "recorded") return [];
    if (r.value.kind !== "var" || !rows.has(r.value.id)) return [v];
    const slot = newVar(v.aval);
    const mask = v.aval.shape.length === predShape.length ? active : o.broadcast(active, v.aval.shape, predShape.map((_, d) => d));
    maskEqns.push(makeEqn("select_n", {}, [mask, o.full(1, v.aval), slot], [v]));
    return [slot];
  });
  const before = em.eqns.length;
  const outs = body.unknown.outvars.map((nw, i) => {
    if (predShape.length === 0) return nw;
    const old = ukCarryVars[i]!;
    const mask = old.aval.shape.length === predShape.length ? active : o.broadcast(active, old.aval.shape, predShape.map((_, d) => d));
    return o.emit1("select_n", {}, [mask, old, nw]);
  });
  const selects = new Set(em.eqns.slice(before));
  const replayBody = newJaxpr({
    invars: [active, ...slotVars, ...constVars, ...ukIns],
    eqns: [...em.eqns.filter((e) => !selects.has(e)), ...maskEqns, ...body.unknown.eqns, ...em.eqns.filter((e) => selects.has(e))],
    outvars: outs,
  });
  const replay = makeEqn(
    "replay",
    { jaxpr: freshCopy(replayBody), reverse: false, num_tapes: tapes.length, num_consts: constVars.length + nUkBconsts },
    [steps, ...tapes, ...constOperands, ...ops.bodyConsts.filter((_, i) => uk.bodyConsts[i]), ...ops.carries.filter((_, i) => carryUk[i])],
    eqn.outputs.filter((_, i) => carryUk[i]),
  );
  void body_nconsts;
  return { known: [...pre.eqns, ...hoisted, knownLoop], unknown: [replay] };
}

/**
 * The values of a loop body under a batched predicate (shape `rows`) that are
 * per-row with the rows leading: computed from the carries (which have the
 * rows leading) by equations whose every output row reads only the same row
 * of their per-row operands (each primitive's row-locality rule). Values
 * computed from the body's consts alone are the same on every row and need
 * no mask; anything else (a reduction over rows, a nested loop) is left
 * unmasked.
 */
function rowValues(j: Jaxpr, nConsts: number, rows: readonly number[]): Set<number> {
  const perRow = new Set(j.invars.slice(nConsts).map((v) => v.id));
  const uniform = new Set(j.invars.slice(0, nConsts).map((v) => v.id));
  for (const e of j.eqns) {
    const vars = e.inputs.filter((a): a is Var => a.kind === "var");
    if (vars.every((v) => uniform.has(v.id))) {
      e.outputs.forEach((o) => uniform.add(o.id));
      continue;
    }
    if (hasBodies(e) || !vars.every((v) => uniform.has(v.id) || perRow.has(v.id))) continue;
    if (!e.outputs.every((o) => isShapePrefix(rows, o.aval.shape))) continue;
    const reads = rulesOf(e.prim).rowLocality(e as never, rows.length);
    if (e.inputs.every((a, i) => a.kind !== "var" || !perRow.has(a.id) || reads[i] === "row")) e.outputs.forEach((o) => perRow.add(o.id));
  }
  return perRow;
}

/**
 * Reverse mode: the replay run the other way. Carries: the accumulated
 * cotangents of the linear consts (from zeros), then the carries' cotangents.
 * Every carry is treated as linear (one whose init is known, such as
 * instantiated zeros, just gets no cotangent).
 */
export function* replayTranspose(ops: Ops, cts: readonly Tangent[], inputs: readonly LinearInput[], params: Params["replay"]): Recursion<Tangent[]> {
  const { jaxpr, reverse, num_tapes: nt } = params;
  if (cts.every((c) => c === null)) return inputs.map(() => null);
  const parts = replayParts(inputs, params);
  if (parts.steps.linear || parts.tapes.some((t) => t.linear)) throw new Error("replay transpose: steps and tapes are residuals, never linear");
  const constLin = parts.consts.map((x) => x.linear);
  const t = yield* recurse(transposeJaxprRec(jaxpr, [false, ...parts.tapes.map(() => false), ...constLin, ...parts.carries.map(() => true)]));
  // t: (active, slots…, non-linear consts…, carry-out cts…) → (linear const cts…, carry cts…).
  const nRes = 1 + nt + constLin.filter((l) => !l).length;
  const nLinC = constLin.filter(Boolean).length;
  const resIns = t.invars.slice(0, nRes);
  const ctCarry = t.invars.slice(nRes);
  const accIns = t.outvars.slice(0, nLinC).map((a) => newVar(a.aval));
  const accEqns = accIns.map((acc, i) => makeEqn("add", {}, [acc, t.outvars[i]!], [newVar(acc.aval)]));
  const body: Jaxpr = newJaxpr({
    invars: [...resIns, ...accIns, ...ctCarry],
    eqns: [...t.eqns, ...accEqns],
    outvars: [...accEqns.map((e) => e.outputs[0]!), ...t.outvars.slice(nLinC)],
  });
  const carryAvals = jaxpr.outvars.map((v) => v.aval);
  const outs = ops.emit(
    "replay",
    { jaxpr: body, reverse: !reverse, num_tapes: nt, num_consts: nRes - 1 - nt },
    [
      parts.steps.atom,
      ...parts.tapes.map((x) => x.atom),
      ...parts.consts.filter((x) => !x.linear).map((x) => x.atom),
      ...accIns.map((a) => ops.zeros(a.aval)),
      ...cts.map((c, i) => ops.instantiate(c, carryAvals[i]!)),
    ],
  );
  let c = 0;
  let k = nLinC;
  return [
    null,
    ...parts.tapes.map(() => null),
    ...parts.consts.map((x) => (x.linear ? outs[c++]! : null)),
    ...parts.carries.map((x) => {
      const ct = outs[k++]!;
      return x.linear ? ct : null;
    }),
  ];
}

export class TapeDifferentiationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TapeDifferentiationError";
  }
}

const HIGHER_ORDER =
  "differentiating a gradient taken through a whileLoop (grad of grad, hessian, jvp of grad) is not supported yet: " +
  "take both derivatives in forward mode (jacfwd(jacfwd(f))), or use foriLoop with JS-number bounds or scan, which support every order.";

/** Forward mode: one replay over the tapes and their tangent tapes, the consts and their tangents, the carries and their tangents. */
export function* replayJvp(ops: Ops, primals: readonly Atom[], tangents: readonly Tangent[], params: Params["replay"]): Recursion<JvpResult> {
  const { jaxpr, reverse, num_tapes: nt, num_consts: nc } = params;
  const p = replayParts(primals, params);
  const t = replayParts(tangents, params);
  const tapeNz = t.tapes.map((x) => x !== null);
  const constNz = t.consts.map((x) => x !== null);
  const nk = p.carries.length;
  const none = jaxpr.outvars.map(() => false);
  let carryNz = t.carries.map((x, i) => x !== null && differentiable(p.carries[i]!.aval));
  const flags = (): boolean[] => [false, ...tapeNz, ...constNz, ...carryNz];
  let d = yield* recurse(jvpJaxprRec(jaxpr, flags(), none));
  for (;;) {
    const next = carryNz.map((nz, i) => nz || d.outTangents[i]!);
    if (next.every((nz, i) => nz === carryNz[i])) break;
    carryNz = next;
    d = yield* recurse(jvpJaxprRec(jaxpr, flags(), none));
  }
  if (!carryNz.some(Boolean)) return { primals: ops.emit("replay", params, primals), tangents: p.carries.map(() => null) };
  d = yield* recurse(jvpJaxprRec(jaxpr, flags(), carryNz));
  const count = (f: readonly boolean[]): number => f.filter(Boolean).length;
  const [ntt, ntc] = [count(tapeNz), count(constNz)];
  const ins = d.jaxpr.invars;
  const base = 1 + nt + nc + nk;
  const body = newJaxpr({
    invars: [
      ins[0]!, ...ins.slice(1, 1 + nt), ...ins.slice(base, base + ntt),
      ...ins.slice(1 + nt, 1 + nt + nc), ...ins.slice(base + ntt, base + ntt + ntc),
      ...ins.slice(1 + nt + nc, base), ...ins.slice(base + ntt + ntc),
    ],
    eqns: d.jaxpr.eqns,
    outvars: d.jaxpr.outvars,
  });
  const nonNull = (xs: readonly Tangent[]): Atom[] => xs.filter((x): x is Atom => x !== null);
  const carryTangents = p.carries.flatMap((c, i) => (carryNz[i] ? [ops.instantiate(t.carries[i]!, c.aval)] : []));
  const outs = ops.emit(
    "replay",
    { jaxpr: body, reverse, num_tapes: nt + ntt, num_consts: nc + ntc },
    [p.steps, ...p.tapes, ...nonNull(t.tapes), ...p.consts, ...nonNull(t.consts), ...p.carries, ...carryTangents],
  );
  let k = nk;
  return { primals: outs.slice(0, nk), tangents: carryNz.map((nz) => (nz ? outs[k++]! : null)) };
}

/** Forward mode of a tape read: the same slot of the tangent tape. */
export function tapeReadJvp(ops: Ops, [tape, g]: readonly Atom[], [tapeDot]: readonly Tangent[]): JvpResult {
  const slot = ops.emit1("tape_read", {}, [tape!, g!]);
  return { primals: [slot], tangents: [tapeDot ? ops.emit1("tape_read", {}, [tapeDot, g!]) : null] };
}

/** Reverse mode of a loop that records tapes, or of a replay of a tangent tape: not built yet. */
export function higherOrderError(prim: string): never {
  throw new TapeDifferentiationError(`${prim}: ${HIGHER_ORDER}`);
}
