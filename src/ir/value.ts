// Dense array values (row-major typed-array storage): consts of a ClosedJaxpr,
// and what the interpreter computes with.

import type { ArrayValue } from "./core.js";
import { type DType, type Shape, type Storage, allocStorage, castScalar, sizeOf } from "./dtype.js";

export function arrayValue(dtype: DType, shape: Shape, data?: Storage): ArrayValue {
  const size = sizeOf(shape);
  const d = data ?? allocStorage(dtype, size);
  if (d.length !== size) {
    throw new RangeError(`arrayValue: ${dtype}[${shape.join(",")}] needs ${size} elements, got ${d.length}`);
  }
  return { dtype, shape: [...shape], data: d };
}

export function scalarValue(dtype: DType, v: number | boolean): ArrayValue {
  const data = allocStorage(dtype, 1);
  data[0] = castScalar(dtype, v);
  return { dtype, shape: [], data };
}

/** Nested JS arrays (numbers; booleans for bool) in row-major order. */
export type Nested = number | boolean | Nested[];

export function toNested(v: ArrayValue): Nested {
  const conv = (x: number): number | boolean => (v.dtype === "bool" ? x !== 0 : x);
  if (v.shape.length === 0) return conv(v.data[0]!);
  let pos = 0;
  const build = (axis: number): Nested[] => {
    const n = v.shape[axis]!;
    const out: Nested[] = [];
    for (let i = 0; i < n; i++) {
      out.push(axis === v.shape.length - 1 ? conv(v.data[pos++]!) : build(axis + 1));
    }
    return out;
  };
  return build(0);
}

/** Shape of a (rectangular) nested array; throws on ragged input. */
export function nestedShape(x: Nested, where = "array"): number[] {
  if (!Array.isArray(x)) return [];
  if (x.length === 0) return [0];
  const inner = nestedShape(x[0]!, where);
  for (let i = 1; i < x.length; i++) {
    const s = nestedShape(x[i]!, where);
    if (s.length !== inner.length || s.some((d, k) => d !== inner[k])) {
      throw new TypeError(`${where}: ragged nested array (element 0 has shape [${inner.join(",")}], element ${i} has shape [${s.join(",")}])`);
    }
  }
  return [x.length, ...inner];
}

export function fromNested(x: Nested, dtype: DType): ArrayValue {
  const shape = nestedShape(x);
  const data = allocStorage(dtype, sizeOf(shape));
  let pos = 0;
  const walk = (y: Nested): void => {
    if (Array.isArray(y)) for (const z of y) walk(z);
    else data[pos++] = castScalar(dtype, y);
  };
  walk(x);
  return { dtype, shape, data };
}
