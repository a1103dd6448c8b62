// Reductions: sum, max, min, mean, argmax with numpy's `axis` (number, list,
// or undefined/null for all axes) and `keepdims`.

import { avalStr } from "../../ir/dtype.js";
import { Array, type ArrayLike } from "../array.js";
import * as lax from "../lax.js";
import { TypedScalar, weakDtype } from "../scalar.js";
import { checkArrayLike, checkOptions, normalizeAxes, normalizeAxis } from "./args.js";
import { cast } from "./promote.js";

export type Axis = number | readonly number[] | null | undefined;
export interface ReduceOptions {
  readonly keepdims?: boolean;
}

/** An array operand; a JS scalar becomes a rank-0 array of its default dtype. */
export function asArrayArg(name: string, x: unknown): Array {
  checkArrayLike(name, x);
  if (x instanceof Array) return x;
  return lax.broadcastInDim(new TypedScalar(x, weakDtype(x)), [], []);
}

/** `r` with the reduced axes put back as size 1 when `keepdims` asks for it. */
function keep(name: string, r: Array, axes: readonly number[], opts: ReduceOptions | undefined): Array {
  return checkOptions(name, opts, "{ keepdims: true }").keepdims && axes.length > 0 ? lax.expandDims(r, axes) : r;
}

export function sum(x: ArrayLike, axis?: Axis, opts?: ReduceOptions): Array {
  const a = asArrayArg("sum", x);
  const axes = normalizeAxes("sum", axis, a);
  // numpy sums booleans as integers (counting the trues).
  return keep("sum", lax.reduce("reduce_sum", a.dtype === "bool" ? cast(a, "int32") : a, axes), axes, opts);
}

function extremum(name: "max" | "min", prim: "reduce_max" | "reduce_min") {
  return (x: ArrayLike, axis?: Axis, opts?: ReduceOptions): Array => {
    const a = asArrayArg(name, x);
    const axes = normalizeAxes(name, axis, a);
    for (const ax of axes) {
      if (a.shape[ax] === 0) throw new RangeError(`${name}: zero-size reduction along axis ${ax} of ${avalStr(a.aval)} (${name} has no identity)`);
    }
    return keep(name, lax.reduce(prim, a, axes), axes, opts);
  };
}

export const max = extremum("max", "reduce_max");
export const min = extremum("min", "reduce_min");

/** Arithmetic mean; integer and bool inputs give float32. */
export function mean(x: ArrayLike, axis?: Axis, opts?: ReduceOptions): Array {
  const a = asArrayArg("mean", x);
  const axes = normalizeAxes("mean", axis, a);
  const count = axes.reduce((n, ax) => n * a.shape[ax]!, 1);
  const total = lax.reduce("reduce_sum", cast(a, "float32"), axes);
  return keep("mean", lax.binary("div", total, new TypedScalar(count, "float32")), axes, opts);
}

/** Index of the first maximum along `axis` (int32); without an axis, into the flattened array. */
export function argmax(x: ArrayLike, axis?: number | null, opts?: ReduceOptions): Array {
  const a = asArrayArg("argmax", x);
  if (a.size === 0) throw new RangeError(`argmax: attempt to get argmax of an empty array ${avalStr(a.aval)}`);
  if (axis === undefined || axis === null) {
    const r = lax.argmax(a.ndim === 1 ? a : lax.reshape(a, [a.size]), 0);
    return checkOptions("argmax", opts, "{ keepdims: true }").keepdims ? lax.reshape(r, a.shape.map(() => 1)) : r;
  }
  const ax = normalizeAxis("argmax", axis, a.ndim, a);
  return keep("argmax", lax.argmax(a, ax), [ax], opts);
}
