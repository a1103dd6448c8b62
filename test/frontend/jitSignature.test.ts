// What a jit signature is (issue #11 items 1, 2, 6, 15): the full pytree
// definition with static data compared by value, the avals, and static
// arguments by value. Each case computes its expected values by hand; the
// value cases run on every backend.
import { describe, expect, it } from "vitest";
import { PytreeError, jit, makeJaxpr, nn, np, registerPytreeNode, vmap } from "../../src/index.js";
import { BACKEND_NAMES } from "../helpers/backends.js";

class Scaled extends nn.Module {
  w = np.ones([2]);
  constructor(public scale: number) {
    super();
  }
  forward(x: np.Array): np.Array {
    return x.mul(this.w).mul(this.scale);
  }
}

class Act extends nn.Module {
  w = np.array([1, -2]);
  constructor(public act: "tanh" | "none") {
    super();
  }
  forward(x: np.Array): np.Array {
    const h = x.mul(this.w);
    return this.act === "tanh" ? np.tanh(h) : h;
  }
}

/** A custom node whose aux data (an offset) is static. */
class Shifted {
  constructor(readonly x: np.Array, readonly offset: number) {}
}
registerPytreeNode(Shifted, (s) => [[s.x], s.offset], (aux, children) => new Shifted((children as unknown[])[0] as np.Array, aux as number));

/** Mixed containers: arrays in them are parameters, numbers next to them static. */
class Norm extends nn.Module {
  p = { scale: np.array([2, 4]), eps: 0.5 };
  layers: (nn.Linear | number)[] = [new nn.Linear(2, 2, { seed: 3 }), 7];
  forward(x: np.Array): np.Array {
    return x.mul(this.p.scale).add(this.p.eps);
  }
}

const x = np.array([1, 2]);

describe.each(BACKEND_NAMES)("jit signatures (jit:%s)", (backend) => {
  it("a module's static number field is part of the signature", () => {
    const f = jit((m: Scaled, x: np.Array) => m.forward(x), { backend });
    expect(f(new Scaled(2), x).toArray()).toEqual([2, 4]);
    expect(f(new Scaled(3), x).toArray()).toEqual([3, 6]);
    expect(f.cacheSize).toBe(2);
    // An equal static value hits the cache.
    expect(f(new Scaled(3), x).toArray()).toEqual([3, 6]);
    expect(f.cacheSize).toBe(2);
  });

  it("a module's string config field is part of the signature", () => {
    const f = jit((m: Act, x: np.Array) => m.forward(x), { backend });
    expect(f(new Act("none"), x).toArray()).toEqual([1, -4]);
    const t = f(new Act("tanh"), x).toArray() as number[];
    expect(t[0]).toBeCloseTo(Math.tanh(1), 6);
    expect(t[1]).toBeCloseTo(Math.tanh(-4), 6);
    expect(f.cacheSize).toBe(2);
  });

  it("a registered node's aux data is part of the signature", () => {
    const f = jit((s: Shifted) => s.x.add(s.offset), { backend });
    expect(f(new Shifted(x, 1)).toArray()).toEqual([2, 3]);
    expect(f(new Shifted(x, 10)).toArray()).toEqual([11, 12]);
    expect(f.cacheSize).toBe(2);
  });

  it("arrays inside a mixed container are parameters, not baked-in constants", () => {
    const f = jit((m: Norm, x: np.Array) => m.forward(x), { backend });
    const m = new Norm();
    expect(f(m, x).toArray()).toEqual([2.5, 8.5]);
    m.p.scale = np.array([10, 100]);
    expect(f(m, x).toArray()).toEqual([10.5, 200.5]);
    expect(f.cacheSize).toBe(1);
    // The scale is an input of the program, not a constant.
    expect(f.lower(m, x).invars.map((v) => v.aval.shape)).toContainEqual([2]);
  });

  it("static arguments retrace per value, compared by value", () => {
    let traces = 0;
    const f = jit(
      (x: np.Array, n: number, opts: { scale: number }) => {
        traces++;
        return np.zeros([n]).add(x.sum()).mul(opts.scale);
      },
      { backend, staticArgnums: [1, -1] },
    );
    expect(f(x, 3, { scale: 2 }).toArray()).toEqual([6, 6, 6]);
    expect(f(x, 2, { scale: 2 }).toArray()).toEqual([6, 6]);
    expect(f(x, 3, { scale: 2 }).toArray()).toEqual([6, 6, 6]);
    expect(f(x, 3, { scale: 1 }).toArray()).toEqual([3, 3, 3]);
    expect([traces, f.cacheSize]).toEqual([3, 3]);
  });
});

