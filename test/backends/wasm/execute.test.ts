// Scalar instructions, control flow, calls, globals, memory and imports,
// executed; expected values derived by hand.
import { describe, expect, it } from "vitest";
import { ModuleBuilder, PAGE_BYTES } from "../../../src/backends/wasm/index.js";
import { evalOp, evalWith, instantiate } from "./helpers.js";

describe("scalar numeric instructions", () => {
  it("i32 wraps and divides like C", () => {
    expect(evalOp("i32.add", [{ i32: 0x7fffffff }, { i32: 1 }])).toBe(-2147483648);
    expect(evalOp("i32.div_s", [{ i32: -7 }, { i32: 2 }])).toBe(-3);
    expect(evalOp("i32.rem_s", [{ i32: -7 }, { i32: 2 }])).toBe(-1);
    expect(evalOp("i32.div_u", [{ i32: -8 }, { i32: 2 }])).toBe(0x7ffffffc);
    expect(evalOp("i32.shr_s", [{ i32: -8 }, { i32: 1 }])).toBe(-4);
    expect(evalOp("i32.shr_u", [{ i32: -8 }, { i32: 1 }])).toBe(0x7ffffffc);
    expect(evalOp("i32.lt_u", [{ i32: -1 }, { i32: 1 }])).toBe(0);
    expect(evalOp("i32.lt_s", [{ i32: -1 }, { i32: 1 }])).toBe(1);
    expect(evalOp("i32.eqz", [{ i32: 0 }])).toBe(1);
  });

  it("i64 constants cross the boundary as BigInt, extremes included", () => {
    for (const v of [(1n << 63n) - 1n, -(1n << 63n), -5n, 1n << 40n]) expect(evalWith(() => undefined, "i64", [{ i64: v }])).toBe(v);
  });

  it("f32 rounds to float32 and follows IEEE min/max/nearest", () => {
    expect(evalOp("f32.add", [{ f32: 1 }, { f32: 2 ** -24 }])).toBe(1);
    expect(evalOp("f32.add", [{ f32: 0.1 }, { f32: 0.2 }])).toBe(Math.fround(Math.fround(0.1) + Math.fround(0.2)));
    expect(evalOp("f32.nearest", [{ f32: 2.5 }])).toBe(2);
    expect(evalOp("f32.nearest", [{ f32: -3.5 }])).toBe(-4);
    expect(evalOp("f32.nearest", [{ f32: -0.4 }])).toBe(-0);
    expect(evalOp("f32.trunc", [{ f32: -2.7 }])).toBe(-2);
    expect(evalOp("f32.floor", [{ f32: -2.5 }])).toBe(-3);
    expect(evalOp("f32.ceil", [{ f32: -2.5 }])).toBe(-2);
    expect(evalOp("f32.copysign", [{ f32: 3 }, { f32: -0 }])).toBe(-3);
    expect(evalOp("f32.min", [{ f32: -0 }, { f32: 0 }])).toBe(-0);
    expect(evalOp("f32.max", [{ f32: NaN }, { f32: 0 }])).toBeNaN();
    expect(evalOp("f32.sqrt", [{ f32: 2 }])).toBe(Math.fround(Math.SQRT2));
    expect(evalOp("f32.lt", [{ f32: NaN }, { f32: 1 }])).toBe(0);
    expect(evalOp("f32.ne", [{ f32: NaN }, { f32: NaN }])).toBe(1);
  });

  it("f64", () => {
    expect(evalOp("f64.add", [{ f64: 0.1 }, { f64: 0.2 }])).toBe(0.1 + 0.2);
    expect(evalOp("f64.div", [{ f64: 1 }, { f64: 3 }])).toBe(1 / 3);
    expect(evalOp("f64.sqrt", [{ f64: 2 }])).toBe(Math.SQRT2);
  });

  it("conversions and reinterpretations", () => {
    expect(evalOp("i32.trunc_sat_f32_s", [{ f32: 3e9 }])).toBe(2147483647);
    expect(evalOp("i32.trunc_sat_f32_s", [{ f32: NaN }])).toBe(0);
    expect(evalOp("i32.trunc_sat_f32_s", [{ f32: -1.9 }])).toBe(-1);
    expect(evalOp("f32.convert_i32_s", [{ i32: 16777217 }])).toBe(16777216);
    expect(evalOp("i32.reinterpret_f32", [{ f32: 1 }])).toBe(0x3f800000);
    expect(evalOp("i32.reinterpret_f32", [{ f32: -0 }])).toBe(-2147483648);
    expect(evalOp("f32.reinterpret_i32", [{ i32: 0x40490fdb }])).toBe(Math.fround(Math.PI));
    expect(evalOp("f64.promote_f32", [{ f32: 0.1 }])).toBe(Math.fround(0.1));
    expect(evalOp("f32.demote_f64", [{ f64: 0.1 }])).toBe(Math.fround(0.1));
  });

  it("select picks the first operand when the condition is non-zero", () => {
    expect(evalWith((f) => f.select(), "f32", [{ f32: 1.5 }, { f32: 2.5 }, { i32: 7 }])).toBe(1.5);
    expect(evalWith((f) => f.select(), "f32", [{ f32: 1.5 }, { f32: 2.5 }, { i32: 0 }])).toBe(2.5);
  });
});

