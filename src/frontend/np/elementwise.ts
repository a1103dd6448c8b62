// Elementwise np functions: numpy semantics (broadcasting, bool < int32 <
// float32 promotion, JS numbers weakly typed) built from the IR's elementwise
// primitives.

import type { DType } from "../../ir/dtype.js";
import type { UnaryPrim } from "../../ir/primitives.js";
import { Array, type ArrayLike } from "../array.js";
import * as lax from "../lax.js";
import { TypedScalar, isJsScalar, weakDtype } from "../scalar.js";
import { checkArrayLike, checkDtype, describe } from "./args.js";
import { type Operand, broadcastArray, broadcastShapes, cast, prepare, resultDtype, scalarOperand } from "./promote.js";

function opDtypeError(name: string, expects: string, xs: readonly unknown[]): TypeError {
  return new TypeError(`${name}: expects ${expects}, got ${xs.map(describe).join(", ")}`);
}

/** A single operand as an Operand of its own (or given) dtype. */
function single(name: string, x: unknown, dtype?: DType): Operand {
  checkArrayLike(name, x);
  if (x instanceof Array) return dtype ? cast(x, dtype) : x;
  return new TypedScalar(x, dtype ?? weakDtype(x));
}

// ---------------------------------------------------------------- arithmetic

export function add(x: ArrayLike, y: ArrayLike): Array {
  const p = prepare("add", [x, y]);
  // numpy adds booleans as logical or.
  return lax.binary(p.dtype === "bool" ? "or" : "add", p.operands[0]!, p.operands[1]!);
}

export function subtract(x: ArrayLike, y: ArrayLike): Array {
  const p = prepare("subtract", [x, y]);
  if (p.dtype === "bool") throw opDtypeError("subtract", "numeric operands (numpy does not subtract booleans)", [x, y]);
  return lax.binary("sub", p.operands[0]!, p.operands[1]!);
}

export function multiply(x: ArrayLike, y: ArrayLike): Array {
  const p = prepare("multiply", [x, y]);
  return lax.binary(p.dtype === "bool" ? "and" : "mul", p.operands[0]!, p.operands[1]!);
}

/** True division: integer and bool operands give float32 (numpy's `/`). */
export function divide(x: ArrayLike, y: ArrayLike): Array {
  const p = prepare("divide", [x, y], { dtype: "float32" });
  return lax.binary("div", p.operands[0]!, p.operands[1]!);
}

/** Division in the promoted dtype (int32 truncates toward zero), the IR's `div`. Backs `x.div(y)`. */
export function laxDivide(x: ArrayLike, y: ArrayLike, name = "div"): Array {
  const p = prepare(name, [x, y], { dtype: numericDtype(name, [x, y]) });
  return lax.binary("div", p.operands[0]!, p.operands[1]!);
}

/** Remainder with the dividend's sign (C `%`), the IR's `rem`. Backs `x.rem(y)`. */
export function laxRemainder(x: ArrayLike, y: ArrayLike, name = "rem"): Array {
  const p = prepare(name, [x, y], { dtype: numericDtype(name, [x, y]) });
  return lax.binary("rem", p.operands[0]!, p.operands[1]!);
}

/** bool promotes to int32 for ops that have no bool meaning. */
function numericDtype(name: string, xs: readonly ArrayLike[]): DType {
  xs.forEach((x) => checkArrayLike(name, x));
  const d = resultDtype(xs);
  return d === "bool" ? "int32" : d;
}

/** Where numpy's floor-division/modulo result needs the divisor's sign: r != 0 and sign(r) != sign(y). */
function signFixNeeded(r: Array, y: Operand): Array {
  const rNeg = lax.binary("lt", r, zeroLike(r.dtype));
  const yNeg = lax.binary("lt", y, zeroLike(y.dtype));
  return lax.binary("and", lax.binary("ne", r, zeroLike(r.dtype)), lax.binary("ne", rNeg, yNeg));
}

function zeroLike(dtype: DType): TypedScalar {
  return new TypedScalar(0, dtype);
}

