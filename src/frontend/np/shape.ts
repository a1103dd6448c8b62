// Shape manipulation: reshape (with -1), transpose, squeeze, expandDims,
// broadcastTo, concatenate, stack. No-op requests return the input unchanged
// rather than staging an identity equation.

import { avalStr, fmtShape, promoteAll, shapesEqual } from "./shape-util.js";
import { Array, type ArrayLike } from "../array.js";
import * as lax from "../lax.js";
import { asArrayArg } from "./reductions.js";
import { axisList, checkArray, checkShape, describe, describeStatic, normalizeAxis, tracedHint } from "./args.js";
import { broadcastArray, cast } from "./promote.js";

export function reshape(x: ArrayLike, shape: readonly number[] | number): Array {
  const a = asArrayArg("reshape", x);
  if (typeof shape !== "number" && !globalThis.Array.isArray(shape)) {
    throw new TypeError(`reshape: shape must be a list of integers (one of them may be -1), got ${describeStatic(shape)}${tracedHint(shape)}`);
  }
  const req: unknown[] = typeof shape === "number" ? [shape] : [...shape];
  req.forEach((d, i) => {
    if (typeof d !== "number" || !Number.isInteger(d) || d < -1) {
      throw new TypeError(`reshape: shape[${i}] is ${describeStatic(d)}; dimensions must be non-negative integers, or -1 for one inferred axis (reshaping ${avalStr(a.aval)})${tracedHint(d)}`);
    }
  });
  const bad = () => new TypeError(`reshape: cannot reshape ${avalStr(a.aval)} (size ${a.size}) into shape ${fmtShape(req as number[])}`);
  const unknown = req.filter((d) => d === -1).length;
  if (unknown > 1) throw new TypeError(`reshape: invalid shape ${fmtShape(req as number[])} for ${avalStr(a.aval)}: only one axis can be -1 (inferred)`);
  let out = req as number[];
  if (unknown === 1) {
    const known = out.filter((d) => d !== -1).reduce((n, d) => n * d, 1);
    if (known === 0 || a.size % known !== 0) throw bad();
    out = out.map((d) => (d === -1 ? a.size / known : d));
  }
  if (out.reduce((n, d) => n * d, 1) !== a.size) throw bad();
  return shapesEqual(out, a.shape) ? a : lax.reshape(a, out);
}

export function transpose(x: ArrayLike, axes?: readonly number[]): Array {
  const a = asArrayArg("transpose", x);
  if (axes !== undefined && !globalThis.Array.isArray(axes)) throw new TypeError(`transpose: axes must be a list of axes, got ${describe(axes)}`);
  const perm = axes === undefined ? a.shape.map((_, i) => a.ndim - 1 - i) : axes.map((ax) => normalizeAxis("transpose", ax, a.ndim, a));
  if (perm.length !== a.ndim || new Set(perm).size !== perm.length) {
    throw new TypeError(`transpose: axes ${fmtShape(axes ?? [])} are not a permutation of the ${a.ndim} axes of ${avalStr(a.aval)}`);
  }
  return perm.every((p, i) => p === i) ? a : lax.transpose(a, perm);
}

export function squeeze(x: ArrayLike, axis?: number | readonly number[]): Array {
  const a = asArrayArg("squeeze", x);
  let dims: number[];
  if (axis === undefined) {
    dims = a.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  } else {
    dims = axisList("squeeze", axis).map((ax) => normalizeAxis("squeeze", ax, a.ndim, a));
    for (const d of dims) {
      if (a.shape[d] !== 1) throw new TypeError(`squeeze: cannot squeeze axis ${d} of ${avalStr(a.aval)}: its size is ${a.shape[d]}, not 1`);
    }
    if (new Set(dims).size !== dims.length) throw new TypeError(`squeeze: repeated axis in ${fmtShape(dims)} for ${avalStr(a.aval)}`);
  }
  return dims.length === 0 ? a : lax.squeeze(a, dims);
}

export function expandDims(x: ArrayLike, axis: number | readonly number[]): Array {
  const a = asArrayArg("expandDims", x);
  const list = axisList("expandDims", axis);
  const rank = a.ndim + list.length;
  const dims = list.map((ax) => normalizeAxis("expandDims", ax, rank, `the result of rank ${rank}`));
  if (new Set(dims).size !== dims.length) throw new TypeError(`expandDims: repeated axis in ${fmtShape(list as number[])} for ${avalStr(a.aval)}`);
  return dims.length === 0 ? a : lax.expandDims(a, dims);
}

/** numpy broadcast_to: trailing axes align; each input axis equals the target or is 1. */
export function broadcastTo(x: ArrayLike, shape: readonly number[]): Array {
  const a = asArrayArg("broadcastTo", x);
  const target = checkShape("broadcastTo", shape);
  const offset = target.length - a.ndim;
  const ok = offset >= 0 && a.shape.every((d, i) => d === 1 || d === target[offset + i]);
  if (!ok) throw new TypeError(`broadcastTo: cannot broadcast ${avalStr(a.aval)} to shape ${fmtShape(target)}`);
  return broadcastArray(a, target);
}

/** Joins arrays along an existing axis; dtypes promote. */
export function concatenate(xs: readonly Array[], axis = 0): Array {
  if (!globalThis.Array.isArray(xs) || xs.length === 0) throw new TypeError(`concatenate: needs a non-empty list of arrays, got ${globalThis.Array.isArray(xs) ? "an empty list" : describe(xs)}`);
  xs.forEach((x, i) => checkArray("concatenate", x, `element ${i}`));
  const x0 = xs[0]!;
  if (x0.ndim === 0) throw new TypeError("concatenate: zero-dimensional arrays cannot be concatenated");
  const ax = normalizeAxis("concatenate", axis, x0.ndim, x0);
  const shapes = () => xs.map(describe).join(", ");
  for (const x of xs) {
    if (x.ndim !== x0.ndim) throw new TypeError(`concatenate: all arrays need the same rank, got ${shapes()}`);
    if (x.shape.some((d: number, i: number) => i !== ax && d !== x0.shape[i])) {
      throw new TypeError(`concatenate: shapes must agree except on axis ${ax}, got ${shapes()}`);
    }
  }
  if (xs.length === 1) return x0;
  const dtype = promoteAll(xs.map((x) => x.dtype));
  return lax.concatenate(xs.map((x) => cast(x, dtype)), ax);
}

/** Joins equally shaped arrays along a new axis. */
export function stack(xs: readonly Array[], axis = 0): Array {
  if (!globalThis.Array.isArray(xs) || xs.length === 0) throw new TypeError(`stack: needs a non-empty list of arrays, got ${globalThis.Array.isArray(xs) ? "an empty list" : describe(xs)}`);
  xs.forEach((x, i) => checkArray("stack", x, `element ${i}`));
  const x0 = xs[0]!;
  for (const x of xs) {
    if (!shapesEqual(x.shape, x0.shape)) throw new TypeError(`stack: all arrays need the same shape, got ${xs.map(describe).join(", ")}`);
  }
  const ax = normalizeAxis("stack", axis, x0.ndim + 1, `the result of rank ${x0.ndim + 1}`);
  const dtype = promoteAll(xs.map((x) => x.dtype));
  const expanded = xs.map((x) => lax.expandDims(cast(x, dtype), [ax]));
  return expanded.length === 1 ? expanded[0]! : lax.concatenate(expanded, ax);
}
