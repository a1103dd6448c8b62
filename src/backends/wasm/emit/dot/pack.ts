// Packing: the rhs, and the lhs when the micro-kernel does not read it in
// place (state.ts, LhsRead), are copied into the scratch area in the layout
// the micro-kernel wants (layout.ts), so every inner-loop load is a plain
// load at a constant offset whatever the operands' strides — a transposed
// operand costs nothing extra. The copies cost k·(m + n) per (lane, batch)
// against m·n·k multiply-adds.

import { EP, MR, NR, NVEC } from "./layout.js";
import { type DotState, pushPanelAddress } from "./state.js";

/** Copies `count` 4-byte elements from `src` (stride `stride` bytes) to `dst` (contiguous). */
function copyRun(s: DotState, count: number, stride: number): void {
  if (count <= 0) return;
  const { f, locals: L } = s;
  // Contiguous sources move four elements per load.
  const vec = stride === 4 ? Math.floor(count / 4) : 0;
  if (vec > 0) {
    f.i32.const(vec).local.set(L.count);
    const top = f.loop();
    f.local.get(L.dst).local.get(L.src).v128.load({ align: 4 }).v128.store({ align: 4 });
    f.local.get(L.src).i32.const(16).i32.add().local.set(L.src);
    f.local.get(L.dst).i32.const(16).i32.add().local.set(L.dst);
    f.local.get(L.count).i32.const(1).i32.sub().local.tee(L.count).br_if(top);
    f.end();
  }
  const rest = count - vec * 4;
  if (rest > 0) {
    f.i32.const(rest).local.set(L.count);
    const top = f.loop();
    f.local.get(L.dst).local.get(L.src).i32.load({ align: 4 }).i32.store({ align: 4 });
    f.local.get(L.src).i32.const(stride).i32.add().local.set(L.src);
    f.local.get(L.dst).i32.const(4).i32.add().local.set(L.dst);
    f.local.get(L.count).i32.const(1).i32.sub().local.tee(L.count).br_if(top);
    f.end();
  }
}

/**
 * Packs the rhs columns [chunkStart, chunkEnd) of the current (lane, batch)
 * as panels [panel][k][NR] — only a partial last panel when the full ones are
 * read in place (`rhsInPlace`); a partial last panel is zero-padded, so the
 * micro-kernel runs it like a full one and the epilogue skips the padding.
 */
export function packRhs(s: DotState): void {
  const K = s.kernel.k;
  if (K === 0) return;
  if (!s.rhsInPlace) packFullPanels(s);
  packPartialPanel(s);
}

function packFullPanels(s: DotState): void {
  const { f, locals: L } = s;
  const K = s.kernel.k;
  const { mn: sn, k: sk } = s.rhs;
  f.local.get(L.chunkStart).local.set(L.col);
  const done = f.block();
  const top = f.loop();
  f.local.get(L.col).local.get(L.chunkFullEnd).i32.ge_u().br_if(done);
  pushPanelAddress(s, L.col);
  f.local.set(L.dst);
  f.local.get(L.rhsBase).local.get(L.col).i32.const(sn).i32.mul().i32.add().local.set(L.src);
  f.i32.const(K).local.set(L.count);
  const kTop = f.loop();
  if (sn === 4) {
    for (let v = 0; v < NVEC; v++) f.local.get(L.dst).local.get(L.src).v128.load({ offset: v * 16, align: 4 }).v128.store({ offset: v * 16, align: 4 });
  } else {
    for (let c = 0; c < NR; c++) f.local.get(L.dst).local.get(L.src).i32.load({ offset: c * sn, align: 4 }).i32.store({ offset: c * EP, align: 4 });
  }
  f.local.get(L.src).i32.const(sk).i32.add().local.set(L.src);
  f.local.get(L.dst).i32.const(NR * EP).i32.add().local.set(L.dst);
  f.local.get(L.count).i32.const(1).i32.sub().local.tee(L.count).br_if(kTop);
  f.end();
  f.local.get(L.col).i32.const(NR).i32.add().local.set(L.col);
  f.br(top);
  f.end();
  f.end();
}

function packPartialPanel(s: DotState): void {
  const { f, locals: L } = s;
  const K = s.kernel.k;
  const { mn: sn, k: sk } = s.rhs;
  const rem = s.kernel.n % NR;
  if (rem === 0) return;
  f.local.get(L.chunkFullEnd).local.get(L.chunkEnd).i32.lt_u();
  f.if();
  pushPanelAddress(s, L.chunkFullEnd);
  f.local.set(L.dst);
  f.local.get(L.rhsBase).local.get(L.chunkFullEnd).i32.const(sn).i32.mul().i32.add().local.set(L.src);
  f.i32.const(K).local.set(L.count);
  const pTop = f.loop();
  for (let c = 0; c < NR; c++) {
    f.local.get(L.dst);
    if (c < rem) f.local.get(L.src).i32.load({ offset: c * sn, align: 4 });
    else f.i32.const(0);
    f.i32.store({ offset: c * EP, align: 4 });
  }
  f.local.get(L.src).i32.const(sk).i32.add().local.set(L.src);
  f.local.get(L.dst).i32.const(NR * EP).i32.add().local.set(L.dst);
  f.local.get(L.count).i32.const(1).i32.sub().local.tee(L.count).br_if(pTop);
  f.end();
  f.end();
}

/**
 * Packs the lhs rows whose addresses are in lhsRows[0..rows) as the block's
 * `lhsRead` says (state.ts): nothing to do in place; as [row][k]; or for an
 * MR-row block read k-major as [k][MR], one vector per k step — the block's
 * rows are adjacent in memory, so their k-th values are one load (a
 * transposed lhs would otherwise be gathered one element per row and step).
 */
export function packLhs(s: DotState, rows: number): void {
  const { f, locals: L } = s;
  if (s.lhsRead === "inPlace") return;
  if (rows === MR && s.lhsRead === "kMajor") {
    if (s.kernel.k === 0) return;
    f.local.get(L.lhsRows[0]!).local.set(L.src);
    f.i32.const(s.scratch.packedLhs).local.set(L.dst);
    f.i32.const(s.kernel.k).local.set(L.count);
    const top = f.loop();
    f.local.get(L.dst).local.get(L.src).v128.load({ align: 4 }).v128.store({ align: 4 });
    f.local.get(L.src).i32.const(s.lhs.k).i32.add().local.set(L.src);
    f.local.get(L.dst).i32.const(MR * EP).i32.add().local.set(L.dst);
    f.local.get(L.count).i32.const(1).i32.sub().local.tee(L.count).br_if(top);
    f.end();
    return;
  }
  for (let r = 0; r < rows; r++) {
    f.local.get(L.lhsRows[r]!).local.set(L.src);
    f.i32.const(s.scratch.packedLhs + r * s.rowBytes).local.set(L.dst);
    copyRun(s, s.kernel.k, s.lhs.k);
  }
}
