// Active-lane masks (tsjax semantics beyond JAX).
//
// A mask is a bool array of some shape M meaning "only these lanes matter".
// A batched `while` evaluates its body under the mask "lanes whose predicate
// is true", and a batched `cond` evaluates branch k under "lanes whose index
// is k". A batched `while` nested inside treats lanes outside the mask as
// finished, so a loop only iterates for the lanes that need it: this is what
// makes JAX issue #2947's pattern (a loop in one branch that only terminates
// on that branch's lanes) terminate.
//
// Lanes are matched by shape prefix, since batching puts batch axes first:
// - M a prefix of the predicate/index shape P: the mask covers the leading
//   axes of P and is broadcast over the trailing ones;
// - P a proper prefix of M: a lane of P matters if any of its sub-lanes does;
// - a scalar P ignores the mask (a scalar loop is shared by every lane);
// - shapes that are not prefix-related describe unrelated lanes, and the
//   mask is ignored too (conservative: never masks a lane that matters).

import type { ArrayValue } from "../../ir/core.js";
import { type Shape, isShapePrefix, shapesEqual, sizeOf } from "../../ir/dtype.js";

/** The mask as seen by lanes of `shape` (one 0/1 byte per lane), or null for "all lanes". */
export function maskForLanes(mask: ArrayValue | null, shape: Shape): Uint8Array | null {
  if (mask === null || shape.length === 0) return null;
  const m = mask.data as Uint8Array;
  if (shapesEqual(mask.shape, shape)) return m;
  const n = sizeOf(shape);
  const out = new Uint8Array(n);
  if (n === 0) return out;
  if (isShapePrefix(mask.shape, shape)) {
    const block = n / m.length;
    for (let i = 0; i < n; i++) out[i] = m[Math.floor(i / block)]!;
    return out;
  }
  if (isShapePrefix(shape, mask.shape)) {
    const block = m.length / n;
    for (let l = 0; l < n; l++) {
      for (let k = l * block; k < (l + 1) * block; k++) {
        if (m[k]) {
          out[l] = 1;
          break;
        }
      }
    }
    return out;
  }
  return null;
}

/**
 * `lanes` (a bool array) restricted to an enclosing mask, on the longer of the
 * two shapes so no information is lost when masks nest. Unrelated shapes keep
 * `lanes` alone (see the file comment).
 */
export function andMasks(lanes: ArrayValue, outer: ArrayValue | null): ArrayValue {
  if (outer === null) return lanes;
  const [longer, shorter] = lanes.shape.length >= outer.shape.length ? [lanes, outer] : [outer, lanes];
  if (!isShapePrefix(shorter.shape, longer.shape)) return lanes;
  const a = longer.data as Uint8Array;
  const b = maskForLanes(shorter, longer.shape)!;
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! & b[i]!;
  return { dtype: "bool", shape: longer.shape, data: out };
}

/** `pred AND mask` lane by lane (mask null = all lanes). */
export function andLanes(pred: Uint8Array, mask: Uint8Array | null): Uint8Array {
  if (mask === null) return pred;
  const out = new Uint8Array(pred.length);
  for (let i = 0; i < pred.length; i++) out[i] = pred[i]! & mask[i]!;
  return out;
}

export function anyLane(lanes: Uint8Array): boolean {
  for (let i = 0; i < lanes.length; i++) if (lanes[i]) return true;
  return false;
}

/**
 * Copies the lanes selected by `lanes` from `src` into `dst`; both hold
 * `lanes.length` equal blocks (the trailing dims past the lane shape).
 */
export function copyLanes(lanes: Uint8Array, src: ArrayValue, dst: ArrayValue["data"]): void {
  const n = lanes.length;
  if (n === 0) return;
  const block = dst.length / n;
  const s = src.data;
  for (let l = 0; l < n; l++) {
    if (!lanes[l]) continue;
    const end = (l + 1) * block;
    for (let k = l * block; k < end; k++) dst[k] = s[k]!;
  }
}

/** Per lane: `onTrue`'s block where `lanes` is set, else `onFalse`'s (a batched select). */
export function selectLanes(lanes: Uint8Array, onTrue: ArrayValue, onFalse: ArrayValue): ArrayValue {
  const data = onFalse.data.slice();
  copyLanes(lanes, onTrue, data);
  return { dtype: onFalse.dtype, shape: onFalse.shape, data };
}
