// Every backend, by name. A new backend is one module plus one line here;
// jit, the CLI and the test matrix (test/helpers/backends.ts) pick it up.
import type { Backend } from "./backend.js";
import { interpreterBackend } from "./interpreterBackend.js";
import { jsBackend } from "./js/index.js";
import { wasmBackend } from "./wasm/backend.js";

export type { Backend, CompiledProgram } from "./backend.js";

const ALL: readonly Backend[] = [interpreterBackend, jsBackend, wasmBackend];

export const BACKENDS: Readonly<Record<string, Backend>> = Object.fromEntries(ALL.map((b) => [b.name, b]));

/** The backend jit uses when none is named: the fastest one available. */
export const DEFAULT_BACKEND = "wasm";

export function getBackend(name: string): Backend {
  const b = BACKENDS[name];
  if (!b) throw new TypeError(`unknown backend '${name}' (available: ${Object.keys(BACKENDS).join(", ")})`);
  return b;
}
