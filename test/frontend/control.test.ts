// Control flow: whileLoop, foriLoop, scan, cond, switchCase — eager and traced,
// with JAX's test cases (tests/lax_control_flow_test.py) and hand-derived values.
//
// Value tests run once per mode (test/helpers/backends.ts): eagerly, and
// through jit on every backend. The traced-IR tests (exact text, evaluating
// the traced jaxpr) run once.
import { describe, expect, it } from "vitest";
import { cond, foriLoop, makeJaxpr, np, registerPytreeNode, runJaxpr, scan, switchCase, whileLoop } from "../../src/index.js";
import { expectAllClose } from "../helpers/allclose.js";
import { RUN_MODES } from "../helpers/backends.js";
import { printChecked } from "../helpers/ir.js";
import { NP } from "./numpy-refs.js";

const f32 = (...shape: number[]) => np.ShapeDtype(shape, "float32");
const i32 = (...shape: number[]) => np.ShapeDtype(shape, "int32");
const int = (v: number) => np.array(v, { dtype: "int32" });
const values = (xs: readonly np.Array[]) => xs.map((x) => x.toArray());

// ---------------------------------------------------------------- functions under test

/** testWhileLoopTupleBatched, unbatched: cond x+y<5, body (x+1, y). */
const tupleLoop = (x: np.Array | number, y: np.Array | number) => whileLoop(([a, b]) => a.add(b).lt(5), ([a, b]) => [a.add(1), b], [x, y]);

/** test_while_constification_correctness_manually: a permuted forward is a real carry. */
const dummy1 = np.array(1.5), dummy2 = np.array(-2);
const permutedCarry = (c0: np.Array, c1: np.Array, c2: np.Array) =>
  whileLoop(
    (c) => c[1].eq(0),
    (c) => {
      // Two closed-over body consts that do not affect the result.
      void dummy1.add(dummy2);
      return [0, 1, c[0]];
    },
    [c0, c1, c2],
  );
const PERMUTED_INIT = [np.array(5), np.array(0), np.array(3.14)] as const;

/** testNestedWhile: nested counting loops. */
const innerLoop = (i: np.Array, count: np.Array) => whileLoop(([ii, j]) => j.le(ii), ([ii, j, c]) => [ii, j.add(1), c.add(1)], [i, 0, count])[2];
const outerLoop = (num: np.Array) => {
  const [, i, count] = whileLoop(([n, ii]) => ii.lt(n), ([n, ii, c]) => [n, ii.add(1), innerLoop(ii, c)], [num, 0, 0]);
  return [i, count];
};

/** A module-like class (what nn.Linear will be): a registered pytree node holding arrays. */
class Affine {
  constructor(readonly w: np.Array, readonly b: np.Array) {}
  forward(x: np.Array): np.Array {
    return np.matmul(x, this.w).add(this.b);
  }
}
registerPytreeNode(Affine, (m) => [{ w: m.w, b: m.b }, null], (_aux, c) => {
  const { w, b } = c as { w: np.Array; b: np.Array };
  return new Affine(w, b);
});

/** The seed scenario without vmap: the module rides in the carry. */
const carriedModule = (model: Affine, x: np.Array, count: np.Array) => {
  const [, y] = whileLoop(([i]) => i.lt(count), ([i, h, m]) => [i.add(1), m.forward(h), m], [0, x, model]);
  return y;
};
const MODEL = new Affine(np.array([[2, 0], [0, 2]]), np.array([1, 0]));

/** README: Collatz step count. */
const collatzSteps = (n: np.Array) =>
  whileLoop(
    ([, m]) => m.ne(1),
    ([k, m]) => [k.add(1), np.where(m.rem(2).eq(0), m.div(2), m.mul(3).add(1))],
    [0, n],
  )[0];

/** Static bounds lower to a scan with carry (i, x). */
const foriProduct = (x: np.Array) => foriLoop(1, 4, (i, c) => c.mul(i), x);

/** testForiLoopClosure: fori(0, num, (i, tot) => num + tot + i). */
const foriClosure = (num: np.Array | number) => foriLoop(0, num, (i, tot) => i.add(tot).add(num), 0);

const XS = np.array([1, 2, 3, 4, 5]);
const cumsum = (v: np.Array) => scan((c, x) => [c.add(x), c.add(x)], np.zeros([]), v)[1];
const reverseScan = (v: np.Array) => scan((c, x) => [c.add(x), c.add(x)], np.zeros([]), v, { reverse: true });

