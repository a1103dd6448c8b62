// Loop and reduce kernels → the body of one wasm function.
//
// The iteration space is a loop nest (axes already coalesced, so contiguous
// data is one flat loop). With lanes, the leading axes are one loop over the
// lane set's active list. Each instr is computed at its level, hoisted out of
// the loops it does not depend on. The innermost axis of a loop kernel runs
// four points at a time in f32x4/i32x4 registers, then a scalar tail; the
// four points' loads all precede their stores, which is safe because a
// kernel reads a buffer it writes only at the element being written (the
// lowering guarantees it; the few shapes where four-at-a-time could still
// differ — two stores into one buffer, a store that does not advance — stay
// scalar).
//
// Reductions visit each output's elements in the jaxpr's order; float sums
// accumulate in f64 and round once, exactly as the interpreter does. When the
// innermost kept axis is the one that runs four points at a time (a sum over
// leading axes, like a bias gradient's sum over the batch), each point keeps
// its own accumulator lane (f64x2 pairs for float sums), so the order and the
// result per output are the scalar ones; otherwise reductions run scalar.

import type { Instr, KernelPlan, LoopKernel, ReduceKernel } from "../../lower/kernel_ir.js";
import type { FunctionBuilder } from "../func.js";
import type { Local } from "../types.js";
import { emitLoad, emitStore } from "./access.js";
import { Groups, type KernelParams, addScaled, countedLoop, laneCoords } from "./groups.js";
import { KernelValues, splatsNeeded } from "./kernel_values.js";
import { FourAccumulators } from "./reduce_vector.js";
import { LANE_LIST_OFFSET } from "./layout.js";
import { BINARY, type HostFns, type OpEnv, type Width, indexAs } from "./values.js";

/** Whether a loop kernel's innermost axis may run four points at a time. */
function vectorizable(k: LoopKernel): boolean {
  const r = k.shape.length;
  const p = k.lanes ? k.lanes.rank : 0;
  if (r <= p || k.shape[r - 1]! < 4) return false;
  const stored = new Set<number>();
  for (const s of k.stores) {
    if (stored.has(s.view.buf) || s.view.strides[r - 1] === 0) return false;
    stored.add(s.view.buf);
  }
  return true;
}

/**
 * Whether a reduction runs four points of its innermost kept axis at a time,
 * the reduced axes inside: four outputs accumulate side by side, each in its
 * own vector lane and in the scalar order. Not argmax (its index bookkeeping
 * stays scalar), nor bool values. It pays when the four points' loads are
 * one vector (contiguous or broadcast along the axis, as in a sum over
 * leading axes) or there is arithmetic to do four at a time; plain loads
 * gathered lane by lane (a sum over the last axis) measured no faster than
 * the scalar loop, and a max slower.
 */
function keptAxisVectorizable(k: ReduceKernel): boolean {
  const p = k.lanes ? k.lanes.rank : 0;
  const axis = k.nKept - 1;
  if (axis < p || k.shape[axis]! < 4 || k.shape.length === k.nKept || k.reducer === "argmax") return false;
  const d = k.instrs[k.value]!.dtype;
  if (d !== "float32" && d !== "int32") return false;
  const gathers = k.instrs.some((ins) => ins.op === "load" && ins.view.strides[axis] !== 0 && ins.view.strides[axis] !== 1);
  const computes = k.instrs.some((ins) => ins.level > axis && ins.op !== "load" && ins.op !== "const");
  return !gathers || computes;
}

