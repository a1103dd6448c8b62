// Batched while loops whose lanes are independent scalars run lane by lane,
// several lanes interleaved.
//
// A batched `while` (lane set L) qualifies when every statement of its cond
// and body is a loop kernel restricted to L that computes one element per lane
// (iteration shape = the lane shape), and every buffer written inside the loop
// is read and written only at the lane's own element (one view per buffer).
// Then lanes never see each other's loop state, so "iterate all active lanes
// in lockstep, dropping finished ones" equals "run each active lane's loop to
// completion" — with the loop state in JS locals instead of memory: the
// per-pixel loop of a Mandelbrot set in registers, as hand-written JS has it.
// Buffers only read in the loop (consts, inputs) can be read at any element.
//
// One lane's iteration is a chain of dependent float32 operations (each a
// double op plus a Math.fround), so running one lane at a time is bound by
// that chain's latency. Instead the function keeps `S` lanes in flight, each
// in its own slot of locals, and steps every occupied slot once per round:
// the slots' chains are independent, so the CPU overlaps them. A slot whose
// lane finishes writes the lane back and immediately takes the next lane from
// the list (no waiting for the slowest lane of a group); the loop ends when
// every slot is empty.
//
// A slot's step is rotated — body, then the cond of the next iteration — so
// values the cond computes and the body reuses (the Mandelbrot `zr·zr`) are
// computed once per iteration (the while's `lanewise` plan, lower/lanewise.ts,
// numbers them) and carried in slot locals from the cond to the next body.

import type { BufId, Instr, LaneIteration, LaneValue, LoopKernel, Stmt, View } from "../lower/kernel_ir.js";
import { instrOperands as operands, lanewiseKernels as sharedLanewiseKernels } from "../lower/lanewise.js";
import { jsNumber, roundedCompareBound, selectExpr } from "./scalar.js";
import { Params, Writer, instrExpr } from "./writer.js";

type While = Extract<Stmt, { kind: "while" }>;

/** The loop's kernels if it qualifies for lane-by-lane execution, else null. */
export function lanewiseKernels(s: While, laneRank: number): LoopKernel[] | null {
  const ks = sharedLanewiseKernels(s, laneRank);
  const plan = s.lanewise;
  if (ks === null || plan === null) return null;
  // The rotated step reads, in the body, a register's value at the start of the
  // iteration from its local; that local must not have been overwritten by the cond.
  const condWrites = new Set(plan.stores.slice(0, plan.nCond).flatMap((st) => st.map((x) => x.buf)));
  for (const v of plan.usedIn.body) {
    const val = plan.values[v]!;
    if (val.kind === "entry" && condWrites.has(val.buf)) return null;
  }
  return ks;
}

export interface LanewiseOptions {
  /** Report each kernel run as one point per lane-iteration (the lockstep form's count). */
  readonly debug: boolean;
  /** Lanes in flight (default: chosen from the loop's size). */
  readonly slots?: number;
}

/** Lanes in flight: enough to hide a float32 chain's latency, fewer when the loop is big (code size, registers). */
export function defaultSlots(plan: LaneIteration): number {
  const perIteration = plan.values.filter((v) => v.cls === "iter").length;
  return perIteration <= 48 ? 4 : perIteration <= 160 ? 2 : 1;
}

/**
 * The body of a function running the loop lane by lane (its parameters: the
 * buffers, the symbols, and the lane set's active `list` and `cnt`). The caller
 * empties the lane set afterwards.
 */
