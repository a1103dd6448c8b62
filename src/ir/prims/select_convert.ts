// select_n and convert_element_type: elementwise, but not a scalar function
// of one dtype (select_n takes any number of cases; a conversion's scalar
// function depends on both dtypes). Kernel IR: `select` and `convert` instrs.

import type { ArrayValue, Atom } from "../core.js";
import { type Aval, type DType, INT32_MAX, INT32_MIN, allocStorage, avalsEqual, shapesEqual } from "../dtype.js";
import { sameAtom } from "../../passes/rules/match.js";
import { forwardRule } from "../../passes/rules/rule.js";
import { alignElementwise, batchUnary } from "../../passes/batch/rules.js";
import { elementwiseRows } from "../../backends/lower/row_locality.js";
import { lowerConvert, lowerSelect } from "../../backends/lower/rule_helpers.js";
import { differentiable, jvpWithOutputs } from "../../passes/ad/rules.js";
import { mapUnary } from "./elementwise.js";
import type { FamilyRules, Impl, NoParams, ScalarFn1 } from "./rules.js";
import { arity, fail } from "./shapeChecks.js";
import { clampIndex } from "./strided.js";

export interface SelectConvertParams {
  /** select_n(which, *cases): cases[which]; bool `which` picks case 0 for false. */
  select_n: NoParams;
  convert_element_type: { readonly new_dtype: DType };
}

export type SelectConvertPrim = keyof SelectConvertParams;

/** float -> int32 as XLA converts: truncate, saturate at the int32 range, NaN -> 0. */
export function floatToInt32(x: number): number {
  if (Number.isNaN(x)) return 0;
  if (x >= INT32_MAX) return INT32_MAX;
  if (x <= INT32_MIN) return INT32_MIN;
  return Math.trunc(x);
}

const toBool: ScalarFn1 = (x) => (x !== 0 ? 1 : 0); // NaN != 0, so NaN -> true
const identity: ScalarFn1 = (x) => x;

/** The scalar conversion from one dtype to another (storing as `to` does the float32 rounding). */
function conversion(from: DType, to: DType): ScalarFn1 {
  if (to === "bool") return toBool;
  if (from === "float32" && to === "int32") return floatToInt32;
  return identity; // int/bool -> float rounds on store; bool -> int is 0/1 already
}

const convertElementType: Impl<"convert_element_type"> = ([x], { new_dtype }) => {
  if (x!.dtype === new_dtype) return [x!];
  return [mapUnary(x!, new_dtype, conversion(x!.dtype, new_dtype))];
};

/**
 * `cases[which]`: a bool `which` picks case 0 for false and 1 for true; an
 * int32 `which` is clamped into range. A rank-0 `which` picks a whole case.
 */
const selectN: Impl<"select_n"> = ([which, ...cases], _params, [out]) => {
  const w = which!.data;
  const last = cases.length - 1;
  if (which!.shape.length === 0) return [cases[clampIndex(w[0]!, 0, last)]!];
  const n = w.length;
  const res = allocStorage(out!.dtype, n);
  const datas = cases.map((c) => c.data);
  for (let i = 0; i < n; i++) res[i] = datas[clampIndex(w[i]!, 0, last)]![i]!;
  return [{ dtype: out!.dtype, shape: out!.shape, data: res } satisfies ArrayValue];
};

/** select_n with a literal selector picks one case statically (bool: False -> case 0). Out of range: leave it. */
function literalCase(p: Atom, cases: readonly Atom[]): Atom | undefined {
  if (p.kind !== "lit") return undefined;
  return Number.isInteger(p.value) && p.value >= 0 && p.value < cases.length ? cases[p.value] : undefined;
}

export const SELECT_CONVERT_RULES: FamilyRules<SelectConvertPrim> = {
  select_n: {
    doc: "`which, case0, case1, …`: the cases share one aval (the result); `which` is bool (at most 2 cases; false picks case 0) or i32 (picks `cases[which]`, clamped into range), rank 0 (picks a whole case) or the cases' shape (per element)",
    params: {},
    shape: (inputs) => {
      if (inputs.length < 2) fail("select_n", "expects a selector and at least one case", inputs);
      const [which, ...cases] = inputs as [Aval, ...Aval[]];
      if (which.dtype === "bool" && cases.length > 2) fail("select_n", "a bool selector allows at most 2 cases", inputs);
      if (which.dtype === "float32") fail("select_n", "selector must be bool or int32", inputs);
      const c0 = cases[0]!;
      for (const c of cases) if (!avalsEqual(c, c0)) fail("select_n", "all cases must have the same type", inputs);
      if (which.shape.length !== 0 && !shapesEqual(which.shape, c0.shape)) {
        fail("select_n", "selector must be a scalar or have the cases' shape", inputs);
      }
      return [c0];
    },
    impl: selectN,
    // Cases must match exactly; an unbatched scalar selector may stay scalar.
    batch: (ctx, inputs, params) => {
      const { atoms, dim } = alignElementwise(ctx, inputs, (i) => i === 0);
      return [{ atom: ctx.em.emit1("select_n", params, atoms), dim }];
    },
    simplify: [
      forwardRule("select_n(p, x, x) -> x", ([, ...cases]) => (cases.every((x) => sameAtom(x, cases[0]!)) ? cases[0] : undefined)),
      forwardRule("select_n(k, ...) -> case k (literal k)", ([p, ...cases]) => literalCase(p!, cases)),
    ],
    rowLocality: elementwiseRows,
    lower: lowerSelect,
    // The selected case's tangent (the selector is an int or bool: no tangent).
    jvp: jvpWithOutputs((ops, [which, ...cases], [, ...tangents], [out]) => {
      if (tangents.every((t) => t === null)) return [null];
      return [ops.emit1("select_n", {}, [which!, ...tangents.map((t, i) => ops.instantiate(t, cases[i]!.aval))])];
    }),
    // Linear in the cases: case k gets the cotangent where it was selected, zero elsewhere.
    partialEval: null,
    transpose: (ops, [ct], [which, ...cases]) => {
      if (which!.linear) throw new Error("transpose: select_n is not linear in its selector");
      return [null, ...cases.map((c, k) => {
        if (ct === null || !c.linear) return null;
        const zeros = ops.zeros(ct.aval);
        return ops.emit1("select_n", {}, [which!.atom, ...cases.map((_, i) => (i === k ? ct : zeros))]);
      })];
    },
  },
  convert_element_type: {
    doc: "`x` → `new_dtype` with `x`'s shape; f32→i32 truncates toward zero, →bool is `x ≠ 0`",
    params: { new_dtype: "dtype" },
    shape: (inputs, { new_dtype }) => {
      arity("convert_element_type", inputs, 1);
      return [{ dtype: new_dtype, shape: inputs[0]!.shape }];
    },
    impl: convertElementType,
    batch: batchUnary,
    simplify: [forwardRule("convert_element_type(x) -> x (same dtype)", ([x], { new_dtype }) => (x!.aval.dtype === new_dtype ? x : undefined))],
    rowLocality: elementwiseRows,
    lower: lowerConvert,
    // Float to float is the identity; to or from int/bool there is no tangent.
    jvp: jvpWithOutputs((ops, [x], [t], [out]) => [t && differentiable(out!.aval) ? ops.convert(t, out!.aval.dtype) : null]),
    partialEval: null,
    transpose: (ops, [ct], [x]) => [ct && x!.linear ? ops.convert(ct, x!.atom.aval.dtype) : null],
  },
};
