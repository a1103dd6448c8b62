// The `wasm` backend: the shared kernel lowering emitted as one WebAssembly
// module per program (SIMD loops, register-blocked matmuls, native control
// flow, four-lane SIMD execution of independent per-lane loops).
import type { Backend } from "../backend.js";
import { compileWasm } from "./emit/index.js";

export const wasmBackend: Backend = {
  name: "wasm",
  summary: "generated WebAssembly with SIMD: fused f32x4 loops, register-blocked matmuls, native loops with active-lane execution",
  compile: (jaxpr) => compileWasm(jaxpr),
};
