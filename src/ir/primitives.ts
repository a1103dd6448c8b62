// The closed set of primitives, their typed params, and a shape/dtype rule for
// each. The rule table is a mapped type over `Prim`, so adding a primitive to
// `Params` fails `tsc` until it has a rule (Autodidax's `abstract_eval_rules`,
// jax-js's required rule tables). The verifier, the tracer and the interpreter
// all compute output types through `abstractEval`, so there is one source of
// truth for what is well typed.

import type { Jaxpr } from "./core.js";
import {
  type Aval,
  type DType,
  type Shape,
  avalStr,
  avalsEqual,
  isShapePrefix,
  shapesEqual,
  sizeOf,
} from "./dtype.js";

type NoParams = Record<string, never>;

/** `(([lhs_contract], [rhs_contract]), ([lhs_batch], [rhs_batch]))`, as in lax.dot_general. */
export type DotDimensionNumbers = readonly [
  readonly [readonly number[], readonly number[]],
  readonly [readonly number[], readonly number[]],
];

export interface Params {
  // unary elementwise
  neg: NoParams;
  exp: NoParams;
  log: NoParams;
  sin: NoParams;
  cos: NoParams;
  tanh: NoParams;
  logistic: NoParams;
  sqrt: NoParams;
  rsqrt: NoParams;
  abs: NoParams;
  sign: NoParams;
  floor: NoParams;
  ceil: NoParams;
  /** rounding_method 0 = half away from zero (lax default), 1 = half to even (jnp.round). */
  round: { readonly rounding_method: number };
  not: NoParams;
  // binary elementwise
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
  // comparisons
  lt: NoParams;
  le: NoParams;
  gt: NoParams;
  ge: NoParams;
  eq: NoParams;
  ne: NoParams;
  // selection and conversion
  /** select_n(which, *cases): cases[which]; bool `which` picks case 0 for false. */
  select_n: NoParams;
  convert_element_type: { readonly new_dtype: DType };
  // shape manipulation
  broadcast_in_dim: { readonly shape: readonly number[]; readonly broadcast_dimensions: readonly number[] };
  reshape: { readonly new_sizes: readonly number[] };
  transpose: { readonly permutation: readonly number[] };
  squeeze: { readonly dimensions: readonly number[] };
  expand_dims: { readonly dimensions: readonly number[] };
  // reductions
  reduce_sum: { readonly axes: readonly number[] };
  reduce_max: { readonly axes: readonly number[] };
  reduce_min: { readonly axes: readonly number[] };
  argmax: { readonly axes: readonly number[]; readonly index_dtype: DType };
  // linear algebra
  dot_general: { readonly dimension_numbers: DotDimensionNumbers };
  // creation, indexing
  iota: { readonly dtype: DType; readonly shape: readonly number[]; readonly dimension: number };
  concatenate: { readonly dimension: number };
  slice: {
    readonly start_indices: readonly number[];
    readonly limit_indices: readonly number[];
    readonly strides: readonly number[] | null;
  };
  /** Start indices are clamped so the slice stays in bounds (lax semantics). */
  dynamic_slice: { readonly slice_sizes: readonly number[] };
  dynamic_update_slice: NoParams;
  // control flow and calls
  while: {
    readonly cond_jaxpr: Jaxpr;
    readonly body_jaxpr: Jaxpr;
    readonly cond_nconsts: number;
    readonly body_nconsts: number;
  };
  /** Index is clamped into [0, branches.length). A non-scalar index selects per lane. */
  cond: { readonly branches: readonly Jaxpr[] };
  scan: {
    readonly jaxpr: Jaxpr;
    readonly length: number;
    readonly reverse: boolean;
    readonly num_consts: number;
    readonly num_carry: number;
  };
  pjit: { readonly jaxpr: Jaxpr; readonly name: string };
}

export type Prim = keyof Params;