/** numpy `//`: for ints, the truncated quotient minus one where signs differ; for floats, numpy's divmod quotient. */
export function floorDivide(x: ArrayLike, y: ArrayLike): Array {
  const dtype = numericDtype("floorDivide", [x, y]);
  const p = prepare("floorDivide", [x, y], { dtype, fullShape: dtype === "float32" });
  const [a, b] = p.operands as [Operand, Operand];
  if (p.dtype === "float32") return floatDivmod(a, b, p.shape).floordiv;
  const q = lax.binary("div", a, b);
  const r = lax.binary("rem", a, b);
  return lax.selectN(signFixNeeded(r, b), q, lax.binary("sub", q, new TypedScalar(1, p.dtype)));
}

/** numpy `%` / np.mod: the result has the divisor's sign (`remainder(-1, 3) == 2`). */
export function remainder(x: ArrayLike, y: ArrayLike): Array {
  const dtype = numericDtype("remainder", [x, y]);
  const p = prepare("remainder", [x, y], { dtype, fullShape: dtype === "float32" });
  const [a, b] = p.operands as [Operand, Operand];
  if (p.dtype === "float32") return floatDivmod(a, b, p.shape).mod;
  const r = lax.binary("rem", a, b);
  return lax.selectN(signFixNeeded(r, b), r, lax.binary("add", r, b));
}

/**
 * numpy's float32 divmod (`npy_divmodf`), step for step in float32:
 *
 *   mod = fmod(a, b); div = (a - mod) / b
 *   if mod != 0 and sign(mod) != sign(b): mod += b; div -= 1
 *   if mod == 0: mod = copysign(0, b)
 *   floordiv = div == 0 ? copysign(0, a / b) : floor(div), plus 1 if div - floor(div) > 0.5
 *   b == 0: floordiv = a / b, mod = fmod(a, b) (NaN)
 *
 * `floor(a / b)` is not the same: a / b rounds before the floor (1 / 0.1f
 * rounds up to exactly 10, numpy says 9), while fmod is exact, so a - mod is
 * (up to one rounding) a multiple of b and the quotient agrees with the
 * remainder (q * b + r ≈ a). Composed
 * of primitives every backend computes exactly as the interpreter does (rem
 * is C fmod; sub, add, div round once; floor, comparisons, select_n), so all
 * backends match numpy bit for bit without a primitive of its own.
 * `a` and `b` have the full shape `shape` (select_n cases must).
 */
function floatDivmod(a: Operand, b: Operand, shape: readonly number[]): { floordiv: Array; mod: Array } {
  const f32 = (v: number): TypedScalar => new TypedScalar(v, "float32");
  const full = (v: number): Array => lax.broadcastInDim(f32(v), shape, []);
  // copysign(0, v), for a v that is never NaN where the result is used: v itself where v is ±0.
  const zeroSignedLike = (v: Operand): Array =>
    lax.selectN(lax.binary("eq", v, f32(0)), lax.selectN(lax.binary("lt", v, f32(0)), full(0), full(-0)), asArray(v));
  const mod0 = lax.binary("rem", a, b);
  const div0 = lax.binary("div", lax.binary("sub", a, mod0), b);
  const fix = signFixNeeded(mod0, b); // NaN counts as nonzero, as in C's `if (mod)`
  const mod1 = lax.selectN(fix, mod0, lax.binary("add", mod0, b));
  const div1 = lax.selectN(fix, div0, lax.binary("sub", div0, f32(1)));
  const mod = lax.selectN(lax.binary("eq", mod0, f32(0)), mod1, zeroSignedLike(b));
  const fl = lax.unary("floor", div1);
  const snapped = lax.selectN(lax.binary("gt", lax.binary("sub", div1, fl), f32(0.5)), fl, lax.binary("add", fl, f32(1)));
  const quotient = lax.binary("div", a, b);
  const floordiv = lax.selectN(lax.binary("eq", div1, f32(0)), snapped, zeroSignedLike(quotient));
  const byZero = lax.binary("eq", b, f32(0));
  return { floordiv: lax.selectN(byZero, floordiv, quotient), mod: lax.selectN(byZero, mod, mod0) };
}

