// dot_general on the wasm emitter: every layout the canonical [lanes, b, m, n] × k
// form must handle, block edges (m not a multiple of 4, partial column
// panels), column chunks, transposed operands (packed), int32 wrap-around,
// fused epilogues and lanes. float32 results equal, bit for bit, the model of
// the documented summation order (test/helpers/dotModel.ts: float32 runs of
// at most 64 products, double totals); int32 results equal the interpreter.
import { describe, expect, it } from "vitest";
import type { ArrayValue } from "../../../../src/ir/core.js";
import type { Shape } from "../../../../src/ir/dtype.js";
import type { DotDimensionNumbers } from "../../../../src/ir/primitives.js";
import { fromNested } from "../../../../src/ir/value.js";
import { kernels } from "../../lower/helpers.js";
import { compile, expectMatchesInterpreter, expectSameData, randomArray, seeded } from "./helpers.js";
import { MM, dotIR } from "../../../fixtures/dotIR.js";
import { dotErrorBound, float32RunsDot } from "../../../helpers/dotModel.js";

const rand = seeded(17);

/** Runs the float32 dot on wasm and checks it against the summation-order model and its error bound. */
function expectModelDot(lhs: ArrayValue, rhs: ArrayValue, d: DotDimensionNumbers): ArrayValue {
  const [out] = compile(dotIR(lhs.shape, rhs.shape, d)).run([lhs, rhs]);
  expectSameData(out!, float32RunsDot(lhs, rhs, d), "output vs the float32-runs model");
  const { exact, bound } = dotErrorBound(lhs, rhs, d);
  exact.forEach((e, i) => expect(Math.abs(out!.data[i]! - e), `element ${i}`).toBeLessThanOrEqual(bound[i]!));
  return out!;
}

describe("wasm dot_general layouts", () => {
  const cases: [string, Shape, Shape, DotDimensionNumbers][] = [
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
    // 1100 columns × k 64 × 4 B = 275 KiB of packed panels: more than one 256 KiB column chunk.
    ["columns in several cache-sized chunks", [6, 64], [64, 1101], MM],
    ["k = 64: one float32 run", [5, 64], [64, 9], MM],
    ["k = 65: a second run of one product", [5, 65], [65, 9], MM],
    ["k = 300, transposed rhs: five runs", [6, 300], [11, 300], [[[1], [1]], [[], []]]],
    ["k = 130, batched", [2, 5, 130], [2, 130, 3], [[[2], [1]], [[0], [0]]]],
  ];
  for (const [name, lhs, rhs, d] of cases) {
    it(`f32 ${name}`, () => {
      expectModelDot(randomArray("float32", lhs, rand), randomArray("float32", rhs, rand), d);
    });
  }

  it("a cancelling sum loses what float32 loses (within γ_k·Σ|x·y|)", () => {
    // 1e8 + 1 - 1e8: float32 accumulation gives 0, exact arithmetic (and the interpreter) 1.
    const out = expectModelDot(fromNested([[1e8, 1, -1e8]], "float32"), fromNested([[1], [1], [1]], "float32"), MM);
    expect(Array.from(out.data)).toEqual([0]);
  });

  it("long sums go through double totals every 64 products, so their error does not grow with k", () => {
    // 2²⁵ then 199 ones. One float32 sum drops every 1 (half the spacing at 2²⁵ is 2):
    // 2²⁵. In runs: 2²⁵ (the first run's ones lost), + 64 + 64 + 8 in double → 2²⁵ + 136.
    const x = fromNested([[2 ** 25, ...Array<number>(199).fill(1)]], "float32");
    const y = fromNested(Array.from({ length: 200 }, () => [1]), "float32");
    const out = expectModelDot(x, y, MM);
    expect(Array.from(out.data)).toEqual([2 ** 25 + 136]);
  });

  it("i32 wraps around like the interpreter", () => {
    const big = (shape: Shape) => randomArray("int32", shape, rand, 2 ** 30);
    expectMatchesInterpreter(dotIR([5, 7], [7, 6], MM, "i32"), [big([5, 7]), big([7, 6])]);
    expectMatchesInterpreter(dotIR([2, 5, 3], [2, 3, 6], [[[2], [1]], [[0], [0]]], "i32"), [big([2, 5, 3]), big([2, 3, 6])]);
    expectMatchesInterpreter(dotIR([9, 6], [5, 6], [[[1], [1]], [[], []]], "i32"), [big([9, 6]), big([5, 6])]);
  });

  it("hand-checked 2×2 product", () => {
    const out = compile(dotIR([2, 2], [2, 2], MM)).run([fromNested([[1, 2], [3, 4]], "float32"), fromNested([[5, 6], [7, 8]], "float32")]);
    expect(Array.from(out[0]!.data)).toEqual([19, 22, 43, 50]);
  });
});

