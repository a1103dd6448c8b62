// Builders for structural steps: reductions, dot_general (batch and
// contracting dims), shape ops, dynamic slicing. Values are kept small (tame).

import { sizeOf } from "../../../src/ir/dtype.js";
import { INT_ANY, indexBits, join, mulBits, sumBits } from "./bits.js";
import { exact } from "./elementwise.js";
import type { Choices } from "./recipe.js";
import { type Scope, type Val, dtypeOf, rankOf, shapeOf } from "./scope.js";

/** A permutation of 0..n-1 drawn from the choices (identity when shrunk). */
export function permutation(c: Choices, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = i - c.next(i + 1);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** A small random shape (rank 0-2, dims 1-3). */
export function smallShape(c: Choices, maxRank = 2): number[] {
  return Array.from({ length: c.next(maxRank + 1) }, () => 1 + c.next(3));
}

/** Programs stay small: a value with more than 4 axes or 48 elements is reduced over its first axis until it is not. */
export function tame(s: Scope, v: Val): Val {
  let x = v;
  while (rankOf(x) > 4 || sizeOf(shapeOf(x)) > 48) {
    x = dtypeOf(x) === "bool" ? s.emit1("reduce_max", { axes: [0] }, [x], x.bits) : s.emit1("reduce_sum", { axes: [0] }, [x], sumBits(x.bits, shapeOf(x)[0]!));
  }
  return x;
}

// ------------------------------------------------------------------ reductions

export function reduceStep(s: Scope, c: Choices): void {
  let x = s.pick(c.next(8))!;
  const rank = rankOf(x);
  const kind = c.next(4);
  const shape = shapeOf(x);
  if (kind === 3 && rank > 0 && exact(x)) {
    const axis = c.next(rank);
    if (shape[axis]! > 0) {
      s.emit1("argmax", { axes: [axis], index_dtype: "int32" }, [x], indexBits(shape[axis]!));
      return;
    }
  }
  const axes = shape.map((_, i) => i).filter(() => c.next(2) === 1);
  const n = sizeOf(axes.map((a) => shape[a]!));
  if (kind === 0 || kind === 3) {
    if (dtypeOf(x) === "bool") x = s.convert(x, "int32")!;
    s.emit1("reduce_sum", { axes }, [x], sumBits(x.bits, n));
  } else {
    // An empty max/min is the dtype's extreme (-inf, INT32_MIN, …): nothing is known about its magnitude.
    const bits = n === 0 && dtypeOf(x) === "int32" ? INT_ANY : x.bits;
    s.emit1(kind === 1 ? "reduce_max" : "reduce_min", { axes }, [x], bits);
  }
}

// ------------------------------------------------------------------ dot_general

export function dotStep(s: Scope, c: Choices): void {
  let x = tame(s, s.pick(c.next(8))!);
  if (dtypeOf(x) === "bool") x = s.convert(x, c.next(2) ? "int32" : "float32")!;
  const shape = shapeOf(x);
  const rank = shape.length;
  const order = permutation(c, rank);
  const nb = c.next(rank + 1);
  const nc = c.next(rank - nb + 1);
  const lb = order.slice(0, nb), lc = order.slice(nb, nb + nc);
  // The rhs: batch dims, contracting dims and 0-2 free dims, laid out in a random order.
  const free = Array.from({ length: c.next(3) }, () => 1 + c.next(3));
  const rhsDims = [...lb.map((a) => shape[a]!), ...lc.map((a) => shape[a]!), ...free];
  const layout = permutation(c, rhsDims.length); // layout[k] = rhs axis of logical dim k
  const rhsShape = new Array<number>(rhsDims.length);
  layout.forEach((axis, k) => (rhsShape[axis] = rhsDims[k]!));
  const rb = layout.slice(0, nb), rc = layout.slice(nb, nb + nc);
  const y = s.need({ dtype: dtypeOf(x), shape: rhsShape }, s.pick(c.next(8))!, c.oneIn(2));
  const k = sizeOf(lc.map((a) => shape[a]!));
  const bits = sumBits(mulBits(x.bits, y.bits), k);
  const [lhs, rhs] = c.oneIn(3) ? [y, x] : [x, y];
  const dims = lhs === x ? ([[lc, rc], [lb, rb]] as const) : ([[rc, lc], [rb, lb]] as const);
  s.emit1("dot_general", { dimension_numbers: dims }, [lhs, rhs], bits);
}

// ------------------------------------------------------------------ shape ops

export function shapeStep(s: Scope, c: Choices): void {
  const x = tame(s, s.pick(c.next(8))!);
  const shape = shapeOf(x);
  const rank = shape.length;
  switch (c.next(8)) {
    case 0:
      s.emit1("transpose", { permutation: permutation(c, rank) }, [x], x.bits);
      return;
    case 1: {
      const sizes = [...shape];
      const how = c.next(3);
      if (how === 0) sizes.splice(c.next(rank + 1), 0, 1); // insert a unit axis
      else if (how === 1 && rank >= 2) {
        const i = c.next(rank - 1); // merge two neighbours
        sizes.splice(i, 2, sizes[i]! * sizes[i + 1]!);
      } else sizes.splice(0, rank, sizeOf(shape)); // flatten
      s.emit1("reshape", { new_sizes: sizes }, [x], x.bits);
      return;
    }
    case 2: {
      const start = shape.map((d) => c.next(d + 1));
      const limit = shape.map((d, i) => start[i]! + c.next(d - start[i]! + 1));
      const strides = c.oneIn(2) ? shape.map(() => 1 + c.next(2)) : null;
      s.emit1("slice", { start_indices: start, limit_indices: limit, strides }, [x], x.bits);
      return;
    }
    case 3: {
      // New axes in front or between, unit axes stretched, maybe a new trailing axis.
      const target: number[] = [];
      const dims: number[] = [];
      for (const d of shape) {
        if (c.oneIn(3)) target.push(1 + c.next(3));
        dims.push(target.length);
        target.push(d === 1 && c.oneIn(2) ? 1 + c.next(3) : d);
      }
      if (target.length === rank || c.oneIn(3)) target.push(1 + c.next(3));
      s.emit1("broadcast_in_dim", { shape: target, broadcast_dimensions: dims }, [x], x.bits);
      return;
    }
    case 4: {
      const base = rank === 0 ? s.emit1("reshape", { new_sizes: [1] }, [x], x.bits) : x;
      const bshape = shapeOf(base);
      const dim = c.next(bshape.length);
      const parts = [base];
      for (let k = 0, n = 1 + c.next(2); k < n; k++) {
        const t = [...bshape];
        t[dim] = c.next(3);
        parts.push(s.need({ dtype: dtypeOf(base), shape: t }, s.pick(c.next(8))!, c.oneIn(3)));
      }
      const order = permutation(c, parts.length).map((i) => parts[i]!);
      s.emit1("concatenate", { dimension: dim }, order, order.map((p) => p.bits).reduce(join));
      return;
    }
    case 5: {
      const units = shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0 && c.next(3) > 0);
      if (units.length) s.emit1("squeeze", { dimensions: units }, [x], x.bits);
      else s.emit1("expand_dims", { dimensions: [c.next(rank + 1)] }, [x], x.bits);
      return;
    }
    case 6: {
      // n distinct positions among the rank + n axes of the result.
      const n = 1 + c.next(2);
      const free = Array.from({ length: rank + n }, (_, i) => i);
      const dims = Array.from({ length: n }, () => free.splice(c.next(free.length), 1)[0]!).sort((a, b) => a - b);
      s.emit1("expand_dims", { dimensions: dims }, [x], x.bits);
      return;
    }
    default: {
      const dtype = c.next(2) ? "int32" : "float32";
      const ishape = [1 + c.next(3), ...smallShape(c, 1)];
      const dimension = c.next(ishape.length);
      s.emit1("iota", { dtype, shape: ishape, dimension }, [], indexBits(ishape[dimension]!));
    }
  }
}

// ------------------------------------------------------------------ dynamic_slice, dynamic_update_slice

/** An i32[] start index: a literal (possibly out of range: starts are clamped) or a pool value. */
function startIndex(s: Scope, c: Choices): Val {
  const v = c.oneIn(3) ? undefined : s.pick(c.next(8), exact);
  if (v === undefined) return s.literal("int32", [0, 1, -1, 2, 5][c.next(5)]!);
  return s.coerce(v, { dtype: "int32", shape: [] });
}

export function dynamicStep(s: Scope, c: Choices): void {
  const x = s.pick(c.next(8))!;
  const shape = shapeOf(x);
  if (c.next(2) === 0) {
    const sizes = shape.map((d) => c.next(d + 1));
    const starts = shape.map(() => startIndex(s, c));
    s.emit1("dynamic_slice", { slice_sizes: sizes }, [x, ...starts], x.bits);
  } else {
    const ushape = shape.map((d) => c.next(d + 1));
    const u = s.need({ dtype: dtypeOf(x), shape: ushape }, s.pick(c.next(8))!, c.oneIn(3));
    const starts = shape.map(() => startIndex(s, c));
    s.emit1("dynamic_update_slice", {}, [x, u, ...starts], join(x.bits, u.bits));
  }
}
