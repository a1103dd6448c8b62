// One element (width 1) or four consecutive elements (width 4) of every
// elementwise operation, with the interpreter's semantics.
//
// Representation of a value of each dtype:
//
//   dtype     width 1     width 4
//   float32   f32         f32x4
//   int32     i32         i32x4
//   bool      i32 0/1     i32x4 mask (all ones = true, 0 = false)
//
// Vector bools are masks because that is what comparisons produce and what
// `v128.bitselect` consumes; they become 0/1 only in memory.
//
// Exactness: wasm's f32 add/sub/mul/div/sqrt are correctly rounded, which is
// what the interpreter's "compute in double, round once" gives for these
// operations, so they match bit for bit. Where the interpreter does more
// than one operation in double (rsqrt), we do it in f64 too. `rem` and `pow`
// on floats (C fmod, C pow) call the host (exact, rare); transcendentals use
// the vectorised ≤ 2 ulp math (src/backends/wasm/math). int32 division
// follows XLA (x/0 = -1, x%0 = x, INT32_MIN/-1 = INT32_MIN) without trapping;
// int32 pow is an exact square-and-multiply loop.
//
// Every rule takes its operands as locals (already of the width's type) and
// leaves its result on the stack.

import { type DType, INT32_MIN } from "../../../ir/dtype.js";
import type { BinaryPrim, ComparePrim, UnaryPrim } from "../../../ir/primitives.js";
import type { FunctionBuilder } from "../func.js";
import { MATH_FNS, emitMath, type MathFn } from "../math/index.js";
import { TRIG_MAX_ARG } from "../math/trig.js";
import type { PlainOpName } from "../ops.js";
import type { FuncRef, Local, ValType } from "../types.js";

export type Width = 1 | 4;

/** Host functions a kernel may call (added to the module on first use). */
export interface HostFns {
  /** (f64, f64) -> f64: the interpreter's powC. */
  pow(): FuncRef;
  /** (f64, f64) -> f64: C fmod (JS `%`). */
  fmod(): FuncRef;
  /** (f64) -> f64: Math.sin / Math.cos, for arguments beyond the vector math's range. */
  sin(): FuncRef;
  cos(): FuncRef;
}

export interface OpEnv {
  readonly f: FunctionBuilder;
  readonly width: Width;
  readonly host: HostFns;
}

export function valType(dtype: DType, width: Width): ValType {
  if (width === 4) return "v128";
  return dtype === "float32" ? "f32" : "i32";
}

type Unary = (e: OpEnv, x: Local, dtype: DType, rounding: number) => void;
type Binary = (e: OpEnv, x: Local, y: Local, argDtype: DType) => void;


// ---- helpers ------------------------------------------------------------------

const get = (e: OpEnv, ...ls: Local[]): void => {
  for (const l of ls) e.f.local.get(l);
};

/** A constant of `dtype` in the width's representation (bool: 0/1 scalar, mask vector). */
export function pushConst(e: OpEnv, dtype: DType, value: number): void {
  const { f } = e;
  if (e.width === 1) {
    if (dtype === "float32") f.f32.const(value);
    else f.i32.const(dtype === "bool" ? (value ? 1 : 0) : value | 0);
    return;
  }
  if (dtype === "float32") f.v128.const("f32x4", [value, value, value, value]);
  else {
    const v = dtype === "bool" ? (value ? -1 : 0) : value | 0;
    f.v128.const("i32x4", [v, v, v, v]);
  }
}

/** A vector-only instruction on locals. */
function vec(e: OpEnv, name: PlainOpName, ...args: Local[]): void {
  get(e, ...args);
  e.f.op(name);
}

/** Per-dtype-kind instruction for a plain stack op: [width 1, width 4]. */
function plain(e: OpEnv, names: readonly [PlainOpName, PlainOpName], ...args: Local[]): void {
  get(e, ...args);
  e.f.op(names[e.width === 1 ? 0 : 1]);
}

/**
 * Width 4 through the scalar rule, lane by lane (int division, fmod, float pow):
 * extract each lane of the operands, run `scalar`, put the result back.
 */
