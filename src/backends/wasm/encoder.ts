// Serializes a ModuleBuilder to the binary format (spec chapter 5).
//
// Index spaces are assigned here: imported functions/globals first, then the
// defined ones, in the order they were added. Types are deduplicated across
// function signatures and multi-value block types.

import { ByteWriter } from "./bytes.js";
import type { Instr } from "./instr.js";
import type { DataSegment, Export, ModuleBuilder } from "./module.js";
import { LANE_OPS, MEM_OPS, PLAIN_OPS } from "./ops.js";
import type { OpDef } from "./ops.js";
import type { BlockType, FuncRef, FuncType, GlobalRef, ValType } from "./types.js";
import { funcTypeKey, VALTYPE_CODE, WasmBuildError } from "./types.js";

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const VERSION = [0x01, 0x00, 0x00, 0x00];

const Section = {
  Custom: 0,
  Type: 1,
  Import: 2,
  Function: 3,
  Memory: 5,
  Global: 6,
  Export: 7,
  Code: 10,
  Data: 11,
} as const;

const EXTERN_KIND = { func: 0x00, memory: 0x02, global: 0x03 } as const;

/** Type indices, deduplicated by signature. */
class TypeTable {
  readonly types: FuncType[] = [];
  private readonly index = new Map<string, number>();

  of(t: FuncType): number {
    const key = funcTypeKey(t);
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.types.length;
      this.types.push(t);
      this.index.set(key, i);
    }
    return i;
  }
}

interface Indices {
  func(f: FuncRef): number;
  global(g: GlobalRef): number;
  type(t: FuncType): number;
}

function valType(w: ByteWriter, t: ValType): void {
  w.byte(VALTYPE_CODE[t]);
}

function funcType(w: ByteWriter, t: FuncType): void {
  w.byte(0x60);
  w.vec(t.params, (p) => valType(w, p));
  w.vec(t.results, (r) => valType(w, r));
}

function opcode(w: ByteWriter, def: OpDef): void {
  w.byte(def.code);
  if (def.sub !== undefined) w.u32(def.sub);
}

function blockType(w: ByteWriter, bt: BlockType, ix: Indices): void {
  if (bt === undefined) w.byte(0x40);
  else if (typeof bt === "string") valType(w, bt);
  else if (bt.params.length === 0 && bt.results.length === 0) w.byte(0x40);
  else if (bt.params.length === 0 && bt.results.length === 1) valType(w, bt.results[0]!);
  else w.s32(ix.type(bt)); // s33 type index; small indices encode the same as s32
}

const SIMPLE_OPCODE = { unreachable: 0x00, nop: 0x01, return: 0x0f, drop: 0x1a, select: 0x1b } as const;
const BLOCK_OPCODE = { block: 0x02, loop: 0x03, if: 0x04 } as const;
const LOCAL_OPCODE = { "local.get": 0x20, "local.set": 0x21, "local.tee": 0x22 } as const;
const GLOBAL_OPCODE = { "global.get": 0x23, "global.set": 0x24 } as const;

