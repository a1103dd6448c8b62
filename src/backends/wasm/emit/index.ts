// The `wasm` backend's compiler: lower the jaxpr (src/backends/lower), emit
// one WebAssembly module for the program (emit_program.ts), compile it
// synchronously, instantiate it (one instance per jaxpr text, see below).
//
// Lowered programs and their compiled modules are cached per jaxpr text
// (the structural text of ir/structuralKey.ts, which determines every aval,
// parameter and literal, -0.0 and NaN included, and the dataflow), so a fresh
// `jit` of a program seen before — or the same program at another call site —
// skips lowering and code generation and reuses the engine's optimized code,
// as jax-js's kernel cache does. Making the text costs a small fraction of
// lowering.
//
// Programs compiled from the same jaxpr also share one instance, hence one
// linear memory: a call is synchronous, copies all its inputs in and its
// outputs out, and leaves nothing in memory that the next call reads, so
// sharing is unobservable, and a fresh program's first call does not pay
// for faulting in fresh memory pages (0.4 ms of the seed program's 3.4).
// (Host imports are pure math and never call back into a program. Programs
// with an `onKernel` hook get their own instance, which owns the hook.)
//
// A call copies the inputs into memory, runs the exported `run`, and copies
// the outputs out into fresh typed arrays; nothing else is allocated. A
// program with tapes (reverse mode through while loops) keeps them in its
// memory past the static data (tapes.ts): each run drops the previous run's,
// and the memory grows when a run needs more, which later runs reuse.

import type { ArrayValue, Jaxpr } from "../../../ir/core.js";
import { type Aval, type DType, avalStr, shapesEqual } from "../../../ir/dtype.js";
import { powC } from "../../../ir/prims/binary.js";
import type { CompiledProgram } from "../../backend.js";
import { lowerJaxpr } from "../../lower/index.js";
import { type Program, checkMessages } from "../../lower/kernel_ir.js";
import { RuntimeCheckError } from "../../../ir/prims/check.js";
import { structuralText } from "../../../ir/structuralKey.js";
import { checkNesting } from "../../../ir/traverse.js";
import { printWat } from "../wat.js";
import { emitModule } from "./emit_program.js";
import type { MemoryLayout } from "./layout.js";

export interface WasmCompileOptions {
  /** Called before every kernel with its id and the iteration points it will visit. */
  readonly onKernel?: (kernelId: number, points: number) => void;
}

export interface WasmProgram extends CompiledProgram {
  /** The module in the WebAssembly text format (generated on first read). */
  readonly source: string;
  /** The lowered program (kernels, buffers, plan). */
  readonly program: Program;
  /** The module's binary. */
  readonly bytes: Uint8Array;
  /** The program's linear memory (for tests: its size must not grow across calls). */
  readonly memory: WebAssembly.Memory;
  readonly layout: MemoryLayout;
}

interface Compiled {
  readonly program: Program;
  readonly module: WebAssembly.Module;
  readonly bytes: Uint8Array;
  readonly layout: MemoryLayout;
  readonly wat: () => string;
  /** The instance shared by every program compiled from this jaxpr without a hook (made on first use). */
  shared?: WebAssembly.Instance;
}

/** What a program's tapes called when they outgrow the memory wasm32 can address (tapes.ts). */
function tapeFull(): never {
  throw new RangeError(
    "wasm backend: the tapes of this run (the residuals a while loop records for its reverse pass) need more than the 4 GiB " +
      'a wasm32 memory can hold; compile it with the js backend (jit(f, { backend: "js" }))',
  );
}

/** Lowered and compiled programs by jaxpr text; bounded (least recently used dropped first). */
const PROGRAM_CACHE = new Map<string, Compiled>();
const PROGRAM_CACHE_LIMIT = 64;

