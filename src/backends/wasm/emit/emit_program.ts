// A lowered Program → one WebAssembly module:
//
//   (memory (export "memory") pages)          inputs, outputs, slots, lane sets, scratch
//   (import "rt" "pow" / "fmod" / "dbg")      only when used
//   (import "rt" "tape_full")                 with tapes: throws when they outgrow wasm32's memory
//   tape helpers                              (tapes.ts), when the program uses tapes
//   kernel functions                          one per distinct kernel code
//   lane-set helpers                          (lanesets.ts)
//   (func (export "run"))                     the statements, with native control flow
//
// A kernel function takes its buffers' byte addresses, its symbols and its
// lane-set record as i32 parameters, so kernels that differ only in which
// buffers they touch share one function (normalize.ts). `run` passes the
// planned addresses as constants. Control flow is wasm's own: `while` is a
// block/loop with br_if, `switch` a br_table, `for` a counted loop, and a
// batched while's lane set is maintained by the lane-set helpers (or, for
// loops of independent scalar lanes, the whole loop is one four-lane SIMD
// function, emit_lanewise.ts).

import { type Shape, stridesOf } from "../../../ir/dtype.js";
import type { Kernel, LoopKernel, Program, Stmt, View } from "../../lower/kernel_ir.js";
import { planOf, pointsPerLane, unhandled, usesTapes } from "../../lower/kernel_ir.js";
import { FunctionBuilder } from "../func.js";
import { ModuleBuilder, PAGE_BYTES } from "../module.js";
import type { FuncRef, Local } from "../types.js";
import { ELEM_BYTES } from "./access.js";
import { emitDotKernel } from "./dot/driver.js";
import { dotScratchBytes } from "./dot/layout.js";
import { emitLanewiseWhile, lanewiseKernels } from "./emit_lanewise.js";
import { emitLoopKernel } from "./emit_loop.js";
import { type KernelParams, emitAddress } from "./groups.js";
import { LaneRuntime } from "./lanesets.js";
import { TapeRuntime } from "./tapes.js";
import { liveAfter } from "./live_after.js";
import { type MemoryLayout, WASM32_MAX_BYTES, WasmMemoryLimitError, formatBytes, layoutMemory } from "./layout.js";
import { allKernels, normalize, normalizePlan } from "./normalize.js";
import { ConstPool, peephole } from "./peephole.js";
import type { HostFns } from "./values.js";
import { type Recursion, recurse, runRecursion } from "../../../ir/trampoline.js";

export interface EmitOptions {
  /** Call the host's `dbg(kernelId, points)` before every kernel (points = iteration points visited). */
  readonly debug?: boolean;
}

export interface EmittedModule {
  readonly module: ModuleBuilder;
  readonly layout: MemoryLayout;
  /** Distinct kernel functions (after sharing). */
  readonly kernelFunctions: number;
}

type While = Extract<Stmt, { kind: "while" }>;

