// What the parts of a dot kernel (pack.ts, micro_kernel.ts, epilogue.ts,
// driver.ts) share while one kernel function is emitted: the kernel, its
// scratch layout, its operands' byte strides and the locals of the block
// loops. The locals are allocated once per function, in a fixed order, so
// the emitted module does not depend on which parts run first.

import type { DotKernel, DotOperandStrides } from "../../../lower/kernel_ir.js";
import type { FunctionBuilder } from "../../func.js";
import type { Local } from "../../types.js";
import type { DotEpilogue } from "./epilogue.js";
import { EP, MR, NR, NVEC, type ScratchLayout } from "./layout.js";

/** An operand's strides in bytes (both operands have 4-byte elements). */
export interface OperandBytes {
  readonly batch: number;
  /** Along m for the lhs, along n for the rhs. */
  readonly mn: number;
  readonly k: number;
  /** Along each lane axis. */
  readonly lanes: readonly number[];
}

export function operandBytes(s: DotOperandStrides): OperandBytes {
  return { batch: s.b * 4, mn: s.mn * 4, k: s.k * 4, lanes: s.lanes.map((l) => l * 4) };
}

export interface DotLocals {
  /** The block's accumulators, [row · NVEC + vector]. */
  readonly acc: readonly Local[];
  /** The rhs vectors of the current k step. */
  readonly rhsVec: readonly Local[];
  /** The current row's lhs value, splatted. */
  readonly lhsSplat: Local;
  /** Packed lhs / rhs pointers of the k loop. */
  readonly pa: Local;
  readonly pb: Local;
  /** k steps left in the current run. */
  readonly kk: Local;
  /** One column of an accumulator, for a partial panel's per-column epilogue. */
  readonly scalarAcc: Local;
  /** First row of the current block. */
  readonly row: Local;
  /** First column of the current panel. */
  readonly col: Local;
  /** The current column chunk: its first column, the end of its full panels, its end. */
  readonly chunkStart: Local;
  readonly chunkFullEnd: Local;
  readonly chunkEnd: Local;
  /** The rhs base address of the current (lane, batch). */
  readonly rhsBase: Local;
  /** Copy loops: source, destination, count. */
  readonly src: Local;
  readonly dst: Local;
  readonly count: Local;
  /** Per block row: the epilogue's row base per access group. */
  readonly epilogueRows: readonly (readonly Local[])[];
  /** Per block row: the address of the lhs row to pack. */
  readonly lhsRows: readonly Local[];
}

/**
 * How the micro-kernel reads a row block's lhs values:
 * - `inPlace`: from the operand itself, row r at `r·lhs.mn`, step `lhs.k`
 *   bytes — when the block's rows are equally spaced (not gathered through
 *   the lane list) and the operand's span is small (`IN_PLACE_SPAN`), so
 *   its lines stay cached while every panel of the row block reads them;
 * - `kMajor`: from a copy packed [k][MR] by one vector load per k step (the
 *   rows adjacent in memory, lhs.mn = one element: a transposed operand);
 * - `rows`: from a copy packed row by row, [row][k].
 * A 1-row block in a packed mode is its k values, contiguous.
 */
export type LhsRead = "inPlace" | "kMajor" | "rows";

export interface DotState {
  readonly f: FunctionBuilder;
  readonly kernel: DotKernel;
  readonly isInt: boolean;
  readonly scratch: ScratchLayout;
  readonly lhs: OperandBytes;
  readonly rhs: OperandBytes;
  /** Bytes of one packed lhs row (k elements). */
  readonly rowBytes: number;
  /** Where the micro-kernel reads a block's lhs values (see `LhsRead`). */
  readonly lhsRead: LhsRead;
  /**
   * Whether the full rhs panels are read from the operand itself (panel at
   * its first column, step `rhs.k` bytes) instead of packed: when its columns
   * are contiguous (rhs.mn = one element) and the panels span at most
   * IN_PLACE_SPAN. A partial last panel is packed (zero-padded) either way.
   */
  readonly rhsInPlace: boolean;
  readonly locals: DotLocals;
  readonly epilogue: DotEpilogue;
}

export function allocateDotLocals(f: FunctionBuilder, isInt: boolean, groups: number): DotLocals {
  const acc = Array.from({ length: MR * NVEC }, (_, i) => f.addLocal("v128", `acc${i}`));
  const rhsVec = Array.from({ length: NVEC }, (_, i) => f.addLocal("v128", `b${i}`));
  const lhsSplat = f.addLocal("v128", "a");
  const pa = f.addLocal("i32", "pa");
  const pb = f.addLocal("i32", "pb");
  const kk = f.addLocal("i32", "kk");
  const scalarAcc = f.addLocal(isInt ? "i32" : "f32", "res1");
  const row = f.addLocal("i32", "i");
  const col = f.addLocal("i32", "j");
  const chunkStart = f.addLocal("i32", "c0");
  const chunkFullEnd = f.addLocal("i32", "c1");
  const chunkEnd = f.addLocal("i32", "cend");
  const rhsBase = f.addLocal("i32", "Bb");
  const src = f.addLocal("i32", "src");
  const dst = f.addLocal("i32", "dst");
  const count = f.addLocal("i32", "t");
  const epilogueRows = Array.from({ length: MR }, (_, r) => Array.from({ length: groups }, (_, g) => f.addLocal("i32", `er${r}_${g}`)));
  const lhsRows = Array.from({ length: MR }, (_, r) => f.addLocal("i32", `ra${r}`));
  return { acc, rhsVec, lhsSplat, pa, pb, kk, scalarAcc, row, col, chunkStart, chunkFullEnd, chunkEnd, rhsBase, src, dst, count, epilogueRows, lhsRows };
}

/** Byte strides of the lhs values a `rows`-row block reads: between its rows, and from one k step to the next. */
export function lhsStrides(s: DotState, rows: number): { readonly row: number; readonly k: number } {
  if (s.lhsRead === "inPlace") return { row: s.lhs.mn, k: s.lhs.k };
  if (rows > 1 && s.lhsRead === "kMajor") return { row: EP, k: rows * EP };
  return { row: s.rowBytes, k: EP };
}

/** Byte step from one k to the next in the panel a block reads: its row of the operand in place, else a packed row. */
export function panelStep(s: DotState, partial: boolean): number {
  return s.rhsInPlace && !partial ? s.rhs.k : NR * EP;
}

/** Pushes the packed rhs address of the panel starting at column `col` of the current chunk. */
export function pushPanelAddress(s: DotState, col: Local): void {
  const { f, locals: L } = s;
  f.i32.const(s.scratch.packedRhs).local.get(col).local.get(L.chunkStart).i32.sub().i32.const(s.kernel.k * EP).i32.mul().i32.add();
}
