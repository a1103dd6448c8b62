// The checks shape rules share, and the error they raise. Every message names
// the primitive and shows the operand types, so a bad program says what is
// wrong where (`reduce_sum: axes (2,) out of range: …`).

import type { Jaxpr } from "../core.js";
import { type Aval, type DType, type Shape, avalStr, avalsEqual, isShapePrefix, isTape, shapesEqual } from "../dtype.js";

/** Raised by shape rules: the message names the primitive and the offending types. */
export class ShapeError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = "ShapeError";
  }
}

export function fail(prim: string, msg: string, inputs: readonly Aval[]): never {
  const types = inputs.length ? ` (operands: ${inputs.map(avalStr).join(", ")})` : "";
  throw new ShapeError(`${prim}: ${msg}${types}`);
}

export function arity(prim: string, inputs: readonly Aval[], n: number): void {
  if (inputs.length !== n) fail(prim, `expects ${n} operand${n === 1 ? "" : "s"}, got ${inputs.length}`, inputs);
}

/** The valid axes of a rank-`rank` array, for messages: `0..2`, `only 0`, or `none` for rank 0. */
export function axisRange(rank: number): string {
  return rank === 0 ? "none" : rank === 1 ? "only 0" : `0..${rank - 1}`;
}

/**
 * Distinct axes of an array of rank `rank` (`of` names that array in the
 * message: the operand, the result, the lhs).
 */
export function checkAxes(prim: string, axes: readonly number[], rank: number, inputs: readonly Aval[], what = "axes", of = "the operand"): void {
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
export function checkCounts(prim: string, counts: Readonly<Record<string, number>>, inputs: readonly Aval[]): void {
  let total = 0;
  for (const [name, n] of Object.entries(counts)) {
    if (!Number.isSafeInteger(n) || n < 0) fail(prim, `${name} must be a non-negative integer, got ${n}`, inputs);
    total += n;
  }
  if (total > inputs.length) fail(prim, `${Object.keys(counts).join(" + ")} = ${total} exceeds the ${inputs.length} operands`, inputs);
}

export function checkShape(prim: string, shape: readonly number[], inputs: readonly Aval[], what = "shape"): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) fail(prim, `${what} ${fmtTuple(shape)} must contain non-negative integers`, inputs);
  }
}

export function fmtTuple(xs: readonly unknown[]): string {
  return xs.length === 1 ? `(${String(xs[0])},)` : `(${xs.map(String).join(", ")})`;
}

export type DTypeClass = "float" | "numeric" | "int_or_bool" | "any";
export function dtypeOk(cls: DTypeClass, d: DType): boolean {
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
export const CLASS_DESC: Record<DTypeClass, string> = {
  float: "a float32 operand",
  numeric: "float32 or int32 operands",
  int_or_bool: "int32 or bool operands",
  any: "operands",
};


export function unaryShape(prim: string, cls: DTypeClass): (inputs: readonly Aval[]) => Aval[] {
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

export function elementwiseShape(prim: string, cls: DTypeClass, outDtype?: DType): (inputs: readonly Aval[]) => Aval[] {
  return (inputs) => {
    arity(prim, inputs, 2);
    const [x, y] = inputs as [Aval, Aval];
    if (x.dtype !== y.dtype) fail(prim, "operand dtypes must be equal", inputs);
    if (!dtypeOk(cls, x.dtype)) fail(prim, `expects ${CLASS_DESC[cls]}`, inputs);
    return [{ dtype: outDtype ?? x.dtype, shape: binaryShape(prim, inputs) }];
  };
}

export function reduceShape(prim: string): (inputs: readonly Aval[], params: { readonly axes: readonly number[] }) => Aval[] {
  return (inputs, { axes }) => {
    arity(prim, inputs, 1);
    const [x] = inputs as [Aval];
    checkAxes(prim, axes, x.shape.length, inputs);
    if (prim === "reduce_sum" && x.dtype === "bool") fail(prim, "expects float32 or int32 operands", inputs);
    return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.includes(i)) }];
  };
}

export function jaxprInAvals(j: Jaxpr): Aval[] {
  return [...j.constvars, ...j.invars].map((v) => v.aval);
}

export function sameAvals(a: readonly Aval[], b: readonly Aval[]): boolean {
  return a.length === b.length && a.every((x, i) => avalsEqual(x, b[i]!));
}

export function avalsStr(xs: readonly Aval[]): string {
  return `(${xs.map(avalStr).join(", ")})`;
}


/** The params a while's shape depends on (ir/prims/control.ts, tape.ts). */
export interface WhileShapeParams {
  readonly cond_jaxpr: Jaxpr;
  readonly body_jaxpr: Jaxpr;
  readonly cond_nconsts: number;
  readonly body_nconsts: number;
}

/**
 * The shape rule of a while, and of a while_record (whose body returns
 * `numRecords` values after its carries): the carry avals, then the
 * recorded values' avals.
 */
export function whileShape(prim: "while" | "while_record", inputs: readonly Aval[], params: WhileShapeParams, numRecords: number): { carry: Aval[]; records: Aval[] } {
  const { cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts } = params;
  checkCounts(prim, { cond_nconsts, body_nconsts }, inputs);
  const cconsts = inputs.slice(0, cond_nconsts);
  const bconsts = inputs.slice(cond_nconsts, cond_nconsts + body_nconsts);
  const carry = inputs.slice(cond_nconsts + body_nconsts);
  if (cond_jaxpr.constvars.length || body_jaxpr.constvars.length) fail(prim, "cond_jaxpr and body_jaxpr must not have constvars", inputs);
  const condIn = jaxprInAvals(cond_jaxpr);
  if (!sameAvals(condIn, [...cconsts, ...carry])) fail(prim, `cond_jaxpr takes ${avalsStr(condIn)} but is given cond consts + carry ${avalsStr([...cconsts, ...carry])}`, []);
  const bodyIn = jaxprInAvals(body_jaxpr);
  if (!sameAvals(bodyIn, [...bconsts, ...carry])) fail(prim, `body_jaxpr takes ${avalsStr(bodyIn)} but is given body consts + carry ${avalsStr([...bconsts, ...carry])}`, []);
  const bodyOut = body_jaxpr.outvars.map((v) => v.aval);
  const returnsCarry = sameAvals(bodyOut.slice(0, carry.length), carry);
  if (prim === "while_record" && (!Number.isInteger(numRecords) || numRecords < 0 || bodyOut.length !== carry.length + numRecords)) {
    fail(prim, `body_jaxpr returns ${bodyOut.length} values, but the carry has ${carry.length} and num_records=${numRecords}`, []);
  }
  if (!returnsCarry || bodyOut.length !== carry.length + numRecords) fail(prim, `body_jaxpr returns ${avalsStr(bodyOut)} but the carry is ${avalsStr(carry)}`, []);
  if (cond_jaxpr.outvars.length !== 1) fail(prim, `cond_jaxpr must return one value, returns ${cond_jaxpr.outvars.length}`, []);
  const pred = cond_jaxpr.outvars[0]!.aval;
  if (pred.dtype !== "bool" || isTape(pred)) fail(prim, `cond_jaxpr must return a bool, returns ${avalStr(pred)}`, []);
  for (const c of carry) {
    if (isTape(c)) fail(prim, `a carry cannot be a tape (${avalStr(c)})`, []);
    if (!isShapePrefix(pred.shape, c.shape)) fail(prim, `batched predicate ${avalStr(pred)} must be a shape prefix of every carry, but a carry is ${avalStr(c)}`, []);
  }
  return { carry: [...carry], records: bodyOut.slice(carry.length) };
}

