// The kernel-IR verifier: checks the contracts the emitters rely on but the
// types cannot say (kernel_ir.ts's grammar comment, block.ts, finalize.ts).
// Each violation names the kernel (id and tag) or statement and the rule:
//
//   ids        buffer, symbol and lane-set ids exist; kernel ids are unique
//   ssa        an instr reads only earlier instrs; stores and a reduce's value name an instr
//   level      an instr's level is at least its operands'; a load's or index's is the one its strides give
//   rank       every stride list has one stride per iteration axis (dot operands one more, for k)
//   bounds     every element a view can reach lies in its buffer (symbols range over their setsym/for bounds)
//   self-read  a kernel reads a buffer it writes only at the element it writes (the same view)
//   lanes      a lane set is set up before it is used; a kernel's lane axes are its lane set's shape
//   dtype      loads and stores have their buffer's dtype
//   acc        `acc` only in dot kernels
//   reduce     nKept within the shape; argmax gives int32
//   plan       every kernel has a plan of its kind (kernel_plan.ts)
//   tape       a tape handle is an int32 buffer of one element; a slot (src, dst) is
//              slotSize contiguous elements of the tape's dtype, in bounds;
//              a slot index is one int32 element
//   lanewise   a while has an iteration plan exactly when it qualifies for
//              lane-by-lane execution, and the plan shares only equal values:
//              every instr's value number is a computation of the same op on
//              the same value numbers, computed no later (a cond instr never
//              reads a body value), a register load's is the register's
//              current value, and a register is marked read at entry exactly
//              when the iteration reads the value it starts with (lanewise.ts)
//
// It runs after every lowering in checked mode (`setCheckedLowering`: on in
// the test suite and under the CLI's verification), so a lowering change that
// breaks a contract fails where it happens rather than as a wrong number.

import type { DType, Shape } from "../../ir/dtype.js";
import { viewsEqual } from "./block.js";
import type { BufId, Instr, Kernel, LaneIteration, LaneSetId, LoopKernel, Program, Stmt, SymId, View } from "./kernel_ir.js";
import { childBlocks, unhandled } from "./kernel_ir.js";
import { instrKey, instrOperands, lanewiseKernels } from "./lanewise.js";
import { viewStr } from "./print.js";

export type VerifyRule = "ids" | "ssa" | "level" | "rank" | "bounds" | "self-read" | "lanes" | "dtype" | "acc" | "reduce" | "plan" | "lanewise" | "tape";

export interface Violation {
  readonly rule: VerifyRule;
  /** `k3 (while1.body)` or the statement kind. */
  readonly where: string;
  readonly message: string;
}

let checkedByDefault = false;

/** Verify every lowered program (the test suite and the CLI's verification turn this on; it costs a walk per compile). */
export function setCheckedLowering(on: boolean): void {
  checkedByDefault = on;
}

export function loweringChecked(): boolean {
  return checkedByDefault;
}

/** Throws one error listing every violation, if any. */
export function assertValidProgram(p: Program): void {
  const vs = verifyProgram(p);
  if (vs.length === 0) return;
  const lines = vs.slice(0, 20).map((v) => `  ${v.where} [${v.rule}]: ${v.message}`);
  if (vs.length > 20) lines.push(`  … and ${vs.length - 20} more`);
  throw new Error(`lowering produced an invalid kernel program (a compiler bug; please report it with the program):\n${lines.join("\n")}`);
}

/** Every contract violation in a program (empty when it is well formed). */
export function verifyProgram(p: Program): Violation[] {
  return new Verifier(p).run();
}

interface Range {
  lo: number;
  hi: number;
}

class Verifier {
  private readonly out: Violation[] = [];
  private readonly symRanges: (Range | typeof NEVER_SET)[];
  private readonly lanesReady = new Set<LaneSetId>();
  private readonly kernelIds = new Set<number>();
  /** The statement being checked never runs (inside a loop of zero iterations). */
  private unreachable = false;

  constructor(private readonly p: Program) {
    this.symRanges = symbolRanges(p);
  }

