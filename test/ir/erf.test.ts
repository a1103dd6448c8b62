// The float64 erf (src/ir/prims/erf.ts) against Python's math.erf on the
// points of test/fixtures/erf.json (scripts/gen_erf_fixtures.py): within
// 2 float64 ulp everywhere (measured: 1), exact on the special values, odd.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { erf } from "../../src/ir/prims/erf.js";

type Encoded = number | "nan" | "inf" | "-inf";

function decode(v: Encoded): number {
  if (v === "nan") return NaN;
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  return v;
}

const fixture = JSON.parse(readFileSync(new URL("../fixtures/erf.json", import.meta.url), "utf8")) as { cases: [Encoded, Encoded][] };
const cases = fixture.cases.map(([x, y]) => ({ x: decode(x), expected: decode(y) }));

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

/** Position of a float64 in the ordered sequence of floats (±0 both map to 0). */
function ordinal(x: number): bigint {
  f64[0] = x;
  const b = i64[0]!;
  return b >= 0n ? b : -(b & 0x7fffffffffffffffn);
}

/** Distance in float64 ulps; NaN matches only NaN. */
function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  const d = ordinal(a) - ordinal(b);
  return Number(d < 0n ? -d : d);
}

describe("erf (float64)", () => {
  it("replays a few thousand fixture points, dense over [-6, 6], tiny and subnormal", () => {
    expect(cases.length).toBeGreaterThan(5000);
    expect(cases.filter(({ x }) => x !== 0 && Math.abs(x) < 2 ** -1022).length).toBeGreaterThanOrEqual(50);
  });

  it("is within 2 ulp of math.erf at every fixture point", () => {
    let worst = { ulps: 0, x: NaN, got: NaN, expected: NaN };
    for (const { x, expected } of cases) {
      const got = erf(x);
      const ulps = ulpDistance(got, expected);
      if (ulps > worst.ulps) worst = { ulps, x, got, expected };
    }
    expect(worst.ulps, `worst at x=${worst.x}: got ${worst.got}, expected ${worst.expected}`).toBeLessThanOrEqual(2);
  });

  it.each([
    [NaN, NaN],
    [0, 0],
    [-0, -0],
    [Infinity, 1],
    [-Infinity, -1],
    [6, 1],
    [-1e300, -1],
    [5e-324, 5e-324], // (2/√π)·2^-1074 rounds back to the smallest subnormal
  ])("erf(%s) = %s exactly", (x, y) => {
    expect(erf(x)).toEqual(y); // toEqual: -0 ≠ 0, NaN = NaN
  });

  it("is odd: erf(-x) = -erf(x) bit for bit", () => {
    for (const { x } of cases) expect(Object.is(erf(-x), -erf(x)), `x=${x}`).toBe(true);
  });

  it("rounded to float32, agrees with math.erf rounded to float32 (no near-ties among the fixtures)", () => {
    const differ = cases.filter(({ x, expected }) => !Object.is(Math.fround(erf(x)), Math.fround(expected)));
    expect(differ.map(({ x }) => x)).toEqual([]);
  });
});
