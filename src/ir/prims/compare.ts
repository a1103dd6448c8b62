// Comparisons: lt, le, gt, ge, eq, ne. Operands of any one dtype, a bool
// result. JS comparisons on numbers already give false for NaN except `!==`,
// as IEEE (and XLA) do. Kernel IR: the scalar op of the same name.

import { zeroJvp } from "../../passes/ad/rules.js";
import { allDTypes, binaryPrim } from "./elementwise.js";
import type { FamilyRules, NoParams, ScalarFn2 } from "./rules.js";

export interface CompareParams {
  lt: NoParams;
  le: NoParams;
  gt: NoParams;
  ge: NoParams;
  eq: NoParams;
  ne: NoParams;
}

export type ComparePrim = keyof CompareParams;

const compare = <P extends ComparePrim>(prim: P, f: ScalarFn2) => binaryPrim(prim, { dtypes: "any", result: "bool", jvp: zeroJvp, scalar: allDTypes(f) });

export const COMPARE_RULES: FamilyRules<ComparePrim> = {
  lt: compare("lt", (x, y) => (x < y ? 1 : 0)),
  le: compare("le", (x, y) => (x <= y ? 1 : 0)),
  gt: compare("gt", (x, y) => (x > y ? 1 : 0)),
  ge: compare("ge", (x, y) => (x >= y ? 1 : 0)),
  eq: compare("eq", (x, y) => (x === y ? 1 : 0)),
  ne: compare("ne", (x, y) => (x !== y ? 1 : 0)),
};

export const COMPARE_PRIMS = Object.keys(COMPARE_RULES) as readonly ComparePrim[];
