// Argument checking for the np layer. Every error names the function, the
// argument (operand 2, axis, shape[1], element [0][3]) and what it expected,
// and shows what it got in a short form (`f32[3]`, `0.5`, `undefined`,
// `the string "abc"`), so a wrong call never surfaces as an internal
// TypeError, a stack overflow or a silent wrong answer.

import { type DType, INT32_MAX, avalStr, isDType } from "../../ir/dtype.js";
import { Array, type ArrayLike } from "../array.js";
import { TypedScalar, isJsScalar } from "../scalar.js";
import { fmtShape } from "./shape-util.js";

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? "an" : "a";
}

/** A short description of any value for error messages: `f32[3]`, `2.5`, `undefined`, `a JS array`, `the string "x"`. */
export function describe(x: unknown): string {
  if (x instanceof Array) return avalStr(x.aval);
  if (typeof x === "number" || typeof x === "boolean") return String(x);
  if (x instanceof TypedScalar) return x.toString();
  if (x === undefined || x === null) return String(x);
  if (typeof x === "string") return `the string ${JSON.stringify(x.length > 20 ? `${x.slice(0, 20)}…` : x)}`;
  if (typeof x === "bigint") return `the bigint ${x}n`;
  if (typeof x === "function") return "a function";
  if (typeof x === "symbol") return "a symbol";
  if (globalThis.Array.isArray(x)) return "a JS array";
  const ctor = (x as object).constructor?.name;
  if (!ctor || ctor === "Object") return "an object";
  return `${article(ctor)} ${ctor}`;
}

/** `describe` for arguments that must be static JS numbers (shapes, axes, sizes): a tracer reads `Traced<i32[]>`. */
export function describeStatic(x: unknown): string {
  return x instanceof Array && x.isTracer ? `Traced<${avalStr(x.aval)}>` : describe(x);
}

/**
 * The end of a message about a static argument that got a tracer: usually a JS
 * number that jit traced, so say how to keep it static.
 */
export function tracedHint(x: unknown): string {
  const t = globalThis.Array.isArray(x) ? x.find((d) => d instanceof Array && d.isTracer) : x;
  if (!(t instanceof Array) || !t.isTracer) return "";
  return (
    `. It is a value traced by ${t.builder?.label ?? "a transformation"}, not known until the program runs; ` +
    "a JS number passed to jit is traced unless its argument is static: jit(f, { staticArgnums: [position] })"
  );
}

/** Checks that `x` is an np.Array or a JS number/boolean. */
export function checkArrayLike(name: string, x: unknown, what = "operand"): asserts x is ArrayLike {
  if (x instanceof Array || isJsScalar(x)) return;
  const hint = globalThis.Array.isArray(x) || ArrayBuffer.isView(x) ? " (wrap it with np.array(...))" : "";
  throw new TypeError(`${name}: ${what} must be an np.Array or a JS number/boolean, got ${describe(x)}${hint}`);
}

export function checkArray(name: string, x: unknown, what = "operand"): asserts x is Array {
  if (x instanceof Array) return;
  const hint = isJsScalar(x) || globalThis.Array.isArray(x) ? " (wrap it with np.array(...))" : "";
  throw new TypeError(`${name}: ${what} must be an np.Array, got ${describe(x)}${hint}`);
}

/** A dtype argument: undefined (the default) or one of tsjax's dtypes. */
export function checkDtype(name: string, dtype: unknown): DType | undefined {
  if (dtype === undefined || isDType(dtype)) return dtype;
  const why = dtype === "float64" || dtype === "int64" ? ` (tsjax has no 64-bit types yet)` : "";
  throw new TypeError(`${name}: unknown dtype ${typeof dtype === "string" ? dtype : describe(dtype)}${why}; expected "float32", "int32" or "bool"`);
}

/** An options argument: undefined or a plain object (catches `np.zeros([2], "int32")`, which would otherwise be ignored). */
export function checkOptions<T extends object>(name: string, opts: T | undefined, example: string): T | Record<string, never> {
  if (opts === undefined) return {};
  if (typeof opts !== "object" || opts === null || globalThis.Array.isArray(opts) || opts instanceof Array) {
    throw new TypeError(`${name}: options must be an object like ${example}, got ${describe(opts)}`);
  }
  return opts;
}

/** An integer argument (`axis`, `k`, a start index), with `what` naming it. */
export function checkInteger(name: string, x: unknown, what: string): number {
  if (typeof x === "number" && Number.isInteger(x)) return x;
  throw new TypeError(`${name}: ${what} must be an integer, got ${describeStatic(x)}${tracedHint(x)}`);
}

/** The most elements an array can have: element indices are int32. */
export const MAX_SIZE = INT32_MAX;

/** A shape argument: a list of non-negative integers (or one integer); errors name the bad entry. */
export function checkShape(name: string, shape: unknown, what = "shape"): number[] {
  const list = typeof shape === "number" ? [shape] : shape;
  if (!globalThis.Array.isArray(list)) throw new TypeError(`${name}: ${what} must be a list of non-negative integers, got ${describeStatic(shape)}${tracedHint(shape)}`);
  list.forEach((d: unknown, i) => {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new TypeError(`${name}: ${what}[${i}] is ${describeStatic(d)}; dimensions must be non-negative integers${tracedHint(d)}`);
    }
  });
  const dims = list as number[];
  const size = dims.reduce((n, d) => n * d, 1);
  if (size > MAX_SIZE) throw new RangeError(`${name}: ${what} ${fmtShape(dims)} has ${size} elements, more than an array can hold (${MAX_SIZE})`);
  return [...dims];
}

/** Normalizes a possibly negative axis, with an error naming the op and the operand type. */
export function normalizeAxis(name: string, axis: unknown, rank: number, x: Array | string): number {
  const a = checkInteger(name, axis, "axis");
  if (a < -rank || a >= rank) {
    throw new RangeError(`${name}: axis ${a} is out of bounds for ${typeof x === "string" ? x : avalStr(x.aval)} (rank ${rank})`);
  }
  return a < 0 ? a + rank : a;
}

/** An axis argument that may be one axis or a list of them, as a list (entries checked by normalizeAxis). */
export function axisList(name: string, axis: unknown, orNull = false): unknown[] {
  if (globalThis.Array.isArray(axis)) return [...axis];
  if (typeof axis === "number") return [axis];
  throw new TypeError(`${name}: axis must be an integer${orNull ? ", a list of integers or null" : " or a list of integers"}, got ${describeStatic(axis)}${tracedHint(axis)}`);
}

/** Axes for reductions: undefined/null = all; a number or a list; negative allowed; no repeats. */
export function normalizeAxes(name: string, axis: unknown, x: Array): number[] {
  if (axis === undefined || axis === null) return x.shape.map((_, i) => i);
  const list = axisList(name, axis, true);
  const out = list.map((a) => normalizeAxis(name, a, x.ndim, x));
  if (new Set(out).size !== out.length) throw new RangeError(`${name}: repeated axis in (${list.join(", ")}) for ${avalStr(x.aval)}`);
  return out;
}
