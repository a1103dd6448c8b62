// The closed set of primitives and their typed params. Each family of
// primitives declares its params and all its rules in its own file under
// prims/ (docs/architecture.md); `Params` is their union, so `Prim` (its keys)
// is exactly the set of primitives the table in prims/index.ts must cover.

import type { AdParams } from "./prims/ad.js";
import type { BinaryParams } from "./prims/binary.js";
import type { CheckParams } from "./prims/check.js";
import type { CompareParams } from "./prims/compare.js";
import type { ControlParams } from "./prims/control.js";
import type { DotParams } from "./prims/dot.js";
import type { IndexingParams } from "./prims/indexing.js";
import type { ReductionParams } from "./prims/reductions.js";
import type { SelectConvertParams } from "./prims/select_convert.js";
import type { ShapeOpParams } from "./prims/shape_ops.js";
import type { TapeParams } from "./prims/tape.js";
import type { UnaryParams } from "./prims/unary.js";

export interface Params
  extends UnaryParams,
    BinaryParams,
    CompareParams,
    SelectConvertParams,
    ShapeOpParams,
    ReductionParams,
    DotParams,
    IndexingParams,
    ControlParams,
    TapeParams,
    CheckParams,
    AdParams {}

export type Prim = keyof Params;

export { type UnaryPrim, UNARY_PRIMS } from "./prims/unary.js";
export { type BinaryPrim, BINARY_PRIMS } from "./prims/binary.js";
export { type ComparePrim, COMPARE_PRIMS } from "./prims/compare.js";
export { type ReducePrim, REDUCE_PRIMS } from "./prims/reductions.js";
export type { DotDimensionNumbers } from "./prims/dot.js";
export type { ShapeRule } from "./prims/rules.js";
export { ShapeError, binaryShape, fmtTuple } from "./prims/shapeChecks.js";
export { PRIMS, abstractEval, isPrim } from "./prims/index.js";
