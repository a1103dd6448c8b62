// Batched while loops whose lanes are independent scalars, four lanes at a
// time in SIMD registers.
//
// A batched `while` (lane set L) qualifies when every statement of its cond
// and body is a loop kernel restricted to L computing one element per lane,
// and every buffer written in the loop is accessed through one view (so a
// lane reads and writes only its own element of it). Then lanes cannot see
// each other's loop state and "iterate all active lanes in lockstep, dropping
// finished ones" equals "run each lane to completion" (the JS emitter does
// the latter lane by lane).
//
// Here four lanes share the loop (a group of four slots; the code supports
// several interleaved groups): each written buffer is a v128 register per
// group holding four lanes' values (slot s = SIMD lane s), values that depend
// only on the lane (its pixel's coordinates, say) are computed once when a
// lane enters a slot, and the cond/body kernels run on all slots at once.
// After the cond, slots whose predicate is false are finished: their
// registers are written back to memory, and the slot is refilled with the
// next active lane from the list (or left empty), and the cond runs again
// for the new lanes before the body — so the body only ever runs on slots
// whose predicate holds, and no work is spent on finished lanes beyond the
// empty slots of the last group. The loop ends when all slots are empty.
//
// Only registers that are read after the loop are written back, and only
// registers read before they are written in an iteration (or written back
// without being set by the cond) are loaded when a lane enters a slot. The
// same computation appearing in the cond and the body (zr·zr, say) is done
// once per iteration: the while's iteration plan (lower/lanewise.ts) numbers
// the values, and each number is computed once.

import type { BufId, Instr, LaneIteration, LoopKernel, Stmt, View } from "../../lower/kernel_ir.js";
import { viewsEqual } from "../../lower/block.js";
import type { FunctionBuilder } from "../func.js";
import type { Local } from "../types.js";
import { ELEM_BYTES } from "./access.js";
import { type KernelParams, addScaled, emitAddress, laneCoords } from "./groups.js";
import { KernelValues } from "./kernel_values.js";
import { instrOperands as operands, lanewiseKernels as sharedLanewiseKernels } from "../../lower/lanewise.js";
import { LANE_LIST_OFFSET } from "./layout.js";
import { type HostFns, type Width, indexAs } from "./values.js";

type While = Extract<Stmt, { kind: "while" }>;


/** The loop's kernels if it qualifies for lane-wise execution (and its predicate is computed in the loop), else null. */
export function lanewiseKernels(s: While, laneRank: number): LoopKernel[] | null {
  const ks = sharedLanewiseKernels(s, laneRank);
  return ks && s.lanewise && ks.some((k) => k.stores.some((st) => st.view.buf === s.pred.buf)) ? ks : null;
}

type Role = "hoisted" | "perLane" | "variant";

/**
 * Groups of four slots, run interleaved. One group is enough: measured on the
 * Mandelbrot loop, two groups (eight slots) are no faster — the loop is bound
 * by the refills (one unpredictable branch per finished lane), not by the
 * latency of one group's iteration.
 */
const GROUPS = 1;
/**
 * The body of a function running the loop four lanes per group at a time
 * (normalized kernels: buffers are parameters; `plan` is the while's
 * iteration plan, whose registers are these kernels' in the same order).
 * The first `plan.nCond` kernels form the cond; `pred` is the predicate's view.
 */
