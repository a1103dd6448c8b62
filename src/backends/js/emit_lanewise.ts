// Batched while loops whose lanes are independent scalars run lane by lane.
//
// A batched `while` (lane set L) qualifies when every statement of its cond
// and body is a loop kernel restricted to L that computes one element per lane
// (iteration shape = the lane shape), and every buffer written inside the loop
// is read and written only at the lane's own element (one view per buffer).
// Then lanes never see each other's loop state, so "iterate all active lanes
// in lockstep, dropping finished ones" equals "run each active lane's loop to
// completion" — with the loop state in JS locals instead of memory: the
// per-pixel loop of a Mandelbrot set in registers, as hand-written JS has it.
// Buffers only read in the loop (consts, inputs) can be read at any element.

import type { BufId, Instr, LoopKernel, Stmt, View } from "../lower/kernel_ir.js";
import { viewsEqual } from "../lower/block.js";
import { jsNumber } from "./scalar.js";
import { Params, Writer, instrExpr } from "./writer.js";

type While = Extract<Stmt, { kind: "while" }>;

/** The loop's kernels if it qualifies for lane-by-lane execution, else null. */
export function lanewiseKernels(s: While, laneRank: number): LoopKernel[] | null {
  if (s.lanes === null) return null;
  const ks: LoopKernel[] = [];
  for (const st of [...s.cond, ...s.body]) {
    if (st.kind !== "loop" || !st.lanes || st.lanes.set !== s.lanes || st.lanes.rank !== laneRank || st.shape.length !== laneRank) return null;
    ks.push(st);
  }
  // One view per buffer written in the loop, used by every access to it.
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
  // (A written buffer read at level 0 would be hoisted out of the lanes: only possible for one-lane sets; refuse.)
  for (const k of ks) for (const i of k.instrs) if (i.op === "load" && (!accessOk(i.view) || (written.has(i.view.buf) && i.level === 0))) return null;
  if (!accessOk(s.pred)) return null;
  return ks;
}

/**
 * The body of a function running the loop lane by lane (its parameters: the
 * buffers, symbols and the lane set `ls`). `debug`: report each kernel run as
 * one point per lane-iteration, like the lockstep form would.
 */
