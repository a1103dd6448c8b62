// Building one function body: typed instruction namespaces in the shape of
// the text format (`f.local.get(x); f.f32x4.add();`), labels as objects
// instead of relative depths, and an operand-stack checker that rejects a
// wrong instruction where it is written.

import type { Instr, Label, V128Shape } from "./instr.js";
import { LANE_OPS, MEM_OPS, PLAIN_OPS, parseSig } from "./ops.js";
import type { LaneOpName, MemOpName, PlainOpName } from "./ops.js";
import { OperandStack } from "./stack.js";
import type { StackType } from "./stack.js";
import type { BlockType, FuncRef, FuncType, GlobalRef, Local, ValType } from "./types.js";
import { blockFuncType, formatTypes, WasmBuildError } from "./types.js";
import { v128Const } from "./v128.js";

/** Memory access immediate: byte offset added to the address, alignment hint in bytes. */
export interface MemArg {
  readonly offset?: number;
  /** Alignment in bytes (a power of two, at most the access width); defaults to the access width. */
  readonly align?: number;
}

type Suffix<K, NS extends string> = K extends `${NS}.${infer M}` ? M : never;

type PlainMethods<NS extends string> = { readonly [M in Suffix<PlainOpName, NS>]: () => FunctionBuilder };
type MemMethods<NS extends string> = { readonly [M in Suffix<MemOpName, NS>]: (arg?: MemArg) => FunctionBuilder };
type LaneMethods<NS extends string> = { readonly [M in Suffix<LaneOpName, NS>]: (lane: number) => FunctionBuilder };

/** Instructions with immediates the tables do not describe: constants, shuffles, locals, globals, bulk memory. */
interface ImmediateMethods {
  i32: { const(value: number): FunctionBuilder };
  i64: { const(value: bigint | number): FunctionBuilder };
  f32: { const(value: number): FunctionBuilder };
  f64: { const(value: number): FunctionBuilder };
  v128: { const(shape: V128Shape, lanes: readonly (number | bigint)[]): FunctionBuilder };
  i8x16: { shuffle(lanes: readonly number[]): FunctionBuilder };
  local: { get(l: Local): FunctionBuilder; set(l: Local): FunctionBuilder; tee(l: Local): FunctionBuilder };
  global: { get(g: GlobalRef): FunctionBuilder; set(g: GlobalRef): FunctionBuilder };
  memory: {
    /** Current size in 64 KiB pages. */
    size(): FunctionBuilder;
    /** [delta pages] -> [old size or -1]. */
    grow(): FunctionBuilder;
    /** [dest src n] -> []. */
    copy(): FunctionBuilder;
    /** [dest byte n] -> []. */
    fill(): FunctionBuilder;
  };
}

export type NamespaceName = keyof ImmediateMethods | "i16x8" | "i32x4" | "f32x4" | "f64x2";

/** `f.i32`, `f.f32x4`, ...: one method per instruction of that prefix. */
export type Namespace<NS extends NamespaceName> = PlainMethods<NS> &
  MemMethods<NS> &
  LaneMethods<NS> &
  (NS extends keyof ImmediateMethods ? ImmediateMethods[NS] : unknown);

const NAMESPACES: readonly NamespaceName[] = ["i32", "i64", "f32", "f64", "v128", "i8x16", "i16x8", "i32x4", "f32x4", "f64x2", "local", "global", "memory"];

/**
 * A namespace object holds only the builder it writes to; its methods live on
 * a prototype made once per namespace from the opcode tables (see
 * `FunctionBuilder.NAMESPACE_CLASSES`), so a new builder allocates one small
 * object per namespace, not a closure per instruction.
 */
class NamespaceView {
  constructor(readonly builder: FunctionBuilder) {}
}

type NamespaceClasses = { readonly [NS in NamespaceName]: new (builder: FunctionBuilder) => Namespace<NS> };

export interface FunctionSpec<P extends Record<string, ValType>> {
  readonly name: string;
  /** Parameters by name, in order. */
  readonly params?: P;
  readonly results?: readonly ValType[];
}

/** Identifier characters the text format allows, minus the ones that would need care when printing. */
export function sanitizeName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_.$\-+*/:<=>?@!#%&'^|~`]/g, "_");
  return s === "" ? "_" : s;
}

export class FunctionBuilder<P extends Record<string, ValType> = Record<string, ValType>> implements FuncRef {
  readonly kind = "func";
  readonly type: FuncType;
  /** Parameters by name (`f.params.ptr`). */
  readonly params: { readonly [K in keyof P]: Local };
  /** Parameters then declared locals, in index order. */
  readonly locals: Local[] = [];
  readonly body: Instr[] = [];

