// SIMD instructions executed on concrete lanes; expected values derived by
// hand from the instruction semantics (spec 4.3.2, SIMD proposal).
import { describe, expect, it } from "vitest";
import type { FunctionBuilder } from "../../../src/backends/wasm/func.js";
import { ModuleBuilder } from "../../../src/backends/wasm/index.js";
import type { PlainOpName } from "../../../src/backends/wasm/index.js";
import { evalOp, evalWith, f32x4, i32x4, instantiate } from "./helpers.js";
import type { Arg } from "./helpers.js";

const f32 = Math.fround;
const NaN4 = NaN;

type Case = [PlainOpName, Arg[], (number | bigint)[] | number];

function check(op: PlainOpName, args: Arg[], expected: (number | bigint)[] | number, shape: "f32x4" | "i32x4" = "i32x4") {
  const got = evalOp(op, args, shape);
  // toEqual distinguishes -0 from 0 and treats NaN as equal to NaN
  expect(got).toEqual(expected);
}

describe("f32x4 arithmetic", () => {
  const a = f32x4(1.5, -2, 0.25, 8);
  const b = f32x4(0.5, 4, -0.25, 2);
  const cases: Case[] = [
    ["f32x4.add", [a, b], [2, 2, 0, 10]],
    ["f32x4.sub", [a, b], [1, -6, 0.5, 6]],
    ["f32x4.mul", [a, b], [0.75, -8, -0.0625, 16]],
    ["f32x4.div", [a, b], [3, -0.5, -1, 4]],
    ["f32x4.min", [a, b], [0.5, -2, -0.25, 2]],
    ["f32x4.max", [a, b], [1.5, 4, 0.25, 8]],
    // min/max propagate NaN and order -0 < +0; pmin/pmax are b<a?b:a and a<b?b:a
    ["f32x4.min", [f32x4(NaN4, 1, 0, -0), f32x4(1, NaN4, -0, 0)], [NaN4, NaN4, -0, -0]],
    ["f32x4.max", [f32x4(NaN4, 1, 0, -0), f32x4(1, NaN4, -0, 0)], [NaN4, NaN4, 0, 0]],
    ["f32x4.pmin", [f32x4(NaN4, 1, 0, -0), f32x4(1, NaN4, -0, 0)], [NaN4, 1, 0, -0]],
    ["f32x4.pmax", [f32x4(NaN4, 1, 0, -0), f32x4(1, NaN4, -0, 0)], [NaN4, 1, 0, -0]],
    ["f32x4.pmax", [f32x4(1, 5, -3, 2), f32x4(2, 4, -4, 2)], [2, 5, -3, 2]],
    ["f32x4.sqrt", [f32x4(4, 9, 2, -1)], [2, 3, f32(Math.SQRT2), NaN4]],
    ["f32x4.abs", [f32x4(-1.5, 2, -0, -Infinity)], [1.5, 2, 0, Infinity]],
    ["f32x4.neg", [f32x4(1.5, -2, 0, Infinity)], [-1.5, 2, -0, -Infinity]],
    ["f32x4.ceil", [f32x4(1.5, -1.5, 2, -0.25)], [2, -1, 2, -0]],
    ["f32x4.floor", [f32x4(1.5, -1.5, 2, -0.25)], [1, -2, 2, -1]],
    ["f32x4.trunc", [f32x4(1.7, -1.7, 2.5, -0.25)], [1, -1, 2, -0]],
    ["f32x4.nearest", [f32x4(0.5, 1.5, 2.5, -0.5)], [0, 2, 2, -0]],
    ["f32x4.convert_i32x4_s", [i32x4(-3, 0, 7, 16777217)], [-3, 0, 7, 16777216]],
  ];
  it.each(cases)("%s %#", (op, args, expected) => check(op, args, expected, "f32x4"));

  it("rounds every lane to float32 (1 + 2^-24 ties to even)", () => {
    check("f32x4.add", [f32x4(1, 1, 3, 0.1), f32x4(2 ** -24, 2 ** -23, 2 ** -23, 0.2)], [1, 1 + 2 ** -23, 3, f32(f32(0.1) + f32(0.2))], "f32x4");
  });
});

