// Dot kernels → a register-blocked, packed SIMD matmul with the epilogue fused.
//
// Per (lane, batch) the kernel computes out[m, n] = epilogue(Σ_k lhs[m, k]·rhs[k, n]).
//
// Numerics. Float sums accumulate in f32x4 lanes, in k order, over runs of
// at most KB = 64 products; longer contractions add each run's partial sums
// into double-precision totals, rounded once at the end. So every output is
// within γ_64·Σ_k |lhs·rhs| (γ_n = n·2⁻²⁴/(1 − n·2⁻²⁴)) of the exact sum,
// plus its final rounding, whatever k is: the bound BLAS's float32 gemm gives
// for k ≤ 64, which for longer sums it exceeds and this does not. The
// interpreter and the JS backend round the exact double sum instead, so
// results can differ in the last bits, and on cancelling sums (Σ small
// against Σ|·|) by more (docs/backends.md). float32 accumulation is what
// numpy's sgemm, XLA on CPU and jax-js do; double accumulation here ran at
// half the SIMD width (mlp measured 14.5 GFLOP/s, against 22.7 with these
// float32 runs and the same epilogue).
// int32 dots wrap in i32x4 lanes, exactly like the interpreter.
//
// Packing. Both operands are copied once into the scratch area in the
// layout the inner loop wants: the rhs in column panels [panel][k][8] (the
// last panel zero-padded), the lhs per block of 4 rows as [row][k]. The
// copies cost k·(m + n) per (lane, batch) against m·n·k multiply-adds, and
// make every inner-loop load a plain vector load whatever the operands'
// strides (a transposed operand costs nothing extra). Columns are processed
// in chunks whose packed panels fit in L2 (256 KiB), so each chunk is read
// from cache by every row block.
//
// Micro-kernel. A block is 4 rows × 8 columns: eight f32x4 (or i32x4)
// accumulators stay in registers while k runs innermost; each step loads two
// rhs vectors and splats one lhs value per row (`v128.load32_splat`, a pure
// load) for 32 multiply-adds. Leftover rows use 1-row blocks.
//
// Epilogue. The elementwise epilogue (`+ b`, `tanh`, …) runs on each
// accumulator, four columns at a time; a partial last panel runs it per
// column. The epilogues are interleaved in pairs statement by statement
// (`recordStatements`) so their long dependency chains overlap.
//
// When the lanes are the lhs rows (the vmapped `h @ W`: rhs shared by every
// lane, no batch axis), the rhs is packed once per call and the active lanes'
// rows are blocked together four at a time, each row found through the
// active-lane list.

import type { DotKernel, Instr as KInstr, KernelPlan } from "../../lower/kernel_ir.js";
import type { Instr } from "../instr.js";
import type { FunctionBuilder } from "../func.js";
import type { Local } from "../types.js";
import { emitLoad, emitStore } from "./access.js";
import { Groups, type KernelParams, addScaled, emitAddress, laneCoords } from "./groups.js";
import { KernelValues } from "./kernel_values.js";
import { instrOperands as operands } from "../../lower/lanewise.js";
import { LANE_LIST_OFFSET } from "./layout.js";
import { type HostFns, type Width, indexAs } from "./values.js";

const MR = 4; // rows per block
const NR = 8; // columns per block (one packed panel): two 4-lane vectors
const NVEC = NR / 4;
const EP = 4; // bytes per packed element (f32 or i32)
/** Longest run of products summed in float32 before it is added into a double total. */
export const DOT_F32_RUN = 64;
const NC_BYTES = 256 * 1024; // packed rhs bytes per column chunk

interface Sizes {
  /** Columns per chunk (a multiple of NR, or all columns). */
  readonly nc: number;
  /** Byte offset of the packed lhs rows within the scratch area. */
  readonly aOffset: number;
  /** Byte offset of the double totals of a block (float dots with k > DOT_F32_RUN), or -1. */
  readonly tOffset: number;
  readonly total: number;
}

/** Whether the kernel sums in runs of DOT_F32_RUN products with double totals. */
function runsInDouble(k: DotKernel): boolean {
  return k.dtype !== "int32" && k.k > DOT_F32_RUN;
}