  run(): Violation[] {
    for (const id of [...this.p.inputs, ...this.p.outputs]) this.buffer(id, "program", "an input or output");
    // Program order (cond before body, branches in order), so "set up before use" is textual order.
    // Each statement with whether it can run: the body of a `for` of count 0 never does, so what it reads is not bounds-checked.
    const stack: (readonly [Stmt, boolean])[] = [];
    const visit = (list: readonly Stmt[], dead: boolean): void => {
      for (let i = list.length - 1; i >= 0; i--) stack.push([list[i]!, dead]);
    };
    visit(this.p.body, false);
    while (stack.length) {
      const [s, dead] = stack.pop()!;
      this.unreachable = dead;
      this.stmt(s);
      // Nested blocks next, in order, before the statement's later siblings.
      visit(childBlocks(s).flat(), dead || (s.kind === "for" && s.count === 0));
    }
    return this.out;
  }

  private fail(rule: VerifyRule, where: string, message: string): void {
    this.out.push({ rule, where, message });
  }

  private buffer(id: BufId, where: string, what: string): boolean {
    if (Number.isInteger(id) && id >= 0 && id < this.p.buffers.length && this.p.buffers[id]!.id === id) return true;
    this.fail("ids", where, `${what} names buffer b${id}, which is not declared`);
    return false;
  }

  private laneSet(id: LaneSetId, where: string, use: boolean): boolean {
    if (!Number.isInteger(id) || id < 0 || id >= this.p.laneSets.length) {
      this.fail("ids", where, `lane set L${id} is not declared`);
      return false;
    }
    if (use && !this.lanesReady.has(id)) this.fail("lanes", where, `lane set L${id} is used before any lanes_init/lanes_index/lanes_combine sets it up`);
    return true;
  }

  /** Checks a view's ids and that every element it reaches over `dims` is in its buffer. */
  private view(v: View, dims: Shape, where: string, what: string): void {
    if (!this.buffer(v.buf, where, what)) return;
    for (const t of v.offset.terms) {
      if (!Number.isInteger(t.sym) || t.sym < 0 || t.sym >= this.p.nsyms) this.fail("ids", where, `${what} ${viewStr(v)} uses symbol s${t.sym}, but the program has ${this.p.nsyms}`);
    }
    if (v.strides.length !== dims.length) {
      this.fail("rank", where, `${what} ${viewStr(v)} has ${v.strides.length} strides for ${dims.length} iteration axes [${dims.join(",")}]`);
      return;
    }
    if (dims.some((d) => d === 0) || this.unreachable) return; // nothing is accessed
    let lo = v.offset.c;
    let hi = v.offset.c;
    for (const t of v.offset.terms) {
      const r = this.symRanges[t.sym] ?? { lo: 0, hi: 0 };
      if (r === NEVER_SET) return; // only a loop that runs zero times sets it: the view is never used
      lo += Math.min(t.coef * r.lo, t.coef * r.hi);
      hi += Math.max(t.coef * r.lo, t.coef * r.hi);
    }
    v.strides.forEach((s, a) => {
      const span = s * (dims[a]! - 1);
      lo += Math.min(0, span);
      hi += Math.max(0, span);
    });
    const size = this.p.buffers[v.buf]!.size;
    if (lo < 0 || hi >= size) this.fail("bounds", where, `${what} ${viewStr(v)} over [${dims.join(",")}] reaches elements ${lo}..${hi} of b${v.buf}, which has ${size}`);
  }