export function emitLanewiseWhile(s: While, ks: readonly LoopKernel[], laneShape: readonly number[], opts: LanewiseOptions): { params: Params; body: string } {
  const plan = s.lanewise;
  if (plan === null) throw new Error("js: a lanewise while without its iteration plan");
  const S = Math.max(1, Math.floor(opts.slots ?? defaultSlots(plan)));
  const P = new Params();
  const w = new Writer();
  const p = laneShape.length;
  const nCond = plan.nCond;

  // Buffer parameters: the registers', then those the values load.
  const regs = plan.registers;
  const regIndex = new Map(regs.map((r, i) => [r.buf, i]));
  for (const r of regs) P.buf(r.buf);
  for (const v of plan.values) if (v.kind === "instr" && v.instr.op === "load") P.buf(v.instr.view.buf);
  const bufName = (b: BufId): string => P.buf(b);
  const regName = (slot: number, buf: BufId): string => `r${slot * regs.length + regIndex.get(buf)!}`;

  // A register the cond stores is written back (always right after a failed
  // cond) from the cond's value; it needs a local only when an iteration reads
  // its value from the previous one (the predicate never does).
  const condValue = new Map<BufId, number>();
  for (const st of plan.stores.slice(0, nCond)) for (const x of st) condValue.set(x.buf, x.value);
  const usedInBody = new Set(plan.usedIn.body);
  const entryUsed = new Set(plan.registers.flatMap((r) => (r.entryRead ? [r.buf] : [])));
  const hasLocal = (buf: BufId): boolean => entryUsed.has(buf) || !condValue.has(buf);

  // Values computed in the cond and read by the next body live in slot locals.
  const crosses = (v: LaneValue): boolean => v.kind === "instr" && v.cls === "iter" && v.part === "cond" && usedInBody.has(v.id);
  // Loop invariants are computed with the lane-constant values, when a lane
  // enters a slot: code before the loop runs once per call, before the engine
  // has type feedback for it, and would deoptimize the function's optimized code.
  const perLane = (v: LaneValue): boolean => v.kind === "instr" && v.instr.op !== "const" && (v.cls === "lane" || v.cls === "top");
  const nameOf = (id: number, slot: number): string => {
    const v = plan.values[id]!;
    if (v.kind === "entry") return `x${id}`;
    if (v.instr.op === "const") return jsNumber(v.instr.value);
    if (perLane(v)) return `u${slot}_${id}`;
    return crosses(v) ? `w${slot}_${id}` : `v${id}`;
  };
  const bools = booleanValues(plan);
  const folded = foldedRoundings(plan, bools);
  const foldedAway = new Set([...folded.values()].map((f) => f.rounded));
  /** Value `id` as a number (a JS boolean becomes 0/1). */
  const numberOf = (id: number, slot: number): string => (bools.has(id) ? `(${nameOf(id, slot)} ? 1 : 0)` : nameOf(id, slot));

  /** Lane coordinates of lane `l` (declared in the current block when the lane shape has several axes). */
  const coords = (l: string): string[] => {
    if (p === 1) return [l];
    w.line(`let c = ${l};`);
    for (let a = p - 1; a >= 1; a--) w.line(`const c${a} = c % ${laneShape[a]}; c = (c - c${a}) / ${laneShape[a]};`);
    w.line("const c0 = c;");
    return Array.from({ length: p }, (_, a) => `c${a}`);
  };
  const position = (view: View, cs: readonly string[]): string => {
    const terms = view.strides.flatMap((st, a) => (st === 0 ? [] : [st === 1 ? cs[a]! : `${cs[a]!} * ${jsNumber(st)}`]));
    const base = P.offset(view.offset);
    return terms.length ? (base === "0" ? terms.join(" + ") : `${base} + ${terms.join(" + ")}`) : base;
  };

  /** The expression of value `v` (an instr) for slot `slot`; `cs`: the lane's coordinates (per-lane values). */
  const expr = (v: LaneValue & { kind: "instr" }, slot: number, cs: readonly string[]): string => {
    const ins = v.instr;
    const valueOf = (i: number): number => plan.valueOf[v.kernel]![i]!;
    const fold = folded.get(v.id);
    if (fold) {
      // `fround(x op y) cmp c` as `(x op y) cmp2 bound` (scalar.ts roundedCompareBound).
      const r = plan.values[fold.rounded]! as LaneValue & { kind: "instr" };
      const ri = r.instr as Instr & { op: "binary" };
      const operand = (i: number): string => numberOf(plan.valueOf[r.kernel]![i]!, slot);
      return `(${operand(ri.x)} ${ARITH[ri.prim]} ${operand(ri.y)} ${fold.op} ${jsNumber(fold.bound)})`;
    }
    if (bools.has(v.id)) return booleanExpr(ins, (i) => numberOf(valueOf(i), slot), (i) => nameOf(valueOf(i), slot));
    if (ins.op === "select" && ins.whichDtype === "bool") {
      return selectExpr(nameOf(valueOf(ins.which), slot), "bool", ins.cases.map((c) => numberOf(valueOf(c), slot)));
    }
    const leaf = (): string => {
      if (ins.op === "load") return `${bufName(ins.view.buf)}[${position(ins.view, cs)}]`;
      if (ins.op === "index") {
        const terms = ins.strides.flatMap((st, a) => (st === 0 ? [] : [`${cs[a]!} * ${jsNumber(st)}`]));
        const e = [jsNumber(ins.offset), ...terms].join(" + ");
        return ins.dtype === "float32" ? `fr(${e})` : `(${e})`;
      }
      throw new Error("js: a dot accumulator in a loop kernel");
    };
    return instrExpr(ins, (i) => numberOf(valueOf(i), slot), leaf);
  };

  /** Writes slot `slot`'s lane back; runs inside a cond block (the cond's values are in scope). */
  const writeBack = (slot: number): void => {
    w.open("{");
    const cs = coords(`l${slot}`);
    for (const r of regs) {
      const c = condValue.get(r.buf);
      w.line(`${bufName(r.buf)}[${position(r.view, cs)}] = ${c === undefined ? regName(slot, r.buf) : numberOf(c, slot)};`);
    }
    w.close();
  };

  /** One part (cond or body kernels) of an iteration of slot `slot`, in its own block; `after` runs inside it. */
  const part = (which: "cond" | "body", slot: number, after: () => void): void => {
    const [from, to] = which === "cond" ? [0, nCond] : [nCond, ks.length];
    w.open("{");
    // A register's value at the start of the part, named before any of the part's stores.
    for (const id of plan.usedIn[which]) {
      const v = plan.values[id]!;
      if (v.kind === "entry") w.line(`const x${id} = ${regName(slot, v.buf)};`);
    }
    const done = new Set<number>();
    for (let ki = from; ki < to; ki++) {
      if (opts.debug) w.line(`dbg(${ks[ki]!.id}, 1);`);
      for (const id of plan.valueOf[ki]!) {
        const v = plan.values[id]!;
        if (done.has(id) || v.kind !== "instr" || v.cls !== "iter" || v.part !== which || foldedAway.has(id)) continue;
        done.add(id);
        w.line(`${crosses(v) ? "" : "const "}${nameOf(id, slot)} = ${expr(v, slot, [])};`);
      }
      for (const st of plan.stores[ki]!) if (hasLocal(st.buf)) w.line(`${regName(slot, st.buf)} = ${numberOf(st.value, slot)};`);
    }
    after();
    w.close();
  };

  /** Takes lanes from the list into an empty slot until one enters the loop (or the list is exhausted). */
  const refill = (slot: number): void => {
    w.open("while (next < cnt) {");
    w.line(`const l = l${slot} = list[next++];`);
    const cs = coords("l");
    for (const r of regs) if (hasLocal(r.buf)) w.line(`${regName(slot, r.buf)} = ${bufName(r.buf)}[${position(r.view, cs)}];`);
    for (const v of plan.values) if (perLane(v)) w.line(`${nameOf(v.id, slot)} = ${expr(v as LaneValue & { kind: "instr" }, slot, cs)};`);
    part("cond", slot, () => {
      w.open(`if (${nameOf(plan.pred, slot)}) {`);
      w.line(`on${slot} = 1;`);
      w.line("break;");
      w.close();
      writeBack(slot);
    });
    w.close();
  };

  P.usesLanes = true;
  w.line("let next = 0;");
  for (let slot = 0; slot < S; slot++) {
    const locals = [`l${slot} = 0`, `on${slot} = 0`, ...regs.filter((r) => hasLocal(r.buf)).map((r) => `${regName(slot, r.buf)} = 0`)];
    // (Booleans start as `false`, so each local holds one type.)
    for (const v of plan.values) if (perLane(v) || crosses(v)) locals.push(`${nameOf(v.id, slot)} = ${bools.has(v.id) ? "false" : "0"}`);
    w.line(`let ${locals.join(", ")};`);
  }
  // Slots start empty: the first round fills them through the same code that
  // refills them later, so that code has run (and the engine has seen its
  // types) long before the function is optimized; code that ran only once,
  // before any type feedback existed, would make the optimized function bail
  // out on its next call.
  w.open("for (;;) {");
  for (let slot = 0; slot < S; slot++) {
    w.open(`if (on${slot}) {`);
    part("body", slot, () => {});
    part("cond", slot, () => {
      w.open(`if (!${nameOf(plan.pred, slot)}) {`);
      writeBack(slot);
      w.line(`on${slot} = 0;`);
      w.close();
    });
    w.close();
    w.open(`if (on${slot} === 0) {`);
    refill(slot);
    w.close();
  }
  w.line(`if ((${Array.from({ length: S }, (_, slot) => `on${slot}`).join(" | ")}) === 0) break;`);
  w.close();
  return { params: P, body: w.text() };
}

