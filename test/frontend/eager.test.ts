// np ops against numpy values and hand-derived results: creation,
// broadcasting, promotion and weak typing, elementwise math, reductions,
// matmul, shapes, indexing, printing. The value tests run eagerly (the
// interpreter, op by op) and through jit on every backend (RUN_MODES); the
// array API (typed arrays, item(), printing) runs once.
import { describe, expect, it } from "vitest";
import { np } from "../../src/index.js";
import { expectAllClose } from "../helpers/allclose.js";
import { RUN_MODES } from "../helpers/backends.js";
import { NP } from "./numpy-refs.js";

const i32 = { dtype: "int32" } as const;
const X = [-2.0, -0.5, 0.0, 0.3, 1.0, 2.5];
const P = [0.1, 0.5, 1.0, 2.0, 4.0];

describe.each(RUN_MODES)("np values (%s)", (_mode, { run }) => {
  /** `f()` computed in this mode: eagerly, or as a jitted function (what it closes over becomes its inputs). */
  const calc = <T>(f: () => T): T => run(f)();

  describe("creation", () => {
    it("np.array defaults to float32, infers bool, honours dtype", () => {
      const x = calc(() => np.array([[1, 2], [3, 4]]));
      expect([x.shape, x.dtype, x.ndim, x.size]).toEqual([[2, 2], "float32", 2, 4]);
      expect(x.toArray()).toEqual([[1, 2], [3, 4]]);
      expect(calc(() => np.array([true, false])).dtype).toBe("bool");
      expect(calc(() => np.array([true, false])).toArray()).toEqual([true, false]);
      expect(calc(() => np.array([1.7, -1.7], i32)).toArray()).toEqual([1, -1]);
      expect(calc(() => np.array(3)).shape).toEqual([]);
      expect(calc(() => np.array([])).shape).toEqual([0]);
      expect(calc(() => np.array([])).dtype).toBe("float32");
    });

    it("zeros, ones, full, *Like", () => {
      expect(calc(() => np.zeros([2, 3])).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
      expect(calc(() => np.ones(2, i32)).toArray()).toEqual([1, 1]);
      expect(calc(() => np.ones(2, i32)).dtype).toBe("int32");
      expect(calc(() => np.full([2], 7)).dtype).toBe("int32"); // the fill value's kind, like jnp.full
      expect(calc(() => np.full([2], 0.5)).toArray()).toEqual([0.5, 0.5]);
      expect(calc(() => np.full([2, 2], np.array([1, 2]))).toArray()).toEqual([[1, 2], [1, 2]]);
      const b = np.array([true, false]);
      expect(calc(() => np.zerosLike(b)).toArray()).toEqual([false, false]);
      expect(calc(() => np.onesLike(np.zeros([3]), i32)).toArray()).toEqual([1, 1, 1]);
    });

    it("arange, linspace, eye", () => {
      expect(calc(() => np.arange(5)).toArray()).toEqual([0, 1, 2, 3, 4]);
      expect(calc(() => np.arange(5)).dtype).toBe("int32");
      expect(calc(() => np.arange(2, 11, 3)).toArray()).toEqual([2, 5, 8]);
      expect(calc(() => np.arange(5, 1, -2)).toArray()).toEqual([5, 3]);
      expect(calc(() => np.arange(3, 1)).shape).toEqual([0]);
      expect(calc(() => np.arange(3, { dtype: "float32" })).dtype).toBe("float32");
      expectAllClose(calc(() => np.arange(1, 2, 0.25)), NP.arange);
      expectAllClose(calc(() => np.linspace(-1, 1, 7)), NP.linspace);
      expectAllClose(calc(() => np.linspace(0, 1, 4, { endpoint: false })), NP.linspace_ne);
      expect(calc(() => np.eye(2)).toArray()).toEqual([[1, 0], [0, 1]]);
      expect(calc(() => np.eye(3, 4, { k: 1 })).toArray()).toEqual(NP.eyek);
      expect(calc(() => np.eye(3, null, { k: -1 })).toArray()).toEqual(NP.eyekm);
      expect(calc(() => np.eye(2, 2, { dtype: "bool" })).toArray()).toEqual([[true, false], [false, true]]);
    });
  });

  describe("broadcasting, promotion, weak typing", () => {
    it("broadcasts numpy-style", () => {
      const a = np.arange(6, { dtype: "float32" }).reshape([2, 3]);
      expect(calc(() => a.add(np.array([10, 20, 30]))).toArray()).toEqual(NP.bcast);
      expect(calc(() => np.array([[1], [2], [3]]).mul(np.array([[10, 20, 30, 40]]))).toArray()).toEqual(NP.bcast2);
      expect(calc(() => np.array(2).mul(np.array([1, 2]))).toArray()).toEqual([2, 4]);
    });

    it("promotes bool < int32 < float32", () => {
      const i = np.array([1, 2], i32), f = np.array([0.5, 0.5]), b = np.array([true, false]);
      expect(calc(() => i.add(f)).dtype).toBe("float32");
      expect(calc(() => i.add(f)).toArray()).toEqual([1.5, 2.5]);
      expect(calc(() => b.add(i)).dtype).toBe("int32");
      expect(calc(() => b.add(i)).toArray()).toEqual([2, 2]);
      expect(calc(() => i.lt(f)).toArray()).toEqual([false, false]);
    });

    it("treats JS numbers as weakly typed scalars", () => {
      const i = np.array([3, 4], i32);
      expect(calc(() => i.mul(2)).dtype).toBe("int32");
      expect(calc(() => i.mul(2)).toArray()).toEqual([6, 8]);
      expect(calc(() => i.mul(2.5)).dtype).toBe("float32");
      expect(calc(() => i.mul(2.5)).toArray()).toEqual([7.5, 10]);
      expect(calc(() => np.array([1, 2]).mul(2)).dtype).toBe("float32");
      const b = np.array([true, false]);
      expect(calc(() => b.add(1)).dtype).toBe("int32");
      expect(calc(() => b.add(1)).toArray()).toEqual([2, 1]);
      expect(calc(() => b.add(true)).dtype).toBe("bool"); // bool + bool is logical or, as in numpy
      expect(calc(() => b.add(true)).toArray()).toEqual([true, true]);
      expect(calc(() => np.add(1, 2)).dtype).toBe("int32");
      expect(calc(() => np.add(1, 0.5)).toArray()).toEqual(1.5);
    });
  });

  describe("elementwise math", () => {
    const x = np.array(X), p = np.array(P);
    it("transcendental functions match numpy", () => {
      expectAllClose(calc(() => np.exp(x)), NP.exp);
      expectAllClose(calc(() => np.sin(x)), NP.sin);
      expectAllClose(calc(() => np.cos(x)), NP.cos);
      expectAllClose(calc(() => np.tanh(x)), NP.tanh);
      expectAllClose(calc(() => np.sigmoid(x)), NP.sigmoid);
      expectAllClose(calc(() => np.log(p)), NP.log);
      expectAllClose(calc(() => np.sqrt(p)), NP.sqrt);
      expectAllClose(calc(() => np.power(p, 1.5)), NP.pow);
      expect(calc(() => np.exp(np.array([0, 1], i32))).dtype).toBe("float32"); // ints promote to float
    });

    it("rounding, sign, abs", () => {
      expect(calc(() => np.round(np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.7, 3.2]))).toArray()).toEqual(NP.round); // half to even
      expect(calc(() => np.floor(x)).toArray()).toEqual(NP.floor);
      expect(calc(() => np.ceil(x)).toArray()).toEqual(NP.ceil);
      expect(calc(() => np.sign(x)).toArray()).toEqual(NP.sign);
      expectAllClose(calc(() => np.abs(x)), NP.abs);
      expect(calc(() => np.abs(np.array([-3, 4], i32))).toArray()).toEqual([3, 4]);
      expect(calc(() => np.round(np.array([3, -2], i32))).toArray()).toEqual([3, -2]);
      expect(calc(() => x.neg()).toArray()).toEqual(X.map((v) => Math.fround(-v)));
    });

    it("division: true division, lax-style div/rem methods, numpy floorDivide/remainder", () => {
      const a = np.array([7, -7, 7, -7], i32), b = np.array([2, 2, -2, -2], i32);
      expect(calc(() => np.divide(a, b)).dtype).toBe("float32");
      expect(calc(() => np.divide(a, b)).toArray()).toEqual([3.5, -3.5, -3.5, 3.5]);
      // x.div truncates toward zero for ints (the IR's div); x.rem keeps the dividend's sign (JS %).
      expect(calc(() => a.div(b)).toArray()).toEqual([3, -3, -3, 3]);
      expect(calc(() => a.rem(b)).toArray()).toEqual([1, -1, 1, -1]);
      // numpy: // floors, % takes the divisor's sign.
      expect(calc(() => np.floorDivide(a, b)).toArray()).toEqual([3, -4, -4, 3]);
      expect(calc(() => np.remainder(a, b)).toArray()).toEqual([1, 1, -1, -1]);
      expect(calc(() => np.remainder(np.array([-7, 7, -7, 7, 6], i32), np.array([3, -3, -3, 3, 3], i32))).toArray()).toEqual([2, -2, -1, 1, 0]);
      const fa = np.array([7.5, -7.5, 7.5, -7.5]), fb = np.array([2, 2, -2, -2]);
      expect(calc(() => np.floorDivide(fa, fb)).toArray()).toEqual([3, -4, -4, 3]);
      expect(calc(() => np.remainder(fa, fb)).toArray()).toEqual([1.5, 0.5, -0.5, -1.5]);
    });

    it("integer power is exact", () => {
      const a = np.array([2, -3, 5], i32);
      expect(calc(() => np.power(a, 3)).dtype).toBe("int32");
      expect(calc(() => np.power(a, 3)).toArray()).toEqual([8, -27, 125]);
      expect(calc(() => np.power(a, 0)).toArray()).toEqual([1, 1, 1]);
      expect(calc(() => np.power(a, np.array([1, 2, 3], i32))).toArray()).toEqual([2, 9, 125]);
      expect(calc(() => a.pow(2)).toArray()).toEqual([4, 9, 25]);
    });

    it("comparisons, logic, where, maximum/minimum", () => {
      const a = np.array([1, 2, 3]), b = np.array([3, 2, 1]);
      expect(calc(() => a.lt(b)).toArray()).toEqual([true, false, false]);
      expect(calc(() => a.le(b)).toArray()).toEqual([true, true, false]);
      expect(calc(() => a.gt(2)).toArray()).toEqual([false, false, true]);
      expect(calc(() => a.ge(2)).toArray()).toEqual([false, true, true]);
      expect(calc(() => a.eq(b)).toArray()).toEqual([false, true, false]);
      expect(calc(() => a.ne(b)).toArray()).toEqual([true, false, true]);
      const t = np.array([true, true, false]), f = np.array([true, false, false]);
      expect(calc(() => t.and(f)).toArray()).toEqual([true, false, false]);
      expect(calc(() => t.or(f)).toArray()).toEqual([true, true, false]);
      expect(calc(() => t.not()).toArray()).toEqual([false, false, true]);
      expect(calc(() => np.array([12, 10], i32).and(6)).toArray()).toEqual([4, 2]); // bitwise on ints
      expect(calc(() => np.logicalAnd(np.array([0, 1, 2]), np.array([1, 1, 0]))).toArray()).toEqual([false, true, false]);
      expect(calc(() => np.logicalOr(np.array([0, 0, 2]), false)).toArray()).toEqual([false, false, true]);
      expect(calc(() => np.logicalNot(np.array([0, 3], i32))).toArray()).toEqual([true, false]);
      expect(calc(() => np.where(np.array([[true], [false]]), np.array([1, 2, 3]), -1)).toArray()).toEqual(NP.where);
      expect(calc(() => np.where(a.gt(1), a, 0)).toArray()).toEqual([0, 2, 3]);
      expect(calc(() => np.where(true, 1, 2.5)).toArray()).toEqual(1);
      expect(calc(() => np.maximum(a, b)).toArray()).toEqual([3, 2, 3]);
      expect(calc(() => np.minimum(a, 2)).toArray()).toEqual([1, 2, 2]);
    });

    it("astype", () => {
      expect(calc(() => np.array([1.7, -1.7, 0]).astype("int32")).toArray()).toEqual([1, -1, 0]);
      expect(calc(() => np.array([2, 0]).astype("bool")).toArray()).toEqual([true, false]);
      expect(calc(() => np.astype(3, "float32")).dtype).toBe("float32");
    });
  });

  describe("reductions", () => {
    const r = np.array([[3, 1, 4, 1], [5, 9, 2, 6], [5, 3, 5, 8]]);
    it("sum/max/min/mean with axis and keepdims", () => {
      expect(calc(() => r.sum(0)).toArray()).toEqual(NP.sum0);
      expect(calc(() => r.sum(1, { keepdims: true })).toArray()).toEqual(NP.sum1k);
      expect(calc(() => r.sum()).toArray()).toEqual(NP.sumall);
      expect(calc(() => np.sum(r, [0, 1], { keepdims: true })).shape).toEqual([1, 1]);
      expect(calc(() => r.max(-1)).toArray()).toEqual(NP.maxm1);
      expect(calc(() => r.min([0, 1])).toArray()).toEqual(NP.min01);
      expectAllClose(calc(() => r.mean(0)), NP.mean0);
      expect(calc(() => np.array([[1, 2], [3, 5]], i32).mean(1)).toArray()).toEqual(NP.meanint);
      expect(calc(() => np.array([true, true, false]).sum()).toArray()).toEqual(2);
      expect(calc(() => np.array([true, true, false]).sum()).dtype).toBe("int32");
    });

    it("argmax returns the first maximum", () => {
      expect(calc(() => r.argmax(0)).toArray()).toEqual(NP.argmax0);
      expect(calc(() => r.argmax(1)).toArray()).toEqual(NP.argmax1);
      expect(calc(() => r.argmax()).toArray()).toEqual(NP.argmaxall);
      expect(calc(() => r.argmax(1, { keepdims: true })).shape).toEqual([3, 1]);
      expect(calc(() => np.argmax(r, -1)).dtype).toBe("int32");
    });
  });

  describe("matmul and dot", () => {
    const m = np.array([[1, 2, 3], [4, 5, 6]]), n = np.array([[1, -1], [0.5, 2], [-3, 1]]);
    it("2-D, matrix-vector, vector-matrix, vector-vector", () => {
      expect(calc(() => np.matmul(m, n)).toArray()).toEqual(NP.mm);
      expect(calc(() => m.matmul(np.array([1, 2, 3]))).toArray()).toEqual(NP.mv);
      expect(calc(() => np.matmul(np.array([1, -1]), m)).toArray()).toEqual(NP.vm);
      expect(calc(() => np.matmul(np.array([1, 2, 3]), np.array([4, 5, 6]))).toArray()).toEqual(NP.vv);
      expect(calc(() => np.matmul(np.array([[1, 2]], i32), np.array([[3], [4]], i32))).toArray()).toEqual([[11]]);
    });

    it("batched with broadcast batch dimensions", () => {
      const a = np.arange(24, { dtype: "float32" }).reshape([2, 1, 3, 4]).sub(10).div(7);
      const b = np.arange(40, { dtype: "float32" }).reshape([5, 4, 2]).sub(20).div(9);
      const c = calc(() => np.matmul(a, b));
      expect(c.shape).toEqual([2, 5, 3, 2]);
      expectAllClose(c, NP.bmm, { rtol: 1e-5, atol: 1e-5 });
    });

    it("np.dot contracts last with second-to-last, without batching", () => {
      const d = calc(() => np.dot(np.arange(24, { dtype: "float32" }).reshape([2, 3, 4]), np.arange(40, { dtype: "float32" }).reshape([5, 4, 2])));
      expect(d.shape).toEqual(NP.dotnd_shape);
      expect(d.toArray()).toEqual(NP.dotnd);
      expect(calc(() => np.dot(2, np.array([1, 2]))).toArray()).toEqual([2, 4]);
    });
  });

  describe("shapes and indexing", () => {
    const a = np.arange(6).reshape([2, 3]);
    it("reshape, transpose, squeeze, expandDims, broadcastTo", () => {
      expect(calc(() => a.reshape([3, -1])).toArray()).toEqual([[0, 1], [2, 3], [4, 5]]);
      expect(calc(() => a.reshape([-1])).toArray()).toEqual([0, 1, 2, 3, 4, 5]);
      expect(calc(() => a.T).toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
      expect(calc(() => np.arange(24).reshape([2, 3, 4]).transpose([1, 0, 2])).shape).toEqual([3, 2, 4]);
      expect(calc(() => np.arange(24).reshape([2, 3, 4]).transpose([1, 0, 2]).slice(2, 1)).toArray()).toEqual([20, 21, 22, 23]);
      expect(calc(() => np.zeros([1, 3, 1]).squeeze()).shape).toEqual([3]);
      expect(calc(() => np.zeros([1, 3, 1]).squeeze(-1)).shape).toEqual([1, 3]);
      expect(calc(() => np.expandDims(a, [0, -1])).shape).toEqual([1, 2, 3, 1]);
      expect(calc(() => np.broadcastTo(np.array([1, 2, 3]), [2, 3])).toArray()).toEqual([[1, 2, 3], [1, 2, 3]]);
    });

    it("concatenate and stack", () => {
      expect(calc(() => np.concatenate([a, np.array([[6, 7, 8]], i32)])).toArray()).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
      expect(calc(() => np.concatenate([a, a], 1)).shape).toEqual([2, 6]);
      expect(calc(() => np.concatenate([np.array([1], i32), np.array([0.5])])).toArray()).toEqual([1, 0.5]);
      expect(calc(() => np.stack([np.array([1, 2]), np.array([3, 4])])).toArray()).toEqual([[1, 2], [3, 4]]);
      expect(calc(() => np.stack([np.array([1, 2]), np.array([3, 4])], -1)).toArray()).toEqual([[1, 3], [2, 4]]);
    });

    it("static slicing with numpy rules", () => {
      const x = np.arange(20).reshape([4, 5]);
      expect(calc(() => x.slice(1)).toArray()).toEqual([5, 6, 7, 8, 9]);
      expect(calc(() => x.slice(-1, [1, 4, 2])).toArray()).toEqual([16, 18]);
      expect(calc(() => x.slice(null, [-2])).toArray()).toEqual([[3, 4], [8, 9], [13, 14], [18, 19]]);
      expect(calc(() => x.slice([1, 100], [null, 2])).toArray()).toEqual([[5, 6], [10, 11], [15, 16]]);
      expect(calc(() => x.slice([3, 1])).shape).toEqual([0, 5]);
      expect(calc(() => x.slice(2, 3)).toArray()).toEqual(13);
    });

    it("dynamicSlice and dynamicUpdateSlice clamp their starts", () => {
      const x = np.arange(10);
      expect(calc(() => np.dynamicSlice(x, [2], [3])).toArray()).toEqual([2, 3, 4]);
      expect(calc(() => np.dynamicSlice(x, [np.array(8, i32)], [3])).toArray()).toEqual([7, 8, 9]); // clamped to 7
      const m = np.zeros([3, 3], i32);
      expect(calc(() => np.dynamicUpdateSlice(m, np.ones([2, 2], i32), [1, np.array(5, i32)])).toArray()).toEqual([[0, 0, 0], [0, 1, 1], [0, 1, 1]]);
    });
  });
});

