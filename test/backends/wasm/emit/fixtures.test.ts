// Every numpy primitive fixture (compiled as a one-equation jaxpr) and every
// control-flow fixture on the wasm emitter: equal to the fixture's expected
// values, and to the reference interpreter (bit for bit, except where the
// wasm backend is documented to differ: the ≤ 2 ulp transcendentals and
// float32 accumulation in dot_general).
import { describe, expect, it } from "vitest";
import { applyPrimitive } from "../../../../src/backends/interpreter/index.js";
import { makeEqn, makeJaxpr, newVar } from "../../../../src/ir/core.js";
import type { Prim } from "../../../../src/ir/primitives.js";
import { abstractEval } from "../../../../src/ir/primitives.js";
import { fromNested, toNested } from "../../../../src/ir/value.js";
import { expectAllClose } from "../../../helpers/allclose.js";
import { CONTROL_FLOW_CASES } from "../../../fixtures/control_flow.js";
import { decodeArray, loadPrimitiveCases } from "../../../fixtures/primitives.js";
import { compile, expectMatchesInterpreter, expectSameData } from "./helpers.js";

const cases = loadPrimitiveCases();
/** Primitives whose float results may differ from the interpreter in the last bits. */
const APPROX: ReadonlySet<Prim> = new Set(["exp", "log", "sin", "cos", "tanh", "logistic", "dot_general"]);

describe("wasm emitter: numpy primitive fixtures", () => {
  it("has cases", () => expect(cases.length).toBeGreaterThan(100));
  for (const c of cases) {
    it(`${c.prim}: ${c.name}`, () => {
      const inputs = c.inputs.map(decodeArray);
      const invars = inputs.map((a) => newVar({ dtype: a.dtype, shape: a.shape }));
      const outs = abstractEval(c.prim, c.params, inputs).map((a) => newVar(a));
      const j = makeJaxpr({ invars, eqns: [makeEqn(c.prim, c.params, invars, outs)], outvars: outs });
      const got = compile(j).run(inputs);
      const ref = applyPrimitive(c.prim, c.params, inputs);
      expect(got.length).toBe(c.outputs.length);
      c.outputs.forEach((e, i) => {
        const want = decodeArray(e);
        if (APPROX.has(c.prim) && want.dtype === "float32") expectAllClose(got[i]!.data, ref[i]!.data, { rtol: 1e-6, atol: 0 });
        else expectSameData(got[i]!, ref[i]!, `output ${i} vs interpreter`);
        const exact = want.dtype !== "float32";
        expectAllClose(got[i]!.data, want.data, exact ? { rtol: 0, atol: 0 } : { rtol: 1e-6, atol: 0 });
      });
    });
  }
});

describe("wasm emitter: control-flow fixtures", () => {
  for (const c of CONTROL_FLOW_CASES) {
    it(c.name, () => {
      const inputs = c.inputs.map((x) => fromNested(x.value, x.dtype));
      const got = expectMatchesInterpreter(c.ir, inputs, { rtol: 1e-6 });
      c.expected.forEach((e, i) => {
        expect(got[i]!.dtype).toBe(e.dtype);
        expectAllClose(toNested(got[i]!), e.value, { rtol: 1e-6, atol: 0 });
      });
    });
  }
});
