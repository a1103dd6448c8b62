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
import { type Aval, isShapePrefix, isTape, slotOf, tapeOf } from "../../ir/dtype.js";
import { rulesOf } from "../../ir/prims/index.js";
import { hasBodies } from "../../ir/traverse.js";
import { replayParts, whileParts } from "../../ir/loopOperands.js";
import type { Params } from "../../ir/primitives.js";
import { type Recursion, recurse } from "../../ir/trampoline.js";
import { Emitter } from "../batch/emitter.js";
import { freshCopy } from "../util/fresh.js";
import { type PartialJaxpr, partialEvalJaxprRec } from "./partialEval.js";
import { type JvpResult, type LinearInput, Ops, type PartialEqn, type Tangent, differentiable } from "./rules.js";
import { carryFixpoint } from "./carryFixpoint.js";
import { jvpJaxprRec } from "./jvp.js";
import { copyEqns, invariantEqns } from "./scan.js";
import { transposeJaxprRec } from "./transpose.js";

/** What the split of a jvp'd while (or while_record) needs: the eqn, which inputs and carries are unknown, and the split cond and body. */
export interface WhileSplit {
  readonly eqn: Eqn<"while"> | Eqn<"while_record">;
  readonly unknownIns: readonly boolean[];
  readonly carryUk: readonly boolean[];
  readonly body: PartialJaxpr;
  readonly cond: PartialJaxpr;
}

/** Where a residual of a loop body's unknown part comes from. */
type Residual =
  | { readonly kind: "const"; readonly operand: Atom }
  | { readonly kind: "recorded"; readonly value: Atom }
  /** replay only: a known slot (the tape itself is passed on) or the active mask. */
  | { readonly kind: "slot"; readonly tape: Atom }
  | { readonly kind: "active" };

/** Residuals by source, with the invariant ones computed once outside the loop. */
function classifyResiduals(body: PartialJaxpr, classifyInput: (index: number, v: Var) => Residual, constInvars: readonly Var[], constOperands: readonly Atom[], nKnownOuts: number): { residuals: Residual[]; hoisted: Eqn[] } {
  const computed = body.known.outvars.slice(nKnownOuts);
  const { eqns: hoistEqns, invariant } = invariantEqns(body.known, new Set(constInvars.map((v) => v.id)), computed);
  const subst = new Map<number, Atom>();
  constInvars.forEach((v, i) => subst.set(v.id, constOperands[i]!));
  const hoisted = copyEqns(hoistEqns, subst);
  const residuals = body.residuals.map((r): Residual => {
    if (r.kind === "input") return classifyInput(r.index, body.known.invars[r.index]!);
    const c = computed[r.index]!;
    if (c.kind === "lit") return { kind: "const", operand: c };
    if (invariant.has(c.id)) return { kind: "const", operand: subst.get(c.id) ?? c };
    return { kind: "recorded", value: c };
  });
  return { residuals, hoisted };
}

/** A replay's body, made from a loop body's unknown part: invars `active, slots…, consts…` (then the unknown inputs), equations, outputs. */
interface LinearBody {
  readonly active: Var;
  readonly slots: Var[];
  readonly consts: Var[];
  readonly eqns: Eqn[];
  readonly outvars: Atom[];
}

/**
 * The linear body of a replay: the body's unknown part reading its residuals
 * as slots (recorded ones, and known tapes passed on) and consts, and the
 * replay's `active` mask where it had one as a residual. Under a batched
 * predicate (`active` of rank > 0) the per-row recorded residuals (`rows`)
 * read 1 on inactive rows, and, when `oldCarries` are given, a row keeps its
 * old carry where it was not active (what a batched while does).
 */
