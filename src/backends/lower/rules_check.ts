// Lowering of `check` (ir/prims/check.ts).
import type { LowerRule } from "./lower.js";

export const CHECK_LOWER_RULE: LowerRule<"check"> = () => {
  throw new Error("lower: check is not supported by the compiled backends yet");
};
