// vmap's API surface: inAxes/outAxes/axisSize handling and the error messages
// (each must name the argument or output path and the types involved).
// The value checks run in every mode (eagerly, and through jit on every
// backend: test/helpers/backends.ts); errors, identity and jaxprs run once.
import { describe, expect, it } from "vitest";
import { VmapError, makeJaxpr, np, registerPytreeNode, vmap, whileLoop } from "../../../src/index.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { RUN_MODES } from "../../helpers/backends.js";
import { printChecked } from "../../helpers/ir.js";
import { expectMatchesPerLane, f32, int } from "./lanes.js";

const add = (a: np.Array, b: np.Array) => a.add(b);

/** The VmapError `fn` throws (fails the test if it throws anything else, or nothing). */
function vmapError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VmapError);
    return (e as Error).message;
  }
  return expect.fail("expected a VmapError");
}

describe("vmap errors", () => {
  it("inconsistent axis sizes name both arguments, their types, axes and sizes", () => {
    expect(vmapError(() => vmap(add)(np.zeros([3]), np.zeros([4])))).toBe(
      "vmap: inconsistent sizes for the mapped axis: args[0] (f32[3], axis 0) has size 3, but args[1] (f32[4], axis 0) has size 4",
    );
    expect(vmapError(() => vmap(add, { inAxes: [0, 1] })(np.zeros([3]), np.zeros([2, 4])))).toContain(
      "args[0] (f32[3], axis 0) has size 3, but args[1] (f32[2,4], axis 1) has size 4",
    );
    // Leaves inside a pytree argument are named by their path.
    expect(vmapError(() => vmap((p: { a: np.Array; b: np.Array }) => p.a)({ a: np.zeros([3]), b: np.zeros([2, 4]) }))).toContain(
      "args[0].a (f32[3], axis 0) has size 3, but args[0].b (f32[2,4], axis 0) has size 2",
    );
    // An explicit axisSize that disagrees with the arguments.
    expect(vmapError(() => vmap(add, { axisSize: 2 })(np.zeros([3]), np.zeros([3])))).toContain(
      "axisSize has size 2, but args[0] (f32[3], axis 0) has size 3",
    );
  });

  it("an axis out of range names the argument and its type", () => {
    expect(vmapError(() => vmap(add, { inAxes: [0, 2] })(np.zeros([3]), np.zeros([3, 4])))).toBe(
      "vmap: inAxes for args[1] is 2, out of range for f32[3,4] (valid axes: -2..1)",
    );
    expect(vmapError(() => vmap(add, { inAxes: [0, -3] })(np.zeros([3]), np.zeros([3, 4])))).toContain("inAxes for args[1] is -3, out of range for f32[3,4]");
    expect(vmapError(() => vmap(add)(np.zeros([3]), np.array(1)))).toBe("vmap: inAxes for args[1] is 0, out of range for f32[] (a scalar has no axes)");
    expect(vmapError(() => vmap((x: np.Array) => x, { inAxes: 0.5 })(np.zeros([3])))).toContain("inAxes for args[0] is 0.5; an axis must be an integer");
    // outAxes counts axes of the batched result: one more than the lane's rank.
    expect(vmapError(() => vmap((x: np.Array) => ({ y: x }), { outAxes: { y: 2 } })(np.zeros([3, 2])))).toBe(
      "vmap: outAxes for output.y is 2, out of range for an output of f32[2] per lane, rank 2 once batched (valid axes: -2..1)",
    );
  });

  it("outAxes null for a batched output names the leaf path", () => {
    const f = (x: np.Array) => ({ a: x, b: [x.mul(2), 1] });
    expect(vmapError(() => vmap(f, { outAxes: { a: 0, b: [null, null] } })(np.zeros([3])))).toBe(
      "vmap: outAxes for output.b[0] is null, but the output is batched (f32[3], batch axis 0).\n" +
        "Why it is batched:\n" +
        "  - `b:f32[] = mul a 2.0:f32[]` in the vmapped function reads a batched operand\n" +
        "  - args[0] is mapped (inAxes 0)",
    );
    expect(vmapError(() => vmap(f, { outAxes: null })(np.zeros([3])))).toContain("outAxes for output.a is null, but the output is batched");
    // The seed program without hoisting: the model carry gets batched by the batched predicate.
    const seed = (w: np.Array, x: np.Array, n: np.Array) => {
      const [, y, w2] = whileLoop(([c]) => c.lt(n), ([c, x, w]) => [c.add(1), np.matmul(x, w), w], [0, x, w]);
      return { w: w2, y };
    };
    expect(
      vmapError(() => vmap(seed, { inAxes: [null, 0, 0], outAxes: { w: null, y: 0 }, hoistInvariantCarries: false })(np.eye(2), np.ones([3, 2]), np.arange(3))),
    ).toBe(
      "vmap: outAxes for output.w is null, but the output is batched (f32[3,2,2], batch axis 0).\n" +
        "Why it is batched:\n" +
        "  - it is carry[2] of the while at equation 0 of the vmapped function, whose predicate is batched (each lane stops after its own number of iterations), so every carry of that loop is batched\n" +
        "  - `e:bool[] = lt b a` in the cond of the while at equation 0 of the vmapped function reads a batched operand\n" +
        "  - args[2] is mapped (inAxes 0)\n" +
        "hoistInvariantCarries is off: with it on, a carry the loop body never changes becomes a loop constant and stays unbatched.",
    );
  });

  it("an inAxes tree that does not match the arguments names the path", () => {
    expect(vmapError(() => vmap((p: { a: np.Array; b: np.Array }) => p.a, { inAxes: [{ a: 0, c: 0 }] })({ a: np.zeros([3]), b: np.zeros([3]) }))).toBe(
      "vmap: inAxes at args[0] is an object with keys {a, c}, but the value there is an object with keys {a, b}",
    );
    // A list of per-argument specs must have one entry per argument.
    expect(vmapError(() => vmap(add, { inAxes: [0] })(np.zeros([3]), np.zeros([3])))).toBe(
      "vmap: inAxes at args is a list of 1, but the value there is a list of 2",
    );
    expect(vmapError(() => vmap((p: np.Array[]) => p[0]!, { inAxes: [[0, 0, 0]] })([np.zeros([3]), np.zeros([3])]))).toContain(
      "inAxes at args[0] is a list of 3, but the value there is a list of 2",
    );
    expect(vmapError(() => vmap((p: np.Array[]) => p[0]!, { inAxes: [[0, [0]]] })([np.zeros([3]), np.zeros([3])]))).toBe(
      "vmap: inAxes at args[0][1] is a list of 1, but the value there is an array; use a number or null",
    );
    // The same checks apply to outAxes.
    expect(vmapError(() => vmap((x: np.Array) => [x, x], { outAxes: [0] })(np.zeros([3])))).toContain(
      "outAxes at output is a list of 1, but the value there is a list of 2",
    );
  });

  it("mapping a JS number is an error", () => {
    expect(vmapError(() => vmap(add as (a: np.Array, b: np.Array | number) => np.Array)(np.zeros([3]), 1))).toBe(
      "vmap: inAxes for args[1] is 0, but the argument is a JS number; only arrays can be mapped",
    );
  });

  it("no mapped argument needs axisSize", () => {
    expect(vmapError(() => vmap(add, { inAxes: null })(np.zeros([3]), np.zeros([3])))).toBe(
      "vmap: no argument is mapped (every inAxes entry is null); pass axisSize to say how many lanes to compute",
    );
  });

  it("axisSize must be a non-negative integer", () => {
    for (const [size, shown] of [[-1, "-1"], [2.5, "2.5"], [Number.NaN, "NaN"], ["3", "string"]] as const) {
      expect(vmapError(() => vmap(add, { inAxes: null, axisSize: size as number })(np.zeros([3]), np.zeros([3])))).toBe(
        `vmap: axisSize must be a non-negative integer, got ${shown}`,
      );
    }
    expect(vmap(add, { inAxes: null, axisSize: 0 })(np.zeros([3]), np.zeros([3])).shape).toEqual([0, 3]);
  });
});

