// Control flow lowers to native statements (docs/ir.md, "Control flow and calls"):
//
//   while  → `while` statement; carries live in their own buffers, each
//            iteration's new values are computed from the old ones and then
//            copied back. A batched predicate bool[P] keeps a lane set: it
//            starts from the enclosing active lanes, drops lanes whose
//            predicate is false (a finished lane never revives), the loop
//            exits when none is left, restricted body kernels visit only
//            active lanes, and the copy-back writes only active lanes (so a
//            finished lane's carry is never touched: no select needed).
//   cond   → `switch` on a scalar index (a literal index inlines its branch);
//            a batched index runs each branch over the lanes that chose it
//            (`lanes_index` + `if_lanes`) and writes only those lanes.
//   scan   → `for` over a symbol t; xs are read as views at row t, ys are
//            written in place at row t.
//   pjit   → inlined.
//   while_record (rules_tape.ts) → `lowerWhile` with a recorder: the tapes
//            are made before the loop and each iteration's residuals pushed
//            before its carries are written back.
//
// Region operands are materialized before entering a region, so no lazy node
// crosses into a body that may run zero times or several times.

import type { Eqn, Jaxpr } from "../../ir/core.js";
import { type Shape, isShapePrefix, isTape } from "../../ir/dtype.js";
import { storageOf } from "./rules_tape.js";
import { rowAt } from "./affine.js";
import { type Block, type Dest, type LaneScope, viewsEqual } from "./block.js";
import type { Lanes, Stmt, View } from "./kernel_ir.js";
import type { RegionInfo, SubInfo } from "./lanes.js";
import { type Recursion, recurse } from "../../ir/trampoline.js";
import { type LowerRule, type Lowerer, type RuleCtx, loadsOf } from "./lower.js";
import { type Node, constNode, loadNode, pendingDots, viewOf } from "./nodes.js";
import { scanParts, whileParts } from "../../ir/loopOperands.js";

type ControlPrim = "while" | "cond" | "scan" | "pjit";

function subOf<K extends SubInfo["kind"]>(sub: SubInfo | undefined, kind: K): Extract<SubInfo, { kind: K }> {
  if (!sub || sub.kind !== kind) throw new Error(`lower: missing lane analysis for ${kind}`);
  return sub as Extract<SubInfo, { kind: K }>;
}

/** Region inputs: materialized, read as plain views. */
function asInputs(L: Lowerer, b: Block, ns: readonly Node[]): Node[] {
  return ns.map((n) => loadNode(L.materialize(b, n), n.shape, n.dtype, false));
}

/** Buffers holding loop carries (a whole destination is used directly), initialized from `inits`. */
function carryBuffers(L: Lowerer, b: Block, inits: readonly Node[], dests: readonly (Dest | null)[]): View[] {
  return inits.map((n, i) => {
    const d = dests[i];
    const v = d && d.whole ? d.view : L.newTemp(n.dtype, n.shape, "carry");
    L.storeInto(b, n, v, L.lanesFor(b, n), true);
    return v;
  });
}

/**
 * Writes the body's new carries into the carry buffers. A new value must not
 * be written before everything that reads the old carry has run, so values
 * are handled in order (dot products first, so elementwise ones stay in the
 * open loop kernel):
 *   - written straight into its carry buffer when no later value reads the old
 *     carry and the value itself reads it only at the element it writes
 *     (in place; a dot never writes a carry its operands read);
 *   - otherwise computed elsewhere and copied back as soon as no later value
 *     reads the old carry (a copy of a value still in registers fuses into the
 *     kernel that computed it).
 */
