// vmap composed with itself, with control flow on either side, under
// makeJaxpr, and closing over outer values. Every case is checked against the
// per-lane oracle (the un-vmapped function run eagerly lane by lane and
// stacked in plain JS), and the interesting ones against hand-derived values.
//
// Values run in every mode (eagerly, and through jit on every backend:
// test/helpers/backends.ts); the jaxpr checks run once.
import { describe, expect, it } from "vitest";
import { cond, foriLoop, makeJaxpr, np, runJaxpr, scan, switchCase, vmap, whileLoop } from "../../../src/index.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { RUN_MODES } from "../../helpers/backends.js";
import { printChecked } from "../../helpers/ir.js";
import { eqnsOf, typeOf } from "./irQuery.js";
import { expectMatchesPerLane, f32, int, perLane } from "./lanes.js";

// ---------------------------------------------------------------- functions under test

/** x ↦ x + 2 until x ≥ 3: a while whose predicate is batched as soon as x is. */
const upTo3 = (x: np.Array) => whileLoop((v) => v.lt(3), (v) => v.add(2), x);

const X = int([[0, 1, 2, 3], [4, -1, -3, 2], [1, 1, 0, -5]]);
// Hand-derived upTo3 per element: 0→4, 1→3, 2→4, 3→3, 4→4, -1→3, -3→3, -5→3.
const upTo3X = [[4, 3, 4, 3], [4, 3, 3, 4], [3, 3, 4, 3]];
/** Outer lanes are columns of X, inner lanes its rows. */
const columnsThenRows = vmap(vmap(upTo3), { inAxes: 1 });
const X3 = int([[[0, 1], [2, 3]], [[-1, 5], [0, 0]]]);
const threeLevels = vmap(vmap(vmap(upTo3)), { inAxes: 2 });

/** h doubles x n times. Outer vmap: x along axis 1, n along 0; inner: x along 0, n unmapped. */
const doubleN = (x: np.Array, n: np.Array) => whileLoop(([i]) => i.lt(n), ([i, x]) => [i.add(1), x.mul(2)], [0, x])[1];
const doubleNInner = vmap(doubleN, { inAxes: [0, null] });
const doubleNBoth = vmap(doubleNInner, { inAxes: [1, 0] });
const DX = f32([[1, 2, 3], [-1, 0.5, 4]]), DN = int([1, 3, 0]);

/** The inner vmap's function closes over the outer lane (an outer tracer). */
const YS = int([0, 1, 2]);
const capturesOuterLane = (n: np.Array) => vmap((y: np.Array) => whileLoop((v) => v.lt(n), (v) => v.add(2), y))(YS);
const innerCondIndex = (p: np.Array) => vmap((y: np.Array) => cond(p.gt(0), (y) => y.mul(10), (y) => y.neg(), y))(f32([1, 2, 3]));

/** A while with a batched predicate from `vmap`, inside a whileLoop body, a scan body, or a cond branch. */
const withRowInWhile = (row: (x: np.Array) => np.Array) => (x: np.Array) => whileLoop(([i]) => i.lt(2), ([i, x]) => [i.add(1), row(x.sub(5))], [0, x]);
const withRowInScan = (row: (x: np.Array) => np.Array) => (xs: np.Array) => scan((c, x) => [c.add(row(x)), c], int([0, 0]), xs);
/** The per-lane oracle inside a trace: the un-vmapped function on each row, stacked. */
const upTo3Rows = (x: np.Array) => np.stack(Array.from({ length: x.shape[0]! }, (_, l) => upTo3(x.slice(l))));
const vmapInBranch = (p: np.Array, x: np.Array) => cond(p, (x) => vmap(upTo3)(x), (x) => x.neg(), x);

/** makeJaxpr(vmap(f)): an MLP-ish step repeated n times per lane. */
const tanhSteps = (w: np.Array, x: np.Array, n: np.Array) => whileLoop(([i]) => i.lt(n), ([i, h]) => [i.add(1), np.tanh(np.matmul(h, w))], [0, x])[1];
const TW = f32([[0.5, -1], [1, 0.25]]), TX = f32([[1, 2], [0.5, -1], [3, 0]]), TN = int([2, 0, 1]);

