// What the generator knows about the numbers in a value, so that floats reach
// *discrete* operations (comparisons, float→int/bool, floor/ceil/round/sign,
// argmax) only when every backend must compute them bit-for-bit.
//
// Backends may legitimately differ on floats: a transcendental a few ulp off,
// a reduction summed in another order, an elementwise chain fused in double
// precision. Compared with a tolerance that is harmless, but behind a
// comparison or a floor it turns into a different integer, and the fuzzer would
// report a "mismatch" that is no bug. A float value is therefore *exact* when no
// operation that produced it ever rounded: then every evaluation order gives
// the same bits. We track a bound: the value is a multiple of 2^lo and its
// magnitude is below 2^hi, so it is exact in float32 while hi - lo <= 24.
//
// Ints are always deterministic (int32 wraps), but converting one to float is
// exact only below 2^24, so ints carry a magnitude bound too (lo = 0, hi <= 32,
// where 32 means "any int32"). Bools are {hi: 1, lo: 0}.

import type { DType } from "../../../src/ir/dtype.js";

export interface Bits {
  /** Every element has |x| < 2^hi (NaN and infinities aside: IEEE rules make them deterministic). */
  readonly hi: number;
  /** Every finite element is a multiple of 2^lo. */
  readonly lo: number;
}

/** `null`: a float that may have been rounded (never fed to a discrete op). */
export type Exactness = Bits | null;

export const INT_ANY: Bits = { hi: 32, lo: 0 };
export const BOOL_BITS: Bits = { hi: 1, lo: 0 };

/** Float inputs are multiples of 1/4 in [-4, 4] (plus rare NaN/±inf/-0). */
export const FLOAT_INPUT_BITS: Bits = { hi: 3, lo: -2 };
/** Int inputs are in [-6, 6]. */
export const INT_INPUT_BITS: Bits = { hi: 3, lo: 0 };

const log2ceil = (n: number): number => (n <= 1 ? 0 : Math.ceil(Math.log2(n)));

/** Normalizes a bound for `dtype`: floats that may have rounded become null, ints saturate at "any". */
export function fit(dtype: DType, b: Exactness): Exactness {
  if (dtype === "bool") return BOOL_BITS;
  if (dtype === "int32") return b === null ? INT_ANY : { hi: Math.min(32, Math.max(0, b.hi)), lo: 0 };
  if (b === null) return null;
  if (b.hi - b.lo > 24 || b.hi > 100 || b.lo < -100) return null;
  return b;
}

/** The bound of a literal or input value. */
export function bitsOfNumber(dtype: DType, v: number): Exactness {
  if (dtype === "bool") return BOOL_BITS;
  if (!Number.isFinite(v) || v === 0) return dtype === "int32" ? { hi: 0, lo: 0 } : { hi: 0, lo: 0 };
  const hi = Math.floor(Math.log2(Math.abs(v))) + 1;
  if (dtype === "int32") return fit(dtype, { hi, lo: 0 });
  let lo = 0;
  let m = Math.abs(v);
  while (!Number.isInteger(m) && lo > -160) {
    m *= 2;
    lo--;
  }
  while (Number.isInteger(m / 2) && m !== 0 && lo < hi) {
    m /= 2;
    lo++;
  }
  return fit(dtype, { hi, lo });
}

/** Either side's values (select, max/min, concatenate, cond outputs): the looser bound. */
export function join(a: Exactness, b: Exactness): Exactness {
  if (a === null || b === null) return null;
  return { hi: Math.max(a.hi, b.hi), lo: Math.min(a.lo, b.lo) };
}

export function addBits(a: Exactness, b: Exactness): Exactness {
  if (a === null || b === null) return null;
  return { hi: Math.max(a.hi, b.hi) + 1, lo: Math.min(a.lo, b.lo) };
}

export function mulBits(a: Exactness, b: Exactness): Exactness {
  if (a === null || b === null) return null;
  return { hi: a.hi + b.hi, lo: a.lo + b.lo };
}

/** A sum of `n` terms each bounded by `a`. */
export function sumBits(a: Exactness, n: number): Exactness {
  if (a === null) return null;
  return { hi: a.hi + log2ceil(n), lo: a.lo };
}

/** floor/ceil/round of an exact value: an integer at most one unit larger in magnitude. */
export function roundedBits(a: Exactness): Exactness {
  if (a === null) return null;
  return { hi: Math.max(a.hi, 0) + 1, lo: Math.max(a.lo, 0) };
}

/** Indices below `n` (argmax, iota). */
export function indexBits(n: number): Bits {
  return { hi: log2ceil(Math.max(n, 1)) + 1, lo: 0 };
}

/** Float values that every backend computes to the same bits. */
export function isExactFloat(dtype: DType, b: Exactness): boolean {
  return dtype !== "float32" || b !== null;
}

/** Converting to float32 keeps the value exact (ints below 2^24, bools, exact floats). */
export function bitsAsFloat(from: DType, b: Exactness): Exactness {
  if (from === "bool") return BOOL_BITS;
  return fit("float32", b);
}