function perLane(e: OpEnv, args: readonly Local[], argDtype: DType, resDtype: DType, scalar: (s: OpEnv, xs: readonly Local[]) => void): void {
  const { f } = e;
  const s: OpEnv = { ...e, width: 1 };
  const ext = argDtype === "float32" ? "f32x4.extract_lane" : "i32x4.extract_lane";
  const argTemps = args.map(() => f.temp(valType(argDtype, 1)));
  const acc = f.temp("v128");
  for (let q = 0; q < 4; q++) {
    args.forEach((a, i) => {
      f.local.get(a);
      f.laneOp(ext, q);
      f.local.set(argTemps[i]!);
    });
    if (q > 0) f.local.get(acc);
    scalar(s, argTemps);
    if (q === 0) f.op(resDtype === "float32" ? "f32x4.splat" : "i32x4.splat");
    else f.laneOp(resDtype === "float32" ? "f32x4.replace_lane" : "i32x4.replace_lane", q);
    f.local.set(acc);
  }
  f.local.get(acc);
  argTemps.forEach((t) => f.release(t));
  f.release(acc);
}

function math(fn: MathFn): Unary {
  return (e, x) => {
    e.f.local.get(x);
    emitMath(e.f, fn, e.width === 4 ? "f32x4" : "f32");
  };
}

/**
 * sin/cos: the vector math is accurate for |x| ≤ TRIG_MAX_ARG (no Payne–Hanek
 * reduction); lanes beyond it (rare) are recomputed by the host in double and
 * rounded, as the interpreter does. In range the check costs a compare and a
 * branch per vector.
 */
function trig(fn: "sin" | "cos"): Unary {
  return (e, x) => {
    const { f } = e;
    const host = (): FuncRef => (fn === "sin" ? e.host.sin() : e.host.cos());
    const r = f.temp(valType("float32", e.width));
    f.local.get(x);
    emitMath(f, fn, e.width === 4 ? "f32x4" : "f32");
    f.local.set(r);
    if (e.width === 1) {
      f.local.get(x).f32.abs().f32.const(TRIG_MAX_ARG).f32.gt();
      f.if();
      f.local.get(x).f64.promote_f32().call(host()).f32.demote_f64().local.set(r);
      f.end();
    } else {
      const big = v128Const(TRIG_MAX_ARG);
      f.local.get(x).f32x4.abs();
      big(f);
      f.f32x4.gt().v128.any_true();
      f.if();
      for (let q = 0; q < 4; q++) {
        f.local.get(x).f32x4.extract_lane(q).f32.abs().f32.const(TRIG_MAX_ARG).f32.gt();
        f.if();
        f.local.get(r).local.get(x).f32x4.extract_lane(q).f64.promote_f32().call(host()).f32.demote_f64().f32x4.replace_lane(q).local.set(r);
        f.end();
      }
      f.end();
    }
    f.local.get(r);
    f.release(r);
  };
}

const v128Const = (v: number) => (f: FunctionBuilder): void => {
  f.v128.const("f32x4", [v, v, v, v]);
};

/** `copysign(1, x)` in the width's float type (±1 with x's sign bit). */
function signedOne(e: OpEnv, x: Local): void {
  const { f } = e;
  if (e.width === 1) {
    f.f32.const(1).local.get(x).f32.copysign();
    return;
  }
  f.local.get(x).v128.const("i32x4", [INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN]).v128.and();
  f.v128.const("f32x4", [1, 1, 1, 1]).v128.or();
}

/** 1/sqrt(x) computed in double and rounded once, like the interpreter. */
function rsqrt(e: OpEnv, x: Local): void {
  const { f } = e;
  if (e.width === 1) {
    f.f64.const(1).local.get(x).f64.promote_f32().f64.sqrt().f64.div().f32.demote_f64();
    return;
  }
  const half = (high: boolean): void => {
    f.v128.const("f64x2", [1, 1]);
    f.local.get(x);
    if (high) {
      f.local.get(x);
      f.i8x16.shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
    }
    f.f64x2.promote_low_f32x4().f64x2.sqrt().f64x2.div().f32x4.demote_f64x2_zero();
  };
  half(false);
  half(true);
  f.i8x16.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);
}