  private stmt(s: Stmt): void {
    switch (s.kind) {
      case "loop":
      case "reduce":
      case "dot":
        this.kernel(s);
        return;
      case "setsym":
        if (s.sym < 0 || s.sym >= this.p.nsyms) this.fail("ids", "setsym", `symbol s${s.sym} is not declared (the program has ${this.p.nsyms})`);
        if (s.src) this.view(s.src, [], "setsym", "the index");
        return;
      case "lanes_init":
        if (s.from !== null) this.laneSet(s.from, "lanes_init", true);
        if (this.laneSet(s.set, "lanes_init", false)) this.lanesReady.add(s.set);
        return;
      case "lanes_index":
        if (s.from !== null) this.laneSet(s.from, "lanes_index", true);
        if (this.laneSet(s.set, "lanes_index", false)) {
          this.view(s.index, this.p.laneSets[s.set]!.shape, "lanes_index", "the index");
          this.lanesReady.add(s.set);
        }
        return;
      case "lanes_combine":
        this.laneSet(s.active, "lanes_combine", true);
        this.laneSet(s.outer, "lanes_combine", true);
        if (this.laneSet(s.set, "lanes_combine", false)) this.lanesReady.add(s.set);
        return;
      case "while": {
        if (s.lanes === null) this.view(s.pred, [], "while", "the predicate");
        else if (this.laneSet(s.lanes, "while", true)) this.view(s.pred, this.p.laneSets[s.lanes]!.shape, "while", "the predicate");
        const ks = s.lanes === null || s.lanes >= this.p.laneSets.length ? null : lanewiseKernels(s, this.p.laneSets[s.lanes]!.shape.length);
        if ((ks === null) !== (s.lanewise === null)) this.fail("lanewise", "while", ks ? "qualifies for lane-by-lane execution but has no iteration plan" : "has an iteration plan but does not qualify for lane-by-lane execution");
        else if (ks && s.lanewise) this.laneIteration(s.lanewise, ks, s.cond.length, s.pred);
        return;
      }
      case "switch":
        this.view(s.index, [], "switch", "the index");
        return;
      case "if_lanes":
        this.laneSet(s.set, "if_lanes", true);
        return;
      case "for":
        if (s.sym < 0 || s.sym >= this.p.nsyms) this.fail("ids", "for", `symbol s${s.sym} is not declared (the program has ${this.p.nsyms})`);
        return;
      case "tape_new":
        this.tapeHandle(s.handle, s.kind);
        this.slotSize(s.slotSize, s.kind);
        return;
      case "tape_push":
        this.tapeHandle(s.handle, s.kind);
        if (this.slotSize(s.slotSize, s.kind)) this.tapeSlot(s.src, s.dtype, s.slotSize, s.kind, "the pushed slot");
        return;
      case "tape_load":
        this.tapeHandle(s.handle, s.kind);
        this.int32Element(s.index, s.kind, "the slot index");
        if (this.slotSize(s.slotSize, s.kind)) this.tapeSlot(s.dst, s.dtype, s.slotSize, s.kind, "the loaded slot");
        return;
      case "check":
        if (this.buffer(s.pred.buf, s.kind, "the predicate") && this.p.buffers[s.pred.buf]!.dtype !== "bool") this.fail("ids", s.kind, `the predicate ${viewStr(s.pred)} is not in a bool buffer`);
        return;
      case "tape_reverse":
        this.tapeHandle(s.src, s.kind);
        this.tapeHandle(s.dst, s.kind);
        this.slotSize(s.slotSize, s.kind);
        return;
      default:
        unhandled(s, "statement");
    }
  }

  private int32Element(v: View, where: string, what: string): void {
    this.view(v, [], where, what);
    if (this.buffer(v.buf, where, what) && this.p.buffers[v.buf]!.dtype !== "int32") this.fail("tape", where, `${what} ${viewStr(v)} is in ${this.p.buffers[v.buf]!.dtype} buffer b${v.buf}, not int32`);
  }

  /** A tape value is an int32 buffer of exactly one element, its handle (kernel_ir.ts, "Tapes"). */
  private tapeHandle(v: View, where: string): void {
    this.int32Element(v, where, "the tape handle");
    if (this.buffer(v.buf, where, "the tape handle") && this.p.buffers[v.buf]!.size !== 1) this.fail("tape", where, `the tape handle's buffer b${v.buf} has ${this.p.buffers[v.buf]!.size} elements, not 1`);
  }

  private slotSize(n: number, where: string): boolean {
    if (Number.isInteger(n) && n >= 0) return true;
    this.fail("tape", where, `slotSize ${n} is not a count of elements`);
    return false;
  }

  private tapeSlot(v: View, dtype: DType, slotSize: number, where: string, what: string): void {
    if (v.strides.length !== 1 || v.strides[0] !== 1) {
      this.fail("tape", where, `${what} ${viewStr(v)} must be contiguous (strides [1]), not [${v.strides.join(",")}]`);
      return;
    }
    this.view(v, [slotSize], where, what);
    if (this.buffer(v.buf, where, what) && this.p.buffers[v.buf]!.dtype !== dtype) this.fail("dtype", where, `${what} ${viewStr(v)} is in ${this.p.buffers[v.buf]!.dtype} buffer b${v.buf}, the tape holds ${dtype}`);
  }

