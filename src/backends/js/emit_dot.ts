// Dot kernels → a register-blocked matmul in JS.
//
// For each (lane, batch) the kernel computes out[m, n] = Σ_k lhs[m, k]·rhs[k, n]
// in 4×4 blocks: 16 accumulators stay in registers while k runs innermost,
// each step loading 4 lhs values (one per row) and 4 rhs values (one per
// column) for 16 multiply-adds, instead of 2 loads per multiply-add. Strides
// are compile-time constants, so a transposed operand is the same code with
// other numbers. Edges (m or n not a multiple of 4) use 4×1 and 1×1 blocks.
// When the lanes are the lhs rows (the vmapped `h @ W` case: rhs shared by
// every lane, no batch axis), active lanes are blocked four at a time as rows.
//
// The epilogue (the elementwise DAG fused after the dot) runs per output
// element on the rounded accumulator. Float sums are accumulated in double in
// the jaxpr's k order, as the interpreter does, so results match bit for bit.

import type { DotKernel, Instr } from "../lower/kernel_ir.js";
import { jsNumber } from "./scalar.js";
import { Params, Writer, instrExpr } from "./writer.js";

const RB = 4; // rows per block
const CB = 4; // columns per block

interface Group {
  readonly base: string;
  /** [lanes…, b, m, n] */
  readonly strides: readonly number[];
}

/** ` + x·s` (nothing for s = 0); x is an identifier or a parenthesized expression. */
const mulTerm = (x: string, s: number): string => (s === 0 ? "" : s === 1 ? ` + ${x}` : ` + ${x} * ${jsNumber(s)}`);
const rowExpr = (r: string): string => (/^\w+$/.test(r) ? r : `(${r})`);