  readonly i32 = this.namespace("i32");
  readonly i64 = this.namespace("i64");
  readonly f32 = this.namespace("f32");
  readonly f64 = this.namespace("f64");
  readonly v128 = this.namespace("v128");
  readonly i8x16 = this.namespace("i8x16");
  readonly i16x8 = this.namespace("i16x8");
  readonly i32x4 = this.namespace("i32x4");
  readonly f32x4 = this.namespace("f32x4");
  readonly f64x2 = this.namespace("f64x2");

  readonly local = this.namespace("local");
  readonly global = this.namespace("global");
  readonly memory = this.namespace("memory");

  private readonly stack: OperandStack;
  private readonly localNames = new Set<string>();
  private readonly free = new Map<ValType, Local[]>();
  private labelCount = 0;
  private current = "";
  private finished = false;

  readonly name: string;

  constructor(spec: FunctionSpec<P>) {
    this.name = sanitizeName(spec.name);
    const params = (spec.params ?? {}) as P;
    this.type = { params: Object.values(params), results: spec.results ?? [] };
    const byName: Record<string, Local> = {};
    for (const [name, type] of Object.entries(params)) byName[name] = this.declare(type, name);
    this.params = byName as { readonly [K in keyof P]: Local };
    this.stack = new OperandStack(() => `function '${this.name}', instruction #${this.body.length} (${this.current})`, this.type.results);
  }

  /** One class per namespace, its prototype holding a method per instruction of the tables (built once, at class definition). */
  private static readonly NAMESPACE_CLASSES: NamespaceClasses = FunctionBuilder.namespaceClasses();

  private static namespaceClasses(): NamespaceClasses {
    const classes = Object.fromEntries(NAMESPACES.map((ns) => [ns, class extends NamespaceView {}]));
    const method = (full: string, fn: (this: NamespaceView, ...args: never[]) => FunctionBuilder) => {
      const dot = full.indexOf(".");
      Object.defineProperty(classes[full.slice(0, dot)]!.prototype, full.slice(dot + 1), { value: fn, writable: true, configurable: true });
    };
    for (const op of Object.keys(PLAIN_OPS) as PlainOpName[]) {
      method(op, function () {
        return this.builder.op(op);
      });
    }
    for (const op of Object.keys(MEM_OPS) as MemOpName[]) {
      method(op, function (arg?: MemArg) {
        return this.builder.memOp(op, arg);
      });
    }
    for (const op of Object.keys(LANE_OPS) as LaneOpName[]) {
      method(op, function (lane: number) {
        return this.builder.laneOp(op, lane);
      });
    }
    method("i32.const", function (v: number) {
      return this.builder.i32Const(v);
    });
    method("i64.const", function (v: bigint | number) {
      return this.builder.i64Const(v);
    });
    method("f32.const", function (v: number) {
      return this.builder.f32Const(v);
    });
    method("f64.const", function (v: number) {
      return this.builder.f64Const(v);
    });
    method("v128.const", function (shape: V128Shape, lanes: readonly (number | bigint)[]) {
      return this.builder.v128Const(shape, lanes);
    });
    method("i8x16.shuffle", function (lanes: readonly number[]) {
      return this.builder.shuffle(lanes);
    });
    for (const op of ["local.get", "local.set", "local.tee"] as const) {
      method(op, function (l: Local) {
        return this.builder.localOp(op, l);
      });
    }
    for (const op of ["global.get", "global.set"] as const) {
      method(op, function (g: GlobalRef) {
        return this.builder.globalOp(op, g);
      });
    }
    method("memory.size", function () {
      return this.builder.memoryOp("memory.size", [], ["i32"]);
    });
    method("memory.grow", function () {
      return this.builder.memoryOp("memory.grow", ["i32"], ["i32"]);
    });
    method("memory.copy", function () {
      return this.builder.memoryOp("memory.copy", ["i32", "i32", "i32"], []);
    });
    method("memory.fill", function () {
      return this.builder.memoryOp("memory.fill", ["i32", "i32", "i32"], []);
    });
    // The methods come from the tables at run time; the table-derived `Namespace` types say what they are.
    return classes as unknown as NamespaceClasses;
  }

  private namespace<NS extends NamespaceName>(ns: NS): Namespace<NS> {
    return new FunctionBuilder.NAMESPACE_CLASSES[ns](this);
  }

  // ---- locals -------------------------------------------------------------

  private declare(type: ValType, name: string): Local {
    let unique = sanitizeName(name);
    for (let k = 1; this.localNames.has(unique); k++) unique = `${sanitizeName(name)}_${k}`;
    this.localNames.add(unique);
    const l: Local = { kind: "local", index: this.locals.length, type, name: unique };
    this.locals.push(l);
    return l;
  }

