// Thin typed wrappers over `bind`, one per primitive, for the np layer and
// control flow. No promotion or broadcasting here: operands must already have
// the types the primitive's shape rule requires (see np/promote.ts).

import type { DType } from "../ir/dtype.js";
import type { BinaryPrim, ComparePrim, DotDimensionNumbers, ReducePrim, UnaryPrim } from "../ir/primitives.js";
import type { Array } from "./array.js";
import { type BindInput, bind1 } from "./bind.js";

type Operand = BindInput;

export function unary(prim: Exclude<UnaryPrim, "round">, x: Operand): Array {
  return bind1(prim, {}, [x]);
}
export function round(x: Operand, halfToEven: boolean): Array {
  return bind1("round", { rounding_method: halfToEven ? 1 : 0 }, [x]);
}
export function binary(prim: BinaryPrim | ComparePrim, x: Operand, y: Operand): Array {
  return bind1(prim, {}, [x, y]);
}
export function selectN(which: Operand, ...cases: Operand[]): Array {
  return bind1("select_n", {}, [which, ...cases]);
}
export function convert(x: Operand, dtype: DType): Array {
  return bind1("convert_element_type", { new_dtype: dtype }, [x]);
}
export function broadcastInDim(x: Operand, shape: readonly number[], broadcastDimensions: readonly number[]): Array {
  return bind1("broadcast_in_dim", { shape: [...shape], broadcast_dimensions: [...broadcastDimensions] }, [x]);
}
export function reshape(x: Operand, newSizes: readonly number[]): Array {
  return bind1("reshape", { new_sizes: [...newSizes] }, [x]);
}
export function transpose(x: Operand, permutation: readonly number[]): Array {
  return bind1("transpose", { permutation: [...permutation] }, [x]);
}
export function squeeze(x: Operand, dimensions: readonly number[]): Array {
  return bind1("squeeze", { dimensions: [...dimensions] }, [x]);
}
export function expandDims(x: Operand, dimensions: readonly number[]): Array {
  return bind1("expand_dims", { dimensions: [...dimensions] }, [x]);
}
export function reduce(prim: ReducePrim, x: Operand, axes: readonly number[]): Array {
  return bind1(prim, { axes: [...axes] }, [x]);
}
export function argmax(x: Operand, axis: number): Array {
  return bind1("argmax", { axes: [axis], index_dtype: "int32" }, [x]);
}
export function dotGeneral(x: Operand, y: Operand, dims: DotDimensionNumbers): Array {
  return bind1("dot_general", { dimension_numbers: dims }, [x, y]);
}
export function iota(dtype: DType, shape: readonly number[], dimension: number): Array {
  return bind1("iota", { dtype, shape: [...shape], dimension }, []);
}
export function concatenate(xs: readonly Operand[], dimension: number): Array {
  return bind1("concatenate", { dimension }, xs);
}
export function slice(x: Operand, start: readonly number[], limit: readonly number[], strides: readonly number[] | null): Array {
  return bind1("slice", { start_indices: [...start], limit_indices: [...limit], strides: strides ? [...strides] : null }, [x]);
}
export function dynamicSlice(x: Operand, starts: readonly Operand[], sizes: readonly number[]): Array {
  return bind1("dynamic_slice", { slice_sizes: [...sizes] }, [x, ...starts]);
}
export function dynamicUpdateSlice(x: Operand, update: Operand, starts: readonly Operand[]): Array {
  return bind1("dynamic_update_slice", {}, [x, update, ...starts]);
}
