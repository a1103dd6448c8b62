// Lowering rules for every primitive that is not control flow: elementwise
// primitives build nodes, view primitives compose index maps, the rest emit
// kernels (reductions, copies) or pending dot nodes.

import { type DType, type Shape, sizeOf } from "../../ir/dtype.js";
import type { BinaryPrim, ComparePrim, Prim, ReducePrim, UnaryPrim } from "../../ir/primitives.js";
import * as affine from "./affine.js";
import type { Affine } from "./affine.js";
import { type Block, lanesEqual } from "./block.js";
import { InstrBuilder } from "./instrs.js";
import type { Lanes, Reducer, ReduceKernel, View } from "./kernel_ir.js";
import type { LowerRule, Lowerer, RuleCtx } from "./lower.js";
import { type Node, type WindowStart, composeNode, isLeaf, loadNode, mkNode, viewOf } from "./nodes.js";

const outAval = (r: RuleCtx): { dtype: DType; shape: Shape } => r.e.outputs[0]!.aval;

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
function toShape(L: Lowerer, b: Block, n: Node, shape: Shape): Node {
  if (n.shape.length === shape.length) return n;
  return viewThrough(L, b, n, shape, (a) => affine.broadcastInDim(a, [], shape.length, []), n.restricted);
}

/** A unary op; `rounding` is round's rounding_method (0 for the others, which have no params). */
const unaryNode = <P extends UnaryPrim>(prim: P, x: Node, r: RuleCtx<P>, rounding = 0): Node =>
  mkNode({ op: "unary", prim, rounding, args: [x], ...outAval(r), restricted: r.restricted });

const unary = <P extends UnaryPrim>(prim: P): LowerRule<P> => ([x], r) => [unaryNode(prim, x!, r)];

const binary = <P extends BinaryPrim | ComparePrim>(prim: P): LowerRule<P> => ([x, y], r) => {
  const { shape, dtype } = outAval(r);
  return [mkNode({ op: "binary", prim, argDtype: x!.dtype, args: [toShape(r.L, r.b, x!, shape), toShape(r.L, r.b, y!, shape)], shape, dtype, restricted: r.restricted })];
};