export function emitLanewiseWhile(
  f: FunctionBuilder,
  ks: readonly LoopKernel[],
  plan: LaneIteration,
  pred: View,
  laneShape: readonly number[],
  P: KernelParams,
  host: HostFns,
  /** Buffer parameters read after the loop (their registers are written back when a lane finishes). */
  liveAfter: ReadonlySet<number>,
): void {
  const ls = P.lanes!;
  const nCond = plan.nCond;
  const groups = Array.from({ length: GROUPS }, (_, g) => g);
  // Registers: per written buffer, one v128 per group.
  const regs = new Map<BufId, { locals: Local[]; view: View }>();
  for (const k of ks) {
    for (const st of k.stores) {
      if (!regs.has(st.view.buf)) regs.set(st.view.buf, { locals: groups.map((g) => f.addLocal("v128", `r${regs.size}_${g}`)), view: st.view });
    }
  }
  const dtypeOf = (b: BufId) => P.dtypes[b]!;
  if (regs.size !== plan.registers.length) throw new Error("wasm: a lanewise while whose plan does not list its registers");
  // Registers whose value at the start of an iteration is read (the plan's registers are in the same first-store order).
  const readFirst = new Set([...regs.keys()].filter((_, r) => plan.registers[r]!.entryRead));
  const condWrites = new Set(ks.slice(0, nCond).flatMap((k) => k.stores.map((st) => st.view.buf)));
  const writesBack = (b: BufId): boolean => liveAfter.has(b);
  // A written-back register the cond does not set may be written back before anything sets it: load it too.
  const loadsAtFill = (b: BufId): boolean => readFirst.has(b) || (writesBack(b) && !condWrites.has(b));

  // Distinct views read or written → base address locals (buffer + offset), computed once.
  const views: View[] = [];
  const viewIndex = (v: View): number => {
    let i = views.findIndex((x) => viewsEqual(x, v));
    if (i < 0) i = views.push(v) - 1;
    return i;
  };
  for (const r of regs.values()) viewIndex(r.view);
  for (const k of ks) for (const ins of k.instrs) if (ins.op === "load") viewIndex(ins.view);
  const bases = views.map((v, j) => {
    const l = f.addLocal("i32", `vb${j}`);
    emitAddress(f, P.bufs[v.buf]!, v.offset, ELEM_BYTES[dtypeOf(v.buf)], P.syms);
    f.local.set(l);
    return l;
  });

  // Lane coordinates of the lane being filled / written back.
  const lane = f.addLocal("i32", "lane");
  let coords: Local[] = [];
  const addr = f.addLocal("i32", "addr");
  /** addr = base of view + the current lane's coordinates · strides. */
  const laneAddress = (v: View): void => {
    const unit = ELEM_BYTES[dtypeOf(v.buf)];
    addScaled(f, bases[viewIndex(v)]!, coords.map((coord, a) => ({ coord, scale: v.strides[a]! * unit })), addr);
  };

  // Per kernel: instr roles; per group and kernel: values.
  const roles: Role[][] = ks.map((k) =>
    k.instrs.reduce<Role[]>((acc, ins, i) => {
      if (ins.level === 0) acc[i] = "hoisted";
      else if (ins.op === "load") acc[i] = regs.has(ins.view.buf) ? "variant" : "perLane";
      else if (ins.op === "index") acc[i] = "perLane";
      else acc[i] = operands(ins).every((j) => acc[j] !== "variant") ? "perLane" : "variant";
      return acc;
    }, []),
  );
  const values = groups.map((g) =>
    ks.map((k, ki) => {
      const leaf = (i: number, ins: Instr, width: Width): void => {
        if (ins.op === "load") {
          const reg = regs.get(ins.view.buf);
          if (width === 4) {
            if (!reg) throw new Error("wasm: a lane-invariant load computed per iteration");
            f.local.get(reg.locals[g]!);
            return;
          }
          if (roles[ki]![i] === "hoisted") f.local.get(bases[viewIndex(ins.view)]!);
          else {
            laneAddress(ins.view);
            f.local.get(addr);
          }
          scalarLoad(f, ins.dtype);
          return;
        }
        if (ins.op === "index") {
          f.i32.const(ins.offset);
          if (roles[ki]![i] !== "hoisted") coords.forEach((c, a) => ins.strides[a] && f.local.get(c).i32.const(ins.strides[a]!).i32.mul().i32.add());
          if (width === 4) f.i32x4.splat();
          indexAs({ f, width, host }, ins.dtype);
          return;
        }
        throw new Error("wasm: a dot accumulator in a loop kernel");
      };
      return new KernelValues(f, k.instrs, host, leaf);
    }),
  );

  // Hoisted values (and their splats, read by vector code), once; every group reads the same locals.
  ks.forEach((k, ki) => {
    const need = new Set<number>();
    k.instrs.forEach((ins, i) => {
      if (roles[ki]![i] === "hoisted") return;
      if (roles[ki]![i] === "variant") for (const j of operands(ins)) if (roles[ki]![j] === "hoisted") need.add(j);
    });
    for (const st of k.stores) if (roles[ki]![st.value] === "hoisted") need.add(st.value);
    values[0]![ki]!.computeLevel(0, 1, need);
    k.instrs.forEach((_, i) => {
      if (roles[ki]![i] !== "hoisted") return;
      for (const g of groups.slice(1)) {
        values[g]![ki]!.alias(i, 1, values[0]![ki]!.local(i, 1));
        if (need.has(i)) values[g]![ki]!.alias(i, 4, values[0]![ki]!.local(i, 4));
      }
    });
  });
  // Per-lane values: a vector local per group (lane s of group g = slot s of g).
  const perLaneVec = groups.map((g) => ks.map((k, ki) => k.instrs.map((_, i) => (roles[ki]![i] === "perLane" ? f.addLocal("v128", `u${g}_${ki}_${i}`) : null))));
  // Variant instrs read per-lane operands at width 4: point the values' width-4 locals at the vectors.
  for (const g of groups) ks.forEach((k, ki) => k.instrs.forEach((_, i) => perLaneVec[g]![ki]![i] && values[g]![ki]!.alias(i, 4, perLaneVec[g]![ki]![i]!)));

  const slotLane = groups.map((g) => Array.from({ length: 4 }, (_, s) => f.addLocal("i32", `slot${g}_${s}`)));
  const active = groups.map((g) => f.addLocal("v128", `active${g}`));
  const bits = f.addLocal("i32", "bits");
  const next = f.addLocal("i32", "next");
  const cnt = f.addLocal("i32", "count");

  /** Scalar value (pushed by `scalar`) → lane s of the vector local `vec` (bools become mask lanes). */
  const insert = (vec: Local, dtype: string, s: number, scalar: () => void): void => {
    f.local.get(vec);
    if (dtype === "bool") f.i32.const(0);
    scalar();
    if (dtype === "bool") f.i32.sub();
    if (dtype === "float32") f.f32x4.replace_lane(s);
    else f.i32x4.replace_lane(s);
    f.local.set(vec);
  };

  /** Slot s of group g takes the next active lane (registers loaded, per-lane values computed), or becomes empty. */
  const fill = (g: number, s: number): void => {
    f.local.get(next).local.get(cnt).i32.lt_u();
    f.if();
    f.local.get(ls).local.get(next).i32.const(2).i32.shl().i32.add().i32.load({ offset: LANE_LIST_OFFSET, align: 4 }).local.tee(lane).local.set(slotLane[g]![s]!);
    f.local.get(next).i32.const(1).i32.add().local.set(next);
    coords = laneCoords(f, lane, laneShape);
    for (const [buf, r] of regs) {
      if (!loadsAtFill(buf)) continue;
      insert(r.locals[g]!, dtypeOf(buf), s, () => {
        laneAddress(r.view);
        f.local.get(addr);
        scalarLoad(f, dtypeOf(buf));
      });
    }
    ks.forEach((k, ki) =>
      k.instrs.forEach((ins, i) => {
        const vec = perLaneVec[g]![ki]![i];
        if (!vec) return;
        values[g]![ki]!.compute(i, 1);
        insert(vec, ins.dtype, s, () => values[g]![ki]!.push(i, 1));
      }),
    );
    f.local.get(active[g]!).i32.const(-1).i32x4.replace_lane(s).local.set(active[g]!);
    f.else();
    f.local.get(active[g]!).i32.const(0).i32x4.replace_lane(s).local.set(active[g]!);
    f.end();
  };

  /** The finished lane in slot s of group g: its live registers back to memory. */
  const writeBack = (g: number, s: number): void => {
    if (![...regs.keys()].some(writesBack)) return;
    f.local.get(slotLane[g]![s]!).local.set(lane);
    coords = laneCoords(f, lane, laneShape);
    for (const [buf, r] of regs) {
      if (!writesBack(buf)) continue;
      const d = dtypeOf(buf);
      laneAddress(r.view);
      f.local.get(addr).local.get(r.locals[g]!);
      if (d === "float32") f.f32x4.extract_lane(s).f32.store({ align: 4 });
      else if (d === "int32") f.i32x4.extract_lane(s).i32.store({ align: 4 });
      else f.i32x4.extract_lane(s).i32.const(1).i32.and().i32.store8();
    }
  };

  // One iteration, per group: each of the plan's value numbers a variant instr has is computed
  // once; a register read after this iteration stored it is the register itself, one read
  // before is its value at the iteration's start, copied once.
  const computed = groups.map(() => new Map<number, Local>());
  const storedYet = groups.map(() => new Set<BufId>());
  const runKernel = (g: number, ki: number): void => {
    const k = ks[ki]!;
    const v = values[g]![ki]!;
    k.instrs.forEach((ins, i) => {
      if (roles[ki]![i] !== "variant") return;
      if (ins.op === "load" && storedYet[g]!.has(ins.view.buf)) {
        v.alias(i, 4, regs.get(ins.view.buf)!.locals[g]!);
        return;
      }
      const id = plan.valueOf[ki]![i]!;
      const hit = computed[g]!.get(id);
      if (hit) v.alias(i, 4, hit);
      else {
        v.compute(i, 4);
        computed[g]!.set(id, v.local(i, 4));
      }
    });
    for (const st of k.stores) {
      f.local.get(v.local(st.value, 4)).local.set(regs.get(st.view.buf)!.locals[g]!);
      storedYet[g]!.add(st.view.buf);
    }
  };
  const anyActive = (): void => {
    f.local.get(active[0]!);
    for (const g of groups.slice(1)) f.local.get(active[g]!).v128.or();
    f.v128.any_true();
  };

  f.local.get(ls).i32.load({ align: 4 }).local.set(cnt);
  f.i32.const(0).local.set(next);
  for (const g of groups) f.v128.const("i32x4", [0, 0, 0, 0]).local.set(active[g]!);
  const exit = f.block();
  for (const g of groups) for (let s = 0; s < 4; s++) fill(g, s);
  anyActive();
  f.i32.eqz().br_if(exit);
  const top = f.loop();
  for (let ki = 0; ki < nCond; ki++) for (const g of groups) runKernel(g, ki);
  // Finished = active and predicate false (bit 4g + s): write back, refill, and evaluate the cond again.
  for (const g of groups) {
    f.local.get(active[g]!).local.get(regs.get(pred.buf)!.locals[g]!).v128.andnot().i32x4.bitmask();
    if (g > 0) f.i32.const(4 * g).i32.shl().i32.or();
  }
  f.local.tee(bits);
  f.if();
  for (const g of groups) {
    for (let s = 0; s < 4; s++) {
      f.local.get(bits).i32.const(1 << (4 * g + s)).i32.and();
      f.if();
      writeBack(g, s);
      fill(g, s);
      f.end();
    }
  }
  anyActive();
  f.i32.eqz().br_if(exit);
  f.br(top);
  f.end();
  for (let ki = nCond; ki < ks.length; ki++) for (const g of groups) runKernel(g, ki);
  f.br(top);
  f.end();
  f.end();
  // Every lane has finished.
  f.local.get(ls).i32.const(0).i32.store({ align: 4 });
}

function scalarLoad(f: FunctionBuilder, dtype: string): void {
  if (dtype === "float32") f.f32.load({ align: 4 });
  else if (dtype === "int32") f.i32.load({ align: 4 });
  else f.i32.load8_u();
}
