// Control flow and calls: while, cond, scan, pjit.
//
// Their params, shape rules and identities are here. Their other rules walk
// their sub-jaxprs with the machinery that runs them (the evaluator, the
// batcher, the lowerer recurse into bodies as Recursions, ir/trampoline.ts),
// so those rules are written beside that machinery and listed here:
// backends/interpreter/control_flow.ts, passes/batch/control.ts,
// backends/lower/rules_control.ts, and for autodiff (jvp, partial eval,
// transpose) passes/ad/{cond,scan,while,control}.ts. The active-row analysis
// (backends/lower/lanes.ts) treats control flow as regions of its own.
//
// Rules are reached through arrow functions so that this table can be built
// while those modules are still loading (they import the table back).

import type { Jaxpr } from "../core.js";
import { type Aval, avalStr, isShapePrefix } from "../dtype.js";
import { controlFlowImpls } from "../../backends/interpreter/control_flow.js";
import { controlBatchRules } from "../../passes/batch/control.js";
import { CONTROL_RULES } from "../../backends/lower/rules_control.js";
import type { RowLocalityRule } from "../../backends/lower/row_locality.js";
import type { FamilyRules } from "./rules.js";
import {
  condJvp, condPartialEval, condTranspose, pjitJvp, pjitTranspose, scanJvp, scanPartialEval, scanTranspose, whileJvp, whilePartialEval, whileTranspose,
} from "../../passes/ad/control.js";
import { avalsStr, checkCounts, fail, jaxprInAvals, sameAvals, whileShape } from "./shapeChecks.js";

export interface ControlParams {
  while: {
    readonly cond_jaxpr: Jaxpr;
    readonly body_jaxpr: Jaxpr;
    readonly cond_nconsts: number;
    readonly body_nconsts: number;
  };
  /** Index is clamped into [0, branches.length). A non-scalar index selects per row (each element of the index picks the branch for its row). */
  cond: { readonly branches: readonly Jaxpr[] };
  scan: {
    readonly jaxpr: Jaxpr;
    readonly length: number;
    readonly reverse: boolean;
    readonly num_consts: number;
    readonly num_carry: number;
  };
  pjit: { readonly jaxpr: Jaxpr; readonly name: string };
}

export type ControlPrim = keyof ControlParams;

const regions: RowLocalityRule<ControlPrim> = () => {
  throw new Error("lanes: control flow is analyzed as regions, not by a row-locality rule");
};

