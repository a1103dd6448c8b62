// Small shape/dtype helpers shared by the np modules.

import { type DType, promoteDTypes } from "../../ir/dtype.js";

export { avalStr, shapesEqual } from "../../ir/dtype.js";

/** `(2, 3)`, `(4,)`, `()`: how numpy prints a shape tuple. */
export function fmtShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

export function promoteAll(dtypes: readonly DType[]): DType {
  return dtypes.reduce(promoteDTypes);
}
