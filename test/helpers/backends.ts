// The backend matrix: every semantic test runs on every registered backend
// (`describe.each(BACKEND_NAMES)`), through jit, compared with allclose.
import { BACKENDS } from "../../src/backends/index.js";
import { jit } from "../../src/index.js";

export const BACKEND_NAMES: readonly string[] = Object.keys(BACKENDS);

/** `f` compiled for `backend` (interpreter included: it goes through the same jit path). */
export function onBackend<F extends (...args: never[]) => unknown>(backend: string, f: F, opts: { hoistInvariantCarries?: boolean } = {}) {
  return jit(f, { backend, ...opts });
}
