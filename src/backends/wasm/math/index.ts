// Vectorised float32 transcendentals: generators that emit f32x4 code (and
// the identical scalar f32 code for tails) through the Lanes expression layer.
//
// Two ways to use them from an emitter:
// - inline: `emitMath(f, "exp", "f32x4")` replaces the v128 on top of the
//   stack with its exp (scratch locals come from the function's pool);
// - as a helper function: `mathFunction(module, "exp", "f32x4")` adds
//   `$exp_f32x4 (param v128) (result v128)` once per module and returns it
//   for `f.call(...)`.
// Algorithms, ranges and measured accuracy: docs/wasm-math.md.

import type { FunctionBuilder } from "../func.js";
import type { ModuleBuilder } from "../module.js";
import type { FuncRef } from "../types.js";
import { WasmBuildError } from "../types.js";
import { erf } from "./erf.js";
import { exp, expm1 } from "./exp.js";
import { Lanes } from "./lanes.js";
import type { F, Shape } from "./lanes.js";
import { log, log1p } from "./log.js";
import { logistic } from "./logistic.js";
import { tanh } from "./tanh.js";
import { cos, sin } from "./trig.js";

/**
 * The functions provided. Adding one here makes `tsc` ask for its generator
 * below and for its entries in the tests' tables. (New ones go last: the
 * accuracy test seeds each function's points by its position.)
 */
export const MATH_FNS = ["exp", "log", "sin", "cos", "tanh", "logistic", "expm1", "log1p", "erf"] as const;

export type MathFn = (typeof MATH_FNS)[number];

/** Each function written once against Lanes; the shape decides SIMD or scalar code. */
export const MATH_GENERATORS: { readonly [K in MathFn]: (L: Lanes, x: F) => F } = {
  exp,
  log,
  sin,
  cos,
  tanh,
  logistic,
  expm1,
  log1p,
  erf,
};

/** Emits `fn` over the value on top of the stack (v128 for f32x4, f32 for f32), leaving the result there. */
export function emitMath(f: FunctionBuilder, fn: MathFn, shape: Shape): void {
  const L = new Lanes(f, shape);
  const input = f.temp(L.typeOf("float"));
  f.local.set(input);
  const result = MATH_GENERATORS[fn](L, L.fromLocal("float", input));
  result.emit();
  L.releaseTemps();
  f.release(input);
}

const helpers = new WeakMap<ModuleBuilder, Map<string, FuncRef>>();

/** The module's helper function for `fn` in `shape`, added on first use. */
export function mathFunction(m: ModuleBuilder, fn: MathFn, shape: Shape): FuncRef {
  let cache = helpers.get(m);
  if (!cache) helpers.set(m, (cache = new Map()));
  const key = `${fn}_${shape}`;
  const existing = cache.get(key);
  if (existing) return existing;
  if (!MATH_GENERATORS[fn]) throw new WasmBuildError(`mathFunction: unknown function '${fn}'`);
  const t = shape === "f32x4" ? "v128" : "f32";
  const f = m.addFunction({ name: key, params: { x: t }, results: [t] });
  f.local.get(f.params.x);
  emitMath(f, fn, shape);
  cache.set(key, f);
  return f;
}

export { Lanes } from "./lanes.js";
export type { F, I, Kind, M, Shape, Val } from "./lanes.js";
