// Emitter-independent queries over the kernel IR shared by the JS and wasm
// emitters: an instr's operands, whether a batched while can run lane by lane
// (each lane's state in registers/locals until it finishes), and the value
// numbering of one such lane's iteration.
//
// In a lanewise while every kernel of the cond and the body computes one
// element per lane, so one lane's iteration is a straight-line program: the
// cond kernels, then the body kernels, each a list of pure instructions over
// the lane's loop state. The lowering builds each kernel separately, so the
// cond and the body both compute, say, `zr·zr` from the same carry; numbering
// the iteration once here decides which values both parts share, and both
// emitters compute each number once per iteration.
//
// Buffers written in the loop ("registers") are versioned: a load sees the
// value the last earlier kernel stored (all of a kernel's loads come before
// its stores), or the register's value at the start of the iteration (an
// `entry` value). Every value also gets a class saying how often it changes
// (LaneValueClass); emitters compute `top` and `lane` values once per lane.

import { viewsEqual } from "./block.js";
import type { BufId, Instr, LaneIteration, LaneIterationPart, LaneValue, LaneValueClass, LoopKernel, Stmt, View } from "./kernel_ir.js";

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
export function lanewiseKernels(s: Pick<While, "lanes" | "cond" | "body" | "pred">, laneRank: number): LoopKernel[] | null {
  if (s.lanes === null) return null;
  const ks: LoopKernel[] = [];
  for (const st of [...s.cond, ...s.body]) {
    // Only loop kernels. In particular a loop whose body pushes to a tape (a
    // while_record, rules_tape.ts) never runs row by row: a push appends one
    // whole slot, every row's, per iteration of the loop as a whole, and a
    // row running to its own exit has no such iteration.
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

/** The iteration plan of a batched while that qualifies for lane-by-lane execution (lanewiseKernels), else null. */
export function planLanewise(s: Pick<While, "lanes" | "cond" | "body" | "pred">, laneRank: number): LaneIteration | null {
  const ks = lanewiseKernels(s, laneRank);
  return ks && planLaneIteration(ks, s.cond.length, s.pred);
}

const RANK: { readonly [C in LaneValueClass]: number } = { const: 0, top: 1, lane: 2, iter: 3 };

const viewKey = (v: View): string => `${v.buf}@${v.offset.c}${v.offset.terms.map((t) => `+${t.coef}s${t.sym}`).join("")}/${v.strides.join(",")}`;

/** Numbers the values of one iteration: `kernels` are the cond kernels (`nCond` of them) then the body kernels. */
export function planLaneIteration(kernels: readonly LoopKernel[], nCond: number, pred: View): LaneIteration {
  const firstStores: { buf: BufId; view: View }[] = [];
  const isRegister = new Set<BufId>();
  for (const k of kernels) {
    for (const st of k.stores) {
      if (isRegister.has(st.view.buf)) continue;
      isRegister.add(st.view.buf);
      firstStores.push({ buf: st.view.buf, view: st.view });
    }
  }

  const values: LaneValue[] = [];
  const byKey = new Map<string, number>();
  const current = new Map<BufId, number>(); // register → the value it holds now
  for (const { buf } of firstStores) current.set(buf, values.push({ kind: "entry", id: values.length, cls: "iter", part: "cond", buf }) - 1);

  const valueOf: number[][] = [];
  const stores: { buf: BufId; value: number }[][] = [];
  const number = (k: LoopKernel, ki: number): void => {
    const part: LaneIterationPart = ki < nCond ? "cond" : "body";
    const vn: number[] = [];
    k.instrs.forEach((ins, i) => {
      if (ins.op === "load" && isRegister.has(ins.view.buf)) {
        vn.push(current.get(ins.view.buf)!);
        return;
      }
      const args = instrOperands(ins).map((a) => vn[a]!);
      const key = instrKey(ins, args);
      const seen = byKey.get(key);
      if (seen !== undefined) {
        vn.push(seen);
        return;
      }
      // (An op on constants is still computed: once, as a loop invariant.)
      const cls: LaneValueClass =
        ins.op === "const" ? "const" : ins.op === "load" || ins.op === "index" ? (ins.level === 0 ? "top" : "lane") : maxClass(["top", ...args.map((a) => values[a]!.cls)]);
      const id = values.push({ kind: "instr", id: values.length, cls, part, kernel: ki, index: i, instr: ins }) - 1;
      byKey.set(key, id);
      vn.push(id);
    });
    valueOf.push(vn);
    // A kernel's stores take effect together, after all of its loads.
    const st = k.stores.map((s) => ({ buf: s.view.buf, value: vn[s.value]! }));
    for (const s of st) current.set(s.buf, s.value);
    stores.push(st);
  };
  kernels.slice(0, nCond).forEach((k, ki) => number(k, ki));
  // The predicate after the cond kernels; one the loop never writes is constant per lane (a lane load).
  let predValue = current.get(pred.buf);
  if (predValue === undefined) {
    const ins: Instr = { op: "load", dtype: "bool", level: 1, view: pred };
    const key = instrKey(ins, []);
    predValue = byKey.get(key) ?? values.push({ kind: "instr", id: values.length, cls: "lane", part: "cond", kernel: -1, index: -1, instr: ins }) - 1;
    byKey.set(key, predValue);
  }
  kernels.slice(nCond).forEach((k, i) => number(k, nCond + i));

  // Uses per part: operands of the instrs computed there, stores, and the predicate (cond).
  const usedIn = { cond: new Set<number>([predValue]), body: new Set<number>() };
  kernels.forEach((k, ki) => {
    const set = ki < nCond ? usedIn.cond : usedIn.body;
    k.instrs.forEach((ins, i) => {
      const v = valueOf[ki]![i]!;
      set.add(v);
      for (const a of instrOperands(ins)) set.add(valueOf[ki]![a]!);
    });
    for (const s of stores[ki]!) set.add(s.value);
  });
  // (Entry values are numbered first, one per register in order.)
  const registers = firstStores.map((r, id) => ({ ...r, entryRead: usedIn.cond.has(id) || usedIn.body.has(id) }));
  return { values, valueOf, stores, registers, pred: predValue, nCond, usedIn: { cond: [...usedIn.cond], body: [...usedIn.body] } };
}

function maxClass(cs: readonly LaneValueClass[]): LaneValueClass {
  let best: LaneValueClass = "const";
  for (const c of cs) if (RANK[c] > RANK[best]) best = c;
  return best;
}

/** A number's key: equal keys for equal numbers, -0 and 0 apart, NaN equal to NaN. */
const numberKey = (v: number): string => (Object.is(v, -0) ? "-0" : String(v));

/** Two instrs with equal keys compute equal values (operands given as value numbers). */
export function instrKey(ins: Instr, args: readonly number[]): string {
  const a = args.join(",");
  switch (ins.op) {
    case "const":
      return `c ${ins.dtype} ${numberKey(ins.value)}`;
    case "load":
      return `l ${ins.dtype} ${ins.level === 0 ? 0 : 1} ${viewKey(ins.view)}`;
    case "index":
      return `i ${ins.dtype} ${ins.level === 0 ? 0 : 1} ${ins.offset} ${ins.strides.join(",")}`;
    case "unary":
      return `u ${ins.prim} ${ins.dtype} ${ins.rounding ?? ""} ${a}`;
    case "binary":
      return `b ${ins.prim} ${ins.argDtype} ${ins.dtype} ${a}`;
    case "select":
      return `s ${ins.whichDtype} ${ins.dtype} ${a}`;
    case "convert":
      return `v ${ins.from} ${ins.dtype} ${a}`;
    case "acc":
      throw new Error("lowering: a dot accumulator in a lanewise loop kernel");
  }
}
