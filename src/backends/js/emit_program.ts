// A lowered Program → the source of one JS factory function
//
//   (rt, dbg) => { slots, lane sets, kernel functions; return function run(in0, …) { … } }
//
// Each kernel is its own small function (so the engine optimizes it
// separately and a hot matmul is not buried in a huge body); kernels whose
// code is identical (same shapes, same strides) share one function. `run`
// allocates the outputs, then executes the statements: kernel calls, native
// loops and branches, lane-set updates. Temp buffers are the planned slots,
// allocated once per compiled program.
//
// All identifiers are generated from counters and all numbers go through
// jsNumber; no string from the user's program (pjit names, …) is emitted.

import { DTYPE_SHORT, type DType } from "../../ir/dtype.js";
import type { BufId, Kernel, Offset, Program, Stmt } from "../lower/kernel_ir.js";
import { childBlocks, planOf, pointsPerLane, unhandled, usesTapes } from "../lower/kernel_ir.js";
import { type Recursion, recurse, runRecursion } from "../../ir/trampoline.js";
import { DOT_SCRATCH, emitDotKernel } from "./emit_dot.js";
import { emitLanewiseWhile, lanewiseKernels } from "./emit_lanewise.js";
import { emitLoopKernel } from "./emit_loop.js";
import { SCALAR_HELPERS } from "./runtime.js";
import { jsNumber } from "./scalar.js";
import { type Params, Writer } from "./writer.js";

export interface EmitOptions {
  /** Call `dbg(kernelId, points)` before every kernel (points = iteration points visited). */
  readonly debug?: boolean;
  /** Lanes a lane-by-lane while keeps in flight (default: chosen per loop; emit_lanewise.ts). */
  readonly lanewiseSlots?: number;
}

const ARRAY: { readonly [D in DType]: string } = { float32: "Float32Array", int32: "Int32Array", bool: "Uint8Array" };

