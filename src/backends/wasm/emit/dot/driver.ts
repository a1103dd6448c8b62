// Dot kernels → a register-blocked, packed SIMD matmul with the epilogue fused.
//
// Per (lane, batch) the kernel computes out[m, n] = epilogue(Σ_k lhs[m, k]·rhs[k, n]):
// for each column chunk it packs the rhs (pack.ts), then for each block of
// MR rows (then single rows) packs the lhs rows (unless it reads them in
// place) and, per panel, runs the micro-kernel (micro_kernel.ts) and the
// epilogue (epilogue.ts). The blocking and the numerics are in layout.ts.
//
// This file is the driver: the loops over lanes, batches, column chunks,
// row blocks and panels, and where each block's rows come from. When the
// lanes are the lhs rows (the vmapped `h @ W`: rhs shared by every lane, no
// batch axis; the plan's `rowsAreLanes`), the rhs is packed once per call
// and the active lanes' rows are blocked together MR at a time, each row
// found through the active-lane list, instead of running m-row products
// (often m = 1) per lane.

import type { DotKernel, KernelPlan } from "../../../lower/kernel_ir.js";
import type { FunctionBuilder } from "../../func.js";
import type { Local } from "../../types.js";
import { type KernelParams, addScaled, emitAddress, laneCoords } from "../groups.js";
import { LANE_LIST_OFFSET } from "../layout.js";
import type { HostFns } from "../values.js";
import { DotEpilogue, blockEpilogue } from "./epilogue.js";
import { IN_PLACE_SPAN, MR, NR, scratchLayout } from "./layout.js";
import { multiplyBlock } from "./micro_kernel.js";
import { packLhs, packRhs } from "./pack.js";
import { type DotState, type LhsRead, allocateDotLocals, operandBytes } from "./state.js";

/** The operands' base addresses at entry. */
interface OperandBases {
  readonly lhs: Local;
  readonly rhs: Local;
}

export function emitDotKernel(f: FunctionBuilder, k: DotKernel, plan: KernelPlan & { kind: "dot" }, P: KernelParams, host: HostFns, scratch: number): void {
  if (k.b === 0 || k.m === 0 || k.n === 0) return;
  const isInt = k.dtype === "int32";
  const lhsBase = f.addLocal("i32", "A");
  const rhsBase = f.addLocal("i32", "B");
  emitAddress(f, P.bufs[k.lhs.buf]!, k.lhs.offset, 4, P.syms);
  f.local.set(lhsBase);
  emitAddress(f, P.bufs[k.rhs.buf]!, k.rhs.offset, 4, P.syms);
  f.local.set(rhsBase);
  const epilogue = DotEpilogue.atEntry(f, k, plan, P, host);
  const s: DotState = {
    f,
    kernel: k,
    isInt,
    scratch: scratchLayout(k, scratch),
    lhs: operandBytes(plan.lhs),
    rhs: operandBytes(plan.rhs),
    rowBytes: k.k * 4,
    lhsRead: lhsRead(k, plan),
    rhsInPlace: rhsInPlace(k, plan),
    locals: allocateDotLocals(f, isInt, epilogue.groups.list.length),
    epilogue,
  };
  const bases: OperandBases = { lhs: lhsBase, rhs: rhsBase };
  if (plan.rowsAreLanes) lanesAsRows(s, P, bases);
  else lanesAndBatches(s, P, bases);
}

/** How the micro-kernel reads the lhs (state.ts, `LhsRead`). */
function lhsRead(k: DotKernel, plan: KernelPlan & { kind: "dot" }): LhsRead {
  // The rows of a lane-list block are wherever the active lanes put them: copied.
  if (plan.rowsAreLanes) return "rows";
  const { k: sk, mn: sm } = plan.lhs;
  // In place, row r of a block is at a constant offset r·mn: a memory offset, never negative.
  if (sk >= 0 && sm >= 0 && 4 * (Math.max(0, k.k - 1) * sk + (MR - 1) * sm + 1) <= IN_PLACE_SPAN) return "inPlace";
  return sm === 1 ? "kMajor" : "rows";
}

