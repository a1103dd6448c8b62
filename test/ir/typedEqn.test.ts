// Eqn is a union discriminated by `prim` (issue #12 item 3): checking the
// primitive narrows the params, so passes need no casts. `npm run typecheck`
// checks these assertions; vitest runs the value checks.
import { describe, expect, expectTypeOf, it } from "vitest";
import { type Eqn, type Jaxpr, isEqnOf, parse } from "../../src/ir/index.js";
import { CONTROL_FLOW_CASES } from "../fixtures/control_flow.js";

// A scalar while (the control-flow fixtures' counting loop).
const j = parse(CONTROL_FLOW_CASES.find((c) => c.name === "scalar while counts to 10")!.ir);

describe("typed equations", () => {
  it("e.prim === 'while' narrows e.params", () => {
    const e: Eqn = j.eqns[0]!;
    if (e.prim !== "while") return expect.fail("expected a while");
    expectTypeOf(e.params.body_jaxpr).toEqualTypeOf<Jaxpr>();
    expectTypeOf(e.params.cond_nconsts).toEqualTypeOf<number>();
    expect(e.params.body_jaxpr.eqns[0]!.prim).toBe("add");
  });
  it("isEqnOf narrows the same way", () => {
    const e: Eqn = j.eqns[0]!;
    expect(isEqnOf(e, "scan")).toBe(false);
    if (!isEqnOf(e, "while")) return expect.fail("expected a while");
    expectTypeOf(e.params.body_nconsts).toEqualTypeOf<number>();
    // @ts-expect-error: a while has no `jaxpr` param (that is pjit's and scan's)
    expect(e.params.jaxpr).toBeUndefined();
  });
});
