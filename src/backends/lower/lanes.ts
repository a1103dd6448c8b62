// Active-row analysis: which equations of a batched loop body (or batched cond
// branch) may run over the active rows only. (A row is one element of the
// batched predicate or index; docs/architecture.md, "Words". The kernel IR
// calls a set of rows a lane set.)
//
// Inside a batched `while` with predicate shape P (or a batched `cond` with
// index shape P) a value whose shape starts with P has one block per row.
// Running an equation "restricted" means computing only the blocks of active
// rows; the other blocks of its result are left stale ("partial" value).
// That is correct exactly when every reader of a partial value reads row l
// of it only to produce row l of its own result. So the analysis is a
// backward pass over the region:
//
//   needsFull(v)  — some reader needs every row of v to be valid: a reader
//                   that is not restricted, or a restricted reader that does
//                   not map row l to row l (reads v "any"where), or the
//                   region's caller (a loop output that is read in full).
//   restricted(e) — e's outputs all start with P, none needsFull, and the
//                   primitive's row-locality rule accepts the layout (ir/prims/):
//                   each var operand is read "row"-locally (row l → row l)
//                   or "any"where (then it needsFull).
//
// Region inputs (carries, consts) are always valid on every row that matters,
// so the body is always runnable: in the worst case nothing is restricted and
// the loop computes every row and keeps only the active rows' results
// (compute-all-then-select). When every row-prefixed value of the body is
// restricted — always the case for bodies produced by vmap with carries
// batched at axis 0 — the body is *row-local* and finished rows cost nothing.
//
// Control flow nests: a batched while/cond inside introduces its own row
// shape P' (restricted in the outer sense only if P is a prefix of P'); a
// scalar while, scan, scalar cond or pjit inherits P, with a fixpoint over
// loop carries (a carry read in full inside must be full on entry, and then
// the body must produce it in full). A scan's xs and ys are always full: a
// row of them is another array, whose leading axis is not the row axis.
//
// A region's analysis waits on its nested regions', so the walk runs on a heap
// stack (ir/trampoline.ts), and results are memoized per (jaxpr, rows,
// outputs read in full): a carry fixpoint re-analyses its body, which would
// otherwise re-analyse every loop nested in it (2^depth).

import type { Eqn, Jaxpr } from "../../ir/core.js";
import { type Aval, type Shape, isShapePrefix, isTape } from "../../ir/dtype.js";
import type { Prim } from "../../ir/primitives.js";
import type { ControlPrim } from "../../ir/prims/control.js";
import { rulesOf } from "../../ir/prims/index.js";
import type { RowRead } from "./row_locality.js";
import { type Recursion, recurse, runRecursion } from "../../ir/trampoline.js";


export interface RegionInfo {
  /** Equations whose kernels run over the region's active lanes only. */
  readonly restricted: ReadonlySet<Eqn>;
  /** Per region input: must be valid on every lane. */
  readonly invarNeedsFull: readonly boolean[];
  /** Analysis of nested control flow, per equation (a body may be shared, so this is per call site). */
  readonly subs: ReadonlyMap<Eqn, SubInfo>;
  /** Equations with a lane-prefixed output that could not be restricted (0 = lane-local). */
  readonly unrestrictedLaneEqns: number;
}

export type SubInfo =
  | { readonly kind: "while"; readonly batched: boolean; readonly cond: RegionInfo; readonly body: RegionInfo; readonly carryFull: readonly boolean[] }
  | { readonly kind: "cond"; readonly batched: boolean; readonly branches: readonly RegionInfo[] }
  | { readonly kind: "scan"; readonly body: RegionInfo; readonly carryFull: readonly boolean[]; readonly ysFull: readonly boolean[] }
  | { readonly kind: "pjit"; readonly body: RegionInfo };

/** How a restricted `e` reads each operand. */
export function rowReads(e: Eqn, p: number): RowRead[] {
  return rulesOf(e.prim).rowLocality(e, p);
}

// The custom-derivative calls and checkpoint (ir/prims/ad.ts) run their body: regions like pjit.
// A while_record (ir/prims/tape.ts) is a while whose body also returns residuals.
const CONTROL: ReadonlySet<Prim> = new Set<ControlPrim | "custom_jvp_call" | "custom_vjp_call" | "while_record" | "checkpoint">(["while", "while_record", "cond", "scan", "pjit", "custom_jvp_call", "custom_vjp_call", "checkpoint"]);