/** Rounds half away from zero: t = trunc(x); |x - t| ≥ 0.5 ? t + copysign(1, x) : t (exact in f32). */
function roundAway(e: OpEnv, x: Local): void {
  const { f } = e;
  const t = f.temp(valType("float32", e.width));
  if (e.width === 1) {
    f.local.get(x).f32.trunc().local.set(t);
    signedOne(e, x);
    f.local.get(t).f32.add();
    f.local.get(t);
    f.local.get(x).local.get(t).f32.sub().f32.abs().f32.const(0.5).f32.ge();
    f.select();
  } else {
    f.local.get(x).f32x4.trunc().local.set(t);
    signedOne(e, x);
    f.local.get(t).f32x4.add();
    f.local.get(t);
    f.local.get(x).local.get(t).f32x4.sub().f32x4.abs().v128.const("f32x4", [0.5, 0.5, 0.5, 0.5]).f32x4.ge();
    f.v128.bitselect();
  }
  f.release(t);
}

// ---- unary --------------------------------------------------------------------

/**
 * Unary ops that the vector math library provides under their own name (all
 * but sin and cos, which need a host fallback): a new one is selected by
 * adding it to the library (math/index.ts), nothing here.
 */
type LibraryUnary = Exclude<MathFn & UnaryPrim, "sin" | "cos">;
const LIBRARY_UNARY = Object.fromEntries(
  MATH_FNS.filter((fn): fn is LibraryUnary => fn !== "sin" && fn !== "cos").map((fn) => [fn, math(fn)]),
) as { readonly [P in LibraryUnary]: Unary };

export const UNARY: { readonly [P in UnaryPrim]: Unary } = {
  ...LIBRARY_UNARY,
  neg: (e, x, d) => {
    if (d === "float32") return plain(e, ["f32.neg", "f32x4.neg"], x);
    if (e.width === 1) {
      e.f.i32.const(0).local.get(x).i32.sub();
      return;
    }
    vec(e, "i32x4.neg", x);
  },
  sin: trig("sin"),
  cos: trig("cos"),
  sqrt: (e, x) => plain(e, ["f32.sqrt", "f32x4.sqrt"], x),
  rsqrt: (e, x) => rsqrt(e, x),
  abs: (e, x, d) => {
    if (d === "float32") return plain(e, ["f32.abs", "f32x4.abs"], x);
    if (e.width === 4) return vec(e, "i32x4.abs", x);
    // |INT32_MIN| wraps to INT32_MIN, as the interpreter's Int32Array store does.
    e.f.i32.const(0).local.get(x).i32.sub().local.get(x).local.get(x).i32.const(0).i32.lt_s().select();
  },
  // NaN and ±0 stay as they are; everything else becomes ±1 (Math.sign).
  sign: (e, x, d) => {
    const { f } = e;
    if (d === "float32") {
      signedOne(e, x);
      f.local.get(x);
      if (e.width === 1) f.local.get(x).f32.abs().f32.const(0).f32.gt().select();
      else f.local.get(x).f32x4.abs().v128.const("f32x4", [0, 0, 0, 0]).f32x4.gt().v128.bitselect();
      return;
    }
    if (e.width === 1) f.local.get(x).i32.const(0).i32.gt_s().local.get(x).i32.const(0).i32.lt_s().i32.sub();
    else f.local.get(x).v128.const("i32x4", [0, 0, 0, 0]).i32x4.lt_s().local.get(x).v128.const("i32x4", [0, 0, 0, 0]).i32x4.gt_s().i32x4.sub();
  },
  floor: (e, x) => plain(e, ["f32.floor", "f32x4.floor"], x),
  ceil: (e, x) => plain(e, ["f32.ceil", "f32x4.ceil"], x),
  round: (e, x, _d, rounding) => (rounding === 1 ? plain(e, ["f32.nearest", "f32x4.nearest"], x) : roundAway(e, x)),
  not: (e, x, d) => {
    const { f } = e;
    if (e.width === 4) return vec(e, "v128.not", x);
    f.local.get(x).i32.const(d === "bool" ? 1 : -1).i32.xor();
  },
};

