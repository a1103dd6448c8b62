// Array creation. `np.array` makes a concrete array from JS data (inside a
// trace it becomes a const when used). The other constructors are ops —
// broadcast of a literal, iota arithmetic — so inside a trace they are staged
// (`broadcast_in_dim[...] 0.0:f32[]`, like jnp.zeros under jit) instead of
// baking large constants into the jaxpr; eagerly they run through the interpreter.

import { type DType, isDType } from "../../ir/dtype.js";
import { type Nested, fromNested } from "../../ir/value.js";
import { Array, type ArrayLike } from "../array.js";
import { inspectCustom } from "../format.js";
import * as lax from "../lax.js";
import { registerPytreeLeaf } from "../pytree.js";
import { TypedScalar, weakDtype } from "../scalar.js";
import { astype } from "./elementwise.js";
import { broadcastTo } from "./shape.js";
import { cast, checkArray, checkArrayLike, describe } from "./promote.js";
import { fmtShape } from "./shape-util.js";

export interface DTypeOption {
  readonly dtype?: DType;
}

function checkDtype(name: string, dtype: unknown): DType | undefined {
  if (dtype === undefined) return undefined;
  if (!isDType(dtype)) throw new TypeError(`${name}: unknown dtype ${String(dtype)} (expected "float32", "int32" or "bool")`);
  return dtype;
}