/** Whether the full rhs panels are read in place (state.ts, `rhsInPlace`): 8 adjacent columns, panels within IN_PLACE_SPAN. */
function rhsInPlace(k: DotKernel, plan: KernelPlan & { kind: "dot" }): boolean {
  const { k: sk, mn: sn } = plan.rhs;
  return sn === 1 && sk >= 0 && 4 * (Math.max(0, k.k - 1) * sk + Math.max(0, k.n - 1) + 1) <= IN_PLACE_SPAN;
}

/** One block: `rows` rows × the panel starting at column `col`, of which `partial` columns exist. */
function block(s: DotState, rows: number, partial: number): void {
  multiplyBlock(s, rows, partial < NR);
  blockEpilogue(s, rows, partial);
}

/** All column panels of the chunk for the row block at `row` (its lhs rows and epilogue rows set). */
function panels(s: DotState, rows: number): void {
  const { f, locals: L } = s;
  packLhs(s, rows);
  f.local.get(L.chunkStart).local.set(L.col);
  const done = f.block();
  const top = f.loop();
  f.local.get(L.col).local.get(L.chunkFullEnd).i32.ge_u().br_if(done);
  block(s, rows, NR);
  f.local.get(L.col).i32.const(NR).i32.add().local.set(L.col);
  f.br(top);
  f.end();
  f.end();
  const rem = s.kernel.n % NR;
  if (rem > 0) {
    f.local.get(L.chunkFullEnd).local.get(L.chunkEnd).i32.lt_u();
    f.if();
    f.local.get(L.chunkFullEnd).local.set(L.col);
    block(s, rows, rem);
    f.end();
  }
}

/**
 * For each column chunk: pack the rhs, then every row block (MR rows, then
 * single rows). `rowsCount` pushes the number of rows; `setupRows(rows)`
 * sets lhsRows[r] (lhs row addresses) and epilogueRows[r] (epilogue row
 * bases) for rows row … row+rows-1.
 */
function chunks(s: DotState, rowsCount: () => void, setupRows: (rows: number) => void): void {
  const { f, locals: L } = s;
  const n = s.kernel.n;
  const total = f.addLocal("i32", "rows");
  rowsCount();
  f.local.set(total);
  f.i32.const(0).local.set(L.chunkStart);
  const chunkTop = f.loop();
  // chunkEnd = min(chunkStart + chunkColumns, n)
  f.local.get(L.chunkStart).i32.const(s.scratch.chunkColumns).i32.add().local.set(L.chunkEnd);
  f.i32.const(n).local.get(L.chunkEnd).local.get(L.chunkEnd).i32.const(n).i32.gt_u().select().local.set(L.chunkEnd);
  // chunks start at multiples of NR, so the full panels end at chunkEnd rounded down to NR
  f.local.get(L.chunkEnd).i32.const(-NR).i32.and().local.set(L.chunkFullEnd);
  packRhs(s);
  f.i32.const(0).local.set(L.row);
  for (const rows of [MR, 1]) {
    const done = f.block();
    const top = f.loop();
    f.local.get(L.row).i32.const(rows).i32.add().local.get(total).i32.gt_u().br_if(done);
    setupRows(rows);
    panels(s, rows);
    f.local.get(L.row).i32.const(rows).i32.add().local.set(L.row);
    f.br(top);
    f.end();
    f.end();
  }
  f.local.get(L.chunkEnd).local.tee(L.chunkStart).i32.const(n).i32.lt_u().br_if(chunkTop);
  f.end();
}

