// The `np` namespace: numpy-flavoured array functions over np.Array.
export { Array, type ArrayLike, type SliceSpec } from "../array.js";
export type { DType } from "../../ir/dtype.js";
export {
  array, zeros, ones, full, arange, linspace, eye, zerosLike, onesLike, ShapeDtype,
  type ArrayData, type DTypeOption, type LinspaceOptions, type EyeOptions,
} from "./creation.js";
export {
  add, subtract, multiply, divide, floorDivide, remainder, power, negative,
  exp, log, log1p, expm1, sin, cos, tanh, sqrt, sigmoid, abs, sign, floor, ceil, round,
  maximum, minimum, less, lessEqual, greater, greaterEqual, equal, notEqual,
  logicalAnd, logicalOr, logicalNot, bitwiseAnd, bitwiseOr, bitwiseNot, where, astype,
} from "./elementwise.js";
export { sum, max, min, mean, argmax, type Axis, type ReduceOptions } from "./reductions.js";
export { reshape, transpose, squeeze, expandDims, broadcastTo, concatenate, stack } from "./shape.js";
export { matmul, dot } from "./linalg.js";
export { slice, dynamicSlice, dynamicUpdateSlice } from "./indexing.js";
