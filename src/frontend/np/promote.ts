// numpy-style operand preparation for the np layer: dtype promotion
// (bool < int32 < float32) with JS numbers weakly typed, and broadcasting.
// The IR's binary ops accept equal shapes or a rank-0 operand, so
// `broadcast_in_dim` is inserted only where shapes really differ.

import { type DType, type Shape, promoteDTypes, shapesEqual } from "../../ir/dtype.js";
import { Array, type ArrayLike } from "../array.js";
import * as lax from "../lax.js";
import { TypedScalar, isJsScalar, weakDtype, weakKind } from "../scalar.js";
import { checkArrayLike, describe } from "./args.js";

/** An operand after promotion: an array of the result dtype, or a typed scalar literal. */
export type Operand = Array | TypedScalar;

/**
 * The dtype numpy/JAX give an op on these operands: arrays promote along
 * bool < int32 < float32; a JS number only raises the result to its own kind
 * (`int32 * 2.5` → float32, `bool + 1` → int32, `f32 * 2` → float32). An
 * integer keeps the int32 kind however large, so `int32 + 3e9` stays int32
 * and then fails to convert (numpy 2 and JAX raise for a Python int out of
 * range); JS numbers alone take their own dtypes (`weakDtype`).
 */
export function resultDtype(xs: readonly ArrayLike[]): DType {
  const strong = xs.filter((x): x is Array => x instanceof Array).map((x) => x.dtype);
  const weak = xs.filter(isJsScalar);
  if (strong.length === 0) return weak.map(weakDtype).reduce(promoteDTypes);
  let d = strong.reduce(promoteDTypes);
  for (const w of weak) d = promoteDTypes(d, weakKind(w));
  return d;
}

/** What to do when a JS number operand does not fit the dtype of the arrays it meets. */
const OPERAND_HINT = 'to compute in float32, convert the array operand first (x.astype("float32"))';

/** A JS number operand as a typed literal of `dtype`; the error names the op and the operand's position. */
export function scalarOperand(name: string, x: number | boolean, dtype: DType, what: string): TypedScalar {
  return new TypedScalar(x, dtype, { op: name, what, hint: OPERAND_HINT });
}

/** numpy broadcasting of several shapes, or null when they do not broadcast. */
export function broadcastShapeList(shapes: readonly Shape[]): number[] | null {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = new globalThis.Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const k = rank - s.length + i;
      const d = s[i]!;
      if (d === out[k] || d === 1) continue;
      if (out[k] !== 1) return null;
      out[k] = d;
    }
  }
  return out;
}

/** numpy broadcasting of the operands' shapes; the error names the op and every array operand. */
export function broadcastShapes(name: string, xs: readonly ArrayLike[]): number[] {
  const out = broadcastShapeList(xs.map((x) => (x instanceof Array ? x.shape : [])));
  if (out === null) throw new TypeError(`${name}: cannot broadcast ${xs.filter((x) => x instanceof Array).map(describe).join(" with ")}`);
  return out;
}

/** Converts an array to `dtype` (no-op when it already has it). */
export function cast(x: Array, dtype: DType): Array {
  return x.dtype === dtype ? x : lax.convert(x, dtype);
}

/** Broadcasts `x` to `shape` (numpy rules, already checked), inserting broadcast_in_dim only when needed. */
export function broadcastArray(x: Array, shape: Shape): Array {
  if (shapesEqual(x.shape, shape)) return x;
  const offset = shape.length - x.ndim;
  return lax.broadcastInDim(x, shape, x.shape.map((_, i) => offset + i));
}

export interface Prepared {
  readonly operands: Operand[];
  readonly dtype: DType;
  readonly shape: number[];
}

/**
 * Promotes and broadcasts operands of an elementwise op. Rank-0 operands and
 * JS numbers are left unbroadcast (the IR's elementwise ops accept a scalar
 * operand) unless `fullShape` asks for every operand at the result shape.
 */
export function prepare(name: string, xs: readonly unknown[], opts: { dtype?: DType; fullShape?: boolean } = {}): Prepared {
  xs.forEach((x, i) => checkArrayLike(name, x, xs.length === 1 ? "operand" : `operand ${i + 1}`));
  const like = xs as readonly ArrayLike[];
  const dtype = opts.dtype ?? resultDtype(like);
  const shape = broadcastShapes(name, like);
  const operands = like.map((x, i): Operand => {
    if (!(x instanceof Array)) {
      const s = scalarOperand(name, x, dtype, like.length === 1 ? "operand" : `operand ${i + 1}`);
      return !opts.fullShape || shape.length === 0 ? s : lax.broadcastInDim(s, shape, []);
    }
    const c = cast(x, dtype);
    if (c.ndim === 0 && !opts.fullShape) return c;
    return broadcastArray(c, shape);
  });
  return { operands, dtype, shape };
}
