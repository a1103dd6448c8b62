// The micro-kernel: one block of MR (or 1) rows × NR columns. Its MR·NVEC
// accumulators stay in registers while k runs innermost; each k step loads
// the panel's two rhs vectors and splats one lhs value per row
// (`v128.load32_splat`, a pure load, no shuffle) for 32 multiply-adds
// against 6 loads. Long float contractions run in pieces of DOT_F32_RUN
// products whose sums are added into double totals (layout.ts, Numerics).

import type { Local } from "../../types.js";
import { DOT_F32_RUN, EP, NR, NVEC, runsInDouble } from "./layout.js";
import { type DotState, lhsStrides, panelStep, pushPanelAddress } from "./state.js";

function zeroAcc(s: DotState, rows: number): void {
  for (let r = 0; r < rows * NVEC; r++) s.f.v128.const("i32x4", [0, 0, 0, 0]).local.set(s.locals.acc[r]!);
}

/**
 * The k loop over `count` steps (a constant, or the local `kk` preset when
 * null), from pa/pb onwards; pb moves by `rhsStep` bytes per step.
 */
function kLoop(s: DotState, rows: number, count: number | null, rhsStep: number): void {
  const { f, locals: L } = s;
  const lhsStep = lhsStrides(s, rows);
  if (count !== null) f.i32.const(count).local.set(L.kk);
  const top = f.loop();
  for (let v = 0; v < NVEC; v++) f.local.get(L.pb).v128.load({ offset: v * 16, align: 4 }).local.set(L.rhsVec[v]!);
  for (let r = 0; r < rows; r++) {
    f.local.get(L.pa).v128.load32_splat({ offset: r * lhsStep.row, align: 4 }).local.set(L.lhsSplat);
    for (let v = 0; v < NVEC; v++) {
      const c = L.acc[r * NVEC + v]!;
      f.local.get(c).local.get(L.lhsSplat).local.get(L.rhsVec[v]!);
      if (s.isInt) f.i32x4.mul().i32x4.add();
      else f.f32x4.mul().f32x4.add();
      f.local.set(c);
    }
  }
  f.local.get(L.pa).i32.const(lhsStep.k).i32.add().local.set(L.pa);
  f.local.get(L.pb).i32.const(rhsStep).i32.add().local.set(L.pb);
  f.local.get(L.kk).i32.const(1).i32.sub().local.tee(L.kk).br_if(top);
  f.end();
}

/**
 * k > DOT_F32_RUN (float): runs of DOT_F32_RUN products in float32, each
 * run's sums widened and added to the double totals; at the end the totals,
 * rounded once, replace the accumulators. A total [row][vector] is two f64x2
 * halves: lo (columns 0, 1) at +0, hi (columns 2, 3) at +16.
 */
function kRunsInDouble(s: DotState, rows: number, rhsStep: number): void {
  const { f, locals: L } = s;
  const total = (r: number, v: number): number => s.scratch.totals + (r * NVEC + v) * 32;
  const left = f.addLocal("i32", "kleft");
  for (let r = 0; r < rows; r++) for (let v = 0; v < NVEC; v++) for (const h of [0, 16]) f.i32.const(0).v128.const("i32x4", [0, 0, 0, 0]).v128.store({ offset: total(r, v) + h, align: 16 });
  f.i32.const(s.kernel.k).local.set(left);
  const top = f.loop();
  // kk = min(left, DOT_F32_RUN)
  f.local.get(left).i32.const(DOT_F32_RUN).local.get(left).i32.const(DOT_F32_RUN).i32.lt_u().select().local.set(L.kk);
  f.local.get(left).local.get(L.kk).i32.sub().local.set(left);
  zeroAcc(s, rows);
  kLoop(s, rows, null, rhsStep);
  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < NVEC; v++) {
      const a: Local = L.acc[r * NVEC + v]!;
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
    for (let v = 0; v < NVEC; v++) {
      f.i32.const(0).v128.load({ offset: total(r, v), align: 16 }).f32x4.demote_f64x2_zero();
      f.i32.const(0).v128.load({ offset: total(r, v) + 16, align: 16 }).f32x4.demote_f64x2_zero();
      f.i8x16.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]).local.set(L.acc[r * NVEC + v]!);
    }
  }
}

/**
 * Leaves Σ_k lhs·rhs of `rows` rows × the panel starting at column `col` in
 * the accumulators; `partial`: the panel is the zero-padded last one.
 */
export function multiplyBlock(s: DotState, rows: number, partial: boolean): void {
  const { f, locals: L } = s;
  const inDouble = runsInDouble(s.kernel);
  if (!inDouble) zeroAcc(s, rows);
  if (s.kernel.k === 0) return;
  if (s.lhsRead === "inPlace") f.local.get(L.lhsRows[0]!).local.set(L.pa);
  else f.i32.const(s.scratch.packedLhs).local.set(L.pa);
  const rhsStep = panelStep(s, partial);
  if (s.rhsInPlace && !partial) f.local.get(L.rhsBase).local.get(L.col).i32.const(s.rhs.mn).i32.mul().i32.add();
  else pushPanelAddress(s, L.col);
  f.local.set(L.pb);
  if (inDouble) kRunsInDouble(s, rows, rhsStep);
  else kLoop(s, rows, s.kernel.k, rhsStep);
}
