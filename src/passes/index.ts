export * from "./pass.js";
export * from "./pipeline.js";
export { PASSES } from "./registry.js";
export { gradientSteps, type GradientStep } from "./ad/gradientSteps.js";
