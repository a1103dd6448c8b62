// Emitter-independent queries over the kernel IR shared by the JS and wasm
// emitters: an instr's operands, and whether a batched while can run lane by
// lane (each lane's state in registers/locals until it finishes).

import { viewsEqual } from "./block.js";
import type { BufId, Instr, LoopKernel, Stmt, View } from "./kernel_ir.js";

type While = Extract<Stmt, { kind: "while" }>;

/** The instr indices an instr reads. */
export function instrOperands(ins: Instr): readonly number[] {
  switch (ins.op) {
    case "unary":
    case "convert":
      return [ins.x];
    case "binary":
      return [ins.x, ins.y];
    case "select":
      return [ins.which, ...ins.cases];
    case "load":
    case "const":
    case "index":
    case "acc":
      return [];
  }
}

/**
 * The loop's kernels if the batched while qualifies for lane-by-lane
 * execution, else null: every cond/body statement is a loop kernel over exactly
 * the loop's lanes, each written buffer is written and read through one view
 * (so a lane's value can live in a local), and nothing reads a written buffer
 * outside the lanes. Emitters may add their own conditions.
 */
export function lanewiseKernels(s: While, laneRank: number): LoopKernel[] | null {
  if (s.lanes === null) return null;
  const ks: LoopKernel[] = [];
  for (const st of [...s.cond, ...s.body]) {
    if (st.kind !== "loop" || !st.lanes || st.lanes.set !== s.lanes || st.lanes.rank !== laneRank || st.shape.length !== laneRank) return null;
    ks.push(st);
  }
  const written = new Map<BufId, View>();
  for (const k of ks) {
    for (const st of k.stores) {
      if (st.view.offset.terms.length) return null;
      const seen = written.get(st.view.buf);
      if (seen && !viewsEqual(seen, st.view)) return null;
      written.set(st.view.buf, st.view);
    }
  }
  const accessOk = (v: View): boolean => {
    const w = written.get(v.buf);
    return !w || viewsEqual(w, v);
  };
  // A written buffer read at level 0 would be hoisted out of the lanes (only possible for one-lane sets): refuse.
  for (const k of ks) for (const i of k.instrs) if (i.op === "load" && (!accessOk(i.view) || (written.has(i.view.buf) && i.level === 0))) return null;
  if (!accessOk(s.pred)) return null;
  return ks;
}