describe("wasm dot epilogues", () => {
  it("bias, tanh and a comparison after the matmul are one kernel (tanh ≤ 2 ulp never flips this sign test)", () => {
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

  it("epilogue reading an iota, a scalar and a transposed value, storing int32", () => {
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
    const program = compile(ir).program;
    expect(kernels(program).map((k) => k.kind)).toEqual(["dot"]);
    expectMatchesInterpreter(ir, [randomArray("float32", [6, 3], rand), randomArray("float32", [3, 9], rand), fromNested(2.5, "float32"), randomArray("float32", [9, 6], rand)]);
  });

  it("an epilogue that only reads invariant values (select of the inputs on the dot's sign)", () => {
    const ir = `{ lambda ; a:f32[]. let
        b:f32[] = dot_general[dimension_numbers=(((), ()), ((), ()))] a a
        c:bool[] = lt b 0.0:f32[]
        d:f32[] = select_n c a a
        e:f32[] = neg d
      in (e,) }`;
    const [out] = expectMatchesInterpreter(ir, [fromNested(-4, "float32")]);
    expect(Array.from(out!.data)).toEqual([4]);
  });
});

describe("wasm dots over lanes", () => {
  // h @ W per lane (lanes are rows; W shared) and a per-lane weight (lanes are the batch axis).
  const ir = (shared: boolean, rows: number): string => {
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
      const rows = 11;
      const counts = fromNested([5, 0, 3, 1, 7, 2, 2, 6, 4, 9, 1], "int32");
      const dot = kernels(compile(ir(shared, rows)).program).find((k) => k.kind === "dot");
      expect(dot?.lanes).not.toBeNull();
      expectMatchesInterpreter(ir(shared, rows), [counts, randomArray("float32", [rows, 6], rand), randomArray("float32", shared ? [6, 5] : [rows, 6, 5], rand, 0.5)], { rtol: 1e-5, atol: 1e-6 });
    });
  }
});

describe("wasm float32 dots against the summation model (property)", () => {
  // Random dot_generals: 0–1 batch axes, 0–1 free axes per side, 1–2
  // contracting axes with k near the run boundaries (63–65, 127–129) or
  // anywhere up to 200, and each operand's axes in a random order (so the
  // kernel sees transposed and strided operands).
  const shuffled = <T>(xs: readonly T[], rand: () => number): T[] => {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };
  const pick = (rand: () => number, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

  it("equals float32RunsDot bit for bit and stays within the error bound on 60 random layouts", () => {
    const rand = seeded(2026);
    for (let run = 0; run < 60; run++) {
      const k = rand() < 0.5 ? [63, 64, 65, 127, 128, 129][pick(rand, 0, 5)]! : pick(rand, 1, 200);
      const contract: number[] = k > 20 && rand() < 0.3 ? [Math.floor(k / 10) || 1, 10] : [k];
      const batch = rand() < 0.4 ? [pick(rand, 1, 3)] : [];
      const lFree = rand() < 0.8 ? [pick(rand, 1, 13)] : [];
      const rFree = rand() < 0.8 ? [pick(rand, 1, 19)] : [];
      // Logical axes: [batch…, free…, contract…] per side, then laid out in a random order.
      const layout = (free: number[]) => {
        const logical = [...batch, ...free, ...contract];
        const order = shuffled([...logical.keys()], rand); // order[p] = logical axis at position p
        const pos = (l: number): number => order.indexOf(l);
        return {
          shape: order.map((l) => logical[l]!),
          batch: batch.map((_, i) => pos(i)),
          contract: contract.map((_, i) => pos(batch.length + free.length + i)),
        };
      };
      const L = layout(lFree);
      const R = layout(rFree);
      const d: DotDimensionNumbers = [[L.contract, R.contract], [L.batch, R.batch]];
      expectModelDot(randomArray("float32", L.shape, rand), randomArray("float32", R.shape, rand), d);
    }
  });
});
