// Building one jaxpr (the top level or a sub-jaxpr) equation by equation.
//
// A scope holds its binders, its equations and a *pool* of the values built so
// far (with what is known about their numbers, see bits.ts). Output types
// always come from `abstractEval`, the IR's one source of truth, so whatever a
// generator step emits is well typed by construction. The helpers here turn
// any value into any requested type (`coerce`), which is what lets every
// random choice build a valid program.

import { type Atom, type Eqn, type Jaxpr, type Var, lit, makeEqn, newJaxpr, newVar } from "../../../src/ir/core.js";
import { type Aval, type DType, type Shape, castScalar, shapesEqual, sizeOf } from "../../../src/ir/dtype.js";
import { type Params, type Prim, abstractEval } from "../../../src/ir/primitives.js";
import {
  BOOL_BITS,
  type Exactness,
  FLOAT_INPUT_BITS,
  INT_ANY,
  INT_INPUT_BITS,
  bitsAsFloat,
  bitsOfNumber,
  fit,
  sumBits,
} from "./bits.js";

/** A value of the program being built: an atom plus what we know about its numbers. */
export interface Val {
  readonly atom: Atom;
  readonly bits: Exactness;
}

export const avalOf = (v: Val): Aval => v.atom.aval;
export const dtypeOf = (v: Val): DType => v.atom.aval.dtype;
export const shapeOf = (v: Val): Shape => v.atom.aval.shape;
export const rankOf = (v: Val): number => v.atom.aval.shape.length;

/** Bits a fresh input of `dtype` has (what values.ts draws). */
export function inputBits(dtype: DType): Exactness {
  return dtype === "float32" ? FLOAT_INPUT_BITS : dtype === "int32" ? INT_INPUT_BITS : BOOL_BITS;
}

/** Bits of a value that changes from one loop iteration to the next (nothing known). */
export function loopVariantBits(dtype: DType): Exactness {
  return dtype === "float32" ? null : dtype === "int32" ? INT_ANY : BOOL_BITS;
}

export class Scope {
  readonly invars: Var[] = [];
  readonly eqns: Eqn[] = [];
  readonly pool: Val[] = [];

  /**
   * @param masked the scope runs under an active-lane mask (body of a while
   *   with a batched predicate, branch of a cond with a batched index, at any
   *   depth). Lanes outside a mask get *unspecified* values from a nested
   *   batched while/cond, and a random program could mix such a lane into an
   *   active one, so nested control flow here keeps scalar predicates/indices.
   * @param top the top-level scope can grow new inputs on demand; a sub-jaxpr
   *   is closed and must build what it needs from its own binders.
   */
  constructor(
    readonly masked: boolean,
    readonly top: boolean,
  ) {}

  /** A new binder of this scope, added to the pool. */
  bind(aval: Aval, bits: Exactness): Val {
    const v = newVar(aval);
    this.invars.push(v);
    const val = { atom: v, bits: fit(aval.dtype, bits) };
    this.pool.push(val);
    return val;
  }

  /** Emits one equation; its outputs' types come from the shape rules. */
  emit<P extends Prim>(prim: P, params: Params[P], inputs: readonly Atom[]): Var[] {
    const outs = abstractEval(prim, params, inputs.map((a) => a.aval)).map((a) => newVar(a));
    this.eqns.push(makeEqn(prim, params, inputs, outs) as Eqn);
    return outs;
  }

  /** Emits a one-output equation and records the result in the pool. */
  emit1<P extends Prim>(prim: P, params: Params[P], inputs: readonly Val[], bits: Exactness): Val {
    const [out] = this.emit(prim, params, inputs.map((v) => v.atom));
    return this.keep({ atom: out!, bits: fit(out!.aval.dtype, bits) });
  }

  keep(v: Val): Val {
    this.pool.push(v);
    return v;
  }

  literal(dtype: DType, value: number): Val {
    const v = castScalar(dtype, value);
    return { atom: lit(v, { dtype, shape: [] }), bits: bitsOfNumber(dtype, v) };
  }

  /**
   * The `n`-th most recent pool value satisfying `ok` (n counts from the
   * newest, so a choice of 0, what shrinking tends to, chains the latest
   * result), or undefined when none does.
   */
  pick(n: number, ok: (v: Val) => boolean = () => true): Val | undefined {
    const c = this.pool.filter(ok);
    return c.length === 0 ? undefined : c[c.length - 1 - (n % c.length)];
  }

  /** A value of type `aval`: a fresh input at the top level when `fresh` (up to 8 inputs), else built from `from`. */
  need(aval: Aval, from: Val, fresh: boolean): Val {
    if (this.top && fresh && this.invars.length < 8) return this.bind(aval, inputBits(aval.dtype));
    return this.coerce(from, aval);
  }

