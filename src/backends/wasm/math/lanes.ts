// A small expression layer for writing float32 kernels once and emitting
// them either as f32x4 SIMD code or as scalar f32 code (the tail loop).
//
// Every operation used here is exactly rounded IEEE arithmetic in both forms
// (wasm has no fused or flushed variants), so the scalar code computes the
// same bits as each SIMD lane: the tail never differs from the body.
//
// Values are closures that push themselves when emitted. A value used more
// than once must be bound with `let` (evaluated once into a local); an
// unbound value used twice is simply computed twice.

import type { FunctionBuilder } from "../func.js";
import type { PlainOpName } from "../ops.js";
import type { Local, ValType } from "../types.js";

export type Shape = "f32x4" | "f32";

/** What a value holds: float lanes, int32 lanes, or comparison masks. */
export type Kind = "float" | "int" | "mask";

export interface Val<K extends Kind> {
  readonly kind: K;
  readonly emit: () => void;
}

export type F = Val<"float">;
export type I = Val<"int">;
export type M = Val<"mask">;

/** Instruction names per shape for each operation. */
interface OpNames {
  readonly fadd: PlainOpName;
  readonly fsub: PlainOpName;
  readonly fmul: PlainOpName;
  readonly fdiv: PlainOpName;
  readonly fmin: PlainOpName;
  readonly fmax: PlainOpName;
  readonly fabs: PlainOpName;
  readonly fneg: PlainOpName;
  readonly fsqrt: PlainOpName;
  readonly fnearest: PlainOpName;
  readonly ffloor: PlainOpName;
  readonly ftrunc: PlainOpName;
  readonly flt: PlainOpName;
  readonly fle: PlainOpName;
  readonly fgt: PlainOpName;
  readonly fge: PlainOpName;
  readonly feq: PlainOpName;
  readonly fne: PlainOpName;
  readonly iadd: PlainOpName;
  readonly isub: PlainOpName;
  readonly iand: PlainOpName;
  readonly ior: PlainOpName;
  readonly ixor: PlainOpName;
  readonly ishl: PlainOpName;
  readonly ishrS: PlainOpName;
  readonly ishrU: PlainOpName;
  readonly ieq: PlainOpName;
  readonly igtS: PlainOpName;
  readonly toInt: PlainOpName;
  readonly toFloat: PlainOpName;
  readonly mand: PlainOpName;
  readonly mor: PlainOpName;
}

const NAMES: { readonly [S in Shape]: OpNames } = {
  f32x4: {
    fadd: "f32x4.add",
    fsub: "f32x4.sub",
    fmul: "f32x4.mul",
    fdiv: "f32x4.div",
    fmin: "f32x4.min",
    fmax: "f32x4.max",
    fabs: "f32x4.abs",
    fneg: "f32x4.neg",
    fsqrt: "f32x4.sqrt",
    fnearest: "f32x4.nearest",
    ffloor: "f32x4.floor",
    ftrunc: "f32x4.trunc",
    flt: "f32x4.lt",
    fle: "f32x4.le",
    fgt: "f32x4.gt",
    fge: "f32x4.ge",
    feq: "f32x4.eq",
    fne: "f32x4.ne",
    iadd: "i32x4.add",
    isub: "i32x4.sub",
    iand: "v128.and",
    ior: "v128.or",
    ixor: "v128.xor",
    ishl: "i32x4.shl",
    ishrS: "i32x4.shr_s",
    ishrU: "i32x4.shr_u",
    ieq: "i32x4.eq",
    igtS: "i32x4.gt_s",
    toInt: "i32x4.trunc_sat_f32x4_s",
    toFloat: "f32x4.convert_i32x4_s",
    mand: "v128.and",
    mor: "v128.or",
  },
  f32: {
    fadd: "f32.add",
    fsub: "f32.sub",
    fmul: "f32.mul",
    fdiv: "f32.div",
    fmin: "f32.min",
    fmax: "f32.max",
    fabs: "f32.abs",
    fneg: "f32.neg",
    fsqrt: "f32.sqrt",
    fnearest: "f32.nearest",
    ffloor: "f32.floor",
    ftrunc: "f32.trunc",
    flt: "f32.lt",
    fle: "f32.le",
    fgt: "f32.gt",
    fge: "f32.ge",
    feq: "f32.eq",
    fne: "f32.ne",
    iadd: "i32.add",
    isub: "i32.sub",
    iand: "i32.and",
    ior: "i32.or",
    ixor: "i32.xor",
    ishl: "i32.shl",
    ishrS: "i32.shr_s",
    ishrU: "i32.shr_u",
    ieq: "i32.eq",
    igtS: "i32.gt_s",
    toInt: "i32.trunc_sat_f32_s",
    toFloat: "f32.convert_i32_s",
    mand: "i32.and",
    mor: "i32.or",
  },
};