/** A vmapped function closing over a tracer of the enclosing trace. */
const closesOverT = (t: np.Array, x: np.Array) => vmap((xl: np.Array) => whileLoop((v) => v.lt(t), (v) => v.add(2), xl))(x);
/** A vmapped function closing over a tracer of an enclosing whileLoop body. */
const closesOverLoopCounter = (x: np.Array) =>
  whileLoop(([i]) => i.lt(2), ([i, x]) => [i.add(1), vmap((xl: np.Array) => whileLoop((v) => v.lt(i.add(3)), (v) => v.add(2), xl))(x)], [0, x]);
/** A vmapped function closing over a concrete array. */
const C = f32([10, 20]);
const addC = (x: np.Array) => x.add(C);
const loopAddC = (x: np.Array) => whileLoop((v) => v.sum().lt(100), (v) => v.add(C), x);

/** h with the inner vmap batching the trip count, for the outer vmap to batch only the data. */
const doubleNTrips = vmap(doubleN, { inAxes: [0, 0] });
const NX = np.arange(24, { dtype: "float32" }).reshape([3, 4, 2]), NN = int([0, 1, 2, 3]);

// ---------------------------------------------------------------- values, in every mode

describe.each(RUN_MODES)("nested vmap values (%s)", (_mode, { run }) => {
  const matches = (f: (...args: never[]) => unknown, options: Parameters<typeof expectMatchesPerLane>[1], args: readonly unknown[]) =>
    expectMatchesPerLane(f, options, args, {}, run);

  describe("vmap(vmap(f))", () => {
    it("a batched-predicate while over columns then rows: upTo3(X) transposed", () => {
      expect(run(columnsThenRows)(X).toArray()).toEqual(upTo3X[0]!.map((_, c) => upTo3X.map((row) => row[c])));
      matches(vmap(upTo3), { inAxes: 1 }, [X]);
    });

    it("inner and outer axes both 0, and inAxes 1 / outAxes 1 round trip to the input layout", () => {
      expect(run(vmap(vmap(upTo3)))(X).toArray()).toEqual(upTo3X);
      expect(run(vmap(vmap(upTo3), { inAxes: 1, outAxes: 1 }))(X).toArray()).toEqual(upTo3X);
      matches(vmap(upTo3), {}, [X]);
    });

    it("three levels", () => {
      matches(vmap(vmap(upTo3)), { inAxes: 2 }, [X3]);
    });

    it("different inAxes per level and per argument: trip count mapped by the inner vmap, data by both", () => {
      // Outer lane k: column k of x doubled n[k] times.
      expectAllClose(run(doubleNBoth)(DX, DN), [[2, -2], [16, 4], [3, 4]]);
      matches(doubleNInner, { inAxes: [1, 0] }, [DX, DN]);
    });

    it("the inner vmap's function closes over the outer lane (an outer tracer)", () => {
      expect(run(vmap(capturesOuterLane))(int([3, 6])).toArray()).toEqual([[4, 3, 4], [6, 7, 6]]);
      matches(capturesOuterLane, {}, [int([3, 6])]);
    });

    it("inner predicate unbatched (it reads only the captured outer lane), batched after the outer vmap", () => {
      const outer = (n: np.Array) => vmap((y: np.Array) => whileLoop(([i]) => i.lt(n), ([i, v]) => [i.add(1), v.mul(2)], [0, y])[1])(f32([1, 2, 3]));
      expectAllClose(run(vmap(outer))(int([1, 3])), [[2, 4, 6], [8, 16, 24]]);
      matches(outer, {}, [int([1, 3])]);
    });

    it("inner cond index from the captured outer lane", () => {
      expectAllClose(run(vmap(innerCondIndex))(int([1, -1])), [[10, 20, 30], [-1, -2, -3]]);
      matches(innerCondIndex, {}, [int([1, -1])]);
    });

    it("inner scan whose body multiplies by the captured outer lane", () => {
      const outer = (a: np.Array) => vmap((y: np.Array) => scan((c, x) => [c.mul(a).add(x), c], y, f32([1, 2])))(f32([1, 2, 3]));
      const [last, ys] = run(vmap(outer))(f32([2, -1]));
      // c → c·a + x twice: a=2: 4c+4 ; a=-1: c-1.
      expectAllClose(last, [[8, 12, 16], [2, 3, 4]]);
      expectAllClose(ys, [[[1, 3], [2, 5], [3, 7]], [[1, 0], [2, -1], [3, -2]]]);
      matches(outer, {}, [f32([2, -1])]);
    });
  });

  describe("control flow inside vmap", () => {
    it("cond (batched index) inside a while with a batched predicate", () => {
      const k = (x: np.Array, n: np.Array) =>
        whileLoop(([i]) => i.lt(n), ([i, x]) => [i.add(1), cond(x.gt(5), (x) => x.sub(3), (x) => x.mul(2), x)], [0, x])[1];
      // Hand-derived: 1 →2→4→8 (3 steps); 7 (0 steps); 3 →6→3→6→3 (4); 10 →7→4 (2).
      expect(run(vmap(k))(int([1, 7, 3, 10]), int([3, 0, 4, 2])).toArray()).toEqual([8, 7, 3, 4]);
      matches(k, {}, [int([1, 7, 3, 10]), int([3, 0, 4, 2])]);
    });

    it("foriLoop and whileLoop in the two branches of a batched cond", () => {
      const m = (x: np.Array, n: np.Array) =>
        cond(x.gt(0), (x, n) => foriLoop(0, n, (i, a) => a.add(i), x), (x, n) => whileLoop((v) => v.lt(n), (v) => v.add(3), x), x, n);
      // x>0: x + Σ_{i<n} i ; else: x + 3k until ≥ n.
      expect(run(vmap(m))(int([1, -5, 2, -1, 0]), int([3, 4, 0, 6, 2])).toArray()).toEqual([4, 4, 2, 8, 3]);
      matches(m, {}, [int([1, -5, 2, -1, 0]), int([3, 4, 0, 6, 2])]);
    });

    it("switchCase with loops in its branches and a batched, clamped index", () => {
      const sw = (i: np.Array, x: np.Array) =>
        switchCase(i, [(x) => whileLoop((v) => v.lt(10), (v) => v.add(4), x), (x) => x.neg(), (x) => whileLoop((v) => v.gt(0), (v) => v.sub(1), x)], x);
      expect(run(vmap(sw))(int([0, 1, 2, 5, -1]), int([1, 2, 3, 4, 5])).toArray()).toEqual([13, -2, 0, 0, 13]);
      matches(sw, {}, [int([0, 1, 2, 5, -1]), int([1, 2, 3, 4, 5])]);
    });

    it("scan with xs mapped along axis 2 and an unmapped init", () => {
      const s = (c: np.Array, xs: np.Array) => scan((c, x) => [c.add(x.sum()), c.mul(x)], c, xs);
      const xs = np.arange(12, { dtype: "float32" }).reshape([3, 2, 2]);
      const [cOut, ys] = run(vmap(s, { inAxes: [null, 2] }))(f32(1), xs);
      // Lane 0 sees xs[:, :, 0] = [[0,2],[4,6],[8,10]]: c = 1 → 3 → 13 → 31.
      expectAllClose(cOut, [31, 37]);
      expectAllClose(ys, [[[0, 2], [12, 18], [104, 130]], [[1, 3], [25, 35], [153, 187]]]);
      matches(s, { inAxes: [null, 2] }, [f32(1), xs]);
    });

    it("a while whose carry is mapped along axis 1 (the predicate reduces over the lane)", () => {
      const w1 = (x: np.Array) => whileLoop((x) => x.sum().lt(10), (x) => x.mul(2), x);
      const x = f32([[1, 4, 20], [1, 4, 0]]);
      expectAllClose(run(vmap(w1, { inAxes: 1 }))(x), [[8, 8], [8, 8], [20, 0]]);
      matches(w1, { inAxes: 1 }, [x]);
    });
  });

  describe("vmap inside control flow", () => {
    it("inside a whileLoop body (staged into the body's trace)", () => {
      // Step 1: [-4,0,2]-5 = [-9,-5,-3] → [3,3,3]; step 2: [-2,-2,-2] → [4,4,4].
      const [i, out] = run(withRowInWhile(vmap(upTo3)))(int([-4, 0, 2]));
      expect([i.toArray(), out.toArray()]).toEqual([2, [4, 4, 4]]);
      expect(run(withRowInWhile(upTo3Rows))(int([-4, 0, 2]))[1].toArray()).toEqual([4, 4, 4]);
    });

    it("inside a scan body", () => {
      // upTo3 rows: [4,3], [4,3], [5,3].
      const [c, ys] = run(withRowInScan(vmap(upTo3)))(int([[0, 1], [2, -7], [5, 3]]));
      expect([c.toArray(), ys.toArray()]).toEqual([[13, 9], [[0, 0], [4, 3], [8, 6]]]);
      const [c2, ys2] = run(withRowInScan(upTo3Rows))(int([[0, 1], [2, -7], [5, 3]]));
      expect([c2.toArray(), ys2.toArray()]).toEqual([[13, 9], [[0, 0], [4, 3], [8, 6]]]);
    });

    it("inside a cond branch, with the cond itself vmapped over its predicate", () => {
      const t = np.array(true, { dtype: "bool" }), f = np.array(false, { dtype: "bool" });
      expect(run(vmapInBranch)(t, int([0, 1, 2, 3])).toArray()).toEqual([4, 3, 4, 3]);
      expect(run((p: np.Array, x: np.Array) => cond(p, upTo3Rows, (x) => x.neg(), x))(t, int([0, 1, 2, 3])).toArray()).toEqual([4, 3, 4, 3]);
      expect(run(vmapInBranch)(f, int([0, 1, 2, 3])).toArray()).toEqual([0, -1, -2, -3]);
      const p = np.array([true, false], { dtype: "bool" }), x = int([[0, 1, 2, 3], [5, 6, 7, 8]]);
      expect(run(vmap(vmapInBranch))(p, x).toArray()).toEqual([[4, 3, 4, 3], [-5, -6, -7, -8]]);
      matches(vmapInBranch, {}, [p, x]);
    });
  });

  describe("vmap under makeJaxpr, and closures", () => {
    it("vmap of an MLP-ish loop equals the per-lane results", () => {
      const g = run(vmap(tanhSteps, { inAxes: [null, 0, 0] }));
      expectAllClose((g(TW, TX, TN) as np.Array).toArray(), perLane(tanhSteps, [TW, TX, TN], [null, 0, 0]).map((a) => (a as np.Array).toArray()));
      // Hand-derived lane 2: tanh([3,0] @ w) = tanh([1.5, -3]).
      expectAllClose((g(TW, TX, TN) as np.Array).slice(2), [Math.tanh(1.5), Math.tanh(-3)]);
    });

    it("a vmapped function closing over a tracer of the enclosing trace", () => {
      expect(run(closesOverT)(int(3), int([0, 1, 2, 3])).toArray()).toEqual([4, 3, 4, 3]);
      expect(run(closesOverT)(int(6), int([0, 1, 2, 3])).toArray()).toEqual([6, 7, 6, 7]);
    });

    it("a vmapped function closing over a tracer of an enclosing whileLoop body", () => {
      // i=0: up to ≥3 by 2s: [-4,0,2] → [4,4,4]; i=1: bound 4, nothing changes.
      const [, out] = run(closesOverLoopCounter)(int([-4, 0, 2]));
      expect(out.toArray()).toEqual([4, 4, 4]);
    });

    it("a vmapped function closing over a concrete array", () => {
      expectAllClose(run(vmap(addC))(np.ones([3, 2])), [[11, 21], [11, 21], [11, 21]]);
      matches(loopAddC, {}, [f32([[0, 0], [50, 40]])]);
      expectAllClose(run(vmap(loopAddC))(f32([[0, 0], [50, 40]])), [[40, 80], [60, 60]]);
    });
  });

  describe("more compositions, checked against the per-lane oracle", () => {
    it("batched conds nested two deep with a while in the innermost branch, under one and two vmaps", () => {
      const f = (a: np.Array, b: np.Array) =>
        cond(
          a.gt(0),
          (a, b) => cond(b.gt(0), (a, b) => whileLoop((v) => v.lt(a.mul(5)), (v) => v.add(b), a), (a, b) => a.sub(b), a, b),
          (_a, b) => upTo3(b),
          a,
          b,
        );
      // Hand-derived lanes: (1,1): 1 → 5 by 1s; (2,-1): 2+1 = 3; (-1,5): upTo3(5) = 5; (3,2): 3 → 15 by 2s;
      // (0,-7): upTo3(-7) = 3; (2,3): 2 → 11 by 3s.
      const a = int([1, 2, -1, 3, 0, 2]), b = int([1, -1, 5, 2, -7, 3]);
      expect(run(vmap(f))(a, b).toArray()).toEqual([5, 3, 5, 15, 3, 11]);
      matches(f, {}, [a, b]);
      matches(vmap(f), {}, [int([[1, 2, -1], [3, 0, 2]]), int([[1, -1, 5], [2, -7, 3]])]);
      matches(vmap(f), { inAxes: [null, 0] }, [int([1, 2, -1]), int([[1, -1, 5], [2, -7, 3]])]);
    });

    it("the inner vmap batches the trip count, the outer one only the data (carry batched behind the predicate)", () => {
      matches(doubleNTrips, { inAxes: [0, null] }, [NX, NN]);
      matches(doubleNTrips, { inAxes: [2, null] }, [np.arange(24, { dtype: "float32" }).reshape([4, 2, 3]), NN]);
    });

    it("foriLoop with batched lower and upper bounds", () => {
      const f = (lo: np.Array, hi: np.Array) => foriLoop(lo, hi, (i, acc) => acc.add(i.mul(i)), 0);
      // Σ i² over [0,3), [2,5), [5,4), [-1,2): 5, 29, 0, 2.
      expect(run(vmap(f))(int([0, 2, 5, -1]), int([3, 5, 4, 2])).toArray()).toEqual([5, 29, 0, 2]);
      matches(f, {}, [int([0, 2, 5, -1]), int([3, 5, 4, 2])]);
      matches(f, { inAxes: [0, null] }, [int([0, 2, 5, -1]), int(4)]);
    });

    it("a scan in a batched while, a batched cond in a scan, a reverse scan", () => {
      const f = (x: np.Array, n: np.Array) =>
        whileLoop(([i]) => i.lt(n), ([i, x]) => [i.add(1), scan((c, e) => [c.add(e), c], x, f32([1, 2]))[0]], [0, x])[1];
      matches(f, {}, [f32([0, 1, 2]), int([2, 0, 1])]);
      const g = (xs: np.Array) => scan((c, x) => [cond(x.gt(c), (_c, x) => x, (c) => c.sub(1), c, x), c], f32(0), xs);
      matches(g, { inAxes: 1 }, [f32([[1, 5, -1], [0, 2, 3], [4, 4, 4], [-2, 7, 0]])]);
      const r = (c: np.Array, xs: np.Array) => scan((c, x) => [c.mul(0.5).add(x), c], c, xs, { reverse: true });
      matches(r, { inAxes: [0, 1] }, [f32([1, 2]), f32([[1, 2], [3, 4], [5, 6]])]);
    });

    it("a while with a bool carry, lanes that are done before the first step, and a branch no lane takes", () => {
      const f = (x: np.Array) =>
        whileLoop(([done]) => done.not(), ([, v, k]) => [v.gt(10), v.mul(3), k.add(1)], [np.array(false, { dtype: "bool" }), x, 0]);
      matches(f, {}, [f32([1, 20, 4])]);
      expect(run(vmap(upTo3))(int([5, 6, 7])).toArray()).toEqual([5, 6, 7]);
      const g = (i: np.Array, x: np.Array) => switchCase(i, [(x) => x, (x) => upTo3(x), (x) => x.neg()], x);
      expect(run(vmap(g))(int([0, 0, 2]), int([1, 2, 3])).toArray()).toEqual([1, 2, -3]);
      matches(g, {}, [int([0, 0, 2]), int([1, 2, 3])]);
    });

    it("one lane, and zero lanes", () => {
      expect(run(vmap(upTo3))(int([0])).toArray()).toEqual([4]);
      const none = np.zeros([0], { dtype: "int32" });
      expect(run(vmap(upTo3))(none).shape).toEqual([0]);
      expect(run(vmap((x: np.Array) => cond(x.gt(0), upTo3, (x) => x.neg(), x)))(none).shape).toEqual([0]);
      const [c, ys] = run(vmap((x: np.Array) => scan((c, e) => [c.add(e), c], x, f32([1, 2]))))(np.zeros([0]));
      expect([c.shape, ys.shape]).toEqual([[0], [0, 2]]);
    });
  });
});

