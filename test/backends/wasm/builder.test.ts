// The builder rejects invalid code where it is written, with the function,
// instruction and operand stack in the message.
import { describe, expect, it } from "vitest";
import { ModuleBuilder, WasmBuildError } from "../../../src/backends/wasm/index.js";
import { validates } from "./helpers.js";

function fn(results: ("i32" | "f32" | "v128")[] = []) {
  const m = new ModuleBuilder();
  m.addMemory({ min: 1 });
  return { m, f: m.addFunction({ name: "bad", params: { x: "f32" }, results }) };
}

describe("operand stack checking", () => {
  it("names the instruction, the expected type and the stack", () => {
    const { f } = fn();
    f.f32.const(1).i32.const(1);
    expect(() => f.i32.add()).toThrow("function 'bad', instruction #2 (i32.add): expected i32 on top but found f32; stack [f32]");
  });

  it("an empty stack", () => {
    const { f } = fn();
    expect(() => f.f32x4.add()).toThrow(/f32x4\.add\): expected v128 but the function stack is empty/);
  });

  it("tracks the stack depth and types as instructions are added", () => {
    const { f } = fn();
    f.local.get(f.params.x).f32x4.splat().i32.const(3);
    expect(f.stackTypes).toEqual(["v128", "i32"]);
    f.i32x4.shl();
    expect(f.stackTypes).toEqual(["v128"]);
    f.block();
    expect(f.blockDepth).toBe(1);
    expect(() => f.drop()).toThrow(/block stack is empty/); // the v128 belongs to the enclosing frame
  });

  it("values left over or missing at the end of the function", () => {
    const a = fn();
    a.f.i32.const(1);
    expect(() => a.m.encode()).toThrow(/end of function\): function end: 1 value\(s\) left over/);
    const b = fn(["f32"]);
    expect(() => b.m.encode()).toThrow(/expected f32 but the function stack is empty/);
    const c = fn(["f32"]);
    c.f.local.get(c.f.params.x);
    expect(validates(c.m)).toBe(true);
  });

  it("blocks must leave exactly their results", () => {
    const { f } = fn();
    f.block("i32");
    f.i32.const(1).i32.const(2);
    expect(() => f.end()).toThrow(/end: 1 value\(s\) left over beyond the result \[i32\]/);
  });

  it("an if with results needs an else", () => {
    const { f } = fn();
    f.i32.const(1).if("f32");
    f.f32.const(1);
    expect(() => f.end()).toThrow(/if without else must leave its inputs \[\] but declares \[f32\]/);
  });

  it("branches only to enclosing blocks, with the label's values", () => {
    const { f } = fn();
    const closed = f.block();
    f.end();
    expect(() => f.br(closed)).toThrow(/branch to 'block0', which is not an enclosing block/);
    const withResult = f.block("i32");
    expect(() => f.br(withResult)).toThrow(/\(br\): expected i32 but the block stack is empty/);
  });

  it("a loop label carries the loop's parameters, not its results", () => {
    const m = new ModuleBuilder();
    const f = m.addFunction({ name: "count", params: { n: "i32" }, results: ["i32"], export: "count" });
    f.local.get(f.params.n);
    const lp = f.loop({ params: ["i32"], results: ["i32"] });
    f.i32.const(1).i32.sub(); // [n-1]
    f.local.tee(f.params.n).local.get(f.params.n).br_if(lp); // branch carries [n-1] back to the loop
    f.end();
    expect(validates(m)).toBe(true);
  });

  it("end and else need a matching block", () => {
    const { f } = fn();
    expect(() => f.end()).toThrow(/end without an open block/);
    f.block();
    expect(() => f.else()).toThrow(/else without a matching if/);
  });

  it("open blocks at the end of the function", () => {
    const { m, f } = fn();
    f.block();
    expect(() => m.encode()).toThrow(/1 block\(s\) still open/);
  });

  it("locals belong to one function; immutable globals cannot be set", () => {
    const m = new ModuleBuilder();
    const a = m.addFunction({ name: "a", params: { p: "i32" } });
    const b = m.addFunction({ name: "b" });
    expect(() => b.local.get(a.params.p)).toThrow(/local\.get of 'p', a local of another function/);
    const g = m.addGlobal({ name: "k", type: "i32", init: 1 });
    b.i32.const(2);
    expect(() => b.global.set(g)).toThrow(/global\.set of immutable global 'k'/);
  });

  it("immediates are range-checked", () => {
    const { f } = fn();
    f.v128.const("i32x4", [0, 0, 0, 0]);
    expect(() => f.f32x4.extract_lane(4)).toThrow(/lane 4 is out of range 0\.\.3/);
    expect(() => f.i32.const(2 ** 32)).toThrow(/not a 32-bit integer/);
    expect(() => f.v128.const("i8x16", [1, 2])).toThrow(/needs 16 lanes, got 2/);
    expect(() => f.v128.const("i8x16", Array(16).fill(300))).toThrow(/does not fit 8 bits/);
    expect(() => f.i8x16.shuffle(Array(16).fill(32))).toThrow(/16 lane indices in 0\.\.31/);
    f.i32.const(0);
    expect(() => f.i32.load({ offset: -1 })).toThrow(/offset -1 is not a u32/);
  });

  it("errors are WasmBuildError", () => {
    const { f } = fn();
    expect(() => f.i32.add()).toThrow(WasmBuildError);
  });
});

describe("module-level checks", () => {
  it("one memory, valid limits, data needs memory", () => {
    const m = new ModuleBuilder();
    expect(() => m.addData(0, new Uint8Array(1))).toThrow(/data segment needs a memory/);
    expect(() => m.addMemory({ min: 2, max: 1 })).toThrow(/invalid limits min=2 max=1/);
    expect(() => m.addMemory({ min: 1, shared: true })).toThrow(/shared memory needs a maximum/);
    m.addMemory({ min: 1 });
    expect(() => m.importMemory("env", "memory", { min: 1 })).toThrow(/a second memory/);
  });

  it("export names are unique; function and local names are made unique", () => {
    const m = new ModuleBuilder();
    const a = m.addFunction({ name: "k", export: "k" });
    const b = m.addFunction({ name: "k" });
    expect([a.name, b.name]).toEqual(["k", "k_1"]);
    expect(() => m.export("k", b)).toThrow(/duplicate export name 'k'/);
    expect([a.addLocal("f32", "t").name, a.addLocal("f32", "t").name, a.addLocal("i32", "odd name!").name]).toEqual(["t", "t_1", "odd_name!"]);
  });

  it("global initial values must match the type", () => {
    const m = new ModuleBuilder();
    expect(() => m.addGlobal({ name: "g", type: "i64", init: 1 })).toThrow(/does not match type i64/);
  });

  it("calls to functions of another module are caught at encoding", () => {
    const other = new ModuleBuilder().addFunction({ name: "elsewhere" });
    const m = new ModuleBuilder();
    m.addFunction({ name: "f" }).call(other);
    expect(() => m.encode()).toThrow(/call to function 'elsewhere', which is not part of this module/);
  });

  it("scratch locals are reused after release", () => {
    const m = new ModuleBuilder();
    const f = m.addFunction({ name: "f" });
    const t1 = f.temp("v128");
    f.release(t1);
    const t2 = f.temp("v128");
    const t3 = f.temp("v128");
    expect(t2).toBe(t1);
    expect(t3).not.toBe(t1);
    f.release(t2);
    expect(() => f.release(t2)).toThrow(/released twice/);
  });
});