describe("f32x4 comparisons give all-ones lanes", () => {
  const a = f32x4(1, 2, 3, NaN4);
  const b = f32x4(2, 2, 2, 1);
  const cases: Case[] = [
    ["f32x4.eq", [f32x4(1, 2, NaN4, 0), f32x4(1, 3, NaN4, -0)], [-1, 0, 0, -1]],
    ["f32x4.ne", [f32x4(1, 2, NaN4, 0), f32x4(1, 3, NaN4, -0)], [0, -1, -1, 0]],
    ["f32x4.lt", [a, b], [-1, 0, 0, 0]],
    ["f32x4.gt", [a, b], [0, 0, -1, 0]],
    ["f32x4.le", [a, b], [-1, -1, 0, 0]],
    ["f32x4.ge", [a, b], [0, -1, -1, 0]],
  ];
  it.each(cases)("%s", (op, args, expected) => check(op, args, expected));
});

describe("i32x4", () => {
  const a = i32x4(1, -2, 0x7fffffff, 5);
  const b = i32x4(3, 4, 1, -5);
  const cases: Case[] = [
    ["i32x4.add", [a, b], [4, 2, -2147483648, 0]],
    ["i32x4.sub", [a, b], [-2, -6, 2147483646, 10]],
    ["i32x4.mul", [a, b], [3, -8, 2147483647, -25]],
    ["i32x4.mul", [i32x4(65536, -1, 3, 0), i32x4(65536, -1, -3, 9)], [0, 1, -9, 0]],
    ["i32x4.min_s", [a, b], [1, -2, 1, -5]],
    ["i32x4.max_s", [a, b], [3, 4, 2147483647, 5]],
    ["i32x4.abs", [i32x4(-5, 5, -2147483648, 0)], [5, 5, -2147483648, 0]],
    ["i32x4.neg", [i32x4(-5, 5, -2147483648, 0)], [5, -5, -2147483648, 0]],
    ["i32x4.eq", [i32x4(1, 2, 3, 4), i32x4(1, 0, 3, 0)], [-1, 0, -1, 0]],
    ["i32x4.ne", [i32x4(1, 2, 3, 4), i32x4(1, 0, 3, 0)], [0, -1, 0, -1]],
    ["i32x4.lt_s", [i32x4(-1, 2, 3, 4), i32x4(1, 2, 5, 0)], [-1, 0, -1, 0]],
    ["i32x4.gt_s", [i32x4(-1, 2, 3, 4), i32x4(1, 2, 5, 0)], [0, 0, 0, -1]],
    ["i32x4.le_s", [i32x4(-1, 2, 3, 4), i32x4(1, 2, 5, 0)], [-1, -1, -1, 0]],
    ["i32x4.ge_s", [i32x4(-1, 2, 3, 4), i32x4(1, 2, 5, 0)], [0, -1, 0, -1]],
    ["i32x4.trunc_sat_f32x4_s", [f32x4(1.9, -1.9, 3e9, NaN4)], [1, -1, 2147483647, 0]],
    ["i32x4.trunc_sat_f32x4_s", [f32x4(-3e9, -0, Infinity, -Infinity)], [-2147483648, 0, 2147483647, -2147483648]],
  ];
  it.each(cases)("%s %#", (op, args, expected) => check(op, args, expected));

  it("shifts take an i32 count modulo 32", () => {
    check("i32x4.shl", [i32x4(1, -1, 3, 0x40000000), { i32: 2 }], [4, -4, 12, 0]);
    check("i32x4.shl", [i32x4(1, -1, 3, 0x40000000), { i32: 33 }], [2, -2, 6, -2147483648]);
    check("i32x4.shr_s", [i32x4(-8, 8, -1, 16), { i32: 2 }], [-2, 2, -1, 4]);
    check("i32x4.shr_u", [i32x4(-8, 8, -1, 16), { i32: 28 }], [15, 0, 15, 0]);
  });

  it("any_true and bitmask reduce to an i32", () => {
    check("v128.any_true", [i32x4(0, 0, 0, 0)], 0);
    check("v128.any_true", [i32x4(0, 0, 1, 0)], 1);
    check("i32x4.bitmask", [i32x4(-1, 1, -5, 0)], 0b0101);
    check("i32x4.bitmask", [i32x4(0, 0, 0, -2147483648)], 0b1000);
  });

  it("splat, extract_lane, replace_lane", () => {
    expect(evalOp("i32x4.splat", [{ i32: 7 }])).toEqual([7, 7, 7, 7]);
    expect(evalOp("f32x4.splat", [{ f32: 2.5 }], "f32x4")).toEqual([2.5, 2.5, 2.5, 2.5]);
    expect(evalWith((f) => f.f32x4.extract_lane(2), "f32", [f32x4(1, 2, 3, 4)])).toBe(3);
    expect(evalWith((f) => f.i32x4.extract_lane(3), "i32", [i32x4(1, 2, 3, -4)])).toBe(-4);
    expect(evalWith((f) => f.f32x4.replace_lane(1), "v128", [f32x4(1, 2, 3, 4), { f32: 9.5 }], "f32x4")).toEqual([1, 9.5, 3, 4]);
    expect(evalWith((f) => f.i32x4.replace_lane(0), "v128", [i32x4(1, 2, 3, 4), { i32: -7 }])).toEqual([-7, 2, 3, 4]);
  });
});