function compileProgram(jaxpr: Jaxpr, debug: boolean): Compiled {
  checkNesting(jaxpr, "the wasm backend");
  const key = `${debug ? "debug " : ""}${structuralText(jaxpr)}`;
  const hit = PROGRAM_CACHE.get(key);
  if (hit) {
    PROGRAM_CACHE.delete(key);
    PROGRAM_CACHE.set(key, hit);
    return hit;
  }
  const program = lowerJaxpr(jaxpr);
  const { module: builder, layout } = emitModule(program, { debug });
  const bytes = builder.encode();
  // The text is made on demand by emitting again, so the cache keeps no builder alive.
  const compiled: Compiled = { program, module: new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), bytes, layout, wat: () => printWat(emitModule(program, { debug }).module) };
  if (PROGRAM_CACHE.size >= PROGRAM_CACHE_LIMIT) PROGRAM_CACHE.delete(PROGRAM_CACHE.keys().next().value!);
  PROGRAM_CACHE.set(key, compiled);
  return compiled;
}

/** The module the wasm backend would compile for `jaxpr`, in the WebAssembly text format (nothing is compiled). */
export function wasmText(jaxpr: Jaxpr): string {
  return printWat(emitModule(lowerJaxpr(jaxpr)).module);
}

type Typed = ArrayValue["data"];

function view(buffer: ArrayBuffer, dtype: DType, addr: number, n: number): Typed {
  if (dtype === "float32") return new Float32Array(buffer, addr, n);
  if (dtype === "int32") return new Int32Array(buffer, addr, n);
  return new Uint8Array(buffer, addr, n);
}

export function compileWasm(jaxpr: Jaxpr, options: WasmCompileOptions = {}): WasmProgram {
  const debug = options.onKernel !== undefined;
  const compiled = compileProgram(jaxpr, debug);
  const program = compiled.program;
  const onKernel = options.onKernel;
  const messages = checkMessages(program.body);
  const instantiate = (): WebAssembly.Instance =>
    new WebAssembly.Instance(compiled.module, {
      rt: {
        pow: powC,
        fmod: (x: number, y: number) => x % y,
        sin: Math.sin,
        cos: Math.cos,
        dbg: (id: number, points: number) => onKernel?.(id, points),
        tape_full: tapeFull,
        check_failed: (id: number) => {
          throw new RuntimeCheckError(messages[id] ?? `check ${id} failed`);
        },
      },
    });
  const instance = debug ? instantiate() : (compiled.shared ??= instantiate());
  const memory = instance.exports["memory"] as WebAssembly.Memory;
  const runWasm = instance.exports["run"] as () => void;
  const inAvals: Aval[] = [...jaxpr.constvars, ...jaxpr.invars].map((v) => v.aval);
  const outAvals: Aval[] = jaxpr.outvars.map((a) => a.aval);
  const { layout } = compiled;
  const buffers = program.buffers;
  // Views of the input/output regions, re-made only if the memory's buffer changes.
  let heap: ArrayBuffer | null = null;
  let inViews: Typed[] = [];
  let outViews: Typed[] = [];
  const views = (): void => {
    if (heap === memory.buffer) return;
    heap = memory.buffer;
    inViews = program.inputs.map((b) => view(heap!, buffers[b]!.dtype, layout.addr(b), buffers[b]!.size));
    outViews = program.outputs.map((b) => view(heap!, buffers[b]!.dtype, layout.addr(b), buffers[b]!.size));
  };
  return {
    get source() {
      return compiled.wat();
    },
    program,
    bytes: compiled.bytes,
    memory,
    layout,
    run(args) {
      if (args.length !== inAvals.length) throw new TypeError(`wasm backend: the program takes ${inAvals.length} arguments, got ${args.length}`);
      args.forEach((a, i) => {
        const want = inAvals[i]!;
        if (a.dtype !== want.dtype || !shapesEqual(a.shape, want.shape)) {
          throw new TypeError(`wasm backend: argument ${i} must be ${avalStr(want)}, got ${avalStr(a)}`);
        }
      });
      views();
      for (let i = 0; i < args.length; i++) (inViews[i] as Float32Array).set(args[i]!.data as Float32Array);
      runWasm();
      views();
      return outViews.map((v, i) => ({ dtype: outAvals[i]!.dtype, shape: [...outAvals[i]!.shape], data: v.slice() }));
    },
  };
}
