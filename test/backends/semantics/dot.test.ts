// dot_general on every compiled backend: every layout the canonical
// [lanes, b, m, n] × k form must handle (block edges, partial column panels,
// column chunks, transposed and strided operands, batch axes, k across the
// wasm kernel's float32 runs), int32 wrap-around, fused epilogues, and dots
// inside batched loops (lanes as rows, lanes as the batch axis).
//
// How results are checked differs by backend, as documented (docs/backends.md):
// js sums float32 products in double and must equal the interpreter bit for
// bit; wasm sums in float32 runs and must equal the model of that order bit
// for bit (test/helpers/dotModel.ts) and stay within its error bound. int32
// results and anything not touched by a float dot equal the interpreter on both.
import { describe, expect, it } from "vitest";
import type { ArrayValue, Jaxpr } from "../../../src/ir/core.js";
import type { Shape } from "../../../src/ir/dtype.js";
import type { DotDimensionNumbers } from "../../../src/ir/primitives.js";
import { fromNested } from "../../../src/ir/value.js";
import type { Program } from "../../../src/backends/lower/kernel_ir.js";
import { kernels } from "../lower/helpers.js";
import * as js from "../js/helpers.js";
import * as wasm from "../wasm/emit/helpers.js";
import { MM, dotIR } from "../../fixtures/dotIR.js";

interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

interface DotBackend {
  readonly name: "js" | "wasm";
  compile(ir: string | Jaxpr): { readonly program: Program };
  /** Runs one float32 dot_general and checks it the backend's way (see the head of this file). */
  checkFloatDot(lhs: ArrayValue, rhs: ArrayValue, d: DotDimensionNumbers): void;
  /**
   * Runs `ir` against the interpreter: bit for bit, except float outputs
   * within `approx` on a backend whose float dots are approximate (wasm).
   */
  matchInterpreter(ir: string, inputs: readonly ArrayValue[], approx?: Tolerance): ArrayValue[];
}

const DOT_BACKENDS: readonly DotBackend[] = [
  {
    name: "js",
    compile: (ir) => js.compile(ir),
    checkFloatDot: (lhs, rhs, d) => void js.expectMatchesInterpreter(dotIR(lhs.shape, rhs.shape, d), [lhs, rhs]),
    matchInterpreter: (ir, inputs) => js.expectMatchesInterpreter(ir, inputs),
  },
  {
    name: "wasm",
    compile: (ir) => wasm.compile(ir),
    checkFloatDot: (lhs, rhs, d) => void wasm.expectModelDot(lhs, rhs, d),
    matchInterpreter: (ir, inputs, approx) => wasm.expectMatchesInterpreter(ir, inputs, approx ?? {}),
  },
];

const LAYOUTS: readonly [string, Shape, Shape, DotDimensionNumbers][] = [
  ["1×1", [1, 1], [1, 1], MM],
  ["3×5 @ 5×7 (row and column edges)", [3, 5], [5, 7], MM],
  ["4×4 @ 4×4 (one block)", [4, 4], [4, 4], MM],
  ["9×6 @ 6×13 (blocks, a single row, a partial panel)", [9, 6], [6, 13], MM],
  ["16×64 @ 64×64 (full panels only)", [16, 64], [64, 64], MM],
  ["lhs transposed", [6, 9], [6, 5], [[[0], [0]], [[], []]]],
  ["rhs transposed (packed from strided columns)", [9, 6], [5, 6], [[[1], [1]], [[], []]]],
  ["both transposed", [6, 9], [5, 6], [[[0], [1]], [[], []]]],
  ["vector · vector", [7], [7], [[[0], [0]], [[], []]]],
  ["matrix · vector", [5, 7], [7], [[[1], [0]], [[], []]]],
  ["scalar · scalar", [], [], [[[], []], [[], []]]],
  ["outer product (no contraction)", [3], [5], [[[], []], [[], []]]],
  ["empty contraction", [3, 0], [0, 4], MM],
  ["batched, batch leading", [2, 5, 3], [2, 3, 6], [[[2], [1]], [[0], [0]]]],
  ["batched, batch in the middle", [5, 2, 3], [3, 2, 6], [[[2], [0]], [[1], [1]]]],
  ["two contracting axes, listed in order", [4, 2, 3], [2, 3, 5], [[[1, 2], [0, 1]], [[], []]]],
  ["two contracting axes, listed reversed", [4, 2, 3], [2, 3, 5], [[[2, 1], [1, 0]], [[], []]]],
  ["two free axes on each side", [2, 3, 4], [4, 5, 2], [[[2], [0]], [[], []]]],
  ["two batch axes", [2, 3, 4, 5], [2, 3, 5, 2], [[[3], [2]], [[0, 1], [0, 1]]]],
  // wasm: 1100 columns × k 64 × 4 B = 275 KiB of packed panels, more than one 256 KiB column chunk.
  ["columns in several cache-sized chunks", [6, 64], [64, 1101], MM],
  ["k = 64: one float32 run on wasm", [5, 64], [64, 9], MM],
  ["k = 65: a second run of one product on wasm", [5, 65], [65, 9], MM],
  ["k = 300, transposed rhs: five runs on wasm", [6, 300], [11, 300], [[[1], [1]], [[], []]]],
  ["k = 130, batched", [2, 5, 130], [2, 130, 3], [[[2], [1]], [[0], [0]]]],
];

