// Turns a DAG of lazy nodes into a kernel's SSA instruction list. Nodes that
// the kernel itself materializes (or that are not materialized at all) are
// computed; nodes materialized by an earlier kernel, and plain views, are
// loads. `mapStrides` translates a leaf's index map (over the node's shape)
// into strides over the kernel's iteration space (identity for loop kernels,
// axis permutation for reductions, canonical [lanes, b, m, n] for dots).

import type { Affine } from "./affine.js";
import type { Instr, View } from "./kernel_ir.js";
import type { Node } from "./nodes.js";

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
    this.instrs.push({ ...i, level: 0 } as Instr);
    return this.instrs.length - 1;
  }

  private load(buf: number, a: Affine, n: Node): number {
    const view: View = { buf, offset: a.offset, strides: this.mapStrides(a) };
    return this.push({ op: "load", dtype: n.dtype, view });
  }

  /** Instr index computing `n` in this kernel. */
  add(n: Node): number {
    const hit = this.ids.get(n);
    if (hit !== undefined) return hit;
    let id: number;
    if (n === this.accOf) {
      id = this.push({ op: "acc", dtype: n.dtype });
    } else if (n.mat && matBy.get(n) !== this.own) {
      id = this.load(n.mat.buf, n.mat, n);
    } else {
      switch (n.op) {
        case "load":
          id = this.load(n.buf, n.map, n);
          break;
        case "const":
          id = this.push({ op: "const", dtype: n.dtype, value: n.value });
          break;
        case "index": {
          if (n.map.offset.terms.length) throw new Error("lower: an index map with a dynamic offset must be materialized first");
          id = this.push({ op: "index", dtype: n.dtype, offset: n.map.offset.c, strides: this.mapStrides(n.map) });
          break;
        }
        case "unary":
          id = this.push({ op: "unary", dtype: n.dtype, prim: n.prim, x: this.add(n.args[0]), ...(n.prim === "round" ? { rounding: n.rounding } : {}) });
          break;
        case "binary": {
          const x = this.add(n.args[0]);
          const y = this.add(n.args[1]);
          id = this.push({ op: "binary", dtype: n.dtype, prim: n.prim, x, y, argDtype: n.argDtype });
          break;
        }
        case "select": {
          const [w, ...cs] = n.args;
          const which = this.add(w!);
          id = this.push({ op: "select", dtype: n.dtype, which, whichDtype: n.whichDtype, cases: cs.map((c) => this.add(c)) });
          break;
        }
        case "convert":
          id = this.push({ op: "convert", dtype: n.dtype, from: n.from, x: this.add(n.args[0]) });
          break;
        case "dot":
        case "dus":
          throw new Error(`lower: a pending ${n.op} inside a loop kernel (it must be materialized first)`);
      }
    }
    this.ids.set(n, id);
    return id;
  }
}
