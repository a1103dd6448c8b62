// The emitter-independent decisions about each kernel, made once here and
// read by both emitters (js/emit_loop.ts, js/emit_dot.ts, wasm/emit/emit_loop.ts,
// wasm/emit/dot/) instead of each re-deriving them:
//
// - access groups: the distinct strided access patterns (buffer, offset,
//   strides) of a kernel's loads, iotas and stores, in first-use order; each
//   emitter keeps one running position per group and loop depth;
// - a reduction's starting value (the reducer's identity for the value's dtype);
// - a dot's operand strides split by role ([lanes…], b, m|n, k), and whether
//   its rows are its lanes (the vmapped `h @ W`: one lane axis, no batch, the
//   rhs shared by every lane), which both emitters block four lanes at a time.
//
// What stays in a backend is what only it needs: wasm's SIMD width and packing
// sizes, JS's register-block shape.

import type { DType } from "../../ir/dtype.js";
import type { AccessGroup, AccessPlan, DotKernel, Kernel, KernelPlan, Offset, Reducer, Stmt, View } from "./kernel_ir.js";
import { childBlocks, isKernel } from "./kernel_ir.js";

/** The identity of each reducer per dtype: the accumulator's value before the first element. */
const IDENTITY: { readonly [R in Reducer]: { readonly [D in DType]: number } } = {
  sum: { float32: 0, int32: 0, bool: 0 },
  max: { float32: -Infinity, int32: -2147483648, bool: 0 },
  min: { float32: Infinity, int32: 2147483647, bool: 1 },
  // argmax takes its first element whatever it is (emitters start from "no best yet").
  argmax: { float32: -Infinity, int32: -2147483648, bool: 0 },
};

const offsetKey = (o: Offset): string => `${o.c}${o.terms.map((t) => `+${t.coef}s${t.sym}`).join("")}`;

class GroupTable {
  readonly groups: AccessGroup[] = [];
  private readonly keys = new Map<string, number>();

  of(buf: number | null, offset: Offset, strides: readonly number[]): number {
    const key = `${buf ?? "iota"}|${offsetKey(offset)}|${strides.join(",")}`;
    let g = this.keys.get(key);
    if (g === undefined) {
      g = this.groups.push({ buf, offset, strides }) - 1;
      this.keys.set(key, g);
    }
    return g;
  }
}

/** Access groups of a kernel's epilogue/body: loads and iotas in instr order, then stores. */
function accessPlan(k: Kernel, rank: number): AccessPlan {
  const t = new GroupTable();
  const ofInstr = k.instrs.map((ins) => {
    switch (ins.op) {
      case "load":
        return t.of(ins.view.buf, ins.view.offset, ins.view.strides);
      case "index":
        return t.of(null, { c: ins.offset, terms: [] }, ins.strides);
      case "const":
      case "unary":
      case "binary":
      case "select":
      case "convert":
      case "acc":
        return -1;
    }
  });
  const storeViews: View[] =
    k.kind === "reduce"
      ? // The output view over the whole iteration space: it does not move along the reduced axes.
        [{ ...k.out, strides: [...k.out.strides, ...new Array<number>(rank - k.nKept).fill(0)] }]
      : k.stores.map((s) => s.view);
  const ofStore = storeViews.map((v) => t.of(v.buf, v.offset, v.strides));
  return { groups: t.groups, ofInstr, ofStore };
}

export function planKernel(k: Kernel, laneRank: number): KernelPlan {
  switch (k.kind) {
    case "loop":
      return { kind: "loop", access: accessPlan(k, k.shape.length) };
    case "reduce":
      return { kind: "reduce", access: accessPlan(k, k.shape.length), identity: IDENTITY[k.reducer][k.instrs[k.value]!.dtype] };
    case "dot":
      return planDot(k, laneRank);
  }
}

function planDot(k: DotKernel, p: number): KernelPlan {
  const [lb, lm, , lk] = k.lhs.strides.slice(p) as [number, number, number, number];
  const [rb, , rn, rk] = k.rhs.strides.slice(p) as [number, number, number, number];
  const rhsLanes = k.rhs.strides.slice(0, p);
  return {
    kind: "dot",
    access: accessPlan(k, p + 3),
    lhs: { lanes: k.lhs.strides.slice(0, p), b: lb, mn: lm, k: lk },
    rhs: { lanes: rhsLanes, b: rb, mn: rn, k: rk },
    rowsAreLanes: p === 1 && k.b === 1 && rhsLanes.every((s) => s === 0),
  };
}

/** The plan of every kernel, indexed by kernel id (finalize numbers kernels 0, 1, … in program order). */
export function planKernels(body: readonly Stmt[]): KernelPlan[] {
  const plans: KernelPlan[] = [];
  const stack: (readonly Stmt[])[] = [body];
  while (stack.length) {
    for (const s of stack.pop()!) {
      if (isKernel(s)) plans[s.id] = planKernel(s, s.lanes ? s.lanes.rank : 0);
      for (const b of childBlocks(s)) stack.push(b);
    }
  }
  return plans;
}
