// Helpers for the js backend tests: compile a jaxpr (text or IR), run it on
// both the js backend and the reference interpreter, compare.
import { expect } from "vitest";
import { evalJaxpr } from "../../../src/backends/interpreter/index.js";
import { type JsCompileOptions, type JsProgram, compileJs } from "../../../src/backends/js/index.js";
import type { ArrayValue, Jaxpr } from "../../../src/ir/core.js";
import { type DType, type Shape, allocStorage, sizeOf } from "../../../src/ir/dtype.js";
import { parse } from "../../../src/ir/parser.js";
import { verify } from "../../../src/ir/verifier.js";
import { expectSameData } from "../../helpers/backends.js";
export { expectSameData };

export function jaxprOf(ir: string | Jaxpr): Jaxpr {
  const j = typeof ir === "string" ? parse(ir) : ir;
  verify(j);
  return j;
}

export function compile(ir: string | Jaxpr, options: JsCompileOptions = {}): JsProgram {
  return compileJs(jaxprOf(ir), options);
}

/** Deterministic pseudo-random values (an LCG; tests never use Math.random). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function randomArray(dtype: DType, shape: Shape, rand: () => number, range = 4): ArrayValue {
  const data = allocStorage(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) {
    const u = rand();
    data[i] = dtype === "bool" ? (u < 0.5 ? 0 : 1) : dtype === "int32" ? Math.floor((u - 0.5) * 2 * range) : Math.fround((u - 0.5) * 2 * range);
  }
  return { dtype, shape: [...shape], data };
}


/** Runs `ir` on the js backend and the interpreter with the same inputs; expects identical results. */
export function expectMatchesInterpreter(ir: string | Jaxpr, inputs: readonly ArrayValue[], options: JsCompileOptions = {}): ArrayValue[] {
  const j = jaxprOf(ir);
  const got = compileJs(j, options).run(inputs);
  const want = evalJaxpr(j, [], inputs);
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expectSameData(g, want[i]!, `output ${i}`));
  return got;
}
