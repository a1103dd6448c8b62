// Batching rules for while / cond / scan / pjit.
//
// while: a fixpoint decides which carries are batched (batched init, or made
//   batched by the body). If the predicate then depends on a batched value it
//   is *batched* (`bool[B]`), and we emit the natively batched while of docs/ir.md:
//   every remaining carry is batched at axis 0 so the predicate is a shape
//   prefix of each (loop-invariant values are consts by then, see
//   hoist-invariant-carries, and consts are never broadcast). With an
//   unbatched predicate only the carries that need it are batched, at axis
//   `rank(pred)` so an already-batched predicate (nested vmap) stays a prefix.
// cond: an unbatched index keeps a `cond` whose branches are batched; a batched
//   index gives the per-lane cond (index `i32[B]`, outputs batched at 0), which
//   runs each branch only for its own lanes.
// scan: the same carry fixpoint; batched xs/ys carry the batch at axis 1.
//
// Nested vmap and lane masks. Backends match an enclosing active-lane mask to
// a predicate/index by shape prefix (docs/ir.md, interpreter mask.ts), and a
// vmap puts its axis at 0 of every predicate/index it batches. Two layouts
// would make a mask meet a predicate whose axes belong to other vmaps (with
// equal sizes the lanes are silently mismatched, as in jax#2960; otherwise the
// mask is ignored and loops run for lanes that may never terminate, #2947):
// - a region masked on this vmap's axis (BatchCtx.masked) holding a per-lane
//   predicate/index without it: such loops and conds get the axis, even when
//   none of their operands is batched (the driver routes them here);
// - a loop or cond whose per-lane predicate/index stays without this axis
//   (carries batched at axis rank(pred)) while a nested loop or cond gets it:
//   a per-lane predicate/index whose sub-jaxprs hold any loop or cond is
//   batched instead (conservative: the nested ones might stay unbatched).

import { type Eqn, type Jaxpr, newVar } from "../../ir/core.js";
import { anyNestedEqn, subJaxprs } from "../../ir/traverse.js";
import { debugName } from "../../ir/debugNames.js";
import { type Recursion, recurse } from "../../ir/trampoline.js";
import type { Params, Prim } from "../../ir/primitives.js";
import { type BatchOptions, type BatchedJaxpr, batchDimsRec, batchJaxprRec, type OutSpec } from "./batchJaxpr.js";
import { type BVal, type BatchCtx, type Dim, type Reason, elementShape, materialize, moveBatch, withBatch } from "./layout.js";
import type { ControlPrim } from "../../ir/prims/control.js";
import { scanParts, whileParts } from "../../ir/loopOperands.js";

/** A control-flow batching rule: a Recursion, since it batches its sub-jaxprs (batchJaxpr.ts). */
type ControlBatchRule<P extends Prim> = (ctx: BatchCtx, inputs: readonly BVal[], params: Params[P], eqn: Eqn<P>) => Recursion<BVal[]>;

export const dimsOf = (vs: readonly BVal[]): Dim[] => vs.map((v) => v.dim);

/** A while with a per-lane (non-scalar) predicate or a cond with a per-lane index: it masks lanes. */
function masksLanes(e: Eqn): boolean {
  if (e.prim === "while" || e.prim === "while_record") return e.params.cond_jaxpr.outvars[0]!.aval.shape.length > 0;
  if (e.prim === "cond") return e.inputs[0]!.aval.shape.length > 0;
  return false;
}

// Both queries below are asked at every level of a nest of loops, so their
// answers are memoized per jaxpr (linear, not quadratic, in the nesting).
const laneControlMemo = new WeakMap<Jaxpr, boolean>();
const controlMemo = new WeakMap<Jaxpr, boolean>();

/** `e` masks lanes, or some equation in its sub-jaxprs (at any depth) does. */
export function hasLaneControl(e: Eqn): boolean {
  return masksLanes(e) || subJaxprs(e).some((j) => anyNestedEqn(laneControlMemo, j, masksLanes));
}

