export * from "./pass.js";
export * from "./pipeline.js";
export { PASSES } from "./registry.js";