  /** The iteration plan numbers only equal values equally (see `lanewise` above). */
  private laneIteration(plan: LaneIteration, ks: readonly LoopKernel[], nCond: number, pred: View): void {
    const bad = (message: string): void => this.fail("lanewise", "while", message);
    if (plan.nCond !== nCond || plan.valueOf.length !== ks.length || plan.stores.length !== ks.length) return bad(`the plan covers ${plan.valueOf.length} kernels (${plan.nCond} cond), the loop has ${ks.length} (${nCond} cond)`);
    const registers = new Set(plan.registers.map((r) => r.buf));
    const stored = new Set(ks.flatMap((k) => k.stores.map((st) => st.view.buf)));
    if (registers.size !== stored.size || [...stored].some((b) => !registers.has(b))) return bad(`the registers b${[...registers].join(",b")} are not the buffers the loop stores (b${[...stored].join(",b")})`);
    const value = (id: number | undefined) => (id === undefined ? undefined : plan.values[id]);
    const current = new Map<BufId, number>();
    const storedYet = new Set<BufId>();
    const readAtEntry = new Set<BufId>();
    plan.values.forEach((v, id) => {
      if (v.id !== id) bad(`value ${id} says it is value ${v.id}`);
      if (v.kind === "entry") current.set(v.buf, id);
    });
    /** The computation of instr i of kernel ki over value numbers (equal keys: equal values). */
    const keyOf = (ki: number, ins: Instr): string => instrKey(ins, instrOperands(ins).map((a) => plan.valueOf[ki]![a]!));
    const predAfterCond = (): void => {
      const p = value(plan.pred);
      const ok = current.has(pred.buf) ? current.get(pred.buf) === plan.pred : p?.kind === "instr" && p.instr.op === "load" && viewsEqual(p.instr.view, pred);
      if (!ok) bad(`the predicate's value v${plan.pred} is not b${pred.buf}'s after the cond`);
      if (registers.has(pred.buf) && !storedYet.has(pred.buf)) readAtEntry.add(pred.buf);
    };
    ks.forEach((k, ki) => {
      if (ki === nCond) predAfterCond();
      const vn = plan.valueOf[ki]!;
      if (vn.length !== k.instrs.length) return bad(`k${k.id}: ${vn.length} value numbers for ${k.instrs.length} instrs`);
      k.instrs.forEach((ins, i) => {
        const id = vn[i]!;
        const v = value(id);
        const at = `k${k.id} %${i}`;
        if (v === undefined) return bad(`${at} has value v${id}, which does not exist`);
        if (ins.op === "load" && registers.has(ins.view.buf)) {
          if (!storedYet.has(ins.view.buf)) readAtEntry.add(ins.view.buf);
          if (id !== current.get(ins.view.buf)) bad(`${at} loads register b${ins.view.buf} but is numbered v${id}, not its current value`);
          return;
        }
        if (v.kind !== "instr" || v.kernel < 0) return bad(`${at} is numbered v${id}, which no instr of the loop computes`);
        if (v.kernel > ki || (v.kernel === ki && v.index > i)) return bad(`${at} reuses v${id}, computed later (k${ks[v.kernel]?.id} %${v.index})`);
        if (ki < nCond && v.part !== "cond") return bad(`${at} in the cond reuses v${id} of the body`);
        const first = ks[v.kernel]!.instrs[v.index];
        if (first === undefined || plan.valueOf[v.kernel]![v.index] !== id) return bad(`v${id} names k${ks[v.kernel]!.id} %${v.index}, which is not numbered v${id}`);
        if (keyOf(v.kernel, first) !== keyOf(ki, ins)) bad(`${at} reuses v${id} (k${ks[v.kernel]!.id} %${v.index}), a different computation`);
      });
      const st = plan.stores[ki]!;
      if (st.length !== k.stores.length || k.stores.some((s, si) => st[si]!.buf !== s.view.buf || st[si]!.value !== vn[s.value])) bad(`k${k.id}'s stores are not numbered as the kernel stores`);
      for (const s of k.stores) {
        current.set(s.view.buf, vn[s.value]!);
        storedYet.add(s.view.buf);
      }
    });
    if (nCond === ks.length) predAfterCond();
    for (const r of plan.registers) {
      if (r.entryRead !== readAtEntry.has(r.buf)) bad(`register b${r.buf} is marked ${r.entryRead ? "" : "not "}read at entry, but the iteration ${readAtEntry.has(r.buf) ? "reads" : "never reads"} the value it starts with`);
    }
  }

