// Which buffers may be read after a statement has run: by the statements
// after it in its block, after its enclosing statements, and — inside a
// loop — by the whole loop again (its next iteration). Outputs are always
// live. The lane-wise loop uses this to skip writing back loop state that
// nobody reads afterwards (a Mandelbrot pixel's z, its predicate).
//
// Answered per query rather than as a set per statement (which would be
// quadratic in a program of a hundred thousand statements): statements are
// numbered in program order, each buffer keeps the sorted positions where
// it is read, and a query looks for a read in the ranges that follow the
// statement, level by level up its enclosing statements.

import type { BufId, Program, Stmt } from "../../lower/kernel_ir.js";
import { childBlocks, isLoopStmt } from "../../lower/kernel_ir.js";
import { viewsRead } from "../../lower/finalize.js";
import { type Recursion, recurse, runRecursion } from "../../../ir/trampoline.js";

export interface Liveness {
  /** Whether `buf` may be read after `s` has run. */
  readAfter(s: Stmt, buf: BufId): boolean;
}

interface Place {
  /** s's own position; its nested statements follow it, up to `end`. */
  readonly start: number;
  end: number;
  /** Last position of the block s is in. */
  blockEnd: number;
  /** The statement whose block s is in (null at top level). */
  readonly parent: Stmt | null;
}

export function liveAfter(p: Program): Liveness {
  const outputs = new Set(p.buffers.filter((b) => b.role === "output").map((b) => b.id));
  const places = new Map<Stmt, Place>();
  const reads = new Map<BufId, number[]>(); // ascending positions
  let pos = 0;
  // Nested blocks wait on a heap stack: regions nest up to MAX_JAXPR_NESTING deep.
  function* number(stmts: readonly Stmt[], parent: Stmt | null): Recursion<void> {
    const placed: Place[] = [];
    for (const s of stmts) {
      const place: Place = { start: pos++, end: 0, blockEnd: 0, parent };
      places.set(s, place);
      placed.push(place);
      for (const v of viewsRead(s)) {
        const list = reads.get(v.buf) ?? [];
        list.push(place.start);
        reads.set(v.buf, list);
      }
      for (const b of childBlocks(s)) yield* recurse(number(b, s));
      place.end = pos - 1;
    }
    for (const pl of placed) pl.blockEnd = pos - 1;
  }
  runRecursion(number(p.body, null));
  const readIn = (buf: BufId, from: number, to: number): boolean => {
    const list = reads.get(buf);
    if (!list || from > to) return false;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]! >= from) hi = mid;
      else lo = mid + 1;
    }
    return lo < list.length && list[lo]! <= to;
  };
  return {
    readAfter(s, buf) {
      if (outputs.has(buf)) return true;
      for (let cur: Stmt | null = s; cur !== null; ) {
        const at: Place = places.get(cur)!;
        if (readIn(buf, at.end + 1, at.blockEnd)) return true;
        const up: Stmt | null = at.parent;
        // Inside a loop, everything the loop reads may be read again by its next iteration.
        if (up && isLoopStmt(up)) {
          const loop = places.get(up)!;
          if (readIn(buf, loop.start, loop.end)) return true;
        }
        cur = up;
      }
      return false;
    },
  };
}
