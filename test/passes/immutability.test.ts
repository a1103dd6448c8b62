// Passes never mutate their input. In checked mode (verify on; the whole test
// suite runs that way, see test/setup.ts) the pass manager deep-freezes each
// pass's input, so a mutation throws where it happens. This runs every
// registered pass on a program that gives each something to do.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { jit, makeJaxpr, np, whileLoop } from "../../src/index.js";
import type { Jaxpr } from "../../src/ir/core.js";
import { parse, printJaxpr } from "../../src/ir/index.js";
import type { Pass } from "../../src/passes/pass.js";
import { runPipeline } from "../../src/passes/pipeline.js";
import { PASSES } from "../../src/passes/registry.js";

function program(): Jaxpr {
  const inner = jit((x: np.Array) => np.sin(x));
  const f = (w: np.Array, x: np.Array, n: np.Array) => {
    const [, h] = whileLoop(
      ([i]: np.Array[]) => i!.lt(n),
      // w.sum() reads only a body const (licm); the third carry never changes (hoist).
      ([i, h, w2]: np.Array[]) => [i!.add(1), np.tanh(h!.mul(w.sum())).add(w2!), w2!],
      [np.array(0, { dtype: "int32" }), x, w],
    );
    np.exp(x); // dead
    const y = inner(h!).mul(1); // a call (inline), x*1 (simplify)
    return y.add(np.cos(y)).add(np.cos(y)); // duplicates (cse)
  };
  const text = makeJaxpr(f)(np.ShapeDtype([3], "float32"), np.ShapeDtype([3], "float32"), np.ShapeDtype([], "int32")).toString();
  return parse(text); // a fresh, unfrozen copy per call
}

/** Options that make each pass do work on `program()`. */
const OPTIONS: Readonly<Record<string, string>> = { batch: "batch{size=2}" };

/**
 * The AD passes get programs they can differentiate: no loop yet (jvp of
 * while is not supported), and for transpose a linear one.
 */
const AD_PROGRAM = `{ lambda ; a:f32[3] b:f32[3]. let
    c:f32[3] = mul a b
    d:f32[3] = tanh c
    e:f32[] = reduce_sum[axes=(0,)] d
  in (e,) }`;
const LINEAR_PROGRAM = `{ lambda a:f32[3]; b:f32[3]. let
    c:f32[3] = mul b a
    d:f32[] = reduce_sum[axes=(0,)] c
  in (d,) }`;
/** A gradient through a while loop: a replay for expand-replay to expand. */
const REPLAY_PROGRAM = readFileSync(new URL("./expand-replay/basic.jaxpr", import.meta.url), "utf8").split("// CHECK:")[0]!.replace(/^\/\/.*$/gm, "");
const PROGRAMS: Readonly<Record<string, () => Jaxpr>> = {
  "expand-replay": () => parse(REPLAY_PROGRAM),
  jvp: () => parse(AD_PROGRAM),
  linearize: () => parse(AD_PROGRAM),
  transpose: () => parse(LINEAR_PROGRAM),
};

describe("passes never mutate their input (checked mode freezes it)", () => {
  it.each(Object.keys(PASSES))("%s", (name) => {
    const input = (PROGRAMS[name] ?? program)();
    const before = printJaxpr(input);
    const { jaxpr, reports } = runPipeline(input, OPTIONS[name] ?? name, { verify: true });
    expect(Object.isFrozen(input) && Object.isFrozen(input.eqns) && Object.isFrozen(input.eqns[0]!.params)).toBe(true);
    expect(printJaxpr(input)).toBe(before);
    // The pass had something to do here, so the test exercised its rewriting code.
    expect(reports[0]!.changed || jaxpr !== input).toBe(true);
  });

  it("a pass that writes into its input throws in checked mode", () => {
    const mutating: Pass = {
      name: "mutating",
      summary: "writes into its input",
      options: {},
      run: (j: Jaxpr) => {
        (j.eqns as Jaxpr["eqns"][number][]).pop();
        return { jaxpr: j, stats: {} };
      },
    } as unknown as Pass;
    expect(() => runPipeline(program(), [{ pass: mutating, options: {} }], { verify: true })).toThrow(TypeError);
  });
});
