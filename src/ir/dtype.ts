// Element types and abstract values (avals).
//
// An aval is the static type of an array: a dtype and a shape. It prints the
// way JAX prints a ShapedArray: `f32[3,4]`, `i32[]`, `bool[8]`.

export type DType = "float32" | "int32" | "bool";

export const DTYPES: readonly DType[] = ["float32", "int32", "bool"];

/** The range of int32. */
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** Short names used in the text IR. */
export const DTYPE_SHORT: { readonly [D in DType]: string } = {
  float32: "f32",
  int32: "i32",
  bool: "bool",
};

const SHORT_TO_DTYPE: Record<string, DType> = { f32: "float32", i32: "int32", bool: "bool" };

export function dtypeFromShort(s: string): DType | undefined {
  return SHORT_TO_DTYPE[s];
}

export function isDType(s: unknown): s is DType {
  return s === "float32" || s === "int32" || s === "bool";
}

/** Typed-array storage for each dtype (bool is one byte per element). */
export type TypedArrayFor<D extends DType> = D extends "float32"
  ? Float32Array
  : D extends "int32"
    ? Int32Array
    : Uint8Array;
export type Storage = Float32Array | Int32Array | Uint8Array;

export function allocStorage(dtype: DType, size: number): Storage {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "int32":
      return new Int32Array(size);
    case "bool":
      return new Uint8Array(size);
  }
}

/** Rounds a JS number to what the dtype can store (float32 rounding, int32 wrap, bool 0/1). */
export function castScalar(dtype: DType, v: number | boolean): number {
  const n = typeof v === "boolean" ? (v ? 1 : 0) : v;
  switch (dtype) {
    case "float32":
      return Math.fround(n);
    case "int32":
      // Truncation toward zero, as a C cast / XLA convert does for in-range values.
      return Number.isFinite(n) ? Math.trunc(n) | 0 : 0;
    case "bool":
      return n !== 0 ? 1 : 0;
  }
}

/** Promotion lattice bool < int32 < float32 (numpy/JAX for these three types). */
const RANK: { readonly [D in DType]: number } = { bool: 0, int32: 1, float32: 2 };
export function promoteDTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}
export function isFloat(d: DType): boolean {
  return d === "float32";
}
export function isInt(d: DType): boolean {
  return d === "int32";
}

export type Shape = readonly number[];

export interface Aval {
  readonly shape: Shape;
  readonly dtype: DType;
  /**
   * Tapes (reverse mode through while loops, docs/autodiff.md): a tape is a
   * stack, of a length known only at run time, of values of type
   * `{dtype, shape}` (depth 1), or of tapes one level shallower. Absent on
   * ordinary arrays. Prints as `tape(f32[4,64])`.
   */
  readonly tape?: number;
}

/** The tape of values of type `slot`. */
export function tapeOf(slot: Aval): Aval {
  return { dtype: slot.dtype, shape: slot.shape, tape: (slot.tape ?? 0) + 1 };
}

/** The type of one slot of a tape. */
export function slotOf(t: Aval): Aval {
  const depth = t.tape ?? 0;
  if (depth === 0) throw new TypeError(`slotOf: ${avalStr(t)} is not a tape`);
  return depth === 1 ? { dtype: t.dtype, shape: t.shape } : { dtype: t.dtype, shape: t.shape, tape: depth - 1 };
}

export function isTape(a: Aval): boolean {
  return (a.tape ?? 0) > 0;
}

export function aval(dtype: DType, shape: Shape): Aval {
  return { dtype, shape: [...shape] };
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function avalsEqual(a: Aval, b: Aval): boolean {
  return a.dtype === b.dtype && shapesEqual(a.shape, b.shape) && (a.tape ?? 0) === (b.tape ?? 0);
}

/** `true` when `prefix` is a leading prefix of `shape` (used by batched while/cond). */
export function isShapePrefix(prefix: Shape, shape: Shape): boolean {
  if (prefix.length > shape.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== shape[i]) return false;
  return true;
}

export function shapeStr(shape: Shape): string {
  return `[${shape.join(",")}]`;
}

/** `f32[3,4]`; a tape of them `tape(f32[3,4])`. */
export function avalStr(a: Aval): string {
  const base = `${DTYPE_SHORT[a.dtype]}${shapeStr(a.shape)}`;
  return a.tape ? `${"tape(".repeat(a.tape)}${base}${")".repeat(a.tape)}` : base;
}

/** Row-major strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}
