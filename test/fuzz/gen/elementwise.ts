// Builders for elementwise steps: literals, unary and binary ops (numpy-style
// broadcasting and dtype promotion), conversions, select_n.
//
// Each builder reads its choices, picks operands from the pool and emits a
// few equations. Whenever a float would reach a discrete op without being
// exact (bits.ts), the builder picks a continuous op instead.

import { acceptedDtypes } from "../../helpers/acceptedDtypes.js";
import { type DType, type Shape, promoteDTypes } from "../../../src/ir/dtype.js";
import { BINARY_PRIMS, type BinaryPrim, COMPARE_PRIMS, type ComparePrim, UNARY_PRIMS, type UnaryPrim } from "../../../src/ir/primitives.js";
import { BOOL_BITS, type Exactness, addBits, isExactFloat, join, mulBits, roundedBits } from "./bits.js";
import type { Choices } from "./recipe.js";
import { type Scope, type Val, avalOf, dtypeOf, rankOf, shapeOf } from "./scope.js";

export const DTYPES: readonly DType[] = ["float32", "float32", "int32", "bool"];

/** Every backend computes this value to the same bits (see bits.ts). */
export const exact = (v: Val): boolean => isExactFloat(dtypeOf(v), v.bits);

// ------------------------------------------------------------------ literals

const FLOAT_LITERALS = [1, 2, -1, 0.5, 0, 3, -2.5, 0.25, 1.5, 7, NaN, Infinity, -Infinity, 0.1];
const INT_LITERALS = [1, 2, 0, -1, 3, 7, -4, 2147483647, -2147483648];

export function literalStep(s: Scope, c: Choices): void {
  const dtype = DTYPES[c.next(DTYPES.length)]!;
  const table = dtype === "float32" ? FLOAT_LITERALS : dtype === "int32" ? INT_LITERALS : [1, 0];
  s.keep(s.literal(dtype, table[c.next(table.length)]!));
}

// ------------------------------------------------------------------ unary

/** Unary ops whose float result is discrete: they need an exact operand. */
const DISCRETE_UNARY: ReadonlySet<UnaryPrim> = new Set(["sign", "floor", "ceil", "round"]);
const FLOAT_ONLY_UNARY: ReadonlySet<UnaryPrim> = new Set(UNARY_PRIMS.filter((p) => acceptedDtypes(p, 1).join() === "float32"));

function unaryBits(prim: UnaryPrim, x: Val): Exactness {
  switch (prim) {
    case "neg":
    case "abs":
      return x.bits;
    case "sign":
      return { hi: 1, lo: 0 };
    case "floor":
    case "ceil":
    case "round":
      return roundedBits(x.bits);
    case "not":
      return dtypeOf(x) === "bool" ? BOOL_BITS : x.bits && { hi: x.bits.hi + 1, lo: 0 };
    default:
      return null;
  }
}

export function unaryStep(s: Scope, c: Choices): void {
  let prim = UNARY_PRIMS[c.next(UNARY_PRIMS.length)]!;
  let x = s.pick(c.next(8))!;
  if (prim === "not") {
    if (dtypeOf(x) === "float32") x = s.convert(x, "int32") ?? s.constant({ dtype: "bool", shape: shapeOf(x) });
  } else if (FLOAT_ONLY_UNARY.has(prim)) {
    x = s.convert(x, "float32")!;
  } else if (dtypeOf(x) === "bool") {
    x = s.convert(x, "int32")!;
  }
  if (DISCRETE_UNARY.has(prim) && !exact(x)) prim = "neg";
  const params = prim === "round" ? { rounding_method: c.next(2) } : {};
  s.emit1(prim, params as never, [x], unaryBits(prim, x));
}

// ------------------------------------------------------------------ binary

type Binop = BinaryPrim | ComparePrim;
const BINOPS: readonly Binop[] = [...BINARY_PRIMS, ...COMPARE_PRIMS];
const COMPARE: ReadonlySet<Binop> = new Set(COMPARE_PRIMS);

/** The dtype `prim` computes in, given the promoted operand dtype. */
function opDtype(prim: Binop, d: DType): DType {
  if (prim === "and" || prim === "or") return d === "float32" ? "int32" : d;
  if (["add", "sub", "mul", "div", "rem", "pow"].includes(prim)) return d === "bool" ? "int32" : d;
  return d;
}

