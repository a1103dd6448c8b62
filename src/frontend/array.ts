// The one user-facing array class (`np.Array`). An Array is either
//
//   - concrete: it wraps an ArrayValue (dense row-major data), or
//   - a tracer: it belongs to a TraceBuilder and stands for a Var of the jaxpr
//     being traced.
//
// Both kinds have the same surface (shape, dtype, methods), so user code does
// not care which one it gets. Only reading values (`toArray`, `data`, `item`,
// JS number conversion) needs a concrete array; on a tracer these throw an
// error that says what to use instead.
//
// Methods delegate to the `np` functions (numpy broadcasting and promotion,
// JS numbers weakly typed); the np modules import this file back, which is a
// harmless cycle because neither side uses the other at module load time.

import type { ArrayValue, Var } from "../ir/core.js";
import { type Aval, type DType, type Shape, type Storage, avalStr, sizeOf } from "../ir/dtype.js";
import { type Nested, toNested } from "../ir/value.js";
import { arrayRepr, arrayStr, inspectCustom } from "./format.js";
import * as el from "./np/elementwise.js";
import * as ix from "./np/indexing.js";
import * as la from "./np/linalg.js";
import * as red from "./np/reductions.js";
import * as sh from "./np/shape.js";
import { registerPytreeLeaf } from "./pytree.js";
import type { TraceBuilder } from "./trace/builder.js";

/** Operands np functions accept: arrays, and JS numbers/booleans as weakly typed scalars. */
export type ArrayLike = Array | number | boolean;

/** One axis of `x.slice(...)`: an index (drops the axis), `[start, stop, step]` (numpy rules), or null (whole axis). */
export type SliceSpec = number | null | undefined | readonly [start?: number | null, stop?: number | null, step?: number | null];

export class Array {
  private constructor(
    /** Static type: dtype and shape. */
    readonly aval: Aval,
    private readonly value: ArrayValue | undefined,
    /** @internal The builder that owns this tracer (undefined for a concrete array). */
    readonly builder: TraceBuilder | undefined,
    /** @internal The jaxpr variable of this tracer. */
    readonly tracerVar: Var | undefined,
  ) {}

  /** @internal A concrete array wrapping `v` (not copied: values are never mutated). */
  static fromValue(v: ArrayValue): Array {
    return new Array(v.tape ? { dtype: v.dtype, shape: v.shape, tape: v.tape } : { dtype: v.dtype, shape: v.shape }, v, undefined, undefined);
  }

  /** @internal A tracer for variable `v` of `builder`'s jaxpr. */
  static tracer(builder: TraceBuilder, v: Var): Array {
    return new Array(v.aval, undefined, builder, v);
  }

  get shape(): Shape {
    return this.aval.shape;
  }
  get dtype(): DType {
    return this.aval.dtype;
  }
  get ndim(): number {
    return this.aval.shape.length;
  }
  get size(): number {
    return sizeOf(this.aval.shape);
  }
  /** True for a tracer (an abstract value inside a trace), false for a concrete array. */
  get isTracer(): boolean {
    return this.value === undefined;
  }

  /** @internal The concrete value; throws a helpful error on a tracer. */
  concrete(what: string): ArrayValue {
    if (this.value === undefined) {
      throw new TypeError(
        `${what} needs a concrete array, but this is a tracer Traced<${avalStr(this.aval)}> (its value is not known while tracing ${this.builder?.label ?? ""}). ` +
          `Use cond/switchCase/whileLoop/np.where or array methods instead of reading values.`,
      );
    }
    return this.value;
  }

  /** Nested JS arrays (booleans for bool arrays). */
  toArray(): Nested {
    return toNested(this.concrete("toArray()"));
  }

  /** A copy of the row-major data as a typed array (Uint8Array 0/1 for bool). */
  data(): Storage {
    return this.concrete("data()").data.slice();
  }

  /** The single element of a size-1 array. */
  item(): number | boolean {
    const v = this.concrete("item()");
    if (v.data.length !== 1) throw new TypeError(`item(): only size-1 arrays have a single item, got ${avalStr(this.aval)}`);
    return this.dtype === "bool" ? v.data[0] !== 0 : v.data[0]!;
  }

  /**
   * JS conversions (`Number(x)`, `+x`, `x < 0`, `${x}`). A size-1 concrete array
   * converts to its number; a tracer has no value to convert, so this throws —
   * JS operators and `if` cannot be traced.
   */
  [Symbol.toPrimitive](hint: "number" | "string" | "default"): number | string {
    if (this.value === undefined) {
      throw new TypeError(
        `Cannot convert Traced<${avalStr(this.aval)}> to a JS ${hint === "string" ? "string" : "number/boolean"}: its value is not known while tracing ${this.builder?.label ?? ""}. ` +
          `JS operators (<, +, ===, if) cannot be traced: use cond/switchCase/whileLoop or np.where for data-dependent choices, ` +
          `and array methods (x.lt(0), x.add(1)) for arithmetic.`,
      );
    }
    if (hint === "string") return this.toString();
    if (this.value.data.length === 1) return this.value.data[0]!;
    if (hint === "default") return this.toString();
    throw new TypeError(`Cannot convert ${avalStr(this.aval)} to a JS number: only size-1 arrays convert (use x.toArray() or x.data())`);
  }

