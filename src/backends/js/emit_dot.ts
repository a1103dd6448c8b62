// Dot kernels → a register-blocked matmul in JS.
//
// For each (lane, batch) the kernel computes out[m, n] = Σ_k lhs[m, k]·rhs[k, n]
// in 4×4 blocks: 16 accumulators stay in registers while k runs innermost,
// each step loading 4 lhs values (one per row) and 4 rhs values (one per
// column) for 16 multiply-adds, instead of 2 loads per multiply-add. Strides
// are compile-time constants, so a transposed operand is the same code with
// other numbers. Leftover columns use 4×1 blocks, leftover rows 1×1. When the
// lanes are the lhs rows (the vmapped `h @ W` case: rhs shared by every lane,
// no batch axis), active lanes are blocked four at a time as rows.
//
// The sums of a block of rows go to a scratch array (`dacc`, float64, one per
// program), and the epilogue (the elementwise DAG fused after the dot) then
// runs over those rows in one loop, per output element on the rounded sum.
// Its code exists once instead of once per register of the block, which keeps
// the function small: the engine optimizes it sooner and inlines what the
// epilogue calls (Math.tanh…) into one place.
//
// Float sums are accumulated in double in the jaxpr's k order, as the
// interpreter does, so results match bit for bit.

import type { DotKernel, KernelPlan } from "../lower/kernel_ir.js";
import { jsNumber } from "./scalar.js";
import { Params, Writer, instrExpr, offsetGroups } from "./writer.js";

const RB = 4; // rows per block
const CB = 4; // columns per block

/** The scratch array dot kernels write their sums to (float64, allocated once per program). */
export const DOT_SCRATCH = "dacc";

/** ` + x·s` (nothing for s = 0); x is an identifier or a parenthesized expression. */
const mulTerm = (x: string, s: number): string => (s === 0 ? "" : s === 1 ? ` + ${x}` : ` + ${x} * ${jsNumber(s)}`);

