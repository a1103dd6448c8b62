// A model of the wasm backend's float32 dot_general summation, written from
// its documented order (docs/backends.md) rather than from the kernel: per
// output, products rounded to float32 are summed in float32 in contracting
// order (contracting axes in the order the dimension numbers list them), in
// runs of at most 64; each run's sum is added into a double total, rounded
// to float32 once at the end. The wasm kernel must equal it bit for bit.
//
// `dotErrorBound` is the textbook bound the order guarantees against the
// exact sum (what the numpy fixtures hold): for runs of at most r products,
// |computed − exact| ≤ γ_r · Σ|x·y| + u·|exact|, γ_r = r·u / (1 − r·u),
// u = 2⁻²⁴ (each product's rounding plus r − 1 additions; the double totals
// add a negligible 2⁻⁵³ term, absorbed by the final rounding's u).
import type { ArrayValue } from "../../src/ir/core.js";
import { stridesOf } from "../../src/ir/dtype.js";
import type { DotDimensionNumbers } from "../../src/ir/primitives.js";

export const FLOAT32_RUN = 64;
const U = 2 ** -24;

/** Element offsets of every index of `axes` (row-major over them, in the order listed). */
function offsets(shape: readonly number[], axes: readonly number[]): number[] {
  const strides = stridesOf(shape);
  let out = [0];
  for (const a of axes) {
    const next: number[] = [];
    for (const o of out) for (let i = 0; i < shape[a]!; i++) next.push(o + i * strides[a]!);
    out = next;
  }
  return out;
}

const freeAxes = (rank: number, used: readonly number[]): number[] => [...Array(rank).keys()].filter((a) => !used.includes(a));

interface DotTerms {
  readonly shape: number[];
  /** For each output element (row-major), the pairs of element offsets it sums, in contracting order. */
  forEach(visit: (o: number, x: readonly number[], y: readonly number[]) => void): void;
}

function dotTerms(x: ArrayValue, y: ArrayValue, [[lc, rc], [lb, rb]]: DotDimensionNumbers): DotTerms & { k: number } {
  const lf = freeAxes(x.shape.length, [...lc, ...lb]);
  const rf = freeAxes(y.shape.length, [...rc, ...rb]);
  const [xb, yb, xf, yf, xc, yc] = [offsets(x.shape, lb), offsets(y.shape, rb), offsets(x.shape, lf), offsets(y.shape, rf), offsets(x.shape, lc), offsets(y.shape, rc)];
  const shape = [...lb.map((a) => x.shape[a]!), ...lf.map((a) => x.shape[a]!), ...rf.map((a) => y.shape[a]!)];
  return {
    shape,
    k: xc.length,
    forEach(visit) {
      let o = 0;
      for (let b = 0; b < xb.length; b++)
        for (const i of xf)
          for (const j of yf) {
            visit(o++, xc.map((c) => xb[b]! + i + c), yc.map((c) => yb[b]! + j + c));
          }
    },
  };
}

/** float32 dot_general summed the way the wasm backend documents (see above). */
export function float32RunsDot(x: ArrayValue, y: ArrayValue, dims: DotDimensionNumbers): ArrayValue {
  const t = dotTerms(x, y, dims);
  const data = new Float32Array(t.shape.reduce((a, b) => a * b, 1));
  t.forEach((o, xs, ys) => {
    let total = 0; // double
    let run = 0; // float32
    for (let c = 0; c < xs.length; c++) {
      run = Math.fround(run + Math.fround(x.data[xs[c]!]! * y.data[ys[c]!]!));
      if ((c + 1) % FLOAT32_RUN === 0 || c + 1 === xs.length) {
        total += run;
        run = 0;
      }
    }
    data[o] = Math.fround(total);
  });
  return { dtype: "float32", shape: t.shape, data };
}

/** Per output element, the bound γ_r·Σ|x·y| + u·|exact| on a float32-runs dot's error (`exact` in double). */
export function dotErrorBound(x: ArrayValue, y: ArrayValue, dims: DotDimensionNumbers): { exact: Float64Array; bound: Float64Array } {
  const t = dotTerms(x, y, dims);
  const r = Math.min(t.k, FLOAT32_RUN);
  const gamma = (r * U) / (1 - r * U);
  const n = t.shape.reduce((a, b) => a * b, 1);
  const exact = new Float64Array(n);
  const bound = new Float64Array(n);
  t.forEach((o, xs, ys) => {
    let s = 0;
    let abs = 0;
    for (let c = 0; c < xs.length; c++) {
      const p = x.data[xs[c]!]! * y.data[ys[c]!]!;
      s += p;
      abs += Math.abs(p);
    }
    exact[o] = s;
    bound[o] = gamma * (1 + U) * abs + U * Math.abs(s) + 2 ** -50 * abs; // the last term: `s` itself is a double sum
  });
  return { exact, bound };
}