const reduce = (reducer: Reducer) => (ins: readonly Node[], r: RuleCtx<ReducePrim | "argmax">): Node[] => {
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
function dynamicStarts(L: Lowerer, b: Block, idx: readonly Node[], shape: Shape, window: Shape): WindowStart[] {
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
function bufferView(L: Lowerer, b: Block, n: Node): View {
  return viewOf(n) ?? L.materialize(b, n);
}

/** Where output 0 is written: its destination when that takes exactly these lanes, else a fresh temp. */
function outTarget(r: RuleCtx, label: string, lanes: Lanes | null): View {
  const d = r.dests[0];
  const out = outAval(r);
  return d && lanesEqual(d.lanes, lanes) ? d.view : r.L.newTemp(out.dtype, out.shape, label);
}

type DataPrim = Exclude<Prim, "while" | "cond" | "scan" | "pjit">;

export const DATA_RULES: { readonly [P in DataPrim]: LowerRule<P> } = {
  neg: unary("neg"), exp: unary("exp"), log: unary("log"), sin: unary("sin"), cos: unary("cos"),
  tanh: unary("tanh"), logistic: unary("logistic"), sqrt: unary("sqrt"), rsqrt: unary("rsqrt"),
  abs: unary("abs"), sign: unary("sign"), floor: unary("floor"), ceil: unary("ceil"), round: ([x], r) => [unaryNode("round", x!, r, r.params.rounding_method)],
  not: unary("not"),
  add: binary("add"), sub: binary("sub"), mul: binary("mul"), div: binary("div"), rem: binary("rem"),
  pow: binary("pow"), max: binary("max"), min: binary("min"), and: binary("and"), or: binary("or"),
  lt: binary("lt"), le: binary("le"), gt: binary("gt"), ge: binary("ge"), eq: binary("eq"), ne: binary("ne"),

  select_n: ([which, ...cases], r) => {
    const { shape, dtype } = outAval(r);
    const args = [toShape(r.L, r.b, which!, shape), ...cases];
    return [mkNode({ op: "select", whichDtype: which!.dtype, args, shape, dtype, restricted: r.restricted })];
  },
  convert_element_type: ([x], r) => {
    const { shape, dtype } = outAval(r);
    if (x!.dtype === dtype) return [x!];
    return [mkNode({ op: "convert", from: x!.dtype, args: [x!], shape, dtype, restricted: r.restricted })];
  },

  broadcast_in_dim: ([x], r) => {
    const { shape } = outAval(r);
    const bd = r.params.broadcast_dimensions;
    let src = x!;
    // Re-evaluating a computed value at every broadcast copy would repeat its work: compute it once.
    if (!isLeaf(src) && src.shape.length > 0 && sizeOf(shape) > sizeOf(src.shape)) src = loadNode(r.L.materialize(r.b, src), src.shape, src.dtype, src.restricted);
    return [viewThrough(r.L, r.b, src, shape, (a) => affine.broadcastInDim(a, src.shape, shape.length, bd), r.restricted)];
  },
  reshape: ([x], r) => {
    const { shape } = outAval(r);
    return [viewThrough(r.L, r.b, x!, shape, (a) => affine.reshape(a, x!.shape, shape), r.restricted)];
  },
  transpose: ([x], r) => [viewThrough(r.L, r.b, x!, outAval(r).shape, (a) => affine.transpose(a, r.params.permutation), r.restricted)],
  squeeze: ([x], r) => [viewThrough(r.L, r.b, x!, outAval(r).shape, (a) => affine.squeeze(a, r.params.dimensions), r.restricted)],
  expand_dims: ([x], r) => {
    const { shape } = outAval(r);
    return [viewThrough(r.L, r.b, x!, shape, (a) => affine.expandDims(a, shape.length, r.params.dimensions), r.restricted)];
  },
  slice: ([x], r) => [viewThrough(r.L, r.b, x!, outAval(r).shape, (a) => affine.slice(a, r.params.start_indices, r.params.strides), r.restricted)],

  reduce_sum: reduce("sum"),
  reduce_max: reduce("max"),
  reduce_min: reduce("min"),
  argmax: reduce("argmax"),

  dot_general: ([x, y], r) => {
    const { shape, dtype } = outAval(r);
    const lhs = bufferView(r.L, r.b, x!);
    const rhs = bufferView(r.L, r.b, y!);
    const spec = { lhs, rhs, lhsShape: x!.shape, rhsShape: y!.shape, dims: r.params.dimension_numbers };
    return [mkNode({ op: "dot", spec, shape, dtype, restricted: r.restricted })];
  },

  iota: (_ins, r) => {
    const { dtype, shape, dimension } = r.params;
    const strides = shape.map((_, i) => (i === dimension ? 1 : 0));
    return [mkNode({ op: "index", map: { offset: affine.ZERO_OFFSET, strides }, dtype, shape, restricted: r.restricted })];
  },
  concatenate: (ins, r) => {
    const { L, b } = r;
    const out = outAval(r);
    // Parts along a lane axis do not start with the lane shape: they are written in full.
    const lanes = r.restricted && b.ctx.restrict && r.params.dimension >= b.ctx.restrict.shape.length ? L.lanesOf(b.ctx.restrict) : null;
    const target = outTarget(r, "concatenate", lanes);
    let pos = 0;
    for (const x of ins) {
      const part: View = { buf: target.buf, offset: affine.addOffset(target.offset, pos * target.strides[r.params.dimension]!), strides: target.strides };
      L.storeInto(b, x, part, lanes);
      pos += x.shape[r.params.dimension]!;
    }
    return [loadNode(target, out.shape, out.dtype, r.restricted)];
  },
  dynamic_slice: ([x, ...idx], r) => {
    const { L, b } = r;
    const out = outAval(r);
    const src = bufferView(L, b, x!);
    const m = affine.atWindow(src, dynamicStarts(L, b, idx, x!.shape, r.params.slice_sizes));
    return [loadNode({ buf: src.buf, offset: m.offset, strides: m.strides }, out.shape, out.dtype, r.restricted)];
  },
  // Lazy: written when materialized (Lowerer.storeUpdate), in place when the destination already holds the operand.
  dynamic_update_slice: ([x, u, ...idx], r) => {
    const { shape, dtype } = outAval(r);
    const starts = dynamicStarts(r.L, r.b, idx, x!.shape, u!.shape);
    return [mkNode({ op: "dus", starts, args: [x!, u!], shape, dtype, restricted: r.restricted })];
  },
};