describe("creation API", () => {
  it("builds from typed arrays and copies data out", () => {
    const a = np.array(new Int32Array([1, 2, 3]));
    expect([a.dtype, a.toArray()]).toEqual(["int32", [1, 2, 3]]);
    const f = np.array(new Float32Array([0.5, 1.5]));
    expect(f.dtype).toBe("float32");
    const d = f.data();
    expect(d).toBeInstanceOf(Float32Array);
    d[0] = 99;
    expect(f.toArray()).toEqual([0.5, 1.5]); // data() is a copy
    expect(np.array([[1, 2]], { dtype: "bool" }).data()).toEqual(new Uint8Array([1, 1]));
  });

  it("item() and JS number conversion of size-1 arrays", () => {
    expect(np.array(2.5).item()).toBe(2.5);
    expect(np.array([true]).item()).toBe(true);
    expect(Number(np.array([[7]]))).toBe(7);
    expect(+np.array(1.5)).toBe(1.5);
    expect(np.array(3).valueOf() + 1).toBe(4);
    expect(np.array(2) > np.array(1)).toBe(true);
    expect(() => Number(np.array([1, 2]))).toThrow("Cannot convert f32[2] to a JS number: only size-1 arrays convert");
    expect(() => np.array([1, 2]).item()).toThrow("item(): only size-1 arrays have a single item, got f32[2]");
  });
});