class Analysis {
  readonly needsFull = new Set<number>();
  readonly restricted = new Set<Eqn>();
  readonly subs = new Map<Eqn, SubInfo>();
  unrestrictedLaneEqns = 0;

  constructor(readonly lanes: Shape | null) {}

  /** Marks operand i of e as needed in full (or not). */
  need(e: Eqn, full: readonly boolean[]): void {
    e.inputs.forEach((a, i) => {
      if (a.kind === "var" && full[i]) this.needsFull.add(a.id);
    });
  }

  hasLanes(shape: Shape): boolean {
    return this.lanes !== null && this.lanes.length > 0 && isShapePrefix(this.lanes, shape);
  }

  /** A value with a block per row. Never a tape: its type's shape is its slots', the tape itself is one handle for every row. */
  laned(a: Aval): boolean {
    return !isTape(a) && this.hasLanes(a.shape);
  }
}

/**
 * Analyzes `j` as a region whose lanes have shape `lanes` (null: no lanes, as
 * at top level). `outNeedsFull[i]`: the caller reads output i on every lane.
 */
export function analyzeRegion(j: Jaxpr, lanes: Shape | null, outNeedsFull: readonly boolean[]): RegionInfo {
  return runRecursion(analyze(j, lanes, outNeedsFull, new Map()));
}

type Memo = Map<Jaxpr, Map<string, RegionInfo>>;

function* analyze(j: Jaxpr, lanes: Shape | null, outNeedsFull: readonly boolean[], memo: Memo): Recursion<RegionInfo> {
  const key = `${lanes ? lanes.join(",") : "-"}|${outNeedsFull.map((f) => (f ? 1 : 0)).join("")}`;
  let byKey = memo.get(j);
  if (!byKey) memo.set(j, (byKey = new Map()));
  let info = byKey.get(key);
  if (!info) byKey.set(key, (info = yield* analyzeOnce(j, lanes, outNeedsFull, memo)));
  return info;
}

function* analyzeOnce(j: Jaxpr, lanes: Shape | null, outNeedsFull: readonly boolean[], memo: Memo): Recursion<RegionInfo> {
  const an = new Analysis(lanes && lanes.length ? lanes : null);
  j.outvars.forEach((a, i) => {
    if (a.kind === "var" && (outNeedsFull[i] || an.lanes === null)) an.needsFull.add(a.id);
  });
  for (let ei = j.eqns.length - 1; ei >= 0; ei--) {
    const e = j.eqns[ei]!;
    const outFull = e.outputs.map((v) => an.needsFull.has(v.id));
    if (CONTROL.has(e.prim)) {
      yield* analyzeControl(an, e, outFull, memo);
      continue;
    }
    const p = an.lanes?.length ?? 0;
    const laned = an.lanes !== null && e.outputs.every((v) => an.laned(v.aval));
    if (laned && !outFull.some(Boolean)) {
      const reads = rowReads(e, p);
      an.restricted.add(e);
      an.need(e, reads.map((r) => r === "any"));
    } else {
      if (laned) an.unrestrictedLaneEqns++;
      an.need(e, e.inputs.map(() => true));
    }
  }
  return {
    restricted: an.restricted,
    invarNeedsFull: j.invars.map((v) => an.needsFull.has(v.id)),
    subs: an.subs,
    unrestrictedLaneEqns: an.unrestrictedLaneEqns,
  };
}

