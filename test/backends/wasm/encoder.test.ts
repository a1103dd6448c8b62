// Binary encoding: whole-module bytes and per-instruction bytes checked
// against hand-assembled encodings from the spec's binary format tables, and
// every opcode in the tables validated by the engine.
import { describe, expect, it } from "vitest";
import type { FunctionBuilder } from "../../../src/backends/wasm/func.js";
import { LANE_OPS, MEM_OPS, ModuleBuilder, PLAIN_OPS } from "../../../src/backends/wasm/index.js";
import type { LaneOpName, MemOpName, PlainOpName, ValType } from "../../../src/backends/wasm/index.js";
import { parseSig } from "../../../src/backends/wasm/ops.js";
import { instrBytes, validates } from "./helpers.js";

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

describe("module encoding", () => {
  it("encodes a one-function module byte for byte", () => {
    const m = new ModuleBuilder();
    const f = m.addFunction({ name: "f", results: ["i32"], export: "f" });
    f.i32.const(42);
    expect([...m.encode({ names: false })]).toEqual([
      ...HEADER,
      ...[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f], // type section: [] -> [i32]
      ...[0x03, 0x02, 0x01, 0x00], // function section: func 0 has type 0
      ...[0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00], // export "f" = func 0
      ...[0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b], // code: no locals, i32.const 42, end
    ]);
  });

  it("encodes memory limits, globals, data and imports", () => {
    const m = new ModuleBuilder();
    m.importFunction("env", "log", { params: ["f32"], results: [] });
    m.addMemory({ min: 1, max: 2 });
    m.addGlobal({ name: "g", type: "i32", mutable: true, init: -1 });
    m.addData(8, new Uint8Array([1, 2, 3]));
    expect([...m.encode({ names: false })]).toEqual([
      ...HEADER,
      ...[0x01, 0x05, 0x01, 0x60, 0x01, 0x7d, 0x00], // type: [f32] -> []
      ...[0x02, 0x0b, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x6c, 0x6f, 0x67, 0x00, 0x00], // import "env" "log" func type 0
      ...[0x05, 0x04, 0x01, 0x01, 0x01, 0x02], // memory: min 1 max 2
      ...[0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x7f, 0x0b], // global: mut i32 = i32.const -1
      ...[0x0b, 0x09, 0x01, 0x00, 0x41, 0x08, 0x0b, 0x03, 0x01, 0x02, 0x03], // data at i32.const 8: 01 02 03
    ]);
  });

  it("groups locals of the same type into runs", () => {
    const m = new ModuleBuilder();
    const f = m.addFunction({ name: "f", params: { p: "i32" } });
    f.addLocal("f32");
    f.addLocal("f32");
    f.addLocal("v128");
    f.addLocal("f32");
    const bytes = [...m.encode({ names: false })];
    // code section (size 10): one body of 8 bytes: 3 runs (2×f32, 1×v128, 1×f32), then end
    const code = [0x0a, 0x0a, 0x01, 0x08, 0x03, 0x02, 0x7d, 0x01, 0x7b, 0x01, 0x7d, 0x0b];
    expect(bytes.slice(bytes.length - code.length)).toEqual(code);
  });

  it("writes a name section with function and local names", () => {
    const m = new ModuleBuilder();
    m.importFunction("env", "tick", { name: "tick", params: [], results: [] });
    const f = m.addFunction({ name: "kernel", params: { src: "i32" }, export: "kernel" });
    f.addLocal("f32", "acc");
    const mod = new WebAssembly.Module(m.encode() as Uint8Array<ArrayBuffer>);
    const [names] = WebAssembly.Module.customSections(mod, "name");
    const text = new TextDecoder().decode(names);
    expect(text).toContain("tick");
    expect(text).toContain("kernel");
    expect(text).toContain("src");
    expect(text).toContain("acc");
  });

  it("deduplicates function types and gives multi-value blocks a type index", () => {
    const m = new ModuleBuilder();
    const a = m.addFunction({ name: "a", params: { x: "i32" }, results: ["i32"] });
    a.local.get(a.params.x);
    const b = m.addFunction({ name: "b", params: { y: "i32" }, results: ["i32"] });
    b.local.get(b.params.y).i32.const(1);
    b.block({ params: ["i32", "i32"], results: ["i32"] });
    b.i32.add();
    b.end();
    const bytes = [...m.encode({ names: false })];
    // type section: two types, (i32)->(i32) shared by both functions, then the block's (i32 i32)->(i32)
    expect(bytes.slice(8, 8 + 14)).toEqual([0x01, 0x0c, 0x02, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f]);
    // the block's type index: block 0x02, s33 type index 1
    expect(bytes.join(",")).toContain([0x02, 0x01, 0x6a, 0x0b].join(","));
    expect(validates(m)).toBe(true);
  });
});

