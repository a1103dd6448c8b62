// Loop and reduce kernels → one JS function each.
//
// The iteration space is a loop nest (axes already coalesced, so contiguous
// data is one flat loop). Every distinct strided access pattern ("group":
// offset + strides, shared by all views and iotas using it) has one offset
// variable per loop depth, advanced incrementally in the `for` header — no
// div/mod per element. With lanes, the leading axes are one loop over the
// lane set's active list, with the lane's coordinates decomposed once per
// lane. Each instr is computed at its level (hoisted out of loops it does not
// depend on); loads of an iteration come before its stores.

import { jsNumber } from "./scalar.js";
import type { Instr, KernelPlan, LoopKernel, ReduceKernel } from "../lower/kernel_ir.js";
import { type OffsetGroups, Params, Writer, instrExpr, offsetGroups } from "./writer.js";

/** The body of the function computing a loop or reduce kernel, and its parameters. */
export function emitLoopKernel(k: LoopKernel | ReduceKernel, plan: KernelPlan & { kind: "loop" | "reduce" }, laneShape: readonly number[]): { params: Params; body: string } {
  const P = new Params();
  const w = new Writer();
  const shape = k.shape;
  const rank = shape.length;
  const p = k.lanes ? k.lanes.rank : 0;
  const nKept = k.kind === "reduce" ? k.nKept : rank;
  const groups = offsetGroups(plan.access, P);
  const { groupOf, storeGroups } = groups;
  // Buffer parameters in a fixed order: loads, then stores.
  const bufOf = new Map<number, string>();
  k.instrs.forEach((ins, i) => {
    if (ins.op === "load") bufOf.set(i, P.buf(ins.view.buf));
  });
  const storeBufs = k.kind === "loop" ? k.stores.map((s) => P.buf(s.view.buf)) : [P.buf(k.out.buf)];

  const cur = groups.list.map((_, j) => `g${j}`);
  groups.list.forEach((g, j) => w.line(`const g${j} = ${g.base};`));

  const byLevel = new Map<number, number[]>();
  k.instrs.forEach((ins, i) => {
    const list = byLevel.get(ins.level) ?? [];
    list.push(i);
    byLevel.set(ins.level, list);
  });
  const value = (i: number): string => (k.instrs[i]!.op === "const" ? jsNumber((k.instrs[i] as Instr & { value: number }).value) : `v${i}`);
  const emitLevel = (level: number): void => {
    for (const i of byLevel.get(level) ?? []) {
      const ins = k.instrs[i]!;
      if (ins.op === "const") continue;
      const leaf = (): string => {
        const g = cur[groupOf.get(i)!]!;
        if (ins.op === "load") return `${bufOf.get(i)}[${g}]`;
        return ins.dtype === "float32" ? `fr(${g})` : g;
      };
      w.line(`const v${i} = ${instrExpr(ins, value, leaf)};`);
    }
  };

  const reducer = k.kind === "reduce" ? k.reducer : null;
  const startAcc = (): void => {
    if (k.kind !== "reduce") return;
    if (reducer === "argmax") w.line("let best = 0, bi = -1;");
    else if (plan.kind === "reduce") w.line(`let acc = ${jsNumber(plan.identity)};`);
  };
  const innermost = (): void => {
    if (k.kind === "loop") {
      k.stores.forEach((s, si) => w.line(`${storeBufs[si]}[${cur[storeGroups[si]!]}] = ${value(s.value)};`));
      return;
    }
    const v = value(k.value);
    const dtype = k.instrs[k.value]!.dtype;
    switch (reducer) {
      case "sum":
        w.line(dtype === "int32" ? `acc = (acc + ${v}) | 0;` : `acc += ${v};`);
        break;
      case "max":
        w.line(`acc = Math.max(acc, ${v});`);
        break;
      case "min":
        w.line(`acc = Math.min(acc, ${v});`);
        break;
      case "argmax": {
        const idx = rank > nKept ? `i${nKept}` : "0";
        // The first maximum; a NaN wins and then nothing replaces it (numpy).
        w.line(`if (bi < 0 || ${v} > best || (${v} !== ${v} && best === best)) { best = ${v}; bi = ${idx}; }`);
        break;
      }
    }
  };
  const finishAcc = (): void => {
    if (k.kind !== "reduce") return;
    w.line(`${storeBufs[0]}[${cur[storeGroups[0]!]}] = ${reducer === "argmax" ? "bi" : "acc"};`);
  };

  // Depth d: inside the loops of axes < d (the lane loop covers axes 0..p-1 at once).
  const nest = (d: number): void => {
    if (d === nKept) startAcc();
    if (d === rank) innermost();
    else if (d === 0 && p > 0) {
      P.usesLanes = true;
      w.open("for (let q = 0; q < cnt; q++) {");
      w.line("const l = list[q];");
      if (p > 1) {
        w.line("let r = l;");
        for (let a = p - 1; a >= 1; a--) w.line(`const c${a} = r % ${laneShape[a]}; r = (r - c${a}) / ${laneShape[a]};`);
        w.line("const c0 = r;");
      }
      groups.list.forEach((g, j) => {
        const terms: string[] = [];
        for (let a = 0; a < p; a++) {
          const s = g.strides[a]!;
          if (s === 0) continue;
          const c = p === 1 ? "l" : `c${a}`;
          terms.push(s === 1 ? c : `${c} * ${jsNumber(s)}`);
        }
        if (!terms.length) return;
        w.line(`const g${j}_l = ${cur[j]} + ${terms.join(" + ")};`);
        cur[j] = `g${j}_l`;
      });
      emitLevel(p);
      nest(p);
      w.close();
      restoreNames(groups, cur, 0, p);
    } else {
      const a = d;
      const init = [`i${a} = 0`];
      const step = [`i${a}++`];
      groups.list.forEach((g, j) => {
        const s = g.strides[a]!;
        if (s === 0) return;
        const name = `g${j}_${a}`;
        init.push(`${name} = ${cur[j]}`);
        step.push(s === 1 ? `${name}++` : `${name} += ${jsNumber(s)}`);
        cur[j] = name;
      });
      w.open(`for (let ${init.join(", ")}; i${a} < ${shape[a]}; ${step.join(", ")}) {`);
      emitLevel(a + 1);
      nest(a + 1);
      w.close();
      restoreNames(groups, cur, a, p);
    }
    if (d === nKept) finishAcc();
  };
  emitLevel(0);
  nest(0);
  return { params: P, body: w.text() };
}

/** Names of the offset variables valid at loop depth `d` (outside the loop of axis d). */
function restoreNames(groups: OffsetGroups, cur: string[], d: number, p: number): void {
  groups.list.forEach((g, j) => {
    let name = `g${j}`;
    if (d >= p && p > 0 && g.strides.slice(0, p).some((s) => s !== 0)) name = `g${j}_l`;
    for (let a = p; a < d; a++) if (g.strides[a] !== 0) name = `g${j}_${a}`;
    cur[j] = name;
  });
}