function binaryBits(prim: Binop, d: DType, a: Val, b: Val): Exactness {
  if (COMPARE.has(prim)) return BOOL_BITS;
  switch (prim) {
    case "add":
    case "sub":
      return addBits(a.bits, b.bits);
    case "mul":
      return mulBits(a.bits, b.bits);
    case "div":
      return d === "int32" ? a.bits && { hi: Math.max(a.bits.hi, 1), lo: 0 } : null;
    case "rem":
      return a.bits && b.bits && { hi: a.bits.hi, lo: Math.min(a.bits.lo, b.bits.lo) };
    case "pow": // floats: rounded; int32: any (it wraps)
      return null;
    case "and":
    case "or": {
      // Two's complement: -3 & -2 = -4 needs one more bit than either operand.
      const j = join(a.bits, b.bits);
      return j && { hi: j.hi + 1, lo: 0 };
    }
    default: // max, min
      return join(a.bits, b.bits);
  }
}

/** Shape both operands broadcast to (numpy rules), or undefined when they do not. */
function broadcastShapes(a: Shape, b: Shape): number[] | undefined {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** `prim(a, b)` numpy-style: promoted dtypes, broadcast shapes (a scalar operand stays a scalar). */
export function binaryOp(s: Scope, prim: Binop, a: Val, b: Val): Val {
  let d = opDtype(prim, promoteDTypes(dtypeOf(a), dtypeOf(b)));
  let x = s.convert(a, d), y = s.convert(b, d);
  // A discrete op on inexact floats, or bitwise ops on them, become max (continuous, any dtype). rem
  // counts as discrete: x - trunc(x/y)·y jumps where x/y crosses an integer, and its result is small
  // next to x, so a few ulp of x (a transcendental's last bits) are a large relative difference.
  const discrete = COMPARE.has(prim) || prim === "and" || prim === "or" || prim === "rem";
  if (x === undefined || y === undefined || (discrete && (!exact(x) || !exact(y)))) {
    prim = "max";
    d = promoteDTypes(dtypeOf(a), dtypeOf(b));
    x = s.convert(a, d)!;
    y = s.convert(b, d)!;
  }
  if (rankOf(x) > 0 && rankOf(y) > 0) {
    const shape = broadcastShapes(shapeOf(x), shapeOf(y));
    if (shape === undefined) y = s.coerce(y, avalOf(x));
    else {
      x = s.broadcastTo(x, shape)!;
      y = s.broadcastTo(y, shape)!;
    }
  }
  return s.emit1(prim, {}, [x, y], binaryBits(prim, d, x, y));
}

export function binaryStep(s: Scope, c: Choices): void {
  const prim = BINOPS[c.next(BINOPS.length)]!;
  const a = s.pick(c.next(8))!;
  // A literal right operand sometimes (typed like the left one, as the tracer makes them).
  const b = c.oneIn(4) ? s.literal(dtypeOf(a), [2, -1, 0.5, 3, 0][c.next(5)]!) : s.pick(c.next(8))!;
  if (c.oneIn(2)) binaryOp(s, prim, a, b);
  else binaryOp(s, prim, b, a);
}

// ------------------------------------------------------------------ convert

export function convertStep(s: Scope, c: Choices): void {
  const x = s.pick(c.next(8))!;
  // Now and then the other identity-like primitive: stop_gradient keeps the value (and its exactness).
  if (c.next(6) === 0) {
    s.emit1("stop_gradient", {}, [x], x.bits);
    return;
  }
  const to = DTYPES[c.next(DTYPES.length)]!;
  if (s.convert(x, to) === undefined) s.convert(x, "float32");
}

// ------------------------------------------------------------------ select_n

/** A bool (or, with `int`, int32) selector from the pool, built from an exact comparison if need be. */
function selector(s: Scope, c: Choices, int: boolean): Val {
  const want: DType = int ? "int32" : "bool";
  const direct = s.pick(c.next(8), (v) => dtypeOf(v) === want || (int && dtypeOf(v) === "bool"));
  if (direct) return direct;
  const num = s.pick(c.next(8), exact);
  if (!num) return s.literal(want, c.next(2));
  return int ? s.convert(num, "int32")! : binaryOp(s, "lt", num, s.literal(dtypeOf(num), 0));
}

export function selectStep(s: Scope, c: Choices): void {
  const first = s.pick(c.next(8))!;
  const n = 1 + c.next(3);
  const cases = [first];
  while (cases.length < n) cases.push(s.need(avalOf(first), s.pick(c.next(8))!, c.oneIn(3)));
  const useInt = n > 2 || c.next(2) === 1;
  let which = selector(s, c, useInt);
  if (useInt && dtypeOf(which) === "bool") which = s.convert(which, "int32")!;
  // A scalar selector picks whole cases; otherwise one per element. Int selectors are clamped.
  which = s.coerce(which, { dtype: dtypeOf(which), shape: c.next(3) === 0 ? [] : [...shapeOf(first)] });
  s.emit1("select_n", {}, [which, ...cases], cases.map((v) => v.bits).reduce(join));
}