describe("instruction encoding", () => {
  const plain: [PlainOpName, number[]][] = [
    ["i32.add", [0x6a]],
    ["f64.add", [0xa0]],
    ["f32.nearest", [0x90]],
    ["f32.trunc", [0x8f]],
    ["f32.copysign", [0x98]],
    ["i32.trunc_sat_f32_s", [0xfc, 0x00]],
    ["f32.convert_i32_s", [0xb2]],
    ["i32.reinterpret_f32", [0xbc]],
    ["f32.reinterpret_i32", [0xbe]],
    ["f32x4.add", [0xfd, 0xe4, 0x01]],
    ["f32x4.pmin", [0xfd, 0xea, 0x01]],
    ["f32x4.nearest", [0xfd, 0x6a]],
    ["f32x4.trunc", [0xfd, 0x69]],
    ["i32x4.trunc_sat_f32x4_s", [0xfd, 0xf8, 0x01]],
    ["f32x4.convert_i32x4_s", [0xfd, 0xfa, 0x01]],
    ["v128.bitselect", [0xfd, 0x52]],
    ["v128.any_true", [0xfd, 0x53]],
    ["i32x4.bitmask", [0xfd, 0xa4, 0x01]],
    ["i32x4.shl", [0xfd, 0xab, 0x01]],
    ["i32x4.eq", [0xfd, 0x37]],
    ["f32x4.lt", [0xfd, 0x43]],
    ["f32x4.splat", [0xfd, 0x13]],
    ["f64x2.promote_low_f32x4", [0xfd, 0x5f]],
    ["i16x8.extend_low_i8x16_u", [0xfd, 0x89, 0x01]],
  ];
  it.each(plain)("%s", (op, bytes) => {
    const { params } = parseSig(PLAIN_OPS[op].sig);
    expect(
      instrBytes((f, mark) => {
        for (const t of params) pushZero(f, t);
        mark();
        f.op(op);
      }),
    ).toEqual(bytes);
  });

  it("memory instructions carry log2(alignment) and offset", () => {
    expect(instrBytes((f, mark) => (f.i32.const(0), mark(), f.v128.load32_splat({ offset: 8 })))).toEqual([0xfd, 0x09, 0x02, 0x08]);
    expect(instrBytes((f, mark) => (f.i32.const(0), mark(), f.v128.load({ align: 4 })))).toEqual([0xfd, 0x00, 0x02, 0x00]);
    expect(instrBytes((f, mark) => (f.i32.const(0), mark(), f.i32.load8_u({ offset: 3 })))).toEqual([0x2d, 0x00, 0x03]);
    expect(instrBytes((f, mark) => (f.i32.const(0).f32.const(0), mark(), f.f32.store({ offset: 200 })))).toEqual([0x38, 0x02, 0xc8, 0x01]);
    expect(instrBytes((f, mark) => (f.i32.const(0).v128.const("i32x4", [0, 0, 0, 0]), mark(), f.v128.store()))).toEqual([0xfd, 0x0b, 0x04, 0x00]);
  });

  it("constants", () => {
    expect(instrBytes((f) => f.i32.const(-1))).toEqual([0x41, 0x7f]);
    expect(instrBytes((f) => f.i32.const(128))).toEqual([0x41, 0x80, 0x01]);
    expect(instrBytes((f) => f.i32.const(0xffffffff))).toEqual([0x41, 0x7f]);
    expect(instrBytes((f) => f.i64.const(-1n))).toEqual([0x42, 0x7f]);
    expect(instrBytes((f) => f.f32.const(1.5))).toEqual([0x43, 0x00, 0x00, 0xc0, 0x3f]);
    expect(instrBytes((f) => f.f64.const(1))).toEqual([0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    expect(instrBytes((f) => f.v128.const("i32x4", [1, 2, 3, -1]))).toEqual([0xfd, 0x0c, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    expect(instrBytes((f) => f.v128.const("f32x4", [1, 1, 1, 1]))).toEqual([0xfd, 0x0c, 0, 0, 0x80, 0x3f, 0, 0, 0x80, 0x3f, 0, 0, 0x80, 0x3f, 0, 0, 0x80, 0x3f]);
  });

  it("lanes and shuffles", () => {
    expect(instrBytes((f, mark) => (f.v128.const("i32x4", [0, 0, 0, 0]), mark(), f.f32x4.extract_lane(3)))).toEqual([0xfd, 0x1f, 0x03]);
    expect(instrBytes((f, mark) => (f.v128.const("i32x4", [0, 0, 0, 0]).f32.const(0), mark(), f.f32x4.replace_lane(1)))).toEqual([0xfd, 0x20, 0x01]);
    const lanes = [0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 31];
    const zero = (f: FunctionBuilder) => f.v128.const("i32x4", [0, 0, 0, 0]);
    expect(instrBytes((f, mark) => (zero(f), zero(f), mark(), f.i8x16.shuffle(lanes)))).toEqual([0xfd, 0x0d, ...lanes]);
  });

  it("memory size, grow, fill, copy", () => {
    expect(instrBytes((f) => f.memory.size().drop())).toEqual([0x3f, 0x00, 0x1a]);
    expect(instrBytes((f) => f.i32.const(1).memory.grow().drop())).toEqual([0x41, 0x01, 0x40, 0x00, 0x1a]);
    expect(instrBytes((f, mark) => (f.i32.const(0).i32.const(0).i32.const(0), mark(), f.memory.fill()))).toEqual([0xfc, 0x0b, 0x00]);
    expect(instrBytes((f, mark) => (f.i32.const(0).i32.const(0).i32.const(0), mark(), f.memory.copy()))).toEqual([0xfc, 0x0a, 0x00, 0x00]);
  });

  it("structured control with label depths", () => {
    const bytes = instrBytes(
      (f) => {
        const outer = f.block();
        const lp = f.loop(undefined);
        f.local.get(f.params.i).br_if(outer); // depth 1: the block around the loop
        f.local.get(f.params.i).i32.const(1).i32.sub().local.set(f.params.i);
        f.br(lp); // depth 0
        f.end();
        f.end();
        f.local.get(f.params.i);
        f.if("i32");
        f.i32.const(1);
        f.else();
        f.i32.const(2);
        f.end();
        f.drop();
        const a = f.block();
        const b = f.block();
        f.local.get(f.params.i).br_table([a, b], a);
        f.end();
        f.end();
        f.nop().unreachable();
      },
      { i: "i32" },
    );
    expect(bytes).toEqual([
      0x02, 0x40, 0x03, 0x40, 0x20, 0x00, 0x0d, 0x01, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00, 0x0c, 0x00, 0x0b, 0x0b,
      0x20, 0x00, 0x04, 0x7f, 0x41, 0x01, 0x05, 0x41, 0x02, 0x0b, 0x1a,
      0x02, 0x40, 0x02, 0x40, 0x20, 0x00, 0x0e, 0x02, 0x01, 0x00, 0x01, 0x0b, 0x0b,
      0x01, 0x00,
    ]);
  });
});

function pushZero(f: FunctionBuilder, t: ValType): void {
  if (t === "v128") f.v128.const("i32x4", [0, 0, 0, 0]);
  else if (t === "i64") f.i64.const(0n);
  else f[t].const(0);
}

describe("every table instruction validates with its declared signature", () => {
  function moduleFor(params: readonly ValType[], results: readonly ValType[], emit: (f: FunctionBuilder) => void): ModuleBuilder {
    const m = new ModuleBuilder();
    m.addMemory({ min: 1 });
    const f = m.addFunction({ name: "t", params: Object.fromEntries(params.map((t, i) => [`p${i}`, t])), results });
    for (const l of f.locals) f.local.get(l);
    emit(f);
    return m;
  }

  it.each(Object.keys(PLAIN_OPS) as PlainOpName[])("%s", (op) => {
    const { params, results } = parseSig(PLAIN_OPS[op].sig);
    expect(validates(moduleFor(params, results, (f) => f.op(op)))).toBe(true);
  });

  it.each(Object.keys(MEM_OPS) as MemOpName[])("%s (natural alignment and align=1)", (op) => {
    const { params, results } = parseSig(MEM_OPS[op].sig);
    expect(validates(moduleFor(params, results, (f) => f.memOp(op, { offset: 4 })))).toBe(true);
    expect(validates(moduleFor(params, results, (f) => f.memOp(op, { align: 1 })))).toBe(true);
  });

  it.each(Object.keys(LANE_OPS) as LaneOpName[])("%s (first and last lane)", (op) => {
    const { params, results } = parseSig(LANE_OPS[op].sig);
    expect(validates(moduleFor(params, results, (f) => f.laneOp(op, 0)))).toBe(true);
    expect(validates(moduleFor(params, results, (f) => f.laneOp(op, LANE_OPS[op].lanes - 1)))).toBe(true);
  });

  it("rejects alignment above the natural one before the engine would", () => {
    expect(() => moduleFor(["i32"], ["f32"], (f) => f.f32.load({ align: 8 }))).toThrow(/alignment 8 must be a power of two ≤ 4/);
  });
});