  valueOf(): number {
    return this[Symbol.toPrimitive]("number") as number;
  }

  /**
   * numpy's `str`, which is also what template strings give: `[1. 2. 3.]`
   * (`Traced<f32[3]>` for a tracer). `console.log` shows the repr instead.
   */
  toString(): string {
    if (this.value === undefined) return `Traced<${avalStr(this.aval)}>`;
    return arrayStr(this.value);
  }

  /** JAX's `repr` for `console.log` / `util.inspect` in Node: `Array([1., 2., 3.], dtype=float32)`, or `Traced<f32[3]>`. */
  [inspectCustom](): string {
    if (this.value === undefined) return `Traced<${avalStr(this.aval)}>`;
    return arrayRepr(this.value);
  }

  /**
   * `JSON.stringify`: a concrete array's values as nested lists (like
   * `toArray()`), a tracer as `"Traced<f32[3]>"`, never the trace's internals.
   */
  toJSON(): Nested | string {
    if (this.value === undefined) return `Traced<${avalStr(this.aval)}>`;
    return toNested(this.value);
  }

  // ---------------------------------------------------------------- arithmetic

  add(y: ArrayLike): Array {
    return el.add(this, y);
  }
  sub(y: ArrayLike): Array {
    return el.subtract(this, y);
  }
  mul(y: ArrayLike): Array {
    return el.multiply(this, y);
  }
  /**
   * Division in the operands' promoted dtype, like the IR's `div`: int32 / int32
   * truncates toward zero. For numpy's true division (ints → float32) use np.divide.
   */
  div(y: ArrayLike): Array {
    return el.laxDivide(this, y, "div");
  }
  /** Remainder with the dividend's sign, like the IR's `rem` (JS `%`); np.remainder follows numpy's sign rule. */
  rem(y: ArrayLike): Array {
    return el.laxRemainder(this, y, "rem");
  }
  pow(y: ArrayLike): Array {
    return el.power(this, y);
  }
  neg(): Array {
    return el.negative(this);
  }
  abs(): Array {
    return el.abs(this);
  }

  // ---------------------------------------------------------------- comparisons and logic

  lt(y: ArrayLike): Array {
    return el.less(this, y);
  }
  le(y: ArrayLike): Array {
    return el.lessEqual(this, y);
  }
  gt(y: ArrayLike): Array {
    return el.greater(this, y);
  }
  ge(y: ArrayLike): Array {
    return el.greaterEqual(this, y);
  }
  eq(y: ArrayLike): Array {
    return el.equal(this, y);
  }
  ne(y: ArrayLike): Array {
    return el.notEqual(this, y);
  }
  /** Elementwise and (bitwise on int32, logical on bool), like `&` in numpy. */
  and(y: ArrayLike): Array {
    return el.bitwiseAnd(this, y, "and");
  }
  /** Elementwise or (bitwise on int32, logical on bool), like `|` in numpy. */
  or(y: ArrayLike): Array {
    return el.bitwiseOr(this, y, "or");
  }
  /** Elementwise not (bitwise on int32, logical on bool), like `~` in numpy. */
  not(): Array {
    return el.bitwiseNot(this, "not");
  }

  astype(dtype: DType): Array {
    return el.astype(this, dtype);
  }

  // ---------------------------------------------------------------- linear algebra, reductions

  matmul(y: Array): Array {
    return la.matmul(this, y);
  }
  sum(axis?: number | readonly number[] | null, opts?: { keepdims?: boolean }): Array {
    return red.sum(this, axis, opts);
  }
  max(axis?: number | readonly number[] | null, opts?: { keepdims?: boolean }): Array {
    return red.max(this, axis, opts);
  }
  min(axis?: number | readonly number[] | null, opts?: { keepdims?: boolean }): Array {
    return red.min(this, axis, opts);
  }
  mean(axis?: number | readonly number[] | null, opts?: { keepdims?: boolean }): Array {
    return red.mean(this, axis, opts);
  }
  argmax(axis?: number | null, opts?: { keepdims?: boolean }): Array {
    return red.argmax(this, axis, opts);
  }

  // ---------------------------------------------------------------- shapes and indexing

  reshape(shape: readonly number[]): Array {
    return sh.reshape(this, shape);
  }
  transpose(axes?: readonly number[]): Array {
    return sh.transpose(this, axes);
  }
  /** The transpose (axes reversed). */
  get T(): Array {
    return sh.transpose(this);
  }
  squeeze(axis?: number | readonly number[]): Array {
    return sh.squeeze(this, axis);
  }
  expandDims(axis: number | readonly number[]): Array {
    return sh.expandDims(this, axis);
  }
  broadcastTo(shape: readonly number[]): Array {
    return sh.broadcastTo(this, shape);
  }
  /** Static numpy-style basic indexing, one spec per leading axis: `x.slice(0, [1, null], null)`. */
  slice(...specs: SliceSpec[]): Array {
    return ix.slice(this, ...specs);
  }
}

registerPytreeLeaf(Array);