/** Some equation of the jaxprs (at any depth) is a while or a cond. */
function containsControl(js: readonly Jaxpr[]): boolean {
  return js.some((j) => anyNestedEqn(controlMemo, j, (e) => e.prim === "while" || e.prim === "while_record" || e.prim === "replay" || e.prim === "cond"));
}

/** Fresh outputs of `eqn` batched at `dims`, for a dims-only probe (nothing is emitted: nobody runs a probe). */
export function probeOutputs(ctx: BatchCtx, eqn: Eqn, dims: readonly Dim[]): BVal[] {
  return eqn.outputs.map((o, i) => {
    const d = dims[i]!;
    return { atom: newVar(d === null ? o.aval : { ...o.aval, shape: withBatch(o.aval.shape, d, ctx.size) }), dim: d };
  });
}

/** Options for batching a sub-jaxpr: masks are inherited; reasons and a name feed diagnostics. */
export const inherit = (ctx: BatchCtx, masked = false, ins: readonly BVal[] = [], where?: string): BatchOptions => ({
  masked: ctx.masked || masked,
  inReasons: ins.map((v) => v.why),
  where,
});

/** Least fixpoint: a carry is batched if its init is, or the body makes it so. */
export function* carryFixpoint(ctx: BatchCtx, body: Jaxpr, constDims: readonly Dim[], init: readonly BVal[], extraDims: readonly Dim[] = []): Recursion<boolean[]> {
  let batched = init.map((v) => v.dim !== null);
  for (let iter = 0; iter <= batched.length; iter++) {
    const outDims = yield* recurse(batchDimsRec(body, [...constDims, ...batched.map((b) => (b ? 0 : null)), ...extraDims], ctx.size, ctx.masked));
    const next = batched.map((b, i) => b || outDims[i] !== null);
    if (next.every((b, i) => b === batched[i])) return batched;
    batched = next;
  }
  return batched;
}

export const specFor = (d: Dim): OutSpec => (d === null ? "any" : d);

/** `batchJaxpr` waited on from a rule. */
export const batchSub = (j: Jaxpr, inDims: readonly Dim[], size: number, outSpecs: readonly OutSpec[] | undefined, options: BatchOptions): Recursion<BatchedJaxpr> =>
  recurse(batchJaxprRec(j, inDims, size, outSpecs, options));

/**
 * A while, or a while_record (its body returns `nRecords` residuals after the
 * carries, and it returns one tape per residual, batched like the residual).
 */
