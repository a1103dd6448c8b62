// roundedCompareBound: `fround(s) op c` rewritten as `s op2 bound` must be true
// for exactly the same doubles s. Checked against Math.fround directly on the
// doubles where it matters: the bound itself, its neighbours, the constant's
// float32 neighbours and the midpoints between them, ±0, ±∞ and NaN.
import { describe, expect, it } from "vitest";
import { roundedCompareBound } from "../../../src/backends/js/scalar.js";

const CMP: Record<string, (a: number, b: number) => boolean> = {
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
};

const f32 = new Float32Array(1);
const bits = new Int32Array(f32.buffer);
/** The float32 `steps` representable values away from x (x ≠ 0, same sign). */
function step32(x: number, steps: number): number {
  f32[0] = x;
  bits[0]! += steps;
  return f32[0]!;
}

/** The double next to x toward +∞ (dir 1) or −∞. */
function nextDouble(x: number, dir: 1 | -1): number {
  if (x === 0) return dir * Number.MIN_VALUE;
  const b = new Float64Array([x]);
  const v = new BigInt64Array(b.buffer);
  v[0]! += (x > 0) === (dir > 0) ? 1n : -1n;
  return b[0]!;
}

const constants = [4, -4, 1, -1, 0.1, 1.5, 7, 1e-3, 3.4e38, 1e-40, -1e-40, 2 ** -126, 2 ** -149, -(2 ** -149), 0, -0, 65504, 2 ** 24, 2 ** 24 + 2].map(Math.fround);

describe("fround(s) op c  ⟺  s op2 bound", () => {
  for (const c of constants) {
    for (const op of Object.keys(CMP)) {
      for (const constFirst of [false, true]) {
        it(`${constFirst ? `${c} ${op} fround(s)` : `fround(s) ${op} ${c}`}`, () => {
          const r = roundedCompareBound(op, c, constFirst);
          expect(r).not.toBeNull();
          const probes = new Set<number>([r!.bound, nextDouble(r!.bound, 1), nextDouble(r!.bound, -1), c, NaN, Infinity, -Infinity, 0, -0]);
          if (c !== 0) {
            for (let k = -2; k <= 2; k++) {
              const a = step32(c, k), b = step32(c, k + 1);
              const mid = (a + b) / 2;
              for (const x of [a, b, mid, nextDouble(mid, 1), nextDouble(mid, -1)]) probes.add(x);
            }
          }
          for (const s of probes) {
            const want = constFirst ? CMP[op]!(c, Math.fround(s)) : CMP[op]!(Math.fround(s), c);
            expect(CMP[r!.op]!(s, r!.bound), `s = ${s}`).toBe(want);
          }
        });
      }
    }
  }

  it("hand-derived bounds around 4 (float32 spacing 2^-22 below, 2^-21 above)", () => {
    // fround(s) <= 4: up to the midpoint 4 + 2^-22, which ties to 4 (even): included.
    expect(roundedCompareBound("<=", 4, false)).toEqual({ op: "<=", bound: 4 + 2 ** -22 });
    // fround(s) < 4 ⟺ fround(s) <= 4 - 2^-22: below the midpoint 4 - 2^-23, which ties to 4: excluded.
    expect(roundedCompareBound("<", 4, false)).toEqual({ op: "<", bound: 4 - 2 ** -23 });
    // fround(s) >= 4: from the midpoint 4 - 2^-23 (ties to 4): included.
    expect(roundedCompareBound(">=", 4, false)).toEqual({ op: ">=", bound: 4 - 2 ** -23 });
    // 4 < fround(s) ⟺ fround(s) > 4 ⟺ fround(s) >= 4 + 2^-21: above the midpoint 4 + 2^-22 (ties to 4).
    expect(roundedCompareBound("<", 4, true)).toEqual({ op: ">", bound: 4 + 2 ** -22 });
  });

  it("declines what it cannot rewrite", () => {
    expect(roundedCompareBound("==", 4, false)).toBeNull();
    expect(roundedCompareBound("<=", 0.1, false)).toBeNull(); // not a float32 value
    expect(roundedCompareBound("<=", Infinity, false)).toBeNull();
    expect(roundedCompareBound("<=", 3.4028234663852886e38, false)).toBeNull(); // the largest float32: its upper midpoint rounds to ∞
  });
});
