// Every backend, by name. A new backend is one module plus one line here;
// jit, the CLI and the test matrix (test/helpers/backends.ts) pick it up.
//
// jit without a backend option uses `default`: wasm, except for a program
// wasm32 cannot hold (more than 4 GiB of linear memory: WasmMemoryLimitError),
// which is compiled with js instead. Asking for `wasm` by name gets the error.
import type { Backend } from "./backend.js";
import { interpreterBackend } from "./interpreterBackend.js";
import { jsBackend } from "./js/index.js";
import { wasmBackend } from "./wasm/backend.js";
import { WasmMemoryLimitError } from "./wasm/emit/layout.js";

export type { Backend, CompiledProgram } from "./backend.js";
export { WasmMemoryLimitError } from "./wasm/emit/layout.js";

const ALL: readonly Backend[] = [interpreterBackend, jsBackend, wasmBackend];

export const BACKENDS: Readonly<Record<string, Backend>> = Object.fromEntries(ALL.map((b) => [b.name, b]));

/** What jit uses when no backend is named: wasm, falling back to js for programs too large for wasm32. */
export const defaultBackend: Backend = {
  name: "default",
  summary: "wasm, or js for a program that needs more than the 4 GiB of memory wasm32 can address",
  compile(jaxpr) {
    try {
      return wasmBackend.compile(jaxpr);
    } catch (e) {
      if (e instanceof WasmMemoryLimitError) return jsBackend.compile(jaxpr);
      throw e;
    }
  },
};

/** The backend jit uses when none is named (`defaultBackend`). */
export const DEFAULT_BACKEND = "default";

export function getBackend(name: string): Backend {
  if (name === DEFAULT_BACKEND) return defaultBackend;
  const b = BACKENDS[name];
  if (!b) throw new TypeError(`unknown backend '${name}' (available: ${[...Object.keys(BACKENDS), DEFAULT_BACKEND].join(", ")})`);
  return b;
}
