// Batching of the tape primitives (ir/prims/tape.ts).
//
// while_record batches as a while (control.ts) whose tapes are batched like
// the residuals they record (a tape batched at d holds slots batched at d).
// replay batches like a scan over its slots; when `steps` becomes batched,
// each batch element runs its own number of iterations: the loop runs to the
// largest, and where the replay had a scalar `steps` (so its body did no
// masking of its own) the batched body keeps an element's old carries at the
// iterations past its own count. A replay whose `steps` already had a shape
// masks its rows itself, and the new axis is one more row axis.

import { type Jaxpr, newJaxpr } from "../../ir/core.js";
import { replayParts } from "../../ir/loopOperands.js";
import type { Params, Prim } from "../../ir/primitives.js";
import type { TapePrim } from "../../ir/prims/tape.js";
import { type Recursion, recurse } from "../../ir/trampoline.js";
import type { Eqn } from "../../ir/core.js";
import { Emitter } from "./emitter.js";
import { type BVal, type BatchCtx, type Dim, materialize } from "./layout.js";
import { batchSub, batchWhile, carryFixpoint, dimsOf, inherit, probeOutputs, specFor } from "./control.js";
import type { BatchRule } from "./rules.js";
import { type OutSpec, batchDimsRec } from "./batchJaxpr.js";


/** `body` with every carry output replaced by `select_n(active, old carry, new carry)` (active: bool[B] at axis 0 of every carry); records pass through. */
function maskedByElement(body: Jaxpr, nCarry: number): Jaxpr {
  const em = new Emitter();
  const active = body.invars[0]!;
  const oldCarries = body.invars.slice(body.invars.length - nCarry);
  const outs = body.outvars.map((nw, i) => {
    if (i >= nCarry) return nw;
    const old = oldCarries[i]!;
    const mask = old.aval.shape.length === 1 ? active : em.emit1("broadcast_in_dim", { shape: [...old.aval.shape], broadcast_dimensions: [0] }, [active]);
    return em.emit1("select_n", {}, [mask, old, nw]);
  });
  return newJaxpr({ invars: body.invars, eqns: [...body.eqns, ...em.eqns], outvars: outs });
}

function* replay(ctx: BatchCtx, inputs: readonly BVal[], params: Params["replay"], eqn: Eqn<"replay">): Recursion<BVal[]> {
  const { jaxpr, reverse, num_tapes, num_consts, num_records } = params;
  const parts = replayParts(inputs, params);
  const stepsBatched = parts.steps.dim !== null;
  const scalarSteps = parts.steps.atom.aval.shape.length === (stepsBatched ? 1 : 0);
  const activeDim: Dim = stepsBatched ? 0 : null;
  const leading: Dim[] = [activeDim, ...dimsOf(parts.tapes), ...dimsOf(parts.consts)];
  let carryB = yield* carryFixpoint(ctx, jaxpr, leading, parts.carries);
  // Elements that stop early keep their carries: every carry gets the batch axis.
  if (stepsBatched && scalarSteps) carryB = carryB.map(() => true);
  const carryDims: Dim[] = carryB.map((b) => (b ? 0 : null));
  if (ctx.dimsOnly) {
    const recordDims = num_records === 0 ? [] : (yield* recurse(batchDimsRec(jaxpr, [...leading, ...carryDims], ctx.size, ctx.masked))).slice(carryDims.length);
    return probeOutputs(ctx, eqn, [...carryDims, ...recordDims]);
  }
  const steps = stepsBatched ? materialize(ctx, parts.steps, 0) : parts.steps;
  const init = parts.carries.map((v, i) => (carryB[i] ? materialize(ctx, v, 0) : v));
  const body = yield* batchSub(
    jaxpr,
    [...leading, ...carryDims],
    ctx.size,
    [...carryDims.map(specFor), ...Array<OutSpec>(num_records).fill("any")],
    inherit(ctx, false, [steps, ...parts.tapes, ...parts.consts, ...init], `the body of ${ctx.describe(eqn)}`),
  );
  const bodyJaxpr = stepsBatched && scalarSteps ? maskedByElement(body.jaxpr, init.length) : body.jaxpr;
  const outs = ctx.em.emit("replay", { jaxpr: bodyJaxpr, reverse, num_tapes, num_consts, num_records }, [steps, ...parts.tapes, ...parts.consts, ...init].map((v) => v.atom));
  const nk = init.length;
  return outs.map((atom, i) => (i < nk ? { atom, dim: carryDims[i]!, why: init[i]!.why } : { atom, dim: body.outDims[i]!, why: body.outReasons[i] }));
}

const tapeRead: BatchRule<"tape_read"> = (ctx, [tape, g]) => {
  if (g!.dim !== null) throw new Error("tape_read batching: a per-element slot index is not supported (expand-replay reads slots at one index for every element)");
  return [{ atom: ctx.em.emit1("tape_read", {}, [tape!.atom, g!.atom]), dim: tape!.dim }];
};

export const tapeBatchRules: { readonly [P in TapePrim]: BatchRule<P> } = {
  while_record: (ctx, inputs, params, eqn) => batchWhile(ctx, inputs, params, eqn, params.num_records),
  replay,
  tape_read: tapeRead,
  tape_reverse: (ctx, [t]) => [{ atom: ctx.em.emit1("tape_reverse", {}, [t!.atom]), dim: t!.dim }],
};
