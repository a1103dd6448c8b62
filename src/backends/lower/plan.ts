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
import { BYTES_PER_ELEMENT, childBlocks, isLoopStmt } from "./kernel_ir.js";
import { viewsRead, viewsWritten } from "./finalize.js";
import { SlotPool } from "./slot_pool.js";
import { type Recursion, recurse, runRecursion } from "../../ir/trampoline.js";

interface Interval {
  start: number;
  end: number;
}

interface Loop extends Interval {
  /** The enclosing loop (index into the loop list), or -1 at top level. */
  readonly parent: number;
  readonly depth: number;
}

/**
 * First/last access position of every buffer, loops accounted for: a buffer
 * accessed inside a loop and outside it lives across the whole loop (over
 * the outermost such loop, since loops nest). Linear in the accesses (times
 * the nesting depth): programs can have a hundred thousand statements.
 */
export function lifetimes(body: readonly Stmt[]): Map<BufId, Interval> {
  const loops: Loop[] = [];
  /** Per buffer: first and last access, and the distinct innermost loops (-1: none) it is accessed in. */
  const accesses = new Map<BufId, { start: number; end: number; loops: Set<number> }>();
  let pos = 0;
  let current = -1; // innermost open loop
  const touch = (buf: BufId, at: number): void => {
    const a = accesses.get(buf);
    if (a === undefined) accesses.set(buf, { start: at, end: at, loops: new Set([current]) });
    else {
      a.start = Math.min(a.start, at);
      a.end = Math.max(a.end, at);
      a.loops.add(current);
    }
  };
  const openLoop = (start: number): number => {
    loops.push({ start, end: -1, parent: current, depth: current < 0 ? 0 : loops[current]!.depth + 1 });
    current = loops.length - 1;
    return current;
  };
  const closeLoop = (l: number): void => {
    loops[l]!.end = pos++;
    current = loops[l]!.parent;
  };
  // Nested blocks wait on a heap stack: regions nest up to MAX_JAXPR_NESTING deep.
  function* walk(stmts: readonly Stmt[]): Recursion<void> {
    for (const s of stmts) {
      const start = pos++;
      if (s.kind === "while") {
        const l = openLoop(start);
        yield* recurse(walk(s.cond));
        touch(s.pred.buf, pos++);
        yield* recurse(walk(s.body));
        closeLoop(l);
        continue;
      }
      for (const v of viewsRead(s)) touch(v.buf, start);
      for (const v of viewsWritten(s)) touch(v.buf, start);
      const l = isLoopStmt(s) ? openLoop(start) : -1;
      for (const blk of childBlocks(s)) yield* recurse(walk(blk));
      if (l >= 0) closeLoop(l);
    }
  }
  runRecursion(walk(body));
  const parentOf = (l: number): number => loops[l]!.parent;
  const depthOf = (l: number): number => (l < 0 ? -1 : loops[l]!.depth);
  /** The innermost loop enclosing both (-1: the top level). */
  const common = (a: number, b: number): number => {
    while (a !== b) {
      if (depthOf(a) >= depthOf(b)) a = parentOf(a);
      else b = parentOf(b);
    }
    return a;
  };
  const live = new Map<BufId, Interval>();
  for (const [buf, a] of accesses) {
    const iv = { start: a.start, end: a.end };
    let outer: number | undefined;
    for (const l of a.loops) outer = outer === undefined ? l : common(outer, l);
    // Every loop below the common one that holds an access is entered and
    // left while the buffer is live: it lives across the outermost of them.
    for (let l of a.loops) {
      if (l === outer) continue;
      while (parentOf(l) !== outer) l = parentOf(l);
      iv.start = Math.min(iv.start, loops[l]!.start);
      iv.end = Math.max(iv.end, loops[l]!.end);
    }
    live.set(buf, iv);
  }
  return live;
}

export function planBuffers(body: readonly Stmt[], buffers: readonly BufferDecl[]): BufferPlan {
  const live = lifetimes(body);
  const temps = buffers.filter((b) => b.role === "temp" && live.has(b.id)).sort((a, b) => live.get(a.id)!.start - live.get(b.id)!.start || a.id - b.id);
  const pool = new SlotPool();
  const slotOf = new Map<BufId, number>();
  for (const t of temps) {
    const iv = live.get(t.id)!;
    slotOf.set(t.id, pool.take(t.dtype, t.size, iv.start, iv.end));
  }
  const slots = pool.slots.map((s) => ({ dtype: s.dtype, size: s.size }));
  const bytes = (dtype: BufferDecl["dtype"], size: number): number => size * BYTES_PER_ELEMENT[dtype];
  return {
    slotOf,
    slots,
    tempBytes: slots.reduce((acc, s) => acc + bytes(s.dtype, s.size), 0),
    tempBytesNoReuse: temps.reduce((acc, t) => acc + bytes(t.dtype, t.size), 0),
    outputBytes: buffers.filter((b) => b.role === "output").reduce((acc, b) => acc + bytes(b.dtype, b.size), 0),
  };
}