describe.each(DOT_BACKENDS.map((b) => [b.name, b] as const))("dot_general on backend %s", (_name, backend) => {
  const rand = wasm.seeded(17);
  const random = (dtype: "float32" | "int32", shape: Shape, range?: number) => wasm.randomArray(dtype, shape, rand, range);

  for (const [name, lhs, rhs, d] of LAYOUTS) {
    it(`f32 ${name}`, () => backend.checkFloatDot(random("float32", lhs), random("float32", rhs), d));
  }

  it("hand-checked 2×2 product", () => {
    const [out] = backend.matchInterpreter(dotIR([2, 2], [2, 2], MM), [fromNested([[1, 2], [3, 4]], "float32"), fromNested([[5, 6], [7, 8]], "float32")]);
    expect(Array.from(out!.data)).toEqual([19, 22, 43, 50]);
  });

  it("i32 wraps around like the interpreter", () => {
    const big = (shape: Shape) => random("int32", shape, 2 ** 30);
    backend.matchInterpreter(dotIR([5, 7], [7, 6], MM, "i32"), [big([5, 7]), big([7, 6])]);
    backend.matchInterpreter(dotIR([2, 5, 3], [2, 3, 6], [[[2], [1]], [[0], [0]]], "i32"), [big([2, 5, 3]), big([2, 3, 6])]);
    backend.matchInterpreter(dotIR([9, 6], [5, 6], [[[1], [1]], [[], []]], "i32"), [big([9, 6]), big([5, 6])]);
  });

  describe("epilogues", () => {
    it("bias, tanh and a comparison after the matmul are one kernel (no rounding difference flips this sign test)", () => {
      const ir = `{ lambda ; a:f32[7,6] b:f32[6,5] c:f32[5]. let
          d:f32[7,5] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a b
          e:f32[7,5] = broadcast_in_dim[broadcast_dimensions=(1,) shape=(7, 5)] c
          f:f32[7,5] = add d e
          g:f32[7,5] = tanh f
          h:bool[7,5] = gt g 0.0:f32[]
        in (h,) }`;
      expect(kernels(backend.compile(ir).program).map((k) => k.kind)).toEqual(["dot"]);
      backend.matchInterpreter(ir, [random("float32", [7, 6]), random("float32", [6, 5]), random("float32", [5])]);
    });

    it("reading an iota, a scalar and a transposed value, storing int32", () => {
      const ir = `{ lambda ; a:f32[6,3] b:f32[3,9] s:f32[] t:f32[9,6]. let
          d:f32[6,9] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a b
          i:f32[6,9] = iota[dimension=1 dtype=float32 shape=(6, 9)]
          e:f32[6,9] = mul d i
          sb:f32[6,9] = broadcast_in_dim[broadcast_dimensions=() shape=(6, 9)] s
          tt:f32[6,9] = transpose[permutation=(1, 0)] t
          f:f32[6,9] = add e sb
          g:f32[6,9] = sub f tt
          h:i32[6,9] = convert_element_type[new_dtype=int32] g
        in (h,) }`;
      expect(kernels(backend.compile(ir).program).map((k) => k.kind)).toEqual(["dot"]);
      backend.matchInterpreter(ir, [random("float32", [6, 3]), random("float32", [3, 9]), fromNested(2.5, "float32"), random("float32", [9, 6])]);
    });

    it("an epilogue that only reads invariant values (select of the inputs on the dot's sign)", () => {
      const ir = `{ lambda ; a:f32[]. let
          b:f32[] = dot_general[dimension_numbers=(((), ()), ((), ()))] a a
          c:bool[] = lt b 0.0:f32[]
          d:f32[] = select_n c a a
          e:f32[] = neg d
        in (e,) }`;
      const [out] = backend.matchInterpreter(ir, [fromNested(-4, "float32")]);
      expect(Array.from(out!.data)).toEqual([4]);
    });

    it("a dot result read twice is computed once, then reused", () => {
      const ir = `{ lambda ; a:f32[5,6] b:f32[6,5]. let
          d:f32[5,5] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a b
          e:f32[5,5] = exp d
          f:f32[5,5] = transpose[permutation=(1, 0)] d
          g:f32[5,5] = add e f
        in (g,) }`;
      expect(kernels(backend.compile(ir).program).filter((k) => k.kind === "dot")).toHaveLength(1);
      backend.matchInterpreter(ir, [random("float32", [5, 6], 1), random("float32", [6, 5], 1)], { rtol: 1e-5, atol: 1e-6 });
    });

    it("a dot of two dots materializes the operands", () => {
      const ir = `{ lambda ; a:f32[4,4] b:f32[4,4]. let
          c:f32[4,4] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a b
          d:f32[4,4] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] b a
          e:f32[4,4] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] c d
        in (e,) }`;
      backend.matchInterpreter(ir, [random("float32", [4, 4]), random("float32", [4, 4])], { rtol: 1e-5, atol: 1e-5 });
    });
  });

  describe("dots over lanes", () => {
    // h @ W per lane (lanes are rows; W shared) and a per-lane weight (lanes are the batch axis).
    const rows = 11;
    const ir = (shared: boolean): string => {
      const w = shared ? "6,5" : `${rows},6,5`;
      return `{ lambda ; a:i32[${rows}] b:f32[${rows},6] w:f32[${w}]. let
        z:i32[${rows}] = broadcast_in_dim[broadcast_dimensions=() shape=(${rows},)] 0:i32[]
        _:i32[${rows}] c:f32[${rows},6] = while[
          body_jaxpr={ lambda ; d:f32[${w}] e:i32[${rows}] f:f32[${rows},6]. let
              g:i32[${rows}] = add e 1:i32[]
              h:f32[${rows},5] = dot_general[dimension_numbers=${shared ? "(((1,), (0,)), ((), ()))" : "(((1,), (1,)), ((0,), (0,)))"}] f d
              i:f32[${rows},5] = tanh h
              j:f32[${rows},1] = slice[limit_indices=(${rows}, 1) start_indices=(0, 0) strides=None] i
              k:f32[${rows},6] = broadcast_in_dim[broadcast_dimensions=(0, 1) shape=(${rows}, 6)] j
              l:f32[${rows},6] = add f k
            in (g, l) }
          body_nconsts=1
          cond_jaxpr={ lambda ; m:i32[${rows}] n:i32[${rows}] o:f32[${rows},6]. let p:bool[${rows}] = lt n m in (p,) }
          cond_nconsts=1
        ] a w z b
      in (c,) }`;
    };
    for (const shared of [true, false]) {
      it(`${shared ? "shared weights (active lanes blocked four at a time as rows)" : "per-lane weights (lanes are the batch axis)"}`, () => {
        const counts = fromNested([5, 0, 3, 1, 7, 2, 2, 6, 4, 9, 1], "int32");
        const dot = kernels(backend.compile(ir(shared)).program).find((k) => k.kind === "dot");
        expect(dot?.lanes).not.toBeNull();
        backend.matchInterpreter(ir(shared), [counts, random("float32", [rows, 6]), random("float32", shared ? [6, 5] : [rows, 6, 5], 0.5)], { rtol: 1e-5, atol: 1e-6 });
      });
    }
  });
});
