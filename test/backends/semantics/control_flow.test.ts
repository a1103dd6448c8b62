// Control-flow cases (test/fixtures/control_flow.ts: IR text, inputs and
// hand-derived outputs) compiled and run by every backend; results also equal
// the reference interpreter's (bit for bit, except documented approximations).
import { describe, expect, it } from "vitest";
import { getBackend } from "../../../src/backends/index.js";
import { parse } from "../../../src/ir/parser.js";
import { fromNested, toNested } from "../../../src/ir/value.js";
import { verify } from "../../../src/ir/verifier.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { BACKEND_NAMES, exactVsInterpreter, expectSameData } from "../../helpers/backends.js";
import { primsOf } from "../../helpers/ir.js";
import { evalJaxpr } from "../../../src/backends/interpreter/index.js";
import { CONTROL_FLOW_CASES } from "../../fixtures/control_flow.js";

describe.each(BACKEND_NAMES)("control flow on backend %s", (backend) => {
  for (const c of CONTROL_FLOW_CASES) {
    it(c.name, () => {
      const jaxpr = parse(c.ir);
      verify(jaxpr);
      const inputs = c.inputs.map((x) => fromNested(x.value, x.dtype));
      const program = getBackend(backend).compile(jaxpr);
      const outs = program.run(inputs);
      const ref = evalJaxpr(jaxpr, [], inputs);
      const exactRef = exactVsInterpreter(backend, primsOf(jaxpr));
      expect(outs.length).toBe(c.expected.length);
      c.expected.forEach((e, i) => {
        expect(outs[i]!.dtype).toBe(e.dtype);
        expectAllClose(toNested(outs[i]!), e.value, { rtol: 1e-6, atol: 0 });
        if (exactRef) expectSameData(outs[i]!, ref[i]!, `output ${i} vs the interpreter`);
        else expectAllClose(outs[i]!.data, ref[i]!.data, { rtol: 1e-6, atol: 0 });
      });
      // Programs never write into their arguments, and a compiled program can run again.
      expect(inputs.map(toNested)).toEqual(c.inputs.map((x) => toNested(fromNested(x.value, x.dtype))));
      expect(program.run(inputs).map(toNested)).toEqual(outs.map(toNested));
    });
  }
});
