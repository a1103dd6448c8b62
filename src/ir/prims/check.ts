// Run-time checks: `check[message] pred, values…` returns `values…`
// unchanged and raises an error carrying `message` when any element of
// `pred` is true (JAX's checkify, for one condition). Threading the values
// through it keeps it alive and ordered: everything that reads them runs
// after the check. whileLoop's `maxSteps` uses it (frontend/control/while.ts):
// a loop that would run past its limit is an error, never a silent stop.

import type { ArrayValue } from "../core.js";
import { type Aval, avalStr } from "../dtype.js";
import type { FamilyRules } from "./rules.js";
import { fail } from "./shapeChecks.js";
import { CHECK_LOWER_RULE } from "../../backends/lower/rules_check.js";
import { checkBatch } from "../../passes/batch/check.js";
import { checkJvp, checkTranspose } from "../../passes/ad/check.js";

export interface CheckParams {
  check: { readonly message: string };
}

export type CheckPrim = keyof CheckParams;

/** What a failed `check` throws. */
export class RuntimeCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RuntimeCheckError";
  }
}

const anyTrue = (pred: ArrayValue): boolean => pred.data.some((v) => v !== 0);

export const CHECK_RULES: FamilyRules<CheckPrim> = {
  check: {
    doc: "`pred, values…` → `values…` unchanged; an error with `message` at run time when any element of the bool `pred` is true",
    params: { message: "string" },
    shape: (inputs) => {
      if (inputs.length < 1) fail("check", "expects a predicate", inputs);
      const pred = inputs[0] as Aval;
      if (pred.dtype !== "bool" || pred.tape) fail("check", `the predicate must be bool, got ${avalStr(pred)}`, inputs);
      return inputs.slice(1);
    },
    impl: ([pred, ...values], { message }) => {
      if (anyTrue(pred!)) throw new RuntimeCheckError(message);
      return values;
    },
    batch: (...a) => checkBatch(...a),
    simplify: [],
    // The predicate is read whole (any row failing fails); the values pass through row by row.
    rowLocality: (e) => e.inputs.map((_, i) => (i === 0 ? "any" : "row")),
    lower: (...a) => CHECK_LOWER_RULE(...a),
    jvp: (ops, primals, tangents, params) => checkJvp(ops, primals, tangents, params),
    partialEval: null,
    transpose: (ops, cts, inputs, params) => checkTranspose(ops, cts, inputs, params),
  },
};
