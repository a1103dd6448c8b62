// seed-grad: one training step through the seed loop. valueAndGrad of
// mean(seed(x)²) with respect to the model (W, b), where each lane runs its
// own number of steps of tanh(h @ W + b) inside a whileLoop under vmap:
// reverse mode records every lane's steps on tapes and replays them. JAX and
// jax-js cannot take this gradient (no reverse mode through a while loop with
// a dynamic trip count), so there is no jax-js column; the baseline is a
// hand-written per-lane backprop in plain JS. Compare its tsjax rows with the
// `seed` rows (the forward of the same program).

import type { Output, Workload } from "../harness/types.js";
import { seedGradPlain } from "../plain.js";
import { jit, makeJaxpr, seedGradProgram } from "../tsjax.js";
import type { JaxHandle } from "./jaxHandle.js";
import { type SeedSize, seedSetup } from "./seed.js";

/**
 * What the tapes hold: the slots the gradient program records per step
 * (read off its while_record), times the steps the batched loop runs (the
 * largest count), against the ideal Σ_i k_i steps of one lane's residuals.
 */
function tapeNote(size: SeedSize, counts: Int32Array, args: readonly unknown[]): string {
  const j = makeJaxpr(seedGradProgram)(...(args as Parameters<typeof seedGradProgram>)).jaxpr;
  const rec = j.eqns.find((e) => e.prim === "while_record");
  if (!rec) return "tapes: the gradient program records no loop";
  const slotBytes = rec.outputs.filter((o) => o.aval.tape).reduce((n, o) => n + 4 * o.aval.shape.reduce((a, d) => a * d, 1), 0);
  const steps = Math.max(...counts);
  const laneSteps = counts.reduce((a, k) => a + k, 0);
  const stored = steps * slotBytes;
  const ideal = (laneSteps * slotBytes) / size.lanes;
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB`;
  return `tapes: ${mib(slotBytes)} per step × ${steps} steps = ${mib(stored)} stored; Σ_i k_i × residual bytes per lane-step = ${laneSteps} × ${slotBytes / size.lanes} B = ${mib(ideal)} (${(stored / ideal).toFixed(3)}×)`;
}

export function seedGradWorkload(size: SeedSize, jaxHandle: JaxHandle): Workload {
  const s = seedSetup(size, jaxHandle);
  const { x, w, b, counts } = s.raw;
  const reference = () => seedGradPlain(x, w, b, counts, s.d);
  return {
    notes: [tapeNote(size, counts, s.tsjaxArgs()), "compare the tsjax rows with the seed rows: the same program's forward pass (target: ≤ 4× its time)"],
    name: "seed-grad",
    description: `valueAndGrad of mean(seed(x)²) w.r.t. W and b through vmap(whileLoop), B=${s.lanes}, D=${s.d}, lane i runs i % ${size.modulus} steps; result [loss, dW, db]`,
    metric: { unit: "ms" },
    // float32 sums over Σ counts terms against float64 accumulation in plain JS.
    check: { kind: "allclose", rtol: 1e-3, atol: 1e-6 },
    reference,
    prepare(column) {
      switch (column.kind) {
        case "plain":
          return reference;
        case "tsjax": {
          const f = jit(seedGradProgram, { backend: column.backend });
          const [model, xs, ks] = s.tsjaxArgs();
          return () => {
            const [loss, g] = f(model, xs, ks) as [{ data(): ArrayLike<number> }, { w: { data(): ArrayLike<number> }; b: { data(): ArrayLike<number> } }];
            const dw = g.w.data(), db = g.b.data();
            const out = new Float32Array(1 + dw.length + db.length);
            out[0] = loss.data()[0]!;
            out.set(dw, 1);
            out.set(db, 1 + dw.length);
            return out as Output;
          };
        }
        case "jaxjs":
          return { skip: "no reverse mode through a while loop with a dynamic trip count (JAX and jax-js)" };
      }
    },
  };
}