export function* batchWhile(ctx: BatchCtx, inputs: readonly BVal[], params: Params["while"], eqn: Eqn, nRecords: number): Recursion<BVal[]> {
  const { cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts } = params;
  const { condConsts: cconsts, bodyConsts: bconsts, carries: init } = whileParts(inputs, { cond_nconsts, body_nconsts });
  const desc = ctx.describe(eqn);
  // The user's path for a carry (`carry[2].w`) when the frontend recorded it; the index alone is renumbered by hoisting and DCE.
  const carryName = (i: number): string => {
    const name = debugName(body_jaxpr.invars[body_nconsts + i]!) ?? debugName(cond_jaxpr.invars[cond_nconsts + i]!);
    return name ?? `carry ${i}`;
  };
  const bodyMade = yield* carryFixpoint(ctx, body_jaxpr, dimsOf(bconsts), init);
  let carryB = bodyMade;
  const probe = yield* recurse(batchDimsRec(cond_jaxpr, [...dimsOf(cconsts), ...carryB.map((b) => (b ? 0 : null))], ctx.size, ctx.masked));
  const predRank = cond_jaxpr.outvars[0]!.aval.shape.length;
  // A per-lane predicate from an inner vmap also gets this axis when lane
  // masks require it (see the file comment).
  const predBatched = probe[0] !== null || (predRank > 0 && (ctx.masked || containsControl([cond_jaxpr, body_jaxpr])));
  if (predBatched) carryB = carryB.map(() => true);
  const carryAxis = predBatched ? 0 : predRank;
  const carryDims: Dim[] = carryB.map((b) => (b ? carryAxis : null));
  if (ctx.dimsOnly) {
    const recordDims = nRecords === 0 ? [] : (yield* recurse(batchDimsRec(body_jaxpr, [...dimsOf(bconsts), ...carryDims], ctx.size, ctx.masked || predBatched))).slice(carryDims.length);
    return probeOutputs(ctx, eqn, [...carryDims, ...recordDims]);
  }
  const newInit = init.map((v, i) => (carryB[i] ? materialize(ctx, v, carryAxis) : v));
  // Inside the loop, a carry batched only by the fixpoint or the predicate is a weak (circular) explanation.
  const carryIn: BVal[] = newInit.map((v, i) => ({
    ...v,
    why: init[i]!.why ?? (v.dim === null ? undefined : { what: `${carryName(i)} of ${desc} is batched`, weak: true }),
  }));
  const body = yield* batchSub(body_jaxpr, [...dimsOf(bconsts), ...carryDims], ctx.size, [...carryDims.map(specFor), ...Array<OutSpec>(nRecords).fill("any")], inherit(ctx, predBatched, [...bconsts, ...carryIn], `the body of ${desc}`));
  const cond = yield* batchSub(cond_jaxpr, [...dimsOf(cconsts), ...carryDims], ctx.size, [predBatched ? 0 : "any"], inherit(ctx, predBatched, [...cconsts, ...carryIn], `the cond of ${desc}`));
  const carryWhy = (i: number): Reason | undefined => {
    if (carryDims[i] === null) return undefined;
    if (init[i]!.dim !== null) return init[i]!.why;
    if (bodyMade[i]) return { what: `it is ${carryName(i)} of ${desc}, and the loop body makes it batched`, because: body.outReasons[i] };
    return {
      what: `it is ${carryName(i)} of ${desc}, whose predicate is batched (each lane stops after its own number of iterations), so every carry of that loop is batched`,
      because: cond.outReasons[0],
    };
  };
  carryDims.forEach((want, i) => {
    if (body.outDims[i] !== want) throw new Error(`while batching: carry ${i} expected batch dim ${want}, body gives ${body.outDims[i]}`);
  });
  const loopParams = { cond_jaxpr: cond.jaxpr, body_jaxpr: body.jaxpr, cond_nconsts, body_nconsts };
  const operands = [...cconsts, ...bconsts, ...newInit].map((v) => v.atom);
  const outs = nRecords === 0 ? ctx.em.emit("while", loopParams, operands) : ctx.em.emit("while_record", { ...loopParams, num_records: nRecords }, operands);
  const nk = carryDims.length;
  return outs.map((atom, i) => (i < nk ? { atom, dim: carryDims[i]!, why: carryWhy(i) } : { atom, dim: body.outDims[i]!, why: body.outReasons[i] }));
}


