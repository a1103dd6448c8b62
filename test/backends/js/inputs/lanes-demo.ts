// For docs/backends.md: the seed scenario under vmap, 4 lanes with their own
// trip counts. `tsjax dump test/backends/js/inputs/lanes-demo.ts --emit plan`
// shows the lane set, the restricted kernels and the fused epilogues.
import { nn, np, vmap, whileLoop } from "tsjax";

const model = new nn.MLP([8, 16, 8], { seed: 0 });

function refine(x: np.Array, count: np.Array) {
  const [, y] = whileLoop(([i]) => i.lt(count), ([i, h]) => [i.add(1), model.forward(h)], [0, x]);
  return y;
}

export const batched = vmap(refine);

export const args = {
  batched: [np.ShapeDtype([4, 8], "float32"), np.ShapeDtype([4], "int32")],
};
