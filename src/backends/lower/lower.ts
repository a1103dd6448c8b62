// The lowering: Jaxpr → kernel IR Program (kernel_ir.ts).
//
// Each jaxpr variable is bound to a lazy Node (nodes.ts). Elementwise
// primitives, iota, literals and the view primitives only build nodes;
// reductions, dot products, copies and control flow produce kernels and
// statements. A node is materialized (`storeInto`) when
//   - it is read by several equations, or is a region output (then it is
//     computed once, into its destination when there is one),
//   - a kernel needs it in memory (dot operands, control-flow operands,
//     a reshape the layout cannot express, a size-expanding broadcast of
//     something that is not a plain view),
//   - its pending DAG outgrows MAX_FUSED_WEIGHT (nodes.ts): a long chain
//     becomes a sequence of bounded kernels,
// and a materialization joins the open fused loop when it can (block.ts).
// A pending dot product absorbs the elementwise DAG that consumes it as its
// epilogue (dot.ts). Control flow lowers to native loops/branches
// (rules_control.ts) with active-lane execution driven by the lane analysis (lanes.ts).

import type { Atom, Eqn, Jaxpr } from "../../ir/core.js";
import { type Recursion, recurse } from "../../ir/trampoline.js";
import { type DType, type Shape, isShapePrefix, sizeOf } from "../../ir/dtype.js";
import type { Params, Prim } from "../../ir/primitives.js";
import { rulesOf } from "../../ir/prims/index.js";
import { atWindow, contiguous } from "./affine.js";
import { Block, type Dest, type LaneScope, OpenKernel, type RegionCtx, lanesEqual, viewsEqual } from "./block.js";
import { buildDotKernel } from "./dot.js";
import { InstrBuilder, matBy } from "./instrs.js";
import type { BufId, BufferDecl, BufferRole, LaneSetDecl, LaneSetId, Lanes, LoopKernel, Stmt, View } from "./kernel_ir.js";
import type { RegionInfo, SubInfo } from "./lanes.js";
import { MAX_FUSED_WEIGHT, type Node, constNode, isLeaf, loadNode, pendingDots, pendingUpdates, viewOf } from "./nodes.js";

export interface RuleCtx<P extends Prim = Prim> {
  readonly L: Lowerer;
  readonly b: Block;
  readonly e: Eqn<P>;
  readonly params: Params[P];
  /** The lane analysis restricted this equation to the region's active lanes. */
  readonly restricted: boolean;
  readonly sub: SubInfo | undefined;
  /** Destinations wanted for the outputs (a rule may write straight into them). */
  readonly dests: readonly (Dest | null)[];
}

/**
 * Produces the equation's output nodes from its input nodes. Control-flow
 * rules lower their bodies with `lowerScope`, so they are Recursions
 * (ir/trampoline.ts): regions nest as deep as MAX_JAXPR_NESTING.
 */
export type LowerRule<P extends Prim> = (ins: readonly Node[], r: RuleCtx<P>) => Node[] | Recursion<Node[]>;

export class Lowerer {
  readonly buffers: BufferDecl[] = [];
  readonly laneSets: LaneSetDecl[] = [];
  nsyms = 0;
  private nextKernel = 0;
  private nextRegion = 0;

  // ---- declarations ---------------------------------------------------------

  newBuffer(dtype: DType, size: number, role: BufferRole, label: string, index?: number): BufId {
    const id = this.buffers.length;
    this.buffers.push({ id, dtype, size, role, label, ...(index === undefined ? {} : { index }) });
    return id;
  }

  /** A fresh contiguous temp buffer for a value of this type, as a view. */
  newTemp(dtype: DType, shape: Shape, label: string): View {
    return { buf: this.newBuffer(dtype, sizeOf(shape), "temp", label), ...contiguous(shape) };
  }

  dtypeOf(buf: BufId): DType {
    return this.buffers[buf]!.dtype;
  }

  newSym(): number {
    return this.nsyms++;
  }

  newLaneSet(shape: Shape): LaneSetId {
    const id = this.laneSets.length;
    this.laneSets.push({ id, shape: [...shape] });
    return id;
  }

  kernelId(): number {
    return this.nextKernel++;
  }