/**
 * numpy `**`. Integer powers are exact and wrap (the IR's int32 `pow`). numpy
 * refuses negative integer exponents; a static one is refused here too, while
 * an array exponent's negative elements give what XLA gives (1 for a base of
 * 1, ±1 for -1, else 0): a traced program cannot raise per element.
 */
export function power(x: ArrayLike, y: ArrayLike): Array {
  const dtype = numericDtype("power", [x, y]);
  if (dtype === "int32" && typeof y === "number" && Number.isInteger(y) && y < 0) {
    throw new RangeError(`power: integers to negative integer powers are not allowed (${describe(x)} ** ${y}); use a float base, e.g. power(astype(x, "float32"), ${y})`);
  }
  const p = prepare("power", [x, y], { dtype });
  return lax.binary("pow", p.operands[0]!, p.operands[1]!);
}

export function negative(x: ArrayLike): Array {
  const o = single("negative", x);
  if (o.dtype === "bool") throw opDtypeError("negative", "a numeric operand (use logicalNot for bool)", [x]);
  return lax.unary("neg", o);
}

// ---------------------------------------------------------------- unary math

/** Float-only functions: int and bool inputs are converted to float32 first, as numpy does. */
export function floatUnary(name: string, prim: Exclude<UnaryPrim, "round">) {
  return (x: ArrayLike): Array => lax.unary(prim, single(name, x, "float32"));
}

export const exp = floatUnary("exp", "exp");
export const log = floatUnary("log", "log");
export const sin = floatUnary("sin", "sin");
export const cos = floatUnary("cos", "cos");
export const tanh = floatUnary("tanh", "tanh");
export const sqrt = floatUnary("sqrt", "sqrt");
/** The logistic function 1 / (1 + exp(-x)). */
export const sigmoid = floatUnary("sigmoid", "logistic");
/** log(1 + x), accurate for x near 0 where `log(1 + x)` loses x to rounding. */
export const log1p = floatUnary("log1p", "log1p");
/** exp(x) - 1, accurate for x near 0 where `exp(x) - 1` cancels. */
export const expm1 = floatUnary("expm1", "expm1");

export function abs(x: ArrayLike): Array {
  const o = single("abs", x);
  if (o.dtype === "bool") return asArray(o);
  return lax.unary("abs", o);
}

export function sign(x: ArrayLike): Array {
  const o = single("sign", x);
  if (o.dtype === "bool") throw opDtypeError("sign", "a numeric operand", [x]);
  return lax.unary("sign", o);
}

/** Rounding functions leave integers unchanged (there is nothing to round). */
function roundingUnary(name: string, f: (x: Operand) => Array) {
  return (x: ArrayLike): Array => {
    const o = single(name, x);
    return o.dtype === "float32" ? f(o) : asArray(o);
  };
}

export const floor = roundingUnary("floor", (x) => lax.unary("floor", x));
export const ceil = roundingUnary("ceil", (x) => lax.unary("ceil", x));
/** Rounds half to even, like numpy (`round(2.5) == 2`). */
export const round = roundingUnary("round", (x) => lax.round(x, true));

/** An Operand as an Array (a typed scalar becomes a rank-0 array). */
function asArray(o: Operand): Array {
  return o instanceof Array ? o : lax.broadcastInDim(o, [], []);
}

// ---------------------------------------------------------------- min/max, comparisons, logic

export function maximum(x: ArrayLike, y: ArrayLike): Array {
  const p = prepare("maximum", [x, y]);
  return lax.binary("max", p.operands[0]!, p.operands[1]!);
}

export function minimum(x: ArrayLike, y: ArrayLike): Array {
  const p = prepare("minimum", [x, y]);
  return lax.binary("min", p.operands[0]!, p.operands[1]!);
}

function comparison(name: string, prim: "lt" | "le" | "gt" | "ge" | "eq" | "ne") {
  return (x: ArrayLike, y: ArrayLike): Array => {
    const p = prepare(name, [x, y]);
    return lax.binary(prim, p.operands[0]!, p.operands[1]!);
  };
}

