// seed: the google/flax#4700 loop. Per lane, h = tanh(h @ W + b) repeated
// i % modulus times; tsjax writes it as vmap(whileLoop) with the model in
// the carry, broadcast by inAxes. jax-js has no while loop: masked fixed count.

import { denseInputs, seedCounts } from "../data.js";
import type { Output, Workload } from "../harness/types.js";
import { seedJax } from "../jaxjs.js";
import { seedPlain } from "../plain.js";
import { jit, np, seedBatched } from "../tsjax.js";
import { type JaxHandle, jaxOrSkip } from "./jaxHandle.js";

export interface SeedSize {
  /** Lanes (B). */
  readonly lanes: number;
  /** Features (D). */
  readonly d: number;
  /** Lane i runs i % modulus steps. */
  readonly modulus: number;
}
export const SEED_SIZE: SeedSize = { lanes: 1024, d: 64, modulus: 17 };

/** The seed inputs in each library's array type, and the runners that call a given jitted function on them. */
export function seedSetup({ lanes, d, modulus }: SeedSize, jaxHandle: JaxHandle) {
  const { x, w, b, model } = denseInputs(lanes, d);
  const counts = seedCounts(lanes, modulus);
  const maxCount = Math.min(lanes, modulus) - 1;
  const reference = () => seedPlain(x, w, b, counts, d);
  const tsjaxArgs = () => [model, np.array(x).reshape([lanes, d]), np.array(counts)] as const;
  const jaxArgs = () => {
    const jax = jaxOrSkip(jaxHandle);
    if ("skip" in jax) return jax;
    const jnp = jax.numpy;
    const args = [jnp.array(x).reshape([lanes, d]), jnp.array(w).reshape([d, d]), jnp.array(b), jnp.array(counts, { dtype: jnp.int32 })] as const;
    return { jax, args };
  };
  return { lanes, d, maxCount, reference, tsjaxArgs, jaxArgs, raw: { x, w, b, counts } };
}

export function seedWorkload(size: SeedSize, jaxHandle: JaxHandle): Workload {
  const s = seedSetup(size, jaxHandle);
  return {
    name: "seed",
    description: `vmap(whileLoop) over B=${s.lanes} lanes, D=${s.d}, lane i runs i % ${size.modulus} steps of tanh(h @ W + b); model in the carry`,
    metric: { unit: "ms" },
    check: { kind: "allclose", rtol: 1e-4, atol: 1e-5 },
    reference: s.reference,
    prepare(column) {
      switch (column.kind) {
        case "plain":
          return s.reference;
        case "tsjax": {
          const f = jit(seedBatched, { backend: column.backend });
          const [model, xs, counts] = s.tsjaxArgs();
          return () => f(model, xs, counts).data() as Output;
        }
        case "jaxjs": {
          const j = s.jaxArgs();
          if ("skip" in j) return j;
          const f = seedJax(j.jax, s.maxCount);
          const [X, W, B, K] = j.args;
          return () => f(X.ref, W.ref, B.ref, K.ref).dataSync() as Output;
        }
      }
    },
  };
}