function* analyzeControl(an: Analysis, e: Eqn, outFull: boolean[], memo: Memo): Recursion<void> {
  const P = an.lanes;
  const region = (sub: Jaxpr, lanes: Shape | null, full: readonly boolean[]): Recursion<RegionInfo> => recurse(analyze(sub, lanes, full, memo));
  const inherit = (sub: Jaxpr, full: readonly boolean[]): Recursion<RegionInfo> => region(sub, P, full);
  switch (e.prim) {
    case "while":
    case "while_record": {
      const { cond_jaxpr, body_jaxpr, cond_nconsts: cn, body_nconsts: bn } = (e as Eqn<"while" | "while_record">).params;
      const nCarry = e.inputs.length - cn - bn;
      const pred = cond_jaxpr.outvars[0]!.aval.shape;
      // A while_record's residuals (body outputs after the carries) are pushed
      // whole, but under a batched predicate only the active rows' values are
      // defined: a row's slots past its own trip count are never used (the
      // replay reads them as 1 there, passes/ad/replay.ts, so a stale value
      // cannot turn a zero cotangent into NaN). So the kernels computing them
      // run on the active rows only, as the carries' do. Under a scalar
      // predicate inside an enclosing batched region they are needed in full
      // (a slot is another array whose rows are not the region's).
      const residual = (i: number): boolean => i >= nCarry;
      if (pred.length > 0) {
        // Its own lanes: body outputs are only copied back on active lanes.
        const cond = yield* region(cond_jaxpr, pred, [false]);
        const body = yield* region(body_jaxpr, pred, body_jaxpr.outvars.map(() => false));
        const carryFull = Array.from({ length: nCarry }, (_, i) => outFull[i]! || cond.invarNeedsFull[cn + i]! || body.invarNeedsFull[bn + i]!);
        an.subs.set(e, { kind: "while", batched: true, cond, body, carryFull });
        const nested = P !== null && isShapePrefix(P, pred) && !outFull.some(Boolean);
        if (!nested && P !== null && e.outputs.some((v) => an.laned(v.aval))) an.unrestrictedLaneEqns++;
        an.need(e, nested ? [...cond.invarNeedsFull.slice(0, cn), ...body.invarNeedsFull.slice(0, bn), ...carryFull] : e.inputs.map(() => true));
        return;
      }
      // Per body output: the carries', then the residuals' (full).
      const carryFull = e.outputs.map((v, i) => outFull[i]! || residual(i) || !an.laned(v.aval));
      let cond: RegionInfo;
      let body: RegionInfo;
      for (;;) {
        body = yield* inherit(body_jaxpr, carryFull);
        cond = yield* inherit(cond_jaxpr, [true]);
        let changed = false;
        for (let i = 0; i < nCarry; i++) {
          if (!carryFull[i] && (body.invarNeedsFull[bn + i] || cond.invarNeedsFull[cn + i])) {
            carryFull[i] = true;
            changed = true;
          }
        }
        if (!changed) break;
      }
      an.subs.set(e, { kind: "while", batched: false, cond, body, carryFull });
      an.need(e, [...cond.invarNeedsFull.slice(0, cn), ...body.invarNeedsFull.slice(0, bn), ...carryFull]);
      return;
    }
    case "cond": {
      const { branches } = e.params;
      const index = e.inputs[0]!.aval.shape;
      const batched = index.length > 0;
      const infos: RegionInfo[] = [];
      for (const b of branches) infos.push(yield* (batched ? region(b, index, b.outvars.map(() => false)) : inherit(b, outFull)));
      an.subs.set(e, { kind: "cond", batched, branches: infos });
      const ops = e.inputs.slice(1).map((_, i) => infos.some((b) => b.invarNeedsFull[i]));
      const nested = !batched || (P !== null && isShapePrefix(P, index) && !outFull.some(Boolean));
      if (!nested && P !== null && e.outputs.some((v) => an.laned(v.aval))) an.unrestrictedLaneEqns++;
      an.need(e, nested ? [!batched, ...ops] : e.inputs.map(() => true));
      return;
    }
    case "scan": {
      const { jaxpr, num_consts: nk, num_carry: nc } = e.params;
      const carryFull = e.outputs.slice(0, nc).map((v, i) => outFull[i]! || !an.laned(v.aval));
      // An x slice / y row is a row of another array: its leading axis is not the lane
      // axis of the array outside (that is axis 0, the scan axis), so xs and ys are full.
      const ysFull = e.outputs.slice(nc).map(() => true);
      let body: RegionInfo;
      for (;;) {
        body = yield* inherit(jaxpr, [...carryFull, ...ysFull]);
        let changed = false;
        for (let i = 0; i < nc; i++) {
          if (!carryFull[i] && body.invarNeedsFull[nk + i]) {
            carryFull[i] = true;
            changed = true;
          }
        }
        if (!changed) break;
      }
      an.subs.set(e, { kind: "scan", body, carryFull, ysFull });
      an.need(e, e.inputs.map((_, i) => (i < nk ? body.invarNeedsFull[i]! : i < nk + nc ? carryFull[i - nk]! : true)));
      return;
    }
    case "pjit":
    case "checkpoint": {
      const body = yield* inherit((e as Eqn<"pjit" | "checkpoint">).params.jaxpr, outFull);
      an.subs.set(e, { kind: "pjit", body });
      an.need(e, body.invarNeedsFull);
      return;
    }
    case "custom_jvp_call":
    case "custom_vjp_call": {
      const body = yield* inherit(e.params.call_jaxpr, outFull);
      an.subs.set(e, { kind: "pjit", body });
      an.need(e, body.invarNeedsFull);
      return;
    }
    default:
      throw new Error(`lanes: ${e.prim} is not control flow`);
  }
}
