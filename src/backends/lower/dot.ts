// dot_general → one dot kernel in canonical form
//
//   out[lanes…, b, m, n] = epilogue( Σ_k lhs[lanes…, b, m, k] · rhs[lanes…, b, k, n] )
//
// The output axes of dot_general are (batch…, lhs free…, rhs free…). The
// first `p` are the lanes when the kernel is restricted; the remaining batch,
// lhs-free and rhs-free axes each merge into one axis (b, m, n), and the
// contracting pairs into k, as long as every operand/epilogue/store layout is
// chained along them (a transposed operand is just other strides). An operand
// whose layout cannot merge is first copied to the canonical order
// [batch, free, contracting]; an epilogue or destination that cannot merge
// makes the fusion fail, and the caller computes the dot alone.
//
// Summation order over k is the jaxpr's contracting order, so float sums are
// the interpreter's bit for bit.

import type { Shape } from "../../ir/dtype.js";
import { isShapePrefix, sizeOf } from "../../ir/dtype.js";
import { type Affine, contiguous, transpose } from "./affine.js";
import type { Block } from "./block.js";
import { InstrBuilder } from "./instrs.js";
import type { DotKernel, Lanes, View } from "./kernel_ir.js";
import type { Lowerer } from "./lower.js";
import { type DotSpec, type Node, composeNode, loadNode, topoOrder } from "./nodes.js";

type Group = "b" | "m" | "n";

interface Layout {
  readonly p: number;
  readonly outShape: Shape;
  /** Output axes (after the lanes) of each group. */
  readonly axes: { readonly [G in Group]: readonly number[] };
  readonly lfree: readonly number[];
  readonly rfree: readonly number[];
}

function layoutOf(spec: DotSpec, outShape: Shape, p: number): Layout {
  const [[lc, rc], [lb, rb]] = spec.dims;
  const lfree = spec.lhsShape.map((_, i) => i).filter((i) => !lc.includes(i) && !lb.includes(i));
  const rfree = spec.rhsShape.map((_, i) => i).filter((i) => !rc.includes(i) && !rb.includes(i));
  const axes: Record<Group, number[]> = { b: [], m: [], n: [] };
  for (let o = p; o < outShape.length; o++) {
    axes[o < lb.length ? "b" : o < lb.length + lfree.length ? "m" : "n"].push(o);
  }
  void rb;
  return { p, outShape, axes, lfree, rfree };
}

/** One stride for the axes (size-1 axes ignored), or null if they are not chained. */
function merge(axes: readonly number[], shape: Shape, strides: readonly number[]): number | null {
  const live = axes.filter((a) => shape[a] !== 1);
  for (let i = 0; i + 1 < live.length; i++) {
    if (strides[live[i]!] !== strides[live[i + 1]!]! * shape[live[i + 1]!]!) return null;
  }
  return live.length ? strides[live[live.length - 1]!]! : 0;
}

/** Strides over the output axes → strides over [lanes…, b, m, n], or null. */
function canon(L: Layout, strides: readonly number[]): number[] | null {
  const out = strides.slice(0, L.p);
  for (const g of ["b", "m", "n"] as const) {
    const s = merge(L.axes[g], L.outShape, strides);
    if (s === null) return null;
    out.push(s);
  }
  return out;
}

/** An operand's strides per output axis (0 where it has no such axis). */
function operandOutStrides(L: Layout, spec: DotSpec, side: "lhs" | "rhs", strides: readonly number[]): number[] {
  const [, [lb, rb]] = spec.dims;
  const nb = lb.length;
  const nl = L.lfree.length;
  return L.outShape.map((_, o) => {
    if (o < nb) return strides[(side === "lhs" ? lb : rb)[o]!]!;
    if (o < nb + nl) return side === "lhs" ? strides[L.lfree[o - nb]!]! : 0;
    return side === "rhs" ? strides[L.rfree[o - nb - nl]!]! : 0;
  });
}