export const less = comparison("less", "lt");
export const lessEqual = comparison("lessEqual", "le");
export const greater = comparison("greater", "gt");
export const greaterEqual = comparison("greaterEqual", "ge");
export const equal = comparison("equal", "eq");
export const notEqual = comparison("notEqual", "ne");

/** Truthiness as numpy sees it: bool as is, anything else `!= 0`. */
function truthy(name: string, x: unknown): Operand {
  const o = single(name, x);
  return o.dtype === "bool" ? o : lax.binary("ne", o, zeroLike(o.dtype));
}

export function logicalAnd(x: ArrayLike, y: ArrayLike): Array {
  const p = prepare("logicalAnd", [truthyLike("logicalAnd", x), truthyLike("logicalAnd", y)]);
  return lax.binary("and", p.operands[0]!, p.operands[1]!);
}

export function logicalOr(x: ArrayLike, y: ArrayLike): Array {
  const p = prepare("logicalOr", [truthyLike("logicalOr", x), truthyLike("logicalOr", y)]);
  return lax.binary("or", p.operands[0]!, p.operands[1]!);
}

export function logicalNot(x: ArrayLike): Array {
  return lax.unary("not", truthy("logicalNot", x));
}

function truthyLike(name: string, x: unknown): ArrayLike {
  if (isJsScalar(x)) return typeof x === "boolean" ? x : x !== 0;
  return asArray(truthy(name, x));
}

function bitwise(name: string, prim: "and" | "or") {
  return (x: ArrayLike, y: ArrayLike, opName = name): Array => {
    const p = prepare(opName, [x, y]);
    if (p.dtype === "float32") throw opDtypeError(opName, "bool or int32 operands", [x, y]);
    return lax.binary(prim, p.operands[0]!, p.operands[1]!);
  };
}

/** `&` (logical on bool). */
export const bitwiseAnd = bitwise("bitwiseAnd", "and");
/** `|` (logical on bool). */
export const bitwiseOr = bitwise("bitwiseOr", "or");
/** `~` (logical on bool). */
export function bitwiseNot(x: ArrayLike, name = "bitwiseNot"): Array {
  const o = single(name, x);
  if (o.dtype === "float32") throw opDtypeError(name, "a bool or int32 operand", [x]);
  return lax.unary("not", o);
}

/** `condition ? x : y` elementwise (select_n), with x and y promoted and all three broadcast. */
export function where(condition: ArrayLike, x: ArrayLike, y: ArrayLike): Array {
  if (x === undefined && y === undefined) {
    throw new TypeError(
      "where: needs three operands, where(condition, x, y); the one-operand form (numpy's nonzero: the indices of the true elements) has a data-dependent shape and is not supported",
    );
  }
  checkArrayLike("where", condition, "condition");
  checkArrayLike("where", x, "x");
  checkArrayLike("where", y, "y");
  const pred = truthyLike("where", condition);
  const shape = broadcastShapes("where", [pred, x, y]);
  const dtype = resultDtype([x, y]);
  const full = (v: ArrayLike, d: DType, what: string): Array =>
    v instanceof Array ? broadcastArray(cast(v, d), shape) : lax.broadcastInDim(scalarOperand("where", v, d, what), shape, []);
  // select_n accepts a scalar selector as is; the cases must have the full shape.
  const which: Operand = typeof pred === "boolean" ? new TypedScalar(pred, "bool") : pred instanceof Array && pred.ndim === 0 ? pred : full(pred, "bool", "condition");
  // select_n picks case 0 where the predicate is false.
  return lax.selectN(which, full(y, dtype, "y"), full(x, dtype, "x"));
}

export function astype(x: ArrayLike, dtype: DType): Array {
  checkArrayLike("astype", x);
  if (dtype === undefined) throw new TypeError('astype: needs a dtype: "float32", "int32" or "bool"');
  checkDtype("astype", dtype);
  if (x instanceof Array) return cast(x, dtype);
  return lax.broadcastInDim(new TypedScalar(x, dtype, { op: "astype", what: "operand", hint: 'use dtype "float32" for it' }), [], []);
}

