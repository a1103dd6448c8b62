// A kernel (or a group of kernels emitted as one function) with its buffers
// and symbols renamed to parameter positions, so that kernels computing the
// same thing on different buffers become the same function: the ten layers
// of an unrolled MLP alternate between two slots but are one wasm function.
//
// Buffer i of the normalized form is the function's i-th buffer parameter
// (a byte address), symbol j its j-th symbol parameter. The key (a JSON text
// of the normalized kernels plus every parameter's dtype and the lane shape)
// identifies the function's code exactly.

import type { DType, Shape } from "../../../ir/dtype.js";
import type { AccessPlan, BufId, Instr, Kernel, KernelPlan, Offset, Program, Stmt, SymId, View } from "../../lower/kernel_ir.js";
import { childBlocks, isKernel } from "../../lower/kernel_ir.js";

export interface Normalized<T> {
  /** The kernels with buffer ids = parameter positions and sym ids = symbol positions. */
  readonly value: T;
  /** Program buffer id of each buffer parameter. */
  readonly bufs: readonly BufId[];
  /** dtype of each buffer parameter. */
  readonly dtypes: readonly DType[];
  /** Program symbol id of each symbol parameter. */
  readonly syms: readonly SymId[];
  readonly key: string;
}

class Renamer {
  readonly bufs: BufId[] = [];
  readonly syms: SymId[] = [];

  buf(id: BufId): number {
    let i = this.bufs.indexOf(id);
    if (i < 0) i = this.bufs.push(id) - 1;
    return i;
  }

  sym(id: SymId): number {
    let i = this.syms.indexOf(id);
    if (i < 0) i = this.syms.push(id) - 1;
    return i;
  }

  offset(o: Offset): Offset {
    return { c: o.c, terms: o.terms.map((t) => ({ sym: this.sym(t.sym), coef: t.coef })) };
  }

  view(v: View): View {
    return { buf: this.buf(v.buf), offset: this.offset(v.offset), strides: v.strides };
  }

  instrs(list: readonly Instr[]): Instr[] {
    return list.map((i) => (i.op === "load" ? { ...i, view: this.view(i.view) } : i));
  }

  kernel<K extends Kernel>(k: K): K {
    const base = { ...k, id: 0, tag: "" };
    switch (k.kind) {
      case "loop":
        return { ...base, instrs: this.instrs(k.instrs), stores: k.stores.map((s) => ({ view: this.view(s.view), value: s.value })) } as K;
      case "reduce":
        return { ...base, instrs: this.instrs(k.instrs), out: this.view(k.out) } as K;
      case "dot": {
        const lhs = this.view(k.lhs);
        const rhs = this.view(k.rhs);
        return { ...base, lhs, rhs, instrs: this.instrs(k.instrs), stores: k.stores.map((s) => ({ view: this.view(s.view), value: s.value })) } as K;
      }
    }
  }
}

/** Normalizes `kernels` together (one function); `extra` views (e.g. a loop predicate) share the renaming. */
export function normalize<K extends Kernel>(p: Program, kernels: readonly K[], laneShape: Shape, extra: readonly View[] = []): Normalized<{ kernels: K[]; extra: View[] }> {
  const r = new Renamer();
  const value = { kernels: kernels.map((k) => r.kernel(k)), extra: extra.map((v) => r.view(v)) };
  const dtypes = r.bufs.map((b) => p.buffers[b]!.dtype);
  const key = JSON.stringify([value, dtypes, r.syms.length, laneShape]);
  return { value, bufs: r.bufs, dtypes, syms: r.syms, key };
}

/** Every kernel nested anywhere in a statement list. */
export function allKernels(stmts: readonly Stmt[]): Kernel[] {
  const out: Kernel[] = [];
  // An explicit stack of blocks (regions nest deep); order does not matter to callers.
  const blocks: (readonly Stmt[])[] = [stmts];
  while (blocks.length) {
    for (const s of blocks.pop()!) {
      if (isKernel(s)) out.push(s);
      for (const b of childBlocks(s)) blocks.push(b);
    }
  }
  return out;
}


/** A kernel's plan in the parameter names of its normalized form (every buffer and symbol it names is already a parameter). */
export function normalizePlan<P extends KernelPlan>(plan: P, norm: Normalized<unknown>): P {
  const param = (list: readonly number[], id: number, what: string): number => {
    const i = list.indexOf(id);
    if (i < 0) throw new Error(`wasm: a kernel plan names ${what} ${id}, which its kernel does not`);
    return i;
  };
  const access: AccessPlan = {
    ...plan.access,
    groups: plan.access.groups.map((g) => ({
      buf: g.buf === null ? null : param(norm.bufs, g.buf, "buffer"),
      offset: { c: g.offset.c, terms: g.offset.terms.map((t) => ({ sym: param(norm.syms, t.sym, "symbol"), coef: t.coef })) },
      strides: g.strides,
    })),
  };
  return { ...plan, access };
}
