// tsjax: a JAX-style array compiler for TypeScript. The public entry point.
export {
  np, scipy, makeJaxpr, runJaxpr, traceToJaxpr, traceFlat, TracedJaxpr,
  nn, jit, type JitOptions, whileLoop, foriLoop, scan, cond, switchCase, vmap, VmapError, type VmapOptions, type AxisSpec,
  flatten, unflatten, flattenWithPaths, registerPytreeNode, TreeDef, PytreeError,
  jvp, vjp, grad, valueAndGrad, linearize, stopGradient, jacfwd, jacrev, hessian, GradError, type GradOptions, type JacobianOptions,
  checkGrads, CheckGradsError, type CheckGradsOptions, type GradMode, customJvp, customVjp, type CustomOptions, checkpoint, type CheckpointOptions,
  type Traced, type CarryLike, type ScanOptions, type WhileOptions, RuntimeCheckError,
} from "./frontend/index.js";
export * as ir from "./ir/index.js";
export * as passes from "./passes/index.js";