  /** A generated region name such as `while3` (a counter, never user text). */
  regionName(kind: string): string {
    return `${kind}${this.nextRegion++}`;
  }

  // ---- statements and kernels ----------------------------------------------

  /** Appends a statement after emitting the open loop kernel. */
  emit(b: Block, s: Stmt): void {
    this.flush(b);
    b.stmts.push(s);
  }

  /** Emits the open loop kernel, if any. */
  flush(b: Block): void {
    const k = b.open;
    if (!k) return;
    b.open = null;
    const ib = new InstrBuilder(k.token, (a) => a.strides);
    const stores = k.stores.map((s) => ({ view: s.view, value: ib.add(s.node) }));
    const kernel: LoopKernel = { kind: "loop", id: this.kernelId(), tag: b.ctx.tag, shape: [...k.shape], lanes: k.lanes, instrs: ib.instrs, stores };
    b.stmts.push(kernel);
  }

  lanesOf(scope: LaneScope | null): Lanes | null {
    return scope ? { set: scope.set, rank: scope.shape.length } : null;
  }

  /** The lanes a node's kernel visits: the region's active lanes if the node was restricted. */
  lanesFor(b: Block, n: Node): Lanes | null {
    return n.restricted && b.ctx.restrict ? this.lanesOf(b.ctx.restrict) : null;
  }

  /** Makes sure `n` is in memory and returns where. Views are returned as they are. */
  materialize(b: Block, n: Node, label = "value"): View {
    const v = viewOf(n);
    if (v) return v;
    const temp = this.newTemp(n.dtype, n.shape, label);
    this.storeInto(b, n, temp, this.lanesFor(b, n));
    return n.mat ?? temp;
  }

  /** A buffer view of `n` whose layout is the plain row-major one (copies if needed). */
  materializeContiguous(b: Block, n: Node, label = "value"): View {
    const v = this.materialize(b, n, label);
    const c = contiguous(n.shape);
    if (v.offset.c === 0 && !v.offset.terms.length && n.shape.every((d, i) => d === 1 || v.strides[i] === c.strides[i])) return v;
    const temp = this.newTemp(n.dtype, n.shape, label);
    this.storeInto(b, loadNode(v, n.shape, n.dtype, n.restricted), temp, this.lanesFor(b, n));
    return temp;
  }

  /**
   * Computes `n` into `dest` (a view over n.shape), visiting only `lanes` if
   * given. A pending dot product in the DAG becomes a dot kernel with the rest
   * of the DAG as its epilogue when possible; everything else joins the open
   * loop kernel.
   *
   * Afterwards readers of `n` load it from `dest`, unless `mutable` says the
   * destination will be overwritten later (loop carries, a buffer that a
   * dynamic_update_slice then patches).
   */
  storeInto(b: Block, n: Node, dest: View, lanes: Lanes | null, mutable = false): void {
    for (const u of pendingUpdates(n)) if (u !== n) this.materialize(b, u, "dynamic_update_slice");
    if (n.op === "dus" && n.mat === null) return this.storeUpdate(b, n, dest, lanes, mutable);
    const dots = pendingDots(n);
    if (dots.length === 1 && dots[0]!.restricted === n.restricted) {
      const k = buildDotKernel(this, b, dots[0]!, n, dest, lanes);
      if (k) {
        this.emit(b, k);
        if (!mutable && this.covers(b, n, lanes)) this.markMaterialized(n, dest, k);
        return;
      }
    }
    for (const d of dots) {
      if (d.mat) continue;
      const temp = this.newTemp(d.dtype, d.shape, "dot");
      const dl = this.lanesFor(b, d);
      const k = buildDotKernel(this, b, d, d, temp, dl);
      if (!k) throw new Error("lower: a plain dot product must always lower to a dot kernel");
      this.emit(b, k);
      this.markMaterialized(d, temp, k);
    }
    this.joinLoop(b, n, dest, lanes, mutable);
  }

