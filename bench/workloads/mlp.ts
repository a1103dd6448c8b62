// mlp: X (n×d) through `layers` layers of h = tanh(h @ W + b), the same W, b
// every layer. Reported in GFLOP/s of the matmuls (2·n·d·d per layer).

import { denseInputs } from "../data.js";
import type { Output, Workload } from "../harness/types.js";
import { mlpJax } from "../jaxjs.js";
import { mlpPlain } from "../plain.js";
import { jit, mlpProgram, np } from "../tsjax.js";
import { type JaxHandle, jaxOrSkip } from "./jaxHandle.js";

export interface MlpSize {
  readonly n: number;
  readonly d: number;
  readonly layers: number;
}
export const MLP_SIZE: MlpSize = { n: 1024, d: 64, layers: 16 };

export function mlpWorkload({ n, d, layers }: MlpSize, jaxHandle: JaxHandle): Workload {
  const { x, w, b } = denseInputs(n, d);
  return {
    name: "mlp",
    description: `f32 X[${n},${d}] through ${layers} × tanh(h @ W + b), W[${d},${d}] shared; GFLOP/s of the matmuls`,
    metric: { unit: "GFLOP/s", flops: 2 * n * d * d * layers },
    check: { kind: "allclose", rtol: 1e-4, atol: 1e-5 },
    reference: () => mlpPlain(x, w, b, n, d, layers),
    prepare(column) {
      switch (column.kind) {
        case "plain":
          return () => mlpPlain(x, w, b, n, d, layers);
        case "tsjax": {
          const f = jit(mlpProgram(layers), { backend: column.backend });
          const [X, W, B] = [np.array(x).reshape([n, d]), np.array(w).reshape([d, d]), np.array(b)];
          return () => f(X, W, B).data() as Output;
        }
        case "jaxjs": {
          const jax = jaxOrSkip(jaxHandle);
          if ("skip" in jax) return jax;
          const f = mlpJax(jax, layers);
          const jnp = jax.numpy;
          const [X, W, B] = [jnp.array(x).reshape([n, d]), jnp.array(w).reshape([d, d]), jnp.array(b)];
          return () => f(X.ref, W.ref, B.ref).dataSync() as Output;
        }
      }
    },
  };
}