export const controlBatchRules: { readonly [P in ControlPrim]: ControlBatchRule<P> } = {
  while: (ctx, inputs, params, eqn) => batchWhile(ctx, inputs, params, eqn, 0),

  *cond(ctx, inputs, { branches }, eqn) {
    const [index, ...ops] = inputs as [BVal, ...BVal[]];
    const opDims = dimsOf(ops);
    const desc = ctx.describe(eqn);
    const probes: Dim[][] = [];
    for (const b of branches) probes.push(yield* recurse(batchDimsRec(b, opDims, ctx.size, ctx.masked)));
    const outBatched = probes[0]!.map((_, i) => probes.some((p) => p[i] !== null));
    // An index that is already per-lane (from an inner vmap) must stay a prefix
    // of the outputs, so it is batched too as soon as any output is, and when
    // lane masks require it (see the file comment).
    const laneIndex = elementShape(index).length > 0;
    const indexBatched = index.dim !== null || (laneIndex && (outBatched.some(Boolean) || ctx.masked || containsControl(branches)));
    const specs: OutSpec[] = outBatched.map((b) => (indexBatched || b ? 0 : "any"));
    if (ctx.dimsOnly) return probeOutputs(ctx, eqn, specs.map((sp) => (sp === "any" ? null : sp)));
    const newIndex = indexBatched ? materialize(ctx, index, 0) : index;
    const batched: BatchedJaxpr[] = [];
    for (const [k, b] of branches.entries()) batched.push(yield* batchSub(b, opDims, ctx.size, specs, inherit(ctx, indexBatched, ops, `branch ${k} of ${desc}`)));
    const outs = ctx.em.emit("cond", { branches: batched.map((b) => b.jaxpr) }, [newIndex.atom, ...ops.map((v) => v.atom)]);
    const outWhy = (i: number): Reason | undefined => {
      const fromBranch = batched.map((b) => b.outReasons[i]).find((r) => r !== undefined);
      if (fromBranch && outBatched[i]) return fromBranch;
      return { what: `it is output ${i} of ${desc}, whose index is batched, so each lane takes its own branch's result`, because: index.why };
    };
    return outs.map((atom, i) => {
      const dim = batched[0]!.outDims[i]!;
      return { atom, dim, why: dim === null ? undefined : outWhy(i) };
    });
  },

  *scan(ctx, inputs, { jaxpr, length, reverse, num_consts, num_carry }, eqn) {
    const { consts, carries: init, xs: xsIn } = scanParts(inputs, { num_consts, num_carry });
    // Scan slices axis 0, so a batched xs carries its batch at axis 1 (axis 0 of each slice).
    const xs = xsIn.map((v) => (v.dim === null ? v : moveBatch(ctx, v, 1)));
    const xDims: Dim[] = xs.map((v) => (v.dim === null ? null : 0));
    const carryB = yield* carryFixpoint(ctx, jaxpr, dimsOf(consts), init, xDims);
    const carryDims: Dim[] = carryB.map((b) => (b ? 0 : null));
    const nys = jaxpr.outvars.length - num_carry;
    if (ctx.dimsOnly) {
      const ysDims = (yield* recurse(batchDimsRec(jaxpr, [...dimsOf(consts), ...carryDims, ...xDims], ctx.size, ctx.masked))).slice(num_carry);
      return probeOutputs(ctx, eqn, [...carryDims, ...ysDims.map((d) => (d === null ? null : d + 1))]);
    }
    const newInit = init.map((v, i) => (carryB[i] ? materialize(ctx, v, 0) : v));
    const body = yield* batchSub(
      jaxpr,
      [...dimsOf(consts), ...carryDims, ...xDims],
      ctx.size,
      [...carryDims.map(specFor), ...Array<OutSpec>(nys).fill("any")],
      inherit(ctx, false, [...consts, ...newInit.map((v, i) => ({ ...v, why: init[i]!.why })), ...xs], `the body of ${ctx.describe(eqn)}`),
    );
    const outs = ctx.em.emit(
      "scan",
      { jaxpr: body.jaxpr, length, reverse, num_consts, num_carry },
      [...consts, ...newInit, ...xs].map((v) => v.atom),
    );
    return outs.map((atom, i) => {
      const d = body.outDims[i]!;
      return { atom, dim: i < num_carry || d === null ? d : d + 1, why: body.outReasons[i] };
    });
  },

  pjit: (ctx, inputs, params, eqn) => batchCall(ctx, inputs, params, eqn),
};

/**
 * A call (pjit, or checkpoint: ir/prims/ad.ts) is batched by batching its body
 * with the operands' dims; the outputs take the dims the body gives them.
 */
