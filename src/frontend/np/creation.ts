// Array creation. `np.array` makes a concrete array from JS data (inside a
// trace it becomes a const when used); data holding tracers is stacked. The other constructors are ops —
// broadcast of a literal, iota arithmetic — so inside a trace they are staged
// (`broadcast_in_dim[...] 0.0:f32[]`, like jnp.zeros under jit) instead of
// baking large constants into the jaxpr; eagerly they run through the interpreter.

import { type DType, allocStorage, shapesEqual } from "../../ir/dtype.js";
import { type Nested, fromNested } from "../../ir/value.js";
import { Array, type ArrayLike } from "../array.js";
import { inspectCustom } from "../format.js";
import * as lax from "../lax.js";
import { registerPytreeLeaf } from "../pytree.js";
import { TypedScalar, toDtypeValue, weakDtype } from "../scalar.js";
import { astype } from "./elementwise.js";
import { broadcastTo, stack } from "./shape.js";
import { MAX_SIZE, checkArray, checkArrayLike, checkDtype, checkInteger, checkOptions, checkShape, describe, describeStatic, tracedHint } from "./args.js";
import { cast, resultDtype } from "./promote.js";
import { fmtShape } from "./shape-util.js";

export interface DTypeOption {
  readonly dtype?: DType;
}

function checkSize(name: string, size: number, what: string): void {
  if (size > MAX_SIZE) throw new RangeError(`${name}: ${what} gives ${size} elements, more than an array can hold (${MAX_SIZE})`);
}

const DTYPE_EXAMPLE = '{ dtype: "int32" }';

/** Data `np.array` accepts: nested JS arrays of numbers/booleans, typed arrays, scalars, arrays. */
export type ArrayData = Nested | Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array | Uint32Array | Array | readonly ArrayData[];

/** What to do when data does not fit int32. */
const INT32_DATA_HINT = 'pass { dtype: "float32" } to store it as float32';

/**
 * A concrete array from JS data. The dtype defaults to float32 (bool when every
 * element is a boolean; int32 for integer typed arrays). Numbers convert like
 * numpy 2: fractions truncate toward zero in int32, but a number outside
 * int32's range, NaN or ±inf into int32 is an error naming the element.
 */
export function array(data: ArrayData, opts?: DTypeOption): Array {
  const dtype = dtypeOption("array", opts);
  if (data instanceof Array) {
    // An array changes dtype as astype does (an array cast, not number conversion).
    if (data.isTracer || (dtype !== undefined && dtype !== data.dtype)) return dtype ? astype(data, dtype) : data;
    // Values are immutable, so the same data can back the new array.
    return Array.fromValue(data.concrete("array"));
  }
  if (ArrayBuffer.isView(data)) return fromTypedArray(data, dtype);
  // Tracers inside the data (`np.array([a, b])` under jit) cannot become
  // concrete data: stack them instead, as jnp.array does.
  if (containsTracer(data)) return stackNested(data, dtype);
  let allBool = true;
  const walk = (x: unknown, path: string): Nested => {
    if (typeof x === "boolean") return x;
    if (typeof x === "number") {
      allBool = false;
      if (dtype === "int32") toDtypeValue(x, dtype, { op: "array", what: path ? `element ${path}` : "value", hint: INT32_DATA_HINT });
      return x;
    }
    if (x instanceof Array) return walk(x.toArray(), path);
    if (globalThis.Array.isArray(x)) return x.map((y, i) => walk(y, `${path}[${i}]`));
    if (!path) throw new TypeError(`array: data must be a number, a boolean, nested JS arrays of them, a typed array or an np.Array, got ${describe(x)}`);
    throw new TypeError(`array: element ${path} is ${describe(x)}; expected numbers, booleans or nested arrays of them`);
  };
  const nested = walk(data, "");
  const isEmpty = globalThis.Array.isArray(nested) && sizeOfNested(nested) === 0;
  return Array.fromValue(fromNested(nested, dtype ?? (allBool && !isEmpty ? "bool" : "float32")));
}

function containsTracer(x: unknown): boolean {
  if (x instanceof Array) return x.isTracer;
  return globalThis.Array.isArray(x) && x.some(containsTracer);
}

/**
 * `np.array` of nested lists holding tracers: every list level is a stack of
 * equally shaped elements. The dtype is the promotion of the elements (JS
 * numbers weakly typed, as in any np operation) unless one is given.
 */