describe("v128 bitwise", () => {
  const a = i32x4(0xff00ff00 | 0, 0x0f0f0f0f, 0, -1);
  const b = i32x4(0x0ff00ff0, 0xffff0000 | 0, -1, 0x12345678);
  const cases: Case[] = [
    ["v128.and", [a, b], [0x0f000f00, 0x0f0f0000, 0, 0x12345678]],
    ["v128.or", [a, b], [0xfff0fff0 | 0, 0xffff0f0f | 0, -1, -1]],
    ["v128.xor", [a, b], [0xf0f0f0f0 | 0, 0xf0f00f0f | 0, -1, 0xedcba987 | 0]],
    ["v128.andnot", [a, b], [0xf000f000 | 0, 0x00000f0f, 0, 0xedcba987 | 0]],
    ["v128.not", [a], [0x00ff00ff, 0xf0f0f0f0 | 0, -1, 0]],
    [
      "v128.bitselect",
      [i32x4(0x11111111, 0x11111111, 0x11111111, 0x11111111), i32x4(0x22222222, 0x22222222, 0x22222222, 0x22222222), i32x4(0xffff0000 | 0, 0, -1, 0x0f0f0f0f)],
      [0x11112222, 0x22222222, 0x11111111, 0x21212121],
    ],
  ];
  it.each(cases)("%s", (op, args, expected) => check(op, args, expected));

  it("i8x16.shuffle picks bytes from the concatenation of both operands", () => {
    const lo = { v128: "i8x16" as const, lanes: Array.from({ length: 16 }, (_, i) => i) };
    const hi = { v128: "i8x16" as const, lanes: Array.from({ length: 16 }, (_, i) => 16 + i) };
    const lanes = [0, 16, 1, 17, 2, 18, 3, 19, 31, 30, 29, 28, 15, 14, 13, 12];
    expect(evalWith((f) => f.i8x16.shuffle(lanes), "v128", [lo, hi], "i8x16")).toEqual(lanes);
  });
});

describe("v128 memory", () => {
  const memoryRun = evalWithMemory;

  it("v128.load32_splat loads one f32 into every lane", () => {
    // memory[0..] = float32 values; the result v128 is stored at byte 64
    expect(
      memoryRun(
        (f) => {
          f.i32.const(64);
          f.i32.const(0).v128.load32_splat({ offset: 8 });
          f.v128.store();
        },
        [1, 2, 3.5, 4],
      ).slice(16, 20),
    ).toEqual([3.5, 3.5, 3.5, 3.5]);
  });

  it("v128.load/store with offsets and unaligned addresses", () => {
    expect(
      memoryRun(
        (f) => {
          f.i32.const(60); // store at 60 + offset 4 = 64
          f.i32.const(2).v128.load({ offset: 2, align: 1 }); // bytes 4..19 = floats 1..4
          f.v128.store({ offset: 4, align: 4 });
        },
        [0, 1, 2, 3, 4],
      ).slice(16, 20),
    ).toEqual([1, 2, 3, 4]);
  });

  it("v128.load32_zero fills the other lanes with 0", () => {
    expect(memoryRun((f) => (f.i32.const(64), f.i32.const(4).v128.load32_zero(), f.v128.store()), [7, 8, 9, 10]).slice(16, 20)).toEqual([8, 0, 0, 0]);
  });
});

/** Runs a no-argument function over a memory initialised with float32 values; returns the first 32 floats. */
function evalWithMemory(build: (f: FunctionBuilder) => void, init: number[]): number[] {
  const m = new ModuleBuilder();
  m.addMemory({ min: 1 }, { export: "memory" });
  build(m.addFunction({ name: "run", export: "run" }));
  const inst = instantiate(m);
  const heap = new Float32Array((inst.exports.memory as WebAssembly.Memory).buffer);
  heap.set(init);
  (inst.exports.run as () => void)();
  return [...heap.slice(0, 32)];
}
