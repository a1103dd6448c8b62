// Array helpers for the batching oracle, written from scratch on purpose (they
// must not share code with the batching pass they check): a seeded random
// source, random values per aval, taking one lane out of a batched array, and
// stacking lanes into one. Every index computation is the plain "flat index ->
// multi-index -> flat index" walk, slow but obviously correct.

import type { ArrayValue } from "../../../src/ir/core.js";
import { type Aval, type DType, allocStorage, castScalar, sizeOf } from "../../../src/ir/dtype.js";
import { mulberry32 } from "../../helpers/random.js";

/** A deterministic random source (mulberry32), so a fast-check seed fixes every value. */
export class Rng {
  /** Uniform in [0, 1). */
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}

/** Fills an array of `aval` with `draw()` per element (cast to the dtype). */
export function fillValue(aval: Aval, draw: () => number): ArrayValue {
  const n = sizeOf(aval.shape);
  const data = allocStorage(aval.dtype, n);
  for (let i = 0; i < n; i++) data[i] = castScalar(aval.dtype, draw());
  return { dtype: aval.dtype, shape: [...aval.shape], data };
}

/** A value generator for one input: called once per lane (or once for an unbatched input). */
export type ValueGen = (aval: Aval, rng: Rng) => ArrayValue;

/**
 * Default values: floats on a quarter grid in [-3, 3] (ties for max/argmax/eq
 * happen, products stay exact), ints in [-4, 6] (so dynamic start indices and
 * select/cond indices are sometimes out of range and get clamped), bools 0/1.
 */
export const defaultGen: ValueGen = (aval, rng) => {
  const draws: { readonly [D in DType]: () => number } = {
    float32: () => rng.int(-12, 12) / 4,
    int32: () => rng.int(-4, 6),
    bool: () => rng.int(0, 1),
  };
  return fillValue(aval, draws[aval.dtype]);
};

/** Integers uniformly in [lo, hi] (for trip counts, branch indices). */
export const intsIn = (lo: number, hi: number): ValueGen => (aval, rng) => fillValue(aval, () => rng.int(lo, hi));

/** Row-major multi-index of flat position `flat` in `shape`. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = flat % shape[k]!;
    flat = Math.floor(flat / shape[k]!);
  }
  return idx;
}

/** Flat position of multi-index `idx` in `shape` (row-major). */
function ravel(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let k = 0; k < shape.length; k++) flat = flat * shape[k]! + idx[k]!;
  return flat;
}

/** `x[..., lane, ...]` with `lane` indexing axis `axis`: the axis disappears. */
export function takeLane(x: ArrayValue, axis: number, lane: number): ArrayValue {
  if (axis < 0 || axis >= x.shape.length) throw new RangeError(`takeLane: axis ${axis} out of range for shape [${x.shape}]`);
  if (lane < 0 || lane >= x.shape[axis]!) throw new RangeError(`takeLane: lane ${lane} out of range for axis ${axis} of [${x.shape}]`);
  const shape = x.shape.filter((_, k) => k !== axis);
  const n = sizeOf(shape);
  const data = allocStorage(x.dtype, n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, shape);
    idx.splice(axis, 0, lane);
    data[i] = x.data[ravel(idx, x.shape)]!;
  }
  return { dtype: x.dtype, shape, data };
}

/** Stacks equally typed arrays along a new axis `axis` (np.stack(lanes, axis)). */
export function stackLanes(lanes: readonly ArrayValue[], axis: number): ArrayValue {
  const first = lanes[0];
  if (first === undefined) throw new RangeError("stackLanes: no lanes");
  for (const l of lanes) {
    if (l.dtype !== first.dtype || l.shape.join(",") !== first.shape.join(",")) throw new TypeError("stackLanes: lanes differ in type");
  }
  if (axis < 0 || axis > first.shape.length) throw new RangeError(`stackLanes: axis ${axis} out of range for lane shape [${first.shape}]`);
  const shape = [...first.shape];
  shape.splice(axis, 0, lanes.length);
  const n = sizeOf(shape);
  const data = allocStorage(first.dtype, n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, shape);
    const [lane] = idx.splice(axis, 1);
    data[i] = lanes[lane!]!.data[ravel(idx, first.shape)]!;
  }
  return { dtype: first.dtype, shape, data };
}

/** Why `actual` differs from `expected` (exact for int/bool, rtol 1e-5 for float), or null. */
export function valueMismatch(actual: ArrayValue, expected: ArrayValue): string | null {
  if (actual.dtype !== expected.dtype) return `dtype ${actual.dtype} != expected ${expected.dtype}`;
  if (actual.shape.join(",") !== expected.shape.join(",")) return `shape [${actual.shape}] != expected [${expected.shape}]`;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i]!, e = expected.data[i]!;
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    const close = expected.dtype === "float32" && Math.abs(a - e) <= 1e-6 + 1e-5 * Math.abs(e);
    if (!close) return `element ${i}: ${a} != expected ${e}\n  actual:   [${Array.from(actual.data)}]\n  expected: [${Array.from(expected.data)}]`;
  }
  return null;
}
