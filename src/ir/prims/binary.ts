// Binary elementwise primitives: add, sub, mul, div, rem, pow, max, min, and, or.
//
// Operands have equal shapes, or one is rank 0 and is broadcast (the shape
// rule allows nothing else). Arithmetic runs in double precision and the
// output typed array does the one rounding (float32) or wrap (int32); the
// exceptions are int32 `mul` (a double product can exceed 2^53, so Math.imul),
// int32 `div`/`rem`, which follow XLA's rules for division by zero and
// overflow, and int32 `pow` (exact square-and-multiply, intPow).
// Kernel IR: each is the scalar op of the same name (`binary` instr).
//
// Simplification: only exact rewrites, bit-identical for every input, NaN,
// infinities and -0.0 included, or `jit` would compute something else than
// eager execution. So there is no `x*0 -> 0` (NaN*0 is NaN, -1*0 is -0.0), no
// `x-x -> 0` (inf-inf is NaN), no `0-x -> neg(x)` (0-0 is +0.0, neg(0) is
// -0.0) and, for floats, no `x+0.0 -> x` (-0.0+0.0 is +0.0): the float
// additive identity is -0.0. isConst tells 0.0 and -0.0 apart.

import { INT32_MIN } from "../dtype.js";
import type { Atom } from "../core.js";
import { isConst } from "../../passes/rules/match.js";
import { emit } from "../../passes/rules/emit.js";
import { forwardRule, rewriteRule } from "../../passes/rules/rule.js";
import { allDTypes, binaryPrim } from "./elementwise.js";
import type { FamilyRules, NoParams, ScalarFn2 } from "./rules.js";

export interface BinaryParams {
  add: NoParams;
  sub: NoParams;
  mul: NoParams;
  /** Integer division truncates toward zero (lax.div), like C. */
  div: NoParams;
  /** Remainder takes the sign of the dividend (lax.rem = C fmod / %). */
  rem: NoParams;
  /** float32: C pow. int32: exact and wrapping; a negative exponent gives 1 (x = 1), ±1 (x = -1) or 0 (XLA). */
  pow: NoParams;
  max: NoParams;
  min: NoParams;
  and: NoParams;
  or: NoParams;
}

export type BinaryPrim = keyof BinaryParams;
export type { ComparePrim } from "./compare.js";

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
// On bool (stored 0/1) bitwise and/or are logical and/or.
const bitAnd: ScalarFn2 = (x, y) => x & y;
const bitOr: ScalarFn2 = (x, y) => x | y;

const isInt = (a: Atom): boolean => a.aval.dtype === "int32";
const isFloat = (a: Atom): boolean => a.aval.dtype === "float32";

export const BINARY_RULES: FamilyRules<BinaryPrim> = {
  add: binaryPrim("add", {
    dtypes: "numeric",
    scalar: { float32: add, int32: add },
    simplify: [
      // x+0 -> x for ints; for floats only x+(-0.0) -> x, since -0.0+0.0 is +0.0
      forwardRule("x+0 -> x (int)", ([x, y], _, c) => (isInt(y!) && isConst(y!, 0, c) ? x : undefined)),
      forwardRule("0+x -> x (int)", ([x, y], _, c) => (isInt(x!) && isConst(x!, 0, c) ? y : undefined)),
      forwardRule("x+(-0.0) -> x", ([x, y], _, c) => (isFloat(y!) && isConst(y!, -0, c) ? x : undefined)),
      forwardRule("-0.0+x -> x", ([x, y], _, c) => (isFloat(x!) && isConst(x!, -0, c) ? y : undefined)),
    ],
  }),
  sub: binaryPrim("sub", {
    dtypes: "numeric",
    scalar: { float32: sub, int32: sub },
    // x-0 -> x: x - 0.0 is x for every x, -0.0 included (x - (-0.0) is x + 0.0: not matched)
    simplify: [forwardRule("x-0 -> x", ([x, y], _, c) => (isConst(y!, 0, c) ? x : undefined))],
  }),
  mul: binaryPrim("mul", {
    dtypes: "numeric",
    scalar: { float32: (x, y) => x * y, int32: Math.imul },
    // x*1 -> x, 1*x -> x, x*-1 -> neg(x): exact for NaN, ±inf and ±0.0 too
    simplify: [
      forwardRule("x*1 -> x", ([x, y], _, c) => (isConst(y!, 1, c) ? x : undefined)),
      forwardRule("1*x -> x", ([x, y], _, c) => (isConst(x!, 1, c) ? y : undefined)),
      rewriteRule("x*-1 -> neg(x)", ([x, y], _, c) => (isConst(y!, -1, c) ? emit("neg", {}, [x!]) : undefined)),
      rewriteRule("-1*x -> neg(x)", ([x, y], _, c) => (isConst(x!, -1, c) ? emit("neg", {}, [y!]) : undefined)),
    ],
  }),
  div: binaryPrim("div", {
    dtypes: "numeric",
    note: "int division truncates toward zero (C, `lax.div`)",
    scalar: { float32: (x, y) => x / y, int32: intDiv },
    // x/1 -> x: exact for every x
    simplify: [forwardRule("x/1 -> x", ([x, y], _, c) => (isConst(y!, 1, c) ? x : undefined))],
  }),
  // JS `%` on doubles is C fmod (sign of the dividend, exact).
  rem: binaryPrim("rem", { dtypes: "numeric", note: "the result has the sign of the dividend (C `fmod`/`%`, `lax.rem`)", scalar: { float32: (x, y) => x % y, int32: intRem } }),
  pow: binaryPrim("pow", {
    dtypes: "numeric",
    note: "f32 is C `pow`; i32 is exact and wraps (square and multiply, as numpy computes it), and a negative exponent gives 1 for a base of 1, ±1 (by the exponent's parity) for −1 and 0 for any other base (XLA; numpy raises instead)",
    scalar: { float32: powC, int32: intPow },
  }),
  // Math.max/min return NaN if either side is NaN, which is XLA's float max/min.
  max: binaryPrim("max", { dtypes: "any", scalar: allDTypes(Math.max) }),
  min: binaryPrim("min", { dtypes: "any", scalar: allDTypes(Math.min) }),
  and: binaryPrim("and", { dtypes: "int_or_bool", scalar: { int32: bitAnd, bool: bitAnd } }),
  or: binaryPrim("or", { dtypes: "int_or_bool", scalar: { int32: bitOr, bool: bitOr } }),
};

export const BINARY_PRIMS = Object.keys(BINARY_RULES) as readonly BinaryPrim[];
