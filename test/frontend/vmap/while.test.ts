// vmap × whileLoop/foriLoop: JAX's cases (tests/lax_control_flow_test.py, see
// /work/shared/reference/jax-control-flow-semantics.md §4 rows 1, 3–12, 23,
// 26) with their NumPy-computed / hand-derived values, the structural checks
// JAX makes on the jaxpr, and the per-lane oracle for every case.
//
// Values run in every mode (eagerly, and through jit on every backend:
// test/helpers/backends.ts); the jaxpr checks and the interpreter's loop
// iteration counts run once.
import { describe, expect, it } from "vitest";
import { foriLoop, makeJaxpr, np, vmap, whileLoop } from "../../../src/index.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { RUN_MODES } from "../../helpers/backends.js";
import { printChecked } from "../../helpers/ir.js";
import { countWhileBodyRuns, expectMatchesPerLane, f32, int } from "./lanes.js";

const i32 = (...shape: number[]) => np.ShapeDtype(shape, "int32");

// ---------------------------------------------------------------- functions under test

/** The issue's headline: while x < 3: x += 2, a batched predicate under vmap. */
const upBy2 = (x: np.Array) => whileLoop((x) => x.lt(3), (x) => x.add(2), x);
/**
 * testWhileLoopBatchedWithConstBody (row 3): the body returns an unbatched const, cond always false.
 * JAX's cond returns Python's False; tsjax rejects a JS boolean there (it is what `a && b` on arrays gives), so it is a bool[] array.
 */
const constBody = (x: np.Array) => whileLoop(() => np.array(false), () => 0.0, x);
/** testWhileLoopCondConstsBatched (row 4): while x < y: x += 2. */
const condConst = (x: np.Array | number, y: np.Array) => whileLoop((x) => x.lt(y), (x) => x.add(2), x);
/** testWhileLoopBodyConstsBatched (row 5): while x < 3: x += y. */
const bodyConst = (x: np.Array, y: np.Array) => whileLoop((x) => x.lt(3), (x) => x.add(y), x);
/** testWhileLoopTupleBatched (row 6): cond x+y<5, body (x+1, y). */
const tupleLoop = (x: np.Array, y: np.Array) => whileLoop(([a, b]) => a.add(b).lt(5), ([a, b]) => [a.add(1), b], [x, y]);
/** test_issue_3204 (row 7): nested whiles with batched bounds; val = Σ_{i≤a} Σ_{j≤b} (i+j). */
const issue3204 = (a: np.Array, b: np.Array) => {
  const [val, i] = whileLoop(
    ([, i]) => i.lt(a.add(1)),
    ([val, i, j]) => {
      const [v] = whileLoop(([, , j]) => j.lt(b.add(1)), ([v, i, j]) => [v.add(i).add(j), i, j.add(1)], [val, i, 0]);
      return [v, i.add(1), j];
    },
    [0, 0, 0],
  );
  return [val, i];
};
/** testForiLoopBatched (row 8): fori(0,10) of (x+1, y+2). */
const foriPair = (x: np.Array) => foriLoop(0, 10, (_i, [x, y]) => [x.add(1), y.add(2)], [x, 0]);
/** testForiLoopBatchedIssue1190 (row 9): the loop counter stays unbatched. */
const counterLoop = (x: np.Array) => whileLoop((c) => c[0].lt(4), (c) => [c[0].add(1), c[1].add(1)], [0, x]);
/** Row 9 for foriLoop with a dynamic (unbatched) bound. */
const foriDynamic = (x: np.Array, n: np.Array) => foriLoop(0, n, (i, x) => x.add(i), x);
/** test_vmaps_of_while_loop (row 10): fori(0, n, x+1) under two vmaps. */
const foriCount = (x: np.Array, n: np.Array) => foriLoop(0, n, (_i, x) => x.add(1), x);
const nestedVmaps = vmap(vmap(foriCount, { inAxes: [null, 0] }), { inAxes: [0, null] });
/** test_while_loop_fixed_point_with_batched_pred_and_consts (row 11). */
const fixedPoint = (i: np.Array, x: np.Array) => whileLoop(([i]) => i.lt(5), ([i, z]) => [i.add(1), z.add(x)], [i, np.ones([3])])[1];
/** test_disable_jit_while_loop_with_vmap (row 23): while x<10: x+=1. */
const upTo10 = (x: np.Array) => whileLoop((x) => x.lt(10), (x) => x.add(1), x);
/** testNestedWhile vmapped (row 26). */
const innerLoop = (i: np.Array, count: np.Array) => whileLoop(([ii, j]) => j.le(ii), ([ii, j, c]) => [ii, j.add(1), c.add(1)], [i, 0, count])[2];
const outerLoop = (num: np.Array) => {
  const [, i, count] = whileLoop(([n, ii]) => ii.lt(n), ([n, ii, c]) => [n, ii.add(1), innerLoop(ii, c)], [num, 0, 0]);
  return [i, count];
};
/** testForiLoopClosure vmapped (row 26). */
const foriClosure = (num: np.Array) => foriLoop(0, num, (i, tot) => num.add(tot.add(i)), int(0));
/** test_while_readonly_carry_optimization (row 12, google/flax#4700). */
const readonlyCarry = (w: np.Array, x: np.Array, cMax: np.Array) => {
  const [, y, w2] = whileLoop(([c]) => c.lt(cMax), ([c, x, w]) => [c.add(1), np.matmul(x, w), w], [0, x, w]);
  return [w2, y];
};
const W = np.ones([2, 2]);
const XS = np.ones([4, 2]);
const CMAX = np.arange(4);

