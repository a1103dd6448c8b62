// The dot kernel's blocking constants and the layout of its scratch area.
//
// A block is MR rows × NR columns so that its accumulators (MR·NR/4 = 8
// vectors) plus the NR/4 rhs vectors and one splatted lhs value fit in the
// 16 SIMD registers of x64 without spilling. The rhs is packed in column
// panels of NR columns, [panel][k][NR], so one k step of a block reads two
// consecutive vectors; a row's k-th lhs value is at a constant offset from
// one pointer that moves by a constant per k step — read in place when the
// block's rows are equally spaced and close together (IN_PLACE_SPAN),
// else from a packed copy (state.ts, LhsRead). Columns are
// packed in chunks of at most NC_BYTES (an L2's worth): every row block then
// reads the chunk from cache.
//
// Numerics. Float sums accumulate in f32x4 lanes, in k order, over runs of
// at most DOT_F32_RUN = 64 products; longer contractions add each run's
// partial sums into double-precision totals, rounded once at the end. So
// every output is within γ_64·Σ_k |lhs·rhs| (γ_n = n·2⁻²⁴/(1 − n·2⁻²⁴)) of
// the exact sum, plus its final rounding, whatever k is: the bound BLAS's
// float32 gemm gives for k ≤ 64, which for longer sums it exceeds and this
// does not. The interpreter and the JS backend round the exact double sum
// instead, so results can differ in the last bits, and on cancelling sums
// (Σ small against Σ|·|) by more (docs/backends.md). float32 accumulation is
// what numpy's sgemm, XLA on CPU and jax-js do; double accumulation ran at
// half the SIMD width (mlp measured 14.5 GFLOP/s, against 22.7 with these
// float32 runs and the same epilogue). int32 dots wrap in i32x4 lanes,
// exactly like the interpreter.

import type { DotKernel } from "../../../lower/kernel_ir.js";

/** Rows per block. */
export const MR = 4;
/** Columns per block: one packed rhs panel, two 4-lane vectors. */
export const NR = 8;
/** Accumulator vectors per row of a block. */
export const NVEC = NR / 4;
/** Bytes per packed element (f32 or i32). */
export const EP = 4;
/** Longest run of products summed in float32 before it is added into a double total. */
export const DOT_F32_RUN = 64;
/**
 * The largest operand span (bytes from the first value a row block, or all
 * the full rhs panels, read to the last) the micro-kernel reads in place
 * rather than from a packed copy: within about an L2, the lines stay cached
 * while every panel (lhs) or every row block (rhs) re-reads them, and their
 * pages stay in the TLB. Reading in place saves the copy, which is what a
 * long contraction pays most for: on the weight gradient hᵀ·g (k = 1024, the
 * rows of hᵀ 4 bytes apart, 256 KiB each operand) packing each lhs row block
 * cost about 7 % of the kernel, most of it waiting on the strided loads, and
 * packing the rhs about 2 %; on the forward h·W the two save about 1 % each.
 */
export const IN_PLACE_SPAN = 1024 * 1024;
/** Packed rhs bytes per column chunk (fits in L2). */
const NC_BYTES = 256 * 1024;

/** Where the packed operands and the double totals live (absolute byte addresses). */
export interface ScratchLayout {
  /** Columns per chunk (a multiple of NR, or all columns). */
  readonly chunkColumns: number;
  /** The packed rhs panels of the current chunk, [panel][k][NR]. */
  readonly packedRhs: number;
  /** The packed lhs rows of the current block, [row][k]. */
  readonly packedLhs: number;
  /** The double totals of a block [row][vector][lo, hi] (meaningful when runsInDouble). */
  readonly totals: number;
}

interface Sizes {
  readonly nc: number;
  /** Byte offset of the packed lhs rows within the scratch area. */
  readonly aOffset: number;
  /** Byte offset of the double totals (float dots with k > DOT_F32_RUN), or -1. */
  readonly tOffset: number;
  readonly total: number;
}

/** Whether the kernel sums in runs of DOT_F32_RUN products with double totals. */
export function runsInDouble(k: DotKernel): boolean {
  return k.dtype !== "int32" && k.k > DOT_F32_RUN;
}

function sizes(k: DotKernel): Sizes {
  const padded = Math.ceil(k.n / NR) * NR;
  const nc = Math.max(NR, Math.min(padded, Math.floor(NC_BYTES / Math.max(1, k.k * EP) / NR) * NR));
  const bBytes = nc * k.k * EP;
  // The lhs rows start on a cache line; the totals are read as aligned v128s.
  const aOffset = Math.ceil(bBytes / 64) * 64;
  const aEnd = aOffset + MR * k.k * EP;
  if (!runsInDouble(k)) return { nc, aOffset, tOffset: -1, total: aEnd };
  const tOffset = Math.ceil(aEnd / 16) * 16;
  return { nc, aOffset, tOffset, total: tOffset + MR * NVEC * 32 };
}

/** Bytes of scratch the kernel needs (packed panels, packed rows, totals). */
export function dotScratchBytes(k: DotKernel): number {
  return sizes(k).total;
}

/** The kernel's scratch layout placed at byte address `scratch`. */
export function scratchLayout(k: DotKernel, scratch: number): ScratchLayout {
  const { nc, aOffset, tOffset } = sizes(k);
  return { chunkColumns: nc, packedRhs: scratch, packedLhs: scratch + aOffset, totals: scratch + tOffset };
}
