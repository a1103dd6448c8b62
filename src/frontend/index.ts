// The frontend: arrays, np, pytrees, tracing and control flow.
export * as np from "./np/index.js";
export * as scipy from "./scipy/index.js";
export { Array } from "./array.js";
export { bind, bind1, type BindInput } from "./bind.js";
export {
  traceFlat, traceToJaxpr, makeJaxpr, runJaxpr, retypeWeakOutput, TracedJaxpr,
  type FlatTrace, type FlatOut, type TracedFunction,
} from "./tracing.js";
export {
  flatten, unflatten, flattenWithPaths, registerPytreeNode, registerPytreeLeaf, treeMismatch,
  assertSameStructure, TreeDef, PytreeError, type PytreeChildren, type TreeMismatch,
} from "./pytree.js";
export { whileLoop, foriLoop, scan, cond, switchCase, type ScanOptions } from "./control/index.js";
export type { Traced, TracedList, CarryLike } from "./types.js";
export { TypedScalar } from "./scalar.js";
export { vmap, VmapError, type VmapOptions, type AxisSpec } from "./vmap.js";
export { replayJaxpr } from "./replay.js";
export * as nn from "./nn/index.js";
export { jit, jitPipeline, type JitOptions, type JitFunction } from "./jit.js";
export {
  jvp, vjp, grad, valueAndGrad, linearize, stopGradient, jacfwd, jacrev, hessian, GradError, type GradOptions, type JacobianOptions,
} from "./ad.js";
export { customJvp, customVjp, type CustomOptions } from "./custom.js";
export { checkpoint, type CheckpointOptions } from "./checkpoint.js";
export { checkGrads, CheckGradsError, type CheckGradsOptions, type GradMode } from "./checkGrads.js";
