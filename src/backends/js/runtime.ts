// Helpers the generated code calls (passed in as `rt`): the interpreter's
// scalar semantics that are not one JS operator, and lane sets for batched
// while/cond (the active-lane masks of src/backends/interpreter/mask.ts, kept
// both as a mask and as a list of active lane indices).

import { intDiv, intPow, intRem, powC } from "../../ir/prims/binary.js";
import { floatToInt32 } from "../../ir/prims/select_convert.js";
import { roundHalfAwayFromZero, roundHalfToEven } from "../../ir/prims/unary.js";
import { erf } from "../../ir/prims/erf.js";
import type { Shape } from "../../ir/dtype.js";
import { isShapePrefix, shapesEqual, sizeOf } from "../../ir/dtype.js";
import { TapeArena } from "../tape_arena.js";
import { RuntimeCheckError } from "../../ir/prims/check.js";

/** A failed `check` (ir/prims/check.ts). */
function checkFailed(message: string): never {
  throw new RuntimeCheckError(message);
}

export interface LaneSet {
  readonly shape: Shape;
  readonly n: number;
  /** 1 for active lanes. */
  readonly mask: Uint8Array;
  /** Active lane indices (row-major over `shape`), `count` of them. */
  readonly list: Int32Array;
  count: number;
}

function laneSet(shape: Shape): LaneSet {
  const n = sizeOf(shape);
  return { shape: [...shape], n, mask: new Uint8Array(n), list: new Int32Array(n), count: 0 };
}

function rebuildList(s: LaneSet): number {
  let c = 0;
  const { mask, list } = s;
  for (let l = 0; l < s.n; l++) if (mask[l]) list[c++] = l;
  s.count = c;
  return c;
}

/** `from`'s mask as seen by lanes of `to`'s shape (mask.ts maskForLanes), written into to.mask. */
function maskFrom(to: LaneSet, from: LaneSet | null): void {
  const m = to.mask;
  if (from === null || !(isShapePrefix(from.shape, to.shape) || isShapePrefix(to.shape, from.shape))) {
    m.fill(1);
    return;
  }
  if (shapesEqual(from.shape, to.shape)) {
    m.set(from.mask);
    return;
  }
  if (isShapePrefix(from.shape, to.shape)) {
    const block = from.n === 0 ? 0 : to.n / from.n;
    for (let i = 0; i < to.n; i++) m[i] = from.mask[Math.floor(i / block)]!;
    return;
  }
  const block = to.n === 0 ? 0 : from.n / to.n;
  for (let l = 0; l < to.n; l++) {
    let any = 0;
    for (let k = l * block; k < (l + 1) * block && !any; k++) any = from.mask[k]!;
    m[l] = any;
  }
}

/** Start of a batched loop: the enclosing active lanes (all lanes at top level). */
function lanesInit(s: LaneSet, from: LaneSet | null): number {
  maskFrom(s, from);
  return rebuildList(s);
}

/** Drops active lanes whose predicate (bool[shape] at `off`) is false; returns how many remain. */
function lanesAnd(s: LaneSet, pred: Uint8Array, off: number): number {
  const { mask, list } = s;
  let c = 0;
  for (let q = 0; q < s.count; q++) {
    const l = list[q]!;
    if (pred[off + l]) list[c++] = l;
    else mask[l] = 0;
  }
  s.count = c;
  return c;
}

/** Lanes whose clamped index equals `k`, within the enclosing mask. */
function lanesIndex(s: LaneSet, index: Int32Array, off: number, k: number, last: number, from: LaneSet | null): number {
  maskFrom(s, from);
  const m = s.mask;
  for (let l = 0; l < s.n; l++) {
    const v = index[off + l]!;
    const c = v < 0 ? 0 : v > last ? last : v;
    if (c !== k) m[l] = 0;
  }
  return rebuildList(s);
}

/** `active` (a prefix shape) and `outer` on outer's longer shape (mask.ts andMasks). */
function lanesCombine(s: LaneSet, active: LaneSet, outer: LaneSet): number {
  const block = active.n === 0 ? 0 : outer.n / active.n;
  for (let i = 0; i < s.n; i++) s.mask[i] = outer.mask[i]! & active.mask[Math.floor(i / block)]!;
  return rebuildList(s);
}

/**
 * Scalar functions the generated code calls by these names (js/scalar.ts):
 * each primitive's reference semantics where it is not one JS operator or
 * Math function. The generated prologue binds every one of them.
 */
export const SCALAR_HELPERS = {
  idiv: intDiv,
  irem: intRem,
  powC,
  ipow: intPow,
  f2i: floatToInt32,
  roundAway: roundHalfAwayFromZero,
  roundEven: roundHalfToEven,
  erf,
};

/** The tapes of one run (a program with tape statements makes one when `run` starts). */
function tapeArena(): TapeArena {
  return new TapeArena();
}

export const runtime = {
  ...SCALAR_HELPERS,
  tapeArena,
  checkFailed,
  laneSet,
  lanesInit,
  lanesAnd,
  lanesIndex,
  lanesCombine,
};

export type Runtime = typeof runtime;