function stackNested(data: unknown, dtype: DType | undefined): Array {
  const leaves: ArrayLike[] = [];
  const collect = (x: unknown, path: string): void => {
    if (globalThis.Array.isArray(x)) x.forEach((y, i) => collect(y, `${path}[${i}]`));
    else {
      checkArrayLike("array", x, `element ${path}`);
      leaves.push(x);
    }
  };
  collect(data, "");
  const d = dtype ?? resultDtype(leaves);
  const build = (x: unknown, path: string): Array => {
    if (!globalThis.Array.isArray(x)) return x instanceof Array ? cast(x, d) : lax.broadcastInDim(new TypedScalar(x as number | boolean, d, { op: "array", what: `element ${path}` }), [], []);
    if (x.length === 0) throw new TypeError(`array: element ${path || "<root>"} is an empty list next to traced values; every list must have the same shape`);
    const parts = x.map((y, i) => build(y, `${path}[${i}]`));
    const bad = parts.findIndex((p) => !shapesEqual(p.shape, parts[0]!.shape));
    if (bad >= 0) {
      throw new TypeError(`array: element ${path}[${bad}] has shape ${fmtShape(parts[bad]!.shape)} but element ${path}[0] has ${fmtShape(parts[0]!.shape)}; nested data must be rectangular`);
    }
    return stack(parts);
  };
  return build(data, "");
}

function sizeOfNested(x: Nested): number {
  return globalThis.Array.isArray(x) ? x.reduce((n: number, y) => n + sizeOfNested(y), 0) : 1;
}

function fromTypedArray(data: ArrayBufferView, dtype: DType | undefined): Array {
  const kind = data.constructor.name;
  if (!(data instanceof Float32Array || data instanceof Float64Array || data instanceof Int8Array || data instanceof Uint8Array ||
    data instanceof Uint8ClampedArray || data instanceof Int16Array || data instanceof Uint16Array || data instanceof Int32Array || data instanceof Uint32Array)) {
    throw new TypeError(`array: a ${kind} is not supported; pass a Float32Array, an integer typed array of up to 32 bits, or nested JS arrays of numbers`);
  }
  const isFloat = data instanceof Float32Array || data instanceof Float64Array;
  if (data instanceof Float64Array && dtype === undefined) {
    throw new TypeError(
      'array: a Float64Array would lose precision as float32 (tsjax has no float64 yet); pass { dtype: "float32" } to round it to float32, or give a Float32Array',
    );
  }
  const d = dtype ?? (isFloat ? "float32" : "int32");
  const out = allocStorage(d, data.length);
  for (let i = 0; i < data.length; i++) out[i] = toDtypeValue(data[i]!, d, { op: "array", what: `element [${i}] of the ${kind}`, hint: INT32_DATA_HINT });
  return Array.fromValue({ dtype: d, shape: [data.length], data: out });
}

/** `shape` filled with `value` as `dtype` (default: the value's own), for full, zeros, ones and the *Like functions. */
function filled(name: string, shape: unknown, value: ArrayLike, dtype: DType | undefined): Array {
  const s = checkShape(name, shape);
  const d = dtype ?? (value instanceof Array ? value.dtype : weakDtype(value));
  if (value instanceof Array) return broadcastTo(cast(value, d), s);
  return lax.broadcastInDim(new TypedScalar(value, d, { op: name, what: "fill value", hint: INT32_DATA_HINT }), s, []);
}

function dtypeOption(name: string, opts: DTypeOption | undefined): DType | undefined {
  return checkDtype(name, checkOptions(name, opts, DTYPE_EXAMPLE).dtype);
}

/** An array of `shape` filled with `value`; the dtype defaults to the value's (JS numbers: int32 or float32). */
export function full(shape: readonly number[] | number, value: ArrayLike, opts?: DTypeOption): Array {
  checkArrayLike("full", value, "fill value");
  return filled("full", shape, value, dtypeOption("full", opts));
}

export function zeros(shape: readonly number[] | number, opts?: DTypeOption): Array {
  return filled("zeros", shape, 0, dtypeOption("zeros", opts) ?? "float32");
}

export function ones(shape: readonly number[] | number, opts?: DTypeOption): Array {
  return filled("ones", shape, 1, dtypeOption("ones", opts) ?? "float32");
}

export function zerosLike(x: Array, opts?: DTypeOption): Array {
  checkArray("zerosLike", x);
  return filled("zerosLike", x.shape, 0, dtypeOption("zerosLike", opts) ?? x.dtype);
}

export function onesLike(x: Array, opts?: DTypeOption): Array {
  checkArray("onesLike", x);
  return filled("onesLike", x.shape, 1, dtypeOption("onesLike", opts) ?? x.dtype);
}

/**
 * `arange(stop)` or `arange(start, stop, step?)`, optionally followed by `{ dtype }`.
 * int32 when every bound is an integer, float32 otherwise. Built on iota.
 */
