// What kind of value each param of each primitive holds. The parser uses it to
// check the generic values it read (`(1, 2)`, `float32`, `{ lambda ... }`), the
// verifier to check params built in code, and docs/ir.md lists it.
//
// Each primitive's spec (the `params` entry of its rules, prims/) is a mapped
// type over that primitive's `Params` keys whose kind is derived from the TS
// type of the param. So a new primitive, a new param, a renamed param or a
// param whose type changes all fail `tsc` until the spec agrees with `Params`.
//
// Kinds also carry the context-free part of a param's valid range: counts,
// sizes and axes are non-negative (`nat`, `nats`), strides positive. What
// depends on the operands (an axis below the operand's rank, nconsts at most
// the number of operands, slice bounds within the shape) is the shape rule's
// to check, in prims/; the verifier runs both.

import type { Jaxpr } from "./core.js";
import { type DType, isDType } from "./dtype.js";
import type { DotDimensionNumbers, Params, Prim } from "./primitives.js";
import { isJaxpr } from "./traverse.js";
import { PRIM_RULES } from "./prims/index.js";

export type ParamKind =
  | "int"
  | "nat"
  | "nats"
  | "positive_ints_or_none"
  | "bool"
  | "dtype"
  | "string"
  | "jaxpr"
  | "jaxprs"
  | "dot_dims";

/** The kinds that can describe a param of TS type `T` (`never` when none fits, which fails tsc). */
type KindOf<T> = [T] extends [DType]
  ? "dtype"
  : [T] extends [string]
    ? "string"
    : [T] extends [boolean]
      ? "bool"
      : [T] extends [number]
        ? "int" | "nat"
        : [T] extends [Jaxpr]
          ? "jaxpr"
          : [T] extends [readonly Jaxpr[]]
            ? "jaxprs"
            : [T] extends [DotDimensionNumbers]
              ? "dot_dims"
              : [T] extends [readonly number[]]
                ? "nats"
                : [T] extends [readonly number[] | null]
                  ? "positive_ints_or_none"
                  : never;

/**
 * Param name -> kind for one primitive. `NoParams` (`Record<string, never>`)
 * maps to an empty record, so an entry with a stray key fails tsc as well.
 */
export type ParamSpec<P extends Prim> = string extends keyof Params[P]
  ? { readonly [k: string]: never }
  : { readonly [K in keyof Params[P]]-?: KindOf<Params[P][K]> };

/** The kinds of `prim`'s params, keyed by param name. */
export function paramKinds(prim: Prim): Readonly<Record<string, ParamKind>> {
  // Every ParamSpec is a record of kinds; its keys are the primitive's param names.
  const spec: { readonly [k: string]: ParamKind } = PRIM_RULES[prim].params;
  return spec;
}

/** Human description of a kind, for error messages and docs. */
export const PARAM_KIND_DESC: { readonly [K in ParamKind]: string } = {
  int: "an integer",
  nat: "a non-negative integer (0, 1, 2, …)",
  nats: "a tuple of non-negative integers",
  positive_ints_or_none: "a tuple of positive integers or None",
  bool: "True or False",
  dtype: "a dtype (float32, int32 or bool)",
  string: "a string",
  jaxpr: "a jaxpr",
  jaxprs: "a tuple of jaxprs",
  dot_dims: "dot dimension numbers ((lhs_contract, rhs_contract), (lhs_batch, rhs_batch)), each a tuple of non-negative integers",
};

