// User-facing functions against numpy: bit for bit (signed zeros included)
// where the fixture says so — float floorDivide/remainder follow numpy's
// divmod, integer power is exact and wraps — and within the fixture's ulp
// bound for transcendentals (log1p, expm1, scipy.special.erf). Fixtures:
// test/fixtures/np_functions.json (scripts/gen_fixtures.py), each naming its
// function by path (`floor_divide` is np.floorDivide). Eager, and through jit
// on every backend.
import { describe, expect, it } from "vitest";
import { Array as NpArray } from "../../src/frontend/array.js";
import * as tsjax from "../../src/index.js";
import { np } from "../../src/index.js";
import type { ArrayValue } from "../../src/ir/core.js";
import { RUN_MODES } from "../helpers/backends.js";
import { loadNpFunctionCases } from "../fixtures/npFunctions.js";
import { decodeArray } from "../fixtures/primitives.js";

type NpFunction = (...xs: NpArray[]) => NpArray;

/** `floor_divide` -> np.floorDivide, `scipy.special.erf` -> scipy.special.erf (numpy's spelling, tsjax's camelCase). */
function resolve(path: string): NpFunction {
  const parts = path.split(".").map((p) => p.replace(/_(\w)/g, (_m, c: string) => c.toUpperCase()));
  let at: unknown = parts.length === 1 ? np : tsjax;
  for (const p of parts) at = at !== null && typeof at === "object" ? (at as Record<string, unknown>)[p] : undefined;
  if (typeof at !== "function") throw new Error(`np_functions.json: tsjax has no function ${parts.join(".")} for ${path}`);
  return at as NpFunction;
}

/** Position of a float32 in the ordered sequence of floats (±0 both 0). */
function ordinal(x: number): number {
  const b = new Int32Array(new Float32Array([x]).buffer)[0]!;
  return b >= 0 ? b : -(b & 0x7fffffff);
}

/** Within `ulp` float32 steps of numpy's value; NaN only for NaN, infinities exactly. */
function expectWithinUlp(got: ArrayValue, want: ArrayValue, ulp: number, what: string): void {
  expect([got.dtype, ...got.shape], `${what}: dtype and shape`).toEqual([want.dtype, ...want.shape]);
  const bad = Array.from(want.data).findIndex((w, i) => {
    const g = got.data[i]!;
    if (Number.isNaN(w) || !Number.isFinite(w)) return !Object.is(g, w);
    return !(Math.abs(ordinal(g) - ordinal(w)) <= ulp);
  });
  if (bad >= 0) expect.fail(`${what}: element ${bad} is ${got.data[bad]}, numpy gives ${want.data[bad]} (allowed: ${ulp} ulp)`);
}

const cases = loadNpFunctionCases();

/** Same dtype, shape and elements by Object.is: NaN matches NaN, -0.0 does not match 0.0. */
function expectIdentical(got: ArrayValue, want: ArrayValue, what: string): void {
  expect([got.dtype, ...got.shape], `${what}: dtype and shape`).toEqual([want.dtype, ...want.shape]);
  const bad = Array.from(want.data).findIndex((w, i) => !Object.is(got.data[i], w));
  if (bad >= 0) expect.fail(`${what}: element ${bad} is ${Object.is(got.data[bad], -0) ? "-0" : got.data[bad]}, numpy gives ${Object.is(want.data[bad], -0) ? "-0" : want.data[bad]}`);
}

describe.each(RUN_MODES)("user-facing functions against numpy (%s)", (_mode, { run }) => {
  for (const c of cases) {
    it(`${c.fn}: ${c.name}`, () => {
      const fn = resolve(c.fn);
      const got = run(fn)(...c.inputs.map((e) => NpArray.fromValue(decodeArray(e))));
      if (c.ulp === 0) expectIdentical(got.concrete(c.fn), decodeArray(c.output), `${c.fn} vs numpy`);
      else expectWithinUlp(got.concrete(c.fn), decodeArray(c.output), c.ulp, `${c.fn} vs numpy`);
    });
  }

  it("floorDivide(1, 0.1) * 0.1 + remainder(1, 0.1) gives back 1, as in numpy", () => {
    const qr = run((a: NpArray, b: NpArray) => [np.floorDivide(a, b), np.remainder(a, b)]);
    const [q, r] = qr(np.array(1), np.array(0.1));
    expect([q!.item(), r!.item()]).toEqual([9, Math.fround(0.09999999)]);
    expect(q!.mul(0.1).add(r!).item()).toBe(1);
  });
});

describe("integer power errors", () => {
  it("a static negative exponent is refused, as numpy does, with the way out", () => {
    expect(() => np.power(np.array([2, 3], { dtype: "int32" }), -2)).toThrow(
      "power: integers to negative integer powers are not allowed (i32[2] ** -2); use a float base",
    );
  });
});
