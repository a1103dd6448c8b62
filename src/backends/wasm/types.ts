// WebAssembly value types, function types and the module-level entities an
// instruction can refer to (locals, globals, functions, labels).
//
// Entities are objects, not indices: a function's index depends on how many
// functions are imported, which may change after the call instruction was
// written. The encoder assigns indices when it serializes the module.

export type NumType = "i32" | "i64" | "f32" | "f64";
export type ValType = NumType | "v128";

export const VAL_TYPES: readonly ValType[] = ["i32", "i64", "f32", "f64", "v128"];

/** Binary encoding of each value type (spec 5.3.1). */
export const VALTYPE_CODE: { readonly [T in ValType]: number } = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
};

export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

/** A stable key for deduplicating function types. */
export function funcTypeKey(t: FuncType): string {
  return `${t.params.join(",")}->${t.results.join(",")}`;
}

export function sameTypes(a: readonly ValType[], b: readonly ValType[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

export function formatTypes(ts: readonly string[]): string {
  return `[${ts.join(" ")}]`;
}

/** A parameter or declared local of one function. The index is final when created. */
export interface Local {
  readonly kind: "local";
  readonly index: number;
  readonly type: ValType;
  readonly name: string;
}

/** A global, defined in the module or imported. */
export interface GlobalRef {
  readonly kind: "global";
  readonly name: string;
  readonly type: ValType;
  readonly mutable: boolean;
}

/** A callable function, defined in the module or imported. */
export interface FuncRef {
  readonly kind: "func";
  readonly name: string;
  readonly type: FuncType;
}

/** Block signature: none, one result, or a full function type (multi-value). */
export type BlockType = ValType | FuncType | undefined;

export function blockFuncType(bt: BlockType): FuncType {
  if (bt === undefined) return { params: [], results: [] };
  if (typeof bt === "string") return { params: [], results: [bt] };
  return bt;
}

/** Errors raised while building a module: always name the function and the instruction. */
export class WasmBuildError extends Error {
  override name = "WasmBuildError";
}