/** The kernel's function body and parameters, and the scratch elements it needs. */
export function emitDotKernel(k: DotKernel, plan: KernelPlan & { kind: "dot" }): { params: Params; body: string; scratch: number } {
  const P = new Params();
  const w = new Writer();
  const p = k.lanes ? k.lanes.rank : 0;
  const isInt = k.dtype === "int32";
  const A = P.buf(k.lhs.buf);
  const B = P.buf(k.rhs.buf);
  const { b: sbA, mn: smA, k: skA, lanes: laneA } = plan.lhs;
  const { b: sbB, mn: snB, k: skB, lanes: laneB } = plan.rhs;
  const M = k.m;
  const N = k.n;
  const K = k.k;

  // Epilogue access groups (loads, iotas, stores; strides over [lanes…, b, m, n]).
  const epilogueGroups = offsetGroups(plan.access, P);
  const groups = epilogueGroups.list;
  const instrGroup = epilogueGroups.groupOf;
  const instrBuf = new Map<number, string>();
  k.instrs.forEach((ins, i) => {
    if (ins.op === "load") instrBuf.set(i, P.buf(ins.view.buf));
  });
  const stores = k.stores.map((s, si) => ({ g: epilogueGroups.storeGroups[si]!, buf: P.buf(s.view.buf), value: s.value }));

  w.line(`const A = ${A}, B = ${B};`);
  w.line(`const offA = ${P.offset(k.lhs.offset)}, offB = ${P.offset(k.rhs.offset)};`);
  groups.forEach((g, j) => w.line(`const e${j} = ${g.base};`));

  const fma = (c: string, x: string, y: string): string => (isInt ? `${c} = (${c} + Math.imul(${x}, ${y})) | 0;` : `${c} += ${x} * ${y};`);
  const kLoop = (body: () => void): void => {
    w.open(`for (let kk = 0, pa = 0, pb = rb; kk < ${K}; kk++, pa += ${skA}, pb += ${skB}) {`);
    body();
    w.close();
  };
  const colOff = (c: number): string => (c === 0 || snB === 0 ? "pb" : `pb + ${c * snB}`);
  const at = (o: number): string => (o === 0 ? "j" : `j + ${o}`);

  /** Sums of 4 rows (lhs row starts ra0…ra3) × all columns → dacc[t·N + j]; `colB`: rhs offset of column 0. */
  const block4 = (colB: string): void => {
    // N is static: a loop that would never run is not emitted (a smaller function is optimized sooner).
    w.line("let j = 0;");
    if (N >= CB) {
      w.open(`for (; j + ${CB} <= ${N}; j += ${CB}) {`);
      w.line(`const rb = ${colB}${mulTerm("j", snB)};`);
      const accs: string[] = [];
      for (let r = 0; r < RB; r++) for (let c = 0; c < CB; c++) accs.push(`c${r}${c} = 0`);
      w.line(`let ${accs.join(", ")};`);
      kLoop(() => {
        w.line(`const ${Array.from({ length: RB }, (_, r) => `x${r} = A[ra${r} + pa]`).join(", ")};`);
        w.line(`const ${Array.from({ length: CB }, (_, c) => `w${c} = B[${colOff(c)}]`).join(", ")};`);
        for (let r = 0; r < RB; r++) w.line(Array.from({ length: CB }, (_, c) => fma(`c${r}${c}`, `x${r}`, `w${c}`)).join(" "));
      });
      for (let r = 0; r < RB; r++) w.line(Array.from({ length: CB }, (_, c) => `${DOT_SCRATCH}[${at(r * N + c)}] = c${r}${c};`).join(" "));
      w.close();
    }
    if (N % CB === 0) return;
    w.open(`for (; j < ${N}; j++) {`);
    w.line(`const rb = ${colB}${mulTerm("j", snB)};`);
    w.line(`let ${Array.from({ length: RB }, (_, r) => `c${r} = 0`).join(", ")};`);
    kLoop(() => {
      w.line("const w0 = B[pb];");
      w.line(Array.from({ length: RB }, (_, r) => fma(`c${r}`, `A[ra${r} + pa]`, "w0")).join(" "));
    });
    w.line(Array.from({ length: RB }, (_, r) => `${DOT_SCRATCH}[${at(r * N)}] = c${r};`).join(" "));
    w.close();
  };
  /** Sums of one row (lhs row start ra0) → dacc[j]. */
  const block1 = (colB: string): void => {
    w.open(`for (let j = 0; j < ${N}; j++) {`);
    w.line(`const rb = ${colB}${mulTerm("j", snB)};`);
    w.line("let c0 = 0;");
    kLoop(() => w.line(fma("c0", "A[ra0 + pa]", "B[pb]")));
    w.line(`${DOT_SCRATCH}[j] = c0;`);
    w.close();
  };

  /**
   * The epilogue over the `rows` rows starting at row `i`: `epiRow(r)` declares
   * `e${g}r` (the row's start in every epilogue group) for row expression r.
   */
  const epilogue = (epiRow: (r: string) => void): void => {
    w.open("for (let t = 0; t < rows; t++) {");
    epiRow("i + t");
    w.open(`for (let j = 0, pc = t * ${N}; j < ${N}; j++, pc++) {`);
    const val = (i: number): string => {
      const ins = k.instrs[i]!;
      return ins.op === "const" ? jsNumber(ins.value) : `v${i}`;
    };
    const at = (g: number): string => `e${g}r${mulTerm("j", groups[g]!.strides[p + 2]!)}`;
    k.instrs.forEach((ins, i) => {
      if (ins.op === "const") return;
      const leaf = (): string => {
        if (ins.op === "acc") return isInt ? `${DOT_SCRATCH}[pc]` : `fr(${DOT_SCRATCH}[pc])`;
        const pos = at(instrGroup.get(i)!);
        if (ins.op === "load") return `${instrBuf.get(i)}[${pos}]`;
        return ins.dtype === "float32" ? `fr(${pos})` : `(${pos})`;
      };
      w.line(`const v${i} = ${instrExpr(ins, val, leaf)};`);
    });
    for (const s of stores) w.line(`${s.buf}[${at(s.g)}] = ${val(s.value)};`);
    w.close();
    w.close();
  };

  /**
   * Rows [0, rowCount): the leftover single rows first, then blocks of 4;
   * `lhsRow(t, r)` declares ra{t} for row expression r. (Leftovers first: code
   * that first runs at the very end of a long first call has no type feedback
   * when the engine optimizes the function during that call, and reaching it
   * then would throw the optimized code away.)
   */
  const rowLoop = (rowCount: string, lhsRow: (t: number, r: string) => void, epiRow: (r: string) => void, colB: string): void => {
    w.line(`const rowCount = ${rowCount}, single = rowCount % ${RB};`);
    w.open("for (let i = 0; i < rowCount; ) {");
    w.line("let rows = 1;");
    w.open("if (i >= single) {");
    w.line(`rows = ${RB};`);
    for (let t = 0; t < RB; t++) lhsRow(t, t === 0 ? "i" : `i + ${t}`);
    block4(colB);
    w.between("} else {");
    lhsRow(0, "i");
    block1(colB);
    w.close();
    epilogue(epiRow);
    w.line("i += rows;");
    w.close();
  };

  const laneOffset = (strides: readonly number[]): string => {
    const terms: string[] = [];
    strides.forEach((s, a) => {
      if (s === 0) return;
      const c = p === 1 ? "l" : `c${a}`;
      terms.push(s === 1 ? c : `${c} * ${jsNumber(s)}`);
    });
    return terms.length ? ` + ${terms.join(" + ")}` : "";
  };

  if (plan.rowsAreLanes) {
    // Rows = (active lane, m) pairs, blocked together: B is shared by every lane.
    P.usesLanes = true;
    /** Declares `l${n}` (the lane) and, with M > 1, `m${n}` (the row within it) of row expression r. */
    const laneRow = (n: string, r: string): void => {
      if (M === 1) w.line(`const l${n} = list[${r}];`);
      else w.line(`const q${n} = ((${r}) / ${M}) | 0, l${n} = list[q${n}], m${n} = (${r}) - q${n} * ${M};`);
    };
    const mTerm = (n: string, s: number): string => (M === 1 ? "" : mulTerm(`m${n}`, s));
    const lhsRow = (t: number, r: string): void => {
      laneRow(String(t), r);
      w.line(`const ra${t} = offA${mulTerm(`l${t}`, laneA[0]!)}${mTerm(String(t), smA)};`);
    };
    const epiRow = (r: string): void => {
      laneRow("e", r);
      groups.forEach((g, j) => w.line(`const e${j}r = e${j}${mulTerm("le", g.strides[0]!)}${mTerm("e", g.strides[p + 1]!)};`));
    };
    rowLoop(M === 1 ? "cnt" : `cnt * ${M}`, lhsRow, epiRow, "offB");
    return { params: P, body: w.text(), scratch: RB * N };
  }

  let opened = 0;
  let laneA0 = "";
  let laneB0 = "";
  const laneG = groups.map(() => "");
  if (p > 0) {
    P.usesLanes = true;
    w.open("for (let q = 0; q < cnt; q++) {");
    opened++;
    w.line("const l = list[q];");
    if (p > 1) {
      w.line("let r = l;");
      for (let a = p - 1; a >= 1; a--) w.line(`const c${a} = r % ${k.laneShape[a]}; r = (r - c${a}) / ${k.laneShape[a]};`);
      w.line("const c0 = r;");
    }
    laneA0 = laneOffset(laneA);
    laneB0 = laneOffset(laneB);
    groups.forEach((g, j) => (laneG[j] = laneOffset(g.strides.slice(0, p))));
  }
  // One batch needs no loop (bi is then 0 and its terms vanish).
  const bTerm = (s: number): string => (k.b === 1 ? "" : mulTerm("bi", s));
  if (k.b !== 1) {
    w.open(`for (let bi = 0; bi < ${k.b}; bi++) {`);
    opened++;
  }
  w.line(`const aB = offA${laneA0}${bTerm(sbA)}, bB = offB${laneB0}${bTerm(sbB)};`);
  groups.forEach((g, j) => w.line(`const e${j}b = e${j}${laneG[j]}${bTerm(g.strides[p]!)};`));
  const lhsRow = (t: number, r: string): void => w.line(`const ra${t} = aB${mulTerm(/^\w+$/.test(r) ? r : `(${r})`, smA)};`);
  const epiRow = (r: string): void => groups.forEach((g, j) => w.line(`const e${j}r = e${j}b${mulTerm(`(${r})`, g.strides[p + 1]!)};`));
  rowLoop(String(M), lhsRow, epiRow, "bB");
  while (opened-- > 0) w.close();
  return { params: P, body: w.text(), scratch: RB * N };
}
