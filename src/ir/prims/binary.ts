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
import { type Ops, type Tangent, jvpWithOutputs, scalar, zeroJvp } from "../../passes/ad/rules.js";
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

/** A tangent of an operand, broadcast to the output's shape (a rank-0 operand of an elementwise op stands for every element). */
function tangentAt(ops: Ops, t: Tangent, out: Atom): Tangent {
  return t && ops.toShape(t, out.aval.shape);
}

/**
 * max/min: the tangent of the operand that is chosen; on a tie each gets half
 * (JAX's `_balanced_eq`), so the derivative of max(x, x) is 1.
 */
const chooserJvp = jvpWithOutputs<"max" | "min">((ops, [x, y], [tx, ty], [out]) => {
  const weight = (a: Atom, b: Atom): Atom =>
    ops.select(ops.compare("eq", a, out!), ops.select(ops.compare("eq", b, out!), scalar(0.5), scalar(1)), scalar(0));
  return [ops.addTangents(tx && ops.mul(tangentAt(ops, tx, out!)!, weight(x!, y!)), ty && ops.mul(tangentAt(ops, ty, out!)!, weight(y!, x!)))];
});

const isInt = (a: Atom): boolean => a.aval.dtype === "int32";
const isFloat = (a: Atom): boolean => a.aval.dtype === "float32";

export const BINARY_RULES: FamilyRules<BinaryPrim> = {
  add: binaryPrim("add", {
    dtypes: "numeric",
    jvp: jvpWithOutputs((ops, _p, [tx, ty], [out]) => [ops.addTangents(tangentAt(ops, tx!, out!), tangentAt(ops, ty!, out!))]),
    transpose: (ops, [ct], [x, y]) => [ct && x!.linear ? ops.unbroadcast(ct, x!.atom.aval) : null, ct && y!.linear ? ops.unbroadcast(ct, y!.atom.aval) : null],
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
    jvp: jvpWithOutputs((ops, _p, [tx, ty], [out]) => {
      const a = tangentAt(ops, tx!, out!), b = tangentAt(ops, ty!, out!);
      return [b === null ? a : a === null ? ops.neg(b) : ops.sub(a, b)];
    }),
    transpose: (ops, [ct], [x, y]) => [ct && x!.linear ? ops.unbroadcast(ct, x!.atom.aval) : null, ct && y!.linear ? ops.unbroadcast(ops.neg(ct), y!.atom.aval) : null],
    scalar: { float32: sub, int32: sub },
    // x-0 -> x: x - 0.0 is x for every x, -0.0 included (x - (-0.0) is x + 0.0: not matched)
    simplify: [forwardRule("x-0 -> x", ([x, y], _, c) => (isConst(y!, 0, c) ? x : undefined))],
  }),
  mul: binaryPrim("mul", {
    dtypes: "numeric",
    // Product rule; linear in each operand when the other is a residual.
    jvp: jvpWithOutputs((ops, [x, y], [tx, ty]) => [ops.addTangents(ops.scale(tx!, y!), ops.scale(ty!, x!))]),
    transpose: (ops, [ct], [x, y]) => {
      if (x!.linear && y!.linear) throw new Error("transpose: mul of two tangents is not linear");
      return [ct && x!.linear ? ops.unbroadcast(ops.mul(ct, y!.atom), x!.atom.aval) : null, ct && y!.linear ? ops.unbroadcast(ops.mul(x!.atom, ct), y!.atom.aval) : null];
    },
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
    // d(x/y) = tx/y - ty·(x/y)/y; linear in the numerator only.
    jvp: jvpWithOutputs((ops, [, y], [tx, ty], [out]) => [ops.addTangents(tx && ops.div(tx, y!), ty && ops.neg(ops.mul(ty, ops.div(out!, y!))))]),
    transpose: (ops, [ct], [x, y]) => {
      if (y!.linear) throw new Error("transpose: div is not linear in its divisor");
      return [ct && x!.linear ? ops.unbroadcast(ops.div(ct, y!.atom), x!.atom.aval) : null, null];
    },
    note: "int division truncates toward zero (C, `lax.div`)",
    scalar: { float32: (x, y) => x / y, int32: intDiv },
    // x/1 -> x: exact for every x
    simplify: [forwardRule("x/1 -> x", ([x, y], _, c) => (isConst(y!, 1, c) ? x : undefined))],
  }),
  // JS `%` on doubles is C fmod (sign of the dividend, exact).
  rem: binaryPrim("rem", {
    dtypes: "numeric",
    note: "the result has the sign of the dividend (C `fmod`/`%`, `lax.rem`)",
    // JAX: d/dx = 1, d/dy = -trunc(x/y) (sign(x/y)·floor(|x/y|)).
    jvp: jvpWithOutputs((ops, [x, y], [tx, ty], [out]) => {
      const q = () => ops.div(x!, y!);
      const trunc = () => ops.mul(ops.unary("sign", q()), ops.unary("floor", ops.unary("abs", q())));
      return [ops.addTangents(tangentAt(ops, tx!, out!), ty && ops.neg(ops.mul(ty, trunc())))];
    }),
    scalar: { float32: (x, y) => x % y, int32: intRem } }),
  pow: binaryPrim("pow", {
    dtypes: "numeric",
    // JAX's pow jvp: d/dx = y·x^(y-1), and 0 where y = 0 (so 0^0 has no NaN);
    // d/dy = log(x)·x^y with log(1) in place of log(0), so 0 at x = 0.
    jvp: jvpWithOutputs((ops, [x, y], [tx, ty], [out]) => {
      const dx = tx && ops.mul(tx, ops.select(ops.compare("eq", y!, scalar(0)), scalar(0), ops.mul(y!, ops.emit1("pow", {}, [x!, ops.sub(y!, scalar(1))]))));
      const logx = () => ops.unary("log", ops.select(ops.compare("eq", x!, scalar(0)), ops.toShape(scalar(1), x!.aval.shape), x!));
      const dy = ty && ops.mul(ty, ops.mul(logx(), out!));
      return [ops.addTangents(dx && tangentAt(ops, dx, out!), dy && tangentAt(ops, dy, out!))];
    }),
    note: "f32 is C `pow`; i32 is exact and wraps (square and multiply, as numpy computes it), and a negative exponent gives 1 for a base of 1, ±1 (by the exponent's parity) for −1 and 0 for any other base (XLA; numpy raises instead)",
    scalar: { float32: powC, int32: intPow },
  }),
  // Math.max/min return NaN if either side is NaN, which is XLA's float max/min.
  max: binaryPrim("max", { dtypes: "any", jvp: chooserJvp, scalar: allDTypes(Math.max) }),
  min: binaryPrim("min", { dtypes: "any", jvp: chooserJvp, scalar: allDTypes(Math.min) }),
  and: binaryPrim("and", { dtypes: "int_or_bool", jvp: zeroJvp, scalar: { int32: bitAnd, bool: bitAnd } }),
  or: binaryPrim("or", { dtypes: "int_or_bool", jvp: zeroJvp, scalar: { int32: bitOr, bool: bitOr } }),
};

export const BINARY_PRIMS = Object.keys(BINARY_RULES) as readonly BinaryPrim[];
