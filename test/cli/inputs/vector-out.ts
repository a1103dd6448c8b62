import { np } from "tsjax";
export const tanh = (x: np.Array) => np.tanh(x);
export const args = { tanh: [np.ShapeDtype([3], "float32")] };
