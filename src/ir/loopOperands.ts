// How a loop's operand list divides, written once. A while's operands are
// `cond consts ++ body consts ++ carries`; a scan's are `consts ++ carries ++
// xs`. The same division applies to anything laid out like the operands (the
// cond's and body's invars start with their consts the same way).

import type { Params } from "./primitives.js";

export interface WhileParts<T> {
  readonly condConsts: T[];
  readonly bodyConsts: T[];
  readonly carries: T[];
}

/** A while's operands (or anything in their order), split by `cond_nconsts` and `body_nconsts`. */
export function whileParts<T>(xs: readonly T[], p: Pick<Params["while"], "cond_nconsts" | "body_nconsts">): WhileParts<T> {
  const cn = p.cond_nconsts, bn = p.body_nconsts;
  return { condConsts: xs.slice(0, cn), bodyConsts: xs.slice(cn, cn + bn), carries: xs.slice(cn + bn) };
}

export interface ScanParts<T> {
  readonly consts: T[];
  readonly carries: T[];
  readonly xs: T[];
}

/** A scan's operands (or its body's invars), split by `num_consts` and `num_carry`. */
export function scanParts<T>(xs: readonly T[], p: Pick<Params["scan"], "num_consts" | "num_carry">): ScanParts<T> {
  const nc = p.num_consts, k = p.num_carry;
  return { consts: xs.slice(0, nc), carries: xs.slice(nc, nc + k), xs: xs.slice(nc + k) };
}

/** A jaxpr's invars split after its first `n` (the consts of a loop body or cond) from the rest. */
export function splitConsts<T>(xs: readonly T[], n: number): [consts: T[], rest: T[]] {
  return [xs.slice(0, n), xs.slice(n)];
}

export interface ReplayParts<T> {
  readonly steps: T;
  readonly tapes: T[];
  readonly consts: T[];
  readonly carries: T[];
}

/** A replay's operands `steps, tapes…, consts…, carries…`, split by `num_tapes` and `num_consts`. */
export function replayParts<T>(xs: readonly T[], p: Pick<Params["replay"], "num_tapes" | "num_consts">): ReplayParts<T> {
  const nt = p.num_tapes, nc = p.num_consts;
  return { steps: xs[0]!, tapes: xs.slice(1, 1 + nt), consts: xs.slice(1 + nt, 1 + nt + nc), carries: xs.slice(1 + nt + nc) };
}