export function emitModule(p: Program, opts: EmitOptions = {}): EmittedModule {
  const lanewiseOf = (s: While): LoopKernel[] | null => (s.lanes === null || opts.debug ? null : lanewiseKernels(s, p.laneSets[s.lanes]!.shape.length));
  const scratchBytes = allKernels(p.body).reduce((most, k) => Math.max(most, kernelScratchBytes(k)), 0);
  const layout = layoutMemory(p, scratchBytes);
  const m = new ModuleBuilder();
  const pool = new ConstPool(layout.totalBytes);
  const imported = new Map<string, FuncRef>();
  const hostImport = (field: "pow" | "fmod" | "sin" | "cos"): FuncRef => {
    let f = imported.get(field);
    if (!f) {
      const params: ("f64")[] = field === "sin" || field === "cos" ? ["f64"] : ["f64", "f64"];
      f = m.importFunction("rt", field, { name: field, params, results: ["f64"] });
      imported.set(field, f);
    }
    return f;
  };
  const host: HostFns = { pow: () => hostImport("pow"), fmod: () => hostImport("fmod"), sin: () => hostImport("sin"), cos: () => hostImport("cos") };
  const dbg = opts.debug ? m.importFunction("rt", "dbg", { name: "dbg", params: ["i32", "i32"], results: [] }) : null;
  // The run's tapes live in linear memory past the static data (tapes.ts).
  const tapes = usesTapes(p.body) ? new TapeRuntime(m) : null;
  const tapeRt = (): TapeRuntime => {
    if (!tapes) throw new Error("wasm: usesTapes missed a tape statement");
    return tapes;
  };
  // A failed check calls the host with the check's number (kernel_ir.ts checkMessages), which throws.
  let checkFailed: FuncRef | null = null;
  let checks = 0;
  const lanesRt = new LaneRuntime(m);
  const live = liveAfter(p);
  const laneShape = (set: number): Shape => p.laneSets[set]!.shape;

  // ---- kernel functions, shared by code -------------------------------------------
  const fns = new Map<string, FunctionBuilder>();
  const declare = (key: string, name: string, nb: number, ns: number, lanes: boolean, body: (f: FunctionBuilder, P: Omit<KernelParams, "dtypes">) => void): FunctionBuilder => {
    let f = fns.get(key);
    if (f) return f;
    const params: Record<string, "i32"> = {};
    for (let i = 0; i < nb; i++) params[`b${i}`] = "i32";
    for (let i = 0; i < ns; i++) params[`s${i}`] = "i32";
    if (lanes) params["ls"] = "i32";
    f = m.addFunction({ name: `${name}${fns.size}`, params });
    const ps = f.params as Record<string, Local>;
    body(f, {
      bufs: Array.from({ length: nb }, (_, i) => ps[`b${i}`]!),
      syms: Array.from({ length: ns }, (_, i) => ps[`s${i}`]!),
      lanes: lanes ? ps["ls"]! : null,
    });
    peephole(f, pool);
    fns.set(key, f);
    return f;
  };

  // ---- run ----------------------------------------------------------------------------
  const run = m.addFunction({ name: "run", export: "run" });
  const symLocals = Array.from({ length: p.nsyms }, (_, i) => run.addLocal("i32", `sym${i}`));
  // Every run starts with no tapes (the previous run's are dropped).
  if (tapes) run.call(tapes.reset());

  /** Pushes the byte address of a view's first element (run-time symbols included). */
  const viewAddress = (v: View): void => {
    emitAddress(run, layout.addr(v.buf), v.offset, ELEM_BYTES[p.buffers[v.buf]!.dtype], symLocals);
  };
  /** Pushes the int32 at a one-element view (a tape handle, a slot index). */
  const loadI32 = (v: View): void => {
    viewAddress(v);
    run.i32.load({ align: 4 });
  };
  const callWith = (fn: FunctionBuilder, bufs: readonly number[], syms: readonly number[], lanesSet: number | null): void => {
    for (const b of bufs) run.i32.const(layout.addr(b));
    for (const s of syms) run.local.get(symLocals[s]!);
    if (lanesSet !== null) run.i32.const(layout.laneSets[lanesSet]!.base);
    run.call(fn);
  };

  const kernelCall = (k: Kernel): void => {
    const shape = k.lanes ? laneShape(k.lanes.set) : [];
    const norm = normalize(p, [k], shape);
    const nk = norm.value.kernels[0]!;
    // A dot function's code holds the scratch address.
    const key = nk.kind === "dot" ? `${norm.key}@${layout.scratch}` : norm.key;
    const fn = declare(key, k.kind, norm.bufs.length, norm.syms.length, k.lanes !== null, (f, P) => {
      const params: KernelParams = { ...P, dtypes: norm.dtypes };
      switch (nk.kind) {
        case "dot":
          emitDotKernel(f, nk, normalizePlan(planOf(p, k.id, nk.kind), norm), params, host, layout.scratch);
          return;
        case "loop":
        case "reduce":
          emitLoopKernel(f, nk, normalizePlan(planOf(p, k.id, nk.kind), norm), shape, params, host);
          return;
      }
    });
    if (dbg) {
      run.i32.const(k.id);
      const inner = pointsPerLane(k);
      if (k.lanes) run.i32.const(layout.laneSets[k.lanes.set]!.base).i32.load({ align: 4 }).i32.const(inner).i32.mul();
      else run.i32.const(inner);
      run.call(dbg);
    }
    callWith(fn, norm.bufs, norm.syms, k.lanes?.set ?? null);
  };

  const lanewiseCall = (s: While, ks: readonly LoopKernel[]): void => {
    const shape = laneShape(s.lanes!);
    const norm = normalize(p, ks, shape, [s.pred]);
    const liveFlags = norm.bufs.map((b) => live.readAfter(s, b));
    const liveKey = liveFlags.map((l) => (l ? 1 : 0)).join("");
    const fn = declare(`lanewise ${s.cond.length} ${liveKey} ${norm.key}`, "lanewise", norm.bufs.length, norm.syms.length, true, (f, P) => {
      const liveParams = new Set(norm.bufs.flatMap((_, i) => (liveFlags[i] ? [i] : [])));
      emitLanewiseWhile(f, norm.value.kernels, s.lanewise!, norm.value.extra[0]!, shape, { ...P, dtypes: norm.dtypes }, host, liveParams);
    });
    callWith(fn, norm.bufs, norm.syms, s.lanes);
  };

  const checkLaneView = (v: View, set: number, what: string): void => {
    const shape = laneShape(set);
    const want = stridesOf(shape);
    if (!shape.every((d, a) => d === 1 || v.strides[a] === want[a])) throw new Error(`wasm: ${what} must be contiguous over its lanes`);
  };

  const forCounters: Local[] = [];
  // Nested blocks wait on a heap stack (ir/trampoline.ts): regions nest up to MAX_JAXPR_NESTING deep.
  function* stmts(list: readonly Stmt[], depth: number): Recursion<void> {
    for (const s of list) yield* recurse(stmt(s, depth));
  }
  function* stmt(s: Stmt, depth: number): Recursion<void> {
    const f = run;
    switch (s.kind) {
      case "loop":
      case "reduce":
      case "dot":
        kernelCall(s);
        return;
      case "setsym": {
        const sym = symLocals[s.sym]!;
        if (!s.src) {
          f.i32.const(Math.min(Math.max(s.value, s.lo), s.hi)).local.set(sym);
          return;
        }
        viewAddress(s.src);
        const d = p.buffers[s.src.buf]!.dtype;
        if (d === "int32") f.i32.load({ align: 4 });
        else if (d === "bool") f.i32.load8_u();
        else f.f32.load({ align: 4 }).i32.trunc_sat_f32_s();
        f.local.set(sym);
        // clamp into [lo, hi]
        f.i32.const(s.lo).local.get(sym).local.get(sym).i32.const(s.lo).i32.lt_s().select().local.set(sym);
        f.i32.const(s.hi).local.get(sym).local.get(sym).i32.const(s.hi).i32.gt_s().select().local.set(sym);
        return;
      }
      case "lanes_init": {
        const to = layout.laneSets[s.set]!;
        lanesRt.maskFrom(f, to, laneShape(s.set), s.from === null ? null : layout.laneSets[s.from]!, s.from === null ? null : laneShape(s.from));
        f.i32.const(to.base).i32.const(to.n).call(lanesRt.rebuild()).drop();
        return;
      }
      case "lanes_index": {
        const to = layout.laneSets[s.set]!;
        checkLaneView(s.index, s.set, "a batched cond index");
        lanesRt.maskFrom(f, to, laneShape(s.set), s.from === null ? null : layout.laneSets[s.from]!, s.from === null ? null : laneShape(s.from));
        f.i32.const(to.mask).i32.const(to.n);
        viewAddress(s.index);
        f.i32.const(s.branch).i32.const(s.last).i32.const(p.buffers[s.index.buf]!.dtype === "bool" ? 1 : 0).call(lanesRt.index());
        f.i32.const(to.base).i32.const(to.n).call(lanesRt.rebuild()).drop();
        return;
      }
      case "lanes_combine": {
        const to = layout.laneSets[s.set]!;
        const active = layout.laneSets[s.active]!;
        const outer = layout.laneSets[s.outer]!;
        const block = active.n === 0 ? 0 : outer.n / active.n;
        if (to.n > 0) f.i32.const(to.mask).i32.const(outer.mask).i32.const(active.mask).i32.const(to.n).i32.const(block).call(lanesRt.combine());
        f.i32.const(to.base).i32.const(to.n).call(lanesRt.rebuild()).drop();
        return;
      }
      case "while": {
        const lanewise = lanewiseOf(s);
        if (lanewise) return lanewiseCall(s, lanewise);
        const exit = f.block();
        const top = f.loop();
        yield* stmts(s.cond, depth + 1);
        if (s.lanes === null) {
          viewAddress(s.pred);
          f.i32.load8_u().i32.eqz().br_if(exit);
        } else {
          checkLaneView(s.pred, s.lanes, "a batched predicate");
          const set = layout.laneSets[s.lanes]!;
          f.i32.const(set.base).i32.const(set.mask);
          viewAddress(s.pred);
          f.call(lanesRt.and()).i32.eqz().br_if(exit);
        }
        yield* stmts(s.body, depth + 1);
        f.br(top);
        f.end();
        f.end();
        return;
      }
      case "switch": {
        const n = s.branches.length;
        const end = f.block();
        const labels = s.branches.map(() => f.block()).reverse(); // labels[k] ends right before branch k's code
        const v = f.temp("i32");
        viewAddress(s.index);
        const d = p.buffers[s.index.buf]!.dtype;
        if (d === "bool") f.i32.load8_u();
        else f.i32.load({ align: 4 });
        f.local.set(v);
        // negative → 0; ≥ n → the default (the last branch)
        f.i32.const(0).local.get(v).local.get(v).i32.const(0).i32.lt_s().select();
        f.br_table(labels, labels[n - 1]!);
        f.release(v);
        for (const [k, br] of s.branches.entries()) {
          f.end(); // closes labels[k]
          yield* stmts(br, depth + 1);
          if (k < n - 1) f.br(end);
        }
        f.end();
        return;
      }
      case "if_lanes":
        f.i32.const(layout.laneSets[s.set]!.base).i32.load({ align: 4 });
        f.if();
        yield* stmts(s.body, depth + 1);
        f.end();
        return;
      case "for": {
        if (s.count <= 0) return;
        const q = forCounters[depth] ?? (forCounters[depth] = f.addLocal("i32", `for${depth}`));
        const sym = symLocals[s.sym]!;
        f.i32.const(0).local.set(q);
        const top = f.loop();
        if (s.reverse) f.i32.const(s.count - 1).local.get(q).i32.sub().local.set(sym);
        else f.local.get(q).local.set(sym);
        yield* stmts(s.body, depth + 1);
        f.local.get(q).i32.const(1).i32.add().local.tee(q).i32.const(s.count).i32.lt_u().br_if(top);
        f.end();
        return;
      }
      case "tape_new":
        viewAddress(s.handle);
        f.i32.const(s.slotSize * ELEM_BYTES[s.dtype]).call(tapeRt().create());
        f.i32.store({ align: 4 });
        return;
      case "tape_push":
        loadI32(s.handle);
        viewAddress(s.src);
        f.call(tapeRt().push());
        return;
      case "check": {
        checkFailed ??= m.importFunction("rt", "check_failed", { name: "check_failed", params: ["i32"], results: [] });
        const id = checks++;
        const c = f.temp("i32");
        f.i32.const(0).local.set(c);
        const done = f.block();
        const top = f.loop();
        f.local.get(c).i32.const(s.size).i32.ge_u().br_if(done);
        viewAddress(s.pred);
        f.local.get(c).i32.add().i32.load8_u({ align: 1 });
        f.if();
        f.i32.const(id).call(checkFailed);
        f.end();
        f.local.get(c).i32.const(1).i32.add().local.set(c);
        f.br(top);
        f.end();
        f.end();
        f.release(c);
        return;
      }
      case "tape_reverse":
        viewAddress(s.dst);
        loadI32(s.src);
        f.call(tapeRt().reversed());
        f.i32.store({ align: 4 });
        return;
      case "tape_load":
        loadI32(s.handle);
        loadI32(s.index);
        viewAddress(s.dst);
        f.call(tapeRt().load());
        return;
      default:
        unhandled(s, "statement");
    }
  }
  runRecursion(stmts(p.body, 0));
  // The memory: the layout, then the constant pool (set by a data segment at instantiation).
  const memoryBytes = pool.base + pool.byteLength;
  if (memoryBytes > WASM32_MAX_BYTES) throw new WasmMemoryLimitError(memoryBytes, [`the layout ${formatBytes(pool.base)}`, `constants ${formatBytes(pool.byteLength)}`]);
  const pages = Math.max(1, Math.ceil(memoryBytes / PAGE_BYTES));
  // Tapes start past the static data, at the first page the memory does not have yet.
  tapes?.finish(pages * PAGE_BYTES);
  m.addMemory({ min: pages }, { export: "memory" });
  if (pool.byteLength) m.addData(pool.base, pool.bytes());
  return { module: m, layout: { ...layout, pages }, kernelFunctions: fns.size };
}

/** Scratch bytes a kernel's function uses (dots pack their operands there). */
function kernelScratchBytes(k: Kernel): number {
  switch (k.kind) {
    case "dot":
      return dotScratchBytes(k);
    case "loop":
    case "reduce":
      return 0;
  }
}