export class Lanes {
  private readonly ops: OpNames;
  private readonly temps: Local[] = [];

  constructor(
    readonly f: FunctionBuilder,
    readonly shape: Shape,
  ) {
    this.ops = NAMES[shape];
  }

  /** Wasm type of a value of each kind in this shape. */
  typeOf(kind: Kind): ValType {
    if (this.shape === "f32x4") return "v128";
    return kind === "float" ? "f32" : "i32";
  }

  private val<K extends Kind>(kind: K, emit: () => void): Val<K> {
    return { kind, emit };
  }

  private op<K extends Kind>(kind: K, name: PlainOpName, ...args: Val<Kind>[]): Val<K> {
    return this.val(kind, () => {
      for (const a of args) a.emit();
      this.f.op(name);
    });
  }

  /** A value read from a local (e.g. the kernel's input). */
  fromLocal<K extends Kind>(kind: K, local: Local): Val<K> {
    return this.val(kind, () => this.f.local.get(local));
  }

  /** Evaluates `v` now into a scratch local and returns a value that reads it. */
  let<K extends Kind>(v: Val<K>): Val<K> {
    const t = this.f.temp(this.typeOf(v.kind));
    this.temps.push(t);
    v.emit();
    this.f.local.set(t);
    return this.fromLocal(v.kind, t);
  }

  /** Hands the scratch locals back to the function's pool. */
  releaseTemps(): void {
    for (const t of this.temps.splice(0)) this.f.release(t);
  }

  // ---- float lanes ---------------------------------------------------------

  /** A float constant in every lane. */
  c(value: number): F {
    return this.val("float", () => {
      if (this.shape === "f32x4") this.f.v128.const("f32x4", [value, value, value, value]);
      else this.f.f32.const(value);
    });
  }

  add = (a: F, b: F): F => this.op("float", this.ops.fadd, a, b);
  sub = (a: F, b: F): F => this.op("float", this.ops.fsub, a, b);
  mul = (a: F, b: F): F => this.op("float", this.ops.fmul, a, b);
  div = (a: F, b: F): F => this.op("float", this.ops.fdiv, a, b);
  /** NaN-propagating min/max (wasm semantics; -0 < +0). */
  min = (a: F, b: F): F => this.op("float", this.ops.fmin, a, b);
  max = (a: F, b: F): F => this.op("float", this.ops.fmax, a, b);
  abs = (a: F): F => this.op("float", this.ops.fabs, a);
  neg = (a: F): F => this.op("float", this.ops.fneg, a);
  sqrt = (a: F): F => this.op("float", this.ops.fsqrt, a);
  /** Round to nearest integer, ties to even. */
  nearest = (a: F): F => this.op("float", this.ops.fnearest, a);
  floor = (a: F): F => this.op("float", this.ops.ffloor, a);
  trunc = (a: F): F => this.op("float", this.ops.ftrunc, a);

  /** c[0] + x·(c[1] + x·(c[2] + …)), evaluated by Horner's rule. */
  horner(x: F, coeffs: readonly number[]): F {
    let acc = this.c(coeffs[coeffs.length - 1]!);
    for (let k = coeffs.length - 2; k >= 0; k--) acc = this.add(this.mul(acc, x), this.c(coeffs[k]!));
    return acc;
  }

  // ---- comparisons and masks -------------------------------------------------

