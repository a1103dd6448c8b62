import { np } from "tsjax";
export const double = (x: np.Array) => x.mul(2);
export const square = (x: np.Array) => x.mul(x);
export const args = { double: [np.ShapeDtype([3], "float32")], square: [np.ShapeDtype([2, 2], "int32")] };