export function encodeInstr(w: ByteWriter, instr: Instr, ix: Indices): void {
  switch (instr.kind) {
    case "plain":
      return opcode(w, PLAIN_OPS[instr.op]);
    case "mem":
      opcode(w, MEM_OPS[instr.op]);
      w.u32(instr.alignLog2).u32(instr.offset);
      return;
    case "lane":
      opcode(w, LANE_OPS[instr.op]);
      w.byte(instr.lane);
      return;
    case "i32.const":
      w.byte(0x41).s32(instr.value);
      return;
    case "i64.const":
      w.byte(0x42).s64(instr.value);
      return;
    case "f32.const":
      w.byte(0x43).f32(instr.value);
      return;
    case "f64.const":
      w.byte(0x44).f64(instr.value);
      return;
    case "v128.const":
      w.byte(0xfd).u32(0x0c).bytes(instr.value.bytes);
      return;
    case "i8x16.shuffle":
      w.byte(0xfd).u32(0x0d).bytes(instr.lanes);
      return;
    case "local":
      w.byte(LOCAL_OPCODE[instr.op]).u32(instr.local.index);
      return;
    case "global":
      w.byte(GLOBAL_OPCODE[instr.op]).u32(ix.global(instr.global));
      return;
    case "call":
      w.byte(0x10).u32(ix.func(instr.func));
      return;
    case "block":
      w.byte(BLOCK_OPCODE[instr.op]);
      blockType(w, instr.type, ix);
      return;
    case "else":
      w.byte(0x05);
      return;
    case "end":
      w.byte(0x0b);
      return;
    case "br":
      w.byte(instr.op === "br" ? 0x0c : 0x0d).u32(instr.depth);
      return;
    case "br_table":
      w.byte(0x0e);
      w.vec(instr.targets, (t) => w.u32(t.depth));
      w.u32(instr.fallback.depth);
      return;
    case "memory":
      switch (instr.op) {
        case "memory.size":
          w.byte(0x3f).byte(0x00);
          return;
        case "memory.grow":
          w.byte(0x40).byte(0x00);
          return;
        case "memory.copy":
          w.byte(0xfc).u32(10).byte(0x00).byte(0x00);
          return;
        case "memory.fill":
          w.byte(0xfc).u32(11).byte(0x00);
          return;
      }
      return;
    case "simple":
      w.byte(SIMPLE_OPCODE[instr.op]);
      return;
  }
}

/** Runs of equal local types: the code section's compressed local declarations. */
function localRuns(types: readonly ValType[]): [number, ValType][] {
  const runs: [number, ValType][] = [];
  for (const t of types) {
    const last = runs[runs.length - 1];
    if (last && last[1] === t) last[0]++;
    else runs.push([1, t]);
  }
  return runs;
}

function constExpr(w: ByteWriter, type: ValType, init: number | bigint | { bytes: Uint8Array }): void {
  switch (type) {
    case "i32":
      w.byte(0x41).s32(Number(init));
      break;
    case "i64":
      w.byte(0x42).s64(BigInt(init as bigint));
      break;
    case "f32":
      w.byte(0x43).f32(Number(init));
      break;
    case "f64":
      w.byte(0x44).f64(Number(init));
      break;
    case "v128":
      w.byte(0xfd).u32(0x0c).bytes((init as { bytes: Uint8Array }).bytes);
      break;
  }
  w.byte(0x0b);
}

function section(w: ByteWriter, id: number, fill: (s: ByteWriter) => void): void {
  w.byte(id).sized(fill);
}

export interface EncodeOptions {
  /** Emit the "name" custom section (function and local names for debuggers). Default true. */
  readonly names?: boolean;
}

