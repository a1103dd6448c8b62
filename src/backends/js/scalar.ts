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
  log1p: math("log1p"),
  expm1: math("expm1"),
  erf: (x) => `fr(erf(${x}))`,
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
  pow: (x, y, d) => (d === "float32" ? `fr(powC(${x}, ${y}))` : `ipow(${x}, ${y})`),
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

const F32 = new Float32Array(1);
const F32_BITS = new Int32Array(F32.buffer);

/** The float32 next to float32 `c` (finite) toward +∞ (dir 1) or −∞ (dir -1). */
function nextFloat32(c: number, dir: 1 | -1): number {
  if (c === 0) return dir * 2 ** -149;
  F32[0] = c;
  F32_BITS[0]! += c > 0 === dir > 0 ? 1 : -1;
  return F32[0]!;
}

const FLIP: { readonly [op: string]: string } = { "<": ">", "<=": ">=", ">": "<", ">=": "<=" };

/**
 * `fround(s) op c` as a comparison of the unrounded double `s`, for a finite
 * float32 constant `c`: `s op2 bound`, true for exactly the same doubles s
 * (NaN and ±∞ included). Rounding to nearest is monotone, so the doubles whose
 * rounding is ≤ c are those up to the midpoint between c and the next float32,
 * the midpoint itself included when it rounds (ties to even) to c. Saves one
 * Math.fround per comparison. `constFirst`: the comparison is `c op fround(s)`.
 * Null for an operator other than <, <=, >, >= or a constant at the edge of
 * the float32 range.
 */
export function roundedCompareBound(op: string, c: number, constFirst: boolean): { readonly op: string; readonly bound: number } | null {
  if (FLIP[op] === undefined) return null;
  const o = constFirst ? FLIP[op]! : op;
  if (!Number.isFinite(c) || Math.fround(c) !== c) return null;
  // fround(s) < c ⟺ fround(s) <= the float32 below c; fround(s) > c ⟺ fround(s) >= the one above.
  const target = o === "<" ? nextFloat32(c, -1) : o === ">" ? nextFloat32(c, 1) : c;
  const upper = o === "<" || o === "<=";
  const beyond = nextFloat32(target, upper ? 1 : -1);
  if (!Number.isFinite(target) || !Number.isFinite(beyond)) return null;
  const mid = (target + beyond) / 2; // exact: two adjacent float32s
  const midRoundsToTarget = Math.fround(mid) === target;
  return { op: upper ? (midRoundsToTarget ? "<=" : "<") : midRoundsToTarget ? ">=" : ">", bound: mid };
}
