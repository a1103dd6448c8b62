// Index arithmetic shared by the shape, indexing, reduction and dot kernels.
//
// Every data-movement primitive (broadcast, transpose, slice, concatenate,
// dynamic slices) is "walk an index space, read at one strided offset, write
// at another", so they all use `copyStrided`. Reductions and dot_general
// precompute `axisOffsets` tables once per call so their inner loops are plain
// integer additions over typed arrays.

import type { Shape, Storage } from "../dtype.js";

/**
 * Offsets `Σ_k i_k * strides[axes[k]]` of every index combination over `axes`,
 * in row-major order of `axes` as listed (the first listed axis varies slowest).
 * With no axes the table is `[0]` (one combination: the empty index).
 */
export function axisOffsets(shape: Shape, strides: readonly number[], axes: readonly number[]): Int32Array {
  let out = new Int32Array([0]);
  for (const a of axes) {
    const n = shape[a]!;
    const st = strides[a]!;
    const next = new Int32Array(out.length * n);
    let k = 0;
    for (let j = 0; j < out.length; j++) {
      const base = out[j]!;
      for (let i = 0; i < n; i++) next[k++] = base + i * st;
    }
    out = next;
  }
  return out;
}

/**
 * For every index `i` of `shape`:
 *   dst[dstBase + Σ i_k dstStrides[k]] = src[srcBase + Σ i_k srcStrides[k]].
 * A stride of 0 repeats an element (broadcasting). `src` and `dst` must hold
 * the same dtype (the typed-array assignment would silently convert otherwise).
 */
export function copyStrided(
  src: Storage,
  srcBase: number,
  srcStrides: readonly number[],
  dst: Storage,
  dstBase: number,
  dstStrides: readonly number[],
  shape: Shape,
): void {
  const rank = shape.length;
  if (rank === 0) {
    dst[dstBase] = src[srcBase]!;
    return;
  }
  for (const d of shape) if (d === 0) return;
  const last = rank - 1;
  const n = shape[last]!;
  const ss = srcStrides[last]!;
  const ds = dstStrides[last]!;
  const walk = (axis: number, s: number, d: number): void => {
    if (axis === last) {
      for (let i = 0; i < n; i++) dst[d + i * ds] = src[s + i * ss]!;
      return;
    }
    const m = shape[axis]!;
    const sa = srcStrides[axis]!;
    const da = dstStrides[axis]!;
    for (let i = 0; i < m; i++) walk(axis + 1, s + i * sa, d + i * da);
  };
  walk(0, srcBase, dstBase);
}

/** Clamp `i` into `[lo, hi]` (lax clamps dynamic indices instead of failing). */
export function clampIndex(i: number, lo: number, hi: number): number {
  return i < lo ? lo : i > hi ? hi : i;
}