/** JAX's test_cond: branches [falseFn, trueFn] take the union of captures, then the operands. */
const testCond = (x: np.Array) => cond(x.ge(0), (xt, _xf) => xt.add(x), (_xt, xf) => xf.sub(x), x.add(1), x.add(2));

/** Captures of an outer tracer and of a concrete array used by only one branch. */
const C100 = np.array([100, 200]);
const captures = (p: np.Array, s: np.Array, x: np.Array) => cond(p, (v) => v.add(C100), (v) => v.mul(s), x);

/** testSwitchBatched's unbatched form; the index is clamped. */
const switch3 = (i: np.Array | number, x: np.Array, y: np.Array, z: np.Array) =>
  switchCase(i, [(a, _b, _c) => a, (_a, b, _c) => b.neg(), (_a, _b, c) => np.sign(c)], x, y, z);
const [SX, SY, SZ] = [np.array([1, 2]), np.array([3, 4]), np.array([5, -6])];

/** Pytree outputs; a JS number output takes the other branch's type. */
const pytreeCond = (p: np.Array, x: np.Array) => cond(p, (v) => ({ a: v.sum(), b: 1 }), (v) => ({ a: 0, b: v.max() }), x);

/** A control-flow op inside a branch, closing over the branch's own operand. */
const loopInBranch = (p: np.Array, n: np.Array) => cond(p, (k) => foriLoop(0, k, (_i, acc) => acc.add(k), 0), (k) => k.neg(), n);

// ---------------------------------------------------------------- values, in every mode

