// Text forms of a lowered Program: `formatPlan` (statements with one line per
// kernel, then buffers, slots and memory; `tsjax dump --emit plan`) and
// `formatProgram` (the same with every kernel's instructions).

import { DTYPE_SHORT } from "../../ir/dtype.js";
import type { AccessGroup, Instr, Kernel, KernelPlan, LaneIteration, Offset, Program, Stmt, View } from "./kernel_ir.js";
import { BYTES_PER_ELEMENT, childBlocks, isKernel, unhandled } from "./kernel_ir.js";
import { type Recursion, recurse, runRecursion } from "../../ir/trampoline.js";

function offsetStr(o: Offset): string {
  const parts = [String(o.c), ...o.terms.map((t) => `${t.coef}·s${t.sym}`)];
  return parts.join("+");
}

export function viewStr(v: View): string {
  return `b${v.buf}[${offsetStr(v.offset)}; ${v.strides.join(",")}]`;
}

function instrStr(i: Instr, k: number): string {
  const t = DTYPE_SHORT[i.dtype];
  const body = (() => {
    switch (i.op) {
      case "load":
        return `load ${viewStr(i.view)}`;
      case "const":
        return `const ${i.value}`;
      case "index":
        return `index ${i.offset}; ${i.strides.join(",")}`;
      case "unary":
        return `${i.prim} %${i.x}`;
      case "binary":
        return `${i.prim} %${i.x} %${i.y}`;
      case "select":
        return `select %${i.which} ${i.cases.map((c) => `%${c}`).join(" ")}`;
      case "convert":
        return `convert %${i.x}`;
      case "acc":
        return "acc";
      default:
        return unhandled(i, "instr");
    }
  })();
  return `%${k}:${t} = ${body}  @${i.level}`;
}

function lanesStr(k: Kernel): string {
  return k.lanes ? ` lanes=L${k.lanes.set}/${k.lanes.rank}` : "";
}

/** The plan's decisions in a kernel's summary line: access groups, a reduction's start, a dot's row blocking. */
function planStr(plan: KernelPlan | undefined): string {
  if (!plan) return "";
  const groups = ` groups=${plan.access.groups.length}`;
  switch (plan.kind) {
    case "loop":
      return groups;
    case "reduce":
      return `${groups} init=${plan.identity}`;
    case "dot":
      return `${groups}${plan.rowsAreLanes ? " rows=lanes" : ""}`;
  }
}

/** A lanewise while's iteration plan: the body instrs that reuse a value the cond computed (`k<body>%i=k<cond>%j`). */
function lanewiseStr(plan: LaneIteration, stmts: readonly Stmt[]): string {
  const kernels = stmts.filter(isKernel);
  const registers = new Set(plan.registers.map((r) => r.buf));
  const reuse: string[] = [];
  for (let ki = plan.nCond; ki < kernels.length; ki++) {
    kernels[ki]!.instrs.forEach((ins, i) => {
      // (A register load reads the register's current value; literals are not computations.)
      if (ins.op === "load" && registers.has(ins.view.buf)) return;
      const v = plan.values[plan.valueOf[ki]![i]!];
      if (v?.kind === "instr" && v.part === "cond" && v.kernel >= 0 && v.cls !== "const") reuse.push(`k${kernels[ki]!.id}%${i}=k${kernels[v.kernel]!.id}%${v.index}`);
    });
  }
  return ` lanewise${reuse.length ? ` reuse=${reuse.join(",")}` : ""}`;
}

function groupStr(g: AccessGroup, i: number): string {
  return `g${i}=${g.buf === null ? "iota" : `b${g.buf}`}[${offsetStr(g.offset)}; ${g.strides.join(",")}]`;
}

/** One line per kernel: kind, iteration space, lanes, the fused elementwise ops, where it writes, its plan. */
export function kernelSummary(k: Kernel, plan?: KernelPlan): string {
  return kernelLine(k) + planStr(plan);
}

function kernelLine(k: Kernel): string {
  const ops = k.instrs.flatMap((i) => (i.op === "unary" || i.op === "binary" ? [i.prim] : i.op === "select" || i.op === "convert" ? [i.op] : []));
  const list = ops.length ? `(${ops.join(",")})` : "";
  switch (k.kind) {
    case "loop":
      return `k${k.id} loop [${k.shape.join(",")}]${lanesStr(k)}${list && ` fused${list}`} -> ${k.stores.map((s) => `b${s.view.buf}`).join(",")}`;
    case "reduce":
      return `k${k.id} reduce ${k.reducer} [${k.shape.join(",")}] kept=${k.nKept}${lanesStr(k)}${list && ` fused${list}`} -> b${k.out.buf}`;
    case "dot": {
      const lanes = k.laneShape.length ? `lanes[${k.laneShape.join(",")}]×` : "";
      return `k${k.id} dot ${DTYPE_SHORT[k.dtype]} ${lanes}b${k.b}×m${k.m}×n${k.n}×k${k.k}${lanesStr(k)} lhs=b${k.lhs.buf} rhs=b${k.rhs.buf}${list && ` epilogue${list}`} -> ${k.stores.map((s) => `b${s.view.buf}`).join(",")}`;
    }
  }
}