// ---- binary -------------------------------------------------------------------

const arith = (fl: readonly [PlainOpName, PlainOpName], int: readonly [PlainOpName, PlainOpName]): Binary => (e, x, y, d) =>
  plain(e, d === "float32" ? fl : int, x, y);

/** XLA int32 division: x/0 = -1, INT32_MIN/-1 = INT32_MIN (wasm would trap on both). */
function intDivScalar(e: OpEnv, x: Local, y: Local): void {
  const { f } = e;
  const q = f.temp("i32");
  // divide by 1 where the quotient is replaced below (y = 0) or would overflow (INT32_MIN / -1 = INT32_MIN / 1)
  f.local.get(x);
  f.i32.const(1).local.get(y);
  f.local.get(y).i32.eqz();
  f.local.get(x).i32.const(INT32_MIN).i32.eq().local.get(y).i32.const(-1).i32.eq().i32.and();
  f.i32.or().select();
  f.i32.div_s().local.set(q);
  f.i32.const(-1).local.get(q).local.get(y).i32.eqz().select();
  f.release(q);
}

/** XLA int32 remainder: x%0 = x; INT32_MIN % -1 = 0 (wasm gives 0 without trapping). */
function intRemScalar(e: OpEnv, x: Local, y: Local): void {
  const { f } = e;
  f.local.get(x);
  f.i32.const(1).local.get(y).local.get(y).i32.eqz().select();
  f.i32.rem_s();
  f.local.get(x).local.get(y).select(); // y ≠ 0 ? remainder : x
}

/**
 * int32 `x ** y` as the interpreter's intPow computes it: square and multiply
 * over the exponent's bits, wrapping. A negative exponent gives 1 for x = 1,
 * ±1 for x = -1 and 0 otherwise (XLA); x = ±1 is reached by running the loop
 * on the exponent's parity bit alone, everything else is zeroed afterwards.
 * Width 4 runs all lanes in one loop until every lane's exponent is spent.
 */
function intPow(e: OpEnv, x: Local, y: Local): void {
  const { f } = e;
  const t = valType("int32", e.width);
  const n = f.temp(t), acc = f.temp(t), sq = f.temp(t);
  const lanes = (k: number): [number, number, number, number] => [k, k, k, k];
  if (e.width === 1) {
    // n = y < 0 ? y & 1 : y
    f.local.get(y).i32.const(1).i32.and().local.get(y).local.get(y).i32.const(0).i32.lt_s().select().local.set(n);
    f.i32.const(1).local.set(acc).local.get(x).local.set(sq);
    // do { if (n & 1) acc *= sq; sq *= sq; n >>>= 1 } while (n != 0); a spent exponent leaves acc as it is.
    const top = f.loop();
    f.local.get(acc).local.get(sq).i32.mul().local.get(acc).local.get(n).i32.const(1).i32.and().select().local.set(acc);
    f.local.get(sq).local.get(sq).i32.mul().local.set(sq);
    f.local.get(n).i32.const(1).i32.shr_u().local.tee(n).br_if(top);
    f.end();
    // y < 0 and x not ±1 ((x + 1) & ~2 != 0) ? 0 : acc
    f.i32.const(0).local.get(acc);
    f.local.get(y).i32.const(0).i32.lt_s();
    f.local.get(x).i32.const(1).i32.add().i32.const(-3).i32.and().i32.const(0).i32.ne();
    f.i32.and().select();
  } else {
    f.local.get(y).v128.const("i32x4", lanes(1)).v128.and().local.get(y);
    f.local.get(y).v128.const("i32x4", lanes(0)).i32x4.lt_s().v128.bitselect().local.set(n);
    f.v128.const("i32x4", lanes(1)).local.set(acc).local.get(x).local.set(sq);
    const top = f.loop();
    f.local.get(acc).local.get(sq).i32x4.mul().local.get(acc);
    f.local.get(n).v128.const("i32x4", lanes(1)).v128.and().v128.const("i32x4", lanes(1)).i32x4.eq().v128.bitselect().local.set(acc);
    f.local.get(sq).local.get(sq).i32x4.mul().local.set(sq);
    f.local.get(n).i32.const(1).i32x4.shr_u().local.tee(n).v128.any_true().br_if(top);
    f.end();
    // acc & ~(y < 0 & ~(x is ±1))
    f.local.get(acc);
    f.local.get(y).v128.const("i32x4", lanes(0)).i32x4.lt_s();
    f.local.get(x).v128.const("i32x4", lanes(1)).i32x4.add().v128.const("i32x4", lanes(-3)).v128.and().v128.const("i32x4", lanes(0)).i32x4.eq();
    f.v128.andnot().v128.andnot();
  }
  [n, acc, sq].forEach((l) => f.release(l));
}

