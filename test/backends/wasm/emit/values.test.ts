// Elementwise semantics on the wasm emitter, on special values: every unary
// and binary primitive, conversions and selects, bit for bit against the
// reference interpreter (transcendentals: within their documented accuracy).
// Every array has 4k + 3 elements, so each case runs through the f32x4/i32x4
// loop body and through the scalar tail.
import { describe, expect, it } from "vitest";
import { type DType } from "../../../../src/ir/dtype.js";
import { BINARY_PRIMS, COMPARE_PRIMS, UNARY_PRIMS } from "../../../../src/ir/primitives.js";
import { fromNested } from "../../../../src/ir/value.js";
import { compile, expectMatchesInterpreter } from "./helpers.js";
import { MATH_FNS } from "../../../../src/backends/wasm/math/index.js";
import { acceptedDtypes } from "../../../helpers/acceptedDtypes.js";

const SHORT: Record<DType, string> = { float32: "f32", int32: "i32", bool: "bool" };
const F32_SPECIAL = [0, -0, 1, -1, 0.5, -0.5, 1.5, -2.5, 2.5, 3.7, -3.7, 1e-30, -1e-30, 1e30, -1e30, Infinity, -Infinity, NaN, 3.4e38, 16777217, 0.49999997, 1e6, -12868.5];
const I32_SPECIAL = [0, 1, -1, 2, -2, 7, -7, 3, 2147483647, -2147483648, 1000000, -999999, 5, -5, 46341];
const BOOL = [0, 1, 1, 0, 1, 0, 0];

/** Pads a list to 4k + 3 elements (cycling), so both the vector body and the tail run. */
function padded(xs: readonly number[]): number[] {
  const n = Math.ceil((xs.length + 1) / 4) * 4 + 3;
  return Array.from({ length: n }, (_, i) => xs[i % xs.length]!);
}

/** The wasm math library's functions: within their documented accuracy, not bit for bit. */
const TRANSCENDENTAL: ReadonlySet<string> = new Set(MATH_FNS);

function unaryIR(prim: string, dtype: DType, n: number, params = ""): string {
  const t = `${SHORT[dtype]}[${n}]`;
  return `{ lambda ; a:${t}. let b:${t} = ${prim}${params} a in (b,) }`;
}

describe("unary primitives (vector body and scalar tail)", () => {
  for (const prim of UNARY_PRIMS) {
    const dtypes = acceptedDtypes(prim, 1);
    for (const dtype of dtypes) {
      const variants = prim === "round" ? ["[rounding_method=0]", "[rounding_method=1]"] : [""];
      for (const params of variants) {
        it(`${prim}${params} ${dtype}`, () => {
          const xs = padded(dtype === "float32" ? F32_SPECIAL : dtype === "int32" ? I32_SPECIAL : BOOL);
          const opts = TRANSCENDENTAL.has(prim) ? { rtol: 3e-7, atol: 1e-37 } : {};
          expectMatchesInterpreter(unaryIR(prim, dtype, xs.length, params), [fromNested(xs, dtype)], opts);
        });
      }
    }
  }

  it("sin and cos beyond the vector range reduction (|x| > 12867) are the host's, rounded", () => {
    const xs = [1e6, -1e6, 3e7, 12868, 1, 2, 3];
    const got = compile(unaryIR("sin", "float32", 7)).run([fromNested(xs, "float32")])[0]!;
    expect(Array.from(got.data.subarray(0, 4))).toEqual(xs.slice(0, 4).map((x) => Math.fround(Math.sin(Math.fround(x)))));
  });
});

