// What you see when a model you asked to get back unbatched is batched anyway:
// here the loop really changes the weights (halves them every step), so each
// lane, which stops after its own number of steps, ends with its own copy.
import { nn, np, vmap, whileLoop } from "../src/index.js";

function decay(model: nn.Linear, x: np.Array, steps: np.Array) {
  return whileLoop(
    ([i]) => i.lt(steps),
    ([i, h, m]) => {
      const next = new nn.Linear(4, 4);
      next.w = m.w.mul(0.5); // a real update: not an invariant
      next.b = m.b;
      return [i.add(1), m.forward(h), next];
    },
    [0, x, model],
  )[2];
}

try {
  vmap(decay, { inAxes: [null, 0, 0], outAxes: null })(new nn.Linear(4, 4, { seed: 1 }), np.ones([3, 4]), np.array([1, 2, 3], { dtype: "int32" }));
} catch (e) {
  console.log((e as Error).message);
}