  lt = (a: F, b: F): M => this.op("mask", this.ops.flt, a, b);
  le = (a: F, b: F): M => this.op("mask", this.ops.fle, a, b);
  gt = (a: F, b: F): M => this.op("mask", this.ops.fgt, a, b);
  ge = (a: F, b: F): M => this.op("mask", this.ops.fge, a, b);
  eq = (a: F, b: F): M => this.op("mask", this.ops.feq, a, b);
  ne = (a: F, b: F): M => this.op("mask", this.ops.fne, a, b);
  /** True in NaN lanes. */
  isNaN = (a: F): M => this.ne(a, a);
  and = (a: M, b: M): M => this.op("mask", this.ops.mand, a, b);
  or = (a: M, b: M): M => this.op("mask", this.ops.mor, a, b);

  not(a: M): M {
    return this.op("mask", this.shape === "f32x4" ? "v128.not" : "i32.eqz", a);
  }

  /** Per lane: `mask ? a : b` (both sides are evaluated). */
  select<K extends Kind>(mask: M, a: Val<K>, b: Val<K>): Val<K> {
    return this.val(a.kind, () => {
      a.emit();
      b.emit();
      mask.emit();
      // bitselect takes all-ones/zero lanes; scalar select takes an i32 0/1
      if (this.shape === "f32x4") this.f.v128.bitselect();
      else this.f.select();
    });
  }

  // ---- int32 lanes -----------------------------------------------------------

  /** An int32 constant in every lane. */
  ic(value: number): I {
    return this.val("int", () => {
      if (this.shape === "f32x4") this.f.v128.const("i32x4", [value, value, value, value]);
      else this.f.i32.const(value);
    });
  }

  /** Reinterprets float bits as int32 (free in SIMD, where both are v128). */
  bits(a: F): I {
    return this.shape === "f32x4" ? this.val("int", a.emit) : this.op("int", "i32.reinterpret_f32", a);
  }

  /** Reinterprets int32 bits as float. */
  fromBits(a: I): F {
    return this.shape === "f32x4" ? this.val("float", a.emit) : this.op("float", "f32.reinterpret_i32", a);
  }

  /** Truncation toward zero, saturating (NaN → 0). */
  toInt = (a: F): I => this.op("int", this.ops.toInt, a);
  toFloat = (a: I): F => this.op("float", this.ops.toFloat, a);
  iadd = (a: I, b: I): I => this.op("int", this.ops.iadd, a, b);
  isub = (a: I, b: I): I => this.op("int", this.ops.isub, a, b);
  iand = (a: I, b: I): I => this.op("int", this.ops.iand, a, b);
  ior = (a: I, b: I): I => this.op("int", this.ops.ior, a, b);
  ixor = (a: I, b: I): I => this.op("int", this.ops.ixor, a, b);
  ieq = (a: I, b: I): M => this.op("mask", this.ops.ieq, a, b);
  igt = (a: I, b: I): M => this.op("mask", this.ops.igtS, a, b);

  private shift(name: PlainOpName, a: I, n: number): I {
    return this.val("int", () => {
      a.emit();
      this.f.i32.const(n);
      this.f.op(name);
    });
  }

  shl = (a: I, n: number): I => this.shift(this.ops.ishl, a, n);
  shrS = (a: I, n: number): I => this.shift(this.ops.ishrS, a, n);
  shrU = (a: I, n: number): I => this.shift(this.ops.ishrU, a, n);

  /** A mask as int lanes: all ones (-1) where true, 0 where false, in both shapes. */
  maskToInt(m: M): I {
    return this.shape === "f32x4" ? this.val("int", m.emit) : this.op("int", "i32.sub", this.ic(0), this.val("int", m.emit));
  }

  // ---- float bit tricks --------------------------------------------------------

  /** The sign bit of `a` (as int lanes: 0x80000000 or 0). */
  signBit(a: F): I {
    return this.iand(this.bits(a), this.ic(0x80000000 | 0));
  }

  /** |a| with the sign bit `sign` ORed in (copysign when a ≥ 0). */
  withSign(a: F, sign: I): F {
    return this.fromBits(this.ior(this.bits(a), sign));
  }

  /** 2^n for int lanes n in [-126, 127], built from the exponent field. */
  pow2(n: I): F {
    return this.fromBits(this.shl(this.iadd(n, this.ic(127)), 23));
  }
}
