// mandelbrot: escape-time counts on a grid, one vmap lane per pixel, each
// lane's whileLoop stopping when |z|² > 4 or after maxIter steps.

import { grid } from "../data.js";
import type { Output, Workload } from "../harness/types.js";
import { mandelbrotJax } from "../jaxjs.js";
import { mandelbrotPlain } from "../plain.js";
import { jit, mandelbrotProgram, np } from "../tsjax.js";
import { type JaxHandle, jaxOrSkip } from "./jaxHandle.js";

export interface MandelbrotSize {
  readonly width: number;
  readonly height: number;
  readonly maxIter: number;
}
export const MANDELBROT_SIZE: MandelbrotSize = { width: 256, height: 256, maxIter: 64 };
const RE = [-2, 0.6] as const;
const IM = [-1.2, 1.2] as const;

export function mandelbrotWorkload({ width, height, maxIter }: MandelbrotSize, jaxHandle: JaxHandle): Workload {
  const { cr, ci } = grid(width, height, RE, IM);
  return {
    name: "mandelbrot",
    description: `${width}×${height} grid, re ∈ [${RE.join(", ")}], im ∈ [${IM.join(", ")}], escape |z|² > 4, ≤ ${maxIter} iterations; vmap(whileLoop) per pixel`,
    metric: { unit: "ms" },
    // Plain JS iterates in float64, the others in float32: boundary pixels may differ.
    check: { kind: "counts", maxMismatchFraction: 0.01 },
    reference: () => mandelbrotPlain(cr, ci, maxIter),
    prepare(column) {
      switch (column.kind) {
        case "plain":
          return () => mandelbrotPlain(cr, ci, maxIter);
        case "tsjax": {
          const f = jit(mandelbrotProgram(maxIter), { backend: column.backend });
          const [CR, CI] = [np.array(cr), np.array(ci)];
          return () => f(CR, CI).data() as Output;
        }
        case "jaxjs": {
          const jax = jaxOrSkip(jaxHandle);
          if ("skip" in jax) return jax;
          const f = mandelbrotJax(jax, maxIter);
          const [CR, CI] = [jax.numpy.array(cr), jax.numpy.array(ci)];
          return () => f(CR.ref, CI.ref).dataSync() as Output;
        }
      }
    },
  };
}
