// The instruction list a function body is built into. The encoder serializes
// it, the WAT printer prints it: one representation, so the text always shows
// what the bytes do.

import type { LaneOpName, MemOpName, PlainOpName } from "./ops.js";
import type { BlockType, FuncRef, GlobalRef, Local } from "./types.js";

/** A branch target: a block, loop or if that is open while branches to it are written. */
export interface Label {
  readonly kind: "block" | "loop" | "if";
  readonly name: string;
  /** Set when some branch targets it, so the printer names only labels in use. */
  used: boolean;
}

export type V128Shape = "i8x16" | "i16x8" | "i32x4" | "i64x2" | "f32x4" | "f64x2";

/** A v128 constant, remembered in the shape it was written in (for printing). */
export interface V128Const {
  readonly shape: V128Shape;
  readonly lanes: readonly (number | bigint)[];
  readonly bytes: Uint8Array;
}

export type Instr =
  | { readonly kind: "plain"; readonly op: PlainOpName }
  | { readonly kind: "mem"; readonly op: MemOpName; readonly offset: number; readonly alignLog2: number }
  | { readonly kind: "lane"; readonly op: LaneOpName; readonly lane: number }
  | { readonly kind: "i32.const"; readonly value: number }
  | { readonly kind: "i64.const"; readonly value: bigint }
  | { readonly kind: "f32.const"; readonly value: number }
  | { readonly kind: "f64.const"; readonly value: number }
  | { readonly kind: "v128.const"; readonly value: V128Const }
  | { readonly kind: "i8x16.shuffle"; readonly lanes: readonly number[] }
  | { readonly kind: "local"; readonly op: "local.get" | "local.set" | "local.tee"; readonly local: Local }
  | { readonly kind: "global"; readonly op: "global.get" | "global.set"; readonly global: GlobalRef }
  | { readonly kind: "call"; readonly func: FuncRef }
  | { readonly kind: "block"; readonly op: "block" | "loop" | "if"; readonly type: BlockType; readonly label: Label }
  | { readonly kind: "else" }
  | { readonly kind: "end" }
  | { readonly kind: "br"; readonly op: "br" | "br_if"; readonly label: Label; readonly depth: number }
  | {
      readonly kind: "br_table";
      readonly targets: readonly { label: Label; depth: number }[];
      readonly fallback: { label: Label; depth: number };
    }
  | { readonly kind: "memory"; readonly op: "memory.size" | "memory.grow" | "memory.copy" | "memory.fill" }
  | { readonly kind: "simple"; readonly op: "unreachable" | "nop" | "return" | "drop" | "select" };
