// What a primitive's differentiation rules are, and the small op builder they
// are written with. The rules themselves sit in each primitive's family file
// (ir/prims/); the drivers are jvp.ts and transpose.ts. This file is used
// while the rule table is built, so it must not import the table: its
// builder emits through the `Builder` the driver passes in.
//
// Tangents and cotangents may be symbolic zeros (`null`): no equation computes
// them, and rules skip the work they would feed (JAX's `Zero`). Integer and
// bool values only ever have zero tangents.

import { type Atom, type Eqn, type Var, lit } from "../../ir/core.js";
import type { Aval, DType, Shape } from "../../ir/dtype.js";
import type { Params, Prim } from "../../ir/primitives.js";
import type { Recursion } from "../../ir/trampoline.js";

/** A tangent or cotangent: an atom, or null for a symbolic zero. */
export type Tangent = Atom | null;

/** Appends equations to the program being built, typing each with its shape rule. */
export interface Builder {
  emit<P extends Prim>(prim: P, params: Params[P], inputs: readonly Atom[]): Var[];
  emit1<P extends Prim>(prim: P, params: Params[P], inputs: readonly Atom[]): Var;
}

export interface JvpResult {
  readonly primals: readonly Atom[];
  readonly tangents: readonly Tangent[];
}

/**
 * Forward mode: the equation's primal outputs and their tangents, from its
 * primal inputs and their tangents (at least one nonzero). Rules for
 * primitives with bodies differentiate the bodies with the driver, so they
 * may be Recursions (ir/trampoline.ts).
 */
export type JvpRule<P extends Prim> = (ops: Ops, primals: readonly Atom[], tangents: readonly Tangent[], params: Params[P], eqn: Eqn<P>) => JvpResult | Recursion<JvpResult>;

/** An operand of an equation of a linear program: `linear` when it depends on the tangent inputs (JAX's UndefinedPrimal). */
export interface LinearInput {
  readonly atom: Atom;
  readonly linear: boolean;
}

/**
 * Reverse mode: the cotangent of each linear input from the cotangents of the
 * outputs (nulls for zeros), or null where the input is not linear or gets no
 * cotangent. Only primitives that are linear in some operands have one; the
 * table says `null` for the others, and transposing them is an error naming
 * the primitive.
 */
export type TransposeRule<P extends Prim> = (ops: Ops, cts: readonly Tangent[], inputs: readonly LinearInput[], params: Params[P], eqn: Eqn<P>) => Tangent[] | Recursion<Tangent[]>;

/**
 * Partial evaluation of one equation (passes/ad/partialEval.ts): equations
 * for the known part, which compute the equation's known outputs (the same
 * Vars) and any residuals (fresh Vars), and equations for the unknown part,
 * which compute its other outputs from residuals, known values and the unknown
 * operands. Every output of the equation is an output of exactly one side.
 */
export interface PartialEqn {
  readonly known: readonly Eqn[];
  readonly unknown: readonly Eqn[];
}

/**
 * Splits an equation some of whose operands are unknown (`unknownIns`); only
 * primitives with bodies have one. The table's `null` is the generic rule:
 * the whole equation is unknown.
 */
export type PartialEvalRule<P extends Prim> = (eqn: Eqn<P>, unknownIns: readonly boolean[]) => PartialEqn | Recursion<PartialEqn>;

const isFloat = (d: DType): boolean => d === "float32";

/** Whether values of this type have tangents (float32) or only zero ones. */
export function differentiable(aval: Aval): boolean {
  return isFloat(aval.dtype);
}

/** A rank-0 literal (a float32 one rounded to float32, as literals must be). */
export function scalar(value: number, dtype: DType = "float32"): Atom {
  return lit(dtype === "float32" ? Math.fround(value) : value, { dtype, shape: [] });
}

/**
 * The operations rules are written in, emitting through a Builder. Rank-0
 * operands broadcast against the other operand, as the binary primitives
 * allow; everything else must already have matching shapes.
 */
export class Ops {
  constructor(readonly b: Builder) {}

  emit<P extends Prim>(prim: P, params: Params[P], inputs: readonly Atom[]): Var[] {
    return this.b.emit(prim, params, inputs);
  }
  emit1<P extends Prim>(prim: P, params: Params[P], inputs: readonly Atom[]): Var {
    return this.b.emit1(prim, params, inputs);
  }