  /** `v` converted to `dtype`, or undefined when that would discretize an inexact float. */
  convert(v: Val, dtype: DType): Val | undefined {
    const from = dtypeOf(v);
    if (from === dtype) return v;
    if (from === "float32" && v.bits === null) return undefined;
    let src = v;
    if (from === "float32" && dtype === "int32" && v.bits!.hi > 30) {
      // Out-of-range float→int saturates; keep exact values inside the range instead.
      const lo = this.emit1("max", {}, [src, this.literal("float32", -(2 ** 30))], src.bits);
      src = this.emit1("min", {}, [lo, this.literal("float32", 2 ** 30)], { hi: 31, lo: src.bits!.lo });
    }
    const bits = dtype === "float32" ? bitsAsFloat(from, v.bits) : dtype === "bool" ? BOOL_BITS : src.bits;
    return this.emit1("convert_element_type", { new_dtype: dtype }, [src], bits);
  }

  /** `v` broadcast numpy-style (trailing axes aligned, size-1 axes stretched) to `shape`, if it can be. */
  broadcastTo(v: Val, shape: Shape): Val | undefined {
    const s = shapeOf(v);
    if (shapesEqual(s, shape)) return v;
    if (s.length > shape.length) return undefined;
    const offset = shape.length - s.length;
    for (let i = 0; i < s.length; i++) if (s[i] !== 1 && s[i] !== shape[offset + i]) return undefined;
    const dims = s.map((_, i) => offset + i);
    return this.emit1("broadcast_in_dim", { shape: [...shape], broadcast_dimensions: dims }, [v], v.bits);
  }

  /**
   * `v` turned into a value of type `target` by whatever it takes: a dtype
   * conversion, then a reshape, a broadcast, a slice of the flattened data,
   * or (last resort) a reduction to a scalar and a broadcast. An inexact float
   * that would need discretizing is replaced by a constant.
   */
  coerce(v: Val, target: Aval): Val {
    const converted = this.convert(v, target.dtype);
    if (converted === undefined) return this.constant(target);
    let x = converted;
    const shape = target.shape;
    if (shapesEqual(shapeOf(x), shape)) return x;
    const have = sizeOf(shapeOf(x)), want = sizeOf(shape);
    if (have === want) return this.emit1("reshape", { new_sizes: [...shape] }, [x], x.bits);
    const b = this.broadcastTo(x, shape);
    if (b) return b;
    if (have > want && want > 0) {
      const flat = rankOf(x) === 1 ? x : this.emit1("reshape", { new_sizes: [have] }, [x], x.bits);
      const part = this.emit1("slice", { start_indices: [0], limit_indices: [want], strides: null }, [flat], x.bits);
      return this.emit1("reshape", { new_sizes: [...shape] }, [part], x.bits);
    }
    if (rankOf(x) > 0) x = this.reduceAll(x);
    if (shape.length === 0) return x;
    return this.emit1("broadcast_in_dim", { shape: [...shape], broadcast_dimensions: [] }, [x], x.bits);
  }

  /** All axes reduced (sum for numbers, max (= any) for bools). */
  reduceAll(x: Val): Val {
    const axes = shapeOf(x).map((_, i) => i);
    if (dtypeOf(x) === "bool") return this.emit1("reduce_max", { axes }, [x], BOOL_BITS);
    return this.emit1("reduce_sum", { axes }, [x], sumBits(x.bits, sizeOf(shapeOf(x))));
  }

  /** A constant of type `aval` (a broadcast literal; the literal itself for a scalar). */
  constant(aval: Aval, value = 1): Val {
    const l = this.literal(aval.dtype, value);
    if (aval.shape.length === 0) return this.keep(l);
    return this.emit1("broadcast_in_dim", { shape: [...aval.shape], broadcast_dimensions: [] }, [l], l.bits);
  }

  /** Equation results of this scope that no equation here reads (oldest first). */
  sinks(): Val[] {
    const read = new Set<number>();
    for (const e of this.eqns) for (const a of e.inputs) if (a.kind === "var") read.add(a.id);
    const produced = new Set(this.eqns.flatMap((e) => e.outputs.map((v) => v.id)));
    return this.pool.filter((v) => v.atom.kind === "var" && produced.has(v.atom.id) && !read.has(v.atom.id));
  }

  /** The finished jaxpr with `outs` as its outputs. */
  finish(outs: readonly Val[]): Jaxpr {
    return newJaxpr({ invars: [...this.invars], eqns: [...this.eqns], outvars: outs.map((v) => v.atom) });
  }
}

/** `v` with the lane shape `prefix` in front (a broadcast), unless it already starts with it. */
export function withPrefix(s: Scope, v: Val, prefix: Shape): Val {
  const shape = shapeOf(v);
  if (prefix.every((d, i) => shape[i] === d) && shape.length >= prefix.length) return v;
  const target = [...prefix, ...shape];
  const dims = shape.map((_, i) => prefix.length + i);
  return s.emit1("broadcast_in_dim", { shape: target, broadcast_dimensions: dims }, [v], v.bits);
}
