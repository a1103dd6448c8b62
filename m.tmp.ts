import { np, vmap, whileLoop } from "tsjax";
function pixel(cr: np.Array, ci: np.Array): np.Array {
  const [n] = whileLoop(
    ([i, zr, zi]) => i.lt(64).and(zr.mul(zr).add(zi.mul(zi)).le(4)),
    ([i, zr, zi]) => [i.add(1), zr.mul(zr).sub(zi.mul(zi)).add(cr), zr.mul(zi).mul(2).add(ci)],
    [0, np.zeros([]), np.zeros([])],
  );
  return n;
}
export const m = vmap(pixel);
export const args = { m: [np.ShapeDtype([16], "float32"), np.ShapeDtype([16], "float32")] };
