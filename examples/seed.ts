// `npm start`: the seed scenario (google/flax#4700). A model rides in the
// carry of a while loop whose trip count differs per lane; under vmap the
// loop's predicate is batched. JAX then batches every carry, weights
// included. tsjax proves the weights unmodified and hoists them into loop
// constants, so they stay broadcast.
import { makeJaxpr, nn, np, passes, vmap, whileLoop } from "../src/index.js";
import { type Eqn, type Jaxpr, type Var, printJaxpr } from "../src/ir/index.js";

function foo(model: nn.MLP, x: np.Array, count: np.Array) {
  const [, y] = whileLoop(([i]) => i.lt(count), ([i, h, m]) => [i.add(1), m.forward(h), m], [0, x, model]);
  return y;
}

const model = new nn.MLP([8, 16, 8], { seed: 0 });
const B = 4;
const xs = np.ones([B, 8]);
const counts = np.array([0, 1, 2, 3], { dtype: "int32" });

const rule = (s: string) => console.log(`\n${"=".repeat(8)} ${s} ${"=".repeat(Math.max(0, 70 - s.length))}`);

rule("1. the per-lane program, as traced (f32[8] in, the model in the carry)");
const lane = makeJaxpr(foo)(model, np.ShapeDtype([8], "float32"), np.ShapeDtype([], "int32"));
console.log(lane.toString());

rule("2. the pipeline vmap runs: hoist the invariant carries, then batch");
const { jaxpr: hoisted } = passes.runPipeline(lane.jaxpr, "hoist-invariant-carries,dce", {
  printAfterAll: true,
  sink: (text) => console.log(text),
});
const { jaxpr: batched } = passes.runPipeline(
  hoisted,
  `batch{in-axes=${[...lane.jaxpr.invars.map((_, i) => (i < 4 ? "null" : "0"))].join(",")} size=${B}}`,
  { printAfterAll: true, sink: (text) => console.log(text) },
);

rule("3. the result");
const y = vmap(foo, { inAxes: [null, 0, 0] })(model, xs, counts);
console.log(`trip counts ${JSON.stringify(counts.toArray())}; lane outputs (first 3 features):`);
for (const row of y.toArray() as number[][]) console.log(`  [${row.slice(0, 3).map((v) => v.toFixed(5)).join(", ")}, …]`);

rule("4. the same vmap with hoisting off (what JAX does)");
const off = makeJaxpr(vmap(foo, { inAxes: [null, 0, 0], hoistInvariantCarries: false }))(model, xs, counts);
const on = makeJaxpr(vmap(foo, { inAxes: [null, 0, 0] }))(model, xs, counts);
const yOff = vmap(foo, { inAxes: [null, 0, 0], hoistInvariantCarries: false })(model, xs, counts);
const maxDiff = Math.max(...(y.data() as Float32Array).map((v, i) => Math.abs(v - (yOff.data() as Float32Array)[i]!)));
console.log(`same numbers: max |difference| = ${maxDiff}`);

/** The loop's read-only inputs (the weights): its body consts, plus carries the body returns unchanged. */
function paramShapes(j: Jaxpr): { shapes: string[]; bytes: number } {
  const w = j.eqns.find((e): e is Eqn<"while"> => e.prim === "while")!;
  const body = w.params.body_jaxpr, n = w.params.body_nconsts;
  const forwarded = body.invars.slice(n).filter((v, i) => body.outvars[i]!.kind === "var" && (body.outvars[i] as Var).id === v.id);
  const params = [...body.invars.slice(0, n), ...forwarded];
  const shapes = params.map((v) => `f32[${v.aval.shape.join(",")}]`);
  const bytes = params.reduce((acc, v) => acc + 4 * v.aval.shape.reduce((x, y) => x * y, 1), 0);
  return { shapes, bytes };
}
const a = paramShapes(on.jaxpr), b = paramShapes(off.jaxpr);
console.log(`\n  ${"".padEnd(24)}${"hoisting on".padEnd(36)}hoisting off (JAX)`);
console.log(`  ${"parameter shapes".padEnd(24)}${a.shapes.join(" ").padEnd(36)}${b.shapes.join(" ")}`);
console.log(`  ${"parameter bytes".padEnd(24)}${String(a.bytes).padEnd(36)}${b.bytes}`);
console.log(`\nThe batched program with hoisting off (weights broadcast to [${B}, …]):\n`);
console.log(printJaxpr(off.jaxpr));
