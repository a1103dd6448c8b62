// The reference semantics of the tape primitives (ir/prims/tape.ts). A tape
// value is an ArrayValue whose `slots` are the recorded values, oldest first;
// values are immutable, so a tape is built once, by the loop that records it.

import type { ArrayValue } from "../../ir/core.js";
import { type Aval, allocStorage } from "../../ir/dtype.js";
import { arrayValue } from "../../ir/value.js";
import type { Params } from "../../ir/primitives.js";
import type { TapePrim } from "../../ir/prims/tape.js";
import type { Impl } from "../../ir/prims/rules.js";
import { replayParts } from "../../ir/loopOperands.js";
import { runRecursion } from "../../ir/trampoline.js";
import { clampIndex } from "../../ir/prims/strided.js";
import { recordingWhile, viaContext } from "./control_flow.js";

function tapeValue(aval: Aval, slots: readonly ArrayValue[]): ArrayValue {
  return { dtype: aval.dtype, shape: aval.shape, data: allocStorage(aval.dtype, 0), tape: aval.tape!, slots };
}

function zerosOf(a: Aval): ArrayValue {
  return a.tape ? tapeValue(a, []) : arrayValue(a.dtype, a.shape);
}

/** Slot g of a tape (clamped into range; zeros of the slot type when it is empty). */
function slotAt(tape: ArrayValue, slot: Aval, g: number): ArrayValue {
  const slots = tape.slots ?? [];
  return slots.length === 0 ? zerosOf(slot) : slots[clampIndex(g, 0, slots.length - 1)]!;
}

const whileRecord: Impl<"while_record"> = (args, params, outAvals, ctx) => {
  const nCarry = args.length - params.cond_nconsts - params.body_nconsts;
  const recorded: ArrayValue[][] = Array.from({ length: params.num_records }, () => []);
  const carries = runRecursion(recordingWhile(args, params, ctx.mask, viaContext(ctx), (res) => res.forEach((r, k) => recorded[k]!.push(r))));
  return [...carries, ...recorded.map((slots, k) => tapeValue(outAvals[nCarry + k]!, slots))];
};

/** max(steps, 0) iterations; iteration g sees `g < steps` and slot g of every tape, and its records go to slot g. */
const replay: Impl<"replay"> = (args, params: Params["replay"], outAvals, ctx) => {
  const { jaxpr, reverse, num_records } = params;
  const { steps, tapes, consts, carries } = replayParts(args, params);
  let count = 0;
  for (const k of steps.data) count = Math.max(count, k);
  const slotAvals = jaxpr.invars.slice(1, 1 + tapes.length).map((v) => v.aval);
  let carry = carries;
  const nk = carries.length;
  const recorded: ArrayValue[][] = Array.from({ length: num_records }, () => new globalThis.Array<ArrayValue>(count));
  for (let i = 0; i < count; i++) {
    const g = reverse ? count - 1 - i : i;
    const active = new Uint8Array(steps.data.length);
    steps.data.forEach((k, l) => (active[l] = g < k ? 1 : 0));
    const slots = tapes.map((t, j) => slotAt(t, slotAvals[j]!, g));
    const outs = ctx.evalJaxpr(jaxpr, [], [{ dtype: "bool", shape: steps.shape, data: active }, ...slots, ...consts, ...carry], ctx.mask);
    carry = outs.slice(0, nk);
    outs.slice(nk).forEach((r, k) => (recorded[k]![g] = r));
  }
  return [...carry, ...recorded.map((slots, k) => tapeValue(outAvals[nk + k]!, slots))];
};

const tapeRead: Impl<"tape_read"> = ([tape, g], _params, outAvals) => [slotAt(tape!, outAvals[0]!, g!.data[0]!)];

const tapeReverse: Impl<"tape_reverse"> = ([tape], _params, outAvals) => [tapeValue(outAvals[0]!, [...(tape!.slots ?? [])].reverse())];

export const tapeImpls: { readonly [P in TapePrim]: Impl<P> } = {
  while_record: whileRecord,
  replay,
  tape_read: tapeRead,
  tape_reverse: tapeReverse,
};