export function emitLoopKernel(f: FunctionBuilder, k: LoopKernel | ReduceKernel, plan: KernelPlan & { kind: "loop" | "reduce" }, laneShape: readonly number[], P: KernelParams, host: HostFns): void {
  const shape = k.shape;
  const rank = shape.length;
  const p = k.lanes ? k.lanes.rank : 0;
  const nKept = k.kind === "reduce" ? k.nKept : rank;
  // Nothing to compute when an output axis is empty (an empty reduced axis still stores the identity).
  if (shape.slice(0, nKept).some((d) => d === 0)) return;
  // The axis that runs four points at a time (-1: none): instrs at deeper levels are computed four at a time.
  const vecAxis = k.kind === "loop" ? (vectorizable(k) ? rank - 1 : -1) : keptAxisVectorizable(k) ? nKept - 1 : -1;

  const groups = Groups.fromPlan(plan.access, P.dtypes);
  const groupOf = plan.access.ofInstr;
  const storeGroups = plan.access.ofStore;
  // argmax needs the position along the reduced axis: an iota over it.
  const argIndex = k.kind === "reduce" && k.reducer === "argmax" && rank > nKept ? groups.ofIndex(0, shape.map((_, a) => (a === nKept ? 1 : 0))) : -1;

  const cur: Local[] = groups.bases(f, P);
  const strideOf = (g: number, a: number): number => groups.list[g]!.strides[a]! * groups.list[g]!.unit;

  const leaf = (i: number, ins: Instr, width: Width): void => {
    const g = groupOf[i]!;
    if (ins.op === "load") {
      emitLoad(f, ins.dtype, width, cur[g]!, 0, width === 4 ? strideOf(g, vecAxis) : 0);
      return;
    }
    if (ins.op === "index") {
      f.local.get(cur[g]!);
      if (width === 4) {
        const s = strideOf(g, vecAxis);
        f.i32x4.splat().v128.const("i32x4", [0, s, 2 * s, 3 * s]).i32x4.add();
      }
      indexAs({ f, width, host }, ins.dtype);
      return;
    }
    throw new Error("wasm: a dot accumulator in a loop kernel");
  };
  const values = new KernelValues(f, k.instrs, host, leaf);
  const storedValues = k.kind === "loop" ? k.stores.map((s) => s.value) : [k.value];
  const splats = vecAxis >= 0 ? splatsNeeded(k.instrs, vecAxis + 1, storedValues) : new Set<number>();

  // ---- reduction state -------------------------------------------------------
  const env1: OpEnv = { f, width: 1, host };
  let acc: Local | null = null;
  let bestIdx: Local | null = null;
  const valueDtype = k.kind === "reduce" ? k.instrs[k.value]!.dtype : "float32";
  const floatSum = k.kind === "reduce" && k.reducer === "sum" && valueDtype === "float32";
  if (k.kind === "reduce") {
    acc = f.addLocal(floatSum ? "f64" : valueDtype === "float32" ? "f32" : "i32", "acc");
    if (k.reducer === "argmax") bestIdx = f.addLocal("i32", "best_i");
  }
  // The four outputs of a step along vecAxis (reduce_vector.ts).
  const acc4 = k.kind === "reduce" && vecAxis >= 0 && k.reducer !== "argmax" ? new FourAccumulators(f, k.reducer, valueDtype, plan.kind === "reduce" ? plan.identity : 0, host) : null;
  const startAcc = (width: Width): void => {
    if (k.kind !== "reduce") return;
    if (width === 4) return acc4!.start();
    if (k.reducer === "argmax") {
      f.i32.const(-1).local.set(bestIdx!);
      return;
    }
    const id = plan.kind === "reduce" ? plan.identity : 0;
    if (floatSum) f.f64.const(id);
    else if (valueDtype === "float32") f.f32.const(id);
    else f.i32.const(id);
    f.local.set(acc!);
  };
  const accumulate = (width: Width): void => {
    if (k.kind !== "reduce") return;
    if (width === 4) return acc4!.add(values.local(k.value, 4));
    const v = values.local(k.value, 1);
    switch (k.reducer) {
      case "sum":
        if (floatSum) f.local.get(acc!).local.get(v).f64.promote_f32().f64.add();
        else BINARY.add(env1, acc!, v, valueDtype);
        break;
      case "max":
      case "min":
        BINARY[k.reducer](env1, acc!, v, valueDtype);
        break;
      case "argmax": {
        // The first maximum; a NaN wins and then nothing replaces it (numpy).
        f.local.get(bestIdx!).i32.const(0).i32.lt_s();
        if (valueDtype === "float32") {
          f.local.get(v).local.get(acc!).f32.gt().i32.or();
          f.local.get(v).local.get(v).f32.ne().local.get(acc!).local.get(acc!).f32.eq().i32.and().i32.or();
        } else f.local.get(v).local.get(acc!).i32.gt_s().i32.or();
        f.if();
        f.local.get(v).local.set(acc!);
        if (argIndex >= 0) f.local.get(cur[argIndex]!);
        else f.i32.const(0);
        f.local.set(bestIdx!);
        f.end();
        return;
      }
    }
    f.local.set(acc!);
  };
  const finishAcc = (width: Width): void => {
    if (k.kind !== "reduce") return;
    const g = storeGroups[0]!;
    if (width === 4) return acc4!.finish(k.outDtype, cur[g]!, strideOf(g, vecAxis));
    f.local.get(cur[g]!);
    if (k.reducer === "argmax") f.local.get(bestIdx!);
    else {
      f.local.get(acc!);
      if (floatSum) f.f32.demote_f64();
    }
    const od = k.outDtype;
    if (od === "float32") f.f32.store({ align: 4 });
    else if (od === "int32") f.i32.store({ align: 4 });
    else f.i32.store8();
  };

  const innermost = (width: Width): void => {
    if (k.kind === "reduce") return accumulate(width);
    k.stores.forEach((s, si) => {
      const g = storeGroups[si]!;
      emitStore(f, P.dtypes[s.view.buf]!, width, cur[g]!, 0, width === 4 ? strideOf(g, vecAxis) : 0, values.local(s.value, width));
    });
  };

  /** Pointer locals for axis a: a copy of the current pointer for every group that moves along a. */
  const enterAxis = (a: number): { moved: { g: number; local: Local; step: number }[]; saved: Local[] } => {
    const saved = [...cur];
    const moved: { g: number; local: Local; step: number }[] = [];
    groups.list.forEach((_, g) => {
      const step = strideOf(g, a);
      if (step === 0) return;
      const l = f.addLocal("i32", `g${g}_${a}`);
      f.local.get(cur[g]!).local.set(l);
      cur[g] = l;
      moved.push({ g, local: l, step });
    });
    return { moved, saved };
  };
  const advance = (moved: readonly { local: Local; step: number }[], times: number): void => {
    for (const m of moved) f.local.get(m.local).i32.const(m.step * times).i32.add().local.set(m.local);
  };

  /** Axes d… at `width` (4: four points of vecAxis at a time, which is then outside). */
  const nest = (d: number, width: Width): void => {
    if (d === nKept) startAcc(width);
    if (d === rank) innermost(width);
    else if (d === 0 && p > 0) laneLoop();
    else if (d === vecAxis) vectorAxis(d);
    else {
      const { moved, saved } = enterAxis(d);
      countedLoop(
        f,
        shape[d]!,
        () => {
          values.computeLevel(d + 1, width, splats);
          nest(d + 1, width);
        },
        () => advance(moved, 1),
      );
      cur.splice(0, cur.length, ...saved);
    }
    if (d === nKept) finishAcc(width);
  };

  const vectorAxis = (a: number): void => {
    const n = shape[a]!;
    const nv = Math.floor(n / 4);
    const { moved, saved } = enterAxis(a);
    countedLoop(
      f,
      nv,
      () => {
        values.computeLevel(a + 1, 4);
        nest(a + 1, 4);
      },
      () => advance(moved, 4),
    );
    countedLoop(
      f,
      n - 4 * nv,
      () => {
        values.computeLevel(a + 1, 1);
        nest(a + 1, 1);
      },
      () => advance(moved, 1),
    );
    cur.splice(0, cur.length, ...saved);
  };

  const laneLoop = (): void => {
    const ls = P.lanes!;
    const q = f.addLocal("i32", "q");
    const l = f.addLocal("i32", "lane");
    const cnt = f.addLocal("i32", "count");
    const done = f.block();
    f.local.get(ls).i32.load({ align: 4 }).local.tee(cnt);
    f.i32.eqz().br_if(done);
    f.i32.const(0).local.set(q);
    const top = f.loop();
    f.local.get(ls).local.get(q).i32.const(2).i32.shl().i32.add().i32.load({ offset: LANE_LIST_OFFSET, align: 4 }).local.set(l);
    const coords = laneCoords(f, l, laneShape);
    const saved = [...cur];
    groups.list.forEach((g, j) => {
      const terms = coords.map((coord, a) => ({ coord, scale: g.strides[a]! * g.unit }));
      if (terms.every((t) => t.scale === 0)) return;
      const lj = f.addLocal("i32", `g${j}_l`);
      addScaled(f, cur[j]!, terms, lj);
      cur[j] = lj;
    });
    values.computeLevel(p, 1, splats);
    nest(p, 1);
    cur.splice(0, cur.length, ...saved);
    f.local.get(q).i32.const(1).i32.add().local.tee(q).local.get(cnt).i32.lt_u().br_if(top);
    f.end();
    f.end();
  };

  values.computeLevel(0, 1, splats);
  nest(0, 1);
}