function hostF32(e: OpEnv, fn: FuncRef, x: Local, y: Local): void {
  e.f.local.get(x).f64.promote_f32().local.get(y).f64.promote_f32().call(fn).f32.demote_f64();
}

export const BINARY: { readonly [P in BinaryPrim | ComparePrim]: Binary } = {
  add: arith(["f32.add", "f32x4.add"], ["i32.add", "i32x4.add"]),
  sub: arith(["f32.sub", "f32x4.sub"], ["i32.sub", "i32x4.sub"]),
  mul: arith(["f32.mul", "f32x4.mul"], ["i32.mul", "i32x4.mul"]),
  div: (e, x, y, d) => {
    if (d === "float32") return plain(e, ["f32.div", "f32x4.div"], x, y);
    if (e.width === 1) return intDivScalar(e, x, y);
    perLane(e, [x, y], d, d, (s, [a, b]) => intDivScalar(s, a!, b!));
  },
  rem: (e, x, y, d) => {
    if (d === "float32") {
      if (e.width === 1) return hostF32(e, e.host.fmod(), x, y);
      return perLane(e, [x, y], d, d, (s, [a, b]) => hostF32(s, s.host.fmod(), a!, b!));
    }
    if (e.width === 1) return intRemScalar(e, x, y);
    perLane(e, [x, y], d, d, (s, [a, b]) => intRemScalar(s, a!, b!));
  },
  pow: (e, x, y, d) => {
    if (d === "int32") return intPow(e, x, y);
    if (e.width === 1) return hostF32(e, e.host.pow(), x, y);
    perLane(e, [x, y], d, d, (s, [a, b]) => hostF32(s, s.host.pow(), a!, b!));
  },
  max: (e, x, y, d) => {
    if (d === "float32") return plain(e, ["f32.max", "f32x4.max"], x, y);
    if (d === "bool") return plain(e, ["i32.or", "v128.or"], x, y);
    if (e.width === 4) return vec(e, "i32x4.max_s", x, y);
    e.f.local.get(x).local.get(y).local.get(x).local.get(y).i32.gt_s().select();
  },
  min: (e, x, y, d) => {
    if (d === "float32") return plain(e, ["f32.min", "f32x4.min"], x, y);
    if (d === "bool") return plain(e, ["i32.and", "v128.and"], x, y);
    if (e.width === 4) return vec(e, "i32x4.min_s", x, y);
    e.f.local.get(x).local.get(y).local.get(x).local.get(y).i32.lt_s().select();
  },
  and: (e, x, y) => plain(e, ["i32.and", "v128.and"], x, y),
  or: (e, x, y) => plain(e, ["i32.or", "v128.or"], x, y),
  lt: compare(["f32.lt", "f32x4.lt"], ["i32.lt_s", "i32x4.lt_s"]),
  le: compare(["f32.le", "f32x4.le"], ["i32.le_s", "i32x4.le_s"]),
  gt: compare(["f32.gt", "f32x4.gt"], ["i32.gt_s", "i32x4.gt_s"]),
  ge: compare(["f32.ge", "f32x4.ge"], ["i32.ge_s", "i32x4.ge_s"]),
  eq: compare(["f32.eq", "f32x4.eq"], ["i32.eq", "i32x4.eq"]),
  ne: compare(["f32.ne", "f32x4.ne"], ["i32.ne", "i32x4.ne"]),
};