function copyBack(L: Lowerer, b: Block, body: Jaxpr, nconsts: number, outs: readonly Node[], carries: readonly View[], lanesOf: (i: number) => Lanes | null): void {
  const carryBufs = new Set(carries.map((c) => c.buf));
  // What a value reads: its loads, and the operands of the dot products still pending in it
  // (a dot reads its operands when it is emitted, which may come after a carry is written back).
  const reads = (n: Node): Map<number, View[]> => {
    const loads = new Map(loadsOf(n, null).loads);
    for (const d of pendingDots(n)) {
      if (d.op !== "dot") continue;
      for (const v of [d.spec.lhs, d.spec.rhs]) loads.set(v.buf, [...(loads.get(v.buf) ?? []), v]);
    }
    return loads;
  };
  const withDots = outs.map((n) => pendingDots(n).length > 0);
  const todo = outs
    .map((_, i) => i)
    .filter((i) => {
      const ov = body.outvars[i]!;
      return !(ov.kind === "var" && ov.id === body.invars[nconsts + i]!.id); // unchanged carry
    })
    .sort((x, y) => Number(withDots[y]) - Number(withDots[x]));
  // Whether a value after position t in `todo` still reads a carry buffer.
  // Reads only shrink as values are materialized (a materialized part is
  // then read from its temp), so each carry keeps the positions that read it
  // at the start, and a position found not to read it any more is dropped:
  // linear in the loop's carries, where recomputing every later value's
  // reads at every step was quadratic.
  const readers = new Map<number, { at: number[]; next: number }>();
  todo.forEach((i, t) => {
    for (const buf of reads(outs[i]!).keys()) {
      if (!carryBufs.has(buf)) continue;
      const r = readers.get(buf);
      if (r) r.at.push(t);
      else readers.set(buf, { at: [t], next: 0 });
    }
  });
  const readLater = (buf: number, t: number): boolean => {
    const r = readers.get(buf);
    if (!r) return false;
    while (r.next < r.at.length && (r.at[r.next]! <= t || !reads(outs[todo[r.at[r.next]!]!]!).has(buf))) r.next++;
    return r.next < r.at.length;
  };
  let pending: { i: number; n: Node }[] = [];
  todo.forEach((i, t) => {
    const n = outs[i]!;
    const carry = carries[i]!;
    // The carries still read after this value, judged before anything of this step is stored.
    const stillRead = new Set<number>();
    for (const buf of [carry.buf, ...pending.map((q) => carries[q.i]!.buf)]) if (readLater(buf, t)) stillRead.add(buf);
    const v = viewOf(n);
    const selfReads = reads(n).get(carry.buf) ?? [];
    const dotReadsCarry = pendingDots(n).some((d) => d.op === "dot" && (d.spec.lhs.buf === carry.buf || d.spec.rhs.buf === carry.buf));
    if (!v && !stillRead.has(carry.buf) && !dotReadsCarry && selfReads.every((r) => viewsEqual(r, carry))) {
      L.storeInto(b, n, carry, lanesOf(i), true);
    } else if (v && carryBufs.has(v.buf)) {
      const temp = L.newTemp(n.dtype, n.shape, "new carry");
      L.storeInto(b, n, temp, lanesOf(i));
      pending.push({ i, n: loadNode(temp, n.shape, n.dtype, false) });
    } else {
      if (!v) L.materialize(b, n, "new carry");
      pending.push({ i, n });
    }
    const ready = pending.filter((q) => !stillRead.has(carries[q.i]!.buf));
    pending = pending.filter((q) => stillRead.has(carries[q.i]!.buf));
    for (const q of ready) L.storeInto(b, q.n, carries[q.i]!, lanesOf(q.i), true);
  });
  for (const q of pending) L.storeInto(b, q.n, carries[q.i]!, lanesOf(q.i), true);
}

/**
 * The mask nested regions see (andMasks(active, enclosing) on the longer
 * shape): the lane set itself, unless the enclosing mask has more axes.
 */
function nestedMask(L: Lowerer, b: Block, own: LaneScope): { mask: LaneScope; combine: Stmt | null } {
  const outer = b.ctx.mask;
  if (outer && outer.shape.length > own.shape.length && isShapePrefix(own.shape, outer.shape)) {
    const set = L.newLaneSet(outer.shape);
    return { mask: { set, shape: outer.shape }, combine: { kind: "lanes_combine", set, active: own.set, outer: outer.set } };
  }
  return { mask: own, combine: null };
}

