// Affine index maps: `offset + Σ i_k·strides_k` over an index space. A view of
// a buffer is an affine map plus the buffer; iota is an affine map with no
// buffer. Every data-movement primitive that can be expressed this way
// (broadcast_in_dim, transpose, reshape of suitably strided data, squeeze,
// expand_dims, static slice, a scan row) composes into the consumer's loads
// instead of copying: these functions compute the composed map.

import type { Shape } from "../../ir/dtype.js";
import { stridesOf } from "../../ir/dtype.js";
import type { Offset, SymId } from "./kernel_ir.js";

export interface Affine {
  readonly offset: Offset;
  readonly strides: readonly number[];
}

export const ZERO_OFFSET: Offset = { c: 0, terms: [] };

export function contiguous(shape: Shape): Affine {
  return { offset: ZERO_OFFSET, strides: stridesOf(shape) };
}

export function addOffset(o: Offset, c: number, sym?: SymId, coef = 1): Offset {
  const terms = sym === undefined || coef === 0 ? o.terms : [...o.terms, { sym, coef }];
  return { c: o.c + c, terms };
}

export function offsetsEqual(a: Offset, b: Offset): boolean {
  if (a.c !== b.c || a.terms.length !== b.terms.length) return false;
  return a.terms.every((t, i) => t.sym === b.terms[i]!.sym && t.coef === b.terms[i]!.coef);
}

export function affinesEqual(a: Affine, b: Affine): boolean {
  return offsetsEqual(a.offset, b.offset) && a.strides.length === b.strides.length && a.strides.every((s, i) => s === b.strides[i]);
}

/** True when the map is the plain row-major layout of `shape` at offset 0 (size-1 axes may have any stride). */
export function isContiguous(a: Affine, shape: Shape): boolean {
  if (a.offset.c !== 0 || a.offset.terms.length) return false;
  const want = stridesOf(shape);
  return shape.every((d, i) => d === 1 || a.strides[i] === want[i]);
}

/** Output axis d reads operand axis i where bd[i] = d (stride 0 where the operand axis has size 1 or no axis maps). */
export function broadcastInDim(a: Affine, inShape: Shape, outRank: number, bd: readonly number[]): Affine {
  const strides = new Array<number>(outRank).fill(0);
  bd.forEach((d, i) => {
    if (inShape[i] !== 1) strides[d] = a.strides[i]!;
  });
  return { offset: a.offset, strides };
}

export function transpose(a: Affine, permutation: readonly number[]): Affine {
  return { offset: a.offset, strides: permutation.map((p) => a.strides[p]!) };
}

export function squeeze(a: Affine, dimensions: readonly number[]): Affine {
  return { offset: a.offset, strides: a.strides.filter((_, i) => !dimensions.includes(i)) };
}

export function expandDims(a: Affine, outRank: number, dimensions: readonly number[]): Affine {
  const strides: number[] = [];
  let k = 0;
  for (let i = 0; i < outRank; i++) strides.push(dimensions.includes(i) ? 0 : a.strides[k++]!);
  return { offset: a.offset, strides };
}

export function slice(a: Affine, start: readonly number[], step: readonly number[] | null): Affine {
  let c = 0;
  start.forEach((s, i) => (c += s * a.strides[i]!));
  return { offset: addOffset(a.offset, c), strides: a.strides.map((s, i) => s * (step ? step[i]! : 1)) };
}

/** Row `sym` along axis 0 (a scan's x slice): offset += sym·stride0, axis 0 dropped. */
export function rowAt(a: Affine, sym: SymId): Affine {
  return { offset: addOffset(a.offset, 0, sym, a.strides[0]!), strides: a.strides.slice(1) };
}

/** Adds `c + coef·sym` to the offset (dynamic_slice starts). */
export function shift(a: Affine, c: number, terms: readonly { sym: SymId; coef: number }[]): Affine {
  let o = addOffset(a.offset, c);
  for (const t of terms) o = addOffset(o, 0, t.sym, t.coef);
  return { offset: o, strides: a.strides };
}

/**
 * The map for `reshape(inShape → outShape)` of data laid out by `a`, or null
 * when the layout cannot express it without a copy (numpy's no-copy reshape
 * rule: every group of input axes that merges or splits must be chained, i.e.
 * stride[i] = stride[i+1]·size[i+1]).
 */
export function reshape(a: Affine, inShape: Shape, outShape: Shape): Affine | null {
  if (inShape.some((d) => d === 0) || outShape.some((d) => d === 0)) return { offset: a.offset, strides: outShape.map(() => 0) };
  const oldDims: number[] = [];
  const oldStrides: number[] = [];
  inShape.forEach((d, i) => {
    if (d !== 1) {
      oldDims.push(d);
      oldStrides.push(a.strides[i]!);
    }
  });
  const out = new Array<number>(outShape.length).fill(0);
  let oi = 0;
  let ni = 0;
  const nOld = oldDims.length;
  const nNew = outShape.length;
  while (ni < nNew && oi < nOld) {
    // Skip size-1 output axes (any stride works).
    if (outShape[ni] === 1) {
      out[ni] = 0;
      ni++;
      continue;
    }
    let np = outShape[ni]!;
    let op = oldDims[oi]!;
    const nj0 = ni;
    const oj0 = oi;
    let nj = ni + 1;
    let oj = oi + 1;
    while (np !== op) {
      if (np < op) np *= outShape[nj++]!;
      else op *= oldDims[oj++]!;
    }
    for (let k = oj0; k < oj - 1; k++) {
      if (oldStrides[k] !== oldStrides[k + 1]! * oldDims[k + 1]!) return null;
    }
    // Strides of the new group, from its last axis outward.
    out[nj - 1] = oldStrides[oj - 1]!;
    for (let k = nj - 1; k > nj0; k--) out[k - 1] = out[k]! * outShape[k]!;
    ni = nj;
    oi = oj;
  }
  for (; ni < nNew; ni++) out[ni] = 0; // trailing size-1 axes
  return { offset: a.offset, strides: out };
}

/** Whether axes i and i+1 can become one axis of size n_i·n_{i+1} with stride strides[i+1]. */
export function chained(strides: readonly number[], shape: Shape, i: number): boolean {
  return strides[i] === strides[i + 1]! * shape[i + 1]!;
}

/** The map moved to a window start (one static or symbolic start per axis). */
export function atWindow(a: Affine, starts: readonly { readonly c: number; readonly sym: SymId | null }[]): Affine {
  let c = 0;
  const terms: { sym: SymId; coef: number }[] = [];
  starts.forEach((s, i) => {
    c += s.c * a.strides[i]!;
    if (s.sym !== null) terms.push({ sym: s.sym, coef: a.strides[i]! });
  });
  return shift(a, c, terms);
}