function linearBody(body: PartialJaxpr, residuals: readonly Residual[], activeAval: Aval, rows: ReadonlySet<number>, oldCarries: readonly Var[]): LinearBody {
  const resVars = body.unknown.invars.slice(0, residuals.length);
  const activeAt = residuals.findIndex((r) => r.kind === "active");
  const active = activeAt >= 0 ? resVars[activeAt]! : newVar(activeAval);
  const rowAxes = activeAval.shape.map((_, d) => d);
  const onRows = (o: Ops, a: Aval): Atom => (a.shape.length === rowAxes.length ? active : o.broadcast(active, a.shape, rowAxes));
  const pre = new Emitter();
  const preOps = new Ops(pre);
  const masks: Eqn[] = [];
  const slots: Var[] = [];
  const consts: Var[] = [];
  resVars.forEach((v, i) => {
    const r = residuals[i]!;
    if (r.kind === "active") return;
    if (r.kind === "const") return void consts.push(v);
    // A per-row recorded residual reads 1 on inactive rows: 0·NaN is NaN, and a cotangent summed over
    // rows (an unbatched weight's) would be poisoned by a stale slot.
    if (rowAxes.length === 0 || r.kind !== "recorded" || r.value.kind !== "var" || !rows.has(r.value.id)) return void slots.push(v);
    const slot = newVar(v.aval);
    masks.push(makeEqn("select_n", {}, [onRows(preOps, v.aval), preOps.full(1, v.aval), slot], [v]));
    slots.push(slot);
  });
  const post = new Emitter();
  const postOps = new Ops(post);
  const outvars = body.unknown.outvars.map((nw, i) => {
    const old = oldCarries[i];
    return old === undefined || rowAxes.length === 0 ? nw : postOps.emit1("select_n", {}, [onRows(postOps, old.aval), old, nw]);
  });
  return { active, slots, consts, eqns: [...pre.eqns, ...masks, ...body.unknown.eqns, ...post.eqns], outvars };
}

/**
 * A while (or while_record) with a known predicate whose carries or records
 * are partly unknown: a recording while now (the known carries and records,
 * a step counter, the residuals), a replay later (the unknown carries and
 * records, from the recorded residuals).
 */
export function recordAndReplay({ eqn, unknownIns, carryUk, body, cond }: WhileSplit): PartialEqn {
  const params = eqn.params;
  const { cond_jaxpr } = params;
  const uk = whileParts(unknownIns, params);
  const ops = whileParts(eqn.inputs, params);
  const nk = ops.carries.length;
  const recordUk = body.outUnknown.slice(nk);
  const predShape = cond_jaxpr.outvars[0]!.aval.shape;
  const stepsAval: Aval = { dtype: "int32", shape: predShape };
  const nKnownBconsts = uk.bodyConsts.filter((u) => !u).length;
  const knownBconstOperands = ops.bodyConsts.filter((_, i) => !uk.bodyConsts[i]);
  const nKnownCarries = carryUk.filter((u) => !u).length;
  const nKnownOuts = body.outUnknown.filter((u) => !u).length;
  const { residuals, hoisted } = classifyResiduals(
    body,
    (index, v) => (index < nKnownBconsts ? { kind: "const", operand: knownBconstOperands[index]! } : { kind: "recorded", value: v }),
    body.known.invars.slice(0, nKnownBconsts),
    knownBconstOperands,
    nKnownOuts,
  );
  const knownRecordOuts = eqn.outputs.slice(nk).filter((_, i) => !recordUk[i]);

  // The known loop: the body's known part, a step counter, its known records and the recorded residuals.
  const recorded = residuals.flatMap((r) => (r.kind === "recorded" ? [r.value] : []));
  const k = newVar(stepsAval);
  const k1 = newVar(stepsAval);
  const knownOuts = body.known.outvars;
  const knownBody = newJaxpr({
    invars: [...body.known.invars, k],
    eqns: [...body.known.eqns, makeEqn("add", {}, [k, lit(1, { dtype: "int32", shape: [] })], [k1])],
    outvars: [...knownOuts.slice(0, nKnownCarries), k1, ...knownOuts.slice(nKnownCarries, nKnownOuts), ...recorded],
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
      num_records: knownRecordOuts.length + recorded.length,
    },
    [...ops.condConsts.filter((_, i) => !uk.condConsts[i]), ...knownBconstOperands, ...ops.carries.filter((_, i) => !carryUk[i]), steps0],
    [...eqn.outputs.slice(0, nk).filter((_, i) => !carryUk[i]), steps, ...knownRecordOuts, ...tapes],
  );

  // The replay: (active, slots…, residual consts…, unknown body consts…, unknown carries…) → unknown carries, unknown records.
  const rows = predShape.length > 0 ? rowValues(body.known, nKnownBconsts, predShape) : new Set<number>();
  const ukIns = body.unknown.invars.slice(residuals.length);
  const nUkBconsts = uk.bodyConsts.filter(Boolean).length;
  const lin = linearBody(body, residuals, { dtype: "bool", shape: predShape }, rows, ukIns.slice(nUkBconsts));
  const replayBody = newJaxpr({ invars: [lin.active, ...lin.slots, ...lin.consts, ...ukIns], eqns: lin.eqns, outvars: lin.outvars });
  const constOperands = residuals.flatMap((r) => (r.kind === "const" ? [r.operand] : []));
  const replay = makeEqn(
    "replay",
    { jaxpr: freshCopy(replayBody), reverse: false, num_tapes: tapes.length, num_consts: lin.consts.length + nUkBconsts, num_records: recordUk.filter(Boolean).length },
    [steps, ...tapes, ...constOperands, ...ops.bodyConsts.filter((_, i) => uk.bodyConsts[i]), ...ops.carries.filter((_, i) => carryUk[i])],
    [...eqn.outputs.slice(0, nk).filter((_, i) => carryUk[i]), ...eqn.outputs.slice(nk).filter((_, i) => recordUk[i])],
  );
  return { known: [...pre.eqns, ...hoisted, knownLoop], unknown: [replay] };
}

