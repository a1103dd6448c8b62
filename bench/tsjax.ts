// The workloads written against tsjax's public API, as a user would: the MLP
// as a Python-style unrolled loop, the seed and Mandelbrot loops as
// `vmap(whileLoop)` with a per-lane trip count. Each returns the function to
// hand to `jit(f, { backend })`.

import { jit, makeJaxpr, nn, np, valueAndGrad, vmap, whileLoop } from "../src/index.js";

/** `layers` applications of `h = tanh(h @ w + b)`, unrolled at trace time. */
export function mlpProgram(layers: number) {
  return function mlp(x: np.Array, w: np.Array, b: np.Array): np.Array {
    let h = x;
    for (let l = 0; l < layers; l++) h = np.tanh(np.matmul(h, w).add(b));
    return h;
  };
}

/** Mean squared error of the MLP's output against `y`. */
export function mlpLoss(layers: number) {
  const mlp = mlpProgram(layers);
  return function loss(w: np.Array, b: np.Array, x: np.Array, y: np.Array): np.Array {
    const err = mlp(x, w, b).sub(y);
    return np.mean(err.mul(err));
  };
}

/** `[loss, [dW, db]]`: the training step's value and gradient with respect to the parameters. */
export function mlpGradProgram(layers: number) {
  return valueAndGrad(mlpLoss(layers), { argnums: [0, 1] });
}

/**
 * The seed loop for one lane: the model rides in the carry (google/flax#4700);
 * the loop never changes it, so tsjax hoists it out and it stays broadcast.
 */
export function seedLane(model: nn.Linear, x: np.Array, count: np.Array): np.Array {
  const [, y] = whileLoop(([i]) => i.lt(count), ([i, h, m]) => [i.add(1), np.tanh(m.forward(h)), m], [0, x, model]);
  return y;
}

/** The batched seed program: the model broadcast, one lane per row of xs. */
export const seedBatched = vmap(seedLane, { inAxes: [null, 0, 0] });

/** The seed-grad workload's step: `[loss, grad]` of mean(seed(x)²) with respect to the model (nn.Linear: w, b). */
export const seedGradProgram = valueAndGrad((model: nn.Linear, xs: np.Array, counts: np.Array) => {
  const y = seedBatched(model, xs, counts);
  return np.mean(y.mul(y));
});

/** Escape-time count of one pixel c = cr + i·ci. */
export function mandelbrotPixel(maxIter: number) {
  return function pixel(cr: np.Array, ci: np.Array): np.Array {
    const [n] = whileLoop(
      ([i, zr, zi]) => i.lt(maxIter).and(zr.mul(zr).add(zi.mul(zi)).le(4)),
      ([i, zr, zi]) => [i.add(1), zr.mul(zr).sub(zi.mul(zi)).add(cr), zr.mul(zi).mul(2).add(ci)],
      [0, np.zeros([]), np.zeros([])],
    );
    return n;
  };
}

/** The whole grid: one lane per pixel. */
export function mandelbrotProgram(maxIter: number) {
  return vmap(mandelbrotPixel(maxIter));
}

export { jit, makeJaxpr, nn, np };
