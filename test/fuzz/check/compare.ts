// Output comparison for the differential check: exact for int32 and bool,
// allclose for float32 (NaN equals NaN, infinities must match exactly).
//
// The float tolerance absorbs what backends may legitimately do differently
// (a transcendental a few ulp off, another summation order, fused chains in
// double precision), amplified by a few more operations; gen/bits.ts makes
// sure no such difference can reach a discrete op and flip an integer.

import type { ArrayValue } from "../../../src/ir/core.js";
import { avalStr } from "../../../src/ir/dtype.js";

export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

export const FLOAT_TOLERANCE: Tolerance = { rtol: 1e-4, atol: 1e-5 };

function same(x: number, y: number, exact: boolean, tol: Tolerance): boolean {
  if (x === y || (Number.isNaN(x) && Number.isNaN(y))) return true;
  if (exact || !Number.isFinite(x) || !Number.isFinite(y)) return false;
  return Math.abs(x - y) <= tol.atol + tol.rtol * Math.abs(y);
}

/** Why `got` differs from `want`, or null. */
export function valueMismatch(got: ArrayValue, want: ArrayValue, tol: Tolerance = FLOAT_TOLERANCE): string | null {
  if (got.dtype !== want.dtype || got.shape.length !== want.shape.length || got.shape.some((d, i) => d !== want.shape[i])) {
    return `type ${avalStr(got)}, expected ${avalStr(want)}`;
  }
  if (got.data.length !== want.data.length) return `${got.data.length} elements stored, expected ${want.data.length}`;
  const exact = want.dtype !== "float32";
  for (let i = 0; i < want.data.length; i++) {
    const x = got.data[i]!, y = want.data[i]!;
    if (!same(x, y, exact, tol)) return `element ${i} (flat) is ${x}, expected ${y}`;
  }
  return null;
}

/** Why the output lists differ (naming the output), or null. */
export function outputsMismatch(got: readonly ArrayValue[], want: readonly ArrayValue[], tol: Tolerance = FLOAT_TOLERANCE): string | null {
  if (got.length !== want.length) return `${got.length} outputs, expected ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const m = valueMismatch(got[i]!, want[i]!, tol);
    if (m !== null) return `output ${i}: ${m}`;
  }
  return null;
}