/**
 * Partial evaluation of a replay with some tapes, consts or carries unknown
 * (differentiating a gradient again): a replay of the known part now, which
 * also records its residuals, and a replay of the unknown part later, over
 * the same steps in the same direction, reading those residuals, the known
 * tapes it needs and its own unknown tapes.
 */
export function* replayPartialEval(eqn: Eqn<"replay">, unknownIns: readonly boolean[]): Recursion<PartialEqn> {
  const params = eqn.params;
  const { jaxpr, reverse } = params;
  const uk = replayParts(unknownIns, params);
  const ops = replayParts(eqn.inputs, params);
  if (uk.steps) throw new Error("replay partial evaluation: the step counts are integers and never unknown");
  const nk = ops.carries.length;
  const { flags: carryUk, result: body } = yield* carryFixpoint(uk.carries, (f) => partialEvalJaxprRec(jaxpr, [false, ...uk.tapes, ...uk.consts, ...f], f), (r) => r.outUnknown);
  const recordUk = body.outUnknown.slice(nk);
  const knownTapes = ops.tapes.filter((_, i) => !uk.tapes[i]);
  const knownConsts = ops.consts.filter((_, i) => !uk.consts[i]);
  const nKT = knownTapes.length;
  const nKC = knownConsts.length;
  const nKnownCarries = carryUk.filter((u) => !u).length;
  const nKnownOuts = body.outUnknown.filter((u) => !u).length;
  // Known body invars: (active, known slots…, known consts…, known carries…).
  const { residuals, hoisted } = classifyResiduals(
    body,
    (index, v) => {
      if (index === 0) return { kind: "active" };
      if (index <= nKT) return { kind: "slot", tape: knownTapes[index - 1]! };
      if (index <= nKT + nKC) return { kind: "const", operand: knownConsts[index - 1 - nKT]! };
      return { kind: "recorded", value: v };
    },
    body.known.invars.slice(1 + nKT, 1 + nKT + nKC),
    knownConsts,
    nKnownOuts,
  );
  const recorded = residuals.flatMap((r) => (r.kind === "recorded" ? [r.value] : []));
  const knownRecordOuts = eqn.outputs.slice(nk).filter((_, i) => !recordUk[i]);
  const tapes = recorded.map((v) => newVar(tapeOf(v.aval)));
  const knownOuts = body.known.outvars;
  const knownBody = newJaxpr({ invars: body.known.invars, eqns: body.known.eqns, outvars: [...knownOuts.slice(0, nKnownOuts), ...recorded] });
  const knownReplay = makeEqn(
    "replay",
    { jaxpr: freshCopy(knownBody), reverse, num_tapes: nKT, num_consts: nKC, num_records: knownRecordOuts.length + recorded.length },
    [ops.steps, ...knownTapes, ...knownConsts, ...ops.carries.filter((_, i) => !carryUk[i])],
    [...eqn.outputs.slice(0, nk).filter((_, i) => !carryUk[i]), ...knownRecordOuts, ...tapes],
  );
  if (!carryUk.some(Boolean) && !recordUk.some(Boolean)) return { known: [...hoisted, knownReplay], unknown: [] };

  // The unknown replay reads: the residual slots (recorded ones, then known tapes passed on), its unknown tapes, residual consts and unknown consts.
  // The body already masks its own rows (it is a replay's), so no carry selects here.
  const lin = linearBody(body, residuals, { dtype: "bool", shape: ops.steps.aval.shape }, new Set(), []);
  const ukIns = body.unknown.invars.slice(residuals.length);
  const nUkT = uk.tapes.filter(Boolean).length;
  const nUkC = uk.consts.filter(Boolean).length;
  // Slot residuals, in residual order: a recorded one reads its new tape, a known slot reads the tape it came from.
  const slotOperands: Atom[] = [];
  let rec = 0;
  residuals.forEach((r) => {
    if (r.kind === "recorded") slotOperands.push(tapes[rec++]!);
    else if (r.kind === "slot") slotOperands.push(r.tape);
  });
  const constOperands = residuals.flatMap((r) => (r.kind === "const" ? [r.operand] : []));
  const unknownBody = newJaxpr({
    invars: [lin.active, ...lin.slots, ...ukIns.slice(0, nUkT), ...lin.consts, ...ukIns.slice(nUkT)],
    eqns: lin.eqns,
    outvars: lin.outvars,
  });
  const unknownReplay = makeEqn(
    "replay",
    { jaxpr: freshCopy(unknownBody), reverse, num_tapes: slotOperands.length + nUkT, num_consts: constOperands.length + nUkC, num_records: recordUk.filter(Boolean).length },
    [ops.steps, ...slotOperands, ...ops.tapes.filter((_, i) => uk.tapes[i]), ...constOperands, ...ops.consts.filter((_, i) => uk.consts[i]), ...ops.carries.filter((_, i) => carryUk[i])],
    [...eqn.outputs.slice(0, nk).filter((_, i) => carryUk[i]), ...eqn.outputs.slice(nk).filter((_, i) => recordUk[i])],
  );
  return { known: [...hoisted, knownReplay], unknown: [unknownReplay] };
}

