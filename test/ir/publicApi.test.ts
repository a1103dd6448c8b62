// Issue #11 item 17: the `ir` namespace exports `print` (so the README's
// `print(parse(t)) === t` is true as written) and its IR constructor is
// `newJaxpr`, not a second `makeJaxpr` beside the tracing one.
import { describe, expect, it } from "vitest";
import { ir, makeJaxpr, np } from "../../src/index.js";

describe("ir public API", () => {
  it("print(parse(t)) === t for printer output", () => {
    const t = makeJaxpr((x: np.Array) => x.mul(2).add(1))(np.ShapeDtype([3], "float32")).toString();
    expect(ir.print(ir.parse(t))).toBe(t);
    expect(ir.print).toBe(ir.printJaxpr);
  });

  it("the IR constructor is newJaxpr; makeJaxpr is only the tracing function", () => {
    expect("makeJaxpr" in ir).toBe(false);
    const a = ir.newVar(ir.aval("float32", [2]));
    expect(ir.print(ir.newJaxpr({ invars: [a], eqns: [], outvars: [a] }))).toBe("{ lambda ; a:f32[2]. let\n  in (a,) }");
  });
});