export function encodeModule(m: ModuleBuilder, opts: EncodeOptions = {}): Uint8Array {
  for (const f of m.functions) f.finish();

  const types = new TypeTable();
  const funcIndex = new Map<FuncRef, number>();
  [...m.importedFuncs, ...m.functions].forEach((f, i) => funcIndex.set(f, i));
  const globalIndex = new Map<GlobalRef, number>();
  [...m.importedGlobals, ...m.globals].forEach((g, i) => globalIndex.set(g, i));
  const ix: Indices = {
    func(f) {
      const i = funcIndex.get(f);
      if (i === undefined) throw new WasmBuildError(`call to function '${f.name}', which is not part of this module`);
      return i;
    },
    global(g) {
      const i = globalIndex.get(g);
      if (i === undefined) throw new WasmBuildError(`use of global '${g.name}', which is not part of this module`);
      return i;
    },
    type: (t) => types.of(t),
  };

  // Function signatures first, so their indices do not depend on block types.
  for (const f of [...m.importedFuncs, ...m.functions]) types.of(f.type);
  // Bodies are encoded before the type section is written: they may add block types.
  const bodies = m.functions.map((f) => {
    const body = new ByteWriter();
    const declared = f.locals.slice(f.type.params.length).map((l) => l.type);
    body.vec(localRuns(declared), ([count, t]) => {
      body.u32(count);
      valType(body, t);
    });
    for (const instr of f.body) encodeInstr(body, instr, ix);
    body.byte(0x0b);
    return body.finish();
  });

  const w = new ByteWriter();
  w.bytes(MAGIC).bytes(VERSION);

  section(w, Section.Type, (s) => s.vec(types.types, (t) => funcType(s, t)));

  const memImport = m.memory?.import;
  const importCount = m.importedFuncs.length + m.importedGlobals.length + (memImport ? 1 : 0);
  if (importCount > 0) {
    section(w, Section.Import, (s) => {
      s.u32(importCount);
      for (const f of m.importedFuncs) {
        s.name(f.module).name(f.field).byte(EXTERN_KIND.func).u32(types.of(f.type));
      }
      if (m.memory && memImport) {
        s.name(memImport.module).name(memImport.field).byte(EXTERN_KIND.memory);
        limits(s, m.memory.limits);
      }
      for (const g of m.importedGlobals) {
        s.name(g.module).name(g.field).byte(EXTERN_KIND.global);
        valType(s, g.type);
        s.byte(g.mutable ? 1 : 0);
      }
    });
  }

  if (m.functions.length > 0) {
    section(w, Section.Function, (s) => s.vec(m.functions, (f) => s.u32(types.of(f.type))));
  }

  if (m.memory && !memImport) {
    const mem = m.memory;
    section(w, Section.Memory, (s) => {
      s.u32(1);
      limits(s, mem.limits);
    });
  }

  if (m.globals.length > 0) {
    section(w, Section.Global, (s) =>
      s.vec(m.globals, (g) => {
        valType(s, g.type);
        s.byte(g.mutable ? 1 : 0);
        constExpr(s, g.type, g.init);
      }),
    );
  }

  if (m.exports.length > 0) {
    section(w, Section.Export, (s) => s.vec(m.exports, (e) => exportEntry(s, e, ix)));
  }

  if (bodies.length > 0) {
    section(w, Section.Code, (s) => s.vec(bodies, (b) => s.u32(b.length).bytes(b)));
  }

  if (m.data.length > 0) {
    section(w, Section.Data, (s) => s.vec(m.data, (d) => dataSegment(s, d)));
  }

  if (opts.names ?? true) nameSection(w, m);
  return w.finish();
}

function limits(w: ByteWriter, l: { min: number; max?: number; shared?: boolean }): void {
  if (l.max === undefined) w.byte(0x00).u32(l.min);
  else w.byte(l.shared ? 0x03 : 0x01).u32(l.min).u32(l.max);
}

function exportEntry(w: ByteWriter, e: Export, ix: Indices): void {
  w.name(e.name);
  const t = e.target;
  if ("kind" in t && t.kind === "func") w.byte(EXTERN_KIND.func).u32(ix.func(t));
  else if ("kind" in t && t.kind === "global") w.byte(EXTERN_KIND.global).u32(ix.global(t));
  else w.byte(EXTERN_KIND.memory).u32(0);
}

function dataSegment(w: ByteWriter, d: DataSegment): void {
  w.byte(0x00); // active, memory 0
  constExpr(w, "i32", d.offset);
  w.u32(d.bytes.length).bytes(d.bytes);
}

/** The "name" custom section: function and local names for debuggers and stack traces. */
function nameSection(w: ByteWriter, m: ModuleBuilder): void {
  const funcs = [...m.importedFuncs, ...m.functions];
  section(w, Section.Custom, (s) => {
    s.name("name");
    s.byte(1).sized((sub) => {
      sub.u32(funcs.length);
      funcs.forEach((f, i) => sub.u32(i).name(f.name));
    });
    s.byte(2).sized((sub) => {
      sub.u32(m.functions.length);
      m.functions.forEach((f, i) => {
        sub.u32(m.importedFuncs.length + i);
        sub.vec(f.locals, (l) => sub.u32(l.index).name(l.name));
      });
    });
  });
}
