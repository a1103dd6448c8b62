// Input values for generated programs, lanes of batched values, and printing.
// Written from scratch on purpose: the oracle must not share code with the
// backends or passes it checks.

import type { ArrayValue } from "../../../src/ir/core.js";
import { type Aval, allocStorage, avalStr, sizeOf, stridesOf } from "../../../src/ir/dtype.js";
import { toNested } from "../../../src/ir/value.js";
import { mulberry32 as rng } from "../../helpers/random.js";

export { rng };

const SPECIAL_FLOATS = [NaN, Infinity, -Infinity, -0];

/**
 * Values matching gen/bits.ts's input bounds: floats are multiples of 1/4 in
 * [-4, 4] (about 3% NaN/±inf/-0 unless `specials` is false), ints in
 * [-6, 6], bools.
 */
export function randomValue(aval: Aval, next: () => number, specials = true): ArrayValue {
  const n = sizeOf(aval.shape);
  const data = allocStorage(aval.dtype, n);
  for (let i = 0; i < n; i++) {
    const u = next();
    if (aval.dtype === "float32") data[i] = specials && u < 0.03 ? SPECIAL_FLOATS[Math.floor(next() * 4)]! : Math.floor(next() * 33 - 16) / 4;
    else if (aval.dtype === "int32") data[i] = Math.floor(u * 13) - 6;
    else data[i] = u < 0.5 ? 1 : 0;
  }
  return { dtype: aval.dtype, shape: [...aval.shape], data };
}

export function randomInputs(avals: readonly Aval[], seed: number, specials = true): ArrayValue[] {
  const next = rng(seed);
  return avals.map((a) => randomValue(a, next, specials));
}

/** Lane `lane` of `x` along `axis` (numpy's `take(x, lane, axis)`), by plain index arithmetic. */
export function takeLane(x: ArrayValue, axis: number, lane: number): ArrayValue {
  const shape = x.shape.filter((_, i) => i !== axis);
  const xs = stridesOf(x.shape);
  const n = sizeOf(shape);
  const data = allocStorage(x.dtype, n);
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    let off = lane * xs[axis]!;
    idx.forEach((v, i) => (off += v * xs[i < axis ? i : i + 1]!));
    data[k] = x.data[off]!;
    for (let i = shape.length - 1; i >= 0; i--) {
      if (++idx[i]! < shape[i]!) break;
      idx[i] = 0;
    }
  }
  return { dtype: x.dtype, shape, data };
}

/** `f32[2,2] [[1, 2], [3, nan]]` (long data cut short). */
export function showValue(x: ArrayValue): string {
  const text = JSON.stringify(toNested(x), (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : Object.is(v, -0) ? "-0" : v));
  return `${avalStr(x)} ${text.length > 400 ? `${text.slice(0, 400)}…` : text}`;
}