export const UNARY_PRIMS = [
  "neg", "exp", "log", "sin", "cos", "tanh", "logistic", "sqrt", "rsqrt",
  "abs", "sign", "floor", "ceil", "round", "not",
] as const satisfies readonly Prim[];
export const BINARY_PRIMS = [
  "add", "sub", "mul", "div", "rem", "pow", "max", "min", "and", "or",
] as const satisfies readonly Prim[];
export const COMPARE_PRIMS = ["lt", "le", "gt", "ge", "eq", "ne"] as const satisfies readonly Prim[];
export const REDUCE_PRIMS = ["reduce_sum", "reduce_max", "reduce_min"] as const satisfies readonly Prim[];

export type UnaryPrim = (typeof UNARY_PRIMS)[number];
export type BinaryPrim = (typeof BINARY_PRIMS)[number];
export type ComparePrim = (typeof COMPARE_PRIMS)[number];
export type ReducePrim = (typeof REDUCE_PRIMS)[number];

/** Raised by shape rules: the message names the primitive and the offending types. */
export class ShapeError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = "ShapeError";
  }
}

export type ShapeRule<P extends Prim> = (inputs: readonly Aval[], params: Params[P]) => Aval[];

function fail(prim: string, msg: string, inputs: readonly Aval[]): never {
  const types = inputs.length ? ` (operands: ${inputs.map(avalStr).join(", ")})` : "";
  throw new ShapeError(`${prim}: ${msg}${types}`);
}

function arity(prim: string, inputs: readonly Aval[], n: number): void {
  if (inputs.length !== n) fail(prim, `expects ${n} operand${n === 1 ? "" : "s"}, got ${inputs.length}`, inputs);
}

/** The valid axes of a rank-`rank` array, for messages: `0..2`, `only 0`, or `none` for rank 0. */
function axisRange(rank: number): string {
  return rank === 0 ? "none" : rank === 1 ? "only 0" : `0..${rank - 1}`;
}

/**
 * Distinct axes of an array of rank `rank` (`of` names that array in the
 * message: the operand, the result, the lhs).
 */
function checkAxes(prim: string, axes: readonly number[], rank: number, inputs: readonly Aval[], what = "axes", of = "the operand"): void {
  const seen = new Set<number>();
  for (const a of axes) {
    if (!Number.isInteger(a) || a < 0 || a >= rank) {
      fail(prim, `${what} ${fmtTuple(axes)} out of range: the valid axes of ${of} (rank ${rank}) are ${axisRange(rank)}`, inputs);
    }
    if (seen.has(a)) fail(prim, `${what} ${fmtTuple(axes)} repeats axis ${a}; each axis may appear once`, inputs);
    seen.add(a);
  }
}

/**
 * Leading operand counts (`cond_nconsts`, `num_consts`, …): each a
 * non-negative integer, together at most the number of operands.
 */
function checkCounts(prim: string, counts: Readonly<Record<string, number>>, inputs: readonly Aval[]): void {
  let total = 0;
  for (const [name, n] of Object.entries(counts)) {
    if (!Number.isSafeInteger(n) || n < 0) fail(prim, `${name} must be a non-negative integer, got ${n}`, inputs);
    total += n;
  }
  if (total > inputs.length) fail(prim, `${Object.keys(counts).join(" + ")} = ${total} exceeds the ${inputs.length} operands`, inputs);
}

function checkShape(prim: string, shape: readonly number[], inputs: readonly Aval[], what = "shape"): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) fail(prim, `${what} ${fmtTuple(shape)} must contain non-negative integers`, inputs);
  }
}

export function fmtTuple(xs: readonly unknown[]): string {
  return xs.length === 1 ? `(${String(xs[0])},)` : `(${xs.map(String).join(", ")})`;
}

