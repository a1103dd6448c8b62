export { batchJaxpr, BatchError, type BatchedJaxpr, type OutSpec } from "./batchJaxpr.js";
export type { Dim, BVal } from "./layout.js";