function isNat(v: unknown): boolean {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

function isNats(v: unknown): boolean {
  return Array.isArray(v) && v.every(isNat);
}

function isPair(v: unknown, item: (x: unknown) => boolean): boolean {
  return Array.isArray(v) && v.length === 2 && item(v[0]) && item(v[1]);
}

const KIND_CHECK: { readonly [K in ParamKind]: (v: unknown) => boolean } = {
  int: (v) => Number.isSafeInteger(v),
  nat: isNat,
  nats: isNats,
  positive_ints_or_none: (v) => v === null || (Array.isArray(v) && v.every((x) => Number.isSafeInteger(x) && x > 0)),
  bool: (v) => typeof v === "boolean",
  dtype: isDType,
  string: (v) => typeof v === "string",
  jaxpr: isJaxpr,
  jaxprs: (v) => Array.isArray(v) && v.every(isJaxpr),
  dot_dims: (v) => isPair(v, (side) => isPair(side, isNats)),
};

/** Tuples deeper or longer than this are elided in messages (a value can come from untrusted text). */
const SHOWN_DEPTH = 4;
const SHOWN_ITEMS = 16;

/** A short rendering of a param value for messages (jaxprs are elided). */
export function describeParamValue(v: unknown, depth = 0): string {
  if (v === null) return "None";
  if (v === undefined) return "nothing";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "string") return JSON.stringify(v);
  if (isJaxpr(v)) return "a jaxpr";
  if (Array.isArray(v)) {
    if (depth >= SHOWN_DEPTH) return "(…)";
    const items = v.slice(0, SHOWN_ITEMS).map((x) => describeParamValue(x, depth + 1));
    if (v.length > SHOWN_ITEMS) items.push(`… ${v.length - SHOWN_ITEMS} more`);
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
  }
  if (typeof v === "object") return "an object";
  return String(v);
}

/** `undefined` when `value` has the kind, else a reason like "axes must be a tuple of integers, got 1". */
export function checkParamValue(name: string, kind: ParamKind, value: unknown): string | undefined {
  if (KIND_CHECK[kind](value)) return undefined;
  return `${name} must be ${PARAM_KIND_DESC[kind]}, got ${describeParamValue(value)}`;
}

/** Param names of `prim` that `params` lacks, and names it has that `prim` does not take. */
export function paramKeyProblems(prim: Prim, keys: readonly string[]): { missing: string[]; unknown: string[] } {
  const kinds = paramKinds(prim);
  const expected = Object.keys(kinds);
  return {
    missing: expected.filter((k) => !keys.includes(k)),
    unknown: keys.filter((k) => !Object.prototype.hasOwnProperty.call(kinds, k)),
  };
}

function quoteList(names: readonly string[]): string {
  return names.map((n) => `'${n}'`).join(", ");
}

/** "reduce_sum has no parameter 'foo'" / "reduce_sum is missing parameter 'axes'". */
export function describeKeyProblems(prim: Prim, problems: { missing: string[]; unknown: string[] }): string | undefined {
  const parts: string[] = [];
  if (problems.unknown.length) {
    const expected = Object.keys(paramKinds(prim)).sort();
    const takes = expected.length ? `it takes ${quoteList(expected)}` : "it takes no parameters";
    parts.push(`${prim} has no parameter${problems.unknown.length > 1 ? "s" : ""} ${quoteList(problems.unknown)} (${takes})`);
  }
  if (problems.missing.length) {
    parts.push(`${prim} is missing parameter${problems.missing.length > 1 ? "s" : ""} ${quoteList(problems.missing)}`);
  }
  return parts.length ? parts.join("; ") : undefined;
}

/**
 * Checks a params object against the schema: exactly the expected keys, each
 * value of its kind. Returns a readable reason, or `undefined` when valid.
 */
export function validateParams(prim: Prim, params: unknown): string | undefined {
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    return `${prim} params must be an object, got ${describeParamValue(params)}`;
  }
  const record = params as Record<string, unknown>;
  const keyProblem = describeKeyProblems(prim, paramKeyProblems(prim, Object.keys(record)));
  if (keyProblem) return keyProblem;
  const kinds = paramKinds(prim);
  for (const name of Object.keys(kinds).sort()) {
    const problem = checkParamValue(name, kinds[name]!, record[name]);
    if (problem) return `${prim}: ${problem}`;
  }
  return undefined;
}