/** A region lowered by a control rule (waited on through the trampoline). */
const lowerRegion = (L: Lowerer, b: Block, j: Jaxpr, info: RegionInfo, inputs: readonly Node[], dests: readonly (Dest | null)[]): Recursion<Node[]> =>
  recurse(L.lowerScope(b, j, info, inputs, dests));

/**
 * What a recording while (while_record, rules_tape.ts) adds to the loop: its
 * tapes are made before the loop, and each iteration's residuals (the body's
 * outputs after its carries) are pushed before the carries are written back.
 */
export interface Recorder {
  /** Emits the tape statements before the loop. */
  readonly start: (b: Block) => void;
  /** Pushes the residuals (body outputs after the carries) in the body block. */
  readonly push: (b: Block, residuals: readonly Node[]) => void;
}

/**
 * A while loop (`while`, or `while_record` with a recorder): its operands are
 * `cconsts…, bconsts…, carries…`, the body returns the new carries and then,
 * when recording, the residuals. Returns the carries' nodes.
 */
export function* lowerWhile(ins: readonly Node[], r: RuleCtx<"while" | "while_record">, recorder: Recorder | null): Recursion<Node[]> {
  const { L, b } = r;
  const info = subOf(r.sub, "while");
  const { cond_jaxpr, body_jaxpr, body_nconsts: bn } = r.params;
  const parts = whileParts(ins, r.params);
  const cconsts = asInputs(L, b, parts.condConsts);
  const bconsts = asInputs(L, b, parts.bodyConsts);
  const carries = carryBuffers(L, b, parts.carries, r.dests);
  const carryNodes = carries.map((v, i) => loadNode(v, parts.carries[i]!.shape, parts.carries[i]!.dtype, false));
  const nCarry = carries.length;
  const name = L.regionName(recorder ? "while_record" : "while");
  const predShape = cond_jaxpr.outvars[0]!.aval.shape;
  recorder?.start(b);
  /** The body's new carries written back, after the residuals (if any) are pushed. */
  const finishBody = (bodyBlock: Block, outs: readonly Node[], lanesOf: (i: number) => Lanes | null): void => {
    recorder?.push(bodyBlock, outs.slice(nCarry));
    copyBack(L, bodyBlock, body_jaxpr, bn, outs.slice(0, nCarry), carries, lanesOf);
    L.flush(bodyBlock);
  };

  if (predShape.length > 0) {
    const set = L.newLaneSet(predShape);
    const own: LaneScope = { set, shape: predShape };
    L.emit(b, { kind: "lanes_init", set, from: b.ctx.mask?.set ?? null });
    const { mask, combine } = nestedMask(L, b, own);
    if (combine) L.emit(b, combine);
    const condBlock = L.block({ restrict: own, mask, tag: `${name}.cond` });
    const [pred] = yield* lowerRegion(L, condBlock, cond_jaxpr, info.cond, [...cconsts, ...carryNodes], [null]);
    const predView = L.materializeContiguous(condBlock, pred!, "predicate");
    L.flush(condBlock);
    const bodyBlock = L.block({ restrict: own, mask, tag: `${name}.body` });
    if (combine) bodyBlock.stmts.push(combine);
    const outs = yield* lowerRegion(L, bodyBlock, body_jaxpr, info.body, [...bconsts, ...carryNodes], body_jaxpr.outvars.map(() => null));
    const lanes = L.lanesOf(own);
    finishBody(bodyBlock, outs, () => lanes);
    L.emit(b, { kind: "while", lanes: set, cond: condBlock.stmts, pred: predView, body: bodyBlock.stmts, lanewise: null });
    return carryNodes;
  }

  const condBlock = L.block({ ...b.ctx, tag: `${name}.cond` });
  const [pred] = yield* lowerRegion(L, condBlock, cond_jaxpr, info.cond, [...cconsts, ...carryNodes], [null]);
  const predView = L.materialize(condBlock, pred!, "predicate");
  L.flush(condBlock);
  const bodyBlock = L.block({ ...b.ctx, tag: `${name}.body` });
  const outs = yield* lowerRegion(L, bodyBlock, body_jaxpr, info.body, [...bconsts, ...carryNodes], body_jaxpr.outvars.map(() => null));
  const restrict = b.ctx.restrict;
  const partial = (i: number): Lanes | null =>
    restrict && !info.carryFull[i] && isShapePrefix(restrict.shape, carryNodes[i]!.shape) ? L.lanesOf(restrict) : null;
  finishBody(bodyBlock, outs, partial);
  L.emit(b, { kind: "while", lanes: null, cond: condBlock.stmts, pred: predView, body: bodyBlock.stmts, lanewise: null });
  return carryNodes;
}