/**
 * An empty tape of type `tape`: a recording loop that runs no iteration (its
 * body would record zeros). What a branch without a tape puts in a residual
 * slot that another branch fills with one (cond.ts); nothing reads it.
 */
export function emptyTape(ops: Ops, tape: Aval): Atom {
  const slot = slotOf(tape);
  const em = new Emitter();
  const value = isTape(slot) ? emptyTape(new Ops(em), slot) : new Ops(em).zeros(slot);
  const pred = lit(false, { dtype: "bool", shape: [] });
  return ops.emit1(
    "while_record",
    {
      cond_jaxpr: newJaxpr({ invars: [], eqns: [], outvars: [pred] }),
      body_jaxpr: newJaxpr({ invars: [], eqns: em.eqns, outvars: [value] }),
      cond_nconsts: 0,
      body_nconsts: 0,
      num_records: 1,
    },
    [],
  );
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
 * Reverse mode: the replay run the other way. A replay is linear in its
 * carries, in its consts' tangents and in its tangent tapes; its carries and
 * records are linear outputs. The transposed replay carries the accumulated
 * cotangents of the linear consts (from zeros), then the carries'
 * cotangents; it reads the non-linear tapes and the records' cotangent tapes
 * (slot g of a record's cotangent is that iteration's record's cotangent);
 * and it records the cotangents of the linear tapes' slots, so slot g of each
 * comes from the iteration that read slot g. Every carry is treated as
 * linear (one whose init is known, such as instantiated zeros, just gets no
 * cotangent).
 */
export function* replayTranspose(ops: Ops, cts: readonly Tangent[], inputs: readonly LinearInput[], params: Params["replay"]): Recursion<Tangent[]> {
  const { jaxpr, reverse } = params;
  if (cts.every((c) => c === null)) return inputs.map(() => null);
  const parts = replayParts(inputs, params);
  if (parts.steps.linear) throw new Error("replay transpose: steps is a residual, never linear");
  const nk = parts.carries.length;
  const tapeLin = parts.tapes.map((x) => x.linear);
  const constLin = parts.consts.map((x) => x.linear);
  const t = yield* recurse(transposeJaxprRec(jaxpr, [false, ...tapeLin, ...constLin, ...parts.carries.map(() => true)]));
  // t: (active, non-linear slots…, non-linear consts…, carry-out cts…, record cts…) → (linear slot cts…, linear const cts…, carry cts…).
  const count = (f: readonly boolean[], v: boolean): number => f.filter((x) => x === v).length;
  const [nResT, nResC, nLinT, nLinC] = [count(tapeLin, false), count(constLin, false), count(tapeLin, true), count(constLin, true)];
  const active = t.invars[0]!;
  const resSlots = t.invars.slice(1, 1 + nResT);
  const resConsts = t.invars.slice(1 + nResT, 1 + nResT + nResC);
  const ctCarry = t.invars.slice(1 + nResT + nResC, 1 + nResT + nResC + nk);
  const ctRecords = t.invars.slice(1 + nResT + nResC + nk);
  // A record with a symbolic-zero cotangent reads zeros inside the body instead of a tape.
  const recordCts = cts.slice(nk);
  const zeroEm = new Emitter();
  const zeroOps = new Ops(zeroEm);
  const subst = new Map<number, Atom>();
  ctRecords.forEach((v, i) => recordCts[i] === null && subst.set(v.id, zeroOps.zeros(v.aval)));
  const ctSlotVars = ctRecords.filter((_, i) => recordCts[i] !== null);
  const accIns = t.outvars.slice(nLinT, nLinT + nLinC).map((a) => newVar(a.aval));
  const accEqns = accIns.map((acc, i) => makeEqn("add", {}, [acc, t.outvars[nLinT + i]!], [newVar(acc.aval)]));
  const inlined = t.eqns.map((e) => ({ ...e, inputs: e.inputs.map((a) => (a.kind === "var" ? (subst.get(a.id) ?? a) : a)) }) as Eqn);
  const sub = (a: Atom): Atom => (a.kind === "var" ? (subst.get(a.id) ?? a) : a);
  const body: Jaxpr = newJaxpr({
    invars: [active, ...resSlots, ...ctSlotVars, ...resConsts, ...accIns, ...ctCarry],
    eqns: [...zeroEm.eqns, ...inlined, ...accEqns],
    outvars: [...accEqns.map((e) => e.outputs[0]!), ...t.outvars.slice(nLinT + nLinC).map(sub), ...t.outvars.slice(0, nLinT).map(sub)],
  });
  const carryAvals = jaxpr.outvars.slice(0, nk).map((v) => v.aval);
  const outs = ops.emit(
    "replay",
    { jaxpr: body, reverse: !reverse, num_tapes: nResT + ctSlotVars.length, num_consts: nResC, num_records: nLinT },
    [
      parts.steps.atom,
      ...parts.tapes.filter((x) => !x.linear).map((x) => x.atom),
      ...recordCts.filter((c): c is Atom => c !== null),
      ...parts.consts.filter((x) => !x.linear).map((x) => x.atom),
      ...accIns.map((a) => ops.zeros(a.aval)),
      ...cts.slice(0, nk).map((c, i) => ops.instantiate(c, carryAvals[i]!)),
    ],
  );
  let c = 0;
  let k = nLinC;
  let r = nLinC + nk;
  return [
    null,
    ...parts.tapes.map((x) => (x.linear ? outs[r++]! : null)),
    ...parts.consts.map((x) => (x.linear ? outs[c++]! : null)),
    ...parts.carries.map((x) => {
      const ct = outs[k++]!;
      return x.linear ? ct : null;
    }),
  ];
}

/** Forward mode: one replay over the tapes and their tangent tapes, the consts and their tangents, the carries and their tangents, recording the records and their tangents. */
export function* replayJvp(ops: Ops, primals: readonly Atom[], tangents: readonly Tangent[], params: Params["replay"]): Recursion<JvpResult> {
  const { jaxpr, reverse, num_tapes: nt, num_consts: nc, num_records: nr } = params;
  const p = replayParts(primals, params);
  const t = replayParts(tangents, params);
  const tapeNz = t.tapes.map((x) => x !== null);
  const constNz = t.consts.map((x) => x !== null);
  const nk = p.carries.length;
  const none = jaxpr.outvars.map(() => false);
  const flags = (carryNz: readonly boolean[]): boolean[] => [false, ...tapeNz, ...constNz, ...carryNz];
  const fix = yield* carryFixpoint(
    t.carries.map((x, i) => x !== null && differentiable(p.carries[i]!.aval)),
    (carryNz) => jvpJaxprRec(jaxpr, flags(carryNz), none),
    (r) => r.outTangents,
  );
  const carryNz = fix.flags;
  let d = fix.result;
  const recordNz = d.outTangents.slice(nk);
  if (!carryNz.some(Boolean) && !recordNz.some(Boolean)) return { primals: ops.emit("replay", params, primals), tangents: Array.from({ length: nk + nr }, () => null) };
  d = yield* recurse(jvpJaxprRec(jaxpr, flags(carryNz), [...carryNz, ...recordNz]));
  const count = (f: readonly boolean[]): number => f.filter(Boolean).length;
  const [ntt, ntc, ntk, ntr] = [count(tapeNz), count(constNz), count(carryNz), count(recordNz)];
  const ins = d.jaxpr.invars;
  const o = d.jaxpr.outvars;
  const base = 1 + nt + nc + nk;
  const body = newJaxpr({
    invars: [
      ins[0]!, ...ins.slice(1, 1 + nt), ...ins.slice(base, base + ntt),
      ...ins.slice(1 + nt, 1 + nt + nc), ...ins.slice(base + ntt, base + ntt + ntc),
      ...ins.slice(1 + nt + nc, base), ...ins.slice(base + ntt + ntc),
    ],
    eqns: d.jaxpr.eqns,
    // (carries, carry tangents, records, record tangents)
    outvars: [...o.slice(0, nk), ...o.slice(nk + nr, nk + nr + ntk), ...o.slice(nk, nk + nr), ...o.slice(nk + nr + ntk)],
  });
  const nonNull = (xs: readonly Tangent[]): Atom[] => xs.filter((x): x is Atom => x !== null);
  const carryTangents = p.carries.flatMap((c, i) => (carryNz[i] ? [ops.instantiate(t.carries[i]!, c.aval)] : []));
  const outs = ops.emit(
    "replay",
    { jaxpr: body, reverse, num_tapes: nt + ntt, num_consts: nc + ntc, num_records: nr + ntr },
    [p.steps, ...p.tapes, ...nonNull(t.tapes), ...p.consts, ...nonNull(t.consts), ...p.carries, ...carryTangents],
  );
  let k = nk;
  let r = nk + ntk + nr;
  return {
    primals: [...outs.slice(0, nk), ...outs.slice(nk + ntk, nk + ntk + nr)],
    tangents: [...carryNz.map((nz) => (nz ? outs[k++]! : null)), ...recordNz.map((nz) => (nz ? outs[r++]! : null))],
  };
}

/** Forward mode of a tape read: the same slot of the tangent tape. */
export function tapeReadJvp(ops: Ops, [tape, g]: readonly Atom[], [tapeDot]: readonly Tangent[]): JvpResult {
  const slot = ops.emit1("tape_read", {}, [tape!, g!]);
  return { primals: [slot], tangents: [tapeDot ? ops.emit1("tape_read", {}, [tapeDot, g!]) : null] };
}