class Lin {
  constructor(
    readonly w: np.Array,
    readonly b: np.Array,
  ) {}
}
registerPytreeNode(Lin, (m) => [{ w: m.w, b: m.b }, null], (_aux, c) => {
  const { w, b } = c as { w: np.Array; b: np.Array };
  return new Lin(w, b);
});
const LIN = new Lin(np.eye(2), f32([[1, 2], [3, 4], [5, 6]]));
const linPassThrough = vmap((m: Lin) => m, { inAxes: [{ w: null, b: 0 }], outAxes: { w: null, b: 0 } });

describe.each(RUN_MODES)("inAxes / outAxes forms: values (%s)", (_mode, { run }) => {
  it("passing a JS number unmapped is fine", () => {
    const out = run(vmap((a: np.Array, b: number) => a.add(b), { inAxes: [0, null] }))(f32([1, 2, 3]), 1);
    expectAllClose(out, [2, 3, 4]);
  });

  it("with axisSize and no mapped argument the outputs are broadcast", () => {
    expectAllClose(run(vmap(add, { inAxes: null, axisSize: 2 }))(f32([1, 2]), f32([3, 4])), [[4, 6], [4, 6]]);
    expectAllClose(run(vmap(add, { inAxes: null, axisSize: 2, outAxes: 1 }))(f32([1, 2]), f32([3, 4])), [[4, 4], [6, 6]]);
    expectAllClose(run(vmap(() => f32(3), { axisSize: 3 }))(), [3, 3, 3]);
    expectMatchesPerLane(add, { inAxes: null, axisSize: 2 }, [f32([1, 2]), f32([3, 4])], {}, run);
  });

  it("negative inAxes and outAxes count from the end", () => {
    const sum = (x: np.Array) => x.sum();
    expect(run(vmap(sum, { inAxes: -1 }))(np.arange(6).reshape([2, 3])).toArray()).toEqual([3, 5, 7]);
    expect(run(vmap((x: np.Array) => x, { outAxes: -1 }))(np.arange(6).reshape([3, 2])).toArray()).toEqual([[0, 2, 4], [1, 3, 5]]);
    // x lane k = x[:, k] (f32[2]), y lane k = y[:, k, :] (f32[4,1]); out[i, j, k] = x[j, k] · y[i, k, 0].
    const mul = (x: np.Array, y: np.Array) => x.mul(y);
    const x = np.arange(6).reshape([2, 3]), y = np.arange(12).reshape([4, 3, 1]);
    const out = run(vmap(mul, { inAxes: [-1, -2], outAxes: -1 }))(x, y);
    expect(out.shape).toEqual([4, 2, 3]);
    expect(out.toArray()).toEqual([0, 1, 2, 3].map((i) => [0, 1].map((j) => [0, 1, 2].map((k) => (3 * j + k) * (3 * i + k)))));
    expectMatchesPerLane(mul, { inAxes: [-1, -2], outAxes: 2 }, [x, y], {}, run);
  });

  it("per-leaf specs: object prefixes for arguments and outputs", () => {
    const f = (p: { a: np.Array; b: np.Array }) => p.a.add(p.b);
    expect(run(vmap(f, { inAxes: [{ a: 0, b: null }] }))({ a: np.arange(3), b: int(10) }).toArray()).toEqual([10, 11, 12]);
    const g = (x: np.Array) => ({ s: x.sum(), t: x });
    const out = run(vmap(g, { inAxes: 1, outAxes: { s: 0, t: 1 } }))(np.arange(6).reshape([2, 3]));
    expect([out.s.toArray(), out.t.toArray()]).toEqual([[3, 5, 7], [[0, 1, 2], [3, 4, 5]]]);
  });

  it("registered classes (modules) as arguments and outputs, with per-field specs", () => {
    const apply = (m: Lin, x: np.Array) => np.matmul(x, m.w).add(m.b);
    expectAllClose(run(vmap(apply, { inAxes: [{ w: null, b: 0 }, 0] }))(LIN, np.ones([3, 2])), [[2, 3], [4, 5], [6, 7]]);
    const back = run(linPassThrough)(LIN);
    expect(back).toBeInstanceOf(Lin);
    expect([back.w.toArray(), back.b.toArray()]).toEqual([LIN.w.toArray(), LIN.b.toArray()]);
  });

  it("outputs that do not depend on the mapped arguments are broadcast (outAxes 0) or returned as arrays (outAxes null)", () => {
    const C = f32([7, 8]);
    expectAllClose(run(vmap((_x: np.Array) => C))(np.zeros([3])), [[7, 8], [7, 8], [7, 8]]);
    // (vmap's static return type is f's, which says `number` here; at run time it is an array.)
    const [a, n] = run(vmap((x: np.Array) => [x, 1.5] as unknown[], { outAxes: [0, null] }))(np.zeros([3])) as [np.Array, np.Array];
    expect(a.shape).toEqual([3]);
    expect(n).toBeInstanceOf(np.Array);
    expect([n.dtype, n.toArray()]).toEqual(["float32", 1.5]);
    // A loop carry hoisted from a number init is still returned as an array.
    const f = (x: np.Array) => whileLoop(([, x]) => x.lt(3), ([i, x]) => [i, x.add(1)], [0, x]);
    const [i, x] = run(vmap(f, { outAxes: [null, 0] }))(int([0, 1, 5]));
    expect(i).toBeInstanceOf(np.Array);
    expect([i.dtype, i.toArray(), x.toArray()]).toEqual(["int32", 0, [3, 3, 5]]);
  });

  it("a vmapped function can be called again with other sizes", () => {
    const g = run(vmap((x: np.Array) => x.mul(2)));
    expectAllClose(g(np.ones([2])), [2, 2]);
    expectAllClose(g(np.ones([3])), [2, 2, 2]);
  });
});

describe("inAxes / outAxes forms", () => {
  it("an unmapped, unchanged module field comes back as the very same array", () => {
    const back = linPassThrough(LIN);
    expect(back).toBeInstanceOf(Lin);
    expect(back.w).toBe(LIN.w);
    expect(back.b.toArray()).toEqual(LIN.b.toArray());
  });

  it("a vmapped function is staged under makeJaxpr with specs", () => {
    const text = printChecked(makeJaxpr(vmap((x: np.Array) => x.mul(2)))(np.ShapeDtype([5, 2], "float32")));
    expect(text).toBe(["{ lambda ; a:f32[5,2]. let", "    b:f32[5,2] = mul a 2.0:f32[]", "  in (b,) }"].join("\n"));
  });
});
