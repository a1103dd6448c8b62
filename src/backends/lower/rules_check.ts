// Lowering of `check` (ir/prims/check.ts): the predicate materialized as
// contiguous bools and a `check` statement over them; the values pass
// through as they are (the statement runs before anything that reads them is
// emitted after it).
import { sizeOf } from "../../ir/dtype.js";
import type { LowerRule } from "./lower.js";

export const CHECK_LOWER_RULE: LowerRule<"check"> = ([pred, ...values], r) => {
  const { L, b } = r;
  const view = L.materializeContiguous(b, pred!, "check predicate");
  L.emit(b, { kind: "check", pred: { buf: view.buf, offset: view.offset, strides: [] }, size: sizeOf(pred!.shape), message: r.params.message });
  return values;
};
