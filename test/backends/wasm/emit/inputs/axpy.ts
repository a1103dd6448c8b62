// For docs/backends.md: `tsjax dump test/backends/wasm/emit/inputs/axpy.ts --emit wat`
// shows a fused elementwise kernel with its f32x4 body and scalar tail.
import { np } from "tsjax";

export function axpy(x: np.Array, y: np.Array) {
  return x.mul(2).add(y);
}

export const args = { axpy: [np.ShapeDtype([6], "float32"), np.ShapeDtype([6], "float32")] };
