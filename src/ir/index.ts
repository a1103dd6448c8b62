// The IR layer: types, primitives with shape rules, printer, parser, verifier.
// Nothing here depends on other folders of tsjax.
export * from "./dtype.js";
export * from "./core.js";
export * from "./primitives.js";
export * from "./traverse.js";
export * from "./printer.js";
export * from "./value.js";
export * from "./parser.js";
export * from "./verifier.js";
export * from "./paramSchema.js";
export * from "./debugNames.js";
export * from "./limits.js";
export * from "./loopOperands.js";
