// The wasm backend's float32 dot numerics: sums in float32 runs of at most 64
// products with double totals (docs/backends.md), checked bit for bit against
// the model of that order (test/helpers/dotModel.ts) on cases chosen to show
// what it does and on random layouts. The layouts, epilogues and lane cases
// every compiled backend shares are in test/backends/semantics/dot.test.ts.
import { describe, expect, it } from "vitest";
import type { DotDimensionNumbers } from "../../../../src/ir/primitives.js";
import { fromNested } from "../../../../src/ir/value.js";
import { expectMatchesInterpreter, expectModelDot, randomArray, seeded } from "./helpers.js";
import { MM, dotIR } from "../../../fixtures/dotIR.js";

describe("wasm float32 dot numerics", () => {
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
});

describe("wasm dots read their operands in place or packed", () => {
  // Contracting over axis 0 of both: the lhs rows are h's columns, adjacent
  // in memory (hᵀ·g, a weight gradient's layout).
  const TN: DotDimensionNumbers = [[[0], [0]], [[], []]];

  it("a transposed lhs read in place equals the float32-runs model bit for bit: 4-row blocks, a leftover row, k across run boundaries", () => {
    const rand = seeded(77);
    for (const [k, m, n] of [[130, 13, 9], [64, 8, 8], [5, 4, 3], [200, 6, 17]] as const) {
      expectModelDot(randomArray("float32", [k, m], rand), randomArray("float32", [k, n], rand), TN);
    }
  });

  it("with a batch axis, and on int32 (wrapping)", () => {
    const rand = seeded(78);
    expectModelDot(randomArray("float32", [3, 70, 9], rand), randomArray("float32", [3, 70, 5], rand), [[[1], [1]], [[0], [0]]]);
    const a = randomArray("int32", [33, 10], rand, 2 ** 20);
    const b = randomArray("int32", [33, 7], rand, 2 ** 20);
    expectMatchesInterpreter(dotIR([33, 10], [33, 7], TN, "i32"), [a, b]);
  });

  it("past IN_PLACE_SPAN: a transposed lhs packed k-major, a row-major one row by row", () => {
    const rand = seeded(79);
    // 1100 steps of 256 · 4 bytes ≈ 1.1 MiB between a block's first and last value.
    expectModelDot(randomArray("float32", [1100, 257], rand), randomArray("float32", [1100, 3], rand), TN);
    // Rows 280,000 bytes apart: a 4-row block spans 1.1 MiB.
    expectModelDot(randomArray("float32", [9, 70000], rand), randomArray("float32", [70000, 2], rand), MM);
  });

  it("the rhs panels read in place (a partial last panel packed), or past IN_PLACE_SPAN all packed", () => {
    const rand = seeded(80);
    // 20 columns: two full panels in place, four columns packed and zero-padded.
    expectModelDot(randomArray("float32", [7, 90], rand), randomArray("float32", [90, 20], rand), MM);
    // 1100 rows of 260 columns: 1.1 MiB of panels, packed.
    expectModelDot(randomArray("float32", [5, 1100], rand), randomArray("float32", [1100, 260], rand), MM);
  });
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
