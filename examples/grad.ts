import { grad, jit, np, valueAndGrad, vmap } from "tsjax";

// f(x) = Σ x·tanh(x); its gradient is tanh(x) + x·(1 - tanh²(x)).
const f = (x: np.Array) => np.sum(x.mul(np.tanh(x)));
const x = np.array([0.5, -1, 2]);
console.log(String(grad(f)(x)));
console.log(String(jit(grad(f))(x))); // the same numbers, compiled
const [value, g] = valueAndGrad(f)(x);
console.log(String(value), String(g));
// Per-row gradients of a batch: vmap over grad.
console.log(String(vmap(grad(f))(np.array([[0.5, -1, 2], [1, 0, -2]]))));
