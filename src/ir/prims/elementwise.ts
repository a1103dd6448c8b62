// The rules elementwise primitives share. A unary or binary primitive is
// declared by what is its own (the dtypes it accepts, a scalar function per
// dtype, its identities); its shape rule, batching, row locality and
// lowering are the same for the whole family, so they are built here.

import type { ArrayValue } from "../core.js";
import { type DType, type Shape, allocStorage, sizeOf } from "../dtype.js";
import type { Params, Prim } from "../primitives.js";
import type { Rule } from "../../passes/rules/rule.js";
import type { JvpRule, TransposeRule } from "../../passes/ad/rules.js";
import { batchElementwise, batchUnary } from "../../passes/batch/rules.js";
import { elementwiseRows } from "../../backends/lower/row_locality.js";
import { lowerBinary, lowerUnary } from "../../backends/lower/rule_helpers.js";
import type { BinaryPrim, ComparePrim } from "./binary.js";
import type { UnaryPrim } from "./unary.js";
import { type DTypeClass, elementwiseShape, unaryShape } from "./shapeChecks.js";
import { type Impl, type NoParams, type PerDType, type PrimRules, type ScalarFn1, type ScalarFn2, pick } from "./rules.js";

/** `f` applied to every element of `x`, stored as `dtype` (the store rounds to float32 or wraps to int32). */
export function mapUnary(x: ArrayValue, dtype: DType, f: ScalarFn1): ArrayValue {
  const n = x.data.length;
  const res = allocStorage(dtype, n);
  for (let i = 0; i < n; i++) res[i] = f(x.data[i]!);
  return { dtype, shape: x.shape, data: res };
}

/** `f(x[i], y[i])` elementwise, a rank-0 operand standing for every index. */
export function zipWith(x: ArrayValue, y: ArrayValue, dtype: DType, shape: Shape, f: ScalarFn2): ArrayValue {
  const xd = x.data;
  const yd = y.data;
  const xs = x.shape.length === 0 ? 0 : 1;
  const ys = y.shape.length === 0 ? 0 : 1;
  const n = sizeOf(shape);
  const res = allocStorage(dtype, n);
  for (let i = 0; i < n; i++) res[i] = f(xd[i * xs]!, yd[i * ys]!);
  return { dtype, shape, data: res };
}

/** The reference implementation of a unary op from its scalar function per dtype. */
export function unaryImpl<P extends UnaryPrim>(prim: P, fns: PerDType<ScalarFn1>): Impl<P> {
  return ([x], _params, [out]) => [mapUnary(x!, out!.dtype, pick(prim, fns, x!.dtype))];
}

/** How docs/ir.md names a dtype class, for a unary op and for a binary one. */
const UNARY_DTYPES_DOC: { readonly [C in DTypeClass]: string } = { float: "f32", numeric: "f32, i32", int_or_bool: "i32, bool", any: "any dtype" };
const BINARY_DTYPES_DOC: { readonly [C in DTypeClass]: string } = { float: "f32", numeric: "f32 or i32", int_or_bool: "i32 (bitwise) or bool", any: "any dtype" };

const withNote = (text: string, note: string | undefined): string => (note ? `${text}; ${note}` : text);

/** The primitives whose params are `NoParams`. */
type NoParamsPrim = { [K in Prim]: Params[K] extends NoParams ? K : never }[Prim];

/**
 * The param spec of a primitive without params: `{}`. `ParamSpec<P>` of a
 * generic P is a conditional type tsc cannot resolve inside these builders, so
 * the one cast lives here, and the builders only accept primitives whose
 * params are `NoParams`.
 */
function noParams<P extends NoParamsPrim>(): PrimRules<P>["params"] {
  return {} as PrimRules<P>["params"];
}

export interface UnarySpec<P extends Prim> {
  /** Operand dtypes the op accepts (the result has the operand's type). */
  readonly dtypes: DTypeClass;
  /** What docs/ir.md says besides the types (the formula, an edge case). */
  readonly note?: string;
  /** Forward mode (passes/ad/rules.ts has the building blocks). */
  readonly jvp: JvpRule<P>;
  /** Reverse mode when the op is linear (neg); null otherwise. */
  readonly transpose?: TransposeRule<P> | null;
  /** float64 (or exact int) scalar function per dtype; storing the result rounds it once. */
  readonly scalar: PerDType<ScalarFn1>;
  readonly simplify?: readonly Rule<P>[];
}

/** Every rule of a unary elementwise primitive without params. */
export function unaryPrim<P extends UnaryPrim & NoParamsPrim>(prim: P, spec: UnarySpec<P>): PrimRules<P> {
  return {
    doc: withNote(`\`x\` (${UNARY_DTYPES_DOC[spec.dtypes]}) → same aval`, spec.note),
    params: noParams<P>(),
    shape: unaryShape(prim, spec.dtypes),
    impl: unaryImpl(prim, spec.scalar),
    batch: batchUnary,
    simplify: spec.simplify ?? [],
    rowLocality: elementwiseRows,
    lower: lowerUnary(prim),
    jvp: spec.jvp,
    partialEval: null,
    transpose: spec.transpose ?? null,
  };
}

export interface BinarySpec<P extends Prim> {
  /** Operand dtypes the op accepts; both operands have the same dtype. */
  readonly dtypes: DTypeClass;
  readonly scalar: PerDType<ScalarFn2>;
  /** The result dtype when it is not the operands' (comparisons: bool). */
  readonly result?: DType;
  /** What docs/ir.md says besides the types. */
  readonly note?: string;
  readonly jvp: JvpRule<P>;
  /** Reverse mode when the op is linear in an operand (add, sub, mul, div); null otherwise. */
  readonly transpose?: TransposeRule<P> | null;
  readonly simplify?: readonly Rule<P>[];
}

/** Every rule of a binary elementwise primitive (equal shapes, or one operand rank 0). */
export function binaryPrim<P extends (BinaryPrim | ComparePrim) & NoParamsPrim>(prim: P, spec: BinarySpec<P>): PrimRules<P> {
  return {
    doc: withNote(`elementwise binary, ${BINARY_DTYPES_DOC[spec.dtypes]}${spec.result ? ` → ${spec.result}` : ""}`, spec.note),
    params: noParams<P>(),
    shape: elementwiseShape(prim, spec.dtypes, spec.result),
    impl: ([x, y], _params, [out]) => [zipWith(x!, y!, out!.dtype, out!.shape, pick(prim, spec.scalar, x!.dtype))],
    batch: batchElementwise,
    simplify: spec.simplify ?? [],
    rowLocality: elementwiseRows,
    lower: lowerBinary(prim),
    jvp: spec.jvp,
    partialEval: null,
    transpose: spec.transpose ?? null,
  };
}

/** The same scalar function for every dtype (comparisons, max/min). */
export function allDTypes<F>(f: F): PerDType<F> {
  return { float32: f, int32: f, bool: f };
}