// ---------------------------------------------------------------- jaxprs (one run)

describe("vmap(vmap(f)) jaxprs", () => {
  it("a batched-predicate while: the predicate is bool[B1,B2] in the IR", () => {
    const j = makeJaxpr(columnsThenRows)(X);
    expect(printChecked(j)).toBe(
      [
        "{ lambda ; a:i32[3,4]. let",
        "    b:i32[4,3] = transpose[permutation=(1, 0)] a",
        "    c:i32[4,3] = while[",
        "      body_jaxpr={ lambda ; d:i32[4,3]. let e:i32[4,3] = add d 2:i32[] in (e,) }",
        "      body_nconsts=0",
        "      cond_jaxpr={ lambda ; f:i32[4,3]. let g:bool[4,3] = lt f 3:i32[] in (g,) }",
        "      cond_nconsts=0",
        "    ] b",
        "  in (c,) }",
      ].join("\n"),
    );
    expect((runJaxpr(j, X) as np.Array).toArray()).toEqual(columnsThenRows(X).toArray());
  });

  it("three levels: bool[2,2,2] predicate", () => {
    const [w] = eqnsOf(makeJaxpr(threeLevels)(X3), "while");
    expect(typeOf(w!.params.cond_jaxpr.outvars[0]!)).toBe("bool[2,2,2]");
  });

  it("different inAxes per level: the predicate is batched only by the outer vmap (n): bool[3], a prefix of the [3,2] carry", () => {
    const j = makeJaxpr(doubleNBoth)(DX, DN);
    const [w] = eqnsOf(j, "while");
    printChecked(j);
    expect(typeOf(w!.params.cond_jaxpr.outvars[0]!)).toBe("bool[3]");
    expect(w!.outputs.map(typeOf)).toEqual(["i32[3]", "f32[3,2]"]);
  });

  it("the inner vmap's function closes over the outer lane: bool[2,3] predicate", () => {
    const [w] = eqnsOf(makeJaxpr(vmap(capturesOuterLane))(int([3, 6])), "while");
    expect(typeOf(w!.params.cond_jaxpr.outvars[0]!)).toBe("bool[2,3]");
  });

  it("inner cond index from the captured outer lane: i32[2]", () => {
    const [c] = eqnsOf(makeJaxpr(vmap(innerCondIndex))(int([1, -1])), "cond");
    expect(typeOf(c!.inputs[0]!)).toBe("i32[2]");
  });

  it("the inner vmap batches the trip count: predicate bool[4] (inner lanes) prefixes the carry, the outer lane axis goes second", () => {
    const [w] = eqnsOf(makeJaxpr(vmap(doubleNTrips, { inAxes: [0, null] }))(NX, NN), "while");
    expect(typeOf(w!.params.cond_jaxpr.outvars[0]!)).toBe("bool[4]");
    expect(w!.outputs.map(typeOf)).toEqual(["i32[4]", "f32[4,3,2]"]);
  });
});