  /**
   * A dynamic_update_slice into `dest`: the operand first — skipped when
   * `dest` already holds it (a loop carry updated in place) — then the update
   * into the window. An update that does not span the lanes cannot be
   * written lane by lane: the value is then built in a temp and copied.
   */
  private storeUpdate(b: Block, n: Node & { op: "dus" }, dest: View, lanes: Lanes | null, mutable: boolean): void {
    const [x, u] = n.args;
    if (lanes && !isShapePrefix(this.laneSets[lanes.set]!.shape, u.shape)) {
      const temp = this.newTemp(n.dtype, n.shape, "dynamic_update_slice");
      this.storeUpdate(b, n, temp, null, false);
      this.joinLoop(b, loadNode(temp, n.shape, n.dtype, n.restricted), dest, lanes, mutable);
      return;
    }
    const xv = viewOf(x);
    const inPlace = xv !== null && viewsEqual(xv, dest);
    if (!inPlace && loadsOf(u, null).loads.has(dest.buf)) {
      // The update reads the destination, which the operand copy would overwrite first: build it elsewhere.
      const temp = this.newTemp(n.dtype, n.shape, "dynamic_update_slice");
      this.storeUpdate(b, n, temp, lanes, false);
      this.joinLoop(b, loadNode(temp, n.shape, n.dtype, n.restricted), dest, lanes, mutable);
      return;
    }
    if (!inPlace) this.storeInto(b, x, dest, lanes, true);
    const w = atWindow(dest, n.starts);
    this.storeInto(b, u, { buf: dest.buf, offset: w.offset, strides: w.strides }, lanes, true);
    if (!mutable && this.covers(b, n, lanes)) this.markMaterialized(n, dest, {});
  }

  /** Whether storing n under `lanes` writes every element that matters for n. */
  private covers(b: Block, n: Node, lanes: Lanes | null): boolean {
    return lanes === null || (n.restricted && lanesEqual(lanes, this.lanesOf(b.ctx.restrict)));
  }

  private markMaterialized(n: Node, view: View, token: object): void {
    if (n.op === "load" || n.mat) return;
    n.mat = view;
    matBy.set(n, token);
  }

  private joinLoop(b: Block, n: Node, dest: View, lanes: Lanes | null, mutable: boolean): void {
    if (lanes && !isShapePrefix(this.laneSets[lanes.set]!.shape, n.shape)) {
      throw new Error(`lower: a lane-restricted store of [${n.shape.join(",")}] does not start with lanes [${this.laneSets[lanes.set]!.shape.join(",")}]`);
    }
    let walk = loadsOf(n, b.open);
    // A kernel reads the buffer it writes only at the element it writes; otherwise compute the value elsewhere first.
    if ((walk.loads.get(dest.buf) ?? []).some((v) => !viewsEqual(v, dest))) {
      const temp = this.newTemp(n.dtype, n.shape, "value");
      this.joinLoop(b, n, temp, lanes, false);
      this.joinLoop(b, loadNode(temp, n.shape, n.dtype, n.restricted), dest, lanes, mutable);
      return;
    }
    if (b.open && !b.open.accepts(n.shape, lanes, walk, dest)) this.flush(b);
    if (!b.open) {
      b.open = new OpenKernel(n.shape, lanes);
      walk = loadsOf(n, b.open);
    }
    b.open.add(dest, n, walk.loads, walk.computed);
    if (!mutable && this.covers(b, n, lanes)) this.markMaterialized(n, dest, b.open.token);
  }

  // ---- regions ---------------------------------------------------------------

  /** A nested block (loop body, branch) with its own lanes and tag. */
  block(ctx: RegionCtx): Block {
    return new Block(ctx);
  }

