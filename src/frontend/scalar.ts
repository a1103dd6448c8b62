// JS numbers and booleans as array operands.
//
// A JS number is a *weakly typed* scalar (JAX's weak types): it takes the dtype
// of the array it is combined with (`x.mul(2)` keeps x's dtype) unless its own
// kind is "bigger" (`int32 * 2.5` is float32). Once the np layer has decided a
// number's dtype it wraps it in a `TypedScalar`, which is staged as a typed
// literal (`2.0:f32[]`), never as a const.

import { type DType, castScalar } from "../ir/dtype.js";
import { registerPytreeLeaf } from "./pytree.js";

export class TypedScalar {
  /** The value, already rounded to `dtype` (bool is 0/1). */
  readonly value: number;
  constructor(
    value: number | boolean,
    readonly dtype: DType,
  ) {
    this.value = castScalar(dtype, value);
  }
}

/** The dtype a JS scalar gets on its own: boolean → bool, integer → int32, otherwise float32. */
export function weakDtype(v: number | boolean): DType {
  if (typeof v === "boolean") return "bool";
  // Integers outside int32's range stay floats rather than wrapping around.
  return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? "int32" : "float32";
}

export function isJsScalar(x: unknown): x is number | boolean {
  return typeof x === "number" || typeof x === "boolean";
}

// Internal wrappers may travel through pytrees (e.g. a fori body's number
// outputs on their way into the scan carry), so they flatten as leaves.
registerPytreeLeaf(TypedScalar);
