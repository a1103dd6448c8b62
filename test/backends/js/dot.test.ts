// dot_general on the js backend: every layout the canonical [lanes, b, m, n] × k
// form must handle, block edges (m, n not multiples of 4), int32 wrap-around,
// fused epilogues, and lanes — all bit for bit against the interpreter.
import { describe, expect, it } from "vitest";
import type { Shape } from "../../../src/ir/dtype.js";
import type { DotDimensionNumbers } from "../../../src/ir/primitives.js";
import { fromNested } from "../../../src/ir/value.js";
import { kernels } from "../lower/helpers.js";
import { compile, expectMatchesInterpreter, randomArray, seeded } from "./helpers.js";
import { MM, dotIR } from "../../fixtures/dotIR.js";

const rand = seeded(11);


describe("dot_general layouts", () => {
  const cases: [string, Shape, Shape, DotDimensionNumbers][] = [
    ["1×1", [1, 1], [1, 1], MM],
    ["3×5 @ 5×7 (edges)", [3, 5], [5, 7], MM],
    ["4×4 @ 4×4 (one block)", [4, 4], [4, 4], MM],
    ["9×6 @ 6×13 (blocks and edges)", [9, 6], [6, 13], MM],
    ["lhs transposed", [6, 9], [6, 5], [[[0], [0]], [[], []]]],
    ["rhs transposed", [9, 6], [5, 6], [[[1], [1]], [[], []]]],
    ["both transposed", [6, 9], [5, 6], [[[0], [1]], [[], []]]],
    ["vector · vector", [7], [7], [[[0], [0]], [[], []]]],
    ["matrix · vector", [5, 7], [7], [[[1], [0]], [[], []]]],
    ["outer product (no contraction)", [3], [5], [[[], []], [[], []]]],
    ["empty contraction", [3, 0], [0, 4], MM],
    ["batched, batch leading", [2, 5, 3], [2, 3, 6], [[[2], [1]], [[0], [0]]]],
    ["batched, batch in the middle", [5, 2, 3], [3, 2, 6], [[[2], [0]], [[1], [1]]]],
    ["two contracting axes, listed in order", [4, 2, 3], [2, 3, 5], [[[1, 2], [0, 1]], [[], []]]],
    ["two contracting axes, listed reversed", [4, 2, 3], [2, 3, 5], [[[2, 1], [1, 0]], [[], []]]],
    ["two free axes on each side", [2, 3, 4], [4, 5, 2], [[[2], [0]], [[], []]]],
    ["two batch axes", [2, 3, 4, 5], [2, 3, 5, 2], [[[3], [2]], [[0, 1], [0, 1]]]],
  ];
  for (const [name, lhs, rhs, d] of cases) {
    it(`f32 ${name}`, () => {
      expectMatchesInterpreter(dotIR(lhs, rhs, d), [randomArray("float32", lhs, rand), randomArray("float32", rhs, rand)]);
    });
  }

  it("i32 wraps around like the interpreter", () => {
    const big = (shape: Shape) => {
      const a = randomArray("int32", shape, rand, 2 ** 30);
      return a;
    };
    expectMatchesInterpreter(dotIR([5, 7], [7, 6], MM, "i32"), [big([5, 7]), big([7, 6])]);
    expectMatchesInterpreter(dotIR([2, 5, 3], [2, 3, 6], [[[2], [1]], [[0], [0]]], "i32"), [big([2, 5, 3]), big([2, 3, 6])]);
  });

  it("hand-checked 2×2 product", () => {
    const out = compile(dotIR([2, 2], [2, 2], MM)).run([fromNested([[1, 2], [3, 4]], "float32"), fromNested([[5, 6], [7, 8]], "float32")]);
    expect(Array.from(out[0]!.data)).toEqual([19, 22, 43, 50]);
  });
});