function sizes(k: DotKernel): Sizes {
  const padded = Math.ceil(k.n / NR) * NR;
  const nc = Math.max(NR, Math.min(padded, Math.floor(NC_BYTES / Math.max(1, k.k * EP) / NR) * NR));
  const bBytes = nc * k.k * EP;
  const aOffset = Math.ceil(bBytes / 64) * 64;
  const aEnd = aOffset + MR * k.k * EP;
  if (!runsInDouble(k)) return { nc, aOffset, tOffset: -1, total: aEnd };
  const tOffset = Math.ceil(aEnd / 16) * 16;
  return { nc, aOffset, tOffset, total: tOffset + MR * NVEC * 32 };
}

/** Bytes of scratch the kernel needs (packed panels). */
export function dotScratchBytes(k: DotKernel): number {
  return sizes(k).total;
}

export function emitDotKernel(f: FunctionBuilder, k: DotKernel, plan: KernelPlan & { kind: "dot" }, P: KernelParams, host: HostFns, scratch: number): void {
  const p = k.lanes ? k.lanes.rank : 0;
  const { m, n, k: K } = k;
  if (k.b === 0 || m === 0 || n === 0) return;
  const isInt = k.dtype === "int32";
  const { nc, aOffset, tOffset } = sizes(k);
  const ep = EP;
  const scratchB = scratch;
  const scratchA = scratch + aOffset;
  const scratchT = scratch + tOffset; // double totals [row][vector][lo, hi], when runsInDouble
  // Operand strides in bytes (both operands are 4-byte elements).
  const [sbA, smA, skA] = [plan.lhs.b * 4, plan.lhs.mn * 4, plan.lhs.k * 4];
  const [sbB, snB, skB] = [plan.rhs.b * 4, plan.rhs.mn * 4, plan.rhs.k * 4];
  const laneA = plan.lhs.lanes.map((s) => s * 4);
  const laneB = plan.rhs.lanes.map((s) => s * 4);
  const nvec = NVEC; // accumulator vectors per row of a block
  const rowBytes = K * ep; // one packed lhs row

  // ---- epilogue: access groups and values -------------------------------------------
  const groups = Groups.fromPlan(plan.access, P.dtypes);
  const groupOf = plan.access.ofInstr;
  const storeGroups = plan.access.ofStore;
  const gStride = (g: number, axis: number): number => groups.list[g]!.strides[axis]! * groups.list[g]!.unit;
  const snG = (g: number): number => gStride(g, p + 2);

  const A0 = f.addLocal("i32", "A");
  const B0 = f.addLocal("i32", "B");
  emitAddress(f, P.bufs[k.lhs.buf]!, k.lhs.offset, 4, P.syms);
  f.local.set(A0);
  emitAddress(f, P.bufs[k.rhs.buf]!, k.rhs.offset, 4, P.syms);
  f.local.set(B0);
  const e0 = groups.bases(f, P);

  // The epilogue element being computed: per-group pointers, column offset within the panel, the accumulator.
  const ep_ = groups.list.map((_, g) => f.addLocal("i32", `ep${g}`));
  let colInPanel = 0;
  let accLocal: Local | null = null;
  const leaf = (i: number, ins: KInstr, width: Width): void => {
    if (ins.op === "acc") {
      f.local.get(accLocal!);
      return;
    }
    const g = groupOf[i]!;
    const s = snG(g);
    // A level-0 leaf (no stride anywhere) is computed once at entry, from the group's base.
    const ptr = ins.level === 0 ? e0[g]! : ep_[g]!;
    if (ins.op === "load") {
      emitLoad(f, ins.dtype, width, ptr, colInPanel * s, s);
      return;
    }
    if (ins.op === "index") {
      f.local.get(ptr);
      if (colInPanel * s !== 0) f.i32.const(colInPanel * s).i32.add();
      if (width === 4) f.i32x4.splat().v128.const("i32x4", [0, s, 2 * s, 3 * s]).i32x4.add();
      indexAs({ f, width, host }, ins.dtype);
      return;
    }
    throw new Error(`wasm: unexpected ${ins.op} leaf in a dot epilogue`);
  };
  const values = new KernelValues(f, k.instrs, host, leaf);
  // Level-0 epilogue values (constants, invariant loads) are computed once, with their splats.
  const needSplat = new Set<number>();
  k.instrs.forEach((ins) => {
    if (ins.level === 0) return;
    for (const j of operands(ins)) if (k.instrs[j]!.level === 0) needSplat.add(j);
  });
  for (const s of k.stores) if (k.instrs[s.value]!.level === 0) needSplat.add(s.value);
  values.computeLevel(0, 1, needSplat);

  /** The epilogue of one element (width 1, column `col` of the panel) or of the panel's 4 columns (width 4). */
  const epilogue = (acc: Local, width: Width, rowBase: readonly Local[], j: Local, col: number): void => {
    groups.list.forEach((_, g) => {
      const s = snG(g);
      f.local.get(rowBase[g]!);
      if (s !== 0) {
        f.local.get(j);
        if (s !== 1) f.i32.const(s).i32.mul();
        f.i32.add();
      }
      f.local.set(ep_[g]!);
    });
    colInPanel = col;
    accLocal = acc;
    k.instrs.forEach((ins, i) => {
      if (ins.level !== 0) values.compute(i, width);
    });
    k.stores.forEach((st, si) => {
      const g = storeGroups[si]!;
      const s = snG(g);
      emitStore(f, P.dtypes[st.view.buf]!, width, ep_[g]!, col * s, s, values.local(st.value, width));
    });
  };

  // ---- locals ------------------------------------------------------------------------
  const acc = Array.from({ length: MR * nvec }, (_, i) => f.addLocal("v128", `acc${i}`));
  const bVec = Array.from({ length: nvec }, (_, i) => f.addLocal("v128", `b${i}`));
  const aVec = f.addLocal("v128", "a");
  const pa = f.addLocal("i32", "pa");
  const pb = f.addLocal("i32", "pb");
  const kk = f.addLocal("i32", "kk");
  const resS = f.addLocal(isInt ? "i32" : "f32", "res1");
  const i = f.addLocal("i32", "i"); // row
  const j = f.addLocal("i32", "j"); // column of the current panel
  const c0 = f.addLocal("i32", "c0"); // first column of the chunk
  const c1 = f.addLocal("i32", "c1"); // end of the chunk's full panels
  const cEnd = f.addLocal("i32", "cend"); // end of the chunk
  const bBatch = f.addLocal("i32", "Bb"); // rhs base of the current (lane, batch)
  const src = f.addLocal("i32", "src");
  const dst = f.addLocal("i32", "dst");
  const t = f.addLocal("i32", "t");
  const epiRows = Array.from({ length: MR }, (_, r) => groups.list.map((_, g) => f.addLocal("i32", `er${r}_${g}`)));
  const rowSrc = Array.from({ length: MR }, (_, r) => f.addLocal("i32", `ra${r}`));

  /** Copies `count` 4-byte elements from `src` (stride `stride` bytes) to `dst` (contiguous). */
  const copyRun = (count: number, stride: number): void => {
    if (count <= 0) return;
    const vec = stride === 4 ? Math.floor(count / 4) : 0;
    if (vec > 0) {
      f.i32.const(vec).local.set(t);
      const top = f.loop();
      f.local.get(dst).local.get(src).v128.load({ align: 4 }).v128.store({ align: 4 });
      f.local.get(src).i32.const(16).i32.add().local.set(src);
      f.local.get(dst).i32.const(16).i32.add().local.set(dst);
      f.local.get(t).i32.const(1).i32.sub().local.tee(t).br_if(top);
      f.end();
    }
    const rest = count - vec * 4;
    if (rest > 0) {
      f.i32.const(rest).local.set(t);
      const top = f.loop();
      f.local.get(dst).local.get(src).i32.load({ align: 4 }).i32.store({ align: 4 });
      f.local.get(src).i32.const(stride).i32.add().local.set(src);
      f.local.get(dst).i32.const(4).i32.add().local.set(dst);
      f.local.get(t).i32.const(1).i32.sub().local.tee(t).br_if(top);
      f.end();
    }
  };

  /** Packs rhs columns [c0, cEnd) of the current (lane, batch) as panels [panel][k][NR] at scratchB. */
  const packRhs = (): void => {
    if (K === 0) return;
    // full panels
    f.local.get(c0).local.set(j);
    const done = f.block();
    const top = f.loop();
    f.local.get(j).local.get(c1).i32.ge_u().br_if(done);
    // panel (j - c0)/NR at scratchB + (j - c0)·K·ep
    f.i32.const(scratchB).local.get(j).local.get(c0).i32.sub().i32.const(K * ep).i32.mul().i32.add().local.set(dst);
    f.local.get(bBatch).local.get(j).i32.const(snB).i32.mul().i32.add().local.set(src);
    f.i32.const(K).local.set(t);
    const kTop = f.loop();
    if (snB === 4) {
      for (let v = 0; v < NVEC; v++) f.local.get(dst).local.get(src).v128.load({ offset: v * 16, align: 4 }).v128.store({ offset: v * 16, align: 4 });
    } else {
      for (let c = 0; c < NR; c++) f.local.get(dst).local.get(src).i32.load({ offset: c * snB, align: 4 }).i32.store({ offset: c * ep, align: 4 });
    }
    f.local.get(src).i32.const(skB).i32.add().local.set(src);
    f.local.get(dst).i32.const(NR * ep).i32.add().local.set(dst);
    f.local.get(t).i32.const(1).i32.sub().local.tee(t).br_if(kTop);
    f.end();
    f.local.get(j).i32.const(NR).i32.add().local.set(j);
    f.br(top);
    f.end();
    f.end();
    // a partial last panel: the valid columns, zeros elsewhere
    const rem = n % NR;
    if (rem === 0) return;
    f.local.get(c1).local.get(cEnd).i32.lt_u();
    f.if();
    f.i32.const(scratchB).local.get(c1).local.get(c0).i32.sub().i32.const(K * ep).i32.mul().i32.add().local.set(dst);
    f.local.get(bBatch).local.get(c1).i32.const(snB).i32.mul().i32.add().local.set(src);
    f.i32.const(K).local.set(t);
    const pTop = f.loop();
    for (let c = 0; c < NR; c++) {
      f.local.get(dst);
      if (c < rem) f.local.get(src).i32.load({ offset: c * snB, align: 4 });
      else f.i32.const(0);
      f.i32.store({ offset: c * ep, align: 4 });
    }
    f.local.get(src).i32.const(skB).i32.add().local.set(src);
    f.local.get(dst).i32.const(NR * ep).i32.add().local.set(dst);
    f.local.get(t).i32.const(1).i32.sub().local.tee(t).br_if(pTop);
    f.end();
    f.end();
  };

  /** Packs the lhs rows whose source addresses are in rowSrc[0..rows) into scratchA [row][k]. */
  const packLhs = (rows: number): void => {
    for (let r = 0; r < rows; r++) {
      f.local.get(rowSrc[r]!).local.set(src);
      f.i32.const(scratchA + r * rowBytes).local.set(dst);
      copyRun(K, skA);
    }
  };

  /** The inner loop over `count` k steps (a constant, or the local `kk` preset when null), from pa/pb onwards. */
  const kLoop = (rows: number, count: number | null): void => {
    if (count !== null) f.i32.const(count).local.set(kk);
    const top = f.loop();
    for (let v = 0; v < nvec; v++) f.local.get(pb).v128.load({ offset: v * 16, align: 4 }).local.set(bVec[v]!);
    for (let r = 0; r < rows; r++) {
      f.local.get(pa).v128.load32_splat({ offset: r * rowBytes, align: 4 }).local.set(aVec);
      for (let v = 0; v < nvec; v++) {
        const c = acc[r * nvec + v]!;
        f.local.get(c).local.get(aVec).local.get(bVec[v]!);
        if (isInt) f.i32x4.mul().i32x4.add();
        else f.f32x4.mul().f32x4.add();
        f.local.set(c);
      }
    }
    f.local.get(pa).i32.const(ep).i32.add().local.set(pa);
    f.local.get(pb).i32.const(NR * ep).i32.add().local.set(pb);
    f.local.get(kk).i32.const(1).i32.sub().local.tee(kk).br_if(top);
    f.end();
  };
  const zeroAcc = (rows: number): void => {
    for (let r = 0; r < rows * nvec; r++) f.v128.const("i32x4", [0, 0, 0, 0]).local.set(acc[r]!);
  };
  /** Double total [row][vector] halves: lo (columns 0, 1) at +0, hi (columns 2, 3) at +16. */
  const total = (r: number, v: number): number => scratchT + (r * nvec + v) * 32;

  /**
   * k > DOT_F32_RUN (float): runs of DOT_F32_RUN products in float32, each
   * run's sums widened and added to the double totals; at the end the totals,
   * rounded once, replace the accumulators.
   */
  const kRunsInDouble = (rows: number): void => {
    const left = f.addLocal("i32", "kleft");
    for (let r = 0; r < rows; r++) for (let v = 0; v < nvec; v++) for (const h of [0, 16]) f.i32.const(0).v128.const("i32x4", [0, 0, 0, 0]).v128.store({ offset: total(r, v) + h, align: 16 });
    f.i32.const(K).local.set(left);
    const top = f.loop();
    // kk = min(left, DOT_F32_RUN)
    f.local.get(left).i32.const(DOT_F32_RUN).local.get(left).i32.const(DOT_F32_RUN).i32.lt_u().select().local.set(kk);
    f.local.get(left).local.get(kk).i32.sub().local.set(left);
    zeroAcc(rows);
    kLoop(rows, null);
    for (let r = 0; r < rows; r++) {
      for (let v = 0; v < nvec; v++) {
        const a = acc[r * nvec + v]!;
        f.i32.const(0).i32.const(0).v128.load({ offset: total(r, v), align: 16 });
        f.local.get(a).f64x2.promote_low_f32x4().f64x2.add().v128.store({ offset: total(r, v), align: 16 });
        f.i32.const(0).i32.const(0).v128.load({ offset: total(r, v) + 16, align: 16 });
        f.local.get(a).local.get(a).i8x16.shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
        f.f64x2.promote_low_f32x4().f64x2.add().v128.store({ offset: total(r, v) + 16, align: 16 });
      }
    }
    f.local.get(left).br_if(top);
    f.end();
    for (let r = 0; r < rows; r++) {
      for (let v = 0; v < nvec; v++) {
        f.i32.const(0).v128.load({ offset: total(r, v), align: 16 }).f32x4.demote_f64x2_zero();
        f.i32.const(0).v128.load({ offset: total(r, v) + 16, align: 16 }).f32x4.demote_f64x2_zero();
        f.i8x16.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]).local.set(acc[r * nvec + v]!);
      }
    }
  };

  /** One block: `rows` rows × the NR columns of the panel starting at column j; `partial` = columns left if < NR. */
  const block = (rows: number, partial: number): void => {
    if (!runsInDouble(k)) zeroAcc(rows);
    if (K > 0) {
      f.i32.const(scratchA).local.set(pa);
      f.i32.const(scratchB).local.get(j).local.get(c0).i32.sub().i32.const(K * ep).i32.mul().i32.add().local.set(pb);
      if (runsInDouble(k)) kRunsInDouble(rows);
      else kLoop(rows, K);
    }
    // Each accumulator's epilogue: 4 columns at once when all 4 exist, else column by column.
    let rec: ReturnType<typeof recordStatements> | null = null;
    let segments = 0;
    for (let r = 0; r < rows; r++) {
      for (let v = 0; v < nvec; v++) {
        const cols = Math.min(4, partial - 4 * v);
        if (cols <= 0) continue;
        const a = acc[r * nvec + v]!;
        if (cols === 4) {
          if (segments % 2 === 0) {
            rec?.interleave();
            rec = recordStatements(f);
          }
          segments++;
          rec!.startSegment();
          epilogue(a, 4, epiRows[r]!, j, 4 * v);
          continue;
        }
        for (let c = 0; c < cols; c++) {
          f.local.get(a);
          if (isInt) f.i32x4.extract_lane(c);
          else f.f32x4.extract_lane(c);
          f.local.set(resS);
          epilogue(resS, 1, epiRows[r]!, j, 4 * v + c);
        }
      }
    }
    rec?.interleave();
  };

  /** All column panels of the chunk for one row block. */
  const panels = (rows: number): void => {
    packLhs(rows);
    f.local.get(c0).local.set(j);
    const done = f.block();
    const top = f.loop();
    f.local.get(j).local.get(c1).i32.ge_u().br_if(done);
    block(rows, NR);
    f.local.get(j).i32.const(NR).i32.add().local.set(j);
    f.br(top);
    f.end();
    f.end();
    const rem = n % NR;
    if (rem > 0) {
      f.local.get(c1).local.get(cEnd).i32.lt_u();
      f.if();
      f.local.get(c1).local.set(j);
      block(rows, rem);
      f.end();
    }
  };

  /**
   * For each column chunk: pack the rhs, then every row block. `rowsCount`
   * pushes the number of rows; `setupRows(rows)` sets rowSrc[r] (lhs row
   * addresses) and epiRows[r] (epilogue row bases) for rows i … i+rows-1.
   */
  const chunks = (rowsCount: () => void, setupRows: (rows: number) => void): void => {
    const total = f.addLocal("i32", "rows");
    rowsCount();
    f.local.set(total);
    f.i32.const(0).local.set(c0);
    const chunkTop = f.loop();
    // cEnd = min(c0 + nc, n); c1 = the end of its full panels
    f.local.get(c0).i32.const(nc).i32.add().local.set(cEnd);
    f.i32.const(n).local.get(cEnd).local.get(cEnd).i32.const(n).i32.gt_u().select().local.set(cEnd);
    // chunks start at multiples of NR, so the full panels end at cEnd rounded down to NR
    f.local.get(cEnd).i32.const(-NR).i32.and().local.set(c1);
    packRhs();
    f.i32.const(0).local.set(i);
    for (const rows of [MR, 1]) {
      const done = f.block();
      const top = f.loop();
      f.local.get(i).i32.const(rows).i32.add().local.get(total).i32.gt_u().br_if(done);
      setupRows(rows);
      panels(rows);
      f.local.get(i).i32.const(rows).i32.add().local.set(i);
      f.br(top);
      f.end();
      f.end();
    }
    f.local.get(cEnd).local.tee(c0).i32.const(n).i32.lt_u().br_if(chunkTop);
    f.end();
  };

  if (plan.rowsAreLanes) {
    // Rows = (active lane, m) pairs; the rhs is shared by all of them.
    const ls = P.lanes!;
    const laneOf = f.addLocal("i32", "lane");
    const mi = f.addLocal("i32", "mi");
    f.local.get(B0).local.set(bBatch);
    chunks(
      () => {
        f.local.get(ls).i32.load({ align: 4 });
        if (m !== 1) f.i32.const(m).i32.mul();
      },
      (rows) => {
        for (let r = 0; r < rows; r++) {
          // row i + r → lane list[(i + r) / m], mi = (i + r) % m
          f.local.get(ls).local.get(i);
          if (r) f.i32.const(r).i32.add();
          if (m !== 1) f.i32.const(m).i32.div_u();
          f.i32.const(2).i32.shl().i32.add().i32.load({ offset: LANE_LIST_OFFSET, align: 4 }).local.set(laneOf);
          if (m !== 1) {
            f.local.get(i);
            if (r) f.i32.const(r).i32.add();
            f.i32.const(m).i32.rem_u().local.set(mi);
          }
          const terms = (laneScale: number, mScale: number) => [{ coord: laneOf, scale: laneScale }, ...(m !== 1 ? [{ coord: mi, scale: mScale }] : [])];
          addScaled(f, A0, terms(laneA[0]!, smA), rowSrc[r]!);
          groups.list.forEach((_, g) => addScaled(f, e0[g]!, terms(gStride(g, 0), gStride(g, p + 1)), epiRows[r]![g]!));
        }
      },
    );
    return;
  }

  // General case: active lanes (if any) × batches × the dense m×n product.
  const aL = f.addLocal("i32", "Al");
  const bL = f.addLocal("i32", "Bl");
  const eL = groups.list.map((_, g) => f.addLocal("i32", `el${g}`));
  const aB = f.addLocal("i32", "Ab");
  const eB = groups.list.map((_, g) => f.addLocal("i32", `eb${g}`));

  const perBatch = (): void =>
    chunks(
      () => f.i32.const(m),
      (rows) => {
        for (let r = 0; r < rows; r++) {
          f.local.get(aB).local.get(i);
          if (r) f.i32.const(r).i32.add();
          f.i32.const(smA).i32.mul().i32.add().local.set(rowSrc[r]!);
          groups.list.forEach((_, g) => {
            f.local.get(eB[g]!).local.get(i);
            if (r) f.i32.const(r).i32.add();
            f.i32.const(gStride(g, p + 1)).i32.mul().i32.add().local.set(epiRows[r]![g]!);
          });
        }
      },
    );
  const batches = (): void => {
    const bi = f.addLocal("i32", "bi");
    f.local.get(aL).local.set(aB);
    f.local.get(bL).local.set(bBatch);
    groups.list.forEach((_, g) => f.local.get(eL[g]!).local.set(eB[g]!));
    f.i32.const(0).local.set(bi);
    const top = f.loop();
    perBatch();
    f.local.get(aB).i32.const(sbA).i32.add().local.set(aB);
    f.local.get(bBatch).i32.const(sbB).i32.add().local.set(bBatch);
    groups.list.forEach((_, g) => f.local.get(eB[g]!).i32.const(gStride(g, p)).i32.add().local.set(eB[g]!));
    f.local.get(bi).i32.const(1).i32.add().local.tee(bi).i32.const(k.b).i32.lt_u().br_if(top);
    f.end();
  };

  if (p === 0) {
    f.local.get(A0).local.set(aL);
    f.local.get(B0).local.set(bL);
    groups.list.forEach((_, g) => f.local.get(e0[g]!).local.set(eL[g]!));
    batches();
    return;
  }
  const ls = P.lanes!;
  const q = f.addLocal("i32", "q");
  const l = f.addLocal("i32", "l");
  const cnt = f.addLocal("i32", "count");
  const done = f.block();
  f.local.get(ls).i32.load({ align: 4 }).local.tee(cnt).i32.eqz().br_if(done);
  f.i32.const(0).local.set(q);
  const top = f.loop();
  f.local.get(ls).local.get(q).i32.const(2).i32.shl().i32.add().i32.load({ offset: LANE_LIST_OFFSET, align: 4 }).local.set(l);
  const coords = laneCoords(f, l, k.laneShape);
  addScaled(f, A0, coords.map((coord, a) => ({ coord, scale: laneA[a]! })), aL);
  addScaled(f, B0, coords.map((coord, a) => ({ coord, scale: laneB[a]! })), bL);
  groups.list.forEach((_, g) => addScaled(f, e0[g]!, coords.map((coord, a) => ({ coord, scale: gStride(g, a) })), eL[g]!));
  batches();
  f.local.get(q).i32.const(1).i32.add().local.tee(q).local.get(cnt).i32.lt_u().br_if(top);
  f.end();
  f.end();
}

