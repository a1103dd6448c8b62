// Cleanups on the lowered statements, before buffer planning:
//
// - dead stores: a store into a temp buffer nobody reads is dropped (e.g. a
//   loop-body value whose copy-back was fused into the kernel computing it),
//   then instrs no store needs, then kernels with nothing left to store;
// - axis coalescing: adjacent iteration axes merge when every view in the
//   kernel is chained along them, so contiguous data is one flat loop, and
//   size-1 axes disappear;
// - levels: each instr's loop depth, for hoisting invariants.

import type { BufId, BufferDecl, DotKernel, Instr, Kernel, LaneSetId, LoopKernel, ReduceKernel, Stmt, Store, TapeStmt, View } from "./kernel_ir.js";
import { childBlocks, isKernel, iterationRank, unhandled, withChildBlocks } from "./kernel_ir.js";
import { instrOperands, planLanewise } from "./lanewise.js";
import { type Recursion, recurse, runRecursion } from "../../ir/trampoline.js";

/** Every view a statement reads (its own, not nested blocks'). */
export function viewsRead(s: Stmt): View[] {
  switch (s.kind) {
    case "loop":
    case "reduce":
      return s.instrs.flatMap((i) => (i.op === "load" ? [i.view] : []));
    case "dot":
      return [s.lhs, s.rhs, ...s.instrs.flatMap((i) => (i.op === "load" ? [i.view] : []))];
    case "setsym":
      return s.src ? [s.src] : [];
    case "lanes_index":
      return [s.index];
    case "while":
      return [s.pred];
    case "switch":
      return [s.index];
    case "tape_new":
      return [];
    case "tape_push":
      return [s.handle, s.src];
    case "tape_load":
      return [s.handle, s.index];
    case "tape_reverse":
      return [s.src];
    case "check":
      return [s.pred];
    case "lanes_init":
    case "lanes_combine":
    case "if_lanes":
    case "for":
      return [];
  }
}

/** Every view a statement writes. */
export function viewsWritten(s: Stmt): View[] {
  switch (s.kind) {
    case "loop":
    case "dot":
      return s.stores.map((st) => st.view);
    case "reduce":
      return [s.out];
    case "tape_new":
      return [s.handle];
    case "tape_load":
    case "tape_reverse":
      return [s.dst];
    case "tape_push":
    case "check":
    case "setsym":
    case "lanes_init":
    case "lanes_index":
    case "lanes_combine":
    case "while":
    case "switch":
    case "if_lanes":
    case "for":
      return [];
  }
}

/** Keeps only instrs reachable from `roots`, renumbered; returns the new index of each kept instr. */
function pruneInstrs(instrs: readonly Instr[], roots: readonly number[]): { instrs: Instr[]; remap: Map<number, number> } {
  // Marking with an explicit stack: a kernel's instrs can form a long chain.
  const live = new Set<number>();
  const stack = [...roots];
  while (stack.length) {
    const i = stack.pop()!;
    if (live.has(i)) continue;
    live.add(i);
    for (const j of instrOperands(instrs[i]!)) stack.push(j);
  }
  const remap = new Map<number, number>();
  const out: Instr[] = [];
  instrs.forEach((ins, i) => {
    if (!live.has(i)) return;
    remap.set(i, out.length);
    const r = (j: number): number => remap.get(j)!;
    switch (ins.op) {
      case "unary":
      case "convert":
        out.push({ ...ins, x: r(ins.x) });
        break;
      case "binary":
        out.push({ ...ins, x: r(ins.x), y: r(ins.y) });
        break;
      case "select":
        out.push({ ...ins, which: r(ins.which), cases: ins.cases.map(r) });
        break;
      case "load":
      case "const":
      case "index":
      case "acc":
        out.push(ins);
        break;
      default:
        unhandled(ins, "instr");
    }
  });
  return { instrs: out, remap };
}

function withStores<K extends LoopKernel | DotKernel>(k: K, stores: readonly Store[]): K {
  const { instrs, remap } = pruneInstrs(k.instrs, stores.map((s) => s.value));
  return { ...k, instrs, stores: stores.map((s) => ({ view: s.view, value: remap.get(s.value)! })) };
}

/** Every statement nested in `stmts` (blocks included), parents first. */
function allStmts(stmts: readonly Stmt[]): Stmt[] {
  const out: Stmt[] = [];
  const stack: (readonly Stmt[])[] = [stmts];
  while (stack.length) {
    for (const s of stack.pop()!) {
      out.push(s);
      for (const b of childBlocks(s)) stack.push(b);
    }
  }
  return out;
}

/** What dead-store elimination may drop or shrink. */
type Removable = Kernel | Extract<TapeStmt, { kind: "tape_load" }>;

