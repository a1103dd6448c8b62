// A small program for `tsjax dump --grad`: the squared error of one tanh
// layer, whose gradient the dump builds step by step.
//
//   npx tsjax dump examples/grad-demo.ts --grad loss --print-after-all
import { np } from "tsjax";

export function loss(w: np.Array, x: np.Array, y: np.Array) {
  const err = np.tanh(np.matmul(x, w)).sub(y);
  return np.sum(err.mul(err));
}

export const args = {
  loss: [np.ShapeDtype([3, 2], "float32"), np.ShapeDtype([4, 3], "float32"), np.ShapeDtype([4, 2], "float32")],
};
