// `npx tsx examples/train-seed.ts [steps] [batch]`: trains the seed's model
// (google/flax#4700) with plain SGD. Each example runs the model for its own
// number of steps inside a whileLoop (k_i = i mod 5), vmapped over the batch:
// reverse mode records each lane's steps on a tape and replays them
// backwards, which JAX cannot do for a while loop. The weights stay
// unbatched in both directions (docs/closure-isolation.md).
import { flatten, jit, nn, np, unflatten, valueAndGrad, vmap, whileLoop } from "../src/index.js";

const steps = Number(process.argv[2] ?? 300);
const batch = Number(process.argv[3] ?? 64);
const D = 8;

/** The seed's per-example program: `count` applications of the model to x. */
function apply(model: nn.MLP, x: np.Array, count: np.Array): np.Array {
  const [, y] = whileLoop(([i]) => i.lt(count), ([i, h, m]) => [i.add(1), m.forward(h), m], [0, x, model]);
  return y;
}

/** Mean squared error of the batch against its targets. */
function loss(model: nn.MLP, xs: np.Array, counts: np.Array, targets: np.Array): np.Array {
  const ys = vmap(apply, { inAxes: [null, 0, 0] })(model, xs, counts);
  const d = ys.sub(targets);
  return np.mean(d.mul(d));
}

// Data: inputs, per-example step counts, and targets the model must learn to reach.
const xs = np.sin(np.arange(batch * D).reshape([batch, D]).astype("float32").mul(0.37));
const counts = np.array(Array.from({ length: batch }, (_, i) => i % 5), { dtype: "int32" });
const targets = np.cos(xs.mul(1.3)).mul(0.5);

let model = new nn.MLP([D, 16, D], { seed: 0 });
const step = jit(valueAndGrad(loss));
const learningRate = 0.2;
const [, def] = flatten(model);
for (let s = 0; s <= steps; s++) {
  const [value, g] = step(model, xs, counts, targets) as [np.Array, nn.MLP];
  if (s % Math.max(1, Math.floor(steps / 10)) === 0 || s === steps) console.log(`step ${String(s).padStart(4)}  loss ${(value.item() as number).toFixed(6)}`);
  const [w] = flatten(model);
  const [gw] = flatten(g);
  model = unflatten(def, w.map((p, i) => (p as np.Array).sub((gw[i] as np.Array).mul(learningRate)))) as nn.MLP;
}