// ---------------------------------------------------------------- values, in every mode

describe.each(RUN_MODES)("vmap × whileLoop values (%s)", (_mode, { run }) => {
  const matches = (f: (...args: never[]) => unknown, options: Parameters<typeof expectMatchesPerLane>[1], args: readonly unknown[]) =>
    expectMatchesPerLane(f, options, args, {}, run);

  it("testWhileLoopBatched (row 1): [0,1,2,3] → [4,3,4,3]", () => {
    const result = run(vmap(upBy2))(int([0, 1, 2, 3]));
    expect(result.dtype).toBe("int32");
    expect(result.toArray()).toEqual([4, 3, 4, 3]);
    matches(upBy2, {}, [int([0, 1, 2, 3])]);
  });

  it("testWhileLoopBatchedWithConstBody (row 3): cond always false → identity", () => {
    const xs = np.arange(5, { dtype: "float32" });
    expectAllClose(run(vmap(constBody))(xs), [0, 1, 2, 3, 4]);
    matches(constBody, {}, [xs]);
  });

  it("testWhileLoopCondConstsBatched (row 4): while x<y: x+=2 with in_axes (None,0) → [2,4]", () => {
    for (const x0 of [0, int(0)]) {
      expect(run(vmap(condConst, { inAxes: [null, 0] }))(x0, int([2, 3])).toArray()).toEqual([2, 4]);
    }
    matches(condConst, { inAxes: [null, 0] }, [int(0), int([2, 3])]);
  });

  it("testWhileLoopBodyConstsBatched (row 5): while x<3: x+=y with in_axes (None,0) → [4,3]", () => {
    expect(run(vmap(bodyConst, { inAxes: [null, 0] }))(int(0), int([2, 3])).toArray()).toEqual([4, 3]);
    matches(bodyConst, { inAxes: [null, 0] }, [int(0), int([2, 3])]);
  });

  it("testWhileLoopTupleBatched (row 6): cond x+y<5, body (x+1, y) → ([4,3], [1,2])", () => {
    const [a, b] = run(vmap(tupleLoop))(int([0, 0]), int([1, 2]));
    expect([a.toArray(), b.toArray()]).toEqual([[4, 3], [1, 2]]);
    matches(tupleLoop, {}, [int([0, 0]), int([1, 2])]);
  });

  it("test_issue_3204 (row 7): nested whiles with batched bounds → val [0,4,18,48,100], i = a+1", () => {
    // val = (n+1)² n for a = b = n.
    const [val, i] = run(vmap(issue3204))(np.arange(5), np.arange(5));
    expect(val.toArray()).toEqual([0, 4, 18, 48, 100]);
    expect(i.toArray()).toEqual([1, 2, 3, 4, 5]);
    matches(issue3204, {}, [np.arange(5), np.arange(5)]);
  });

  it("testForiLoopBatched (row 8): fori(0,10) of (x+1, y+2) → ([10,11], [20,20]); y stays unbatched", () => {
    const [x, y] = run(vmap(foriPair))(int([0, 1]));
    expect([x.toArray(), y.toArray()]).toEqual([[10, 11], [20, 20]]);
    // y never meets a batched value, so outAxes null works for it.
    const [x2, y2] = run(vmap(foriPair, { outAxes: [0, null] }))(int([0, 1]));
    expect([x2.toArray(), y2.shape, y2.toArray()]).toEqual([[10, 11], [], 20]);
    matches(foriPair, {}, [int([0, 1])]);
  });

  it("testForiLoopBatchedIssue1190 (row 9): the unbatched counter comes back as a scalar", () => {
    const [c, x] = run(vmap(counterLoop, { outAxes: [null, 0] }))(np.arange(3));
    expect([c.shape, c.toArray(), x.toArray()]).toEqual([[], 4, [4, 5, 6]]);
    matches(counterLoop, {}, [np.arange(3)]);
  });

  it("row 9 for foriLoop with a dynamic (unbatched) bound: 0+1+2+3 = 6 added to every lane", () => {
    expect(run(vmap(foriDynamic, { inAxes: [0, null] }))(int([1, 2, 3]), int(4)).toArray()).toEqual([7, 8, 9]);
    matches(foriDynamic, { inAxes: [0, null] }, [int([1, 2, 3]), int(4)]);
  });

  it("test_vmaps_of_while_loop (row 10): vmap(vmap(f,(None,0)),(0,None)) of fori(0,n,x+1) → out[i,j] = i+j", () => {
    expect(run(nestedVmaps)(np.arange(3), np.arange(4)).toArray()).toEqual([[0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5]]);
    matches(vmap(foriCount, { inAxes: [null, 0] }), { inAxes: [0, null] }, [np.arange(3), np.arange(4)]);
  });

  it("test_while_loop_fixed_point_with_batched_pred_and_consts (row 11): closure batched at axis 1 → rows 6,5,4,3", () => {
    expectAllClose(run(vmap(fixedPoint, { inAxes: [0, 1] }))(np.arange(4), np.ones([3, 4])), [[6, 6, 6], [5, 5, 5], [4, 4, 4], [3, 3, 3]]);
    matches(fixedPoint, { inAxes: [0, 1] }, [np.arange(4), np.ones([3, 4])]);
  });

  it("test_disable_jit_while_loop_with_vmap (row 23): while x<10: x+=1 on [3.,4.] → [10,10]", () => {
    const out = run(vmap(upTo10))(f32([3, 4]));
    expect(out.dtype).toBe("float32");
    expectAllClose(out, [10, 10]);
    matches(upTo10, {}, [f32([3, 4])]);
  });

  it("testNestedWhile vmapped (row 26): num [2,3,4] → i [2,3,4], count [3,6,10]", () => {
    const [i, count] = run(vmap(outerLoop))(int([2, 3, 4]));
    expect([i.toArray(), count.toArray()]).toEqual([[2, 3, 4], [3, 6, 10]]);
    matches(outerLoop, {}, [int([2, 3, 4])]);
  });

  it("testForiLoopClosure vmapped (row 26): fori(0,num, num+tot+i) on [2,3,4] → [5,12,22]", () => {
    expect(run(vmap(foriClosure))(int([2, 3, 4])).toArray()).toEqual([5, 12, 22]);
    matches(foriClosure, {}, [int([2, 3, 4])]);
  });

  it("test_while_readonly_carry_optimization (row 12): with outAxes [null, 0] the model comes back unbatched and equal to the input", () => {
    const [w2, y] = run(vmap(readonlyCarry, { inAxes: [null, 0, 0], outAxes: [null, 0] }))(W, XS, CMAX);
    expect(w2.shape).toEqual([2, 2]);
    expectAllClose(w2, W.toArray());
    // x @ ones(2,2) doubles both entries: lane k runs k times from [1,1].
    expectAllClose(y, [[1, 1], [2, 2], [4, 4], [8, 8]]);
    matches(readonlyCarry, { inAxes: [null, 0, 0] }, [W, XS, CMAX]);
  });
});