/**
 * Drops stores into temp buffers nobody reads, then whatever only they
 * needed, to a fixpoint: a dropped store can leave another buffer unread.
 * A worklist of unread buffers with per-buffer read counts, so a long chain
 * of dead kernels costs one visit each rather than one program walk each.
 */
export function eliminateDeadStores(stmts: readonly Stmt[], buffers: readonly BufferDecl[]): Stmt[] {
  const reads = new Map<BufId, number>();
  // Kernels, and tape loads (a slot read into a temp nobody reads may go). Tape
  // pushes and tape_new are effects on the run's tapes: never removed.
  const storers = new Map<BufId, Removable[]>();
  const countReads = (s: Stmt, by: number): void => {
    for (const v of viewsRead(s)) reads.set(v.buf, (reads.get(v.buf) ?? 0) + by);
  };
  for (const s of allStmts(stmts)) {
    countReads(s, 1);
    if (!isKernel(s) && s.kind !== "tape_load") continue;
    for (const v of viewsWritten(s)) {
      const list = storers.get(v.buf) ?? [];
      if (list[list.length - 1] !== s) list.push(s);
      storers.set(v.buf, list);
    }
  }
  const unread = (buf: BufId): boolean => buffers[buf]!.role === "temp" && !reads.get(buf);
  /** The current version of each kernel that changed (null: removed). */
  const replaced = new Map<Stmt, Removable | null>();
  const work = [...storers.keys()].filter(unread);
  while (work.length) {
    const buf = work.pop()!;
    for (const orig of storers.get(buf)!) {
      const cur = replaced.has(orig) ? replaced.get(orig)! : orig;
      if (cur === null) continue;
      let next: Removable | null;
      if (cur.kind === "tape_load") next = unread(cur.dst.buf) ? null : cur;
      else if (cur.kind === "reduce") next = unread(cur.out.buf) ? null : cur;
      else {
        const stores = cur.stores.filter((st) => !unread(st.view.buf));
        next = stores.length === cur.stores.length ? cur : stores.length ? withStores(cur, stores) : null;
      }
      if (next === cur) continue;
      replaced.set(orig, next);
      countReads(cur, -1);
      if (next) countReads(next, 1);
      for (const v of viewsRead(cur)) if (unread(v.buf) && storers.has(v.buf)) work.push(v.buf);
    }
  }
  if (replaced.size === 0) return [...stmts];
  function* rebuild(list: readonly Stmt[]): Recursion<Stmt[]> {
    const out: Stmt[] = [];
    for (const s of list) {
      if (replaced.has(s)) {
        const k = replaced.get(s)!;
        if (k) out.push(k);
        continue;
      }
      const blocks: Stmt[][] = [];
      for (const b of childBlocks(s)) blocks.push(yield* recurse(rebuild(b)));
      out.push(withChildBlocks(s, blocks));
    }
    return out;
  }
  return runRecursion(rebuild(stmts));
}

// ---- coalescing ---------------------------------------------------------------

/** Every stride list of a kernel over its iteration axes (load views, index maps, store views). */
function strideLists(k: LoopKernel | ReduceKernel): (readonly number[])[] {
  const lists: (readonly number[])[] = [];
  for (const i of k.instrs) {
    if (i.op === "load") lists.push(i.view.strides);
    if (i.op === "index") lists.push(i.strides);
  }
  if (k.kind === "loop") for (const s of k.stores) lists.push(s.view.strides);
  return lists;
}

/** Rewrites every stride list with `f` (applied to the list over the full iteration space). */
function mapStrides<K extends LoopKernel | ReduceKernel>(k: K, f: (s: readonly number[]) => number[], fOut?: (s: readonly number[]) => number[]): K {
  const instrs = k.instrs.map((i): Instr => {
    if (i.op === "load") return { ...i, view: { ...i.view, strides: f(i.view.strides) } };
    if (i.op === "index") return { ...i, strides: f(i.strides) };
    return i;
  });
  if (k.kind === "loop") return { ...k, instrs, stores: k.stores.map((s) => ({ ...s, view: { ...s.view, strides: f(s.view.strides) } })) };
  const rk = k as ReduceKernel;
  return { ...rk, instrs, out: { ...rk.out, strides: fOut!(rk.out.strides) } } as unknown as K;
}

/**
 * Drops size-1 axes and merges chained neighbours. Lane axes stay as they are;
 * a reduce kernel never merges a kept axis with a reduced one.
 */
