// The workload registry, in table order, each at its benchmark size (tests
// build them at tiny sizes through the same constructors).
import type { Workload } from "../harness/types.js";
import { compileWorkload } from "./compile.js";
import { gradWorkload } from "./grad.js";
import type { JaxHandle } from "./jaxHandle.js";
import { MANDELBROT_SIZE, mandelbrotWorkload } from "./mandelbrot.js";
import { MLP_SIZE, mlpWorkload } from "./mlp.js";
import { SEED_SIZE, seedWorkload } from "./seed.js";
import { seedGradWorkload } from "./seedGrad.js";

export type { JaxHandle } from "./jaxHandle.js";
export { mlpWorkload, MLP_SIZE, type MlpSize } from "./mlp.js";
export { seedWorkload, SEED_SIZE, type SeedSize } from "./seed.js";
export { mandelbrotWorkload, MANDELBROT_SIZE, type MandelbrotSize } from "./mandelbrot.js";
export { compileWorkload } from "./compile.js";
export { gradWorkload, gradFlops } from "./grad.js";
export { seedGradWorkload } from "./seedGrad.js";

export const WORKLOAD_NAMES = ["mlp", "grad", "seed", "seed-grad", "mandelbrot", "compile"] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

const MAKERS: { [N in WorkloadName]: (jax: JaxHandle) => Workload } = {
  mlp: (jax) => mlpWorkload(MLP_SIZE, jax),
  grad: (jax) => gradWorkload(MLP_SIZE, jax),
  seed: (jax) => seedWorkload(SEED_SIZE, jax),
  "seed-grad": (jax) => seedGradWorkload(SEED_SIZE, jax),
  mandelbrot: (jax) => mandelbrotWorkload(MANDELBROT_SIZE, jax),
  compile: (jax) => compileWorkload(SEED_SIZE, jax),
};

export function makeWorkload(name: WorkloadName, jax: JaxHandle): Workload {
  return MAKERS[name](jax);
}