export function arange(...args: (number | DTypeOption | undefined)[]): Array {
  const last = args[args.length - 1];
  const opts = typeof last === "object" && last !== null ? (args.pop() as DTypeOption) : {};
  const nums = args.filter((a) => a !== undefined);
  if (nums.length < 1 || nums.length > 3 || nums.some((a) => typeof a !== "number" || !Number.isFinite(a))) {
    throw new TypeError(`arange: expects (stop), (start, stop) or (start, stop, step) as finite JS numbers, got (${args.map(describe).join(", ")})`);
  }
  const [start, stop, step] = (nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1]) as [number, number, number];
  if (step === 0) throw new RangeError("arange: step must not be zero");
  const dtype = dtypeOption("arange", opts) ?? ([start, stop, step].every(Number.isInteger) ? "int32" : "float32");
  const n = Math.max(Math.ceil((stop - start) / step), 0);
  checkSize("arange", n, `(${start}, ${stop}, ${step})`);
  if (dtype === "int32" && n > 0) {
    // Every value lies between the first and the last.
    toDtypeValue(start, dtype, { op: "arange", what: "the first value", hint: INT32_DATA_HINT });
    toDtypeValue(start + (n - 1) * step, dtype, { op: "arange", what: "the last value", hint: INT32_DATA_HINT });
  }
  const useFloat = dtype === "float32" || ![start, step].every(Number.isInteger);
  const work = useFloat ? "float32" : "int32";
  let r = lax.iota(work, [n], 0);
  // In int32, start + i * step is computed modulo 2^32, which gives the exact
  // value whenever it is in range (checked above), even if a step too large
  // for int32 (two values spanning the range) has to be wrapped first.
  if (n > 1 && step !== 1) r = lax.binary("mul", r, new TypedScalar(useFloat ? step : step | 0, work));
  if (n > 0 && start !== 0) r = lax.binary("add", r, new TypedScalar(start, work));
  return cast(r, dtype);
}

export interface LinspaceOptions extends DTypeOption {
  /** Include `stop` as the last sample (default true). */
  readonly endpoint?: boolean;
}

/** `num` evenly spaced samples from start to stop (float32 by default). */
export function linspace(start: number, stop: number, num = 50, opts?: LinspaceOptions): Array {
  if (typeof start !== "number" || typeof stop !== "number") throw new TypeError(`linspace: start and stop must be JS numbers, got ${describe(start)}, ${describe(stop)}`);
  if (typeof num !== "number" || !Number.isInteger(num) || num < 0) throw new TypeError(`linspace: num must be a non-negative integer, got ${describeStatic(num)}${tracedHint(num)}`);
  checkSize("linspace", num, `num = ${num}`);
  const o = checkOptions("linspace", opts, "{ endpoint: false }");
  const dtype = checkDtype("linspace", o.dtype) ?? "float32";
  const endpoint = o.endpoint ?? true;
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  if (dtype === "int32" && num > 0) {
    toDtypeValue(Math.floor(start), dtype, { op: "linspace", what: "start", hint: INT32_DATA_HINT });
    toDtypeValue(Math.floor(start + (num - 1) * step), dtype, { op: "linspace", what: "the last value", hint: INT32_DATA_HINT });
  }
  let r = lax.iota("float32", [num], 0);
  r = lax.binary("add", lax.binary("mul", r, new TypedScalar(step, "float32")), new TypedScalar(start, "float32"));
  // numpy rounds toward -inf when asked for integers.
  return dtype === "float32" ? r : cast(dtype === "int32" ? lax.unary("floor", r) : r, dtype);
}

export interface EyeOptions extends DTypeOption {
  /** Diagonal offset: 0 the main diagonal, > 0 above, < 0 below. */
  readonly k?: number;
}

/** An n×m matrix with ones on the k-th diagonal. */
export function eye(n: number, m?: number | null, opts?: EyeOptions): Array {
  const cols = m ?? n;
  for (const [what, d] of [["n", n], ["m", cols]] as const) {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) throw new TypeError(`eye: ${what} must be a non-negative integer, got ${describeStatic(d)}${tracedHint(d)}`);
  }
  checkShape("eye", [n, cols]);
  const o = checkOptions("eye", opts, "{ k: 1 }");
  const k = checkInteger("eye", o.k ?? 0, "k");
  const dtype = checkDtype("eye", o.dtype) ?? "float32";
  const rows = lax.iota("int32", [n, cols], 0);
  const colIdx = lax.iota("int32", [n, cols], 1);
  // Offsets past the matrix give no diagonal at all; clamping keeps k an int32.
  const offset = Math.max(-n, Math.min(cols, k));
  const onDiag = lax.binary("eq", offset === 0 ? rows : lax.binary("add", rows, new TypedScalar(offset, "int32")), colIdx);
  return cast(onDiag, dtype);
}

/** An abstract input for `makeJaxpr`/`jit`: a shape and a dtype, no data. */
export class ShapeDtypeSpec {
  readonly shape: readonly number[];
  constructor(
    shape: readonly number[],
    readonly dtype: DType,
  ) {
    this.shape = checkShape("ShapeDtype", shape);
    checkDtype("ShapeDtype", dtype);
  }
  toString(): string {
    return `ShapeDtype(${fmtShape(this.shape)}, ${this.dtype})`;
  }
  [inspectCustom](): string {
    return this.toString();
  }
}
registerPytreeLeaf(ShapeDtypeSpec);

/** `np.ShapeDtype([3, 4], "float32")`: an input spec for tracing without data. */
export function ShapeDtype(shape: readonly number[], dtype: DType = "float32"): ShapeDtypeSpec {
  return new ShapeDtypeSpec(shape, dtype);
}
export type ShapeDtype = ShapeDtypeSpec;