describe("narrow loads and stores", () => {
  it("i32.load8_u zero-extends", () => {
    const m = new ModuleBuilder();
    m.addMemory({ min: 1 }, { export: "memory" });
    const f = m.addFunction({ name: "load", params: { p: "i32" }, results: ["i32"], export: "load" });
    f.local.get(f.params.p).i32.load8_u({ offset: 1 });
    const inst = instantiate(m);
    new Uint8Array((inst.exports.memory as WebAssembly.Memory).buffer).set([0x01, 0xff, 0x80]);
    const load = inst.exports.load as (p: number) => number;
    expect([load(0), load(1)]).toEqual([255, 128]);
  });

  it("i32.store8 truncates", () => {
    const m = new ModuleBuilder();
    m.addMemory({ min: 1 }, { export: "memory" });
    const f = m.addFunction({ name: "run", export: "run" });
    f.i32.const(0).i32.const(0x12345678).i32.store8();
    f.i32.const(4).i32.const(0x12345678).i32.store8({ offset: 2 });
    const inst = instantiate(m);
    (inst.exports.run as () => void)();
    expect([...new Uint8Array((inst.exports.memory as WebAssembly.Memory).buffer, 0, 8)]).toEqual([0x78, 0, 0, 0, 0, 0, 0x78, 0]);
  });
});

describe("control flow", () => {
  it("loop with br_if computes a factorial", () => {
    const m = new ModuleBuilder();
    const f = m.addFunction({ name: "fact", params: { n: "i32" }, results: ["i32"], export: "fact" });
    const acc = f.addLocal("i32", "acc");
    f.i32.const(1).local.set(acc);
    const done = f.block();
    const again = f.loop();
    f.local.get(f.params.n).i32.const(2).i32.lt_s().br_if(done);
    f.local.get(acc).local.get(f.params.n).i32.mul().local.set(acc);
    f.local.get(f.params.n).i32.const(1).i32.sub().local.set(f.params.n);
    f.br(again);
    f.end();
    f.end();
    f.local.get(acc);
    const fact = instantiate(m).exports.fact as (n: number) => number;
    expect([fact(0), fact(1), fact(5), fact(10)]).toEqual([1, 1, 120, 3628800]);
  });

  it("if/else with a result and early return", () => {
    const m = new ModuleBuilder();
    const f = m.addFunction({ name: "sign", params: { x: "f32" }, results: ["i32"], export: "sign" });
    f.local.get(f.params.x).f32.const(0).f32.eq();
    f.if();
    f.i32.const(0).return();
    f.end();
    f.local.get(f.params.x).f32.const(0).f32.gt();
    f.if("i32");
    f.i32.const(1);
    f.else();
    f.i32.const(-1);
    f.end();
    const sign = instantiate(m).exports.sign as (x: number) => number;
    expect([sign(2.5), sign(-0.5), sign(0), sign(-0)]).toEqual([1, -1, 0, 0]);
  });

  it("br_table dispatches, out-of-range indices take the default", () => {
    const m = new ModuleBuilder();
    const f = m.addFunction({ name: "pick", params: { i: "i32" }, results: ["i32"], export: "pick" });
    const exit = f.block("i32");
    const dflt = f.block();
    const c1 = f.block();
    const c0 = f.block();
    f.local.get(f.params.i).br_table([c0, c1], dflt);
    f.end(); // c0 lands here
    f.i32.const(10).br(exit);
    f.end(); // c1
    f.i32.const(20).br(exit);
    f.end(); // default
    f.i32.const(99);
    f.end();
    const pick = instantiate(m).exports.pick as (i: number) => number;
    expect([pick(0), pick(1), pick(2), pick(-1)]).toEqual([10, 20, 99, 99]);
  });

  it("multi-value blocks take and return several values", () => {
    const m = new ModuleBuilder();
    const f = m.addFunction({ name: "swapsub", params: { a: "i32", b: "i32" }, results: ["i32"], export: "swapsub" });
    const tmp = f.addLocal("i32");
    f.local.get(f.params.a).local.get(f.params.b);
    f.block({ params: ["i32", "i32"], results: ["i32", "i32"] });
    f.local.set(tmp).local.get(tmp).i32.const(0).i32.add(); // stack unchanged: [a, b]
    f.end();
    f.i32.sub();
    expect((instantiate(m).exports.swapsub as (a: number, b: number) => number)(10, 3)).toBe(7);
  });

  it("code after an unconditional branch is typed as unreachable", () => {
    const m = new ModuleBuilder();
    const f = m.addFunction({ name: "f", results: ["i32"], export: "f" });
    const b = f.block("i32");
    f.i32.const(5).br(b);
    f.i32.add(); // pops two unknowns: valid in dead code
    f.end();
    expect((instantiate(m).exports.f as () => number)()).toBe(5);
  });
});

