// The blocked dot kernel's row and column handling: 4-row blocks and leftover
// single rows (done first), 4-column blocks and leftover columns, sums through
// the scratch array into one epilogue loop; lanes as rows (with several rows
// per lane) and lanes over two axes. Checked against plain-JS loops and the
// interpreter.
import { describe, expect, it } from "vitest";
import { fromNested } from "../../../src/ir/value.js";
import { kernels } from "../lower/helpers.js";
import { compile, expectMatchesInterpreter, randomArray, seeded } from "./helpers.js";

const rand = seeded(23);

/** Plain-JS matmul of row-major a (m×k) and b (k×n), float32 result of a double sum. */
function matmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += a[i * k + t]! * b[t * n + j]!;
      out.push(Math.fround(s));
    }
  }
  return out;
}

describe("rows and columns of the blocked dot", () => {
  for (const [m, k, n] of [
    [1, 3, 1],
    [3, 4, 5],
    [5, 2, 3],
    [6, 7, 9],
    [9, 5, 4],
    [13, 8, 14],
  ] as const) {
    it(`${m}×${k} @ ${k}×${n} + bias[m, n], tanh: leftover rows (${m % 4}) and columns (${n % 4})`, () => {
      const ir = `{ lambda ; a:f32[${m},${k}] b:f32[${k},${n}] c:f32[${m},${n}]. let
          d:f32[${m},${n}] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a b
          e:f32[${m},${n}] = add d c
          f:f32[${m},${n}] = tanh e
        in (f,) }`;
      const A = randomArray("float32", [m, k], rand), B = randomArray("float32", [k, n], rand), C = randomArray("float32", [m, n], rand);
      const [out] = expectMatchesInterpreter(ir, [A, B, C]);
      const want = matmul(A.data, B.data, m, k, n).map((v, i) => Math.fround(Math.tanh(Math.fround(v + C.data[i]!))));
      expect(Array.from(out!.data)).toEqual(want);
      const dot = kernels(compile(ir).program).filter((x) => x.kind === "dot");
      expect(dot.length).toBe(1);
    });
  }

  it("the epilogue's code exists once in the kernel function", () => {
    const ir = `{ lambda ; a:f32[9,6] b:f32[6,13]. let
        d:f32[9,13] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a b
        f:f32[9,13] = tanh d
      in (f,) }`;
    const src = compile(ir).source;
    expect(src.match(/Math\.tanh/g)?.length).toBe(1);
  });

  it("i32 sums wrap, leftover rows first", () => {
    const ir = `{ lambda ; a:i32[7,3] b:i32[3,6]. let
        d:i32[7,6] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a b
        e:i32[7,6] = add d 1:i32[]
      in (e,) }`;
    const a = Array.from({ length: 21 }, (_, i) => (i * 7919) % 2 ** 20 - 2 ** 19);
    const b = Array.from({ length: 18 }, (_, i) => (i * 104729) % 2 ** 16 - 2 ** 15);
    const [out] = expectMatchesInterpreter(ir, [fromNested(chunk(a, 3), "int32"), fromNested(chunk(b, 6), "int32")]);
    const want: number[] = [];
    for (let i = 0; i < 7; i++) {
      for (let j = 0; j < 6; j++) {
        let s = 0;
        for (let t = 0; t < 3; t++) s = (s + Math.imul(a[i * 3 + t]!, b[t * 6 + j]!)) | 0;
        want.push((s + 1) | 0);
      }
    }
    expect(Array.from(out!.data)).toEqual(want);
  });
});

function chunk(xs: readonly number[], n: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

describe("dots over lanes: rows and coordinates", () => {
  it("several rows per lane (lanes × m rows blocked together, shared weights)", () => {
    // Per lane: h:[3,6] ← tanh(h @ W) with W:[6,6] shared, repeated count times.
    const ir = `{ lambda ; a:i32[7] b:f32[7,3,6] w:f32[6,6]. let
        z:i32[7] = broadcast_in_dim[broadcast_dimensions=() shape=(7,)] 0:i32[]
        _:i32[7] c:f32[7,3,6] = while[
          body_jaxpr={ lambda ; d:f32[6,6] e:i32[7] f:f32[7,3,6]. let
              g:i32[7] = add e 1:i32[]
              h:f32[7,3,6] = dot_general[dimension_numbers=(((2,), (0,)), ((), ()))] f d
              i:f32[7,3,6] = tanh h
            in (g, i) }
          body_nconsts=1
          cond_jaxpr={ lambda ; m:i32[7] n:i32[7] o:f32[7,3,6]. let p:bool[7] = lt n m in (p,) }
          cond_nconsts=1
        ] a w z b
      in (c,) }`;
    const prog = compile(ir);
    const dot = kernels(prog.program).find((k) => k.kind === "dot");
    expect(dot?.lanes).not.toBeNull();
    expect(dot?.kind === "dot" && dot.m).toBe(3);
    const counts = [2, 0, 3, 1, 1, 2, 3];
    const h = randomArray("float32", [7, 3, 6], rand);
    const w = randomArray("float32", [6, 6], rand, 0.5);
    const [out] = expectMatchesInterpreter(ir, [fromNested(counts, "int32"), h, w]);
    // Plain JS per lane.
    const want: number[] = [];
    counts.forEach((cnt, l) => {
      let x = Array.from(h.data.slice(l * 18, (l + 1) * 18));
      for (let t = 0; t < cnt; t++) x = matmul(x, w.data, 3, 6, 6).map((v) => Math.fround(Math.tanh(v)));
      want.push(...x);
    });
    expect(Array.from(out!.data)).toEqual(want);
  });

  it("lanes over two axes (per-lane weights: lanes are batch axes)", () => {
    const ir = `{ lambda ; a:i32[2,3] b:f32[2,3,5] w:f32[2,3,5,4]. let
        z:i32[2,3] = broadcast_in_dim[broadcast_dimensions=() shape=(2, 3)] 0:i32[]
        _:i32[2,3] c:f32[2,3,5] = while[
          body_jaxpr={ lambda ; d:f32[2,3,5,4] e:i32[2,3] f:f32[2,3,5]. let
              g:i32[2,3] = add e 1:i32[]
              h:f32[2,3,4] = dot_general[dimension_numbers=(((2,), (2,)), ((0, 1), (0, 1)))] f d
              i:f32[2,3,4] = tanh h
              j:f32[2,3,1] = slice[limit_indices=(2, 3, 1) start_indices=(0, 0, 0) strides=None] i
              k:f32[2,3,5] = broadcast_in_dim[broadcast_dimensions=(0, 1, 2) shape=(2, 3, 5)] j
              l:f32[2,3,5] = add f k
            in (g, l) }
          body_nconsts=1
          cond_jaxpr={ lambda ; m:i32[2,3] n:i32[2,3] o:f32[2,3,5]. let p:bool[2,3] = lt n m in (p,) }
          cond_nconsts=1
        ] a w z b
        y:f32[2,3,4] = dot_general[dimension_numbers=(((2,), (2,)), ((0, 1), (0, 1)))] c w
      in (y,) }`;
    const dot = kernels(compile(ir).program).find((k) => k.kind === "dot" && k.lanes !== null);
    expect(dot?.lanes?.rank).toBe(2);
    expectMatchesInterpreter(ir, [fromNested([[3, 0, 1], [2, 4, 1]], "int32"), randomArray("float32", [2, 3, 5], rand), randomArray("float32", [2, 3, 5, 4], rand, 0.5)]);
  });
});
