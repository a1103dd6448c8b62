// Reverse mode through a while loop, for `tsjax dump --grad`: x grows by
// x·w + sin(x) until it reaches 10, a trip count known only at run time.
//
//   npx tsjax dump examples/while-grad-demo.ts --grad loss
//   npx tsjax dump examples/while-grad-demo.ts --grad loss --passes expand-replay
import { np, whileLoop } from "tsjax";

export function loss(w: np.Array, x: np.Array) {
  return whileLoop((x: np.Array) => x.lt(10), (x: np.Array) => x.mul(w).add(np.sin(x)), x);
}

export const args = {
  loss: [np.ShapeDtype([], "float32"), np.ShapeDtype([], "float32")],
};