describe("functions, globals, memory, imports", () => {
  it("calls a function defined later and an imported one", () => {
    const m = new ModuleBuilder();
    const seen: number[] = [];
    const log = m.importFunction("env", "log", { params: ["f32"], results: [] });
    const main = m.addFunction({ name: "main", params: { x: "f32" }, results: ["f32"], export: "main" });
    const square = m.addFunction({ name: "square", params: { v: "f32" }, results: ["f32"] });
    square.local.get(square.params.v).local.get(square.params.v).f32.mul();
    main.local.get(main.params.x).call(square).local.tee(main.params.x).call(log).local.get(main.params.x);
    const inst = instantiate(m, { env: { log: (v: number) => seen.push(v) } });
    expect((inst.exports.main as (x: number) => number)(1.5)).toBe(2.25);
    expect(seen).toEqual([2.25]);
  });

  it("a function imported after the calls were written still gets the right index", () => {
    const m = new ModuleBuilder();
    const helper = m.addFunction({ name: "helper", results: ["i32"] });
    helper.i32.const(7);
    const main = m.addFunction({ name: "main", results: ["i32"], export: "main" });
    main.call(helper);
    m.importFunction("env", "unused", { params: [], results: [] });
    const inst = instantiate(m, { env: { unused: () => undefined } });
    expect((inst.exports.main as () => number)()).toBe(7);
  });

  it("globals: defined, mutable, exported, imported", () => {
    const m = new ModuleBuilder();
    const base = m.importGlobal("env", "base", { type: "i32" });
    const counter = m.addGlobal({ name: "counter", type: "i32", mutable: true, init: 0, export: "counter" });
    m.addGlobal({ name: "big", type: "i64", init: 1n << 40n, export: "big" });
    const f = m.addFunction({ name: "tick", results: ["i32"], export: "tick" });
    f.global.get(counter).i32.const(1).i32.add().global.set(counter);
    f.global.get(counter).global.get(base).i32.add();
    const inst = instantiate(m, { env: { base: 100 } });
    const tick = inst.exports.tick as () => number;
    expect([tick(), tick(), tick()]).toEqual([101, 102, 103]);
    expect((inst.exports.counter as WebAssembly.Global).value).toBe(3);
    expect((inst.exports.big as WebAssembly.Global).value).toBe(1n << 40n);
  });

  it("memory.grow returns the old size and respects the maximum", () => {
    const m = new ModuleBuilder();
    m.addMemory({ min: 1, max: 3 }, { export: "memory" });
    const f = m.addFunction({ name: "grow", params: { pages: "i32" }, results: ["i32"], export: "grow" });
    f.local.get(f.params.pages).memory.grow();
    const g = m.addFunction({ name: "size", results: ["i32"], export: "size" });
    g.memory.size();
    const inst = instantiate(m);
    const grow = inst.exports.grow as (p: number) => number;
    const size = inst.exports.size as () => number;
    expect([grow(1), size(), grow(5), size(), grow(1), size()]).toEqual([1, 2, -1, 2, 2, 3]);
    expect((inst.exports.memory as WebAssembly.Memory).buffer.byteLength).toBe(3 * PAGE_BYTES);
  });

  it("data segments initialise memory; memory.fill and memory.copy", () => {
    const m = new ModuleBuilder();
    m.addMemory({ min: 1 }, { export: "memory" });
    m.addData(16, new Uint8Array([1, 2, 3, 4]));
    const f = m.addFunction({ name: "run", export: "run" });
    f.i32.const(0).i32.const(9).i32.const(4).memory.fill();
    f.i32.const(4).i32.const(16).i32.const(4).memory.copy();
    const inst = instantiate(m);
    const bytes = new Uint8Array((inst.exports.memory as WebAssembly.Memory).buffer);
    expect([...bytes.slice(16, 20)]).toEqual([1, 2, 3, 4]);
    (inst.exports.run as () => void)();
    expect([...bytes.slice(0, 8)]).toEqual([9, 9, 9, 9, 1, 2, 3, 4]);
  });

  it("an imported memory is shared with the host", () => {
    const m = new ModuleBuilder();
    m.importMemory("env", "memory", { min: 1 });
    const f = m.addFunction({ name: "double", params: { p: "i32" }, export: "double" });
    f.local.get(f.params.p).local.get(f.params.p).f32.load().f32.const(2).f32.mul().f32.store();
    const memory = new WebAssembly.Memory({ initial: 1 });
    const heap = new Float32Array(memory.buffer);
    heap[3] = 1.25;
    (instantiate(m, { env: { memory } }).exports.double as (p: number) => void)(12);
    expect(heap[3]).toBe(2.5);
  });

  it("compile() gives a WebAssembly.Module", () => {
    const m = new ModuleBuilder();
    m.addFunction({ name: "f", export: "f" });
    expect(WebAssembly.Module.exports(m.compile())).toEqual([{ name: "f", kind: "function" }]);
  });
});
