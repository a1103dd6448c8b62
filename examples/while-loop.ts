// `npm start`: an eager while loop, then the same function traced to a jaxpr.
import { makeJaxpr, np, whileLoop } from "../src/index.js";

// Newton's iteration for sqrt(a), run until every lane has converged.
function newtonSqrt(a: np.Array): np.Array {
  const [, x] = whileLoop(
    ([i, x]: [np.Array, np.Array]) => i.lt(20).and(np.max(np.abs(x.mul(x).sub(a))).gt(1e-5)),
    ([i, x]: [np.Array, np.Array]) => [i.add(1), x.add(a.div(x)).mul(0.5)],
    [0, np.onesLike(a)],
  );
  return x;
}

const a = np.array([2, 9, 10, 0.25]);
console.log("sqrt", a.toArray(), "=", newtonSqrt(a).toArray());
console.log("\nThe traced program (f32[4] -> f32[4]):\n");
console.log(makeJaxpr(newtonSqrt)(np.ShapeDtype([4], "float32")).toString());
