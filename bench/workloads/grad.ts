// grad: one training step's value and gradient. valueAndGrad of
// mean((mlp(X) - Y)²) with respect to W and b, through the same 16-layer
// tanh MLP as the mlp workload. Plain JS is hand-written backprop (forward
// with cached activations, backward by hand). Reported in GFLOP/s of the
// matmuls, forward and backward: 2·n·d² per layer forward, 2·n·d² per layer
// for dW, and 2·n·d² per layer but the first for the cotangent of the
// layer's input (the gradient is not taken with respect to X).

import { denseInputs, regressionTargets } from "../data.js";
import type { Output, Workload } from "../harness/types.js";
import { mlpGradJax } from "../jaxjs.js";
import { mlpGradPlain } from "../plain.js";
import { jit, mlpGradProgram, np } from "../tsjax.js";
import { type JaxHandle, jaxOrSkip } from "./jaxHandle.js";
import type { MlpSize } from "./mlp.js";

/** The result every column returns: [loss, dW row-major, db], one Float32Array. */
function flatten(loss: ArrayLike<number>, dw: ArrayLike<number>, db: ArrayLike<number>): Float32Array {
  const out = new Float32Array(1 + dw.length + db.length);
  out[0] = loss[0]!;
  out.set(dw, 1);
  out.set(db, 1 + dw.length);
  return out;
}

export function gradFlops({ n, d, layers }: MlpSize): number {
  return 2 * n * d * d * (3 * layers - 1);
}

export function gradWorkload({ n, d, layers }: MlpSize, jaxHandle: JaxHandle): Workload {
  const { x, w, b } = denseInputs(n, d);
  const y = regressionTargets(n, d);
  return {
    name: "grad",
    description: `valueAndGrad of mean((mlp(X) - Y)²) w.r.t. W and b, X, Y f32[${n},${d}], ${layers} × tanh(h @ W + b); result [loss, dW, db]; GFLOP/s of the forward and backward matmuls`,
    metric: { unit: "GFLOP/s", flops: gradFlops({ n, d, layers }) },
    // float32 sums over n·layers terms against float64 accumulation in plain JS.
    // At full size the gradient entries reach 0.04; the columns agree within 2e-6.
    check: { kind: "allclose", rtol: 1e-3, atol: 1e-6 },
    reference: () => mlpGradPlain(x, w, b, y, n, d, layers),
    prepare(column) {
      switch (column.kind) {
        case "plain":
          return () => mlpGradPlain(x, w, b, y, n, d, layers);
        case "tsjax": {
          const f = jit(mlpGradProgram(layers), { backend: column.backend });
          const [W, B, X, Y] = [np.array(w).reshape([d, d]), np.array(b), np.array(x).reshape([n, d]), np.array(y).reshape([n, d])];
          return () => {
            const [loss, [dw, db]] = f(W, B, X, Y) as [np.Array, [np.Array, np.Array]];
            return flatten(loss.data(), dw.data(), db.data());
          };
        }
        case "jaxjs": {
          const jax = jaxOrSkip(jaxHandle);
          if ("skip" in jax) return jax;
          const f = mlpGradJax(jax, layers);
          const jnp = jax.numpy;
          const [W, B, X, Y] = [jnp.array(w).reshape([d, d]), jnp.array(b), jnp.array(x).reshape([n, d]), jnp.array(y).reshape([n, d])];
          return () => {
            const [loss, [dw, db]] = f(W.ref, B.ref, X.ref, Y.ref);
            return flatten(loss.dataSync(), dw.dataSync(), db.dataSync()) as Output;
          };
        }
      }
    },
  };
}
