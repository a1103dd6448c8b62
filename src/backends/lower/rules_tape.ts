// Lowering of the tape primitives (ir/prims/tape.ts) to the kernel IR's tape
// statements (kernel_ir.ts, "Tapes"). A tape's node is the int32 scalar
// holding its handle (`storageOf`), so tapes pass through loops, branches and
// calls like any scalar, and a tape of tapes records handles.
//
//   while_record → the while lowering (rules_control.ts, lowerWhile) with a
//                  `tape_new` per residual before the loop and, in the body,
//                  each residual materialized contiguously and pushed
//                  (`tape_push`) before the carries are written back.
//   tape_read    → `tape_load` of the slot into a fresh temp.
//   replay       → never lowered: passes/expandReplay.ts turns it into a
//                  while over tape_read first (lowerJaxpr runs it).

import { type Aval, type DType, type Shape, avalStr, isTape, slotOf, sizeOf } from "../../ir/dtype.js";
import type { TapePrim } from "../../ir/prims/tape.js";
import type { Block } from "./block.js";
import type { View } from "./kernel_ir.js";
import type { LowerRule } from "./lower.js";
import { type Node, loadNode } from "./nodes.js";
import { lowerWhile } from "./rules_control.js";

/** How a value of this type is held by the compiled program: a tape as its int32 handle, anything else as itself. */
export function storageOf(a: Aval): { readonly dtype: DType; readonly shape: Shape } {
  return isTape(a) ? { dtype: "int32", shape: [] } : { dtype: a.dtype, shape: a.shape };
}

/** The element type and element count of one slot of a tape of type `tape`. */
function slotLayout(tape: Aval): { readonly dtype: DType; readonly slotSize: number; readonly shape: Shape } {
  const s = storageOf(slotOf(tape));
  return { dtype: s.dtype, slotSize: sizeOf(s.shape), shape: s.shape };
}

/** A slot's elements as a tape statement sees them: `slotSize` contiguous elements from the view's start. */
function slotView(v: View): View {
  return { buf: v.buf, offset: v.offset, strides: [1] };
}

const whileRecord: LowerRule<"while_record"> = function* (ins, r) {
  const { L } = r;
  const nCarry = ins.length - r.params.cond_nconsts - r.params.body_nconsts;
  const tapeOuts = r.e.outputs.slice(nCarry);
  const handles = tapeOuts.map((_, k) => {
    const d = r.dests[nCarry + k];
    return d && d.whole ? d.view : L.newTemp("int32", [], "tape");
  });
  const layouts = tapeOuts.map((v) => slotLayout(v.aval));
  const carries = yield* lowerWhile(ins, r, {
    start: (b: Block) => handles.forEach((handle, k) => L.emit(b, { kind: "tape_new", handle, dtype: layouts[k]!.dtype, slotSize: layouts[k]!.slotSize })),
    push: (b: Block, residuals: readonly Node[]) => {
      residuals.forEach((n, k) => {
        const src = L.materializeContiguous(b, n, "residual");
        const { dtype, slotSize } = layouts[k]!;
        L.emit(b, { kind: "tape_push", handle: handles[k]!, src: slotView(src), dtype, slotSize });
      });
    },
  });
  return [...carries, ...handles.map((h) => loadNode(h, [], "int32", false))];
};

const tapeRead: LowerRule<"tape_read"> = ([tape, g], r) => {
  const { L, b } = r;
  const { dtype, slotSize, shape } = slotLayout(r.e.inputs[0]!.aval);
  const handle = L.materialize(b, tape!, "tape");
  const index = L.materialize(b, g!, "slot index");
  const dst = L.newTemp(dtype, shape, "tape slot");
  L.emit(b, { kind: "tape_load", handle, index, dst: slotView(dst), dtype, slotSize });
  return [loadNode(dst, shape, dtype, false)];
};

const tapeReverse: LowerRule<"tape_reverse"> = ([tape], r) => {
  const { L, b } = r;
  const { dtype, slotSize } = slotLayout(r.e.inputs[0]!.aval);
  const src = L.materialize(b, tape!, "tape");
  const dst = L.newTemp("int32", [], "tape");
  L.emit(b, { kind: "tape_reverse", dst, src, dtype, slotSize });
  return [loadNode(dst, [], "int32", false)];
};

export const TAPE_LOWER_RULES: { readonly [P in TapePrim]: LowerRule<P> } = {
  while_record: whileRecord,
  replay: () => {
    throw new Error("lower: replay must be expanded into a while over tape_read before lowering (passes/expandReplay.ts)");
  },
  tape_read: tapeRead,
  tape_reverse: tapeReverse,
};

/** Throws when a program boundary (its inputs or outputs) carries a tape: tapes exist only inside one compiled program. */
export function rejectTapesAtBoundary(avals: readonly Aval[], what: "input" | "output"): void {
  avals.forEach((a, i) => {
    if (!isTape(a)) return;
    throw new Error(
      `lower: program ${what} ${i} is a tape (${avalStr(a)}); tapes exist only inside one compiled program ` +
        "(they hold a while loop's residuals for its reverse pass within the same run): compute the gradient in the same jit as the loop",
    );
  });
}