export function emitLanewiseWhile(s: While, ks: readonly LoopKernel[], laneShape: readonly number[], debug: boolean): { params: Params; body: string } {
  const P = new Params();
  const w = new Writer();
  const p = laneShape.length;
  // Distinct views → offset variables; written buffers → one local each.
  const views: View[] = [];
  const viewIndex = (v: View): number => {
    let i = views.findIndex((x) => viewsEqual(x, v));
    if (i < 0) i = views.push(v) - 1;
    return i;
  };
  const registers = new Map<BufId, { name: string; view: number }>();
  for (const k of ks) for (const st of k.stores) if (!registers.has(st.view.buf)) registers.set(st.view.buf, { name: `r${registers.size}`, view: viewIndex(st.view) });
  for (const k of ks) for (const i of k.instrs) if (i.op === "load") viewIndex(i.view);
  const predView = viewIndex(s.pred);
  const bufName = (b: BufId): string => P.buf(b);
  views.forEach((v) => bufName(v.buf));

  P.usesLanes = true;
  // Lane-invariant instrs (level 0: constants, loads of unchanging data) are computed once.
  views.forEach((v, j) => w.line(`const o${j} = ${P.offset(v.offset)};`));
  const hoisted = (ki: number, i: number): string => `h${ki}_${i}`;
  ks.forEach((k, ki) =>
    k.instrs.forEach((ins, i) => {
      if (ins.level !== 0 || ins.op === "const") return;
      w.line(`const ${hoisted(ki, i)} = ${expr(k, ki, ins, i, true)};`);
    }),
  );
  w.line("const list = ls.list, cnt = ls.count;");
  w.open("for (let q = 0; q < cnt; q++) {");
  w.line("const l = list[q];");
  if (p > 1) {
    w.line("let c = l;");
    for (let a = p - 1; a >= 1; a--) w.line(`const c${a} = c % ${laneShape[a]}; c = (c - c${a}) / ${laneShape[a]};`);
    w.line("const c0 = c;");
  }
  views.forEach((v, j) => {
    const terms: string[] = [];
    v.strides.forEach((st, a) => {
      if (st === 0) return;
      const c = p === 1 ? "l" : `c${a}`;
      terms.push(st === 1 ? c : `${c} * ${jsNumber(st)}`);
    });
    w.line(`const p${j} = o${j}${terms.length ? ` + ${terms.join(" + ")}` : ""};`);
  });
  for (const [buf, r] of registers) w.line(`let ${r.name} = ${bufName(buf)}[p${r.view}];`);
  // Per-lane values that do not depend on the loop state are computed once per lane.
  const perLane = ks.map((k) => {
    const inv: boolean[] = [];
    k.instrs.forEach((ins, i) => {
      const args = ins.op === "unary" || ins.op === "convert" ? [ins.x] : ins.op === "binary" ? [ins.x, ins.y] : ins.op === "select" ? [ins.which, ...ins.cases] : [];
      inv[i] = ins.op === "load" ? !registers.has(ins.view.buf) : ins.op !== "acc" && args.every((a) => inv[a]);
    });
    return inv;
  });
  const loadOf = (v: View): string => {
    const r = registers.get(v.buf);
    return r ? r.name : `${bufName(v.buf)}[p${viewIndex(v)}]`;
  };

  /** The name holding instr j of kernel ki: hoisted to the top, to the lane, or computed in the loop. */
  function nameOf(ki: number, j: number): string {
    const x = ks[ki]!.instrs[j]!;
    if (x.op === "const") return jsNumber(x.value);
    if (x.level === 0) return hoisted(ki, j);
    return perLane[ki]![j] ? `u${ki}_${j}` : `v${ki}_${j}`;
  }

  function expr(k: LoopKernel, ki: number, ins: Instr, i: number, atTop: boolean): string {
    const val = (j: number): string => nameOf(ki, j);
    const leaf = (): string => {
      if (ins.op === "load") return atTop ? `${bufName(ins.view.buf)}[o${viewIndex(ins.view)}]` : loadOf(ins.view);
      if (ins.op === "index") {
        // An iota over lanes: the lane coordinates times the strides.
        const terms = ins.strides.flatMap((st, a) => (st === 0 ? [] : [`${p === 1 ? "l" : `c${a}`} * ${jsNumber(st)}`]));
        const e = [jsNumber(ins.offset), ...terms].join(" + ");
        return ins.dtype === "float32" ? `fr(${e})` : `(${e})`;
      }
      throw new Error("js: a dot accumulator in a loop kernel");
    };
    return instrExpr(ins, val, leaf);
  }

  ks.forEach((k, ki) =>
    k.instrs.forEach((ins, i) => {
      if (ins.level !== 0 && ins.op !== "const" && perLane[ki]![i]) w.line(`const u${ki}_${i} = ${expr(k, ki, ins, i, false)};`);
    }),
  );
  w.open("for (;;) {");
  const emitKernel = (k: LoopKernel, ki: number): void => {
    if (debug) w.line(`dbg(${k.id}, 1);`);
    w.open("{");
    k.instrs.forEach((ins, i) => {
      if (ins.level === 0 || ins.op === "const" || perLane[ki]![i]) return;
      w.line(`const v${ki}_${i} = ${expr(k, ki, ins, i, false)};`);
    });
    // All of an iteration's loads come before its stores.
    for (const st of k.stores) w.line(`${registers.get(st.view.buf)!.name} = ${nameOf(ki, st.value)};`);
    w.close();
  };
  const nCond = s.cond.length;
  ks.slice(0, nCond).forEach((k, i) => emitKernel(k, i));
  w.line(`if (!${registers.get(s.pred.buf)?.name ?? `${bufName(s.pred.buf)}[p${predView}]`}) break;`);
  ks.slice(nCond).forEach((k, i) => emitKernel(k, nCond + i));
  w.close();
  for (const [buf, r] of registers) w.line(`${bufName(buf)}[p${r.view}] = ${r.name};`);
  w.close();
  w.line("ls.count = 0;");
  return { params: P, body: w.text() };
}