describe("vmap inside control flow: jaxprs", () => {
  it("inside a whileLoop body: inner bool[3] predicate, outer scalar", () => {
    const j = makeJaxpr(withRowInWhile(vmap(upTo3)))(int([-4, 0, 2]));
    const whiles = eqnsOf(j, "while");
    printChecked(j);
    expect(whiles.map((w) => typeOf(w.params.cond_jaxpr.outvars[0]!))).toEqual(["bool[]", "bool[3]"]);
    expect((runJaxpr(j, int([-4, 0, 2])) as np.Array[]).map((a) => a.toArray())).toEqual([2, [4, 4, 4]]);
  });

  it("inside a scan body: the vmapped loop's predicate is bool[2]", () => {
    const j = makeJaxpr(withRowInScan(vmap(upTo3)))(int([[0, 1], [2, -7], [5, 3]]));
    printChecked(j);
    expect(eqnsOf(j, "while").map((w) => typeOf(w.params.cond_jaxpr.outvars[0]!))).toEqual(["bool[2]"]);
  });

  it("inside a cond branch, vmapped over the predicate: the loop's predicate is bool[2,4]", () => {
    const p = np.array([true, false], { dtype: "bool" }), x = int([[0, 1, 2, 3], [5, 6, 7, 8]]);
    const [w] = eqnsOf(makeJaxpr(vmap(vmapInBranch))(p, x), "while");
    expect(typeOf(w!.params.cond_jaxpr.outvars[0]!)).toBe("bool[2,4]");
  });
});

