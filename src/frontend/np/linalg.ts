// matmul and dot with numpy semantics, lowered to dot_general.

import { Array, type ArrayLike } from "../array.js";
import * as lax from "../lax.js";
import { multiply } from "./elementwise.js";
import { checkArray, checkArrayLike, describe } from "./args.js";
import { broadcastArray, broadcastShapeList, cast, resultDtype } from "./promote.js";

function matmulDtype(name: string, a: Array, b: Array) {
  const dtype = resultDtype([a, b]);
  if (dtype === "bool") throw new TypeError(`${name}: bool operands are not supported (${describe(a)}, ${describe(b)}); cast with astype`);
  return dtype;
}

function checkContraction(name: string, a: Array, b: Array, ka: number, kb: number): void {
  if (a.shape[ka] !== b.shape[kb]) {
    throw new TypeError(`${name}: contracting dimensions differ: ${describe(a)} @ ${describe(b)} (axis ${ka} has size ${a.shape[ka]}, axis ${kb} has size ${b.shape[kb]})`);
  }
}

/**
 * numpy matmul: 1-D operands are vectors; for N-D operands the last two axes
 * are matrices and the leading axes are batch axes, broadcast against each other.
 */
export function matmul(x: Array, y: Array): Array {
  checkArray("matmul", x, "first operand");
  checkArray("matmul", y, "second operand");
  if (x.ndim === 0 || y.ndim === 0) throw new TypeError(`matmul: operands must be at least 1-D, got ${describe(x)} @ ${describe(y)} (use multiply for scalars)`);
  const dtype = matmulDtype("matmul", x, y);
  const a = cast(x, dtype), b = cast(y, dtype);
  // A vector on either side contracts its only axis; the other side's leading axes are free dims.
  if (a.ndim === 1) {
    const kb = b.ndim === 1 ? 0 : b.ndim - 2;
    checkContraction("matmul", a, b, 0, kb);
    return lax.dotGeneral(a, b, [[[0], [kb]], [[], []]]);
  }
  if (b.ndim === 1) {
    checkContraction("matmul", a, b, a.ndim - 1, 0);
    return lax.dotGeneral(a, b, [[[a.ndim - 1], [0]], [[], []]]);
  }
  checkContraction("matmul", a, b, a.ndim - 1, b.ndim - 2);
  if (a.ndim === 2 && b.ndim === 2) return lax.dotGeneral(a, b, [[[1], [0]], [[], []]]);
  // Batched: broadcast the batch axes, then contract with matching batch dims.
  const batchA = a.shape.slice(0, -2), batchB = b.shape.slice(0, -2);
  const batch = broadcastShapeList([batchA, batchB]);
  if (batch === null) throw new TypeError(`matmul: cannot broadcast the batch dimensions of ${describe(a)} @ ${describe(b)}`);
  const ab = broadcastArray(a, [...batch, ...a.shape.slice(-2)]);
  const bb = broadcastArray(b, [...batch, ...b.shape.slice(-2)]);
  const nb = batch.length;
  const batchDims = batch.map((_, i) => i);
  return lax.dotGeneral(ab, bb, [[[nb + 1], [nb]], [batchDims, batchDims]]);
}

/**
 * numpy dot: scalars multiply; otherwise the last axis of x contracts with the
 * second-to-last axis of y (the only axis for a vector), with no batching.
 */
export function dot(x: ArrayLike, y: ArrayLike): Array {
  checkArrayLike("dot", x);
  checkArrayLike("dot", y);
  if (!(x instanceof Array) || !(y instanceof Array) || x.ndim === 0 || y.ndim === 0) return multiply(x, y);
  const dtype = matmulDtype("dot", x, y);
  const a = cast(x, dtype), b = cast(y, dtype);
  const ka = a.ndim - 1, kb = b.ndim === 1 ? 0 : b.ndim - 2;
  checkContraction("dot", a, b, ka, kb);
  return lax.dotGeneral(a, b, [[[ka], [kb]], [[], []]]);
}
