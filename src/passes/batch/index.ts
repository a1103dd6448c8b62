export { batchDims, batchJaxpr, BatchError, type BatchedJaxpr, type OutSpec } from "./batchJaxpr.js";
export type { Dim, BVal, Reason } from "./layout.js";
export { reasonLines } from "./layout.js";
