// compile: first-call latency of the jitted seed program — a fresh jit object
// every run, so each run traces, runs the passes, generates code and executes
// once. Plain JS has nothing to compile. jax-js: a fresh jit of its masked
// seed each run (note: jax-js caches compiled wasm kernels process-wide, so
// after its first run a fresh jit re-traces and re-lowers but reuses them;
// tsjax's wasm backend likewise caches per jaxpr text, after tracing and the
// passes). The first run of each in the process (cold caches) is reported
// in the notes.

import type { Output, Workload } from "../harness/types.js";
import { seedJax } from "../jaxjs.js";
import { jit, seedBatched } from "../tsjax.js";
import { type SeedSize, seedSetup } from "./seed.js";
import type { JaxHandle } from "./jaxHandle.js";

export function compileWorkload(size: SeedSize, jaxHandle: JaxHandle): Workload {
  const s = seedSetup(size, jaxHandle);
  return {
    name: "compile",
    description: `first call of a fresh jit(vmap(seed)) at the seed size (trace + passes + codegen + one run)`,
    metric: { unit: "ms" },
    check: { kind: "allclose", rtol: 1e-4, atol: 1e-5 },
    notes: [
      "jax-js caches compiled wasm kernels process-wide: after its first run a fresh jit re-traces and re-lowers but skips wasm compilation",
      "tsjax:wasm caches the lowered program, module and instance per jaxpr text process-wide: after its first run a fresh jit re-traces and re-runs the passes, then skips lowering and compilation",
    ],
    reference: s.reference,
    prepare(column) {
      switch (column.kind) {
        case "plain":
          return { skip: "nothing to compile" };
        case "tsjax": {
          const [model, xs, counts] = s.tsjaxArgs();
          return () => jit(seedBatched, { backend: column.backend })(model, xs, counts).data() as Output;
        }
        case "jaxjs": {
          const j = s.jaxArgs();
          if ("skip" in j) return j;
          const [X, W, B, K] = j.args;
          return () => {
            const f = seedJax(j.jax, s.maxCount);
            const out = f(X.ref, W.ref, B.ref, K.ref).dataSync() as Output;
            f.dispose();
            return out;
          };
        }
      }
    },
  };
}
