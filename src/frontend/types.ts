// Type-level view of pytrees crossing a trace boundary. Inside a loop body or
// a cond branch every leaf is an np.Array, even where the caller passed a JS
// number (`whileLoop(..., [0, x])` gives the body `[Array, Array]`); bodies
// may return JS numbers for leaves again (they are cast to the carry's dtype).
//
// Plain object literal types are mapped key by key; class instances (nn
// modules) are kept as they are — their array fields are already Arrays.

import type { Array } from "./array.js";
import type { ShapeDtypeSpec } from "./np/creation.js";

/** `T` with every leaf as it appears inside a trace: an np.Array. */
export type Traced<T> = T extends Array | number | boolean | ShapeDtypeSpec
  ? Array
  : T extends null | undefined
    ? T
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Traced<T[K]> }
      : T extends Record<string, unknown>
        ? { -readonly [K in keyof T]: Traced<T[K]> }
        : T;

/** A list of traced values, for rest parameters (`cond` branches receive the operands spread). */
export type TracedList<T extends readonly unknown[]> = { -readonly [K in keyof T]: Traced<T[K]> };

/** What a body may return for a carry of type `T`: arrays or JS numbers at the leaves, same structure. */
export type CarryLike<T> = T extends Array | number | boolean
  ? Array | number | boolean
  : T extends null | undefined
    ? T
    : T extends readonly unknown[]
      ? { readonly [K in keyof T]: CarryLike<T[K]> }
      : T extends Record<string, unknown>
        ? { readonly [K in keyof T]: CarryLike<T[K]> }
        : T;