describe("vmap under makeJaxpr, and closures: jaxprs", () => {
  it("makeJaxpr(vmap(f)) stages the batched program; running it equals the eager vmap", () => {
    const g = vmap(tanhSteps, { inAxes: [null, 0, 0] });
    const j = makeJaxpr(g)(TW, TX, TN);
    printChecked(j);
    expect(eqnsOf(j, "while")).toHaveLength(1);
    expectAllClose(runJaxpr(j, TW, TX, TN), g(TW, TX, TN));
  });

  it("a vmapped function closing over a tracer of the enclosing makeJaxpr: t is an unbatched cond const, the predicate batched by x", () => {
    const j = makeJaxpr(closesOverT)(int(3), int([0, 1, 2, 3]));
    const text = printChecked(j);
    expect(text).toMatch(/cond_jaxpr=\{ lambda ; \w+:i32\[\] \w+:i32\[4\]\. let \w+:bool\[4\] = lt/);
    expect((runJaxpr(j, int(3), int([0, 1, 2, 3])) as np.Array).toArray()).toEqual([4, 3, 4, 3]);
    expect((runJaxpr(j, int(6), int([0, 1, 2, 3])) as np.Array).toArray()).toEqual([6, 7, 6, 7]);
  });

  it("a vmapped function closing over a tracer of an enclosing whileLoop body, traced", () => {
    expect((runJaxpr(makeJaxpr(closesOverLoopCounter)(int([-4, 0, 2])), int([-4, 0, 2])) as np.Array[])[1]!.toArray()).toEqual([4, 4, 4]);
  });

  it("a vmapped function closing over a concrete array: it stays an unbatched const", () => {
    const text = printChecked(makeJaxpr(vmap(addC))(np.ones([3, 2])));
    expect(text).toMatch(/^\{ lambda a:f32\[2\]; b:f32\[3,2\]\. let/);
    // A loop closing over it keeps it a (never broadcast) body const.
    const [w] = eqnsOf(makeJaxpr(vmap(loopAddC))(f32([[0, 0], [50, 40]])), "while");
    expect(typeOf(w!.inputs[0]!)).toBe("f32[2]");
  });
});