  /**
   * Lowers the equations of `j` into `b` with `inputs` bound to its invars.
   * Outputs with a destination are stored there (as soon as they are
   * computed); the output nodes are returned either way.
   */
  *lowerScope(b: Block, j: Jaxpr, info: RegionInfo, inputs: readonly Node[], dests: readonly (Dest | null)[]): Recursion<Node[]> {
    const env = new Map<number, Node>();
    j.invars.forEach((v, i) => env.set(v.id, inputs[i]!));
    const read = (a: Atom): Node => {
      if (a.kind === "lit") return constNode(a.value, a.aval.dtype);
      const n = env.get(a.id);
      if (!n) throw new Error(`lower: variable ${a.id} read before it is defined`);
      return n;
    };
    const uses = countUses(j);
    // The first output position of each variable defined by an equation gets its destination at definition.
    const destAtDef = new Map<number, { dest: Dest; pos: number }>();
    j.outvars.forEach((a, i) => {
      const d = dests[i];
      if (d && a.kind === "var" && !destAtDef.has(a.id)) destAtDef.set(a.id, { dest: d, pos: i });
    });
    const stored = new Set<number>(); // outvar positions already written
    for (const e of j.eqns) {
      const ins = e.inputs.map(read);
      const outDests = e.outputs.map((v) => destAtDef.get(v.id)?.dest ?? null);
      const lowered = rulesOf(e.prim).lower(ins, {
        L: this,
        b,
        e,
        params: e.params,
        restricted: info.restricted.has(e),
        sub: info.subs.get(e),
        dests: outDests,
      });
      const outs = Array.isArray(lowered) ? lowered : yield* recurse(lowered);
      e.outputs.forEach((v, i) => {
        const n = outs[i]!;
        const d = outDests[i];
        if (d) {
          const pos = destAtDef.get(v.id)!.pos;
          const at = viewOf(n);
          if (!(at && sameView(at, d.view))) {
            if ((uses.get(v.id) ?? 0) > 1 && !isLeaf(n) && !this.coversDest(b, n, d)) this.materialize(b, n);
            this.storeInto(b, n, d.view, d.lanes);
          }
          stored.add(pos);
        } else if (((uses.get(v.id) ?? 0) > 1 || n.weight > MAX_FUSED_WEIGHT) && !isLeaf(n)) {
          this.materialize(b, n);
        }
        env.set(v.id, n);
      });
    }
    return j.outvars.map((a, i) => {
      const n = read(a);
      const d = dests[i];
      if (d && !stored.has(i)) this.storeInto(b, n, d.view, d.lanes);
      return n;
    });
  }

  private coversDest(b: Block, n: Node, d: Dest): boolean {
    return d.lanes === null || this.covers(b, n, d.lanes);
  }
}

function sameView(a: View, b: View): boolean {
  return a.buf === b.buf && a.offset.c === b.offset.c && a.offset.terms.length === 0 && b.offset.terms.length === 0 && a.strides.every((s, i) => s === b.strides[i]);
}

/** Reads of each variable: once per reading equation, once per output position. */
export function countUses(j: Jaxpr): Map<number, number> {
  const uses = new Map<number, number>();
  const bump = (id: number): void => void uses.set(id, (uses.get(id) ?? 0) + 1);
  for (const e of j.eqns) {
    const seen = new Set<number>();
    for (const a of e.inputs) if (a.kind === "var" && !seen.has(a.id)) (seen.add(a.id), bump(a.id));
  }
  for (const a of j.outvars) if (a.kind === "var") bump(a.id);
  return uses;
}

/**
 * What computing `n` in kernel `k` adds: the buffers it newly loads (per
 * buffer, the views) and the nodes it newly computes. Nodes `k` already
 * computes add nothing.
 */
export function loadsOf(n: Node, k: OpenKernel | null): { loads: Map<BufId, View[]>; computed: Node[] } {
  const loads = new Map<BufId, View[]>();
  const computed: Node[] = [];
  const add = (v: View): void => {
    const list = loads.get(v.buf) ?? [];
    list.push(v);
    loads.set(v.buf, list);
  };
  // Pre-order with an explicit stack (children pushed in reverse, so the
  // order matches a recursive walk): a pending chain can be very long.
  const seen = new Set<Node>();
  const stack: Node[] = [n];
  while (stack.length) {
    const m = stack.pop()!;
    if (seen.has(m) || k?.nodes.has(m)) continue;
    seen.add(m);
    if (m.mat && (k === null || matBy.get(m) !== k.token)) {
      add(m.mat);
      continue;
    }
    if (m.op === "load") {
      add({ buf: m.buf, offset: m.map.offset, strides: m.map.strides });
      continue;
    }
    computed.push(m);
    if ("args" in m) for (let i = m.args.length - 1; i >= 0; i--) stack.push(m.args[i]!);
  }
  return { loads, computed };
}