/**
 * The epilogues of a block's rows are independent, but each (a `tanh` is a
 * ~90-cycle dependency chain) is long enough that emitted one after the other
 * the CPU's reorder window overlaps barely two of them. This records each
 * row's code as a segment, then rewrites the body with the segments'
 * statements (stretches that leave the operand stack as they found it)
 * taken round-robin, each segment's locals renamed so that the rows no longer
 * share scratch locals. Segments with control flow or calls are left as they are.
 * The block interleaves rows in pairs: measured on `mlp` (V8, x64), pairs
 * take 10.1 → 9.3 ms, while all four rows at once spill registers and gain
 * nothing. The values are unchanged (same operations on the same inputs).
 */
function recordStatements(f: FunctionBuilder): { startSegment(): void; interleave(): void } {
  const body = f.body;
  const base = f.stackTypes.length;
  const starts: number[] = [];
  const heightAfter: number[] = []; // stack height after body[starts[0] + i]
  const push = body.push;
  body.push = function (...items: Instr[]): number {
    const len = push.apply(this, items);
    for (let q = 0; q < items.length; q++) heightAfter.push(f.stackTypes.length);
    return len;
  };
  return {
    startSegment: () => {
      if (starts.length === 0) heightAfter.length = 0;
      starts.push(body.length);
    },
    interleave: () => {
      delete (body as { push?: unknown }).push; // back to Array.prototype.push
      const first = starts[0]!;
      const segs = starts.map((s, r) => body.slice(s, r + 1 < starts.length ? starts[r + 1] : body.length));
      const opaque = segs.some((seg) => seg.some((ins) => ["block", "else", "end", "br", "br_table", "call", "simple"].includes(ins.kind)));
      if (opaque) return;
      const stmts = segs.map((seg, r) => {
        const off = starts[r]! - first;
        const rename = new Map<Local, Local>();
        const out: Instr[][] = [];
        let cur: Instr[] = [];
        seg.forEach((ins, q) => {
          if (ins.kind === "local") {
            if (ins.op !== "local.get" && !rename.has(ins.local)) rename.set(ins.local, f.addLocal(ins.local.type, `${ins.local.name}_r${r}`));
            const l = rename.get(ins.local) ?? ins.local;
            cur.push({ ...ins, local: l });
          } else cur.push(ins);
          if (heightAfter[off + q] === base) {
            out.push(cur);
            cur = [];
          }
        });
        if (cur.length) out.push(cur);
        return out;
      });
      body.length = first;
      const most = Math.max(...stmts.map((s) => s.length));
      for (let q = 0; q < most; q++) for (const s of stmts) if (q < s.length) for (const ins of s[q]!) body.push(ins);
    },
  };
}