describe("binary primitives on every pair of special values", () => {
  const pairs = (vals: readonly number[]): [number[], number[]] => {
    const x: number[] = [];
    const y: number[] = [];
    for (const a of vals) for (const b of vals) (x.push(a), y.push(b));
    return [padded(x), padded(y)];
  };
  for (const prim of [...BINARY_PRIMS, ...COMPARE_PRIMS]) {
    const dtypes = acceptedDtypes(prim, 2);
    for (const dtype of dtypes) {
      it(`${prim} ${dtype}`, () => {
        const [x, y] = pairs(dtype === "float32" ? F32_SPECIAL.slice(0, 19) : dtype === "int32" ? I32_SPECIAL : [0, 1]);
        const t = `${SHORT[dtype]}[${x.length}]`;
        const out = COMPARE_PRIMS.includes(prim as never) ? `bool[${x.length}]` : t;
        expectMatchesInterpreter(`{ lambda ; a:${t} b:${t}. let c:${out} = ${prim} a b in (c,) }`, [fromNested(x, dtype), fromNested(y, dtype)]);
      });
    }
  }

  it("int32 division and remainder follow XLA (x/0 = -1, x%0 = x, INT_MIN/-1 = INT_MIN), hand-checked", () => {
    const x = [7, -7, 7, -7, 5, -2147483648, -2147483648];
    const y = [2, 2, -2, -2, 0, -1, 0];
    const ir = (p: string) => `{ lambda ; a:i32[7] b:i32[7]. let c:i32[7] = ${p} a b in (c,) }`;
    const args = [fromNested(x, "int32"), fromNested(y, "int32")];
    expect(Array.from(compile(ir("div")).run(args)[0]!.data)).toEqual([3, -3, -3, 3, -1, -2147483648, -1]);
    expect(Array.from(compile(ir("rem")).run(args)[0]!.data)).toEqual([1, -1, 1, -1, 5, 0, -2147483648]);
  });
});

describe("conversions and selects", () => {
  const cases: [DType, DType, number[]][] = [
    ["float32", "int32", [2.7, -2.7, -0.5, 3e9, -3e9, NaN, Infinity, -Infinity, 0.999]],
    ["float32", "bool", [0, -0, NaN, 1e-30, -2, Infinity]],
    ["int32", "float32", [16777217, -16777217, 2147483647, 0, -5]],
    ["int32", "bool", [0, 5, -1, 2147483647]],
    ["bool", "float32", BOOL],
    ["bool", "int32", BOOL],
  ];
  for (const [from, to, xs] of cases) {
    it(`convert ${from} → ${to}`, () => {
      const v = padded(xs);
      expectMatchesInterpreter(`{ lambda ; a:${SHORT[from]}[${v.length}]. let b:${SHORT[to]}[${v.length}] = convert_element_type[new_dtype=${to}] a in (b,) }`, [fromNested(v, from)]);
    });
  }

  it("select_n with a bool and with a clamped int32 index, over float, int and bool cases", () => {
    const w = padded([-3, 0, 1, 2, 9, 1, 0]);
    const n = w.length;
    const c = (k: number) => fromNested(w.map((_, i) => i * 10 + k), "float32");
    expectMatchesInterpreter(`{ lambda ; w:i32[${n}] a:f32[${n}] b:f32[${n}] c:f32[${n}]. let d:f32[${n}] = select_n w a b c in (d,) }`, [fromNested(w, "int32"), c(0), c(1), c(2)]);
    const p = padded(BOOL);
    const m = p.length;
    const ints = (k: number) => fromNested(p.map((_, i) => i - k), "int32");
    expectMatchesInterpreter(`{ lambda ; p:bool[${m}] a:i32[${m}] b:i32[${m}]. let d:i32[${m}] = select_n p a b in (d,) }`, [fromNested(p, "bool"), ints(0), ints(3)]);
    const bools = (k: number) => fromNested(p.map((_, i) => (i + k) % 2), "bool");
    expectMatchesInterpreter(`{ lambda ; p:bool[${m}] a:bool[${m}] b:bool[${m}]. let d:bool[${m}] = select_n p a b in (d,) }`, [fromNested(p, "bool"), bools(0), bools(1)]);
  });

  it("literals with special values (NaN, ±Infinity, -0) compute like the interpreter", () => {
    const xs = padded([1, -1, 0, 2]);
    const n = xs.length;
    const ir = `{ lambda ; a:f32[${n}]. let
        b:f32[${n}] = mul a -0.0:f32[]
        c:f32[${n}] = add b inf:f32[]
        d:f32[${n}] = max c nan:f32[]
        e:f32[${n}] = min a -inf:f32[]
        f:f32[${n}] = add d e
      in (b, c, f) }`;
    expectMatchesInterpreter(ir, [fromNested(xs, "float32")]);
  });
});
