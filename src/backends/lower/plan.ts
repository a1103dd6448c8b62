// Buffer planning: temp buffers share storage slots when their lifetimes do
// not overlap.
//
// Statements are numbered in program order (nested blocks inline). A buffer
// lives from its first to its last access; a buffer accessed both inside a
// loop (`while`, `for`) and outside it lives across the whole loop, since
// later iterations read it again (carries, consts, a scan's ys). Two buffers
// share a slot only if one's life ends strictly before the other's starts
// (a kernel reading A and writing B keeps them apart) and their dtypes match;
// a slot is as large as its largest buffer. Greedy in order of first access,
// taking the smallest free slot that fits, else growing the largest free one.
// Inputs belong to the caller and outputs are fresh every run: neither is
// pooled.

import type { BufId, BufferDecl, BufferPlan, Stmt } from "./kernel_ir.js";
import { BYTES_PER_ELEMENT, childBlocks } from "./kernel_ir.js";
import { viewsRead, viewsWritten } from "./finalize.js";

interface Interval {
  start: number;
  end: number;
}

/** First/last access position of every buffer, loops accounted for. */
export function lifetimes(body: readonly Stmt[]): Map<BufId, Interval> {
  const live = new Map<BufId, Interval>();
  const accesses = new Map<BufId, number[]>();
  const loops: Interval[] = [];
  let pos = 0;
  const touch = (buf: BufId, at: number): void => {
    const list = accesses.get(buf) ?? [];
    list.push(at);
    accesses.set(buf, list);
  };
  const walk = (stmts: readonly Stmt[]): void => {
    for (const s of stmts) {
      const start = pos++;
      if (s.kind === "while") {
        walk(s.cond);
        touch(s.pred.buf, pos++);
        walk(s.body);
        loops.push({ start, end: pos++ });
        continue;
      }
      for (const v of viewsRead(s)) touch(v.buf, start);
      for (const v of viewsWritten(s)) touch(v.buf, start);
      const blocks = childBlocks(s);
      for (const blk of blocks) walk(blk);
      if (s.kind === "for") loops.push({ start, end: pos++ });
    }
  };
  walk(body);
  for (const [buf, at] of accesses) {
    const iv = { start: Math.min(...at), end: Math.max(...at) };
    // Extend over every loop the buffer is used in and outside of, to a fixpoint (loops nest).
    for (let changed = true; changed; ) {
      changed = false;
      for (const l of loops) {
        const inside = at.some((p) => p > l.start && p < l.end);
        const outside = iv.start < l.start || iv.end > l.end;
        if (inside && outside && (iv.start > l.start || iv.end < l.end)) {
          iv.start = Math.min(iv.start, l.start);
          iv.end = Math.max(iv.end, l.end);
          changed = true;
        }
      }
    }
    live.set(buf, iv);
  }
  return live;
}

export function planBuffers(body: readonly Stmt[], buffers: readonly BufferDecl[]): BufferPlan {
  const live = lifetimes(body);
  const temps = buffers.filter((b) => b.role === "temp" && live.has(b.id)).sort((a, b) => live.get(a.id)!.start - live.get(b.id)!.start || a.id - b.id);
  const slots: { dtype: BufferDecl["dtype"]; size: number }[] = [];
  const slotOf = new Map<BufId, number>();
  const busyUntil: number[] = []; // per slot: last position of its current buffer
  for (const t of temps) {
    const iv = live.get(t.id)!;
    let best = -1;
    for (let s = 0; s < slots.length; s++) {
      if (slots[s]!.dtype !== t.dtype || busyUntil[s]! >= iv.start) continue;
      if (best < 0) {
        best = s;
        continue;
      }
      const fits = slots[s]!.size >= t.size;
      const bestFits = slots[best]!.size >= t.size;
      if (fits && (!bestFits || slots[s]!.size < slots[best]!.size)) best = s;
      else if (!fits && !bestFits && slots[s]!.size > slots[best]!.size) best = s;
    }
    if (best < 0) {
      best = slots.length;
      slots.push({ dtype: t.dtype, size: 0 });
      busyUntil.push(-1);
    }
    slots[best]!.size = Math.max(slots[best]!.size, t.size);
    busyUntil[best] = iv.end;
    slotOf.set(t.id, best);
  }
  const bytes = (dtype: BufferDecl["dtype"], size: number): number => size * BYTES_PER_ELEMENT[dtype];
  return {
    slotOf,
    slots,
    tempBytes: slots.reduce((acc, s) => acc + bytes(s.dtype, s.size), 0),
    tempBytesNoReuse: temps.reduce((acc, t) => acc + bytes(t.dtype, t.size), 0),
    outputBytes: buffers.filter((b) => b.role === "output").reduce((acc, b) => acc + bytes(b.dtype, b.size), 0),
  };
}
