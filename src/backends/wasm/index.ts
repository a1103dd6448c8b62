// The WebAssembly building blocks: a module builder with a typed instruction
// API, its binary encoder and WAT printer, and vectorised float32 math.

export { ModuleBuilder, PAGE_BYTES } from "./module.js";
export type { DataSegment, DefinedGlobal, Export, ExportTarget, ImportedFunc, ImportedGlobal, Memory, MemoryLimits } from "./module.js";
export { FunctionBuilder } from "./func.js";
export type { FunctionSpec, MemArg, Namespace, NamespaceName } from "./func.js";
export type { Instr, Label, V128Const, V128Shape } from "./instr.js";
export { LANE_OPS, MEM_OPS, PLAIN_OPS } from "./ops.js";
export type { LaneOpName, MemOpName, PlainOpName } from "./ops.js";
export type { BlockType, FuncRef, FuncType, GlobalRef, Local, NumType, ValType } from "./types.js";
export { WasmBuildError } from "./types.js";
export { printWat } from "./wat.js";
export type { EncodeOptions } from "./encoder.js";
export { emitMath, Lanes, MATH_FNS, MATH_GENERATORS, mathFunction } from "./math/index.js";
export type { F, I, M, MathFn, Shape } from "./math/index.js";
export { addMapKernel } from "./math/mapKernel.js";