describe("dot epilogues", () => {
  it("bias, tanh and a comparison after the matmul are one kernel and exact", () => {
    const ir = `{ lambda ; a:f32[7,6] b:f32[6,5] c:f32[5]. let
        d:f32[7,5] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a b
        e:f32[7,5] = broadcast_in_dim[broadcast_dimensions=(1,) shape=(7, 5)] c
        f:f32[7,5] = add d e
        g:f32[7,5] = tanh f
        h:bool[7,5] = gt g 0.0:f32[]
      in (h,) }`;
    expect(kernels(compile(ir).program).map((k) => k.kind)).toEqual(["dot"]);
    expectMatchesInterpreter(ir, [randomArray("float32", [7, 6], rand), randomArray("float32", [6, 5], rand), randomArray("float32", [5], rand)]);
  });

  it("a dot result read twice is computed once, then reused", () => {
    const ir = `{ lambda ; a:f32[5,6] b:f32[6,5]. let
        d:f32[5,5] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a b
        e:f32[5,5] = exp d
        f:f32[5,5] = transpose[permutation=(1, 0)] d
        g:f32[5,5] = add e f
      in (g,) }`;
    expect(kernels(compile(ir).program).filter((k) => k.kind === "dot")).toHaveLength(1);
    expectMatchesInterpreter(ir, [randomArray("float32", [5, 6], rand, 1), randomArray("float32", [6, 5], rand, 1)]);
  });

  it("a dot of two dots materializes the operands", () => {
    const ir = `{ lambda ; a:f32[4,4] b:f32[4,4]. let
        c:f32[4,4] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a b
        d:f32[4,4] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] b a
        e:f32[4,4] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] c d
      in (e,) }`;
    expectMatchesInterpreter(ir, [randomArray("float32", [4, 4], rand), randomArray("float32", [4, 4], rand)]);
  });
});

describe("dots over lanes", () => {
  // h @ W per lane (lanes are rows; W shared) and a per-lane weight (lanes are the batch axis).
  const ir = (shared: boolean): string => `{ lambda ; a:i32[9] b:f32[9,6] w:f32[${shared ? "6,5" : "9,6,5"}]. let
      z:i32[9] = broadcast_in_dim[broadcast_dimensions=() shape=(9,)] 0:i32[]
      _:i32[9] c:f32[9,6] = while[
        body_jaxpr={ lambda ; d:f32[${shared ? "6,5" : "9,6,5"}] e:i32[9] f:f32[9,6]. let
            g:i32[9] = add e 1:i32[]
            h:f32[9,5] = dot_general[dimension_numbers=${shared ? "(((1,), (0,)), ((), ()))" : "(((1,), (1,)), ((0,), (0,)))"}] f d
            i:f32[9,5] = tanh h
            j:f32[9,1] = slice[limit_indices=(9, 1) start_indices=(0, 0) strides=None] i
            k:f32[9,6] = broadcast_in_dim[broadcast_dimensions=(0, 1) shape=(9, 6)] j
            l:f32[9,6] = add f k
          in (g, l) }
        body_nconsts=1
        cond_jaxpr={ lambda ; m:i32[9] n:i32[9] o:f32[9,6]. let p:bool[9] = lt n m in (p,) }
        cond_nconsts=1
      ] a w z b
    in (c,) }`;
  for (const shared of [true, false]) {
    it(`${shared ? "shared weights (lanes are rows, blocked four lanes at a time)" : "per-lane weights (lanes are the batch axis)"}`, () => {
      const counts = fromNested([5, 0, 3, 1, 7, 2, 2, 6, 4], "int32");
      const program = compile(ir(shared)).program;
      const dot = kernels(program).find((k) => k.kind === "dot");
      expect(dot?.lanes).not.toBeNull();
      expectMatchesInterpreter(ir(shared), [counts, randomArray("float32", [9, 6], rand), randomArray("float32", shared ? [6, 5] : [9, 6, 5], rand, 0.5)]);
    });
  }
});
