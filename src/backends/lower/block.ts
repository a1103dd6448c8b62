// A statement list under construction (the code of one region: the program,
// a loop body, a branch) and the fused loop kernel still open in it.
//
// Elementwise materializations of the same iteration shape and lanes join the
// open kernel, so a chain of ops is one loop with one store per live output.
// A kernel never reads a buffer it writes except at the very element it
// writes (loads of an iteration run before its stores), so joining is refused
// — the open kernel is emitted first — when a new load would see a buffer the
// kernel stores, or a new store would overwrite data the kernel reads
// elsewhere. A kernel also stops accepting joins at the fusion limit
// (MAX_FUSED_WEIGHT).

import type { Shape } from "../../ir/dtype.js";
import { shapesEqual } from "../../ir/dtype.js";
import { affinesEqual } from "./affine.js";
import type { BufId, LaneSetId, Lanes, Stmt, View } from "./kernel_ir.js";
import type { KernelToken } from "./instrs.js";
import { MAX_FUSED_WEIGHT, type Node } from "./nodes.js";

export interface LaneScope {
  readonly set: LaneSetId;
  readonly shape: Shape;
}

export interface RegionCtx {
  /** Kernels of restricted equations visit only these lanes. */
  readonly restrict: LaneScope | null;
  /** The enclosing active lanes a nested batched while/cond starts from (mask.ts). */
  readonly mask: LaneScope | null;
  /** For kernel tags (generated, e.g. `while2.body`). */
  readonly tag: string;
}

/** Where an output must end up. `whole`: the view is an entire fresh buffer, contiguous, unrestricted. */
export interface Dest {
  readonly view: View;
  readonly lanes: Lanes | null;
  readonly whole: boolean;
}

export function viewsEqual(a: View, b: View): boolean {
  return a.buf === b.buf && affinesEqual(a, b);
}

export function lanesEqual(a: Lanes | null, b: Lanes | null): boolean {
  return a === b || (a !== null && b !== null && a.set === b.set && a.rank === b.rank);
}

export class OpenKernel {
  readonly token: KernelToken = {};
  readonly stores: { view: View; node: Node }[] = [];
  readonly loads = new Map<BufId, View[]>();
  readonly storedBufs = new Set<BufId>();
  /** Nodes this kernel computes (their loads are already in `loads`). */
  readonly nodes = new Set<Node>();

  constructor(
    readonly shape: Shape,
    readonly lanes: Lanes | null,
  ) {}

  /** Nodes computed plus views loaded: what the emitted kernel's size grows with. */
  get weight(): number {
    let w = this.nodes.size + this.stores.length;
    for (const views of this.loads.values()) w += views.length;
    return w;
  }

  accepts(shape: Shape, lanes: Lanes | null, added: { loads: ReadonlyMap<BufId, readonly View[]>; computed: readonly Node[] }, dest: View): boolean {
    if (!shapesEqual(shape, this.shape) || !lanesEqual(lanes, this.lanes)) return false;
    const newLoads = added.loads;
    let addedWeight = added.computed.length + 1;
    for (const views of newLoads.values()) addedWeight += views.length;
    // Sibling stores share a kernel only up to the fusion limit (nodes.ts), so a program with thousands of outputs is not one giant kernel.
    if (this.weight + addedWeight > MAX_FUSED_WEIGHT) return false;
    for (const buf of newLoads.keys()) if (this.storedBufs.has(buf)) return false;
    const readsOfDest = [...(this.loads.get(dest.buf) ?? []), ...(newLoads.get(dest.buf) ?? [])];
    return readsOfDest.every((v) => viewsEqual(v, dest));
  }

  add(dest: View, node: Node, newLoads: ReadonlyMap<BufId, readonly View[]>, computed: Iterable<Node>): void {
    this.stores.push({ view: dest, node });
    for (const n of computed) this.nodes.add(n);
    this.storedBufs.add(dest.buf);
    for (const [buf, views] of newLoads) {
      const list = this.loads.get(buf) ?? [];
      for (const v of views) list.push(v);
      this.loads.set(buf, list);
    }
  }
}

export class Block {
  readonly stmts: Stmt[] = [];
  open: OpenKernel | null = null;

  constructor(readonly ctx: RegionCtx) {}
}
