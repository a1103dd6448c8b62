// Binary elementwise primitives and comparisons.
//
// Operands have equal shapes, or one is rank 0 and is broadcast (the shape
// rule allows nothing else). Arithmetic runs in double precision and the
// output typed array does the one rounding (float32) or wrap (int32); the
// exceptions are int32 `mul` (a double product can exceed 2^53, so Math.imul),
// int32 `div`/`rem`, which follow XLA's rules for division by zero and
// overflow, and int32 `pow` (exact square-and-multiply, intPow).

import type { ArrayValue } from "../../ir/core.js";
import { type DType, INT32_MIN, type Shape, allocStorage, sizeOf } from "../../ir/dtype.js";
import type { BinaryPrim, ComparePrim } from "../../ir/primitives.js";
import type { Impl } from "./impl.js";
import { type PerDType, pick } from "./unary.js";

export type ScalarFn2 = (x: number, y: number) => number;


function binary<P extends BinaryPrim | ComparePrim>(prim: P, fns: PerDType<ScalarFn2>): Impl<P> {
  return ([x, y], _params, [out]) => {
    const f = pick(prim, fns, x!.dtype);
    return [zipWith(x!, y!, out!.dtype, out!.shape, f)];
  };
}

/** `f(x[i], y[i])` elementwise, a rank-0 operand standing for every index. */
function zipWith(x: ArrayValue, y: ArrayValue, dtype: DType, shape: Shape, f: ScalarFn2): ArrayValue {
  const xd = x.data;
  const yd = y.data;
  const xs = x.shape.length === 0 ? 0 : 1;
  const ys = y.shape.length === 0 ? 0 : 1;
  const n = sizeOf(shape);
  const res = allocStorage(dtype, n);
  for (let i = 0; i < n; i++) res[i] = f(xd[i * xs]!, yd[i * ys]!);
  return { dtype, shape, data: res };
}

/** Truncating division; x/0 = -1 and INT32_MIN/-1 = INT32_MIN (XLA). */
export function intDiv(x: number, y: number): number {
  if (y === 0) return -1;
  if (x === INT32_MIN && y === -1) return INT32_MIN;
  // |x|, |y| < 2^31, so the double quotient never rounds across an integer.
  return Math.trunc(x / y);
}

/** Remainder with the dividend's sign; x%0 = x (XLA). */
export function intRem(x: number, y: number): number {
  return y === 0 ? x : x % y;
}

/** C `pow`: JS Math.pow differs on pow(1, NaN) and pow(±1, ±inf), where C gives 1. */
export function powC(x: number, y: number): number {
  if (x === 1) return 1;
  if ((x === -1 || x === 1) && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return Math.pow(x, y);
}

/**
 * int32 `x ** y`, exact and wrapping like numpy's int32 power: square and
 * multiply with Math.imul, over every bit of `y` (a double `pow` rounds once
 * the result passes 2^53, long before it wraps). A negative exponent follows
 * XLA, since a traced program cannot raise per element: 1 for x = 1, ±1 for
 * x = -1 (by the exponent's parity), 0 for every other x, 0 included.
 */
export function intPow(x: number, y: number): number {
  if (y < 0) return x === 1 ? 1 : x === -1 ? (y & 1 ? -1 : 1) : 0;
  let acc = 1;
  let sq = x | 0;
  for (let e = y; e !== 0; e >>>= 1) {
    if (e & 1) acc = Math.imul(acc, sq);
    sq = Math.imul(sq, sq);
  }
  return acc;
}

const add: ScalarFn2 = (x, y) => x + y;
const sub: ScalarFn2 = (x, y) => x - y;
// Math.max/min return NaN if either side is NaN, which is XLA's float max/min.
const max: ScalarFn2 = Math.max;
const min: ScalarFn2 = Math.min;
// On bool (stored 0/1) bitwise and/or are logical and/or.
const bitAnd: ScalarFn2 = (x, y) => x & y;
const bitOr: ScalarFn2 = (x, y) => x | y;

// Comparisons on JS numbers already give false for NaN except `!==`.
const lt: ScalarFn2 = (x, y) => (x < y ? 1 : 0);
const le: ScalarFn2 = (x, y) => (x <= y ? 1 : 0);
const gt: ScalarFn2 = (x, y) => (x > y ? 1 : 0);
const ge: ScalarFn2 = (x, y) => (x >= y ? 1 : 0);
const eq: ScalarFn2 = (x, y) => (x === y ? 1 : 0);
const ne: ScalarFn2 = (x, y) => (x !== y ? 1 : 0);

function allDTypes(f: ScalarFn2): PerDType<ScalarFn2> {
  return { float32: f, int32: f, bool: f };
}

type BinaryImpls = { readonly [P in BinaryPrim | ComparePrim]: Impl<P> };

export const binaryImpls: BinaryImpls = {
  add: binary("add", { float32: add, int32: add }),
  sub: binary("sub", { float32: sub, int32: sub }),
  mul: binary("mul", { float32: (x, y) => x * y, int32: Math.imul }),
  div: binary("div", { float32: (x, y) => x / y, int32: intDiv }),
  // JS `%` on doubles is C fmod (sign of the dividend, exact).
  rem: binary("rem", { float32: (x, y) => x % y, int32: intRem }),
  pow: binary("pow", { float32: powC, int32: intPow }),
  max: binary("max", allDTypes(max)),
  min: binary("min", allDTypes(min)),
  and: binary("and", { int32: bitAnd, bool: bitAnd }),
  or: binary("or", { int32: bitOr, bool: bitOr }),

  lt: binary("lt", allDTypes(lt)),
  le: binary("le", allDTypes(le)),
  gt: binary("gt", allDTypes(gt)),
  ge: binary("ge", allDTypes(ge)),
  eq: binary("eq", allDTypes(eq)),
  ne: binary("ne", allDTypes(ne)),
};
