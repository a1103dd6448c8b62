// Lowering of the tape primitives (ir/prims/tape.ts). `replay` never reaches
// the lowering: passes/expandReplay.ts turns it into a while over tape_read
// first (lowerJaxpr runs it).

import type { TapePrim } from "../../ir/prims/tape.js";
import type { LowerRule } from "./lower.js";

const notYet = (prim: string): never => {
  throw new Error(`lower: ${prim} is not supported by the compiled backends yet`);
};

export const TAPE_LOWER_RULES: { readonly [P in TapePrim]: LowerRule<P> } = {
  while_record: () => notYet("while_record"),
  replay: () => {
    throw new Error("lower: replay must be expanded into a while over tape_read before lowering (passes/expandReplay.ts)");
  },
  tape_read: () => notYet("tape_read"),
  tape_reverse: () => notYet("tape_reverse"),
};
