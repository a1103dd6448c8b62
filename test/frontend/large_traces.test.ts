// Traced programs that are long or deeply nested (#11 item 9): the issue's
// 2,000 × `y = tanh(y · 1.01)` through jit on every backend, and user code
// that nests loops, conds or jit calls thousands deep, which must end in an
// error naming the nesting (the documented limit, or the JavaScript stack
// running out first) rather than a bare stack overflow — and leave tracing
// in a clean state.
import { describe, expect, it } from "vitest";
import { MAX_JAXPR_NESTING } from "../../src/ir/limits.js";
import { NestingLimitError } from "../../src/ir/traverse.js";
import { TraceDepthError, currentBuilder } from "../../src/frontend/trace/stack.js";
import { traceFlat } from "../../src/frontend/tracing.js";
import { cond, jit, makeJaxpr, np, whileLoop } from "../../src/index.js";
import { expectAllClose } from "../helpers/allclose.js";
import { RUN_MODES } from "../helpers/backends.js";
import { tanhChainReference } from "../helpers/largePrograms.js";

const X = [0.5, 1, 2, -3, 0, 0.25, -0.75, 4];

describe.each(RUN_MODES)("a long traced chain (%s)", (_name, { run }) => {
  // The program, and a longer one: how long a chain overflowed depended on the engine's stack.
  for (const steps of [2000, 10_000]) {
    it(`${steps} × y = tanh(y · 1.01) (${2 * steps} fused operations)`, { timeout: 60_000 }, () => {
      const f = run((x: np.Array) => {
        let y = x;
        for (let i = 0; i < steps; i++) y = np.tanh(y.mul(1.01));
        return y;
      });
      // wasm's tanh is within 2 ulp (docs/wasm-math.md); the others compute in float32 exactly as the reference loop.
      expectAllClose(f(np.array(X)).toArray(), X.map((x) => tanhChainReference(x, steps)), { rtol: 1e-5, atol: 1e-7 });
    });
  }
});

/** `levels` constructs of `kind` nested inside each other in user code, around x + 1. */
function nested(kind: "whileLoop" | "cond" | "jit", levels: number): (x: np.Array) => np.Array {
  const at = (x: np.Array, d: number): np.Array => {
    if (d === 0) return x.add(1);
    switch (kind) {
      case "whileLoop":
        return whileLoop(([i]) => i.lt(1), ([i, y]) => [i.add(1), at(y, d - 1)] as const, [np.array(0, { dtype: "int32" }), x] as const)[1];
      case "cond":
        return cond(x.gt(-1e30), (y: np.Array) => at(y, d - 1), (y: np.Array) => y, x) as np.Array;
      case "jit":
        return jit((y: np.Array) => at(y, d - 1))(x);
    }
  };
  return (x) => at(x, levels);
}

describe("tracing nested deeper than tsjax allows", () => {
  for (const kind of ["whileLoop", "cond", "jit"] as const) {
    it(`10,000 nested ${kind} calls: an error naming the nesting depth, and tracing is left clean`, () => {
      let error: unknown;
      try {
        makeJaxpr(nested(kind, 10_000))(np.ShapeDtype([], "float32"));
      } catch (e) {
        error = e;
      }
      // Which comes first depends on the engine's stack size: the limit, or the stack
      // running out in the traced functions' own calls. Either names what was being traced.
      expect(error instanceof NestingLimitError || error instanceof TraceDepthError).toBe(true);
      expect((error as Error).message).toMatch(new RegExp(`^tracing .*(nest ${MAX_JAXPR_NESTING + 1} levels deep|ran out at jaxpr nesting depth \\d+).*${MAX_JAXPR_NESTING} nested jaxprs`));
      expect(currentBuilder()).toBeUndefined();
      // Eager mode works again afterwards.
      expect(np.array([1, 2]).add(1).toArray()).toEqual([2, 3]);
    });
  }

  it(`the tracer itself nests ${MAX_JAXPR_NESTING} traces and refuses the next one by name`, () => {
    let deepest = 0;
    const trace = (depth: number): void => {
      traceFlat(
        () => {
          deepest = depth;
          trace(depth + 1);
          return [];
        },
        [],
        `level ${depth}`,
      );
    };
    expect(() => trace(1)).toThrow(NestingLimitError);
    expect(() => trace(1)).toThrow(`tracing level ${MAX_JAXPR_NESTING + 1}: jaxprs nest ${MAX_JAXPR_NESTING + 1} levels deep`);
    expect(deepest).toBe(MAX_JAXPR_NESTING);
    expect(currentBuilder()).toBeUndefined();
  });

  it(`user code nesting ${MAX_JAXPR_NESTING / 4} whileLoops traces, and jit runs it`, () => {
    const f = nested("whileLoop", MAX_JAXPR_NESTING / 4);
    expect(jit(f)(np.array(0.5)).item()).toBe(0.5 + 1);
  });
});
