// np functions built from several primitives against numpy, bit for bit
// (signed zeros included): float floorDivide/remainder follow numpy's divmod,
// integer power is exact and wraps. Fixtures: test/fixtures/np_functions.json
// (scripts/gen_fixtures.py). Eager, and through jit on every backend.
import { describe, expect, it } from "vitest";
import { Array as NpArray } from "../../src/frontend/array.js";
import { np } from "../../src/index.js";
import type { ArrayValue } from "../../src/ir/core.js";
import { RUN_MODES } from "../helpers/backends.js";
import { loadNpFunctionCases } from "../fixtures/npFunctions.js";
import { decodeArray } from "../fixtures/primitives.js";

type Binary = (x: NpArray, y: NpArray) => NpArray;
const NP_FUNCTIONS: Readonly<Record<string, Binary>> = {
  floor_divide: np.floorDivide,
  remainder: np.remainder,
  power: np.power,
};

const cases = loadNpFunctionCases();

/** Same dtype, shape and elements by Object.is: NaN matches NaN, -0.0 does not match 0.0. */
function expectIdentical(got: ArrayValue, want: ArrayValue, what: string): void {
  expect([got.dtype, ...got.shape], `${what}: dtype and shape`).toEqual([want.dtype, ...want.shape]);
  const bad = Array.from(want.data).findIndex((w, i) => !Object.is(got.data[i], w));
  if (bad >= 0) expect.fail(`${what}: element ${bad} is ${Object.is(got.data[bad], -0) ? "-0" : got.data[bad]}, numpy gives ${Object.is(want.data[bad], -0) ? "-0" : want.data[bad]}`);
}

describe.each(RUN_MODES)("numpy functions composed of primitives (%s)", (_mode, { run }) => {
  for (const c of cases) {
    it(`${c.fn}: ${c.name}`, () => {
      const fn = NP_FUNCTIONS[c.fn];
      if (!fn) throw new Error(`np_functions.json: no np function for numpy's ${c.fn}`);
      const [x, y] = c.inputs.map((e) => NpArray.fromValue(decodeArray(e)));
      const got = run(fn)(x!, y!);
      expectIdentical(got.concrete(c.fn), decodeArray(c.output), `${c.fn} vs numpy`);
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
