// Batching of `check` (ir/prims/check.ts): the values keep their batch axes;
// a batched predicate fails when any batch element's does.
import type { BatchRule } from "./rules.js";

export const checkBatch: BatchRule<"check"> = (ctx, [pred, ...values], params) => {
  const outs = ctx.em.emit("check", params, [pred!.atom, ...values.map((v) => v.atom)]);
  return outs.map((atom, i) => ({ atom, dim: values[i]!.dim, why: values[i]!.why }));
};
