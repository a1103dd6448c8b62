// JS expressions for one element of each elementwise primitive, with the
// interpreter's semantics: float32 results are rounded with `fr`
// (Math.fround) after every operation that can produce a value float32
// cannot hold, int32 results wrap (`| 0`, Math.imul), bools are 0/1.
// Operand expressions are generated identifiers or numbers, never user text.

import type { DType } from "../../ir/dtype.js";
import type { BinaryPrim, ComparePrim, UnaryPrim } from "../../ir/primitives.js";

type Unary = (x: string, dtype: DType, rounding: number) => string;
type Binary = (x: string, y: string, dtype: DType) => string;

/** Formats a number as a JS expression (NaN, ±Infinity, -0 included). */
export function jsNumber(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "(-Infinity)";
  if (Object.is(v, -0)) return "(-0)";
  if (!Number.isFinite(v)) throw new Error(`jsNumber: ${String(v)}`);
  return v < 0 ? `(${String(v)})` : String(v);
}

const math = (f: string): Unary => (x) => `fr(Math.${f}(${x}))`;
const perDType = (float: (x: string) => string, int: (x: string) => string, bool?: (x: string) => string): Unary => (x, d) =>
  d === "float32" ? float(x) : d === "int32" ? int(x) : (bool ?? int)(x);

export const UNARY: { readonly [P in UnaryPrim]: Unary } = {
  neg: perDType((x) => `(-${x})`, (x) => `((-${x}) | 0)`),
  exp: math("exp"),
  log: math("log"),
  sin: math("sin"),
  cos: math("cos"),
  tanh: math("tanh"),
  logistic: (x) => `fr(1 / (1 + Math.exp(-${x})))`,
  sqrt: math("sqrt"),
  rsqrt: (x) => `fr(1 / Math.sqrt(${x}))`,
  abs: perDType((x) => `Math.abs(${x})`, (x) => `(Math.abs(${x}) | 0)`),
  // Math.sign keeps NaN and the sign of zero, as XLA's sign does.
  sign: (x) => `Math.sign(${x})`,
  floor: (x) => `Math.floor(${x})`,
  ceil: (x) => `Math.ceil(${x})`,
  round: (x, _d, rounding) => (rounding === 1 ? `roundEven(${x})` : `roundAway(${x})`),
  not: perDType((x) => `(~${x})`, (x) => `(~${x})`, (x) => `(${x} ^ 1)`),
};

const arith = (op: string, intForm: (x: string, y: string) => string): Binary => (x, y, d) =>
  d === "float32" ? `fr(${x} ${op} ${y})` : intForm(x, y);
const cmp = (op: string): Binary => (x, y) => `(${x} ${op} ${y} ? 1 : 0)`;

export const BINARY: { readonly [P in BinaryPrim | ComparePrim]: Binary } = {
  add: arith("+", (x, y) => `((${x} + ${y}) | 0)`),
  sub: arith("-", (x, y) => `((${x} - ${y}) | 0)`),
  mul: arith("*", (x, y) => `Math.imul(${x}, ${y})`),
  // `| 0` also turns a -0 quotient/remainder into 0, as storing into an Int32Array does.
  div: arith("/", (x, y) => `(idiv(${x}, ${y}) | 0)`),
  rem: arith("%", (x, y) => `(irem(${x}, ${y}) | 0)`),
  pow: (x, y) => `fr(powC(${x}, ${y}))`,
  // Math.max/min return NaN if either side is NaN, which is XLA's float max/min.
  max: (x, y) => `Math.max(${x}, ${y})`,
  min: (x, y) => `Math.min(${x}, ${y})`,
  and: (x, y) => `(${x} & ${y})`,
  or: (x, y) => `(${x} | ${y})`,
  lt: cmp("<"),
  le: cmp("<="),
  gt: cmp(">"),
  ge: cmp(">="),
  eq: cmp("==="),
  ne: cmp("!=="),
};

/** cases[which]: bool picks case 0 on false; int32 is clamped into range. */
export function selectExpr(which: string, whichDtype: DType, cases: readonly string[]): string {
  if (cases.length === 1) return cases[0]!;
  if (whichDtype === "bool") return `(${which} ? ${cases[1]} : ${cases[0]})`;
  let e = cases[cases.length - 1]!;
  for (let k = cases.length - 2; k >= 1; k--) e = `${which} === ${k} ? ${cases[k]} : ${e}`;
  return `(${which} <= 0 ? ${cases[0]} : ${e})`;
}

export function convertExpr(x: string, from: DType, to: DType): string {
  if (from === to) return x;
  if (to === "bool") return `(${x} !== 0 ? 1 : 0)`; // NaN -> true
  if (to === "int32") return from === "float32" ? `(f2i(${x}) | 0)` : x; // trunc(-0.5) is -0; int32 has no -0
  return `fr(${x})`;
}
