// Control-flow cases (test/fixtures/control_flow.ts) through evalJaxpr.
import { describe, expect, it } from "vitest";
import { evalJaxpr } from "../../../src/backends/interpreter/index.js";
import { parse } from "../../../src/ir/parser.js";
import { fromNested, toNested } from "../../../src/ir/value.js";
import { verify } from "../../../src/ir/verifier.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { CONTROL_FLOW_CASES } from "../../fixtures/control_flow.js";

describe("interpreter: control flow", () => {
  for (const c of CONTROL_FLOW_CASES) {
    it(c.name, () => {
      const jaxpr = parse(c.ir);
      verify(jaxpr);
      const outs = evalJaxpr(jaxpr, [], c.inputs.map((x) => fromNested(x.value, x.dtype)));
      expect(outs.length).toBe(c.expected.length);
      c.expected.forEach((e, i) => {
        expect(outs[i]!.dtype).toBe(e.dtype);
        expectAllClose(toNested(outs[i]!), e.value, { rtol: 1e-6, atol: 0 });
      });
    });
  }
});
