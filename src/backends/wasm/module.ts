// A module under construction: functions, imports, one memory, globals,
// exports and data segments. `encode()` gives the binary, `toWat()` the text
// (see encoder.ts and wat.ts); both read the same builder state.

import { encodeModule } from "./encoder.js";
import type { EncodeOptions } from "./encoder.js";
import { FunctionBuilder, sanitizeName } from "./func.js";
import type { FunctionSpec } from "./func.js";
import type { V128Const } from "./instr.js";
import type { FuncRef, FuncType, GlobalRef, ValType } from "./types.js";
import { WasmBuildError } from "./types.js";
import { printWat } from "./wat.js";

/** Memory size in 64 KiB pages. */
export interface MemoryLimits {
  readonly min: number;
  readonly max?: number;
  /** Shared memory (threads); requires `max`. */
  readonly shared?: boolean;
}

export interface ImportedFunc extends FuncRef {
  readonly module: string;
  readonly field: string;
}

export interface ImportedGlobal extends GlobalRef {
  readonly module: string;
  readonly field: string;
}

export interface DefinedGlobal extends GlobalRef {
  /** Constant initial value (bigint for i64, a v128 constant for v128). */
  readonly init: number | bigint | V128Const;
}

export interface Memory {
  readonly name: string;
  readonly limits: MemoryLimits;
  readonly import?: { readonly module: string; readonly field: string };
}

export type ExportTarget = FuncRef | GlobalRef | Memory;

export interface Export {
  readonly name: string;
  readonly target: ExportTarget;
}

export interface DataSegment {
  /** Byte address in the memory where the bytes are placed at instantiation. */
  readonly offset: number;
  readonly bytes: Uint8Array;
}

export const PAGE_BYTES = 65536;

function checkLimits(what: string, l: MemoryLimits): void {
  const ok = (n: number) => Number.isInteger(n) && n >= 0 && n <= 65536;
  if (!ok(l.min) || (l.max !== undefined && (!ok(l.max) || l.max < l.min))) {
    throw new WasmBuildError(`${what}: invalid limits min=${l.min} max=${l.max} (pages, 0..65536, min ≤ max)`);
  }
  if (l.shared && l.max === undefined) throw new WasmBuildError(`${what}: a shared memory needs a maximum`);
}

export class ModuleBuilder {
  readonly importedFuncs: ImportedFunc[] = [];
  readonly functions: FunctionBuilder[] = [];
  readonly importedGlobals: ImportedGlobal[] = [];
  readonly globals: DefinedGlobal[] = [];
  readonly exports: Export[] = [];
  readonly data: DataSegment[] = [];
  memory: Memory | undefined;
  private readonly funcNames = new Set<string>();
  private readonly globalNames = new Set<string>();
  private readonly exportNames = new Set<string>();

  private unique(names: Set<string>, name: string): string {
    const base = sanitizeName(name);
    let n = base;
    for (let k = 1; names.has(n); k++) n = `${base}_${k}`;
    names.add(n);
    return n;
  }

  /** A function defined in this module; `export` also exports it under that name. */
  addFunction<P extends Record<string, ValType>>(spec: FunctionSpec<P> & { readonly export?: string }): FunctionBuilder<P> {
    const f = new FunctionBuilder<P>({ ...spec, name: this.unique(this.funcNames, spec.name) });
    this.functions.push(f);
    if (spec.export !== undefined) this.export(spec.export, f);
    return f;
  }

  importFunction(module: string, field: string, spec: { readonly name?: string } & FuncType): ImportedFunc {
    const f: ImportedFunc = {
      kind: "func",
      name: this.unique(this.funcNames, spec.name ?? `${module}.${field}`),
      type: { params: spec.params, results: spec.results },
      module,
      field,
    };
    this.importedFuncs.push(f);
    return f;
  }

  private setMemory(m: Memory): Memory {
    if (this.memory) throw new WasmBuildError(`module: a second memory '${m.name}' (only one memory is supported)`);
    checkLimits(`memory '${m.name}'`, m.limits);
    this.memory = m;
    return m;
  }

  /** The module's own memory. Memory grows with `memory.grow` up to `max` (unbounded when absent). */
  addMemory(limits: MemoryLimits, opts: { readonly name?: string; readonly export?: string } = {}): Memory {
    const m = this.setMemory({ name: sanitizeName(opts.name ?? "memory"), limits });
    if (opts.export !== undefined) this.export(opts.export, m);
    return m;
  }

  /** A memory provided by the host (e.g. shared with other modules or read by JS directly). */
  importMemory(module: string, field: string, limits: MemoryLimits, opts: { readonly name?: string } = {}): Memory {
    return this.setMemory({ name: sanitizeName(opts.name ?? "memory"), limits, import: { module, field } });
  }

  addGlobal(spec: { readonly name: string; readonly type: ValType; readonly mutable?: boolean; readonly init: number | bigint | V128Const; readonly export?: string }): GlobalRef {
    const g: DefinedGlobal = { kind: "global", name: this.unique(this.globalNames, spec.name), type: spec.type, mutable: spec.mutable ?? false, init: spec.init };
    const isV128 = typeof spec.init === "object";
    if ((spec.type === "v128") !== isV128 || (spec.type === "i64") !== (typeof spec.init === "bigint")) {
      throw new WasmBuildError(`global '${g.name}': initial value ${String(spec.init)} does not match type ${spec.type} (i64 takes a bigint, v128 a v128 constant)`);
    }
    this.globals.push(g);
    if (spec.export !== undefined) this.export(spec.export, g);
    return g;
  }

  importGlobal(module: string, field: string, spec: { readonly name?: string; readonly type: ValType; readonly mutable?: boolean }): ImportedGlobal {
    const g: ImportedGlobal = {
      kind: "global",
      name: this.unique(this.globalNames, spec.name ?? `${module}.${field}`),
      type: spec.type,
      mutable: spec.mutable ?? false,
      module,
      field,
    };
    this.importedGlobals.push(g);
    return g;
  }

  export(name: string, target: ExportTarget): void {
    if (this.exportNames.has(name)) throw new WasmBuildError(`module: duplicate export name '${name}'`);
    this.exportNames.add(name);
    this.exports.push({ name, target });
  }

  /** Bytes copied into memory at `offset` when the module is instantiated. */
  addData(offset: number, bytes: Uint8Array): void {
    if (!this.memory) throw new WasmBuildError("module: a data segment needs a memory (add or import one first)");
    if (!Number.isInteger(offset) || offset < 0 || offset > 0x7fffffff) throw new WasmBuildError(`module: data offset ${offset} is not a valid address`);
    this.data.push({ offset, bytes: bytes.slice() });
  }

  /** The binary module. Finishes every function body (checking it is complete). */
  encode(opts: EncodeOptions = {}): Uint8Array {
    return encodeModule(this, opts);
  }

  /** The module in the WebAssembly text format. */
  toWat(): string {
    return printWat(this);
  }

  /** Encodes and compiles synchronously (large modules on a browser main thread should use WebAssembly.compile). */
  compile(): WebAssembly.Module {
    return new WebAssembly.Module(this.encode() as Uint8Array<ArrayBuffer>);
  }
}