describe.each(RUN_MODES)("control-flow values (%s)", (_mode, { run }) => {
  describe("whileLoop", () => {
    it("testWhileLoopTupleBatched (unbatched): init (0, 1) → (4, 1); (0, 2) → (3, 2)", () => {
      expect(values(run(tupleLoop)(0, 1))).toEqual([4, 1]);
      expect(values(run(tupleLoop)(int(0), int(2)))).toEqual([3, 2]);
    });

    it("test_while_constification_correctness_manually: (5, 0, 3.14) → (0, 1, 5)", () => {
      expectAllClose(run(permutedCarry)(...PERMUTED_INIT), [0, 1, 5]);
    });

    it("testNestedWhile: num 2, 3, 4 → i = num, count = 3, 6, 10", () => {
      for (const [n, expected] of [[2, [2, 3]], [3, [3, 6]], [4, [4, 10]]] as const) {
        expect(values(run(outerLoop)(int(n)))).toEqual(expected);
      }
    });

    it("pytree carries: objects and JS number inits become int32/float32 arrays", () => {
      const out = run(() =>
        whileLoop(
          (c) => c.i.lt(3),
          (c) => ({ i: c.i.add(1), acc: { x: c.acc.x.mul(2), s: c.acc.s.add(0.5) } }),
          { i: 0, acc: { x: np.array([1, 2]), s: 0.25 } },
        ),
      )();
      expect(out.i.dtype).toBe("int32");
      expect(out.acc.s.dtype).toBe("float32");
      expect([out.i.toArray(), out.acc.x.toArray(), out.acc.s.toArray()]).toEqual([3, [8, 16], 1.75]);
    });

    it("a body returning a JS number for a carry leaf is cast to the carry's dtype", () => {
      const [a, b] = run(() => whileLoop(([x]) => x.lt(1), ([x]) => [x.add(1), 7], [0, np.array(0.5)]))();
      expect([a.dtype, b.dtype, b.toArray()]).toEqual(["int32", "float32", 7]);
    });

    it("carries a module through the loop (the seed scenario without vmap)", () => {
      // Hand-derived: h -> 2h + [1, 0] three times from [1, 1]: [3, 2], [7, 4], [15, 8].
      expect(run(carriedModule)(MODEL, np.array([1, 1]), int(3)).toArray()).toEqual([15, 8]);
    });

    it("README: Collatz steps of 27 is 111", () => {
      expect(run(collatzSteps)(int(27)).item()).toBe(111);
    });
  });

  describe("foriLoop", () => {
    it("static bounds: x × 1 × 2 × 3; an empty range runs zero times", () => {
      expect(run(foriProduct)(np.array([1, 2])).toArray()).toEqual([6, 12]);
      expect(run((x: np.Array) => foriLoop(5, 2, (_i, c) => c.add(1), x))(np.array(0)).toArray()).toEqual(0);
    });

    it("testForiLoopClosure: count(n) = n² + n(n-1)/2, static and dynamic bounds", () => {
      // Hand-derived: tot_{k+1} = num + tot_k + k.
      expect(run(() => foriClosure(2))().toArray()).toEqual(5); // static bounds → scan
      for (const [n, expected] of [[2, 5], [3, 12], [4, 22], [0, 0]] as const) {
        expect(run(foriClosure)(int(n)).toArray()).toEqual(expected); // dynamic bound → while
      }
    });
  });

  describe("scan", () => {
    it("forward cumulative sum matches numpy cumsum", () => {
      expect(run(cumsum)(XS).toArray()).toEqual(NP.cumsum);
    });

    it("reverse scan: ys stay at their slice index", () => {
      const [total, ys] = run(reverseScan)(XS);
      expect(total.toArray()).toEqual(15);
      expect(ys.toArray()).toEqual([15, 14, 12, 9, 5]); // hand-derived suffix sums
    });

    it("pytree xs and carries, closures, xs=null with a length, y=null", () => {
      const w = np.array([10, 20]);
      const [carry, ys] = run(() =>
        scan(
          (c, x) => [{ n: c.n.add(1), s: c.s.add(x.a.mul(w)) }, { d: x.b.mul(2) }],
          { n: 0, s: np.zeros([2]) },
          { a: np.array([[1, 0], [0, 1], [1, 1]]), b: np.array([1, 2, 3], { dtype: "int32" }) },
        ),
      )();
      expect([carry.n.toArray(), carry.s.toArray(), ys.d.toArray()]).toEqual([3, [20, 40], [2, 4, 6]]);
      const [count, none] = run(() => scan((c, _x) => [c.add(2), null], 1, null, { length: 4 }))();
      expect([count.toArray(), none]).toEqual([9, null]);
    });
  });

  describe("cond and switchCase", () => {
    it("JAX's test_cond: x >= 0 gives (x + 1) + x, otherwise (x + 2) - x = 2", () => {
      expect(run(testCond)(np.array(3)).toArray()).toEqual(7);
      expect(run(testCond)(np.array(-3)).toArray()).toEqual(2);
    });

    it("captures of an outer tracer and of a concrete array used by only one branch", () => {
      const x = np.array([1, 2]);
      expect(run(captures)(np.array(true), np.array(3), x).toArray()).toEqual([101, 202]);
      expect(run(captures)(np.array(false), np.array(3), x).toArray()).toEqual([3, 6]);
    });

    it("testSwitchBatched's unbatched form; the index is clamped", () => {
      expect(run((x: np.Array, y: np.Array, z: np.Array) => switch3(0, x, y, z))(SX, SY, SZ).toArray()).toEqual([1, 2]);
      expect(run(switch3)(int(1), SX, SY, SZ).toArray()).toEqual([-3, -4]);
      expect(run(switch3)(int(2), SX, SY, SZ).toArray()).toEqual([1, -1]);
      expect(run(switch3)(int(7), SX, SY, SZ).toArray()).toEqual([1, -1]); // clamped to the last branch
      expect(run(switch3)(int(-1), SX, SY, SZ).toArray()).toEqual([1, 2]); // clamped to the first
      expect(run(switch3)(int(9), SX, SY, SZ).toArray()).toEqual([1, -1]);
    });

    it("pytree outputs; a JS number output takes the other branch's type", () => {
      const out = run(pytreeCond)(np.array(true), np.array([1, 2, 3]));
      expect([out.a.dtype, out.b.dtype]).toEqual(["float32", "float32"]);
      expect([out.a.toArray(), out.b.toArray()]).toEqual([6, 1]);
      const o2 = run(pytreeCond)(np.array(false), np.array([1, 2, 3]));
      expect([o2.a.toArray(), o2.b.toArray()]).toEqual([0, 3]);
    });

    it("a control-flow op inside a branch, closing over the branch's own operand", () => {
      expect(run(loopInBranch)(np.array(true), int(4)).toArray()).toEqual(16);
      expect(run(loopInBranch)(np.array(false), int(4)).toArray()).toEqual(-4);
      expect(run(loopInBranch)(np.array(true), int(3)).toArray()).toEqual(9);
    });
  });
});

// ---------------------------------------------------------------- traced IR (one run)