/** Operand view over [lanes…, b, m, n, k], or null when its layout does not merge. */
function operandView(L: Layout, spec: DotSpec, side: "lhs" | "rhs", view: View): View | null {
  const [[lc, rc]] = spec.dims;
  const shape = side === "lhs" ? spec.lhsShape : spec.rhsShape;
  const c = canon(L, operandOutStrides(L, spec, side, view.strides));
  const kAxes = side === "lhs" ? lc : rc;
  const ks = merge(kAxes.map((_, i) => i), kAxes.map((a) => shape[a]!), kAxes.map((a) => view.strides[a]!));
  if (!c || ks === null) return null;
  return { buf: view.buf, offset: view.offset, strides: [...c, ks] };
}

/** Copies an operand into the canonical axis order [batch, free, contracting] so it always merges. */
function canonicalCopy(Lw: Lowerer, b: Block, spec: DotSpec, side: "lhs" | "rhs"): View {
  const [[lc, rc], [lb, rb]] = spec.dims;
  const shape = side === "lhs" ? spec.lhsShape : spec.rhsShape;
  const view = side === "lhs" ? spec.lhs : spec.rhs;
  const free = shape.map((_, i) => i).filter((i) => !(side === "lhs" ? [...lc, ...lb] : [...rc, ...rb]).includes(i));
  const perm = side === "lhs" ? [...lb, ...free, ...lc] : [...rb, ...rc, ...free];
  const permShape = perm.map((a) => shape[a]!);
  const src = loadNode(view, shape, Lw.dtypeOf(view.buf), false);
  const moved = composeNode(src, permShape, (a) => transpose(a, perm), false)!;
  const temp = Lw.newTemp(Lw.dtypeOf(view.buf), permShape, `${side} copy`);
  Lw.storeInto(b, moved, temp, null);
  const cs = contiguous(permShape).strides;
  const strides = new Array<number>(shape.length).fill(0);
  perm.forEach((a, i) => (strides[a] = cs[i]!));
  return { buf: temp.buf, offset: temp.offset, strides };
}

/**
 * A dot kernel computing `dot` with `root` (a DAG over the dot's output that
 * reads it) as epilogue, stored to `dest`; null when the epilogue or the
 * destination layout cannot be expressed (then nothing was emitted).
 */
export function buildDotKernel(Lw: Lowerer, b: Block, dot: Node, root: Node, dest: View, lanes: Lanes | null): DotKernel | null {
  if (dot.op !== "dot") throw new Error("lower: buildDotKernel needs a dot node");
  const spec = dot.spec;
  const L = layoutOf(spec, dot.shape, lanes ? lanes.rank : 0);
  if (sizeOf(root.shape) !== sizeOf(dot.shape) || root.shape.length !== dot.shape.length) return null;
  if (lanes && !isShapePrefix(Lw.laneSets[lanes.set]!.shape, dot.shape)) return null;
  const destStrides = canon(L, dest.strides);
  if (!destStrides) return null;
  // Every leaf of the epilogue must map onto the canonical axes.
  for (const n of topoOrder(root)) {
    if (n === dot) continue;
    const map: Affine | null = n.mat ? n.mat : n.op === "load" || n.op === "index" ? n.map : null;
    if (map && !canon(L, map.strides)) return null;
  }
  const lhs = operandView(L, spec, "lhs", spec.lhs) ?? operandView(L, spec, "lhs", canonicalCopy(Lw, b, spec, "lhs"))!;
  const rhs = operandView(L, spec, "rhs", spec.rhs) ?? operandView(L, spec, "rhs", canonicalCopy(Lw, b, spec, "rhs"))!;
  const token = {};
  const ib = new InstrBuilder(token, (a) => canon(L, a.strides)!, dot);
  const value = ib.add(root);
  const size = (g: Group): number => L.axes[g].reduce((acc, a) => acc * L.outShape[a]!, 1);
  const [[lc]] = spec.dims;
  return {
    kind: "dot",
    id: Lw.kernelId(),
    tag: b.ctx.tag,
    lanes,
    laneShape: dot.shape.slice(0, L.p),
    dtype: dot.dtype,
    b: size("b"),
    m: size("m"),
    n: size("n"),
    k: lc.reduce((acc, a) => acc * spec.lhsShape[a]!, 1),
    lhs,
    rhs,
    instrs: ib.instrs,
    stores: [{ view: { buf: dest.buf, offset: dest.offset, strides: destStrides }, value }],
  };
}
