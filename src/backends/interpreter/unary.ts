// Unary elementwise primitives.
//
// Each op is a scalar function per dtype kind. Results are computed in double
// precision and stored into the output typed array, which performs the single
// rounding per primitive: Float32Array rounds to float32, Int32Array wraps
// modulo 2^32 (so `neg`/`abs` of INT32_MIN give INT32_MIN, as XLA does).

import type { ArrayValue } from "../../ir/core.js";
import type { DType } from "../../ir/dtype.js";
import { allocStorage } from "../../ir/dtype.js";
import type { UnaryPrim } from "../../ir/primitives.js";
import type { Impl } from "./impl.js";

export type ScalarFn1 = (x: number) => number;

/** Scalar function per dtype; a missing entry is a dtype the shape rule rejects. */
export interface PerDType<F> {
  readonly float32?: F;
  readonly int32?: F;
  readonly bool?: F;
}

export function pick<F>(prim: string, fns: PerDType<F>, dtype: DType): F {
  const f = fns[dtype];
  if (f === undefined) throw new TypeError(`${prim}: no implementation for ${dtype} operands`);
  return f;
}

function unary(prim: UnaryPrim, fns: PerDType<ScalarFn1>): Impl<UnaryPrim> {
  return ([x], _params, [out]) => [mapUnary(x!, out!.dtype, pick(prim, fns, x!.dtype))];
}

/** Keeps the sign of zero results (numpy's round(-0.3) is -0.0). */
function signedZero(r: number, x: number): number {
  return r === 0 && (x < 0 || Object.is(x, -0)) ? -0 : r;
}

/** Rounds halfway cases away from zero (lax.round default, C `round`). */
export function roundHalfAwayFromZero(x: number): number {
  if (!Number.isFinite(x)) return x;
  const t = Math.trunc(x);
  const r = Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
  return signedZero(r, x);
}

/** Rounds halfway cases to the even neighbour (jnp.round, C `rint`). */
export function roundHalfToEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return signedZero(r, x);
}

const neg: ScalarFn1 = (x) => -x;
const abs: ScalarFn1 = Math.abs;
// Math.sign keeps NaN and the sign of zero, like XLA's sign.
const sign: ScalarFn1 = Math.sign;

const roundAwayFromZero = unary("round", { float32: roundHalfAwayFromZero });
const roundToEven = unary("round", { float32: roundHalfToEven });

type UnaryImpls = { readonly [P in UnaryPrim]: Impl<P> };

export const unaryImpls: UnaryImpls = {
  neg: unary("neg", { float32: neg, int32: neg }),
  exp: unary("exp", { float32: Math.exp }),
  log: unary("log", { float32: Math.log }),
  sin: unary("sin", { float32: Math.sin }),
  cos: unary("cos", { float32: Math.cos }),
  tanh: unary("tanh", { float32: Math.tanh }),
  logistic: unary("logistic", { float32: (x) => 1 / (1 + Math.exp(-x)) }),
  sqrt: unary("sqrt", { float32: Math.sqrt }),
  rsqrt: unary("rsqrt", { float32: (x) => 1 / Math.sqrt(x) }),
  abs: unary("abs", { float32: abs, int32: abs }),
  sign: unary("sign", { float32: sign, int32: sign }),
  floor: unary("floor", { float32: Math.floor }),
  ceil: unary("ceil", { float32: Math.ceil }),
  round: (args, params, outAvals, ctx) =>
    (params.rounding_method === 1 ? roundToEven : roundAwayFromZero)(args, params, outAvals, ctx),
  // Bitwise on int32; logical on bool (stored as 0/1).
  not: unary("not", { int32: (x) => ~x, bool: (x) => x ^ 1 }),
};

/** `f` applied to every element of `x`, stored as `dtype` (the store rounds/wraps). */
export function mapUnary(x: ArrayValue, dtype: DType, f: ScalarFn1): ArrayValue {
  const n = x.data.length;
  const res = allocStorage(dtype, n);
  for (let i = 0; i < n; i++) res[i] = f(x.data[i]!);
  return { dtype, shape: x.shape, data: res };
}
