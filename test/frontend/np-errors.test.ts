// Bad arguments to np functions: each error names the function, the argument
// and what it expected, and shows what it got (`undefined`, `0.5`, `the string
// "3"`), instead of an internal TypeError, a misleading "out of bounds" or a
// silently ignored argument. One row per mistake.
import { describe, expect, it } from "vitest";
import { np } from "../../src/index.js";

const x = np.zeros([3, 4]);
/** Calls with the wrong types on purpose. */
const loose = np as unknown as Record<string, (...args: unknown[]) => np.Array>;
const method = (name: string, ...args: unknown[]) => () => (x as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);

const ROWS: readonly (readonly [string, () => unknown, string])[] = [
  // missing and non-array operands
  ["where(c)", () => loose.where!(np.array([true])), "where: needs three operands, where(condition, x, y); the one-operand form (numpy's nonzero"],
  ["where(c, x)", () => loose.where!(np.array([true]), 1), "where: y must be an np.Array or a JS number/boolean, got undefined"],
  ["array(undefined)", () => loose.array!(undefined), "array: data must be a number, a boolean, nested JS arrays of them, a typed array or an np.Array, got undefined"],
  ["array(null)", () => loose.array!(null), "array: data must be a number, a boolean, nested JS arrays of them, a typed array or an np.Array, got null"],
  ["array('abc')", () => loose.array!("abc"), 'array: data must be a number, a boolean, nested JS arrays of them, a typed array or an np.Array, got the string "abc"'],
  ["array([1, {}])", () => loose.array!([1, {}]), "array: element [1] is an object; expected numbers, booleans or nested arrays of them"],
  ["x.add()", method("add"), "add: operand 2 must be an np.Array or a JS number/boolean, got undefined"],
  ["add(null, x)", () => loose.add!(null, x), "add: operand 1 must be an np.Array or a JS number/boolean, got null"],
  ["add(x, 'abc')", () => loose.add!(x, "abc"), 'add: operand 2 must be an np.Array or a JS number/boolean, got the string "abc"'],
  ["add(x, new Map())", () => loose.add!(x, new Map()), "add: operand 2 must be an np.Array or a JS number/boolean, got a Map"],
  ["add(x, 1n)", () => loose.add!(x, 1n), "add: operand 2 must be an np.Array or a JS number/boolean, got the bigint 1n"],
  ["sum(undefined)", () => loose.sum!(undefined), "sum: operand must be an np.Array or a JS number/boolean, got undefined"],
  ["matmul(x, undefined)", () => loose.matmul!(x, undefined), "matmul: second operand must be an np.Array, got undefined"],
  ["matmul(2, x)", () => loose.matmul!(2, x), "matmul: first operand must be an np.Array, got 2 (wrap it with np.array(...))"],
  ["full([2], undefined)", () => loose.full!([2], undefined), "full: fill value must be an np.Array or a JS number/boolean, got undefined"],
  ["concatenate(undefined)", () => loose.concatenate!(undefined), "concatenate: needs a non-empty list of arrays, got undefined"],
  ["stack([])", () => loose.stack!([]), "stack: needs a non-empty list of arrays, got an empty list"],
  ["concatenate([x, undefined])", () => loose.concatenate!([x, undefined]), "concatenate: element 1 must be an np.Array, got undefined"],

  // axes: non-integers are not "out of bounds"
  ["x.sum(0.5)", method("sum", 0.5), "sum: axis must be an integer, got 0.5"],
  ["x.sum(NaN)", method("sum", NaN), "sum: axis must be an integer, got NaN"],
  ["x.sum('0')", method("sum", "0"), 'sum: axis must be an integer, a list of integers or null, got the string "0"'],
  ["x.max([0, '1'])", method("max", [0, "1"]), 'max: axis must be an integer, got the string "1"'],
  ["x.mean(5)", method("mean", 5), "mean: axis 5 is out of bounds for f32[3,4] (rank 2)"],
  ["x.argmax(0.5)", method("argmax", 0.5), "argmax: axis must be an integer, got 0.5"],
  ["x.transpose([0.5, 1])", method("transpose", [0.5, 1]), "transpose: axis must be an integer, got 0.5"],
  ["x.transpose(1)", method("transpose", 1), "transpose: axes must be a list of axes, got 1"],
  ["x.squeeze(0.5)", method("squeeze", 0.5), "squeeze: axis must be an integer, got 0.5"],
  ["x.expandDims()", method("expandDims"), "expandDims: axis must be an integer or a list of integers, got undefined"],
  ["x.expandDims(NaN)", method("expandDims", NaN), "expandDims: axis must be an integer, got NaN"],
  ["concatenate([x, x], 0.5)", () => loose.concatenate!([x, x], 0.5), "concatenate: axis must be an integer, got 0.5"],
  ["stack([x, x], NaN)", () => loose.stack!([x, x], NaN), "stack: axis must be an integer, got NaN"],
  ["x.sum(0, 'yes')", method("sum", 0, "yes"), 'sum: options must be an object like { keepdims: true }, got the string "yes"'],

  // shapes and sizes
  ["zeros([-1])", () => np.zeros([-1]), "zeros: shape[0] is -1; dimensions must be non-negative integers"],
  ["ones([2, 2.5])", () => np.ones([2, 2.5]), "ones: shape[1] is 2.5; dimensions must be non-negative integers"],
  ["zeros(NaN)", () => np.zeros(NaN), "zeros: shape[0] is NaN; dimensions must be non-negative integers"],
  ["zeros([2, null])", () => loose.zeros!([2, null]), "zeros: shape[1] is null; dimensions must be non-negative integers"],
  ["zeros('3')", () => loose.zeros!("3"), 'zeros: shape must be a list of non-negative integers, got the string "3"'],
  ["zeros(undefined)", () => loose.zeros!(undefined), "zeros: shape must be a list of non-negative integers, got undefined"],
  ["zeros([1e5, 1e5])", () => np.zeros([1e5, 1e5]), "zeros: shape (100000, 100000) has 10000000000 elements, more than an array can hold (2147483647)"],
  ["zeros([2], 'int32')", () => loose.zeros!([2], "int32"), 'zeros: options must be an object like { dtype: "int32" }, got the string "int32"'],
  ["full([-2], 1)", () => np.full([-2], 1), "full: shape[0] is -2; dimensions must be non-negative integers"],
  ["zerosLike(x, { dtype: 'float64' })", () => loose.zerosLike!(x, { dtype: "float64" }), 'zerosLike: unknown dtype float64 (tsjax has no 64-bit types yet); expected "float32", "int32" or "bool"'],
  ["ShapeDtype([-1])", () => np.ShapeDtype([-1]), "ShapeDtype: shape[0] is -1; dimensions must be non-negative integers"],
  ["eye(2.5)", () => np.eye(2.5), "eye: n must be a non-negative integer, got 2.5"],
  ["eye(2, '3')", () => loose.eye!(2, "3"), 'eye: m must be a non-negative integer, got the string "3"'],
  ["eye(2, 2, { k: 0.5 })", () => np.eye(2, 2, { k: 0.5 }), "eye: k must be an integer, got 0.5"],
  ["linspace(0, 1, '3')", () => loose.linspace!(0, 1, "3"), 'linspace: num must be a non-negative integer, got the string "3"'],
  ["linspace()", () => loose.linspace!(), "linspace: start and stop must be JS numbers, got undefined, undefined"],
  ["arange('3')", () => loose.arange!("3"), 'arange: expects (stop), (start, stop) or (start, stop, step) as finite JS numbers, got (the string "3")'],
  ["arange(5, null)", () => loose.arange!(5, null), "arange: expects (stop), (start, stop) or (start, stop, step) as finite JS numbers, got (5, null)"],
  ["x.reshape([-1, -1])", method("reshape", [-1, -1]), "reshape: invalid shape (-1, -1) for f32[3,4]: only one axis can be -1 (inferred)"],
  ["x.reshape([2.5, 4])", method("reshape", [2.5, 4]), "reshape: shape[0] is 2.5; dimensions must be non-negative integers, or -1 for one inferred axis (reshaping f32[3,4])"],
  ["x.reshape([-2, 4])", method("reshape", [-2, 4]), "reshape: shape[0] is -2; dimensions must be non-negative integers, or -1 for one inferred axis"],
  ["x.reshape('3')", method("reshape", "3"), 'reshape: shape must be a list of integers (one of them may be -1), got the string "3"'],
  ["broadcastTo(x, [3, -4])", () => np.broadcastTo(x, [3, -4]), "broadcastTo: shape[1] is -4; dimensions must be non-negative integers"],

  // indexing
  ["dynamicSlice sizes [-1, 2]", () => np.dynamicSlice(x, [0, 0], [-1, 2]), "dynamicSlice: sizes[0] is -1; slice sizes must be non-negative integers"],
  ["dynamicSlice sizes [1.5, 2]", () => np.dynamicSlice(x, [0, 0], [1.5, 2]), "dynamicSlice: sizes[0] is 1.5; slice sizes must be non-negative integers"],
  ["dynamicSlice sizes [5, 2]", () => np.dynamicSlice(x, [0, 0], [5, 2]), "dynamicSlice: sizes[0] = 5 is larger than axis 0 of f32[3,4] (size 3)"],
  ["dynamicSlice sizes undefined", () => loose.dynamicSlice!(x, [0, 0], undefined), "dynamicSlice: needs 2 slice sizes for f32[3,4] (one per axis), got undefined"],
  ["dynamicSlice start 0.5", () => np.dynamicSlice(x, [0.5, 0], [1, 1]), "dynamicSlice: start index 0 must be an integer, got 0.5"],
  ["x.slice(0.5)", method("slice", 0.5), "slice: index on axis 0 must be an integer, got 0.5"],
  ["x.slice([0.5, 2])", method("slice", [0.5, 2]), "slice: bound 0.5 on axis 0 must be an integer or null"],
  ["x.slice('x')", method("slice", "x"), 'slice: spec for axis 0 must be a number, null or [start, stop, step], got the string "x"'],

  // dtypes
  ["x.astype()", method("astype"), 'astype: needs a dtype: "float32", "int32" or "bool"'],
  ["x.astype('int64')", method("astype", "int64"), 'astype: unknown dtype int64 (tsjax has no 64-bit types yet); expected "float32", "int32" or "bool"'],
  ["array([1], { dtype: 'f32' })", () => loose.array!([1], { dtype: "f32" }), 'array: unknown dtype f32; expected "float32", "int32" or "bool"'],
];

describe("np argument errors name the function, the argument and what it expects", () => {
  it.each(ROWS)("%s", (_call, f, message) => {
    expect(f).toThrow(message);
  });
});
