// JS numbers and booleans as array operands.
//
// A JS number is a *weakly typed* scalar (JAX's weak types): it takes the dtype
// of the array it is combined with (`x.mul(2)` keeps x's dtype) unless its own
// kind is "bigger" (`int32 * 2.5` is float32). Once the np layer has decided a
// number's dtype it wraps it in a `TypedScalar`, which is staged as a typed
// literal (`2.0:f32[]`), never as a const.
//
// Putting a number into a dtype follows numpy 2 / JAX: float32 rounds (and
// overflows to ±inf), int32 truncates a fraction toward zero, but a value
// outside int32's range, NaN or ±inf has no int32 value and is an error
// rather than a silent wrap-around.

import { lit } from "../ir/core.js";
import { type DType, INT32_MAX, INT32_MIN, aval, avalStr, castScalar } from "../ir/dtype.js";
import { formatLiteralValue } from "../ir/printer.js";
import { inspectCustom } from "./format.js";
import { registerPytreeLeaf } from "./pytree.js";

/** Where a number is being converted, for the error message: `add` and `operand 2`, `array` and `element [0][3]`. */
export interface ScalarContext {
  /** The user-facing function. */
  readonly op: string;
  /** Which argument or element holds the number. */
  readonly what: string;
  /** What to do instead, e.g. `pass { dtype: "float32" }`. */
  readonly hint?: string;
}

/** Why the JS number `v` has no value in `dtype`, or undefined when it has one. */
export function unrepresentable(v: number | boolean, dtype: DType): string | undefined {
  if (dtype !== "int32" || typeof v === "boolean") return undefined;
  if (!Number.isFinite(v)) return "has no int32 value";
  const t = Math.trunc(v);
  if (t < INT32_MIN || t > INT32_MAX) return `does not fit int32, whose range is ${INT32_MIN} to ${INT32_MAX} (tsjax has no 64-bit types)`;
  return undefined;
}

/** The error for a number `v` that does not fit its dtype, for `reason` from `unrepresentable`. */
export function scalarRangeError(v: number, reason: string, ctx: ScalarContext | undefined): RangeError {
  const subject = ctx ? `${ctx.op}: ${ctx.what} (${v})` : `the JS number ${v}`;
  return new RangeError(`${subject} ${reason}; ${ctx?.hint ?? "use a value in range, or a float32 operand"}`);
}

/** `v` as stored in `dtype` (float32 rounding, int32 truncation, bool 0/1); throws when it does not fit. */
export function toDtypeValue(v: number | boolean, dtype: DType, ctx?: ScalarContext): number {
  const reason = unrepresentable(v, dtype);
  if (reason !== undefined) throw scalarRangeError(v as number, reason, ctx);
  return castScalar(dtype, v);
}

export class TypedScalar {
  /** The value, already rounded to `dtype` (bool is 0/1). */
  readonly value: number;
  constructor(
    value: number | boolean,
    readonly dtype: DType,
    /** Names the op and operand when `value` does not fit `dtype`. */
    ctx?: ScalarContext,
  ) {
    this.value = toDtypeValue(value, dtype, ctx);
  }

  /** The IR literal it stages as: `2.0:f32[]`. */
  toString(): string {
    const a = aval(this.dtype, []);
    return `${formatLiteralValue(lit(this.value, a))}:${avalStr(a)}`;
  }
  [inspectCustom](): string {
    return `TypedScalar(${this.toString()})`;
  }
}

/**
 * The kind of a JS scalar, which is what it contributes to dtype promotion:
 * booleans are bool, integers int32 (even those too big for it: combined with
 * an int32 array they raise, as a Python int does in numpy 2 and JAX),
 * anything else float32.
 */
export function weakKind(v: number | boolean): DType {
  if (typeof v === "boolean") return "bool";
  return Number.isInteger(v) ? "int32" : "float32";
}

/** The dtype a JS scalar gets on its own: boolean → bool, integer → int32, otherwise float32. */
export function weakDtype(v: number | boolean): DType {
  if (typeof v === "boolean") return "bool";
  // An integer outside int32's range stands alone as a float (numpy would
  // pick int64, which tsjax does not have) rather than wrapping around.
  return Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX ? "int32" : "float32";
}

export function isJsScalar(x: unknown): x is number | boolean {
  return typeof x === "number" || typeof x === "boolean";
}

// Internal wrappers may travel through pytrees (e.g. a fori body's number
// outputs on their way into the scan carry), so they flatten as leaves.
registerPytreeLeaf(TypedScalar);
