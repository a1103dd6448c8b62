// A small program for `tsjax dump --grad` with checkpoint: two tanh layers,
// the first checkpointed. Its gradient stores no residual for that layer: the
// backward pass recomputes tanh(x·w1) from x and w1 (docs/autodiff.md).
//
//   npx tsjax dump examples/checkpoint-demo.ts --grad loss
import { checkpoint, np } from "tsjax";

const layer = checkpoint((w: np.Array, x: np.Array) => np.tanh(np.matmul(x, w)), { name: "layer" });

export function loss(w1: np.Array, w2: np.Array, x: np.Array) {
  return np.sum(np.tanh(np.matmul(layer(w1, x), w2)));
}

export const args = {
  loss: [np.ShapeDtype([3, 3], "float32"), np.ShapeDtype([3, 2], "float32"), np.ShapeDtype([4, 3], "float32")],
};