  add(x: Atom, y: Atom): Atom {
    return this.emit1("add", {}, [x, y]);
  }
  sub(x: Atom, y: Atom): Atom {
    return this.emit1("sub", {}, [x, y]);
  }
  mul(x: Atom, y: Atom): Atom {
    return this.emit1("mul", {}, [x, y]);
  }
  div(x: Atom, y: Atom): Atom {
    return this.emit1("div", {}, [x, y]);
  }
  neg(x: Atom): Atom {
    return this.emit1("neg", {}, [x]);
  }
  unary(prim: "exp" | "log" | "sin" | "cos" | "sign" | "floor" | "abs" | "sqrt", x: Atom): Atom {
    return this.emit1(prim, {}, [x]);
  }
  compare(prim: "eq" | "ne" | "lt" | "le" | "gt" | "ge", x: Atom, y: Atom): Atom {
    return this.emit1(prim, {}, [x, y]);
  }
  /** `p ? onTrue : onFalse` elementwise (select_n picks case 1 for true); rank-0 cases broadcast to the others' shape. */
  select(p: Atom, onTrue: Atom, onFalse: Atom): Atom {
    const shape = [p, onTrue, onFalse].find((a) => a.aval.shape.length > 0)?.aval.shape ?? [];
    return this.emit1("select_n", {}, [p, this.toShape(onFalse, shape), this.toShape(onTrue, shape)]);
  }
  convert(x: Atom, dtype: DType): Atom {
    return x.aval.dtype === dtype ? x : this.emit1("convert_element_type", { new_dtype: dtype }, [x]);
  }

  /** `value` of the given type: a literal when rank 0, else a broadcast literal. */
  full(value: number, aval: Aval): Atom {
    const s = scalar(value, aval.dtype);
    return aval.shape.length === 0 ? s : this.broadcast(s, aval.shape, []);
  }
  zeros(aval: Aval): Atom {
    return this.full(0, aval);
  }
  broadcast(x: Atom, shape: Shape, broadcastDimensions: readonly number[]): Atom {
    return this.emit1("broadcast_in_dim", { shape: [...shape], broadcast_dimensions: [...broadcastDimensions] }, [x]);
  }
  /** `x` broadcast to `shape` when it is rank 0 (what an elementwise binary op does implicitly). */
  toShape(x: Atom, shape: Shape): Atom {
    return x.aval.shape.length === shape.length ? x : this.broadcast(x, shape, []);
  }
  reduceSum(x: Atom, axes: readonly number[]): Atom {
    return axes.length === 0 ? x : this.emit1("reduce_sum", { axes: [...axes] }, [x]);
  }
  /**
   * A cotangent summed down to an operand's aval: a rank-0 operand of an
   * elementwise op was broadcast, so its cotangent sums over every axis.
   */
  unbroadcast(ct: Atom, aval: Aval): Atom {
    if (ct.aval.shape.length === aval.shape.length) return ct;
    return this.reduceSum(ct, ct.aval.shape.map((_, i) => i));
  }

  /** The tangent itself, or explicit zeros of `aval` for a symbolic zero. */
  instantiate(t: Tangent, aval: Aval): Atom {
    return t ?? this.zeros(aval);
  }
  /** Sum of two tangents; a zero adds nothing. */
  addTangents(x: Tangent, y: Tangent): Tangent {
    if (x === null) return y;
    if (y === null) return x;
    return this.add(x, y);
  }
  /** `t * factor`, where a zero tangent stays a zero. */
  scale(t: Tangent, factor: Atom): Tangent {
    return t === null ? null : this.mul(t, factor);
  }
}

/**
 * A jvp rule that emits the primal equation as it is and computes the output
 * tangents from its outputs (`outs`): how every primitive without a body is
 * differentiated.
 */
export function jvpWithOutputs<P extends Prim>(
  tangentsOf: (ops: Ops, primals: readonly Atom[], tangents: readonly Tangent[], outs: readonly Atom[], params: Params[P], eqn: Eqn<P>) => Tangent[],
): JvpRule<P> {
  return (ops, primals, tangents, params, eqn) => {
    const outs = ops.emit(eqn.prim, params, primals);
    return { primals: outs, tangents: tangentsOf(ops, primals, tangents, outs, params, eqn) };
  };
}

/** Outputs with no tangent at all: integer/bool results, piecewise-constant functions (floor, sign, comparisons). */
export const zeroJvp: JvpRule<Prim> = jvpWithOutputs((_ops, _p, _t, outs) => outs.map(() => null));

/**
 * A primitive linear in all its operands (neg, reshape, reduce_sum, …): the
 * tangent is the primitive applied to the tangents, with zeros for zero
 * tangents; all zero stays zero.
 */
export const linearJvp: JvpRule<Prim> = jvpWithOutputs((ops, primals, tangents, outs, params, eqn) => {
  if (tangents.every((t) => t === null)) return outs.map(() => null);
  const ts = tangents.map((t, i) => ops.instantiate(t, primals[i]!.aval));
  return ops.emit(eqn.prim, params, ts);
});

/** A unary op whose derivative is `f'(x, y)` (y its output): tangent = t·f'(x, y). */
export function unaryJvp<P extends Prim>(derivative: (ops: Ops, x: Atom, y: Atom) => Atom): JvpRule<P> {
  return jvpWithOutputs((ops, [x], [t], [y]) => [t === null ? null : ops.mul(t, derivative(ops, x!, y!))]);
}