export function coalesce<K extends LoopKernel | ReduceKernel>(k0: K): K {
  let k = k0;
  const p = k.lanes ? k.lanes.rank : 0;
  const nKept = (x: K): number => (x.kind === "reduce" ? (x as ReduceKernel).nKept : x.shape.length);
  // Drop size-1 axes (beyond the lanes).
  for (let a = k.shape.length - 1; a >= p; a--) {
    if (k.shape[a] !== 1) continue;
    const drop = (s: readonly number[]): number[] => s.filter((_, i) => i !== a);
    const kept = nKept(k);
    const isKept = a < kept;
    k = mapStrides(k, drop, (s) => (isKept ? s.filter((_, i) => i !== a) : [...s]));
    k = { ...k, shape: drop(k.shape) };
    if (k.kind === "reduce" && isKept) k = { ...k, nKept: (k as ReduceKernel).nKept - 1 } as K;
  }
  // Merge chained neighbours, innermost first.
  for (let a = k.shape.length - 2; a >= p; a--) {
    const kept = nKept(k);
    if (k.kind === "reduce" && a === kept - 1) continue; // boundary between kept and reduced
    const shape = k.shape;
    const ok =
      strideLists(k).every((s) => s[a] === s[a + 1]! * shape[a + 1]!) &&
      (k.kind !== "reduce" || a >= kept || (k as ReduceKernel).out.strides[a] === (k as ReduceKernel).out.strides[a + 1]! * shape[a + 1]!);
    if (!ok) continue;
    const merge = (s: readonly number[]): number[] => [...s.slice(0, a), s[a + 1]!, ...s.slice(a + 2)];
    const isKept = a < kept;
    k = mapStrides(k, merge, (s) => (isKept ? merge(s) : [...s]));
    k = { ...k, shape: [...shape.slice(0, a), shape[a]! * shape[a + 1]!, ...shape.slice(a + 2)] };
    if (k.kind === "reduce" && isKept) k = { ...k, nKept: (k as ReduceKernel).nKept - 1 } as K;
  }
  return k;
}

// ---- levels -------------------------------------------------------------------

/** Loop depth at which each instr can be computed (lane axes count as one loop). */
function withLevels(k: Kernel): Kernel {
  const rank = iterationRank(k);
  const p = k.lanes ? k.lanes.rank : 0;
  const depthOf = (strides: readonly number[]): number => {
    let lvl = 0;
    strides.forEach((s, a) => {
      if (s !== 0) lvl = Math.max(lvl, a < p ? p : a + 1);
    });
    return lvl;
  };
  const levels: number[] = [];
  const instrs = k.instrs.map((i): Instr => {
    let level: number;
    switch (i.op) {
      case "load":
        level = depthOf(i.view.strides);
        break;
      case "index":
        level = depthOf(i.strides);
        break;
      case "const":
        level = 0;
        break;
      case "acc":
        level = rank;
        break;
      case "unary":
      case "convert":
        level = levels[i.x]!;
        break;
      case "binary":
        level = Math.max(levels[i.x]!, levels[i.y]!);
        break;
      case "select":
        level = i.cases.reduce((l, c) => Math.max(l, levels[c]!), levels[i.which]!);
        break;
    }
    levels.push(level);
    return { ...i, level };
  });
  return { ...k, instrs } as Kernel;
}

/** Numbers kernels, coalesces loop axes, assigns levels, and plans lanewise whiles; `laneRank`: a lane set's rank. */
export function finalizeKernels(stmts: readonly Stmt[], laneRank: (set: LaneSetId) => number): Stmt[] {
  let next = 0;
  // Kernel ids in program order; nested blocks wait on a heap stack (regions nest up to MAX_JAXPR_NESTING deep).
  function* go(list: readonly Stmt[]): Recursion<Stmt[]> {
    const out: Stmt[] = [];
    for (const s of list) {
      switch (s.kind) {
        case "loop":
        case "reduce":
          out.push(withLevels({ ...coalesce(s), id: next++ }));
          break;
        case "dot":
          out.push(withLevels({ ...s, id: next++ }));
          break;
        case "while":
        case "switch":
        case "if_lanes":
        case "for":
        case "setsym":
        case "lanes_init":
        case "lanes_index":
        case "lanes_combine":
        case "tape_new":
        case "tape_push":
        case "tape_load":
        case "tape_reverse":
        case "check": {
          const blocks: Stmt[][] = [];
          for (const b of childBlocks(s)) blocks.push(yield* recurse(go(b)));
          const rebuilt = withChildBlocks(s, blocks);
          // A while's lanewise plan is numbered after its kernels have their levels (a level-0 value is per loop, not per lane).
          out.push(rebuilt.kind === "while" ? { ...rebuilt, lanewise: rebuilt.lanes === null ? null : planLanewise(rebuilt, laneRank(rebuilt.lanes)) } : rebuilt);
          break;
        }
        default:
          unhandled(s, "statement");
      }
    }
    return out;
  }
  return runRecursion(go(stmts));
}