/** A statement's lines; nested blocks wait on a heap stack (regions nest up to MAX_JAXPR_NESTING deep). */
function* stmtLines(p: Program, s: Stmt, indent: string, detail: boolean, out: string[]): Recursion<void> {
  function* block(title: string, stmts: readonly Stmt[]): Recursion<void> {
    out.push(`${indent}${title}`);
    for (const c of stmts) yield* recurse(stmtLines(p, c, `${indent}  `, detail, out));
  }
  switch (s.kind) {
    case "loop":
    case "reduce":
    case "dot": {
      const plan = p.kernelPlans[s.id];
      out.push(`${indent}${kernelSummary(s, plan)}`);
      if (detail && plan) {
        out.push(`${indent}    groups: ${plan.access.groups.map(groupStr).join(" ")}`);
        if (plan.kind === "dot") out.push(`${indent}    lhs strides: lanes=[${plan.lhs.lanes.join(",")}] b=${plan.lhs.b} m=${plan.lhs.mn} k=${plan.lhs.k}; rhs strides: lanes=[${plan.rhs.lanes.join(",")}] b=${plan.rhs.b} n=${plan.rhs.mn} k=${plan.rhs.k}`);
      }
      if (detail) {
        s.instrs.forEach((i, k) => out.push(`${indent}    ${instrStr(i, k)}`));
        if (s.kind === "reduce") out.push(`${indent}    ${viewStr(s.out)} := ${s.reducer} %${s.value}`);
        else for (const st of s.stores) out.push(`${indent}    ${viewStr(st.view)} := %${st.value}`);
      }
      return;
    }
    case "setsym":
      out.push(`${indent}s${s.sym} = clamp(${s.src ? viewStr(s.src) : s.value}, ${s.lo}, ${s.hi})`);
      return;
    case "lanes_init":
      out.push(`${indent}L${s.set} = lanes ${s.from === null ? "all" : `from L${s.from}`}`);
      return;
    case "lanes_index":
      out.push(`${indent}L${s.set} = lanes where ${viewStr(s.index)} == ${s.branch}${s.from === null ? "" : ` within L${s.from}`}`);
      return;
    case "lanes_combine":
      out.push(`${indent}L${s.set} = L${s.active} & L${s.outer}`);
      return;
    case "while":
      out.push(`${indent}while${s.lanes === null ? "" : ` lanes=L${s.lanes}`} pred=${viewStr(s.pred)}${s.lanewise ? lanewiseStr(s.lanewise, [...s.cond, ...s.body]) : ""}`);
      yield* block("  cond:", s.cond);
      yield* block("  body:", s.body);
      return;
    case "switch":
      out.push(`${indent}switch ${viewStr(s.index)}`);
      for (const [k, b] of s.branches.entries()) yield* block(`  branch ${k}:`, b);
      return;
    case "if_lanes":
      yield* block(`if any L${s.set}:`, s.body);
      return;
    case "for":
      yield* block(`for s${s.sym} in ${s.reverse ? "reversed " : ""}0..${s.count}:`, s.body);
      return;
    case "tape_new":
      out.push(`${indent}${viewStr(s.handle)} = tape_new ${DTYPE_SHORT[s.dtype]}×${s.slotSize}`);
      return;
    case "tape_push":
      out.push(`${indent}tape_push ${viewStr(s.handle)} <- ${viewStr(s.src)} ${DTYPE_SHORT[s.dtype]}×${s.slotSize}`);
      return;
    case "tape_load":
      out.push(`${indent}${viewStr(s.dst)} = tape_load ${viewStr(s.handle)}[${viewStr(s.index)}] ${DTYPE_SHORT[s.dtype]}×${s.slotSize}`);
      return;
    case "check":
      out.push(`${indent}check any(${viewStr(s.pred)} ×${s.size}) ${JSON.stringify(s.message)}`);
      return;
    case "tape_reverse":
      out.push(`${indent}${viewStr(s.dst)} = tape_reverse ${viewStr(s.src)} ${DTYPE_SHORT[s.dtype]}×${s.slotSize}`);
      return;
    default:
      unhandled(s, "statement");
  }
}

function countKernels(stmts: readonly Stmt[]): number {
  let n = 0;
  const blocks: (readonly Stmt[])[] = [stmts];
  while (blocks.length) {
    for (const s of blocks.pop()!) {
      if (isKernel(s)) n++;
      for (const b of childBlocks(s)) blocks.push(b);
    }
  }
  return n;
}

function render(p: Program, detail: boolean): string {
  const out: string[] = [];
  out.push(`program: ${p.inputs.length} inputs, ${p.outputs.length} outputs, ${countKernels(p.body)} kernels, ${p.laneSets.length} lane sets`);
  for (const s of p.body) runRecursion(stmtLines(p, s, "  ", detail, out));
  out.push("buffers:");
  for (const b of p.buffers) {
    const slot = p.plan.slotOf.get(b.id);
    const where = b.role === "temp" ? (slot === undefined ? "unused" : `slot ${slot}`) : `${b.role} ${b.index}`;
    out.push(`  b${b.id} ${DTYPE_SHORT[b.dtype]}×${b.size} ${where} (${b.label})`);
  }
  out.push("slots:");
  p.plan.slots.forEach((s, i) => out.push(`  slot ${i}: ${DTYPE_SHORT[s.dtype]}×${s.size} = ${s.size * BYTES_PER_ELEMENT[s.dtype]} B`));
  for (const l of p.laneSets) out.push(`lane set L${l.id}: [${l.shape.join(",")}]`);
  out.push(`temp memory: ${p.plan.tempBytes} B (without reuse: ${p.plan.tempBytesNoReuse} B); outputs: ${p.plan.outputBytes} B`);
  return out.join("\n");
}

export function formatPlan(p: Program): string {
  return render(p, false);
}

export function formatProgram(p: Program): string {
  return render(p, true);
}