  private kernel(k: Kernel): void {
    const where = `k${k.id} (${k.tag})`;
    if (this.kernelIds.has(k.id)) this.fail("ids", where, `kernel id ${k.id} is used twice`);
    this.kernelIds.add(k.id);
    if (this.p.kernelPlans[k.id]?.kind !== k.kind) this.fail("plan", where, `has no ${k.kind} plan (kernelPlans[${k.id}] is ${this.p.kernelPlans[k.id]?.kind ?? "missing"})`);
    const dims = iterationDims(k);
    if (k.lanes) {
      if (this.laneSet(k.lanes.set, where, true)) {
        const laneShape = this.p.laneSets[k.lanes.set]!.shape;
        const lead = dims.slice(0, k.lanes.rank);
        if (k.lanes.rank !== laneShape.length || lead.some((d, a) => d !== laneShape[a])) {
          this.fail("lanes", where, `the lane axes [${lead.join(",")}] (rank ${k.lanes.rank}) are not lane set L${k.lanes.set}'s shape [${laneShape.join(",")}]`);
        }
      }
    } else if (k.kind === "dot" && k.laneShape.length) this.fail("lanes", where, `a dot with lane shape [${k.laneShape.join(",")}] but no lane set`);
    this.instrs(k, dims, where);
    const stores = kernelStores(k);
    for (const st of stores) {
      this.view(st.view, st.dims, where, "the store to");
      if (st.dtype !== undefined && this.buffer(st.view.buf, where, "a store") && st.dtype !== this.p.buffers[st.view.buf]!.dtype) {
        this.fail("dtype", where, `stores ${st.dtype} into ${this.p.buffers[st.view.buf]!.dtype} buffer b${st.view.buf}`);
      }
    }
    this.selfReads(k, stores, where);
    switch (k.kind) {
      case "loop":
        return;
      case "reduce":
        if (!Number.isInteger(k.nKept) || k.nKept < 0 || k.nKept > k.shape.length) this.fail("reduce", where, `nKept ${k.nKept} outside the shape [${k.shape.join(",")}]`);
        if (k.reducer === "argmax" && k.outDtype !== "int32") this.fail("reduce", where, `argmax gives int32, not ${k.outDtype}`);
        return;
      case "dot": {
        const opDims = [...dims, k.k];
        for (const [side, v] of [["lhs", k.lhs], ["rhs", k.rhs]] as const) {
          this.view(v, opDims, where, `the ${side}`);
          if (this.buffer(v.buf, where, `the ${side}`) && this.p.buffers[v.buf]!.dtype !== k.dtype) this.fail("dtype", where, `the ${side} b${v.buf} is ${this.p.buffers[v.buf]!.dtype}, the dot ${k.dtype}`);
        }
        return;
      }
      default:
        unhandled(k, "kernel");
    }
  }

  private instrs(k: Kernel, dims: Shape, where: string): void {
    const rank = dims.length;
    const p = k.lanes ? k.lanes.rank : 0;
    k.instrs.forEach((ins, i) => {
      const at = `%${i}`;
      for (const a of instrOperands(ins)) {
        if (!Number.isInteger(a) || a < 0 || a >= i) {
          this.fail("ssa", where, `${at} reads %${a}, which is not an earlier instr`);
          return;
        }
        if (k.instrs[a]!.level > ins.level) this.fail("level", where, `${at} has level ${ins.level} but reads %${a} at level ${k.instrs[a]!.level}`);
      }
      if (ins.level < 0 || ins.level > rank) this.fail("level", where, `${at} has level ${ins.level} outside 0..${rank}`);
      switch (ins.op) {
        case "load":
          this.view(ins.view, dims, where, `${at} loads`);
          this.strideLevel(ins, ins.view.strides, p, where, at);
          if (this.buffer(ins.view.buf, where, at) && ins.dtype !== this.p.buffers[ins.view.buf]!.dtype) {
            this.fail("dtype", where, `${at} loads ${ins.dtype} from ${this.p.buffers[ins.view.buf]!.dtype} buffer b${ins.view.buf}`);
          }
          return;
        case "index":
          if (ins.strides.length !== rank) this.fail("rank", where, `${at} index has ${ins.strides.length} strides for ${rank} iteration axes`);
          else this.strideLevel(ins, ins.strides, p, where, at);
          return;
        case "acc":
          if (k.kind !== "dot") this.fail("acc", where, `${at} is acc in a ${k.kind} kernel (only dot kernels have an accumulator)`);
          return;
        case "const":
        case "unary":
        case "binary":
        case "select":
        case "convert":
          return;
        default:
          unhandled(ins, "instr");
      }
    });
  }

