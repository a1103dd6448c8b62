// A small program for `tsjax dump`: an MLP layer applied in a loop whose
// weights ride along in the carry unchanged.
//
//   npx tsjax dump examples/dump-demo.ts --passes inline,simplify,cse,hoist-invariant-carries,licm,dce --print-after-all
import { np, whileLoop } from "tsjax";

export function refine(w: np.Array, b: np.Array, x: np.Array, steps: np.Array) {
  const [, y] = whileLoop(
    ([i]) => i.lt(steps),
    ([i, h, ww, bb]) => {
      const scale = np.sum(ww).mul(1); // loop-invariant: licm hoists it; x*1 simplifies away
      return [i.add(1), np.tanh(np.matmul(h, ww).add(bb)).div(scale), ww, bb];
    },
    [0, x, w, b],
  );
  return y;
}

export const args = {
  refine: [np.ShapeDtype([4, 4], "float32"), np.ShapeDtype([4], "float32"), np.ShapeDtype([4], "float32"), np.ShapeDtype([], "int32")],
};