/**
 * Comparisons give 0/1 scalars and masks. Bool operands are 0/1 scalars
 * (compare as ints) or masks (0/-1: order reversed, so they are turned into
 * 0/1 first; eq/ne work on masks directly).
 */
function compare(fl: readonly [PlainOpName, PlainOpName], int: readonly [PlainOpName, PlainOpName]): Binary {
  return (e, x, y, d) => {
    if (d === "float32") return plain(e, fl, x, y);
    if (d === "bool" && e.width === 4 && int[1] !== "i32x4.eq" && int[1] !== "i32x4.ne") {
      e.f.local.get(x).i32x4.neg().local.get(y).i32x4.neg();
      e.f.op(int[1]);
      return;
    }
    plain(e, int, x, y);
  };
}

// ---- select and convert ---------------------------------------------------------

/** cases[which]: bool which picks case 1 when true; int32 which is clamped into range. */
export function emitSelect(e: OpEnv, which: Local, whichDtype: DType, cases: readonly Local[], dtype: DType): void {
  const { f } = e;
  if (cases.length === 1) {
    f.local.get(cases[0]!);
    return;
  }
  if (whichDtype === "bool") {
    f.local.get(cases[1]!).local.get(cases[0]!).local.get(which);
    if (e.width === 1) f.select();
    else f.v128.bitselect();
    return;
  }
  // r = case0; for k ≥ 1: which ≥ k ? case_k : r  (clamps both ends)
  f.local.get(cases[0]!);
  for (let k = 1; k < cases.length; k++) {
    const r = f.temp(valType(dtype, e.width));
    f.local.set(r);
    f.local.get(cases[k]!).local.get(r).local.get(which);
    if (e.width === 1) f.i32.const(k).i32.ge_s().select();
    else f.v128.const("i32x4", [k, k, k, k]).i32x4.ge_s().v128.bitselect();
    f.release(r);
  }
}

export function emitConvert(e: OpEnv, x: Local, from: DType, to: DType): void {
  const { f } = e;
  f.local.get(x);
  if (from === to) return;
  const v = e.width === 4;
  if (to === "bool") {
    // NaN != 0, so NaN → true
    if (from === "float32") {
      if (v) f.v128.const("f32x4", [0, 0, 0, 0]).f32x4.ne();
      else f.f32.const(0).f32.ne();
    } else if (v) f.v128.const("i32x4", [0, 0, 0, 0]).i32x4.ne();
    else f.i32.const(0).i32.ne();
    return;
  }
  if (to === "int32") {
    // float → int truncates, saturates at the int32 range and maps NaN to 0 (XLA): trunc_sat exactly
    if (from === "float32") f.op(v ? "i32x4.trunc_sat_f32x4_s" : "i32.trunc_sat_f32_s");
    else if (v) f.i32x4.neg(); // mask → 0/1
    return;
  }
  // → float32
  if (from === "bool" && v) f.v128.const("f32x4", [1, 1, 1, 1]).v128.and();
  else f.op(v ? "f32x4.convert_i32x4_s" : "f32.convert_i32_s");
}

/** Turns an i32 index value (on the stack) into `dtype`. */
export function indexAs(e: OpEnv, dtype: DType): void {
  const { f } = e;
  const v = e.width === 4;
  if (dtype === "float32") f.op(v ? "f32x4.convert_i32x4_s" : "f32.convert_i32_s");
  else if (dtype === "bool") {
    if (v) f.v128.const("i32x4", [0, 0, 0, 0]).i32x4.ne();
    else f.i32.const(0).i32.ne();
  }
}
