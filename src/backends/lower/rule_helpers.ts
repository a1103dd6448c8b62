// Helpers for writing lowering rules (the rules themselves are in each
// primitive's family file, ir/prims/; control flow's are in rules_control.ts):
// elementwise primitives build nodes, view primitives compose index maps, the
// rest emit kernels (reductions, copies) or pending dot nodes.

import { type DType, type Shape, sizeOf } from "../../ir/dtype.js";
import type { BinaryPrim, ComparePrim, Prim, ReducePrim, UnaryPrim } from "../../ir/primitives.js";
import * as affine from "./affine.js";
import type { Affine } from "./affine.js";
import { type Block, lanesEqual } from "./block.js";
import { InstrBuilder } from "./instrs.js";
import type { Lanes, Reducer, ReduceKernel, View } from "./kernel_ir.js";
import type { LowerRule, Lowerer, RuleCtx } from "./lower.js";
import { type Node, type WindowStart, composeNode, isLeaf, loadNode, mkNode, pendingDots, viewOf } from "./nodes.js";

export const outAval = (r: RuleCtx): { dtype: DType; shape: Shape } => r.e.outputs[0]!.aval;

/** `n` seen through an index map change, materializing it first when the DAG cannot be rewritten. */
export function viewThrough(L: Lowerer, b: Block, n: Node, shape: Shape, f: (a: Affine) => Affine | null, restricted: boolean): Node {
  const c = composeNode(n, shape, f, restricted);
  if (c) return c;
  const v = L.materializeContiguous(b, n);
  const m = f(v);
  if (!m) throw new Error("lower: a view of a contiguous buffer must always compose");
  return loadNode({ buf: v.buf, offset: m.offset, strides: m.strides }, shape, n.dtype, restricted);
}

/** A rank-0 operand broadcast to `shape` (loads with all-zero strides; hoisted by emitters). */
export function toShape(L: Lowerer, b: Block, n: Node, shape: Shape): Node {
  if (n.shape.length === shape.length) return n;
  return viewThrough(L, b, n, shape, (a) => affine.broadcastInDim(a, [], shape.length, []), n.restricted);
}

/** A unary op; `rounding` is round's rounding_method (0 for the others, which have no params). */
export const unaryNode = <P extends UnaryPrim>(prim: P, x: Node, r: RuleCtx<P>, rounding = 0): Node =>
  mkNode({ op: "unary", prim, rounding, args: [x], ...outAval(r), restricted: r.restricted });

/** A unary op without params (round passes its rounding_method to unaryNode itself). */
export const lowerUnary = <P extends UnaryPrim>(prim: P): LowerRule<P> => ([x], r) => [unaryNode(prim, x!, r)];

export const lowerBinary = <P extends BinaryPrim | ComparePrim>(prim: P): LowerRule<P> => ([x, y], r) => {
  const { shape, dtype } = outAval(r);
  const first = computeOneOfTwoDots(r.L, r.b, x!, y!);
  return [mkNode({ op: "binary", prim, argDtype: x!.dtype, args: [toShape(r.L, r.b, first, shape), toShape(r.L, r.b, y!, shape)], shape, dtype, restricted: r.restricted })];
};

/**
 * `x`, or `x` computed into memory when both operands of a binary operation
 * hold a pending dot product. A kernel absorbs at most one dot (as its
 * epilogue), so such a DAG would otherwise keep every dot pending until the
 * value is needed and then compute them all, plain, followed by one loop
 * combining them. Computing `x` now instead lets `y`'s dot absorb the
 * operation. For a running sum of products, `acc = acc + dot(hᵢ, gᵢ)` (the
 * weight gradient of a layer applied n times), each dot then runs with `+ acc`
 * as its epilogue right after its operands are made, while they are still
 * in cache, and needs no temporary of its own; the sums are the same
 * additions in the same order.
 */
function computeOneOfTwoDots(L: Lowerer, b: Block, x: Node, y: Node): Node {
  if (x.dotBound === 0 || y.dotBound === 0 || isLeaf(x) || isLeaf(y)) return x;
  if (pendingDots(x).length === 0 || pendingDots(y).length === 0) return x;
  return loadNode(L.materialize(b, x), x.shape, x.dtype, x.restricted);
}

/** A reduce kernel over the params' axes (moved innermost), written to the destination when it takes these lanes. */
export const lowerReduce = (reducer: Reducer) => (ins: readonly Node[], r: RuleCtx<ReducePrim | "argmax">): Node[] => {
  const { L, b } = r;
  const x = ins[0]!;
  const axes = [...r.params.axes].sort((p, q) => p - q);
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...kept, ...axes];
  const shape = perm.map((a) => x.shape[a]!);
  const moved = viewThrough(L, b, x, shape, (a) => affine.transpose(a, perm), x.restricted);
  const out = outAval(r);
  const lanes = r.restricted && b.ctx.restrict ? L.lanesOf(b.ctx.restrict) : null;
  const target = outTarget(r, r.e.prim, lanes);
  const ib = new InstrBuilder({}, (a) => a.strides);
  const value = ib.add(moved);
  const k: ReduceKernel = {
    kind: "reduce", id: L.kernelId(), tag: b.ctx.tag, lanes, instrs: ib.instrs, shape, nKept: kept.length,
    value, reducer, outDtype: out.dtype, out: target,
  };
  L.emit(b, k);
  return [loadNode(target, out.shape, out.dtype, r.restricted)];
};

/** Window starts for dynamic indices: literals are clamped now, the rest at run time into a symbol (lax semantics). */
export function dynamicStarts(L: Lowerer, b: Block, idx: readonly Node[], shape: Shape, window: Shape): WindowStart[] {
  return idx.map((n, i) => {
    const hi = shape[i]! - window[i]!;
    if (n.op === "const" && n.mat === null) return { c: Math.min(Math.max(n.value, 0), hi), sym: null };
    if (hi === 0) return { c: 0, sym: null };
    const src = L.materialize(b, n, "index");
    const sym = L.newSym();
    L.emit(b, { kind: "setsym", sym, src, value: 0, lo: 0, hi });
    return { c: 0, sym };
  });
}

/** The operand as a buffer view (materialized if it is a computed value). */
export function bufferView(L: Lowerer, b: Block, n: Node): View {
  return viewOf(n) ?? L.materialize(b, n);
}

/** Where output 0 is written: its destination when that takes exactly these lanes, else a fresh temp. */
export function outTarget(r: RuleCtx, label: string, lanes: Lanes | null): View {
  const d = r.dests[0];
  const out = outAval(r);
  return d && lanesEqual(d.lanes, lanes) ? d.view : r.L.newTemp(out.dtype, out.shape, label);
}

export const lowerSelect: LowerRule<"select_n"> = ([which, ...cases], r) => {
  const { shape, dtype } = outAval(r);
  const args = [toShape(r.L, r.b, which!, shape), ...cases];
  return [mkNode({ op: "select", whichDtype: which!.dtype, args, shape, dtype, restricted: r.restricted })];
};

export const lowerConvert: LowerRule<"convert_element_type"> = ([x], r) => {
  const { shape, dtype } = outAval(r);
  if (x!.dtype === dtype) return [x!];
  return [mkNode({ op: "convert", from: x!.dtype, args: [x!], shape, dtype, restricted: r.restricted })];
};
