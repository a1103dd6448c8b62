// Turns a DAG of lazy nodes into a kernel's SSA instruction list. Nodes that
// the kernel itself materializes (or that are not materialized at all) are
// computed; nodes materialized by an earlier kernel, and plain views, are
// loads. `mapStrides` translates a leaf's index map (over the node's shape)
// into strides over the kernel's iteration space (identity for loop kernels,
// axis permutation for reductions, canonical [lanes, b, m, n] for dots).

import type { Affine } from "./affine.js";
import type { Instr, View } from "./kernel_ir.js";
import { type Node, argsOf, postOrder } from "./nodes.js";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Marks which kernel materializes a node (nodes it computes are not loaded). */
export type KernelToken = object;

export const matBy = new WeakMap<Node, KernelToken>();

export class InstrBuilder {
  readonly instrs: Instr[] = [];
  private readonly ids = new Map<Node, number>();

  constructor(
    private readonly own: KernelToken,
    private readonly mapStrides: (a: Affine) => readonly number[],
    /** The dot node whose value is the `acc` instr (dot kernels only). */
    private readonly accOf: Node | null = null,
  ) {}

  private push(i: DistributiveOmit<Instr, "level">): number {
    this.instrs.push(Object.assign(i, { level: 0 }) as Instr);
    return this.instrs.length - 1;
  }

  private load(buf: number, a: Affine, n: Node): number {
    const view: View = { buf, offset: a.offset, strides: this.mapStrides(a) };
    return this.push({ op: "load", dtype: n.dtype, view });
  }

  /** Instr index computing `n` in this kernel. */
  add(root: Node): number {
    // Operands before the instr reading them, in argument order, with an
    // explicit stack: a fused chain can be thousands of nodes deep.
    // A node is done once it has an id (the DAG is acyclic, so a node on the
    // stack is never reached again before its visit).
    const done = { has: (n: Node) => this.ids.has(n), add: () => {} };
    postOrder(root, done, (n) => (this.isLeaf(n) ? [] : argsOf(n)), (n) => this.ids.set(n, this.compute(n)));
    return this.ids.get(root)!;
  }

  /** Nodes this kernel reads instead of computing. */
  private isLeaf(n: Node): boolean {
    return n === this.accOf || (n.mat !== null && matBy.get(n) !== this.own) || n.op === "load" || n.op === "const" || n.op === "index";
  }

  /** The instr for `n`, whose operands already have ids. */
  private compute(n: Node): number {
    const id = (a: Node): number => this.ids.get(a)!;
    if (n === this.accOf) return this.push({ op: "acc", dtype: n.dtype });
    if (n.mat && matBy.get(n) !== this.own) return this.load(n.mat.buf, n.mat, n);
    switch (n.op) {
      case "load":
        return this.load(n.buf, n.map, n);
      case "const":
        return this.push({ op: "const", dtype: n.dtype, value: n.value });
      case "index":
        if (n.map.offset.terms.length) throw new Error("lower: an index map with a dynamic offset must be materialized first");
        return this.push({ op: "index", dtype: n.dtype, offset: n.map.offset.c, strides: this.mapStrides(n.map) });
      case "unary":
        return this.push({ op: "unary", dtype: n.dtype, prim: n.prim, x: id(n.args[0]), ...(n.prim === "round" ? { rounding: n.rounding } : {}) });
      case "binary":
        return this.push({ op: "binary", dtype: n.dtype, prim: n.prim, x: id(n.args[0]), y: id(n.args[1]), argDtype: n.argDtype });
      case "select": {
        const [w, ...cs] = n.args;
        return this.push({ op: "select", dtype: n.dtype, which: id(w!), whichDtype: n.whichDtype, cases: cs.map(id) });
      }
      case "convert":
        return this.push({ op: "convert", dtype: n.dtype, from: n.from, x: id(n.args[0]) });
      case "dot":
      case "dus":
        throw new Error(`lower: a pending ${n.op} inside a loop kernel (it must be materialized first)`);
    }
  }
}