  /** Declares a local (zero-initialised, as wasm locals are). */
  addLocal(type: ValType, name = `l${this.locals.length}`): Local {
    return this.declare(type, name);
  }

  /** A scratch local from a per-type pool; hand it back with `release` once its value is dead. */
  temp(type: ValType): Local {
    return this.free.get(type)?.pop() ?? this.declare(type, `tmp_${type}`);
  }

  release(l: Local): void {
    const pool = this.free.get(l.type) ?? [];
    if (pool.includes(l)) throw new WasmBuildError(`function '${this.name}': local '${l.name}' released twice`);
    pool.push(l);
    this.free.set(l.type, pool);
  }

  // ---- stack inspection ---------------------------------------------------

  /** The operand stack's types right now, bottom first. */
  get stackTypes(): readonly StackType[] {
    return this.stack.types;
  }

  /** Number of open blocks. */
  get blockDepth(): number {
    return this.stack.depth;
  }

  // ---- emission -----------------------------------------------------------

  private emit(instr: Instr): this {
    if (this.finished) throw new WasmBuildError(`function '${this.name}': instruction after the body was finished`);
    this.body.push(instr);
    return this;
  }

  private typed(name: string, params: readonly ValType[], results: readonly ValType[], instr: Instr): this {
    this.current = name;
    this.stack.apply(params, results);
    return this.emit(instr);
  }

  /** Any stack-only instruction by its text name (table-driven emitters). */
  op(name: PlainOpName): this {
    const def = PLAIN_OPS[name];
    if (!def) throw new WasmBuildError(`function '${this.name}': unknown instruction '${name}'`);
    const { params, results } = parseSig(def.sig);
    return this.typed(name, params, results, { kind: "plain", op: name });
  }

  /** A load or store by its text name. */
  memOp(name: MemOpName, arg: MemArg = {}): this {
    const def = MEM_OPS[name];
    const offset = arg.offset ?? 0;
    const align = arg.align ?? 2 ** def.naturalAlign;
    const alignLog2 = Math.log2(align);
    this.current = name;
    if (!Number.isInteger(alignLog2) || alignLog2 < 0 || alignLog2 > def.naturalAlign) {
      throw new WasmBuildError(`function '${this.name}': ${name} alignment ${align} must be a power of two ≤ ${2 ** def.naturalAlign}`);
    }
    if (!Number.isInteger(offset) || offset < 0 || offset > 0xffffffff) {
      throw new WasmBuildError(`function '${this.name}': ${name} offset ${offset} is not a u32`);
    }
    const { params, results } = parseSig(def.sig);
    return this.typed(name, params, results, { kind: "mem", op: name, offset, alignLog2 });
  }

  /** A lane extract/replace by its text name. */
  laneOp(name: LaneOpName, lane: number): this {
    const def = LANE_OPS[name];
    if (!Number.isInteger(lane) || lane < 0 || lane >= def.lanes) {
      throw new WasmBuildError(`function '${this.name}': ${name} lane ${lane} is out of range 0..${def.lanes - 1}`);
    }
    const { params, results } = parseSig(def.sig);
    return this.typed(name, params, results, { kind: "lane", op: name, lane });
  }

