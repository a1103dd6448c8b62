// foriLoop(lower, upper, body(i, carry), init), lowered the way JAX does it:
//
//   - both bounds JS numbers: a `scan` of length max(upper - lower, 0) with
//     carry (i, x) and no xs (static trip count);
//   - otherwise a `while` with carry (i, upper, x) and cond `i < upper`.

import { avalStr } from "../../ir/dtype.js";
import { Array } from "../array.js";
import { TypedScalar } from "../scalar.js";
import { unflatten } from "../pytree.js";
import type { CarryLike, Traced } from "../types.js";
import { carryOf, conformToCarry, describeLeaf } from "./common.js";
import { type ScanOptions, scan } from "./scan.js";
import { whileLoop } from "./while.js";

// The lowering builds carries whose static types the public signatures cannot
// express (an internal TypedScalar counter, the user's carry as `unknown`).
const untypedScan = scan as unknown as (f: (carry: never, x: never) => readonly [unknown, unknown], init: unknown, xs: unknown, options: ScanOptions) => unknown;
const untypedWhileLoop = whileLoop as unknown as (condFn: (carry: never) => Array, bodyFn: (carry: never) => unknown, init: unknown) => unknown;

export function foriLoop<const C>(
  lower: number | Array,
  upper: number | Array,
  body: (i: Array, carry: Traced<C>) => NoInfer<CarryLike<C>>,
  init: C,
): Traced<C> {
  const carry = carryOf("foriLoop init", init, "carry");
  // The user's body, checked against the user's carry (so errors name its paths, not the lowering's).
  const step = (i: Array, x: unknown): unknown =>
    unflatten(carry.def, conformToCarry("foriLoop body output", body(i, x as Traced<C>), carry, "carry"));

  if (typeof lower === "number" && typeof upper === "number") {
    // Both bounds are checked as the dynamic path checks them: integers that fit the int32 index.
    const lo = bound("lower", lower);
    bound("upper", upper);
    const [[, x]] = untypedScan(
      ([i, x]: [Array, unknown]) => [[i.add(1), step(i, x)], null],
      [lo, init],
      null,
      { length: Math.max(upper - lower, 0) },
    ) as [[Array, unknown], null];
    return x as Traced<C>;
  }
  const lo = bound("lower", lower), hi = bound("upper", upper);
  const [, , x] = untypedWhileLoop(
    ([i, u]: [Array, Array, unknown]) => i.lt(u),
    ([i, u, x]: [Array, Array, unknown]) => [i.add(1), u, step(i, x)],
    [lo, hi, init],
  ) as [Array, Array, unknown];
  return x as Traced<C>;
}

/** A dynamic bound: an int32 scalar array, or a JS integer (then an int32 literal). */
function bound(name: string, v: unknown): Array | TypedScalar {
  if (typeof v === "number") {
    if (!Number.isInteger(v)) throw new TypeError(`foriLoop: ${name} must be an integer, got ${v}`);
    return new TypedScalar(v, "int32", { op: "foriLoop", what: name, hint: "the loop index is int32" });
  }
  if (v instanceof Array && v.ndim === 0 && v.dtype === "int32") return v;
  throw new TypeError(`foriLoop: ${name} must be an int32 scalar or a JS integer, got ${v instanceof Array ? avalStr(v.aval) : describeLeaf(v)}`);
}