describe("printing", () => {
  it("prints like numpy", () => {
    expect(np.array([1.5, 2, -3]).toString()).toBe("[ 1.5  2.  -3. ]");
    expect(np.array([[1, 2], [3, 4]]).toString()).toBe("[[1. 2.]\n [3. 4.]]");
    expect(np.arange(3).toString()).toBe("[0 1 2]");
    expect(np.array([true, false]).toString()).toBe("[ True False]");
    expect(np.array(2.5).toString()).toBe("2.5");
    expect(np.array(2).toString()).toBe("2.0");
    expect(np.array([0.001, 10]).toString()).toBe("[1.e-03 1.e+01]");
    expect(np.array([0.1, 0.25]).toString()).toBe("[0.1  0.25]");
    expect(np.arange(8).reshape([2, 2, 2]).toString()).toBe("[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]");
    expect(`${np.array([1, 2], i32)}`).toBe("[1 2]");
    expect(np.array([1e9, 1.5]).toString()).toBe("[1.0e+09 1.5e+00]");
    expect(np.array([NaN, 1.5, -Infinity]).toString()).toBe("[ nan  1.5 -inf]");
    // Long rows wrap at 75 columns, as numpy does.
    expect(np.arange(30, { dtype: "float32" }).toString()).toBe(
      "[ 0.  1.  2.  3.  4.  5.  6.  7.  8.  9. 10. 11. 12. 13. 14. 15. 16. 17.\n 18. 19. 20. 21. 22. 23. 24. 25. 26. 27. 28. 29.]",
    );
  });
});