// ---------------------------------------------------------------- jaxprs and loop iteration counts (one run)

describe("vmap of a while loop with a batched predicate (the issue's headline)", () => {
  it("prints a while whose cond returns bool[4] (JAX's batched while, reference Ex. 8)", () => {
    expect(printChecked(makeJaxpr(vmap(upBy2))(i32(4)))).toBe(
      [
        "{ lambda ; a:i32[4]. let",
        "    b:i32[4] = while[",
        "      body_jaxpr={ lambda ; c:i32[4]. let d:i32[4] = add c 2:i32[] in (d,) }",
        "      body_nconsts=0",
        "      cond_jaxpr={ lambda ; e:i32[4]. let f:bool[4] = lt e 3:i32[] in (f,) }",
        "      cond_nconsts=0",
        "    ] a",
        "  in (b,) }",
      ].join("\n"),
    );
  });

  it("testWhileLoopBatched (row 1): lanes need 2,1,1,0 steps, the masked loop runs 2", () => {
    const { result, bodyRuns } = countWhileBodyRuns(() => vmap(upBy2)(int([0, 1, 2, 3])));
    expect(result.toArray()).toEqual([4, 3, 4, 3]);
    expect(bodyRuns).toEqual([2]);
  });
});

describe("JAX while_loop × vmap jaxprs", () => {
  it("testWhileLoopCondConstsBatched (row 4): the unbatched init is broadcast because the predicate is batched by a cond const", () => {
    const text = printChecked(makeJaxpr(vmap(condConst, { inAxes: [null, 0] }))(i32(), i32(2)));
    expect(text).toContain("broadcast_in_dim[broadcast_dimensions=() shape=(2,)] a");
    expect(text).toMatch(/cond_jaxpr=\{ lambda ; \w+:i32\[2\] \w+:i32\[2\]\. let \w+:bool\[2\] = lt/);
  });

  it("testWhileLoopBodyConstsBatched (row 5): the batched body const makes the carry batched through the fixpoint", () => {
    const text = printChecked(makeJaxpr(vmap(bodyConst, { inAxes: [null, 0] }))(i32(), i32(2)));
    expect(text).toContain("body_nconsts=1");
    expect(text).toMatch(/body_jaxpr=\{ lambda ; \w+:i32\[2\] \w+:i32\[2\]\./);
  });

  it("testForiLoopBatched (row 8): static bounds lower to a scan; carry (x, y) with x batched, y still a scalar", () => {
    const text = printChecked(makeJaxpr(vmap(foriPair))(i32(2)));
    expect(text).toContain("= scan[");
    expect(text).not.toContain("= while[");
    // The unused counter is dead code.
    expect(text).toMatch(/jaxpr=\{ lambda ; \w+:i32\[2\] \w+:i32\[\]\./);
  });

  it("testForiLoopBatchedIssue1190 (row 9): the loop counter stays unbatched (cond takes i32[])", () => {
    const text = printChecked(makeJaxpr(vmap(counterLoop))(i32(3)));
    const eqns = text.split("\n").filter((l) => /^ {4}\S/.test(l));
    expect(eqns[0]).toMatch(/= while\[$/); // the first equation is the while
    expect(text).toMatch(/cond_jaxpr=\{ lambda ; \w+:i32\[\] \w+:i32\[3\]\./);
  });

  it("row 9 for foriLoop with a dynamic (unbatched) bound: the counter is i32[] too", () => {
    const text = printChecked(makeJaxpr(vmap(foriDynamic, { inAxes: [0, null] }))(i32(3), i32()));
    expect(text).toMatch(/cond_jaxpr=\{ lambda ; \w+:i32\[\] \w+:i32\[\] \w+:i32\[3\]\. let \w+:bool\[\] = lt/);
  });

  it("test_vmaps_of_while_loop (row 10): the predicate is batched by the inner vmap's n (bool[4]), a prefix of the carries [4] and [4,3]", () => {
    const text = printChecked(makeJaxpr(nestedVmaps)(i32(3), i32(4)));
    expect(text).toMatch(/\w+:bool\[4\] = lt/);
    expect(text).toMatch(/body_jaxpr=\{ lambda ; \w+:i32\[4\] \w+:i32\[4,3\]\./);
  });
});

describe("test_while_readonly_carry_optimization (row 12, google/flax#4700)", () => {
  it("one masked loop, run until the slowest lane is done: max(c_max) = 3 iterations", () => {
    const { result, bodyRuns } = countWhileBodyRuns(() => vmap(readonlyCarry, { inAxes: [null, 0, 0], outAxes: [null, 0] })(W, XS, CMAX));
    expectAllClose(result[1], [[1, 1], [2, 2], [4, 4], [8, 8]]);
    expect(bodyRuns).toEqual([3]);
  });

  it("in the batched IR, w is an unbatched f32[2,2] body const (never f32[4,2,2])", () => {
    const text = printChecked(makeJaxpr(vmap(readonlyCarry, { inAxes: [null, 0, 0], outAxes: [null, 0] }))(W, XS, CMAX));
    expect(text).toContain("{ lambda ; a:f32[2,2] b:f32[4,2] c:i32[4]. let");
    expect(text).toContain("body_nconsts=1");
    expect(text).toMatch(/body_jaxpr=\{ lambda ; (\w+):f32\[2,2\] \w+:i32\[4\] \w+:f32\[4,2\]\./);
    expect(text).toMatch(/\w+:bool\[4\] = lt/); // the predicate is batched
    expect(text).not.toContain("f32[4,2,2]");
    expect(text).toMatch(/\] c a \w+ b\n/); // operands: cond const c_max, body const w itself, counter, x
    expect(text).toMatch(/in \(a, \w+\) \}$/); // w is returned as the input itself
  });
});
