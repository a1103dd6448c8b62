// Every numpy fixture case (scripts/gen_fixtures.py) on every backend: each
// case becomes a one-equation program (operands as inputs) that the backend
// compiles and runs. Results equal the fixture (allclose) and the reference
// interpreter (bit for bit, except a backend's documented approximations).
// A backend that sums float32 dots in float32 (FLOAT32_DOT_BACKENDS) must
// instead equal the model of its summation order bit for bit, and stay within
// that order's error bound of numpy's double-accumulated fixture.
import { describe, expect, it } from "vitest";
import { getBackend } from "../../../src/backends/index.js";
import { type DotDimensionNumbers, PRIMS, type Prim } from "../../../src/ir/primitives.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { BACKEND_NAMES, FLOAT32_DOT_BACKENDS, exactVsInterpreter, expectSameData } from "../../helpers/backends.js";
import { dotErrorBound, float32RunsDot } from "../../helpers/dotModel.js";
import { evalJaxpr } from "../../../src/backends/interpreter/index.js";
import { decodeArray, loadPrimitiveCases, singleEquation } from "../../fixtures/primitives.js";

const cases = loadPrimitiveCases();
// Primitives whose params are jaxprs (numpy fixtures describe single operations). The custom-derivative
// calls run on every backend in test/frontend/ad/custom.test.ts and the fuzzer, checkpoint in
// test/frontend/ad/checkpoint.test.ts; custom_vjp_bwd cannot run at all.
// The tape primitives take or make tapes, which no numpy array is: they run on every backend in test/backends/tape.test.ts.
// check raises instead of computing: test/frontend/ad/whileGrad.test.ts (maxSteps) runs it on every backend.
const CONTROL_FLOW: readonly Prim[] = ["while", "cond", "scan", "pjit", "checkpoint", "custom_jvp_call", "custom_vjp_call", "custom_vjp_bwd", "while_record", "replay", "tape_read", "tape_reverse", "check"];

describe.each(BACKEND_NAMES)("numpy fixtures on backend %s", (backend) => {
  for (const c of cases) {
    it(`${c.prim}: ${c.name}`, () => {
      const inputs = c.inputs.map(decodeArray);
      const before = inputs.map((x) => [...x.data]);
      const program = singleEquation(c, inputs);
      const outs = getBackend(backend).compile(program).run(inputs);
      const ref = evalJaxpr(program, [], inputs);
      const exactRef = exactVsInterpreter(backend, [c.prim]);
      expect(outs.length).toBe(c.outputs.length);
      c.outputs.forEach((e, i) => {
        const want = decodeArray(e);
        const got = outs[i]!;
        expect(got.dtype).toBe(want.dtype);
        expect([...got.shape]).toEqual([...want.shape]);
        const exact = want.dtype !== "float32";
        if (c.prim === "dot_general" && !exact && FLOAT32_DOT_BACKENDS.has(backend)) {
          const dims = (c.params as { dimension_numbers: DotDimensionNumbers }).dimension_numbers;
          expectSameData(got, float32RunsDot(inputs[0]!, inputs[1]!, dims), "output vs the float32-runs model");
          const { bound } = dotErrorBound(inputs[0]!, inputs[1]!, dims);
          const over = Array.from(want.data).findIndex((w, e) => !(Math.abs(got.data[e]! - w) <= bound[e]!));
          expect(over, `element ${over}: ${got.data[over]} vs numpy ${want.data[over]}, bound ${bound[over]}`).toBe(-1);
          return;
        }
        expectAllClose(got.data, want.data, exact ? { rtol: 0, atol: 0 } : { rtol: 1e-6, atol: 0 });
        if (exactRef) expectSameData(got, ref[i]!, `output ${i} vs the interpreter`);
        else expectAllClose(got.data, ref[i]!.data, { rtol: 1e-6, atol: 0 });
      });
      // Programs never write into their arguments.
      expect(inputs.map((x) => [...x.data])).toEqual(before);
    });
  }
});

describe("numpy fixtures", () => {
  it("cover every primitive except control flow and calls", () => {
    const covered = new Set(cases.map((c) => c.prim));
    const missing = PRIMS.filter((p) => !CONTROL_FLOW.includes(p) && !covered.has(p));
    expect(missing).toEqual([]);
    for (const p of covered) expect(PRIMS).toContain(p);
  });
});
