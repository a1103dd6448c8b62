// The WAT printer: expected text for small modules (hand-written), and the
// float formatting that keeps constants exact.
import { describe, expect, it } from "vitest";
import { ModuleBuilder } from "../../../src/backends/wasm/index.js";
import { formatF32 } from "../../../src/backends/wasm/wat.js";

describe("printWat", () => {
  it("a loop over memory: names, label use, indentation by depth", () => {
    const m = new ModuleBuilder();
    m.addMemory({ min: 1, max: 16 }, { export: "memory" });
    const f = m.addFunction({ name: "scale", params: { ptr: "i32", n: "i32" }, export: "scale" });
    const { ptr, n } = f.params;
    const end = f.addLocal("i32", "end");
    f.local.get(ptr).local.get(n).i32.const(2).i32.shl().i32.add().local.set(end);
    const done = f.block(undefined, "done");
    const body = f.loop(undefined, "next");
    f.local.get(ptr).local.get(end).i32.ge_u().br_if(done);
    f.local.get(ptr);
    f.local.get(ptr).v128.load({ align: 4 });
    f.v128.const("f32x4", [0.5, 0.5, 0.5, 0.5]).f32x4.mul();
    f.v128.store({ align: 4 });
    f.local.get(ptr).i32.const(16).i32.add().local.set(ptr);
    f.br(body);
    f.end();
    f.end();
    expect(m.toWat()).toBe(`(module
  (memory $memory 1 16)
  (func $scale (param $ptr i32) (param $n i32)
    (local $end i32)
    local.get $ptr
    local.get $n
    i32.const 2
    i32.shl
    i32.add
    local.set $end
    block $done
      loop $next
        local.get $ptr
        local.get $end
        i32.ge_u
        br_if $done
        local.get $ptr
        local.get $ptr
        v128.load align=4
        v128.const f32x4 0.5 0.5 0.5 0.5
        f32x4.mul
        v128.store align=4
        local.get $ptr
        i32.const 16
        i32.add
        local.set $ptr
        br $next
      end
    end
  )
  (export "memory" (memory $memory))
  (export "scale" (func $scale))
)
`);
  });

  it("imports, globals, data, if/else, br_table, multi-value blocks, unused labels", () => {
    const m = new ModuleBuilder();
    const log = m.importFunction("env", "log", { name: "log", params: ["f32"], results: [] });
    m.importMemory("env", "mem", { min: 2 });
    const g = m.addGlobal({ name: "count", type: "i32", mutable: true, init: 0 });
    m.addGlobal({ name: "mask", type: "i32", init: 0x7f800000 });
    m.addData(4, new Uint8Array([0, 0x41, 0xff, 0x22]));
    const f = m.addFunction({ name: "pick", params: { i: "i32", x: "f32" }, results: ["f32"] });
    f.global.get(g).i32.const(1).i32.add().global.set(g);
    const out = f.block("f32", "out");
    const other = f.block(undefined, "other");
    f.local.get(f.params.i).br_table([other], other);
    f.end();
    f.local.get(f.params.x).f32.const(-0.1).f32.lt();
    f.if("f32");
    f.f32.const(Infinity);
    f.else();
    f.local.get(f.params.x).f32x4.splat().f32x4.extract_lane(3);
    f.end();
    f.local.get(f.params.x).call(log);
    f.br(out);
    f.end();
    f.i32.const(1).i32.const(2);
    f.block({ params: ["i32", "i32"], results: ["i32"] });
    f.i32.sub();
    f.end();
    f.drop();
    f.i32.const(0).f32.load({ offset: 8, align: 2 }).f32.add();
    expect(m.toWat()).toBe(`(module
  (import "env" "log" (func $log (param f32)))
  (import "env" "mem" (memory $memory 2))
  (global $count (mut i32) (i32.const 0))
  (global $mask i32 (i32.const 0x7f800000))
  (func $pick (param $i i32) (param $x f32) (result f32)
    global.get $count
    i32.const 1
    i32.add
    global.set $count
    block $out (result f32)
      block $other
        local.get $i
        br_table $other $other
      end
      local.get $x
      f32.const -0.1
      f32.lt
      if (result f32)
        f32.const inf
      else
        local.get $x
        f32x4.splat
        f32x4.extract_lane 3
      end
      local.get $x
      call $log
      br $out
    end
    i32.const 1
    i32.const 2
    block (param i32 i32) (result i32)
      i32.sub
    end
    drop
    i32.const 0
    f32.load offset=8 align=2
    f32.add
  )
  (data (i32.const 4) "\\00A\\ff\\22")
)
`);
  });
});

describe("formatF32", () => {
  it.each([
    [0.1, "0.1"],
    [1 / 3, "0.33333334"],
    [0.693359375, "0.6933594"],
    [1e-45, "1e-45"],
    [3.4028234663852886e38, "3.4028235e+38"],
    [-0, "-0"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
    [NaN, "nan"],
  ])("%s → %s", (v, text) => {
    expect(formatF32(Math.fround(v))).toBe(text);
    // the text reads back as the same float32
    if (!Number.isNaN(v)) expect(Math.fround(Number(text.replace("inf", "Infinity")))).toBe(Math.fround(v));
  });
});
