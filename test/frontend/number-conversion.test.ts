// JS numbers into dtypes, as numpy 2 and JAX do it: int32 truncates a
// fraction toward zero, but a number outside int32's range, NaN or ±inf is an
// error naming the function, the element or operand, the value and the range,
// never a silent wrap-around. The boundaries: 2**31 - 1 and -2**31 fit,
// 2**31 and -2**31 - 1 do not. Runs eagerly and through jit on every backend
// (the checks happen while tracing, so every backend sees the same errors).
import { describe, expect, it } from "vitest";
import { np } from "../../src/index.js";
import { RUN_MODES } from "../helpers/backends.js";

const i32 = { dtype: "int32" } as const;
const MAX = 2 ** 31 - 1;
const MIN = -(2 ** 31);
const RANGE = "does not fit int32, whose range is -2147483648 to 2147483647";

describe.each(RUN_MODES)("JS numbers into int32 (%s)", (_mode, { run }) => {
  const calc = <T>(f: () => T): T => run(f)();

  it("np.array: the int32 boundaries fit, one past them raises; fractions truncate like numpy", () => {
    expect(calc(() => np.array([MAX, MIN, 0], i32)).toArray()).toEqual([MAX, MIN, 0]);
    expect(calc(() => np.array([1.9, -1.9, MAX + 0.5, MIN - 0.5], i32)).toArray()).toEqual([1, -1, MAX, MIN]);
    expect(() => calc(() => np.array([3e9], i32))).toThrow(`array: element [0] (3000000000) ${RANGE}`);
    expect(() => calc(() => np.array([[1], [2 ** 31]], i32))).toThrow(`array: element [1][0] (2147483648) ${RANGE}`);
    expect(() => calc(() => np.array([0, MIN - 1], i32))).toThrow(`array: element [1] (-2147483649) ${RANGE}`);
    expect(() => calc(() => np.array(2 ** 31, i32))).toThrow(`array: value (2147483648) ${RANGE}`);
    expect(() => calc(() => np.array([1, NaN], i32))).toThrow('array: element [1] (NaN) has no int32 value; pass { dtype: "float32" } to store it as float32');
    expect(() => calc(() => np.array([-Infinity], i32))).toThrow("array: element [0] (-Infinity) has no int32 value");
    // float32 data is rounded, as numpy does with dtype=float32.
    expect(calc(() => np.array([3e9, 1e40])).toArray()).toEqual([3e9, Infinity]);
  });

  it("typed arrays: Uint32Array values past int32 raise; Float64Array needs an explicit dtype", () => {
    expect(calc(() => np.array(new Uint32Array([MAX]))).toArray()).toEqual([MAX]);
    expect(() => calc(() => np.array(new Uint32Array([1, 2 ** 31])))).toThrow(`array: element [1] of the Uint32Array (2147483648) ${RANGE}`);
    expect(calc(() => np.array(new Uint32Array([2 ** 31]), { dtype: "float32" })).toArray()).toEqual([2 ** 31]);
    expect(() => calc(() => np.array(new Float64Array([0.1])))).toThrow(
      'array: a Float64Array would lose precision as float32 (tsjax has no float64 yet); pass { dtype: "float32" } to round it to float32, or give a Float32Array',
    );
    expect(calc(() => np.array(new Float64Array([0.1]), { dtype: "float32" })).toArray()).toEqual([Math.fround(0.1)]);
    expect(() => calc(() => np.array(new Float64Array([1, NaN]), i32))).toThrow("array: element [1] of the Float64Array (NaN) has no int32 value");
    expect(() => calc(() => np.array(new DataView(new ArrayBuffer(4)) as never))).toThrow("array: a DataView is not supported");
  });

  it("a JS number meeting an int32 array must fit int32 (numpy 2 / JAX raise OverflowError)", () => {
    const x = np.array([1, -1], i32);
    // Array arithmetic itself wraps, as in numpy; only the conversion of the number is checked.
    expect(calc(() => x.add(MAX)).toArray()).toEqual([MIN, MAX - 1]);
    expect(calc(() => x.mul(MIN)).toArray()).toEqual([MIN, MIN]);
    const hint = 'to compute in float32, convert the array operand first (x.astype("float32"))';
    expect(() => calc(() => x.add(2 ** 31))).toThrow(`add: operand 2 (2147483648) ${RANGE} (tsjax has no 64-bit types); ${hint}`);
    expect(() => calc(() => np.subtract(MIN - 1, x))).toThrow(`subtract: operand 1 (-2147483649) ${RANGE}`);
    expect(() => calc(() => x.lt(3e9))).toThrow(`less: operand 2 (3000000000) ${RANGE}`);
    expect(() => calc(() => np.array([true]).add(3e9))).toThrow(`add: operand 2 (3000000000) ${RANGE}`);
    expect(() => calc(() => np.where(np.array([true, false]), 3e9, x))).toThrow(`where: x (3000000000) ${RANGE}`);
    // A non-integer number promotes to float32, and float32 arrays take any number.
    expect(calc(() => x.mul(0.5)).toArray()).toEqual([0.5, -0.5]);
    expect(calc(() => np.array([1]).add(3e9)).toArray()).toEqual([3e9]);
    // Numbers alone: an integer past int32 is a float32 scalar (there is no int64 to hold it).
    expect(calc(() => np.add(3e9, 1)).dtype).toBe("float32");
    expect(() => calc(() => np.astype(3e9, "int32"))).toThrow(`astype: operand (3000000000) ${RANGE}`);
  });

  it("full, arange and linspace check the values they produce", () => {
    expect(calc(() => np.full([2], MIN, i32)).toArray()).toEqual([MIN, MIN]);
    expect(calc(() => np.full([2], -1.5, i32)).toArray()).toEqual([-1, -1]);
    expect(() => calc(() => np.full([2], 2 ** 31, i32))).toThrow(`full: fill value (2147483648) ${RANGE}`);
    expect(() => calc(() => np.full([2], NaN, i32))).toThrow("full: fill value (NaN) has no int32 value");

    expect(calc(() => np.arange(MAX - 2, MAX + 1)).toArray()).toEqual([MAX - 2, MAX - 1, MAX]);
    expect(calc(() => np.arange(MIN, MIN + 2)).toArray()).toEqual([MIN, MIN + 1]);
    // A step that does not fit int32 still gives exact values when they do.
    expect(calc(() => np.arange(-2e9, 2e9, 3.5e9)).toArray()).toEqual([-2e9, 1.5e9]);
    expect(() => calc(() => np.arange(MAX - 1, MAX + 2))).toThrow(`arange: the last value (2147483648) ${RANGE}`);
    expect(() => calc(() => np.arange(MIN - 1, 0, 2 ** 30))).toThrow(`arange: the first value (-2147483649) ${RANGE}`);
    expect(calc(() => np.arange(MAX - 1, MAX + 2, { dtype: "float32" })).dtype).toBe("float32");
    expect(() => calc(() => np.arange(1e10))).toThrow("arange: (0, 10000000000, 1) gives 10000000000 elements, more than an array can hold (2147483647)");

    expect(calc(() => np.linspace(MIN, 0, 2, i32)).toArray()).toEqual([MIN, 0]);
    expect(() => calc(() => np.linspace(0, 3e9, 3, i32))).toThrow(`linspace: the last value (3000000000) ${RANGE}`);
    expect(() => calc(() => np.linspace(NaN, 1, 2, i32))).toThrow("linspace: start (NaN) has no int32 value");
    // An offset past the matrix is an empty diagonal, not an overflow.
    expect(calc(() => np.eye(2, 3, { k: 3e9 })).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
  });
});