  /** A load's or index's level is the loop depth of its innermost moving axis (lane axes count as one loop). */
  private strideLevel(ins: Instr, strides: readonly number[], p: number, where: string, at: string): void {
    let want = 0;
    strides.forEach((s, a) => {
      if (s !== 0) want = Math.max(want, a < p ? p : a + 1);
    });
    if (ins.level !== want) this.fail("level", where, `${at} has level ${ins.level}, but its strides [${strides.join(",")}] give ${want}`);
  }

  private selfReads(k: Kernel, stores: readonly KernelStore[], where: string): void {
    const n = k.instrs.length;
    for (const st of stores) {
      if (!Number.isInteger(st.value) || st.value < 0 || st.value >= n) this.fail("ssa", where, `the store to b${st.view.buf} takes %${st.value}, but the kernel has ${n} instrs`);
    }
    const written = new Map<BufId, View[]>();
    for (const st of stores) written.set(st.view.buf, [...(written.get(st.view.buf) ?? []), st.view]);
    // Loads of one iteration run before its stores, so a loop kernel or a dot
    // epilogue may read the very element it writes. A reduce writes an output
    // element after reading all of its inputs, and a dot reads its operands
    // across k: those reads may not touch a written buffer at all.
    const reads: { what: string; view: View; sameElementOk: boolean }[] = k.instrs.flatMap((ins, i) => (ins.op === "load" ? [{ what: `%${i}`, view: ins.view, sameElementOk: k.kind !== "reduce" }] : []));
    if (k.kind === "dot") reads.push({ what: "the lhs", view: k.lhs, sameElementOk: false }, { what: "the rhs", view: k.rhs, sameElementOk: false });
    for (const r of reads) {
      const views = written.get(r.view.buf);
      if (!views) continue;
      if (!r.sameElementOk || !views.every((w) => viewsEqual(w, r.view))) {
        this.fail("self-read", where, `${r.what} reads ${viewStr(r.view)}, which the kernel writes as ${views.map(viewStr).join(", ")}`);
      }
    }
  }
}

interface KernelStore {
  readonly view: View;
  /** Dims the store's strides range over. */
  readonly dims: Shape;
  readonly value: number;
  /** The stored value's dtype (undefined when the value is not an instr: reported by `ssa`). */
  readonly dtype: Instr["dtype"] | undefined;
}

function kernelStores(k: Kernel): KernelStore[] {
  const dims = iterationDims(k);
  switch (k.kind) {
    case "loop":
    case "dot":
      return k.stores.map((s) => ({ view: s.view, dims, value: s.value, dtype: k.instrs[s.value]?.dtype }));
    case "reduce":
      return [{ view: k.out, dims: dims.slice(0, k.nKept), value: k.value, dtype: k.instrs[k.value] ? k.outDtype : undefined }];
  }
}

/** Sizes of a kernel's iteration axes: its shape, or a dot's [lanes…, b, m, n]. */
function iterationDims(k: Kernel): Shape {
  switch (k.kind) {
    case "loop":
    case "reduce":
      return k.shape;
    case "dot":
      return [...k.laneShape, k.b, k.m, k.n];
  }
}

/** A symbol only a `for` of count 0 sets: code using it never runs. */
const NEVER_SET = "never set";

/** The values each symbol can take: the union of its setsym clamps and for-loop ranges (0 before any is set). */
function symbolRanges(p: Program): (Range | typeof NEVER_SET)[] {
  const ranges: (Range | typeof NEVER_SET | undefined)[] = Array.from({ length: p.nsyms }, () => undefined);
  const widen = (sym: SymId, lo: number, hi: number): void => {
    const r = ranges[sym];
    ranges[sym] = r && r !== NEVER_SET ? { lo: Math.min(r.lo, lo), hi: Math.max(r.hi, hi) } : { lo, hi };
  };
  const stack: (readonly Stmt[])[] = [p.body];
  while (stack.length) {
    for (const s of stack.pop()!) {
      if (s.kind === "setsym") widen(s.sym, s.src ? s.lo : Math.min(Math.max(s.value, s.lo), s.hi), s.src ? s.hi : Math.min(Math.max(s.value, s.lo), s.hi));
      if (s.kind === "for" && s.count > 0) widen(s.sym, 0, s.count - 1);
      else if (s.kind === "for" && ranges[s.sym] === undefined) ranges[s.sym] = NEVER_SET;
      for (const b of childBlocks(s)) stack.push(b);
    }
  }
  return ranges.map((r) => r ?? { lo: 0, hi: 0 });
}