type DTypeClass = "float" | "numeric" | "int_or_bool" | "any";
function dtypeOk(cls: DTypeClass, d: DType): boolean {
  switch (cls) {
    case "float":
      return d === "float32";
    case "numeric":
      return d === "float32" || d === "int32";
    case "int_or_bool":
      return d === "int32" || d === "bool";
    case "any":
      return true;
  }
}
const CLASS_DESC: Record<DTypeClass, string> = {
  float: "a float32 operand",
  numeric: "float32 or int32 operands",
  int_or_bool: "int32 or bool operands",
  any: "operands",
};

function unaryRule(prim: string, cls: DTypeClass): (inputs: readonly Aval[]) => Aval[] {
  return (inputs) => {
    arity(prim, inputs, 1);
    const [x] = inputs as [Aval];
    if (!dtypeOk(cls, x.dtype)) fail(prim, `expects ${CLASS_DESC[cls]}`, inputs);
    return [x];
  };
}

/** Shape of an elementwise binary op: equal shapes, or one side rank 0 (a scalar). */
export function binaryShape(prim: string, inputs: readonly Aval[]): Shape {
  const [x, y] = inputs as [Aval, Aval];
  if (shapesEqual(x.shape, y.shape)) return x.shape;
  if (x.shape.length === 0) return y.shape;
  if (y.shape.length === 0) return x.shape;
  return fail(prim, "operand shapes must be equal (or one a scalar)", inputs);
}

function binaryRule(prim: string, cls: DTypeClass, outDtype?: DType): (inputs: readonly Aval[]) => Aval[] {
  return (inputs) => {
    arity(prim, inputs, 2);
    const [x, y] = inputs as [Aval, Aval];
    if (x.dtype !== y.dtype) fail(prim, "operand dtypes must be equal", inputs);
    if (!dtypeOk(cls, x.dtype)) fail(prim, `expects ${CLASS_DESC[cls]}`, inputs);
    return [{ dtype: outDtype ?? x.dtype, shape: binaryShape(prim, inputs) }];
  };
}

function reduceRule(prim: string): (inputs: readonly Aval[], params: { readonly axes: readonly number[] }) => Aval[] {
  return (inputs, { axes }) => {
    arity(prim, inputs, 1);
    const [x] = inputs as [Aval];
    checkAxes(prim, axes, x.shape.length, inputs);
    if (prim === "reduce_sum" && x.dtype === "bool") fail(prim, "expects float32 or int32 operands", inputs);
    return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.includes(i)) }];
  };
}

function jaxprInAvals(j: Jaxpr): Aval[] {
  return [...j.constvars, ...j.invars].map((v) => v.aval);
}

function sameAvals(a: readonly Aval[], b: readonly Aval[]): boolean {
  return a.length === b.length && a.every((x, i) => avalsEqual(x, b[i]!));
}

function avalsStr(xs: readonly Aval[]): string {
  return `(${xs.map(avalStr).join(", ")})`;
}

