// Compares a column's result with the plain-JS reference.
import type { Check, Output } from "./types.js";

export interface Comparison {
  readonly ok: boolean;
  /** Why it failed, or how close it was (max |diff|, or how many counts differ). */
  readonly detail: string;
}

export function compare(actual: Output, expected: Output, check: Check): Comparison {
  if (actual.length !== expected.length) return { ok: false, detail: `length ${actual.length} != expected ${expected.length}` };
  if (check.kind === "allclose") {
    const { rtol, atol } = check;
    let maxDiff = 0;
    for (let i = 0; i < expected.length; i++) {
      const a = actual[i]!, e = expected[i]!;
      const diff = Math.abs(a - e);
      // Written so NaN fails: NaN <= x is false.
      if (!(diff <= atol + rtol * Math.abs(e))) return { ok: false, detail: `element ${i}: ${a} != expected ${e} (rtol=${rtol}, atol=${atol})` };
      maxDiff = Math.max(maxDiff, diff);
    }
    return { ok: true, detail: `max |diff| ${maxDiff.toExponential(1)}` };
  }
  let differ = 0;
  let first = -1;
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) {
      differ++;
      if (first < 0) first = i;
    }
  }
  const allowed = Math.floor(check.maxMismatchFraction * expected.length);
  const detail = `${differ} of ${expected.length} counts differ` + (differ ? ` (first at ${first}: ${actual[first]} vs ${expected[first]})` : "");
  return differ > allowed ? { ok: false, detail: `${detail}, more than the ${allowed} allowed` } : { ok: true, detail };
}