const COMPARE: { readonly [P in string]?: string } = { lt: "<", le: "<=", gt: ">", ge: ">=", eq: "===", ne: "!==" };

/**
 * Bool values kept as JS booleans (`x < 64`, `a && b`) instead of 0/1
 * numbers: comparisons, and `and`/`or`/`not` of such values. The engine then
 * branches on the comparisons directly; a 0/1 number is made only where one is
 * needed (a store, arithmetic).
 */
function booleanValues(plan: LaneIteration): Set<number> {
  const out = new Set<number>();
  for (const v of plan.values) {
    if (v.kind !== "instr") continue;
    const ins = v.instr;
    const arg = (i: number): number => plan.valueOf[v.kernel]![i]!;
    if (ins.op === "binary" && COMPARE[ins.prim]) out.add(v.id);
    else if (ins.op === "binary" && ins.dtype === "bool" && (ins.prim === "and" || ins.prim === "or") && out.has(arg(ins.x)) && out.has(arg(ins.y))) out.add(v.id);
    else if (ins.op === "unary" && ins.dtype === "bool" && ins.prim === "not" && out.has(arg(ins.x))) out.add(v.id);
  }
  return out;
}

/** The JS boolean expression of a value in `booleanValues` (operands as numbers: `num`, as booleans: `bool`). */
function booleanExpr(ins: Instr, num: (i: number) => string, bool: (i: number) => string): string {
  if (ins.op === "binary" && COMPARE[ins.prim]) return `(${num(ins.x)} ${COMPARE[ins.prim]} ${num(ins.y)})`;
  if (ins.op === "binary") return `(${bool(ins.x)} ${ins.prim === "and" ? "&&" : "||"} ${bool(ins.y)})`;
  if (ins.op === "unary") return `!${bool(ins.x)}`;
  throw new Error("js: not a boolean value");
}

