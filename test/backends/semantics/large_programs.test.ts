// Every backend compiles and runs programs of a hundred thousand equations
// (a straight chain where each equation reads the previous result, a wide
// tree, a loop with fifty thousand carries) and jaxprs nested
// MAX_JAXPR_NESTING deep, without running out of
// stack; one level deeper is refused with an error naming the backend
// (#11 item 9). Values are derived from the programs' construction
// (test/helpers/largePrograms.ts), not from another tsjax run.
import { describe, expect, it } from "vitest";
import { getBackend } from "../../../src/backends/index.js";
import { MAX_JAXPR_NESTING } from "../../../src/ir/limits.js";
import { NestingLimitError, nestingDepth } from "../../../src/ir/traverse.js";
import { scalarValue } from "../../../src/ir/value.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { BACKEND_NAMES } from "../../helpers/backends.js";
import { NEST_KINDS, nestedProgram, ringLoop, ringLoopReference, stepChain, tanhChain, tanhChainReference, wideSum } from "../../helpers/largePrograms.js";

const EQNS = 100_000;
const X = [0.5, 1, 2, -3, 0, 0.25, -0.75, 4];

describe.each(BACKEND_NAMES)("large programs on backend %s", (backend) => {
  const run = (j: Parameters<ReturnType<typeof getBackend>["compile"]>[0], data: Float32Array | Int32Array) =>
    getBackend(backend).compile(j).run([{ dtype: data instanceof Int32Array ? "int32" : "float32", shape: [data.length], data }])[0]!;

  it(`a chain of ${EQNS} equations: ${EQNS / 2} × y = tanh(y · 1.01)`, { timeout: 60_000 }, () => {
    const out = run(tanhChain(EQNS / 2, X.length), new Float32Array(X));
    // wasm's tanh is within 2 ulp (docs/wasm-math.md); the map is a contraction near its fixed points.
    expectAllClose(out.data, X.map((x) => tanhChainReference(x, EQNS / 2)), { rtol: 1e-5, atol: 1e-7 });
  });

  it(`a chain of ${EQNS} equations with duplicated, dead and identity work: x + ${EQNS / 5}`, { timeout: 60_000 }, () => {
    const out = run(stepChain(EQNS / 5, X.length), new Float32Array(X));
    expect(Array.from(out.data)).toEqual(X.map((x) => x + EQNS / 5));
  });

  it(`a wide program of ${EQNS} equations: ${EQNS / 2} independent sums added up by a tree`, { timeout: 60_000 }, () => {
    const leaves = EQNS / 2;
    const xs = [0, 1, 2, 3, -1, 7, 10, -5];
    const out = run(wideSum(leaves, xs.length), new Int32Array(xs));
    expect(Array.from(out.data)).toEqual(xs.map((x) => leaves * x + (leaves * (leaves - 1)) / 2));
  });

  it(`a loop with ${EQNS / 2} carries, each updated from its neighbour (copy-back order matters)`, { timeout: 60_000 }, () => {
    const carries = EQNS / 2;
    const init = Array.from({ length: carries }, (_, k) => k % 1000);
    const outs = getBackend(backend)
      .compile(ringLoop(carries, 2))
      .run(init.map((v) => ({ dtype: "float32", shape: [2], data: new Float32Array([v, -v]) })));
    const want = ringLoopReference(init);
    expect(outs.map((o) => o.data[0])).toEqual(want);
    expect(outs.map((o) => o.data[1])).toEqual(want.map((v) => -v));
  });

  for (const kind of NEST_KINDS) {
    it(`${kind} nested ${MAX_JAXPR_NESTING} deep (the limit) runs; ${MAX_JAXPR_NESTING + 1} deep is refused by name`, { timeout: 60_000 }, () => {
      const j = nestedProgram(kind, MAX_JAXPR_NESTING - 1);
      expect(nestingDepth(j)).toBe(MAX_JAXPR_NESTING);
      const [out] = getBackend(backend).compile(j).run([scalarValue("float32", 0.5)]);
      expect(out!.data[0]).toBe(0.5 + MAX_JAXPR_NESTING);
      const tooDeep = nestedProgram(kind, MAX_JAXPR_NESTING);
      expect(() => getBackend(backend).compile(tooDeep)).toThrow(NestingLimitError);
      expect(() => getBackend(backend).compile(tooDeep)).toThrow(
        new RegExp(`^the ${backend} backend: jaxprs nest ${MAX_JAXPR_NESTING + 1} levels deep .* limit of ${MAX_JAXPR_NESTING} nested jaxprs`),
      );
    });
  }
});
