// Prints a ModuleBuilder in the WebAssembly text format, from the builder's
// instruction lists (not by disassembling bytes), so function, local, global
// and label names survive. Instructions are flat (not folded), indented by
// block depth. The output is valid WAT.

import type { Instr, Label, V128Const } from "./instr.js";
import type { DefinedGlobal, Memory, MemoryLimits, ModuleBuilder } from "./module.js";
import { MEM_OPS } from "./ops.js";
import type { BlockType, FuncType, GlobalRef, ValType } from "./types.js";

const INDENT = "  ";

/** Shortest decimal that reads back as the same float32. */
export function formatF32(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (Object.is(v, -0)) return "-0";
  for (let p = 1; p <= 9; p++) {
    const s = String(Number(v.toPrecision(p)));
    if (Math.fround(Number(s)) === v) return s;
  }
  return String(v);
}

export function formatF64(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (Object.is(v, -0)) return "-0";
  return String(v); // JS prints the shortest round-trip decimal for doubles
}

/** Small integers in decimal, bit patterns in hex. */
export function formatInt(v: number | bigint, bits: 8 | 16 | 32 | 64): string {
  const b = BigInt(v);
  if (b >= -0xffffn && b <= 0xffffn) return b.toString();
  return `0x${BigInt.asUintN(bits, b).toString(16)}`;
}

function quote(s: string): string {
  let out = '"';
  for (const byte of new TextEncoder().encode(s)) out += stringByte(byte);
  return `${out}"`;
}

function stringByte(byte: number): string {
  const printable = byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c;
  return printable ? String.fromCharCode(byte) : `\\${byte.toString(16).padStart(2, "0")}`;
}

function bytesString(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) out += stringByte(b);
  return `${out}"`;
}

function params(types: readonly ValType[]): string {
  return types.length ? ` (param ${types.join(" ")})` : "";
}

function results(types: readonly ValType[]): string {
  return types.length ? ` (result ${types.join(" ")})` : "";
}

function blockTypeText(bt: BlockType): string {
  if (bt === undefined) return "";
  if (typeof bt === "string") return ` (result ${bt})`;
  return params(bt.params) + results(bt.results);
}

function funcTypeText(t: FuncType): string {
  return params(t.params) + results(t.results);
}

function limitsText(l: MemoryLimits): string {
  return `${l.min}${l.max !== undefined ? ` ${l.max}` : ""}${l.shared ? " shared" : ""}`;
}

function v128Text(c: V128Const): string {
  const lanes = c.lanes.map((v) => {
    switch (c.shape) {
      case "f32x4":
        return formatF32(Number(v));
      case "f64x2":
        return formatF64(Number(v));
      case "i8x16":
        return formatInt(v, 8);
      case "i16x8":
        return formatInt(v, 16);
      case "i32x4":
        return formatInt(v, 32);
      case "i64x2":
        return formatInt(v, 64);
    }
  });
  return `${c.shape} ${lanes.join(" ")}`;
}

function labelRef(l: Label): string {
  return `$${l.name}`;
}

/** One instruction's text, without indentation. */
export function instrText(instr: Instr): string {
  switch (instr.kind) {
    case "plain":
      return instr.op;
    case "mem": {
      const natural = MEM_OPS[instr.op].naturalAlign;
      const offset = instr.offset ? ` offset=${instr.offset}` : "";
      const align = instr.alignLog2 !== natural ? ` align=${2 ** instr.alignLog2}` : "";
      return `${instr.op}${offset}${align}`;
    }
    case "lane":
      return `${instr.op} ${instr.lane}`;
    case "i32.const":
      return `i32.const ${formatInt(instr.value, 32)}`;
    case "i64.const":
      return `i64.const ${formatInt(instr.value, 64)}`;
    case "f32.const":
      return `f32.const ${formatF32(instr.value)}`;
    case "f64.const":
      return `f64.const ${formatF64(instr.value)}`;
    case "v128.const":
      return `v128.const ${v128Text(instr.value)}`;
    case "i8x16.shuffle":
      return `i8x16.shuffle ${instr.lanes.join(" ")}`;
    case "local":
      return `${instr.op} $${instr.local.name}`;
    case "global":
      return `${instr.op} $${instr.global.name}`;
    case "call":
      return `call $${instr.func.name}`;
    case "block":
      return `${instr.op}${instr.label.used ? ` ${labelRef(instr.label)}` : ""}${blockTypeText(instr.type)}`;
    case "else":
      return "else";
    case "end":
      return "end";
    case "br":
      return `${instr.op} ${labelRef(instr.label)}`;
    case "br_table":
      return `br_table ${[...instr.targets, instr.fallback].map((t) => labelRef(t.label)).join(" ")}`;
    case "memory":
      return instr.op;
    case "simple":
      return instr.op;
  }
}