/** Rows = (active lane, m) pairs; the rhs is shared by all of them. */
function lanesAsRows(s: DotState, P: KernelParams, bases: OperandBases): void {
  const { f, locals: L, epilogue } = s;
  const m = s.kernel.m;
  const p = s.kernel.lanes ? s.kernel.lanes.rank : 0;
  const ls = P.lanes!;
  const laneOf = f.addLocal("i32", "lane");
  const mi = f.addLocal("i32", "mi");
  f.local.get(bases.rhs).local.set(L.rhsBase);
  chunks(
    s,
    () => {
      f.local.get(ls).i32.load({ align: 4 });
      if (m !== 1) f.i32.const(m).i32.mul();
    },
    (rows) => {
      for (let r = 0; r < rows; r++) {
        // row + r → lane list[(row + r) / m], mi = (row + r) % m
        f.local.get(ls).local.get(L.row);
        if (r) f.i32.const(r).i32.add();
        if (m !== 1) f.i32.const(m).i32.div_u();
        f.i32.const(2).i32.shl().i32.add().i32.load({ offset: LANE_LIST_OFFSET, align: 4 }).local.set(laneOf);
        if (m !== 1) {
          f.local.get(L.row);
          if (r) f.i32.const(r).i32.add();
          f.i32.const(m).i32.rem_u().local.set(mi);
        }
        const terms = (laneScale: number, mScale: number) => [{ coord: laneOf, scale: laneScale }, ...(m !== 1 ? [{ coord: mi, scale: mScale }] : [])];
        addScaled(f, bases.lhs, terms(s.lhs.lanes[0]!, s.lhs.mn), L.lhsRows[r]!);
        epilogue.groups.list.forEach((_, g) => addScaled(f, epilogue.bases[g]!, terms(epilogue.stride(g, 0), epilogue.stride(g, p + 1)), L.epilogueRows[r]![g]!));
      }
    },
  );
}

/** The general case: active lanes (if any) × batches × the dense m×n product. */
function lanesAndBatches(s: DotState, P: KernelParams, bases: OperandBases): void {
  const { f, locals: L, epilogue } = s;
  const k = s.kernel;
  const p = k.lanes ? k.lanes.rank : 0;
  const groups = epilogue.groups.list;
  // Bases of the current lane, then of the current batch.
  const aL = f.addLocal("i32", "Al");
  const bL = f.addLocal("i32", "Bl");
  const eL = groups.map((_, g) => f.addLocal("i32", `el${g}`));
  const aB = f.addLocal("i32", "Ab");
  const eB = groups.map((_, g) => f.addLocal("i32", `eb${g}`));

  const perBatch = (): void =>
    chunks(
      s,
      () => f.i32.const(k.m),
      (rows) => {
        for (let r = 0; r < rows; r++) {
          f.local.get(aB).local.get(L.row);
          if (r) f.i32.const(r).i32.add();
          f.i32.const(s.lhs.mn).i32.mul().i32.add().local.set(L.lhsRows[r]!);
          groups.forEach((_, g) => {
            f.local.get(eB[g]!).local.get(L.row);
            if (r) f.i32.const(r).i32.add();
            f.i32.const(epilogue.stride(g, p + 1)).i32.mul().i32.add().local.set(L.epilogueRows[r]![g]!);
          });
        }
      },
    );
  const batches = (): void => {
    const bi = f.addLocal("i32", "bi");
    f.local.get(aL).local.set(aB);
    f.local.get(bL).local.set(L.rhsBase);
    groups.forEach((_, g) => f.local.get(eL[g]!).local.set(eB[g]!));
    f.i32.const(0).local.set(bi);
    const top = f.loop();
    perBatch();
    f.local.get(aB).i32.const(s.lhs.batch).i32.add().local.set(aB);
    f.local.get(L.rhsBase).i32.const(s.rhs.batch).i32.add().local.set(L.rhsBase);
    groups.forEach((_, g) => f.local.get(eB[g]!).i32.const(epilogue.stride(g, p)).i32.add().local.set(eB[g]!));
    f.local.get(bi).i32.const(1).i32.add().local.tee(bi).i32.const(k.b).i32.lt_u().br_if(top);
    f.end();
  };

  if (p === 0) {
    f.local.get(bases.lhs).local.set(aL);
    f.local.get(bases.rhs).local.set(bL);
    groups.forEach((_, g) => f.local.get(epilogue.bases[g]!).local.set(eL[g]!));
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
  addScaled(f, bases.lhs, coords.map((coord, a) => ({ coord, scale: s.lhs.lanes[a]! })), aL);
  addScaled(f, bases.rhs, coords.map((coord, a) => ({ coord, scale: s.rhs.lanes[a]! })), bL);
  groups.forEach((_, g) => addScaled(f, epilogue.bases[g]!, coords.map((coord, a) => ({ coord, scale: epilogue.stride(g, a) })), eL[g]!));
  batches();
  f.local.get(q).i32.const(1).i32.add().local.tee(q).local.get(cnt).i32.lt_u().br_if(top);
  f.end();
  f.end();
}
