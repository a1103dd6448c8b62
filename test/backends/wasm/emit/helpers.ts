// Helpers for the wasm backend tests: compile a jaxpr (text or IR) with the
// wasm emitter, check the module validates, run it and the reference
// interpreter on the same inputs, compare.
import { expect } from "vitest";
import { evalJaxpr } from "../../../../src/backends/interpreter/index.js";
import { type WasmCompileOptions, type WasmProgram, compileWasm } from "../../../../src/backends/wasm/emit/index.js";
import type { ArrayValue, Jaxpr } from "../../../../src/ir/core.js";
import { type DType, type Shape, allocStorage, sizeOf } from "../../../../src/ir/dtype.js";
import { parse } from "../../../../src/ir/parser.js";
import { verify } from "../../../../src/ir/verifier.js";
import { expectAllClose } from "../../../helpers/allclose.js";
import { mulberry32 } from "../../../helpers/random.js";
import { expectSameData } from "../../../helpers/backends.js";
import { dotErrorBound, float32RunsDot } from "../../../helpers/dotModel.js";
import type { DotDimensionNumbers } from "../../../../src/ir/primitives.js";
import { dotIR } from "../../../fixtures/dotIR.js";
export { expectSameData };

export function jaxprOf(ir: string | Jaxpr): Jaxpr {
  const j = typeof ir === "string" ? parse(ir) : ir;
  verify(j);
  return j;
}

/** Compiles with the wasm emitter and checks the module passes WebAssembly.validate. */
export function compile(ir: string | Jaxpr, options: WasmCompileOptions = {}): WasmProgram {
  const prog = compileWasm(jaxprOf(ir), options);
  expect(WebAssembly.validate(prog.bytes as Uint8Array<ArrayBuffer>), "module validates").toBe(true);
  return prog;
}


export interface MatchOptions {
  /** Compare floats with allclose (transcendentals, float32 dot sums) instead of exactly. */
  readonly rtol?: number;
  readonly atol?: number;
}

/**
 * Runs `ir` on the wasm backend and the interpreter with the same inputs.
 * Non-float outputs must be identical; float outputs identical unless a
 * tolerance is given (then allclose).
 */
export function expectMatchesInterpreter(ir: string | Jaxpr, inputs: readonly ArrayValue[], opts: MatchOptions & WasmCompileOptions = {}): ArrayValue[] {
  const j = jaxprOf(ir);
  const got = compile(j, opts.onKernel ? { onKernel: opts.onKernel } : {}).run(inputs);
  const want = evalJaxpr(j, [], inputs);
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    const w = want[i]!;
    if (g.dtype === "float32" && opts.rtol !== undefined) {
      expect(g.dtype).toBe(w.dtype);
      expect([...g.shape]).toEqual([...w.shape]);
      expectAllClose(g.data, w.data, { rtol: opts.rtol, atol: opts.atol ?? 0 });
    } else expectSameData(g, w, `output ${i}`);
  });
  return got;
}

/** Deterministic pseudo-random numbers in [0, 1) (the shared seeded PRNG). */
export function seeded(seed: number): () => number {
  return mulberry32(seed);
}

/** Random values in (-range, range): float32 rounded, int32 floored, bools 0/1. */
export function randomArray(dtype: DType, shape: Shape, rand: () => number, range = 4): ArrayValue {
  const data = allocStorage(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) {
    const u = rand();
    data[i] = dtype === "bool" ? (u < 0.5 ? 0 : 1) : dtype === "int32" ? Math.floor((u - 0.5) * 2 * range) : Math.fround((u - 0.5) * 2 * range);
  }
  return { dtype, shape: [...shape], data };
}

/**
 * Runs one float32 dot_general on wasm; expects the model of its documented
 * summation order bit for bit (test/helpers/dotModel.ts) and, against the
 * exact sum, that order's error bound.
 */
export function expectModelDot(lhs: ArrayValue, rhs: ArrayValue, d: DotDimensionNumbers): ArrayValue {
  const [out] = compile(dotIR(lhs.shape, rhs.shape, d)).run([lhs, rhs]);
  expectSameData(out!, float32RunsDot(lhs, rhs, d), "output vs the float32-runs model");
  const { exact, bound } = dotErrorBound(lhs, rhs, d);
  exact.forEach((e, i) => expect(Math.abs(out!.data[i]! - e), `element ${i}`).toBeLessThanOrEqual(bound[i]!));
  return out!;
}