export const CONTROL_FLOW_RULES: FamilyRules<ControlPrim> = {
  while: {
    doc: "`cconsts…, bconsts…, init…` → final carry (the avals of `init`)",
    params: { cond_jaxpr: "jaxpr", body_jaxpr: "jaxpr", cond_nconsts: "nat", body_nconsts: "nat" },
    shape: (inputs, params) => whileShape("while", inputs, params, 0).carry,
    impl: (...a) => controlFlowImpls.while(...a),
    batch: (...a) => controlBatchRules.while(...a),
    simplify: [],
    rowLocality: regions,
    lower: (...a) => CONTROL_RULES.while(...a),
    jvp: (ops, primals, tangents, params) => whileJvp(ops, primals, tangents, params),
    partialEval: (eqn, unknownIns) => whilePartialEval(eqn, unknownIns),
    transpose: (ops, cts, inputs, params) => whileTranspose(ops, cts, inputs, params),
  },
  cond: {
    doc: "`index, operands…` → the branches' common outputs",
    params: { branches: "jaxprs" },
    shape: (inputs, { branches }) => {
      const prim = "cond";
      if (inputs.length < 1) fail(prim, "expects an index operand", inputs);
      if (branches.length < 1) fail(prim, "needs at least one branch", inputs);
      const [index, ...ops] = inputs as [Aval, ...Aval[]];
      if (index.dtype !== "int32") fail(prim, `index must be int32, got ${avalStr(index)}`, []);
      let outs: Aval[] | undefined;
      branches.forEach((b, k) => {
        if (b.constvars.length) fail(prim, `branch ${k} must not have constvars`, []);
        const bin = jaxprInAvals(b);
        if (!sameAvals(bin, ops)) fail(prim, `branch ${k} takes ${avalsStr(bin)} but the operands are ${avalsStr(ops)}`, []);
        const bout = b.outvars.map((v) => v.aval);
        if (outs === undefined) outs = bout;
        else if (!sameAvals(outs, bout)) fail(prim, `branch ${k} returns ${avalsStr(bout)} but branch 0 returns ${avalsStr(outs)}`, []);
      });
      for (const o of outs!) {
        if (!isShapePrefix(index.shape, o.shape)) fail(prim, `batched index ${avalStr(index)} must be a shape prefix of every output, but an output is ${avalStr(o)}`, []);
      }
      return outs!;
    },
    impl: (...a) => controlFlowImpls.cond(...a),
    batch: (...a) => controlBatchRules.cond(...a),
    simplify: [],
    rowLocality: regions,
    lower: (...a) => CONTROL_RULES.cond(...a),
    jvp: (ops, primals, tangents, params) => condJvp(ops, primals, tangents, params),
    partialEval: (eqn, unknownIns) => condPartialEval(eqn, unknownIns),
    transpose: (ops, cts, inputs, params) => condTranspose(ops, cts, inputs, params),
  },
  scan: {
    doc: "`consts…, init…, xs…` → final carry, then `ys…`",
    params: { jaxpr: "jaxpr", length: "nat", reverse: "bool", num_consts: "nat", num_carry: "nat" },
    shape: (inputs, { jaxpr, length, num_consts, num_carry }) => {
      const prim = "scan";
      if (!Number.isInteger(length) || length < 0) fail(prim, `length must be a non-negative integer, got ${length}`, []);
      checkCounts(prim, { num_consts, num_carry }, inputs);
      if (jaxpr.constvars.length) fail(prim, "jaxpr must not have constvars", []);
      const consts = inputs.slice(0, num_consts);
      const carry = inputs.slice(num_consts, num_consts + num_carry);
      const xs = inputs.slice(num_consts + num_carry);
      const xSlices = xs.map((x) => {
        if (x.shape.length === 0 || x.shape[0] !== length) fail(prim, `every xs operand needs leading dimension ${length}, got ${avalStr(x)}`, []);
        return { dtype: x.dtype, shape: x.shape.slice(1) };
      });
      const expectIn = [...consts, ...carry, ...xSlices];
      const jin = jaxprInAvals(jaxpr);
      if (!sameAvals(jin, expectIn)) fail(prim, `jaxpr takes ${avalsStr(jin)} but is given consts + carry + x slices ${avalsStr(expectIn)}`, []);
      const jout = jaxpr.outvars.map((v) => v.aval);
      if (jout.length < num_carry || !sameAvals(jout.slice(0, num_carry), carry)) {
        fail(prim, `jaxpr returns ${avalsStr(jout)} but must start with the carry ${avalsStr(carry)}`, []);
      }
      const ys = jout.slice(num_carry).map((y) => ({ dtype: y.dtype, shape: [length, ...y.shape] }));
      return [...carry, ...ys];
    },
    impl: (...a) => controlFlowImpls.scan(...a),
    batch: (...a) => controlBatchRules.scan(...a),
    simplify: [],
    rowLocality: regions,
    lower: (...a) => CONTROL_RULES.scan(...a),
    jvp: (ops, primals, tangents, params) => scanJvp(ops, primals, tangents, params),
    partialEval: (eqn, unknownIns) => scanPartialEval(eqn, unknownIns),
    transpose: (ops, cts, inputs, params) => scanTranspose(ops, cts, inputs, params),
  },
  pjit: {
    doc: "operands → the jaxpr's outputs",
    params: { jaxpr: "jaxpr", name: "string" },
    shape: (inputs, { jaxpr }) => {
      if (jaxpr.constvars.length) fail("pjit", "jaxpr must not have constvars", []);
      const jin = jaxprInAvals(jaxpr);
      if (!sameAvals(jin, inputs)) fail("pjit", `jaxpr takes ${avalsStr(jin)} but is given ${avalsStr(inputs)}`, []);
      return jaxpr.outvars.map((v) => v.aval);
    },
    impl: (...a) => controlFlowImpls.pjit(...a),
    batch: (...a) => controlBatchRules.pjit(...a),
    simplify: [],
    rowLocality: regions,
    lower: (...a) => CONTROL_RULES.pjit(...a),
    jvp: (ops, primals, tangents, params) => pjitJvp(ops, primals, tangents, params),
    // Calls are inlined before differentiation; one that is not is unknown as a whole.
    partialEval: null,
    transpose: (ops, cts, inputs, params) => pjitTranspose(ops, cts, inputs, params),
  },
};
