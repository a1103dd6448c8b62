// Which buffers may be read after a statement has run: by the statements
// after it in its block, after its enclosing statements, and — inside a
// loop — by the whole loop again (its next iteration). Outputs are always
// live. The lane-wise loop uses this to skip writing back loop state that
// nobody reads afterwards (a Mandelbrot pixel's z, its predicate).

import type { BufId, Program, Stmt } from "../../lower/kernel_ir.js";
import { childBlocks } from "../../lower/kernel_ir.js";
import { viewsRead } from "../../lower/finalize.js";

/** Buffers read anywhere in the statements (nested blocks included). */
function readsIn(stmts: readonly Stmt[], into: Set<BufId>): Set<BufId> {
  for (const s of stmts) {
    for (const v of viewsRead(s)) into.add(v.buf);
    for (const b of childBlocks(s)) readsIn(b, into);
  }
  return into;
}

/** For every statement (by identity): the buffers that may be read after it. */
export function liveAfter(p: Program): Map<Stmt, Set<BufId>> {
  const out = new Map<Stmt, Set<BufId>>();
  const outputs = p.buffers.filter((b) => b.role === "output").map((b) => b.id);
  const walk = (stmts: readonly Stmt[], after: ReadonlySet<BufId>): void => {
    // Suffix reads: later[i] = reads of stmts[i+1..] ∪ after.
    let later = new Set(after);
    for (let i = stmts.length - 1; i >= 0; i--) {
      const s = stmts[i]!;
      out.set(s, later);
      const loop = s.kind === "while" || s.kind === "for";
      // Inside a loop, everything the loop reads may be read again by its next iteration.
      const inner = loop ? readsIn([s], new Set(later)) : later;
      for (const b of childBlocks(s)) walk(b, inner);
      later = readsIn([s], new Set(later));
    }
  };
  walk(p.body, new Set(outputs));
  return out;
}
