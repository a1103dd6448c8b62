import { np } from "tsjax";
export const f = (x: np.Array) => x.mul(2;
export const args = { f: [np.ShapeDtype([3], "float32")] };