const ARITH: { readonly [P in string]?: string } = { add: "+", sub: "-", mul: "*", div: "/" };

/**
 * Comparisons of a rounded float32 sum/difference/product/quotient with a
 * constant, where the rounded value has no other use: they compare the
 * unrounded double with a shifted bound instead, saving a Math.fround
 * (Mandelbrot's `zr² + zi² <= 4`). Keyed by the comparison's value number;
 * `rounded` is the value no longer computed.
 */
function foldedRoundings(plan: LaneIteration, bools: ReadonlySet<number>): Map<number, { readonly rounded: number; readonly op: string; readonly bound: number }> {
  const uses = new Map<number, number>();
  const use = (id: number): void => void uses.set(id, (uses.get(id) ?? 0) + 1);
  for (const v of plan.values) if (v.kind === "instr" && v.kernel >= 0) for (const a of operands(v.instr)) use(plan.valueOf[v.kernel]![a]!);
  for (const st of plan.stores) for (const x of st) use(x.value);
  use(plan.pred);
  const out = new Map<number, { rounded: number; op: string; bound: number }>();
  for (const v of plan.values) {
    if (v.kind !== "instr" || v.kernel < 0 || !bools.has(v.id) || v.instr.op !== "binary" || v.instr.argDtype !== "float32") continue;
    const ins = v.instr;
    const [x, y] = [plan.valueOf[v.kernel]![ins.x]!, plan.valueOf[v.kernel]![ins.y]!];
    const constant = (id: number): number | null => {
      const c = plan.values[id]!;
      return c.kind === "instr" && c.instr.op === "const" ? c.instr.value : null;
    };
    const roundable = (id: number): boolean => {
      const r = plan.values[id]!;
      // (Computed in the same part as the comparison, so its operands are in scope there.)
      return r.kind === "instr" && r.cls === "iter" && r.part === v.part && r.instr.op === "binary" && r.instr.dtype === "float32" && ARITH[r.instr.prim] !== undefined && uses.get(id) === 1;
    };
    const [rounded, c, constFirst] = constant(y) !== null && roundable(x) ? [x, constant(y)!, false] : constant(x) !== null && roundable(y) ? [y, constant(x)!, true] : [null, 0, false];
    if (rounded === null) continue;
    const r = roundedCompareBound(COMPARE[ins.prim] ?? "", c, constFirst);
    if (r) out.set(v.id, { rounded, ...r });
  }
  return out;
}
