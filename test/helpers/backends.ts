// The backend matrix: every semantic test runs on every registered backend
// (`describe.each(BACKEND_NAMES)`), compared with allclose. Backend-level
// tests compile jaxprs with `getBackend(name)` (test/backends/semantics/);
// frontend tests go through jit.
//
// Frontend value tests run once eagerly (op by op, which is the interpreter)
// and once per backend through jit: `describe.each(RUN_MODES)` hands each
// test list a `run` that wraps the function under test (identity when eager,
// `onBackend(name, f)` otherwise), so one list of cases covers every column.
import { expect } from "vitest";
import { BACKENDS } from "../../src/backends/index.js";
import type { ArrayValue } from "../../src/ir/core.js";
import { jit } from "../../src/index.js";
import { MATH_FNS } from "../../src/backends/wasm/math/index.js";

export const BACKEND_NAMES: readonly string[] = Object.keys(BACKENDS);

/**
 * Where a backend is documented to differ from the interpreter in the last
 * bits of float32 results (docs/backends.md): wasm's vectorised
 * transcendentals (the functions of its math library, ≤ 2 ulp,
 * docs/wasm-math.md) and its float32 dot sums
 * (bit for bit against `float32RunsDot` in dotModel.ts instead).
 * Everything else must equal the interpreter bit for bit.
 */
const APPROXIMATE: Readonly<Record<string, ReadonlySet<string>>> = {
  wasm: new Set([...MATH_FNS, "dot_general"]),
};

/** Backends whose float32 dot_general sums in float32 runs (test/helpers/dotModel.ts) rather than in double. */
export const FLOAT32_DOT_BACKENDS: ReadonlySet<string> = new Set(Object.keys(APPROXIMATE).filter((b) => APPROXIMATE[b]!.has("dot_general")));

/** True when `backend` must reproduce the interpreter exactly on programs using these primitives. */
export function exactVsInterpreter(backend: string, prims: Iterable<string>): boolean {
  const approx = APPROXIMATE[backend];
  if (!approx) return true;
  for (const p of prims) if (approx.has(p)) return false;
  return true;
}

/** Equality of two arrays by Object.is (NaN equals NaN, -0 differs from +0), naming the first differing element. */
export function expectSameData(got: ArrayValue, want: ArrayValue, what = "output"): void {
  expect(got.dtype, `${what} dtype`).toBe(want.dtype);
  expect([...got.shape], `${what} shape`).toEqual([...want.shape]);
  const g = Array.from(got.data);
  const w = Array.from(want.data);
  const bad = g.findIndex((x, i) => !Object.is(x, w[i]));
  if (bad >= 0) expect.fail(`${what}: element ${bad} is ${g[bad]}, the interpreter gives ${w[bad]}`);
}

/** `f` compiled for `backend` (interpreter included: it goes through the same jit path). */
export function onBackend<F extends (...args: never[]) => unknown>(backend: string, f: F, opts: { hoistInvariantCarries?: boolean } = {}) {
  return jit(f, { backend, ...opts });
}

/** Wraps the function under test: `run(f)(...args)` computes `f(...args)` in one mode. */
export type Run = <F extends (...args: never[]) => unknown>(f: F) => F;

export interface RunMode {
  /** `eager`, or `jit:<backend>`: shows up in the test names. */
  readonly name: string;
  /** The backend name, or null for eager mode. */
  readonly backend: string | null;
  readonly run: Run;
}

const eagerRun: Run = (f) => f;

/** `f` through jit on `backend`, typed as `f` (jit keeps the call signature). */
function jitRun(backend: string): Run {
  return <F extends (...args: never[]) => unknown>(f: F) => onBackend(backend, f) as unknown as F;
}

const MODES: readonly RunMode[] = [
  { name: "eager", backend: null, run: eagerRun },
  ...BACKEND_NAMES.map((b): RunMode => ({ name: `jit:${b}`, backend: b, run: jitRun(b) })),
];

/**
 * Eager first (the reference semantics), then every backend through jit, as
 * `[name, mode]` rows: `describe.each(RUN_MODES)("values (%s)", (_name, { run }) => …)`.
 */
export const RUN_MODES: readonly (readonly [string, RunMode])[] = MODES.map((m) => [m.name, m] as const);