const whileRule: LowerRule<"while"> = (ins, r) => lowerWhile(ins, r, null);

function outputBuffers(L: Lowerer, e: Eqn, dests: readonly (Dest | null)[], label: string): View[] {
  return e.outputs.map((v, i) => {
    const d = dests[i];
    const held = storageOf(v.aval);
    return d && d.whole ? d.view : L.newTemp(held.dtype, held.shape, label);
  });
}

const condRule: LowerRule<"cond"> = function* ([index, ...ops], r) {
  const { L, b } = r;
  const info = subOf(r.sub, "cond");
  const { branches } = r.params;
  const last = branches.length - 1;
  if (index!.op === "const" && index!.mat === null && index!.shape.length === 0) {
    const k = Math.min(Math.max(index!.value, 0), last);
    return yield* lowerRegion(L, b, branches[k]!, info.branches[k]!, ops, r.e.outputs.map(() => null));
  }
  const inputs = asInputs(L, b, ops);
  const name = L.regionName("cond");
  const outBufs = outputBuffers(L, r.e, r.dests, "cond output");
  const outNodes = outBufs.map((v, i) => {
    const held = storageOf(r.e.outputs[i]!.aval);
    return loadNode(v, held.shape, held.dtype, false);
  });

  if (index!.shape.length === 0) {
    const idx = L.materialize(b, index!, "index");
    const blocks: Stmt[][] = [];
    for (const [k, br] of branches.entries()) {
      const blk = L.block({ ...b.ctx, tag: `${name}.branch${k}` });
      yield* lowerRegion(L, blk, br, info.branches[k]!, inputs, outBufs.map((view) => ({ view, lanes: null, whole: false })));
      L.flush(blk);
      blocks.push(blk.stmts);
    }
    L.emit(b, { kind: "switch", index: idx, branches: blocks });
    return outNodes;
  }

  const laneShape: Shape = index!.shape;
  // A tape is one stack for the whole loop that records it, not a value per row that each branch could write its rows of.
  if (r.e.outputs.some((v) => isTape(v.aval))) throw new Error("lower: a cond with a batched index cannot return a tape (tapes are not per row)");
  const idx = L.materializeContiguous(b, index!, "index");
  // Lanes outside the enclosing mask take no branch; the interpreter leaves them 0.
  if (b.ctx.mask) outNodes.forEach((n, i) => L.storeInto(b, constNode(0, n.dtype, n.shape), outBufs[i]!, null));
  for (const [k, br] of branches.entries()) {
    const set = L.newLaneSet(laneShape);
    const own: LaneScope = { set, shape: laneShape };
    L.emit(b, { kind: "lanes_index", set, index: idx, branch: k, last, from: b.ctx.mask?.set ?? null });
    const { mask, combine } = nestedMask(L, b, own);
    const blk = L.block({ restrict: own, mask, tag: `${name}.branch${k}` });
    if (combine) blk.stmts.push(combine);
    const lanes = L.lanesOf(own);
    yield* lowerRegion(L, blk, br, info.branches[k]!, inputs, outBufs.map((view) => ({ view, lanes, whole: false })));
    L.flush(blk);
    L.emit(b, { kind: "if_lanes", set, body: blk.stmts });
  }
  return outNodes;
};

