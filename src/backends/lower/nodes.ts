// Lazy values of the lowering. Every jaxpr variable is bound to a Node: a
// view of a buffer (`load`), a scalar literal, an affine index (iota), an
// elementwise operation on other nodes, or a pending dot product. Nothing is
// computed when a node is built; a node is computed when something needs it
// in memory ("materialized"), and then a whole DAG of pending elementwise
// nodes becomes one fused loop (or a dot kernel's epilogue). After that the
// node records where it lives (`mat`) and every later reader loads it.
//
// View primitives on a node rebuild its DAG with every leaf's index map
// composed (`composeNode`), so transposes/broadcasts/slices of pending values
// are folded into the loads too.

import type { DType, Shape } from "../../ir/dtype.js";
import type { BinaryPrim, ComparePrim, DotDimensionNumbers, UnaryPrim } from "../../ir/primitives.js";
import type { Affine } from "./affine.js";
import type { BufId, View } from "./kernel_ir.js";

interface NodeBase {
  readonly dtype: DType;
  readonly shape: Shape;
  /** Computed over the active lanes only (the equation was restricted by the lane analysis). */
  readonly restricted: boolean;
  /** Set once materialized: where the node's value lives (a view over `shape`). */
  mat: View | null;
  /**
   * How many nodes computing this one in a kernel takes, leaves included, as
   * of its creation: 1 plus its pending arguments' weights (1 for an argument
   * that is a leaf). Shared nodes count once per path, so this is an upper
   * bound; the lowering materializes a node whose weight exceeds
   * MAX_FUSED_WEIGHT, which keeps every kernel (and the code emitted for it)
   * bounded however long a chain of elementwise operations is.
   */
  readonly weight: number;
  /**
   * How many pending dot products the DAG held at the node's creation,
   * counted like `weight` (shared ones once per path): an upper bound that
   * only falls as dots are materialized, so 0 means certainly none.
   */
  readonly dotBound: number;
}

export interface DotSpec {
  readonly lhs: View;
  readonly rhs: View;
  readonly lhsShape: Shape;
  readonly rhsShape: Shape;
  readonly dims: DotDimensionNumbers;
}

export type Node =
  | (NodeBase & { readonly op: "load"; readonly buf: BufId; readonly map: Affine })
  | (NodeBase & { readonly op: "const"; readonly value: number })
  | (NodeBase & { readonly op: "index"; readonly map: Affine })
  | (NodeBase & { readonly op: "unary"; readonly prim: UnaryPrim; readonly rounding: number; readonly args: readonly [Node] })
  | (NodeBase & { readonly op: "binary"; readonly prim: BinaryPrim | ComparePrim; readonly argDtype: DType; readonly args: readonly [Node, Node] })
  | (NodeBase & { readonly op: "select"; readonly whichDtype: DType; readonly args: readonly Node[] })
  | (NodeBase & { readonly op: "convert"; readonly from: DType; readonly args: readonly [Node] })
  | (NodeBase & { readonly op: "dot"; readonly spec: DotSpec })
  /** dynamic_update_slice: args[0] with args[1] written at `starts` (clamped static/symbolic starts). */
  | (NodeBase & { readonly op: "dus"; readonly starts: readonly WindowStart[]; readonly args: readonly [Node, Node] });

/** A window start on one axis: static `c`, or the run-time symbol `sym` (already clamped). */
export interface WindowStart {
  readonly c: number;
  readonly sym: number | null;
}

export type NodeOp = Node["op"];

type Fields<N> = N extends Node ? Omit<N, "mat" | "weight" | "dotBound"> : never;

/**
 * The largest DAG (in nodes, see `weight`) one kernel computes for one value.
 * Larger ones are split by materializing intermediate results: a fused
 * kernel of tens of thousands of operations would exceed what engines accept
 * in one function (wasm: 50,000 locals, 1,000 parameters) and make every
 * re-indexing of the pending DAG (a transpose of a long chain) quadratic.
 */
export const MAX_FUSED_WEIGHT = 256;

/** A node from a fresh object literal, which becomes the node (not copied: lowering builds one per operation). */
export function mkNode<N extends Fields<Node>>(n: N): Node {
  let weight = 1;
  let dotBound = n.op === "dot" ? 1 : 0;
  const args = (n as { args?: readonly Node[] }).args;
  if (args) {
    for (const a of args) {
      weight += isLeaf(a) ? 1 : a.weight;
      if (!isLeaf(a)) dotBound += a.dotBound;
    }
  }
  return Object.assign(n, { mat: null, weight, dotBound }) as unknown as Node;
}