export function emitDotKernel(k: DotKernel): { params: Params; body: string } {
  const P = new Params();
  const w = new Writer();
  const p = k.lanes ? k.lanes.rank : 0;
  const isInt = k.dtype === "int32";
  const A = P.buf(k.lhs.buf);
  const B = P.buf(k.rhs.buf);
  const [sbA, smA, , skA] = k.lhs.strides.slice(p) as [number, number, number, number];
  const [sbB, , snB, skB] = k.rhs.strides.slice(p) as [number, number, number, number];
  const laneA = k.lhs.strides.slice(0, p);
  const laneB = k.rhs.strides.slice(0, p);

  // Epilogue access groups (loads, iotas, stores), deduplicated by pattern.
  const groups: Group[] = [];
  const keyToGroup = new Map<string, number>();
  const groupOf = (base: string, strides: readonly number[]): number => {
    const key = `${base}|${strides.join(",")}`;
    let g = keyToGroup.get(key);
    if (g === undefined) {
      g = groups.push({ base, strides }) - 1;
      keyToGroup.set(key, g);
    }
    return g;
  };
  const instrGroup = new Map<number, number>();
  const instrBuf = new Map<number, string>();
  k.instrs.forEach((ins, i) => {
    if (ins.op === "load") {
      instrGroup.set(i, groupOf(P.offset(ins.view.offset), ins.view.strides));
      instrBuf.set(i, P.buf(ins.view.buf));
    }
    if (ins.op === "index") instrGroup.set(i, groupOf(jsNumber(ins.offset), ins.strides));
  });
  const stores = k.stores.map((s) => ({ g: groupOf(P.offset(s.view.offset), s.view.strides), buf: P.buf(s.view.buf), value: s.value }));

  w.line(`const A = ${A}, B = ${B};`);
  w.line(`const offA = ${P.offset(k.lhs.offset)}, offB = ${P.offset(k.rhs.offset)};`);
  groups.forEach((g, j) => w.line(`const e${j} = ${g.base};`));

  /** Code of one epilogue element: row-base names `rowName(g)`, column expression `col`. */
  const element = (acc: string, rowName: (g: number) => string, col: string): void => {
    const val = (i: number): string => {
      const ins = k.instrs[i]!;
      return ins.op === "const" ? jsNumber(ins.value) : `v${i}`;
    };
    const at = (g: number): string => {
      const sn = groups[g]!.strides[p + 2]!;
      return `${rowName(g)}${sn === 0 ? "" : sn === 1 ? ` + ${col}` : ` + (${col}) * ${jsNumber(sn)}`}`;
    };
    w.open("{");
    k.instrs.forEach((ins: Instr, i) => {
      if (ins.op === "const") return;
      const leaf = (): string => {
        if (ins.op === "acc") return isInt ? acc : `fr(${acc})`;
        const pos = at(instrGroup.get(i)!);
        if (ins.op === "load") return `${instrBuf.get(i)}[${pos}]`;
        return ins.dtype === "float32" ? `fr(${pos})` : `(${pos})`;
      };
      w.line(`const v${i} = ${instrExpr(ins, val, leaf)};`);
    });
    for (const s of stores) w.line(`${s.buf}[${at(s.g)}] = ${val(s.value)};`);
    w.close();
  };

  const fma = (c: string, x: string, y: string): string => (isInt ? `${c} = (${c} + Math.imul(${x}, ${y})) | 0;` : `${c} += ${x} * ${y};`);

  /**
   * The blocked m×n loops over `rows` rows. `rowBases(t, r)` declares, for row
   * expression r, `ra${t}` (lhs row start) and `e${g}r${t}` for every epilogue group;
   * `colB` is the rhs offset of column 0.
   */
  const blocked = (rows: string, rowBases: (t: number, r: string) => void, colB: string): void => {
    const N = k.n;
    const K = k.k;
    const kLoop = (body: () => void): void => {
      w.open(`for (let kk = 0, pa = 0, pb = rb; kk < ${K}; kk++, pa += ${skA}, pb += ${skB}) {`);
      body();
      w.close();
    };
    const colOff = (c: number): string => (c === 0 || snB === 0 ? "pb" : `pb + ${c * snB}`);
    w.line("let i = 0;");
    w.open(`for (; i + ${RB} <= ${rows}; i += ${RB}) {`);
    for (let t = 0; t < RB; t++) rowBases(t, t === 0 ? "i" : `i + ${t}`);
    w.line("let j = 0;");
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
    for (let r = 0; r < RB; r++) for (let c = 0; c < CB; c++) element(`c${r}${c}`, (g) => `e${g}r${r}`, c === 0 ? "j" : `j + ${c}`);
    w.close();
    w.open(`for (; j < ${N}; j++) {`);
    w.line(`const rb = ${colB}${mulTerm("j", snB)};`);
    w.line(`let ${Array.from({ length: RB }, (_, r) => `c${r} = 0`).join(", ")};`);
    kLoop(() => {
      w.line("const w0 = B[pb];");
      w.line(Array.from({ length: RB }, (_, r) => fma(`c${r}`, `A[ra${r} + pa]`, "w0")).join(" "));
    });
    for (let r = 0; r < RB; r++) element(`c${r}`, (g) => `e${g}r${r}`, "j");
    w.close();
    w.close();
    w.open(`for (; i < ${rows}; i++) {`);
    rowBases(0, "i");
    w.open(`for (let j = 0; j < ${N}; j++) {`);
    w.line(`const rb = ${colB}${mulTerm("j", snB)};`);
    w.line("let c0 = 0;");
    kLoop(() => w.line(fma("c0", "A[ra0 + pa]", "B[pb]")));
    element("c0", (g) => `e${g}r0`, "j");
    w.close();
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

  const rowsAreLanes = p === 1 && k.b === 1 && laneB.every((s) => s === 0);
  if (rowsAreLanes) {
    // Rows = (active lane, m) pairs, blocked together: B is shared by every lane.
    P.usesLanes = true;
    w.line(`const list = ls.list, R = ls.count * ${k.m};`);
    const rowBases = (t: number, r: string): void => {
      const mi = k.m === 1 ? null : `m${t}`;
      if (mi === null) w.line(`const l${t} = list[${r}];`);
      else w.line(`const q${t} = (${rowExpr(r)} / ${k.m}) | 0, l${t} = list[q${t}], ${mi} = ${rowExpr(r)} - q${t} * ${k.m};`);
      const mTerm = (s: number): string => (mi === null ? "" : mulTerm(mi, s));
      w.line(`const ra${t} = offA${mulTerm(`l${t}`, laneA[0]!)}${mTerm(smA)};`);
      groups.forEach((g, j) => w.line(`const e${j}r${t} = e${j}${mulTerm(`l${t}`, g.strides[0]!)}${mTerm(g.strides[p + 1]!)};`));
    };
    blocked("R", rowBases, "offB");
    return { params: P, body: w.text() };
  }

  let opened = 0;
  let laneA0 = "";
  let laneB0 = "";
  const laneG = groups.map(() => "");
  if (p > 0) {
    P.usesLanes = true;
    w.line("const list = ls.list, cnt = ls.count;");
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
  const rowBases = (t: number, r: string): void => {
    w.line(`const ra${t} = aB${mulTerm(rowExpr(r), smA)};`);
    groups.forEach((g, j) => w.line(`const e${j}r${t} = e${j}b${mulTerm(rowExpr(r), g.strides[p + 1]!)};`));
  };
  blocked(String(k.m), rowBases, "bB");
  while (opened-- > 0) w.close();
  return { params: P, body: w.text() };
}
