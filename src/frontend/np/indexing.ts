// Indexing: static numpy-style basic slicing (`x.slice(...)`) and lax's
// dynamic_slice / dynamic_update_slice with array or number start indices
// (clamped into bounds by the primitives, as in lax).

import { INT32_MAX, INT32_MIN, avalStr } from "../../ir/dtype.js";
import { Array, type ArrayLike, type SliceSpec } from "../array.js";
import * as lax from "../lax.js";
import { TypedScalar } from "../scalar.js";
import { checkArray, checkInteger, describe, describeStatic, tracedHint } from "./args.js";
import { fmtShape } from "./shape-util.js";

/** `x.slice(0, [1, null], null, [null, null, 2])`: one spec per leading axis; missing axes are whole. */
export function slice(x: Array, ...specs: SliceSpec[]): Array {
  checkArray("slice", x);
  if (specs.length > x.ndim) throw new RangeError(`slice: too many indices (${specs.length}) for ${avalStr(x.aval)}`);
  const start: number[] = [], limit: number[] = [], strides: number[] = [], dropped: number[] = [];
  x.shape.forEach((n, axis) => {
    const spec = specs[axis];
    if (spec === null || spec === undefined) {
      start.push(0), limit.push(n), strides.push(1);
    } else if (typeof spec === "number") {
      checkInteger("slice", spec, `index on axis ${axis}`);
      if (spec < -n || spec >= n) {
        throw new RangeError(`slice: index ${spec} is out of bounds for axis ${axis} with size ${n} (${avalStr(x.aval)})`);
      }
      const i = spec < 0 ? spec + n : spec;
      start.push(i), limit.push(i + 1), strides.push(1), dropped.push(axis);
    } else if (globalThis.Array.isArray(spec)) {
      const [s, e, st] = spec;
      const step = st ?? 1;
      if (!Number.isInteger(step) || step < 1) {
        throw new RangeError(`slice: step ${describe(step)} on axis ${axis} of ${avalStr(x.aval)} must be a positive integer (negative steps are not supported)`);
      }
      for (const v of [s, e]) {
        if (v !== null && v !== undefined && !Number.isInteger(v)) throw new TypeError(`slice: bound ${describeStatic(v)} on axis ${axis} must be an integer or null${tracedHint(v)}`);
      }
      // numpy: negative bounds count from the end; out-of-range bounds clamp.
      const norm = (v: number | null | undefined, dflt: number) => (v === null || v === undefined ? dflt : Math.min(Math.max(v < 0 ? v + n : v, 0), n));
      const b = norm(s, 0);
      const l = Math.max(norm(e, n), b);
      start.push(b), limit.push(l), strides.push(step);
    } else {
      throw new TypeError(`slice: spec for axis ${axis} must be a number, null or [start, stop, step], got ${describe(spec)}`);
    }
  });
  const whole = x.shape.every((n, i) => start[i] === 0 && limit[i] === n && strides[i] === 1);
  const sliced = whole ? x : lax.slice(x, start, limit, strides.every((s) => s === 1) ? null : strides);
  return dropped.length ? lax.squeeze(sliced, dropped) : sliced;
}

type StartIndex = ArrayLike;

function startOperands(name: string, x: Array, starts: readonly StartIndex[]) {
  if (!globalThis.Array.isArray(starts) || starts.length !== x.ndim) {
    throw new TypeError(`${name}: needs ${x.ndim} start indices for ${avalStr(x.aval)} (one per axis), got ${globalThis.Array.isArray(starts) ? starts.length : describe(starts)}`);
  }
  return starts.map((s, i) => {
    if (typeof s === "number") {
      checkInteger(name, s, `start index ${i}`);
      // The primitive clamps starts into bounds anyway, so clamping into int32 first changes nothing.
      return new TypedScalar(Math.min(Math.max(s, INT32_MIN), INT32_MAX), "int32");
    }
    if (!(s instanceof Array) || s.ndim !== 0 || s.dtype !== "int32") {
      throw new TypeError(`${name}: start index ${i} must be an int32 scalar or a JS integer, got ${describe(s)}`);
    }
    return s;
  });
}

/** The `sizes`-shaped window of `x` at `starts` (starts are clamped so the window fits). */
export function dynamicSlice(x: Array, starts: readonly StartIndex[], sizes: readonly number[]): Array {
  checkArray("dynamicSlice", x);
  const idx = startOperands("dynamicSlice", x, starts);
  if (!globalThis.Array.isArray(sizes) || sizes.length !== x.ndim) {
    throw new TypeError(`dynamicSlice: needs ${x.ndim} slice sizes for ${avalStr(x.aval)} (one per axis), got ${globalThis.Array.isArray(sizes) ? fmtShape(sizes) : describe(sizes)}`);
  }
  sizes.forEach((s: unknown, i) => {
    if (typeof s !== "number" || !Number.isInteger(s) || s < 0) throw new TypeError(`dynamicSlice: sizes[${i}] is ${describeStatic(s)}; slice sizes must be non-negative integers${tracedHint(s)}`);
    if (s > x.shape[i]!) throw new RangeError(`dynamicSlice: sizes[${i}] = ${s} is larger than axis ${i} of ${avalStr(x.aval)} (size ${x.shape[i]})`);
  });
  return lax.dynamicSlice(x, idx, sizes);
}

/** `x` with the window at `starts` replaced by `update` (starts are clamped so it fits). */
export function dynamicUpdateSlice(x: Array, update: Array, starts: readonly StartIndex[]): Array {
  checkArray("dynamicUpdateSlice", x);
  checkArray("dynamicUpdateSlice", update, "update");
  if (update.dtype !== x.dtype) throw new TypeError(`dynamicUpdateSlice: update ${describe(update)} must have the dtype of the operand ${describe(x)}`);
  if (update.ndim !== x.ndim || update.shape.some((d, i) => d > x.shape[i]!)) {
    throw new TypeError(`dynamicUpdateSlice: update ${describe(update)} must have the rank of ${describe(x)} and fit inside it`);
  }
  return lax.dynamicUpdateSlice(x, update, startOperands("dynamicUpdateSlice", x, starts));
}