  private i32Const(value: number): this {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
      throw new WasmBuildError(`function '${this.name}': i32.const ${value} is not a 32-bit integer`);
    }
    return this.typed("i32.const", [], ["i32"], { kind: "i32.const", value: value | 0 });
  }

  private i64Const(value: bigint | number): this {
    const v = typeof value === "bigint" ? value : BigInt(value);
    return this.typed("i64.const", [], ["i64"], { kind: "i64.const", value: BigInt.asIntN(64, v) });
  }

  private f32Const(value: number): this {
    return this.typed("f32.const", [], ["f32"], { kind: "f32.const", value: Math.fround(value) });
  }

  private f64Const(value: number): this {
    return this.typed("f64.const", [], ["f64"], { kind: "f64.const", value });
  }

  private v128Const(shape: V128Shape, lanes: readonly (number | bigint)[]): this {
    return this.typed("v128.const", [], ["v128"], { kind: "v128.const", value: v128Const(shape, lanes) });
  }

  private shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16 || lanes.some((l) => !Number.isInteger(l) || l < 0 || l > 31)) {
      throw new WasmBuildError(`function '${this.name}': i8x16.shuffle needs 16 lane indices in 0..31`);
    }
    return this.typed("i8x16.shuffle", ["v128", "v128"], ["v128"], { kind: "i8x16.shuffle", lanes: [...lanes] });
  }

  private localOp(op: "local.get" | "local.set" | "local.tee", l: Local): this {
    if (this.locals[l.index] !== l) throw new WasmBuildError(`function '${this.name}': ${op} of '${l.name}', a local of another function`);
    const params = op === "local.get" ? [] : [l.type];
    const results = op === "local.set" ? [] : [l.type];
    return this.typed(op, params, results, { kind: "local", op, local: l });
  }

  private globalOp(op: "global.get" | "global.set", g: GlobalRef): this {
    if (op === "global.set" && !g.mutable) throw new WasmBuildError(`function '${this.name}': global.set of immutable global '${g.name}'`);
    return this.typed(op, op === "global.get" ? [] : [g.type], op === "global.get" ? [g.type] : [], { kind: "global", op, global: g });
  }

  private memoryOp(op: "memory.size" | "memory.grow" | "memory.copy" | "memory.fill", params: ValType[], results: ValType[]): this {
    return this.typed(op, params, results, { kind: "memory", op });
  }

  // ---- control --------------------------------------------------------------

  private open(op: "block" | "loop" | "if", type: BlockType, name: string | undefined): Label {
    const label: Label = { kind: op, name: sanitizeName(name ?? `${op === "if" ? "if" : op}${this.labelCount}`), used: false };
    this.labelCount++;
    const ft = blockFuncType(type);
    this.current = op;
    this.stack.openBlock(op, label, ft.params, ft.results);
    this.emit({ kind: "block", op, type, label });
    return label;
  }

  /** Opens a block; a branch to its label jumps past its `end`. */
  block(type?: BlockType, name?: string): Label {
    return this.open("block", type, name);
  }

  /** Opens a loop; a branch to its label jumps back to its start. */
  loop(type?: BlockType, name?: string): Label {
    return this.open("loop", type, name);
  }

  /** Pops an i32 condition and opens the then-branch. */
  if(type?: BlockType, name?: string): Label {
    return this.open("if", type, name);
  }

  else(): this {
    this.current = "else";
    this.stack.else();
    return this.emit({ kind: "else" });
  }

  end(): this {
    this.current = "end";
    this.stack.end();
    return this.emit({ kind: "end" });
  }

  br(label: Label): this {
    this.current = "br";
    const { depth, types } = this.stack.target(label);
    this.stack.popAll(types);
    this.stack.markUnreachable();
    label.used = true;
    return this.emit({ kind: "br", op: "br", label, depth });
  }

  br_if(label: Label): this {
    this.current = "br_if";
    this.stack.pop("i32");
    const { depth, types } = this.stack.target(label);
    this.stack.popAll(types);
    this.stack.pushAll(types);
    label.used = true;
    return this.emit({ kind: "br", op: "br_if", label, depth });
  }

  /** Pops an i32 index and branches to `labels[index]`, or to `fallback` when out of range. */
  br_table(labels: readonly Label[], fallback: Label): this {
    this.current = "br_table";
    this.stack.pop("i32");
    const def = this.stack.target(fallback);
    const targets = labels.map((label) => {
      const t = this.stack.target(label);
      if (t.types.length !== def.types.length) {
        throw new WasmBuildError(
          `function '${this.name}': br_table target '${label.name}' carries ${formatTypes(t.types)} but the default carries ${formatTypes(def.types)}`,
        );
      }
      label.used = true;
      return { label, depth: t.depth };
    });
    this.stack.popAll(def.types);
    this.stack.markUnreachable();
    fallback.used = true;
    return this.emit({ kind: "br_table", targets, fallback: { label: fallback, depth: def.depth } });
  }

  return(): this {
    this.current = "return";
    this.stack.popAll(this.stack.functionResults());
    this.stack.markUnreachable();
    return this.emit({ kind: "simple", op: "return" });
  }

  unreachable(): this {
    this.current = "unreachable";
    this.stack.markUnreachable();
    return this.emit({ kind: "simple", op: "unreachable" });
  }

  nop(): this {
    return this.emit({ kind: "simple", op: "nop" });
  }

  drop(): this {
    this.current = "drop";
    this.stack.pop();
    return this.emit({ kind: "simple", op: "drop" });
  }

  /** [a b cond] -> [cond ? a : b], for two values of the same type. */
  select(): this {
    this.current = "select";
    this.stack.pop("i32");
    const b = this.stack.pop();
    const a = this.stack.pop(b === "unknown" ? undefined : b);
    this.stack.push(a === "unknown" ? b : a);
    return this.emit({ kind: "simple", op: "select" });
  }

  call(func: FuncRef): this {
    return this.typed(`call ${func.name}`, func.type.params, func.type.results, { kind: "call", func });
  }

  /** Checks the body is complete (no open block, exactly the results on the stack). Idempotent. */
  finish(): this {
    if (!this.finished) {
      this.current = "end of function";
      this.stack.finish();
      this.finished = true;
    }
    return this;
  }
}
