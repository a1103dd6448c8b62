// When an output that must come back unbatched is batched, the error names
// the leaf path and the provenance chain (loop, batched predicate, equation,
// mapped argument) in a few lines a person can act on.
import { describe, expect, it } from "vitest";
import { cond, nn, np, vmap, whileLoop } from "../../../src/index.js";
import { errorOf } from "../../helpers/errors.js";

const messageOf = (f: () => unknown): string => errorOf(f).message;

const xs = np.ones([3, 4]);
const steps = np.array([1, 2, 3], { dtype: "int32" });

describe("batched-output diagnostics", () => {
  it("a model really modified inside a loop with per-lane trip counts", () => {
    const decay = (m: nn.Linear, x: np.Array, n: np.Array) =>
      whileLoop(
        ([i]) => i.lt(n),
        ([i, h, mm]) => {
          const next = new nn.Linear(4, 4);
          next.w = mm.w.mul(0.5);
          next.b = mm.b;
          return [i.add(1), mm.forward(h), next];
        },
        [0, x, m],
      )[2];
    const msg = messageOf(() => vmap(decay, { inAxes: [null, 0, 0], outAxes: null })(new nn.Linear(4, 4), xs, steps));
    expect(msg.split("\n")).toEqual([
      "vmap: outAxes for output.w is null, but the output is batched (f32[3,4,4], batch axis 0).",
      "Why it is batched:",
      "  - it is carry[2].w of the while at equation 0 of the vmapped function, whose predicate is batched (each lane stops after its own number of iterations), so every carry of that loop is batched",
      "  - `d:bool[] = lt b a` in the cond of the while at equation 0 of the vmapped function reads a batched operand",
      "  - args[2] is mapped (inAxes 0)",
      "A carry the loop body never changes would have been hoisted out of the loop and stayed unbatched; this one is changed (or its unchanged value is not provable), so each lane has its own copy. Return the value from outside the loop, or keep it out of the carry.",
    ]);
    // The bias is forwarded unchanged, so it was hoisted and is not the problem.
    expect(msg).not.toMatch(/output\.b/);
  });

  it("with hoisting off, names the parameter path (layers.0.b) and says hoisting would help", () => {
    const model = new nn.MLP([4, 8, 4], { seed: 0 });
    const loopModel = (m: nn.MLP, x: np.Array, n: np.Array) =>
      whileLoop(([i]) => i.lt(n), ([i, h, mm]) => [i.add(1), mm.forward(h), mm], [0, x, m])[2];
    const msg = messageOf(() => vmap(loopModel, { inAxes: [null, 0, 0], outAxes: null, hoistInvariantCarries: false })(model, xs, steps));
    expect(msg).toMatch(/^vmap: outAxes for output\.layers\.0\.b is null, but the output is batched \(f32\[3,8\], batch axis 0\)\.\n/);
    expect(msg).toMatch(/\n {2}- it is carry\[2\]\.layers\.0\.b of the while at equation 0 of the vmapped function, whose predicate is batched/);
    expect(msg).toMatch(/\n {2}- args\[2\] is mapped \(inAxes 0\)\n/);
    expect(msg).toMatch(/\nhoistInvariantCarries is off: with it on, a carry the loop body never changes becomes a loop constant and stays unbatched\.$/);
    // ... and with hoisting on the same program hands the model back unbatched.
    const back = vmap(loopModel, { inAxes: [null, 0, 0], outAxes: null })(model, xs, steps);
    expect(back.layers[0]!.b.toArray()).toEqual(model.layers[0]!.b.toArray());
  });

  it("a cond with a batched predicate that changes the model in one branch", () => {
    const f = (w: np.Array, flag: np.Array) =>
      cond(flag.lt(1), (v: np.Array) => v.mul(2), (v: np.Array) => v, w);
    const msg = messageOf(() => vmap(f, { inAxes: [null, 0], outAxes: null })(np.ones([2, 2]), np.array([0, 1, 2], { dtype: "int32" })));
    expect(msg.split("\n")).toEqual([
      "vmap: outAxes for output is null, but the output is batched (f32[3,2,2], batch axis 0).",
      "Why it is batched:",
      "  - it is output 0 of the cond at equation 2 of the vmapped function, whose index is batched, so each lane takes its own branch's result",
      "  - `d:i32[] = convert_element_type[new_dtype=int32] c` in the vmapped function reads a batched operand",
      "  - `c:bool[] = lt b 1:i32[]` in the vmapped function reads a batched operand",
      "  - args[1] is mapped (inAxes 0)",
    ]);
  });

  it("a plain equation reading a mapped argument", () => {
    const msg = messageOf(() => vmap((w: np.Array, x: np.Array) => w.add(x), { inAxes: [null, 0], outAxes: null })(np.ones([4]), xs));
    expect(msg.split("\n")).toEqual([
      "vmap: outAxes for output is null, but the output is batched (f32[3,4], batch axis 0).",
      "Why it is batched:",
      "  - `c:f32[4] = add a b` in the vmapped function reads a batched operand",
      "  - args[1] is mapped (inAxes 0)",
    ]);
  });
});