const scanRule: LowerRule<"scan"> = function* (ins, r) {
  const { L, b } = r;
  const info = subOf(r.sub, "scan");
  const { jaxpr, length, reverse, num_consts: nk, num_carry: nc } = r.params;
  const parts = scanParts(ins, r.params);
  const consts = asInputs(L, b, parts.consts);
  const carries = carryBuffers(L, b, parts.carries, r.dests);
  const carryNodes = carries.map((v, i) => loadNode(v, parts.carries[i]!.shape, parts.carries[i]!.dtype, false));
  const xs = parts.xs.map((n) => L.materialize(b, n, "xs"));
  const yOuts = r.e.outputs.slice(nc);
  const ys = yOuts.map((v, k) => {
    const d = r.dests[nc + k];
    return d && d.whole ? d.view : L.newTemp(v.aval.dtype, v.aval.shape, "ys");
  });
  const t = L.newSym();
  const name = L.regionName("scan");
  const restrict = b.ctx.restrict;
  const bodyBlock = L.block({ ...b.ctx, tag: `${name}.body` });
  const xNodes = xs.map((v, j) => {
    const x = parts.xs[j]!;
    return loadNode({ buf: v.buf, ...rowAt(v, t) }, x.shape.slice(1), x.dtype, false);
  });
  const yDests: Dest[] = ys.map((v, k) => ({
    view: { buf: v.buf, ...rowAt(v, t) },
    lanes: restrict && !info.ysFull[k] ? L.lanesOf(restrict) : null,
    whole: false,
  }));
  const outs = yield* lowerRegion(L, bodyBlock, jaxpr, info.body, [...consts, ...carryNodes, ...xNodes], [...carries.map(() => null), ...yDests]);
  const partial = (i: number): Lanes | null =>
    restrict && !info.carryFull[i] && isShapePrefix(restrict.shape, carryNodes[i]!.shape) ? L.lanesOf(restrict) : null;
  copyBack(L, bodyBlock, jaxpr, nk, outs.slice(0, nc), carries, partial);
  L.flush(bodyBlock);
  L.emit(b, { kind: "for", sym: t, count: length, reverse, body: bodyBlock.stmts });
  return [...carryNodes, ...ys.map((v, k) => loadNode(v, yOuts[k]!.aval.shape, yOuts[k]!.aval.dtype, false))];
};

const pjitRule: LowerRule<"pjit"> = function* (ins, r) {
  const info = subOf(r.sub, "pjit");
  return yield* lowerRegion(r.L, r.b, r.params.jaxpr, info.body, ins, r.e.outputs.map(() => null));
};

export const CONTROL_RULES: { readonly [P in ControlPrim]: LowerRule<P> } = {
  while: whileRule,
  cond: condRule,
  scan: scanRule,
  pjit: pjitRule,
};

/** The custom-derivative calls (ir/prims/ad.ts) run their call_jaxpr, inlined as pjit's body is (lanes.ts analyzes it as a pjit region). */
const customCallRule = <P extends "custom_jvp_call" | "custom_vjp_call">(): LowerRule<P> =>
  function* (ins, r) {
    const info = subOf(r.sub, "pjit");
    return yield* lowerRegion(r.L, r.b, r.params.call_jaxpr, info.body, ins, r.e.outputs.map(() => null));
  };

export const CUSTOM_CALL_LOWER_RULES: { readonly [P in "custom_jvp_call" | "custom_vjp_call" | "checkpoint"]: LowerRule<P> } = {
  custom_jvp_call: customCallRule<"custom_jvp_call">(),
  custom_vjp_call: customCallRule<"custom_vjp_call">(),
  // A checkpoint only changes how reverse mode splits its body; run, it is a call inlined like pjit's.
  checkpoint: function* (ins, r) {
    const info = subOf(r.sub, "pjit");
    return yield* lowerRegion(r.L, r.b, r.params.jaxpr, info.body, ins, r.e.outputs.map(() => null));
  },
};