function* batchCall<P extends "pjit" | "checkpoint">(ctx: BatchCtx, inputs: readonly BVal[], params: Params[P], eqn: Eqn<P>): Recursion<BVal[]> {
  const e = eqn as Eqn;
  if (ctx.dimsOnly) return probeOutputs(ctx, e, yield* recurse(batchDimsRec(params.jaxpr, dimsOf(inputs), ctx.size, ctx.masked)));
  const inner = yield* batchSub(params.jaxpr, dimsOf(inputs), ctx.size, undefined, inherit(ctx, false, inputs, `the call ${ctx.describe(e)}`));
  const outs = ctx.em.emit(eqn.prim, { ...params, jaxpr: inner.jaxpr }, inputs.map((v) => v.atom));
  return outs.map((atom, i) => ({ atom, dim: inner.outDims[i]!, why: inner.outReasons[i] }));
}

/** checkpoint batches as the call it is: its body batched (the rematerialization is decided by differentiation, not here). */
export const checkpointBatchRule: ControlBatchRule<"checkpoint"> = (ctx, inputs, params, eqn) => batchCall(ctx, inputs, params, eqn);

type CustomCallPrim = "custom_jvp_call" | "custom_vjp_call" | "custom_vjp_bwd";

/**
 * The custom-derivative calls (ir/prims/ad.ts) carry several jaxprs whose
 * inputs and outputs must stay consistent with each other (the rule's tangents
 * have the types of the call's operands and outputs; bwd returns one
 * cotangent per operand). So every operand is batched at axis 0, broadcasting
 * the unbatched ones, and every jaxpr is batched with all inputs and outputs
 * at axis 0: each of them then keeps its types relative to the others.
 */
function* batchCustomCall<P extends CustomCallPrim>(
  ctx: BatchCtx,
  inputs: readonly BVal[],
  eqn: Eqn<P>,
  rebuild: (batch: (j: Jaxpr) => Recursion<Jaxpr>) => Recursion<Params[P]>,
): Recursion<BVal[]> {
  const e = eqn as Eqn;
  if (ctx.dimsOnly) return probeOutputs(ctx, e, e.outputs.map(() => 0));
  const ins = inputs.map((v) => materialize(ctx, v, 0));
  const options = inherit(ctx, false, ins, `the custom-derivative call ${ctx.describe(e)}`);
  let reasons: BatchedJaxpr["outReasons"] = [];
  const batch = function* (j: Jaxpr): Recursion<Jaxpr> {
    const inner = yield* batchSub(j, j.invars.map(() => 0), ctx.size, j.outvars.map(() => 0), options);
    reasons = inner.outReasons;
    return inner.jaxpr;
  };
  const params = yield* rebuild(batch);
  // The call's own jaxpr is batched last, so `reasons` explain its outputs.
  const outs = ctx.em.emit(eqn.prim, params, ins.map((v) => v.atom));
  return outs.map((atom, i) => ({ atom, dim: 0, why: reasons[i] }));
}

export const customCallBatchRules: { readonly [P in CustomCallPrim]: ControlBatchRule<P> } = {
  custom_jvp_call: (ctx, inputs, p, eqn) =>
    batchCustomCall(ctx, inputs, eqn, function* (batch) {
      const jvp_jaxpr = yield* batch(p.jvp_jaxpr);
      return { ...p, jvp_jaxpr, call_jaxpr: yield* batch(p.call_jaxpr) };
    }),
  custom_vjp_call: (ctx, inputs, p, eqn) =>
    batchCustomCall(ctx, inputs, eqn, function* (batch) {
      const fwd_jaxpr = yield* batch(p.fwd_jaxpr);
      const bwd_jaxpr = yield* batch(p.bwd_jaxpr);
      return { ...p, fwd_jaxpr, bwd_jaxpr, call_jaxpr: yield* batch(p.call_jaxpr) };
    }),
  custom_vjp_bwd: (ctx, inputs, p, eqn) =>
    batchCustomCall(ctx, inputs, eqn, function* (batch) {
      return { ...p, bwd_jaxpr: yield* batch(p.bwd_jaxpr) };
    }),
};