/** The body's lines, indented by block depth starting at `base`. */
export function bodyLines(body: readonly Instr[], base: number): string[] {
  const lines: string[] = [];
  let depth = base;
  for (const instr of body) {
    if (instr.kind === "end" || instr.kind === "else") depth--;
    lines.push(INDENT.repeat(depth) + instrText(instr));
    if (instr.kind === "block" || instr.kind === "else") depth++;
  }
  return lines;
}

function globalTypeText(g: GlobalRef): string {
  return g.mutable ? `(mut ${g.type})` : g.type;
}

function globalInitText(g: DefinedGlobal): string {
  const init = g.init;
  switch (g.type) {
    case "i32":
      return `(i32.const ${formatInt(Number(init), 32)})`;
    case "i64":
      return `(i64.const ${formatInt(init as bigint, 64)})`;
    case "f32":
      return `(f32.const ${formatF32(Number(init))})`;
    case "f64":
      return `(f64.const ${formatF64(Number(init))})`;
    case "v128":
      return `(v128.const ${v128Text(init as V128Const)})`;
  }
}

function exportTargetText(t: Memory | { kind: "func" | "global"; name: string }): string {
  if ("kind" in t) return `(${t.kind} $${t.name})`;
  return `(memory $${t.name})`;
}

export function printWat(m: ModuleBuilder): string {
  const out: string[] = ["(module"];
  const ind = INDENT;
  for (const f of m.importedFuncs) {
    out.push(`${ind}(import ${quote(f.module)} ${quote(f.field)} (func $${f.name}${funcTypeText(f.type)}))`);
  }
  if (m.memory?.import) {
    out.push(`${ind}(import ${quote(m.memory.import.module)} ${quote(m.memory.import.field)} (memory $${m.memory.name} ${limitsText(m.memory.limits)}))`);
  }
  for (const g of m.importedGlobals) {
    out.push(`${ind}(import ${quote(g.module)} ${quote(g.field)} (global $${g.name} ${globalTypeText(g)}))`);
  }
  if (m.memory && !m.memory.import) out.push(`${ind}(memory $${m.memory.name} ${limitsText(m.memory.limits)})`);
  for (const g of m.globals) out.push(`${ind}(global $${g.name} ${globalTypeText(g)} ${globalInitText(g)})`);
  for (const f of m.functions) {
    const paramCount = f.type.params.length;
    const head = f.locals
      .slice(0, paramCount)
      .map((l) => ` (param $${l.name} ${l.type})`)
      .join("");
    out.push(`${ind}(func $${f.name}${head}${results(f.type.results)}`);
    for (const l of f.locals.slice(paramCount)) out.push(`${ind}${ind}(local $${l.name} ${l.type})`);
    for (const line of bodyLines(f.body, 2)) out.push(line); // not push(...lines): a body can exceed the engine's argument limit
    out.push(`${ind})`);
  }
  for (const e of m.exports) out.push(`${ind}(export ${quote(e.name)} ${exportTargetText(e.target)})`);
  for (const d of m.data) out.push(`${ind}(data (i32.const ${d.offset}) ${bytesString(d.bytes)})`);
  out.push(")");
  return `${out.join("\n")}\n`;
}
