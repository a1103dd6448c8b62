// The `scipy` namespace (a subset of `jax.scipy`).
export * as special from "./special.js";