export const shapeRules: { readonly [P in Prim]: ShapeRule<P> } = {
  neg: unaryRule("neg", "numeric"),
  exp: unaryRule("exp", "float"),
  log: unaryRule("log", "float"),
  sin: unaryRule("sin", "float"),
  cos: unaryRule("cos", "float"),
  tanh: unaryRule("tanh", "float"),
  logistic: unaryRule("logistic", "float"),
  sqrt: unaryRule("sqrt", "float"),
  rsqrt: unaryRule("rsqrt", "float"),
  abs: unaryRule("abs", "numeric"),
  sign: unaryRule("sign", "numeric"),
  floor: unaryRule("floor", "float"),
  ceil: unaryRule("ceil", "float"),
  round: (inputs, { rounding_method }) => {
    if (rounding_method !== 0 && rounding_method !== 1) fail("round", `rounding_method must be 0 or 1, got ${rounding_method}`, inputs);
    return unaryRule("round", "float")(inputs);
  },
  not: unaryRule("not", "int_or_bool"),

  add: binaryRule("add", "numeric"),
  sub: binaryRule("sub", "numeric"),
  mul: binaryRule("mul", "numeric"),
  div: binaryRule("div", "numeric"),
  rem: binaryRule("rem", "numeric"),
  pow: binaryRule("pow", "numeric"),
  max: binaryRule("max", "any"),
  min: binaryRule("min", "any"),
  and: binaryRule("and", "int_or_bool"),
  or: binaryRule("or", "int_or_bool"),

  lt: binaryRule("lt", "any", "bool"),
  le: binaryRule("le", "any", "bool"),
  gt: binaryRule("gt", "any", "bool"),
  ge: binaryRule("ge", "any", "bool"),
  eq: binaryRule("eq", "any", "bool"),
  ne: binaryRule("ne", "any", "bool"),

  select_n: (inputs) => {
    if (inputs.length < 2) fail("select_n", "expects a selector and at least one case", inputs);
    const [which, ...cases] = inputs as [Aval, ...Aval[]];
    if (which.dtype === "bool" && cases.length > 2) fail("select_n", "a bool selector allows at most 2 cases", inputs);
    if (which.dtype === "float32") fail("select_n", "selector must be bool or int32", inputs);
    const c0 = cases[0]!;
    for (const c of cases) if (!avalsEqual(c, c0)) fail("select_n", "all cases must have the same type", inputs);
    if (which.shape.length !== 0 && !shapesEqual(which.shape, c0.shape)) {
      fail("select_n", "selector must be a scalar or have the cases' shape", inputs);
    }
    return [c0];
  },
  convert_element_type: (inputs, { new_dtype }) => {
    arity("convert_element_type", inputs, 1);
    return [{ dtype: new_dtype, shape: inputs[0]!.shape }];
  },

  broadcast_in_dim: (inputs, { shape, broadcast_dimensions: bd }) => {
    const prim = "broadcast_in_dim";
    arity(prim, inputs, 1);
    const [x] = inputs as [Aval];
    checkShape(prim, shape, inputs);
    if (bd.length !== x.shape.length) {
      fail(prim, `broadcast_dimensions ${fmtTuple(bd)} must have one entry per operand axis (${x.shape.length})`, inputs);
    }
    for (let i = 0; i < bd.length; i++) {
      const d = bd[i]!;
      if (!Number.isInteger(d) || d < 0 || d >= shape.length) {
        fail(prim, `broadcast_dimensions ${fmtTuple(bd)} out of range: the valid axes of shape ${fmtTuple(shape)} are ${axisRange(shape.length)}`, inputs);
      }
      if (i > 0 && d <= bd[i - 1]!) fail(prim, `broadcast_dimensions ${fmtTuple(bd)} must be strictly increasing`, inputs);
      const xd = x.shape[i]!;
      if (xd !== 1 && xd !== shape[d]) fail(prim, `operand axis ${i} (size ${xd}) cannot broadcast to size ${shape[d]} of shape ${fmtTuple(shape)}`, inputs);
    }
    return [{ dtype: x.dtype, shape: [...shape] }];
  },
  reshape: (inputs, { new_sizes }) => {
    arity("reshape", inputs, 1);
    const [x] = inputs as [Aval];
    checkShape("reshape", new_sizes, inputs, "new_sizes");
    if (sizeOf(new_sizes) !== sizeOf(x.shape)) {
      fail("reshape", `new_sizes ${fmtTuple(new_sizes)} hold ${sizeOf(new_sizes)} elements but the operand holds ${sizeOf(x.shape)}; they must be equal`, inputs);
    }
    return [{ dtype: x.dtype, shape: [...new_sizes] }];
  },
  transpose: (inputs, { permutation }) => {
    arity("transpose", inputs, 1);
    const [x] = inputs as [Aval];
    const isPermutation = permutation.length === x.shape.length && [...permutation].sort((a, b) => a - b).every((p, i) => p === i);
    if (!isPermutation) {
      fail("transpose", `permutation ${fmtTuple(permutation)} must be a permutation of ${fmtTuple(x.shape.map((_, i) => i))}, one entry per operand axis`, inputs);
    }
    return [{ dtype: x.dtype, shape: permutation.map((p) => x.shape[p]!) }];
  },
  squeeze: (inputs, { dimensions }) => {
    arity("squeeze", inputs, 1);
    const [x] = inputs as [Aval];
    checkAxes("squeeze", dimensions, x.shape.length, inputs, "dimensions");
    for (const d of dimensions) if (x.shape[d] !== 1) fail("squeeze", `dimensions ${fmtTuple(dimensions)}: axis ${d} has size ${x.shape[d]}, not 1`, inputs);
    return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !dimensions.includes(i)) }];
  },
  expand_dims: (inputs, { dimensions }) => {
    arity("expand_dims", inputs, 1);
    const [x] = inputs as [Aval];
    const rank = x.shape.length + dimensions.length;
    checkAxes("expand_dims", dimensions, rank, inputs, "dimensions", "the result");
    const out: number[] = [];
    let k = 0;
    for (let i = 0; i < rank; i++) out.push(dimensions.includes(i) ? 1 : x.shape[k++]!);
    return [{ dtype: x.dtype, shape: out }];
  },

  reduce_sum: reduceRule("reduce_sum"),
  reduce_max: reduceRule("reduce_max"),
  reduce_min: reduceRule("reduce_min"),
  argmax: (inputs, { axes, index_dtype }) => {
    arity("argmax", inputs, 1);
    const [x] = inputs as [Aval];
    if (axes.length !== 1) fail("argmax", `axes must hold exactly one axis, got ${fmtTuple(axes)}`, inputs);
    checkAxes("argmax", axes, x.shape.length, inputs);
    if (x.shape[axes[0]!] === 0) fail("argmax", `axes ${fmtTuple(axes)}: axis ${axes[0]} has size 0, so it has no maximum`, inputs);
    if (index_dtype !== "int32") fail("argmax", `index_dtype must be int32, got ${index_dtype}`, inputs);
    return [{ dtype: "int32", shape: x.shape.filter((_, i) => i !== axes[0]) }];
  },

  dot_general: (inputs, { dimension_numbers }) => {
    const prim = "dot_general";
    arity(prim, inputs, 2);
    const [x, y] = inputs as [Aval, Aval];
    const [[lc, rc], [lb, rb]] = dimension_numbers;
    if (x.dtype !== y.dtype) fail(prim, "operand dtypes must be equal", inputs);
    if (x.dtype === "bool") fail(prim, "expects float32 or int32 operands", inputs);
    if (lc.length !== rc.length) fail(prim, `dimension_numbers: lhs and rhs contracting dimensions ${fmtTuple(lc)}, ${fmtTuple(rc)} must have equal length`, inputs);
    if (lb.length !== rb.length) fail(prim, `dimension_numbers: lhs and rhs batch dimensions ${fmtTuple(lb)}, ${fmtTuple(rb)} must have equal length`, inputs);
    checkAxes(prim, [...lc, ...lb], x.shape.length, inputs, "dimension_numbers: lhs contracting + batch dimensions", "the lhs");
    checkAxes(prim, [...rc, ...rb], y.shape.length, inputs, "dimension_numbers: rhs contracting + batch dimensions", "the rhs");
    for (let i = 0; i < lc.length; i++) {
      if (x.shape[lc[i]!] !== y.shape[rc[i]!]) fail(prim, `contracting dimension sizes differ: lhs axis ${lc[i]} (${x.shape[lc[i]!]}) vs rhs axis ${rc[i]} (${y.shape[rc[i]!]})`, inputs);
    }
    for (let i = 0; i < lb.length; i++) {
      if (x.shape[lb[i]!] !== y.shape[rb[i]!]) fail(prim, `batch dimension sizes differ: lhs axis ${lb[i]} (${x.shape[lb[i]!]}) vs rhs axis ${rb[i]} (${y.shape[rb[i]!]})`, inputs);
    }
    const batch = lb.map((d) => x.shape[d]!);
    const lfree = x.shape.filter((_, i) => !lc.includes(i) && !lb.includes(i));
    const rfree = y.shape.filter((_, i) => !rc.includes(i) && !rb.includes(i));
    return [{ dtype: x.dtype, shape: [...batch, ...lfree, ...rfree] }];
  },

  iota: (inputs, { dtype, shape, dimension }) => {
    arity("iota", inputs, 0);
    checkShape("iota", shape, inputs);
    if (dtype === "bool") fail("iota", "dtype must be float32 or int32", inputs);
    if (!Number.isInteger(dimension) || dimension < 0 || dimension >= shape.length) {
      fail("iota", `dimension ${dimension} out of range: the valid axes of shape ${fmtTuple(shape)} are ${axisRange(shape.length)}`, inputs);
    }
    return [{ dtype, shape: [...shape] }];
  },
  concatenate: (inputs, { dimension }) => {
    if (inputs.length < 1) fail("concatenate", "expects at least one operand", inputs);
    const x0 = inputs[0]!;
    const rank = x0.shape.length;
    if (!Number.isInteger(dimension) || dimension < 0 || dimension >= rank) {
      fail("concatenate", `dimension ${dimension} out of range: the valid axes of the operands (rank ${rank}) are ${axisRange(rank)}`, inputs);
    }
    let total = 0;
    for (const x of inputs) {
      if (x.dtype !== x0.dtype) fail("concatenate", "operand dtypes must be equal", inputs);
      if (x.shape.length !== rank) fail("concatenate", "operands must have equal rank", inputs);
      for (let i = 0; i < rank; i++) {
        if (i !== dimension && x.shape[i] !== x0.shape[i]) fail("concatenate", `operand shapes must agree except on dimension ${dimension}`, inputs);
      }
      total += x.shape[dimension]!;
    }
    const shape = [...x0.shape];
    shape[dimension] = total;
    return [{ dtype: x0.dtype, shape }];
  },
  slice: (inputs, { start_indices: start, limit_indices: limit, strides }) => {
    arity("slice", inputs, 1);
    const [x] = inputs as [Aval];
    const r = x.shape.length;
    if (start.length !== r || limit.length !== r || (strides && strides.length !== r)) {
      const shownStrides = strides ? fmtTuple(strides) : "None";
      fail("slice", `start_indices ${fmtTuple(start)}, limit_indices ${fmtTuple(limit)} and strides ${shownStrides} need one entry per operand axis (${r})`, inputs);
    }
    const shape: number[] = [];
    for (let i = 0; i < r; i++) {
      const s = start[i]!, l = limit[i]!, st = strides ? strides[i]! : 1;
      if (!(Number.isInteger(s) && Number.isInteger(l) && 0 <= s && s <= l && l <= x.shape[i]!)) {
        fail("slice", `start_indices/limit_indices on axis ${i}: need 0 <= start (${s}) <= limit (${l}) <= size (${x.shape[i]})`, inputs);
      }
      if (!Number.isInteger(st) || st < 1) fail("slice", `strides on axis ${i}: stride ${st} must be a positive integer`, inputs);
      shape.push(Math.ceil((l - s) / st));
    }
    return [{ dtype: x.dtype, shape }];
  },
  dynamic_slice: (inputs, { slice_sizes }) => {
    const [x, ...idx] = inputs as [Aval, ...Aval[]];
    if (!x) fail("dynamic_slice", "expects an operand", inputs);
    const r = x.shape.length;
    if (idx.length !== r) fail("dynamic_slice", `expects ${r} start indices (one per axis), got ${idx.length}`, inputs);
    for (const i of idx) if (i.dtype !== "int32" || i.shape.length !== 0) fail("dynamic_slice", "start indices must be i32[] scalars", inputs);
    if (slice_sizes.length !== r) fail("dynamic_slice", `slice_sizes ${fmtTuple(slice_sizes)} must have one entry per operand axis (${r})`, inputs);
    for (let i = 0; i < r; i++) {
      const s = slice_sizes[i]!;
      if (!Number.isInteger(s) || s < 0 || s > x.shape[i]!) {
        fail("dynamic_slice", `slice_sizes ${fmtTuple(slice_sizes)}: size ${s} on axis ${i} must be in 0..${x.shape[i]} (the operand's size)`, inputs);
      }
    }
    return [{ dtype: x.dtype, shape: [...slice_sizes] }];
  },
  dynamic_update_slice: (inputs) => {
    const [x, u, ...idx] = inputs as [Aval, Aval, ...Aval[]];
    if (!x || !u) fail("dynamic_update_slice", "expects an operand and an update", inputs);
    const r = x.shape.length;
    if (u.dtype !== x.dtype) fail("dynamic_update_slice", "update dtype must equal the operand dtype", inputs);
    if (u.shape.length !== r) fail("dynamic_update_slice", "update rank must equal the operand rank", inputs);
    for (let i = 0; i < r; i++) if (u.shape[i]! > x.shape[i]!) fail("dynamic_update_slice", `update is larger than the operand on axis ${i}`, inputs);
    if (idx.length !== r) fail("dynamic_update_slice", `expects ${r} start indices (one per axis), got ${idx.length}`, inputs);
    for (const i of idx) if (i.dtype !== "int32" || i.shape.length !== 0) fail("dynamic_update_slice", "start indices must be i32[] scalars", inputs);
    return [x];
  },

  while: (inputs, { cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts }) => {
    const prim = "while";
    checkCounts(prim, { cond_nconsts, body_nconsts }, inputs);
    const cconsts = inputs.slice(0, cond_nconsts);
    const bconsts = inputs.slice(cond_nconsts, cond_nconsts + body_nconsts);
    const carry = inputs.slice(cond_nconsts + body_nconsts);
    if (cond_jaxpr.constvars.length || body_jaxpr.constvars.length) fail(prim, "cond_jaxpr and body_jaxpr must not have constvars", inputs);
    const condIn = jaxprInAvals(cond_jaxpr);
    if (!sameAvals(condIn, [...cconsts, ...carry])) {
      fail(prim, `cond_jaxpr takes ${avalsStr(condIn)} but is given cond consts + carry ${avalsStr([...cconsts, ...carry])}`, []);
    }
    const bodyIn = jaxprInAvals(body_jaxpr);
    if (!sameAvals(bodyIn, [...bconsts, ...carry])) {
      fail(prim, `body_jaxpr takes ${avalsStr(bodyIn)} but is given body consts + carry ${avalsStr([...bconsts, ...carry])}`, []);
    }
    const bodyOut = body_jaxpr.outvars.map((v) => v.aval);
    if (!sameAvals(bodyOut, carry)) fail(prim, `body_jaxpr returns ${avalsStr(bodyOut)} but the carry is ${avalsStr(carry)}`, []);
    if (cond_jaxpr.outvars.length !== 1) fail(prim, `cond_jaxpr must return one value, returns ${cond_jaxpr.outvars.length}`, []);
    const pred = cond_jaxpr.outvars[0]!.aval;
    if (pred.dtype !== "bool") fail(prim, `cond_jaxpr must return a bool, returns ${avalStr(pred)}`, []);
    for (const c of carry) {
      if (!isShapePrefix(pred.shape, c.shape)) {
        fail(prim, `batched predicate ${avalStr(pred)} must be a shape prefix of every carry, but a carry is ${avalStr(c)}`, []);
      }
    }
    return [...carry];
  },
  cond: (inputs, { branches }) => {
    const prim = "cond";
    if (inputs.length < 1) fail(prim, "expects an index operand", inputs);
    if (branches.length < 1) fail(prim, "needs at least one branch", inputs);
    const [index, ...ops] = inputs as [Aval, ...Aval[]];
    if (index.dtype !== "int32") fail(prim, `index must be int32, got ${avalStr(index)}`, []);
    let outs: Aval[] | undefined;
    branches.forEach((b, k) => {
      if (b.constvars.length) fail(prim, `branch ${k} must not have constvars`, []);
      const bin = jaxprInAvals(b);
      if (!sameAvals(bin, ops)) fail(prim, `branch ${k} takes ${avalsStr(bin)} but the operands are ${avalsStr(ops)}`, []);
      const bout = b.outvars.map((v) => v.aval);
      if (outs === undefined) outs = bout;
      else if (!sameAvals(outs, bout)) fail(prim, `branch ${k} returns ${avalsStr(bout)} but branch 0 returns ${avalsStr(outs)}`, []);
    });
    for (const o of outs!) {
      if (!isShapePrefix(index.shape, o.shape)) fail(prim, `batched index ${avalStr(index)} must be a shape prefix of every output, but an output is ${avalStr(o)}`, []);
    }
    return outs!;
  },
  scan: (inputs, { jaxpr, length, num_consts, num_carry }) => {
    const prim = "scan";
    if (!Number.isInteger(length) || length < 0) fail(prim, `length must be a non-negative integer, got ${length}`, []);
    checkCounts(prim, { num_consts, num_carry }, inputs);
    if (jaxpr.constvars.length) fail(prim, "jaxpr must not have constvars", []);
    const consts = inputs.slice(0, num_consts);
    const carry = inputs.slice(num_consts, num_consts + num_carry);
    const xs = inputs.slice(num_consts + num_carry);
    const xSlices = xs.map((x) => {
      if (x.shape.length === 0 || x.shape[0] !== length) fail(prim, `every xs operand needs leading dimension ${length}, got ${avalStr(x)}`, []);
      return { dtype: x.dtype, shape: x.shape.slice(1) };
    });
    const expectIn = [...consts, ...carry, ...xSlices];
    const jin = jaxprInAvals(jaxpr);
    if (!sameAvals(jin, expectIn)) fail(prim, `jaxpr takes ${avalsStr(jin)} but is given consts + carry + x slices ${avalsStr(expectIn)}`, []);
    const jout = jaxpr.outvars.map((v) => v.aval);
    if (jout.length < num_carry || !sameAvals(jout.slice(0, num_carry), carry)) {
      fail(prim, `jaxpr returns ${avalsStr(jout)} but must start with the carry ${avalsStr(carry)}`, []);
    }
    const ys = jout.slice(num_carry).map((y) => ({ dtype: y.dtype, shape: [length, ...y.shape] }));
    return [...carry, ...ys];
  },
  pjit: (inputs, { jaxpr }) => {
    if (jaxpr.constvars.length) fail("pjit", "jaxpr must not have constvars", []);
    const jin = jaxprInAvals(jaxpr);
    if (!sameAvals(jin, inputs)) fail("pjit", `jaxpr takes ${avalsStr(jin)} but is given ${avalsStr(inputs)}`, []);
    return jaxpr.outvars.map((v) => v.aval);
  },
};

export const PRIMS: readonly Prim[] = Object.keys(shapeRules) as Prim[];

export function isPrim(name: string): name is Prim {
  return Object.prototype.hasOwnProperty.call(shapeRules, name);
}

/** Output avals of applying `prim` to operands of the given avals; throws ShapeError. */
export function abstractEval<P extends Prim>(prim: P, params: Params[P], inputs: readonly Aval[]): Aval[] {
  return (shapeRules[prim] as ShapeRule<P>)(inputs, params);
}
