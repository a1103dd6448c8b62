// The `nn` namespace: modules as pytrees, the seed scenario's layers, state.
export { Module } from "./module.js";
export { Linear, MLP, type InitOptions } from "./layers.js";
export { state, update, type State } from "./state.js";
