// Every numpy fixture case (scripts/gen_fixtures.py) through applyPrimitive.
import { describe, expect, it } from "vitest";
import { applyPrimitive } from "../../../src/backends/interpreter/index.js";
import { PRIMS, type Prim } from "../../../src/ir/primitives.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { decodeArray, loadPrimitiveCases } from "../../fixtures/primitives.js";

const cases = loadPrimitiveCases();
const CONTROL_FLOW: readonly Prim[] = ["while", "cond", "scan", "pjit"];

describe("interpreter: numpy fixtures", () => {
  for (const c of cases) {
    it(`${c.prim}: ${c.name}`, () => {
      const outs = applyPrimitive(c.prim, c.params, c.inputs.map(decodeArray));
      expect(outs.length).toBe(c.outputs.length);
      c.outputs.forEach((e, i) => {
        const want = decodeArray(e);
        const got = outs[i]!;
        expect(got.dtype).toBe(want.dtype);
        expect([...got.shape]).toEqual([...want.shape]);
        const exact = want.dtype !== "float32";
        expectAllClose(got.data, want.data, exact ? { rtol: 0, atol: 0 } : { rtol: 1e-6, atol: 0 });
      });
    });
  }

  it("has fixtures for every primitive except control flow", () => {
    const covered = new Set(cases.map((c) => c.prim));
    const missing = PRIMS.filter((p) => !CONTROL_FLOW.includes(p) && !covered.has(p));
    expect(missing).toEqual([]);
    for (const p of covered) expect(PRIMS).toContain(p);
  });
});