describe("whileLoop IR", () => {
  it("testWhileLoopTupleBatched (unbatched): the jaxpr, and evaluating it", () => {
    const j = makeJaxpr(tupleLoop)(i32(), i32());
    expect(printChecked(j)).toBe(
      [
        "{ lambda ; a:i32[] b:i32[]. let",
        "    c:i32[] d:i32[] = while[",
        "      body_jaxpr={ lambda ; e:i32[] f:i32[]. let g:i32[] = add e 1:i32[] in (g, f) }",
        "      body_nconsts=0",
        "      cond_jaxpr={ lambda ; h:i32[] i:i32[]. let",
        "          j:i32[] = add h i",
        "          k:bool[] = lt j 5:i32[]",
        "        in (k,) }",
        "      cond_nconsts=0",
        "    ] a b",
        "  in (c, d) }",
      ].join("\n"),
    );
    expect(values(runJaxpr(j, int(0), int(1)) as np.Array[])).toEqual([4, 1]);
    expect(values(runJaxpr(j, int(0), int(2)) as np.Array[])).toEqual([3, 2]);
  });

  it("test_while_constification_correctness_manually: two body consts, JS numbers cast to the f32 carries", () => {
    const j = makeJaxpr(permutedCarry)(f32(), f32(), f32());
    const text = printChecked(j);
    expect(text).toContain("body_nconsts=2");
    expect(text).toContain("in (0.0:f32[], 1.0:f32[], k) }");
    expectAllClose(runJaxpr(j, ...PERMUTED_INIT), [0, 1, 5]);
  });

  it("testNestedWhile: two whiles", () => {
    const j = makeJaxpr(outerLoop)(i32());
    const text = printChecked(j);
    expect(text.match(/= while\[/g)).toHaveLength(2);
    for (const [n, expected] of [[2, [2, 3]], [3, [3, 6]], [4, [4, 10]]] as const) {
      expect(values(runJaxpr(j, int(n)) as np.Array[])).toEqual(expected);
    }
  });

  it("a carried module's leaves come in its flatten order (w, b) and are forwarded carries", () => {
    const j = makeJaxpr(carriedModule)(new Affine(np.zeros([2, 2]), np.zeros([2])), f32(2), i32());
    const text = printChecked(j);
    expect(text).toContain("{ lambda ; a:f32[2,2] b:f32[2] c:f32[2] d:i32[]. let");
    expect(text).toContain("in (j, l, h, i) }");
    expect((runJaxpr(j, MODEL, np.array([1, 1]), int(3)) as np.Array).toArray()).toEqual([15, 8]);
  });

  it("README: Collatz, traced", () => {
    expect((runJaxpr(makeJaxpr(collatzSteps)(i32()), int(27)) as np.Array).item()).toBe(111);
  });
});

describe("foriLoop IR", () => {
  it("static bounds lower to a scan with carry (i, x); an empty range has length 0", () => {
    const j = makeJaxpr(foriProduct)(f32(2));
    expect(printChecked(j)).toBe(
      [
        "{ lambda ; a:f32[2]. let",
        "    _:i32[] b:f32[2] = scan[",
        "      jaxpr={ lambda ; c:i32[] d:f32[2]. let",
        "          e:i32[] = add c 1:i32[]",
        "          f:f32[] = convert_element_type[new_dtype=float32] c",
        "          g:f32[2] = mul d f",
        "        in (e, g) }",
        "      length=3",
        "      num_carry=2",
        "      num_consts=0",
        "      reverse=False",
        "    ] 1:i32[] a",
        "  in (b,) }",
      ].join("\n"),
    );
    expect((runJaxpr(j, np.array([1, 2])) as np.Array).toArray()).toEqual([6, 12]);
    expect(printChecked(makeJaxpr((x: np.Array) => foriLoop(5, 2, (_i, c) => c.add(1), x))(f32()))).toContain("length=0");
  });

  it("testForiLoopClosure: a dynamic bound lowers to a while", () => {
    const j = makeJaxpr(foriClosure)(i32());
    expect(printChecked(j)).toBe(
      [
        "{ lambda ; a:i32[]. let",
        "    _:i32[] _:i32[] b:i32[] = while[",
        "      body_jaxpr={ lambda ; c:i32[] d:i32[] e:i32[] f:i32[]. let",
        "          g:i32[] = add d 1:i32[]",
        "          h:i32[] = add d f",
        "          i:i32[] = add h c",
        "        in (g, e, i) }",
        "      body_nconsts=1",
        "      cond_jaxpr={ lambda ; j:i32[] k:i32[] l:i32[]. let m:bool[] = lt j k in (m,) }",
        "      cond_nconsts=0",
        "    ] a 0:i32[] a 0:i32[]",
        "  in (b,) }",
      ].join("\n"),
    );
    for (const [n, expected] of [[2, 5], [3, 12], [4, 22], [0, 0]] as const) {
      expect((runJaxpr(j, int(n)) as np.Array).toArray()).toBe(expected);
    }
  });
});

describe("scan IR", () => {
  it("forward cumulative sum", () => {
    const j = makeJaxpr(cumsum)(f32(5));
    expect(printChecked(j)).toBe(
      [
        "{ lambda ; a:f32[5]. let",
        "    b:f32[] = broadcast_in_dim[broadcast_dimensions=() shape=()] 0.0:f32[]",
        "    _:f32[] c:f32[5] = scan[",
        "      jaxpr={ lambda ; d:f32[] e:f32[]. let",
        "          f:f32[] = add d e",
        "          g:f32[] = add d e",
        "        in (f, g) }",
        "      length=5",
        "      num_carry=1",
        "      num_consts=0",
        "      reverse=False",
        "    ] b a",
        "  in (c,) }",
      ].join("\n"),
    );
    expect((runJaxpr(j, XS) as np.Array).toArray()).toEqual(NP.cumsum);
  });

  it("reverse scan", () => {
    const j = makeJaxpr(reverseScan)(f32(5));
    expect(printChecked(j)).toContain("reverse=True");
    expect(values(runJaxpr(j, XS) as np.Array[])).toEqual([15, [15, 14, 12, 9, 5]]);
  });
});

describe("cond and switchCase IR", () => {
  it("JAX's test_cond jaxpr: branches [falseFn, trueFn] take the union of captures, then the operands", () => {
    const j = makeJaxpr(testCond)(f32());
    expect(printChecked(j)).toBe(
      [
        "{ lambda ; a:f32[]. let",
        "    b:bool[] = ge a 0.0:f32[]",
        "    c:f32[] = add a 1.0:f32[]",
        "    d:f32[] = add a 2.0:f32[]",
        "    e:i32[] = convert_element_type[new_dtype=int32] b",
        "    f:f32[] = cond[",
        "      branches=(",
        "        { lambda ; g:f32[] h:f32[] i:f32[]. let j:f32[] = sub i g in (j,) }",
        "        { lambda ; k:f32[] l:f32[] m:f32[]. let n:f32[] = add l k in (n,) }",
        "      )",
        "    ] e a c d",
        "  in (f,) }",
      ].join("\n"),
    );
    expect((runJaxpr(j, np.array(3)) as np.Array).toArray()).toEqual(7);
    expect((runJaxpr(j, np.array(-3)) as np.Array).toArray()).toEqual(2);
  });

  it("captures of an outer tracer and of a concrete array used by only one branch", () => {
    const j = makeJaxpr(captures)(np.ShapeDtype([], "bool"), f32(), f32(2));
    expect(printChecked(j)).toBe(
      [
        "{ lambda a:f32[2]; b:bool[] c:f32[] d:f32[2]. let",
        "    e:i32[] = convert_element_type[new_dtype=int32] b",
        "    f:f32[2] = cond[",
        "      branches=(",
        "        { lambda ; g:f32[] h:f32[2] i:f32[2]. let j:f32[2] = mul i g in (j,) }",
        "        { lambda ; k:f32[] l:f32[2] m:f32[2]. let n:f32[2] = add m l in (n,) }",
        "      )",
        "    ] e c a d",
        "  in (f,) }",
      ].join("\n"),
    );
    const x = np.array([1, 2]);
    expect((runJaxpr(j, np.array(true), np.array(3), x) as np.Array).toArray()).toEqual([101, 202]);
    expect((runJaxpr(j, np.array(false), np.array(3), x) as np.Array).toArray()).toEqual([3, 6]);
  });

  it("testSwitchBatched's unbatched form: no clamp op in the IR (cond clamps)", () => {
    const j = makeJaxpr(switch3)(i32(), f32(2), f32(2), f32(2));
    const text = printChecked(j);
    expect(text).not.toContain("clamp");
    expect((runJaxpr(j, int(1), SX, SY, SZ) as np.Array).toArray()).toEqual([-3, -4]);
    expect((runJaxpr(j, int(9), SX, SY, SZ) as np.Array).toArray()).toEqual([1, -1]);
  });

  it("pytree outputs: the literal outputs are retyped to the other branch's f32[]", () => {
    const j = makeJaxpr(pytreeCond)(np.ShapeDtype([], "bool"), f32(3));
    const text = printChecked(j);
    expect(text).toContain("in (0.0:f32[], g) }");
    expect(text).toContain("in (i, 1.0:f32[]) }");
    const o2 = runJaxpr(j, np.array(false), np.array([1, 2, 3])) as { a: np.Array; b: np.Array };
    expect([o2.a.toArray(), o2.b.toArray()]).toEqual([0, 3]);
  });

  it("a control-flow op inside a branch, traced", () => {
    const j = makeJaxpr(loopInBranch)(np.ShapeDtype([], "bool"), i32());
    printChecked(j);
    expect((runJaxpr(j, np.array(true), int(3)) as np.Array).toArray()).toEqual(9);
  });
});
