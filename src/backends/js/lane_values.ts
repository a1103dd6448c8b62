// Value numbering of one lane's loop iteration, for the lane-by-lane while.
//
// In a lanewise while (emit_lanewise.ts) every kernel of the cond and the body
// computes one element per lane, so one lane's iteration is a straight-line
// program: the cond kernels, then the body kernels, each a list of pure
// instructions over the lane's loop state. The lowering builds each kernel
// separately, so the cond and the body both compute, say, `zr·zr` from the
// same carry; here every instruction gets a value number — equal numbers mean
// equal values — and the emitter computes each number once per iteration.
//
// Buffers written in the loop ("registers") are versioned: a load sees the
// value the last earlier kernel stored (all of a kernel's loads come before
// its stores), or the register's value at the start of the iteration (an
// `entry` value). Every value also gets a class saying how often it changes:
//
//   const  a literal
//   top    the same for every lane and iteration (level 0)
//   lane   depends on the lane only (a load of an input at the lane, an iota)
//   iter   depends on the loop state: computed every iteration
//
// (The emitter computes top and lane values once per lane, when the lane is
// started.)

import type { BufId, Instr, LoopKernel, View } from "../lower/kernel_ir.js";
import { jsNumber } from "./scalar.js";
import { instrOperands as operands } from "../lower/lanewise.js";

export type ValueClass = "const" | "top" | "lane" | "iter";
const RANK: { readonly [C in ValueClass]: number } = { const: 0, top: 1, lane: 2, iter: 3 };

export type LaneValue =
  /** Register `buf` at the start of the iteration. */
  | { readonly kind: "entry"; readonly id: number; readonly cls: "iter"; readonly part: "cond"; readonly buf: BufId }
  /**
   * Instr `index` of kernel `kernel` (its operands are numbered through
   * `LanePlan.valueOf[kernel]`); kernel -1: the load of a predicate the loop never writes.
   */
  | { readonly kind: "instr"; readonly id: number; readonly cls: ValueClass; readonly part: Part; readonly kernel: number; readonly index: number; readonly instr: Instr };

/** Where a value is first computed: the cond kernels or the body kernels. */
export type Part = "cond" | "body";

export interface LanePlan {
  readonly values: readonly LaneValue[];
  /** valueOf[k][i]: value number of instr i of kernel k. */
  readonly valueOf: readonly (readonly number[])[];
  /** Per kernel, its stores as (register, value), in order. */
  readonly stores: readonly (readonly { readonly buf: BufId; readonly value: number }[])[];
  /** Registers (buffers written in the loop) and the one view every access to each uses. */
  readonly registers: ReadonlyMap<BufId, View>;
  /** The predicate's value after the cond kernels. */
  readonly pred: number;
  /** Number of cond kernels (the first ones). */
  readonly nCond: number;
  /** Value numbers each part computes or reads (as operands, stores, or the predicate). */
  readonly usedIn: { readonly cond: ReadonlySet<number>; readonly body: ReadonlySet<number> };
}


const viewKey = (v: View): string => `${v.buf}@${v.offset.c}${v.offset.terms.map((t) => `+${t.coef}s${t.sym}`).join("")}/${v.strides.join(",")}`;

/** Numbers the values of one iteration: `kernels` are the cond kernels (`nCond` of them) then the body kernels. */
export function planLaneValues(kernels: readonly LoopKernel[], nCond: number, pred: View): LanePlan {
  const registers = new Map<BufId, View>();
  for (const k of kernels) for (const st of k.stores) if (!registers.has(st.view.buf)) registers.set(st.view.buf, st.view);

  const values: LaneValue[] = [];
  const byKey = new Map<string, number>();
  const current = new Map<BufId, number>(); // register → the value it holds now
  for (const buf of registers.keys()) current.set(buf, values.push({ kind: "entry", id: values.length, cls: "iter", part: "cond", buf }) - 1);

  const valueOf: number[][] = [];
  const stores: { buf: BufId; value: number }[][] = [];
  const number = (k: LoopKernel, ki: number): void => {
    const part: Part = ki < nCond ? "cond" : "body";
    const vn: number[] = [];
    k.instrs.forEach((ins, i) => {
      if (ins.op === "load" && registers.has(ins.view.buf)) {
        vn.push(current.get(ins.view.buf)!);
        return;
      }
      const args = operands(ins).map((a) => vn[a]!);
      const key = instrKey(ins, args);
      const seen = byKey.get(key);
      if (seen !== undefined) {
        vn.push(seen);
        return;
      }
      // (An op on constants is still computed: once, as a loop invariant.)
      const cls: ValueClass =
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
      for (const a of operands(ins)) set.add(valueOf[ki]![a]!);
    });
    for (const s of stores[ki]!) set.add(s.value);
  });
  return { values, valueOf, stores, registers, pred: predValue, nCond, usedIn };
}

function maxClass(cs: readonly ValueClass[]): ValueClass {
  let best: ValueClass = "const";
  for (const c of cs) if (RANK[c] > RANK[best]) best = c;
  return best;
}

/** Two instrs with equal keys compute equal values (operands given as value numbers). */
function instrKey(ins: Instr, args: readonly number[]): string {
  const a = args.join(",");
  switch (ins.op) {
    case "const":
      return `c ${ins.dtype} ${jsNumber(ins.value)}`;
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
      throw new Error("js: a dot accumulator in a loop kernel");
  }
}
