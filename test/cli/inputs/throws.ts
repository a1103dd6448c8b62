import { np } from "tsjax";
export const f = (x: np.Array, y: np.Array) => x.add(y);
export const args = { f: [np.ShapeDtype([3], "float32"), np.ShapeDtype([4], "float32")] };