function checkShape(name: string, shape: unknown): number[] {
  const list = typeof shape === "number" ? [shape] : shape;
  if (!globalThis.Array.isArray(list) || list.some((d) => !Number.isInteger(d) || (d as number) < 0)) {
    throw new TypeError(`${name}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return [...(list as number[])];
}

/** Data `np.array` accepts: nested JS arrays of numbers/booleans, typed arrays, scalars, arrays. */
export type ArrayData = Nested | Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array | Uint32Array | Array | readonly ArrayData[];

/**
 * A concrete array from JS data. The dtype defaults to float32 (bool when every
 * element is a boolean; int32 for integer typed arrays).
 */
export function array(data: ArrayData, opts: DTypeOption = {}): Array {
  const dtype = checkDtype("array", opts.dtype);
  if (data instanceof Array) {
    if (data.isTracer) return dtype ? astype(data, dtype) : data;
    // Values are immutable, so the same data can back the new array.
    const v = data.concrete("array");
    return Array.fromValue(dtype === undefined || dtype === v.dtype ? v : fromNested(data.toArray(), dtype));
  }
  if (ArrayBuffer.isView(data)) {
    const isFloat = data instanceof Float32Array || data instanceof Float64Array;
    const values = globalThis.Array.from(data as unknown as Iterable<number>);
    return Array.fromValue(fromNested(values, dtype ?? (isFloat ? "float32" : "int32")));
  }
  let allBool = true;
  const walk = (x: unknown, path: string): Nested => {
    if (typeof x === "boolean") return x;
    if (typeof x === "number") {
      allBool = false;
      return x;
    }
    if (x instanceof Array) {
      allBool = allBool && x.dtype === "bool";
      x.concrete(`array (element ${path || "<root>"})`); // a tracer cannot become data: use np.stack
      return x.toArray();
    }
    if (globalThis.Array.isArray(x)) return x.map((y, i) => walk(y, `${path}[${i}]`));
    throw new TypeError(`array: element ${path || "<root>"} is ${describe(x)}; expected numbers, booleans or nested arrays of them`);
  };
  const nested = walk(data, "");
  const isEmpty = globalThis.Array.isArray(nested) && sizeOfNested(nested) === 0;
  return Array.fromValue(fromNested(nested, dtype ?? (allBool && !isEmpty ? "bool" : "float32")));
}

function sizeOfNested(x: Nested): number {
  return globalThis.Array.isArray(x) ? x.reduce((n: number, y) => n + sizeOfNested(y), 0) : 1;
}

/** An array of `shape` filled with `value`; the dtype defaults to the value's (JS numbers: int32 or float32). */
export function full(shape: readonly number[] | number, value: ArrayLike, opts: DTypeOption = {}): Array {
  const s = checkShape("full", shape);
  checkArrayLike("full", value, "fill value");
  const dtype = checkDtype("full", opts.dtype) ?? (value instanceof Array ? value.dtype : weakDtype(value));
  if (value instanceof Array) return broadcastTo(cast(value, dtype), s);
  return lax.broadcastInDim(new TypedScalar(value, dtype), s, []);
}

export function zeros(shape: readonly number[] | number, opts: DTypeOption = {}): Array {
  return full(shape, 0, { dtype: opts.dtype ?? "float32" });
}

export function ones(shape: readonly number[] | number, opts: DTypeOption = {}): Array {
  return full(shape, 1, { dtype: opts.dtype ?? "float32" });
}

export function zerosLike(x: Array, opts: DTypeOption = {}): Array {
  checkArray("zerosLike", x);
  return full(x.shape, 0, { dtype: opts.dtype ?? x.dtype });
}

export function onesLike(x: Array, opts: DTypeOption = {}): Array {
  checkArray("onesLike", x);
  return full(x.shape, 1, { dtype: opts.dtype ?? x.dtype });
}

/**
 * `arange(stop)` or `arange(start, stop, step?)`, optionally followed by `{ dtype }`.
 * int32 when every bound is an integer, float32 otherwise. Built on iota.
 */
export function arange(...args: (number | DTypeOption | undefined)[]): Array {
  const opts = typeof args[args.length - 1] === "object" ? (args.pop() as DTypeOption) : {};
  const nums = args.filter((a) => a !== undefined);
  if (nums.length < 1 || nums.length > 3 || nums.some((a) => typeof a !== "number" || !Number.isFinite(a))) {
    throw new TypeError(`arange: expects (stop), (start, stop) or (start, stop, step) as finite JS numbers, got (${args.map(String).join(", ")})`);
  }
  const [start, stop, step] = (nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1]) as [number, number, number];
  if (step === 0) throw new RangeError("arange: step must not be zero");
  const dtype = checkDtype("arange", opts.dtype) ?? ([start, stop, step].every(Number.isInteger) ? "int32" : "float32");
  const n = Math.max(Math.ceil((stop - start) / step), 0);
  const useFloat = dtype === "float32" || ![start, step].every(Number.isInteger);
  let r = lax.iota(useFloat ? "float32" : "int32", [n], 0);
  const work = r.dtype;
  if (step !== 1) r = lax.binary("mul", r, new TypedScalar(step, work));
  if (start !== 0) r = lax.binary("add", r, new TypedScalar(start, work));
  return cast(r, dtype);
}

export interface LinspaceOptions extends DTypeOption {
  /** Include `stop` as the last sample (default true). */
  readonly endpoint?: boolean;
}

/** `num` evenly spaced samples from start to stop (float32 by default). */
export function linspace(start: number, stop: number, num = 50, opts: LinspaceOptions = {}): Array {
  if (typeof start !== "number" || typeof stop !== "number") throw new TypeError(`linspace: start and stop must be JS numbers, got ${describe(start)}, ${describe(stop)}`);
  if (!Number.isInteger(num) || num < 0) throw new RangeError(`linspace: num must be a non-negative integer, got ${num}`);
  const dtype = checkDtype("linspace", opts.dtype) ?? "float32";
  const endpoint = opts.endpoint ?? true;
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
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
export function eye(n: number, m?: number | null, opts: EyeOptions = {}): Array {
  const cols = m ?? n;
  checkShape("eye", [n, cols]);
  const k = opts.k ?? 0;
  if (!Number.isInteger(k)) throw new TypeError(`eye: k must be an integer, got ${k}`);
  const dtype = checkDtype("eye", opts.dtype) ?? "float32";
  const rows = lax.iota("int32", [n, cols], 0);
  const colIdx = lax.iota("int32", [n, cols], 1);
  const onDiag = lax.binary("eq", k === 0 ? rows : lax.binary("add", rows, new TypedScalar(k, "int32")), colIdx);
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