export function argsOf(n: Node): readonly Node[] {
  return "args" in n ? n.args : [];
}

export function loadNode(view: View, shape: Shape, dtype: DType, restricted: boolean): Node {
  return mkNode({ op: "load", buf: view.buf, map: { offset: view.offset, strides: view.strides }, shape, dtype, restricted });
}

export function constNode(value: number, dtype: DType, shape: Shape = []): Node {
  return mkNode({ op: "const", value, dtype, shape, restricted: false });
}

/** A node that is a view of memory (a load, or already materialized). */
export function viewOf(n: Node): View | null {
  if (n.mat) return n.mat;
  if (n.op === "load") return { buf: n.buf, offset: n.map.offset, strides: n.map.strides };
  return null;
}

/** Leaves need no computation: reading them in several places costs nothing extra. */
export function isLeaf(n: Node): boolean {
  return n.mat !== null || n.op === "load" || n.op === "const" || n.op === "index";
}

/**
 * Every node of the DAG below `root` (materialized nodes are leaves), children
 * first, each child list in order. Iterative: a fused chain can be as long as
 * a program (tens of thousands of nodes) and must not recurse per node.
 */
export function topoOrder(root: Node | readonly Node[]): Node[] {
  const out: Node[] = [];
  const seen = new Set<Node>();
  for (const r of Array.isArray(root) ? root : [root as Node]) {
    postOrder(r, seen, (n) => (n.mat === null ? argsOf(n) : []), (n) => out.push(n));
  }
  return out;
}

/**
 * Depth-first post-order from `root` over `children`, skipping nodes in
 * `seen` (and adding the visited ones): `visit(n)` runs after the visits of
 * n's children, in child order, exactly as the recursive walk would, but
 * with an explicit stack.
 */
export function postOrder(root: Node, seen: { has(n: Node): boolean; add(n: Node): unknown }, children: (n: Node) => readonly Node[], visit: (n: Node) => void): void {
  if (seen.has(root)) return;
  seen.add(root);
  const stack: { node: Node; kids: readonly Node[]; next: number }[] = [{ node: root, kids: children(root), next: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.kids.length) {
      const c = top.kids[top.next++]!;
      if (seen.has(c)) continue;
      seen.add(c);
      stack.push({ node: c, kids: children(c), next: 0 });
    } else {
      stack.pop();
      visit(top.node);
    }
  }
}

/** Pending (unmaterialized) dot nodes in the DAG. */
export function pendingDots(root: Node): Node[] {
  if (isLeaf(root) || root.dotBound === 0) return [];
  return topoOrder(root).filter((n) => n.op === "dot" && n.mat === null);
}

/** Pending dynamic_update_slice nodes in the DAG (each is written by its own kernels). */
export function pendingUpdates(root: Node): Node[] {
  return topoOrder(root).filter((n) => n.op === "dus" && n.mat === null);
}

/**
 * The DAG of `root` over a new index space: every leaf's map is passed through
 * `f` (maps over the old space → maps over the new one). Returns null when `f`
 * fails for some leaf or the DAG holds a pending dot (the caller then
 * materializes `root` first and composes the view of its buffer).
 */
export function composeNode(root: Node, shape: Shape, f: (a: Affine) => Affine | null, restricted: boolean): Node | null {
  const memo = new Map<Node, Node>();
  // Children first, so every argument is rebuilt before the node reading it
  // (a leaf, the common case of a broadcast operand, is its own order).
  for (const n of isLeaf(root) ? [root] : topoOrder(root)) {
    let out: Node | null;
    const base = { dtype: n.dtype, shape, restricted: n === root ? restricted : n.restricted };
    if (n.mat) {
      const m = f(n.mat);
      out = m && mkNode({ op: "load", buf: n.mat.buf, map: m, ...base });
    } else {
      switch (n.op) {
        case "load": {
          const m = f(n.map);
          out = m && mkNode({ op: "load", buf: n.buf, map: m, ...base });
          break;
        }
        case "index": {
          const m = f(n.map);
          out = m && mkNode({ op: "index", map: m, ...base });
          break;
        }
        case "const":
          out = mkNode({ op: "const", value: n.value, ...base });
          break;
        case "dot":
        case "dus":
          // A pending dot or update cannot be re-indexed: the caller materializes first.
          return null;
        default: {
          out = mkNode({ ...n, ...base, args: n.args.map((a) => memo.get(a)!) } as Fields<Node>);
        }
      }
    }
    if (out === null) return null;
    memo.set(n, out);
  }
  return memo.get(root)!;
}
