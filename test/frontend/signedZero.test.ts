// -0.0 under jit is what it is eagerly: simplify only applies rewrites that
// are exact for every float (x + 0.0 is +0.0 at x = -0.0, so `x+0 -> x` is
// an int-only rule and the float one is `x+(-0.0) -> x`), and
// hoist-invariant-carries does not take `c + 0.0` for an unchanged carry.
// Expected values are IEEE 754's: -0 + 0 = +0, -0 - 0 = -0, -0 + -0 = -0,
// -0 - -0 = +0, so 1/x is +inf or -inf accordingly.
import { describe, expect, it } from "vitest";
import { np, whileLoop } from "../../src/index.js";
import { RUN_MODES } from "../helpers/backends.js";

const negZero = () => np.array([-0, -0, -0, -0, -0]); // five elements: both the wasm vector body and its scalar tail

describe.each(RUN_MODES)("-0.0 through identities (%s)", (_mode, { run }) => {
  const reciprocal = (f: (x: np.Array) => np.Array) => run((x: np.Array) => np.divide(1, f(x)))(negZero()).toArray();

  it("1/(x+0), 1/(0+x) and 1/(x-(-0)) at x = -0 are +inf", () => {
    expect(reciprocal((x) => x.add(0))).toEqual(Array(5).fill(Infinity));
    expect(reciprocal((x) => np.add(0, x))).toEqual(Array(5).fill(Infinity));
    expect(reciprocal((x) => x.sub(-0))).toEqual(Array(5).fill(Infinity));
    expect(reciprocal((x) => x.add(np.zeros([5])))).toEqual(Array(5).fill(Infinity));
  });

  it("1/(x-0), 1/(x+(-0)), 1/(-0+x), 1/(x*1), 1/(x/1) at x = -0 are -inf", () => {
    for (const f of [(x: np.Array) => x.sub(0), (x: np.Array) => x.add(-0), (x: np.Array) => np.add(-0, x), (x: np.Array) => x.mul(1), (x: np.Array) => x.div(1)]) {
      expect(reciprocal(f)).toEqual(Array(5).fill(-Infinity));
    }
  });

  it("a loop carry updated as c + 0.0 is not unchanged: -0 comes out +0", () => {
    const loop = run((x: np.Array) => {
      const [, c] = whileLoop(([i]) => i.lt(3), ([i, c]) => [i.add(1), c.add(0)], [np.array(0, { dtype: "int32" }), x]);
      return np.divide(1, c);
    });
    expect(loop(negZero()).toArray()).toEqual(Array(5).fill(Infinity));
  });
});