export function emitProgram(p: Program, opts: EmitOptions = {}): string {
  const w = new Writer();
  const fns = new Map<string, string>(); // kernel code → function name
  const fnText: string[] = [];
  const inputArray = runTakesArray(p);
  const bufName = (id: BufId): string => {
    const b = p.buffers[id]!;
    if (b.role === "input") return inputArray ? `ins[${b.index}]` : `in${b.index}`;
    if (b.role === "output") return `out${b.index}`;
    const slot = p.plan.slotOf.get(id);
    if (slot === undefined) throw new Error(`js: temp buffer b${id} has no slot`);
    return `t${slot}`;
  };
  const offset = (o: Offset): string => {
    const parts = o.c !== 0 || o.terms.length === 0 ? [jsNumber(o.c)] : [];
    for (const t of o.terms) parts.push(t.coef === 1 ? `s${t.sym}` : `${jsNumber(t.coef)} * s${t.sym}`);
    return parts.join(" + ");
  };

  /** A function with this body (shared with an identical one), and the call passing its parameters. */
  const define = (params: Params, body: string, lanes: number | null): string => {
    // Parameter dtypes are part of the key so a shared function always sees one typed-array type per parameter.
    const types = params.bufs.map((b) => DTYPE_SHORT[p.buffers[b]!.dtype]).join(" ");
    const key = `${params.signature()}\n// ${types}\n${body}`;
    let name = fns.get(key);
    if (!name) {
      name = `k${fns.size}`;
      fns.set(key, name);
      fnText.push(`function ${name}(${params.signature()}) {\n  // ${types}\n${body.replace(/^/gm, "  ")}\n}`);
    }
    const args = [...params.bufs.map(bufName), ...params.syms.map((y) => `s${y}`), ...(params.usesLanes ? [`L${lanes}.list`, `L${lanes}.count`] : [])];
    return `${name}(${args.join(", ")});`;
  };
  let dotScratch = 0;
  const kernelCall = (k: Kernel): string => {
    switch (k.kind) {
      case "dot": {
        const { params, body, scratch } = emitDotKernel(k, planOf(p, k.id, k.kind));
        dotScratch = Math.max(dotScratch, scratch, 1);
        return define(params, body, k.lanes?.set ?? null);
      }
      case "loop":
      case "reduce": {
        const { params, body } = emitLoopKernel(k, planOf(p, k.id, k.kind), k.lanes ? p.laneSets[k.lanes.set]!.shape : []);
        return define(params, body, k.lanes?.set ?? null);
      }
    }
  };

  const points = (k: Kernel): string => {
    const inner = pointsPerLane(k);
    return k.lanes ? `L${k.lanes.set}.count * ${inner}` : jsNumber(inner);
  };

  // Deeply nested regions (loops in loops, up to MAX_JAXPR_NESTING) would nest
  // the generated source as deep, past what the engine's parser accepts; so
  // in such programs every OUTLINE_EVERY-th level of blocks becomes a
  // function of its own (`r0() { … }`) and the program state (inputs,
  // outputs, symbols) lives in the factory's scope, where those functions
  // see it. Shallower programs are emitted all inline.
  const outline = stmtDepth(p.body) >= OUTLINE_EVERY;
  const outlined: string[] = [];
  /** A nested block of statements at `depth` (its statements' nesting level). */
  function* block(list: readonly Stmt[], out: Writer, depth: number): Recursion<void> {
    if (!outline || depth === 0 || depth % OUTLINE_EVERY !== 0) {
      for (const c of list) yield* recurse(stmt(c, out, depth));
      return;
    }
    const name = `r${outlined.length}`;
    outlined.push("");
    const fw = new Writer();
    fw.open(`function ${name}() {`);
    for (const c of list) yield* recurse(stmt(c, fw, depth));
    fw.close();
    outlined[Number(name.slice(1))] = fw.text();
    out.line(`${name}();`);
  }

  let loopVar = 0;
  function* stmt(s: Stmt, out: Writer, depth: number): Recursion<void> {
    switch (s.kind) {
      case "loop":
      case "reduce":
      case "dot": {
        if (opts.debug) out.line(`dbg(${s.id}, ${points(s)});`);
        out.line(kernelCall(s));
        return;
      }
      case "setsym": {
        if (!s.src) {
          out.line(`s${s.sym} = ${jsNumber(Math.min(Math.max(s.value, s.lo), s.hi))};`);
          return;
        }
        out.open("{");
        out.line(`const v = ${bufName(s.src.buf)}[${offset(s.src.offset)}];`);
        out.line(`s${s.sym} = v < ${s.lo} ? ${s.lo} : v > ${s.hi} ? ${s.hi} : v;`);
        out.close();
        return;
      }
      case "lanes_init":
        out.line(`rt.lanesInit(L${s.set}, ${s.from === null ? "null" : `L${s.from}`});`);
        return;
      case "lanes_index":
        out.line(`rt.lanesIndex(L${s.set}, ${bufName(s.index.buf)}, ${offset(s.index.offset)}, ${s.branch}, ${s.last}, ${s.from === null ? "null" : `L${s.from}`});`);
        return;
      case "lanes_combine":
        out.line(`rt.lanesCombine(L${s.set}, L${s.active}, L${s.outer});`);
        return;
      case "while": {
        const laneShape = s.lanes === null ? [] : p.laneSets[s.lanes]!.shape;
        const lanewise = s.lanes === null ? null : lanewiseKernels(s, laneShape.length);
        if (lanewise) {
          const { params, body } = emitLanewiseWhile(s, lanewise, laneShape, { debug: opts.debug === true, slots: opts.lanewiseSlots });
          out.line(define(params, body, s.lanes));
          // Every lane has finished (set here, not in the kernel: a property store after its hot loop could deoptimize it).
          out.line(`L${s.lanes}.count = 0;`);
          return;
        }
        out.open("for (;;) {");
        yield* block(s.cond, out, depth + 1);
        const pred = `${bufName(s.pred.buf)}, ${offset(s.pred.offset)}`;
        if (s.lanes === null) out.line(`if (!${bufName(s.pred.buf)}[${offset(s.pred.offset)}]) break;`);
        else out.line(`if (rt.lanesAnd(L${s.lanes}, ${pred}) === 0) break;`);
        yield* block(s.body, out, depth + 1);
        out.close();
        return;
      }
      case "switch": {
        const last = s.branches.length - 1;
        out.open("{");
        out.line(`const v = ${bufName(s.index.buf)}[${offset(s.index.offset)}];`);
        out.open(`switch (v <= 0 ? 0 : v >= ${last} ? ${last} : v) {`);
        for (const [k, br] of s.branches.entries()) {
          out.open(`case ${k}: {`);
          yield* block(br, out, depth + 1);
          out.line("break;");
          out.close();
        }
        out.close();
        out.close();
        return;
      }
      case "if_lanes":
        out.open(`if (L${s.set}.count > 0) {`);
        yield* block(s.body, out, depth + 1);
        out.close();
        return;
      case "for": {
        const q = `q${loopVar++}`;
        out.open(`for (let ${q} = 0; ${q} < ${s.count}; ${q}++) {`);
        out.line(`s${s.sym} = ${s.reverse ? `${s.count - 1} - ${q}` : q};`);
        yield* block(s.body, out, depth + 1);
        out.close();
        return;
      }
      case "tape_new":
        out.line(`${bufName(s.handle.buf)}[${offset(s.handle.offset)}] = ${TAPES}.create(${ARRAY[s.dtype]}, ${s.slotSize});`);
        return;
      case "tape_push":
        out.line(`${TAPES}.push(${bufName(s.handle.buf)}[${offset(s.handle.offset)}], ${bufName(s.src.buf)}, ${offset(s.src.offset)});`);
        return;
      case "check": {
        const o = offset(s.pred.offset);
        out.line(`for (let c = 0; c < ${s.size}; c++) if (${bufName(s.pred.buf)}[${o} + c]) rt.checkFailed(${JSON.stringify(s.message)});`);
        return;
      }
      case "tape_reverse":
        out.line(`${bufName(s.dst.buf)}[${offset(s.dst.offset)}] = ${TAPES}.reversed(${bufName(s.src.buf)}[${offset(s.src.offset)}]);`);
        return;
      case "tape_load":
        out.line(`${TAPES}.load(${bufName(s.handle.buf)}[${offset(s.handle.offset)}], ${bufName(s.index.buf)}[${offset(s.index.offset)}], ${bufName(s.dst.buf)}, ${offset(s.dst.offset)});`);
        return;
      default:
        unhandled(s, "statement");
    }
  }

  const run = new Writer();
  const tapes = usesTapes(p.body);
  // The inputs as run's parameters, or as one array `ins` (a program can have more inputs than a function can take parameters).
  const params = inputArray ? ["ins"] : p.inputs.map((id) => bufName(id));
  const syms = Array.from({ length: p.nsyms }, (_, i) => `s${i} = 0`).join(", ");
  if (outline) {
    // State the outlined blocks share, set by each call of run.
    if (params.length + p.outputs.length) w.line(`let ${[...params, ...p.outputs.map(bufName)].join(", ")};`);
    if (p.nsyms) w.line(`let ${syms};`);
    if (tapes) w.line(`let ${TAPES} = null;`);
    run.open(`return function run(${params.map((_, i) => `arg${i}`).join(", ")}) {`);
    params.forEach((name, i) => run.line(`${name} = arg${i};`));
    if (p.nsyms) run.line(`${syms.replace(/, /g, "; ")};`);
    if (tapes) run.line(`${TAPES} = rt.tapeArena();`);
  } else {
    run.open(`return function run(${params.join(", ")}) {`);
    if (p.nsyms) run.line(`let ${syms};`);
    // This run's tapes (kernel_ir.ts, "Tapes"): made here, dropped when run returns.
    if (tapes) run.line(`const ${TAPES} = rt.tapeArena();`);
  }
  for (const id of p.outputs) {
    const b = p.buffers[id]!;
    run.line(`${outline ? "" : "const "}${bufName(id)} = new ${ARRAY[b.dtype]}(${b.size});`);
  }
  runRecursion(block(p.body, run, 0));
  // The outlined blocks share the arena through the factory's scope: let it go with the run.
  if (outline && tapes) run.line(`${TAPES} = null;`);
  run.line(`return [${p.outputs.map(bufName).join(", ")}];`);
  run.close("};");

  w.line('"use strict";');
  w.line(`const fr = Math.fround, ${Object.keys(SCALAR_HELPERS).map((name) => `${name} = rt.${name}`).join(", ")};`);
  p.plan.slots.forEach((s, i) => w.line(`const t${i} = new ${ARRAY[s.dtype]}(${s.size});`));
  p.laneSets.forEach((l) => w.line(`const L${l.id} = rt.laneSet([${l.shape.join(", ")}]);`));
  if (dotScratch > 0) w.line(`const ${DOT_SCRATCH} = new Float64Array(${dotScratch});`);
  return [w.text(), ...fnText, ...outlined, run.text()].join("\n");
}

/** The run's tape arena (an identifier of the generated code). */
const TAPES = "tapes";

/** Inputs beyond which `run` takes them as one array (engines cap a function's parameters at about 65,000). */
const MAX_RUN_PARAMS = 1000;

/** Whether the generated `run` takes its inputs as one array rather than one parameter each. */
export function runTakesArray(p: Program): boolean {
  return p.inputs.length > MAX_RUN_PARAMS;
}

/** Every OUTLINE_EVERY-th level of nested blocks is emitted as a function of its own (when the program nests that deep). */
const OUTLINE_EVERY = 32;

/** How deeply blocks nest in a statement list (a flat list is 1). */
function stmtDepth(stmts: readonly Stmt[]): number {
  let deepest = 0;
  const stack: [readonly Stmt[], number][] = [[stmts, 1]];
  while (stack.length) {
    const [list, d] = stack.pop()!;
    deepest = Math.max(deepest, d);
    for (const s of list) for (const b of childBlocks(s)) stack.push([b, d + 1]);
  }
  return deepest;
}
