// One linear memory per compiled program: inputs copied in and outputs copied
// out once per call, nothing grows across calls, outputs are fresh arrays,
// arguments are never written, and two compilations of one program (which
// share the cached module) do not share memory.
import { describe, expect, it } from "vitest";
import { fromNested } from "../../../../src/ir/value.js";
import { compile, randomArray, seeded } from "./helpers.js";

// A per-lane while with a matmul and tanh (lane sets, dot scratch, slots, constant pool).
const PROGRAM = `{ lambda ; a:i32[5] b:f32[5,8] w:f32[8,8]. let
    z:i32[5] = broadcast_in_dim[broadcast_dimensions=() shape=(5,)] 0:i32[]
    _:i32[5] c:f32[5,8] = while[
      body_jaxpr={ lambda ; d:f32[8,8] e:i32[5] f:f32[5,8]. let
          g:i32[5] = add e 1:i32[]
          h:f32[5,8] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] f d
          i:f32[5,8] = tanh h
        in (g, i) }
      body_nconsts=1
      cond_jaxpr={ lambda ; m:i32[5] n:i32[5] o:f32[5,8]. let p:bool[5] = lt n m in (p,) }
      cond_nconsts=1
    ] a w z b
    s:f32[] = reduce_sum[axes=(0, 1)] c
  in (c, s) }`;

describe("wasm memory", () => {
  const rand = seeded(9);
  const inputs = [fromNested([3, 0, 5, 1, 2], "int32"), randomArray("float32", [5, 8], rand), randomArray("float32", [8, 8], rand, 0.5)];

  it("10 000 calls: the memory never grows and every call gives the same result", () => {
    const prog = compile(PROGRAM);
    const first = prog.run(inputs).map((o) => Array.from(o.data));
    const bytes = prog.memory.buffer.byteLength;
    expect(bytes).toBe(prog.layout.pages * 65536);
    for (let i = 0; i < 10_000; i++) prog.run(inputs);
    expect(prog.memory.buffer.byteLength).toBe(bytes);
    expect(prog.run(inputs).map((o) => Array.from(o.data))).toEqual(first);
  });

  it("outputs are fresh arrays, not views of the memory; arguments are not written", () => {
    const prog = compile(PROGRAM);
    const before = inputs.map((x) => Array.from(x.data));
    const a = prog.run(inputs);
    const b = prog.run(inputs);
    expect(a[0]!.data).not.toBe(b[0]!.data);
    expect(a[0]!.data.buffer).not.toBe(prog.memory.buffer);
    a[0]!.data.fill(0);
    expect(Array.from(prog.run(inputs)[0]!.data)).toEqual(Array.from(b[0]!.data));
    expect(inputs.map((x) => Array.from(x.data))).toEqual(before);
  });

  it("two compilations of the same program share one instance, and interleaved calls do not interfere", () => {
    const p1 = compile(PROGRAM);
    const p2 = compile(PROGRAM);
    expect(p1.memory).toBe(p2.memory);
    // A program with a kernel hook owns its instance (the hook is an import).
    expect(compile(PROGRAM, { onKernel: () => {} }).memory).not.toBe(p1.memory);
    const other = [fromNested([1, 1, 1, 1, 1], "int32"), randomArray("float32", [5, 8], rand), inputs[2]!];
    const r1 = Array.from(p1.run(inputs)[0]!.data);
    p2.run(other);
    expect(Array.from(p1.run(inputs)[0]!.data)).toEqual(r1);
  });

  it("wrong arguments are rejected with the expected type", () => {
    const prog = compile(PROGRAM);
    expect(() => prog.run(inputs.slice(0, 2))).toThrow(/takes 3 arguments, got 2/);
    expect(() => prog.run([inputs[0]!, randomArray("float32", [4, 8], rand), inputs[2]!])).toThrow(/argument 1 must be f32\[5,8\], got f32\[4,8\]/);
  });
});