describe("vmap agrees with jit on static structure", () => {
  it("retraces for each module's static field and batches arrays inside mixed containers", () => {
    const xs = np.array([[1, 2], [3, 4]]);
    const f = vmap((m: Scaled, x: np.Array) => m.forward(x), { inAxes: [null, 0] });
    expect(f(new Scaled(2), xs).toArray()).toEqual([[2, 4], [6, 8]]);
    expect(f(new Scaled(3), xs).toArray()).toEqual([[3, 6], [9, 12]]);
    // A mixed container's array is a leaf, so it can be mapped.
    const norms = new Norm();
    norms.p.scale = np.array([[1, 1], [2, 2]]);
    const g = vmap((m: Norm, x: np.Array) => m.forward(x), { inAxes: [{ p: { scale: 0 }, layers: { 0: null } }, 0] });
    expect(g(norms, xs).toArray()).toEqual([[1.5, 2.5], [6.5, 8.5]]);
  });
});

describe("nn.state and nn.update with mixed containers", () => {
  it("lists arrays inside plain objects and lists next to static numbers", () => {
    const m = new Norm();
    const s = nn.state(m);
    expect(Object.keys(s).sort()).toEqual(["layers", "p"]);
    expect(Object.keys(s.p as object)).toEqual(["scale"]);
    expect(Object.keys(s.layers as object)).toEqual(["0"]);
    nn.update(m, { ...s, p: { scale: np.array([5, 6]) } });
    expect(m.p.scale.toArray()).toEqual([5, 6]);
    expect(m.p.eps).toBe(0.5);
    expect(m.layers[1]).toBe(7);
  });
});

describe("np.ShapeDtype is only for makeJaxpr and jit(f).lower (item 6)", () => {
  const spec = np.ShapeDtype([2], "float32");
  it("jit and vmap calls reject a spec and say where specs belong", () => {
    const f = (x: np.Array) => x.add(1);
    expect(() => jit(f)(spec as never)).toThrow(/jit\(f\): argument args\[0\] is an np\.ShapeDtype spec \(f32\[2\]\).*makeJaxpr\(f\)\(\.\.\.\) and jit\(f\)\.lower\(\.\.\.\)/);
    expect(() => vmap(f)(np.ShapeDtype([3, 2], "float32") as never)).toThrow(/vmap: argument args\[0\] is an np\.ShapeDtype spec \(f32\[3,2\]\)/);
  });
  it("makeJaxpr and jit(f).lower accept specs", () => {
    const f = (x: np.Array) => x.add(1);
    expect(jit(f).lower(spec).invars[0]!.aval).toEqual({ dtype: "float32", shape: [2] });
    expect(makeJaxpr(f)(spec).toString()).toContain("a:f32[2]");
  });
});

describe("static argument errors (item 15)", () => {
  it("a string argument without staticArgnums names its position", () => {
    const pick = (x: np.Array, mode: string) => (mode === "double" ? x.mul(2) : x);
    const f = jit(pick);
    expect(() => f(x, "double")).toThrow(PytreeError);
    expect(() => f(x, "double")).toThrow(/jit\(pick\): unsupported value at args\[1\].*mark it static with jit\(f, \{ staticArgnums: \[1\] \}\)/);
    expect(jit(pick, { staticArgnums: 1 })(x, "double").toArray()).toEqual([2, 4]);
  });
  it("staticArgnums out of range or not an integer", () => {
    expect(() => jit((x: np.Array) => x, { staticArgnums: [2] })(x)).toThrow("jit(jitted): staticArgnums contains 2, but the function was called with 1 argument");
    expect(() => jit((x: np.Array) => x, { staticArgnums: [0.5] })).toThrow("jit(jitted): staticArgnums must be integers, got 0.5");
  });
});
