// Primitives that only matter to automatic differentiation.
//
// stop_gradient is the identity whose tangent is zero (`jax.lax.stop_gradient`).
// Everything but the jvp rule treats it as the identity: the lowering forwards
// its operand (no kernel work). No pass removes it, since `grad` may run after
// `jit` has optimized a program (`grad(jit(f))`), and the marker must still be
// there for the jvp pass.
//
// custom_jvp_call and custom_vjp_call are calls of a user function that carry
// the user's derivative rule beside it (`jax.custom_jvp` / `jax.custom_vjp`,
// frontend/custom.ts). Everything but differentiation runs `call_jaxpr`, as
// pjit runs its body; the jvp rules (passes/ad/custom.ts) use the rule
// instead. They survive `jit`'s passes for the same reason stop_gradient
// does. custom_vjp_bwd is what the jvp of a custom_vjp_call leaves on the
// tangent side: linear in its tangent operands, with no implementation of its
// own (forward mode through a custom_vjp function is an error, as in JAX);
// reverse mode transposes it into a run of `bwd_jaxpr`.
//
// Operand layout (num_consts leading operands are the values the user's
// functions closed over; they must not carry tangents):
//   custom_jvp_call  consts…, args…          call_jaxpr: consts…, args… → outs…
//                                            jvp_jaxpr:  consts…, args…, arg tangents… → outs…, out tangents…
//   custom_vjp_call  consts…, args…          fwd_jaxpr:  consts…, args… → outs…, residuals…
//                                            bwd_jaxpr:  consts…, residuals…, out cotangents… → arg cotangents…
//   custom_vjp_bwd   consts…, residuals…, arg tangents… → out tangents…
//
// checkpoint is a call (like pjit: operands → the body's outputs) whose
// intermediates reverse mode recomputes instead of storing (`jax.checkpoint`,
// frontend/checkpoint.ts). Everything but differentiation runs the body as
// pjit does; the differentiation rules are in passes/ad/checkpoint.ts. The
// inline pass leaves it alone (it only inlines pjit), so it reaches partial
// evaluation whole; the lowering inlines it.

import type { Jaxpr } from "../core.js";
import type { Aval } from "../dtype.js";
import { batchUnary } from "../../passes/batch/rules.js";
import { zeroJvp } from "../../passes/ad/rules.js";
import { elementwiseRows } from "../../backends/lower/row_locality.js";
import { checkpointBatchRule, customCallBatchRules } from "../../passes/batch/control.js";
import { CUSTOM_CALL_LOWER_RULES } from "../../backends/lower/rules_control.js";
import {
  checkpointJvp,
  checkpointPartialEval,
  checkpointTranspose,
  customJvpCallJvp,
  customVjpBwdJvp,
  customVjpBwdTranspose,
  customVjpCallJvp,
  forwardModeError,
} from "../../passes/ad/control.js";
import type { FamilyRules, NoParams } from "./rules.js";
import { avalsStr, fail, jaxprInAvals, sameAvals, unaryShape } from "./shapeChecks.js";

export interface AdParams {
  stop_gradient: NoParams;
  custom_jvp_call: { readonly call_jaxpr: Jaxpr; readonly jvp_jaxpr: Jaxpr; readonly num_consts: number; readonly name: string };
  custom_vjp_call: { readonly call_jaxpr: Jaxpr; readonly fwd_jaxpr: Jaxpr; readonly bwd_jaxpr: Jaxpr; readonly num_consts: number; readonly name: string };
  custom_vjp_bwd: { readonly bwd_jaxpr: Jaxpr; readonly num_consts: number; readonly num_res: number; readonly name: string };
  checkpoint: { readonly jaxpr: Jaxpr; readonly name: string };
}

export type AdPrim = keyof AdParams;

const outAvals = (j: Jaxpr): Aval[] => j.outvars.map((v) => v.aval);

/** Checks that `j` (named `what`) is closed and takes `expected`; returns its output avals. */
function takes(prim: string, name: string, what: string, j: Jaxpr, expected: readonly Aval[], expectedWhat: string): Aval[] {
  if (j.constvars.length) fail(prim, `${what} of '${name}' must not have constvars`, []);
  const jin = jaxprInAvals(j);
  if (!sameAvals(jin, expected)) fail(prim, `${what} of '${name}' takes ${avalsStr(jin)} but is given ${expectedWhat} ${avalsStr(expected)}`, []);
  return outAvals(j);
}

function checkConsts(prim: string, num_consts: number, inputs: readonly Aval[]): void {
  if (!Number.isInteger(num_consts) || num_consts < 0 || num_consts > inputs.length) {
    fail(prim, `num_consts=${num_consts} must be between 0 and the operand count ${inputs.length}`, inputs);
  }
}

function sameOrFail(prim: string, name: string, what: string, got: readonly Aval[], expected: readonly Aval[], expectedWhat: string): void {
  if (!sameAvals(got, expected)) fail(prim, `${what} of '${name}' returns ${avalsStr(got)} but ${expectedWhat} is ${avalsStr(expected)}`, []);
}

export const AD_RULES: FamilyRules<AdPrim> = {
  stop_gradient: {
    doc: "`x` → same aval, the same values; its tangent is zero",
    params: {},
    shape: unaryShape("stop_gradient", "any"),
    impl: ([x]) => [x!],
    batch: batchUnary,
    simplify: [],
    rowLocality: elementwiseRows,
    lower: ([x]) => [x!],
    jvp: zeroJvp,
    partialEval: null,
    transpose: null,
  },
  custom_jvp_call: {
    doc: "`consts…, args…` → `call_jaxpr`'s outputs; differentiated with `jvp_jaxpr` (consts…, args…, arg tangents… → outs…, out tangents…)",
    params: { call_jaxpr: "jaxpr", jvp_jaxpr: "jaxpr", num_consts: "nat", name: "string" },
    shape: (inputs, { call_jaxpr, jvp_jaxpr, num_consts, name }) => {
      const prim = "custom_jvp_call";
      checkConsts(prim, num_consts, inputs);
      const outs = takes(prim, name, "call_jaxpr", call_jaxpr, inputs, "consts + args");
      const args = inputs.slice(num_consts);
      const jvpOuts = takes(prim, name, "jvp_jaxpr", jvp_jaxpr, [...inputs, ...args], "consts + args + arg tangents");
      sameOrFail(prim, name, "jvp_jaxpr", jvpOuts, [...outs, ...outs], "call_jaxpr's outputs, then one tangent per output,");
      return outs;
    },
    impl: (args, { call_jaxpr }, _outAvals, ctx) => ctx.evalJaxpr(call_jaxpr, [], args, ctx.mask),
    batch: (...a) => customCallBatchRules.custom_jvp_call(...a),
    simplify: [],
    rowLocality: () => {
      throw new Error("lanes: custom_jvp_call is analyzed as a region (its call_jaxpr), not by a row-locality rule");
    },
    lower: (...a) => CUSTOM_CALL_LOWER_RULES.custom_jvp_call(...a),
    jvp: (ops, primals, tangents, params) => customJvpCallJvp(ops, primals, tangents, params),
    // With unknown operands the call is unknown as a whole: after jvp, only calls without tangents remain, and those are known.
    partialEval: null,
    transpose: null,
  },
  custom_vjp_call: {
    doc: "`consts…, args…` → `call_jaxpr`'s outputs; reverse mode runs `fwd_jaxpr` (→ outs…, residuals…) and `bwd_jaxpr` (consts…, residuals…, out cotangents… → arg cotangents…)",
    params: { call_jaxpr: "jaxpr", fwd_jaxpr: "jaxpr", bwd_jaxpr: "jaxpr", num_consts: "nat", name: "string" },
    shape: (inputs, { call_jaxpr, fwd_jaxpr, bwd_jaxpr, num_consts, name }) => {
      const prim = "custom_vjp_call";
      checkConsts(prim, num_consts, inputs);
      const outs = takes(prim, name, "call_jaxpr", call_jaxpr, inputs, "consts + args");
      const fwdOuts = takes(prim, name, "fwd_jaxpr", fwd_jaxpr, inputs, "consts + args");
      sameOrFail(prim, name, "fwd_jaxpr", fwdOuts.slice(0, outs.length), outs, "call_jaxpr's output");
      const res = fwdOuts.slice(outs.length);
      const bwdOuts = takes(prim, name, "bwd_jaxpr", bwd_jaxpr, [...inputs.slice(0, num_consts), ...res, ...outs], "consts + residuals + output cotangents");
      sameOrFail(prim, name, "bwd_jaxpr", bwdOuts, inputs.slice(num_consts), "one cotangent per arg, the args' types,");
      return outs;
    },
    impl: (args, { call_jaxpr }, _outAvals, ctx) => ctx.evalJaxpr(call_jaxpr, [], args, ctx.mask),
    batch: (...a) => customCallBatchRules.custom_vjp_call(...a),
    simplify: [],
    rowLocality: () => {
      throw new Error("lanes: custom_vjp_call is analyzed as a region (its call_jaxpr), not by a row-locality rule");
    },
    lower: (...a) => CUSTOM_CALL_LOWER_RULES.custom_vjp_call(...a),
    jvp: (ops, primals, tangents, params) => customVjpCallJvp(ops, primals, tangents, params),
    partialEval: null,
    transpose: null,
  },
  custom_vjp_bwd: {
    doc: "`consts…, residuals…, arg tangents…` → out tangents: the linear map whose transpose is `bwd_jaxpr`; only reverse mode can use it",
    params: { bwd_jaxpr: "jaxpr", num_consts: "nat", num_res: "nat", name: "string" },
    shape: (inputs, { bwd_jaxpr, num_consts, num_res, name }) => {
      const prim = "custom_vjp_bwd";
      checkConsts(prim, num_consts + num_res, inputs);
      if (bwd_jaxpr.constvars.length) fail(prim, `bwd_jaxpr of '${name}' must not have constvars`, []);
      const jin = jaxprInAvals(bwd_jaxpr);
      const k = num_consts + num_res;
      if (!sameAvals(jin.slice(0, k), inputs.slice(0, k))) {
        fail(prim, `bwd_jaxpr of '${name}' takes consts + residuals ${avalsStr(jin.slice(0, k))} but is given ${avalsStr(inputs.slice(0, k))}`, []);
      }
      const tangents = inputs.slice(k);
      // bwd returns one cotangent per arg: the arg tangents have those types.
      sameOrFail(prim, name, "bwd_jaxpr", outAvals(bwd_jaxpr), tangents, "the arg tangents' type");
      return jin.slice(k);
    },
    impl: (_args, { name }) => {
      throw forwardModeError(name);
    },
    batch: (...a) => customCallBatchRules.custom_vjp_bwd(...a),
    simplify: [],
    rowLocality: (e) => e.inputs.map(() => "any"),
    lower: (_ins, { params }) => {
      throw forwardModeError(params.name);
    },
    jvp: (_ops, _primals, _tangents, { name }) => customVjpBwdJvp(name),
    partialEval: null,
    transpose: (ops, cts, inputs, params) => customVjpBwdTranspose(ops, cts, inputs, params),
  },
  checkpoint: {
    doc: "operands → the jaxpr's outputs; reverse mode recomputes the jaxpr's intermediates instead of storing them",
    params: { jaxpr: "jaxpr", name: "string" },
    shape: (inputs, { jaxpr, name }) => {
      if (jaxpr.constvars.length) fail("checkpoint", `jaxpr of '${name}' must not have constvars`, []);
      const jin = jaxprInAvals(jaxpr);
      if (!sameAvals(jin, inputs)) fail("checkpoint", `jaxpr of '${name}' takes ${avalsStr(jin)} but is given ${avalsStr(inputs)}`, []);
      return outAvals(jaxpr);
    },
    impl: (args, { jaxpr }, _outAvals, ctx) => ctx.evalJaxpr(jaxpr, [], args, ctx.mask),
    batch: (...a) => checkpointBatchRule(...a),
    simplify: [],
    rowLocality: () => {
      throw new Error("lanes: checkpoint is analyzed as a region (its jaxpr), not by a row-locality rule");
    },
    lower: (...a) => CUSTOM_CALL_LOWER_RULES.checkpoint(...a),
    jvp: (ops, primals, tangents, params) => checkpointJvp(ops, primals, tangents, params),
    partialEval: (eqn, unknownIns) => checkpointPartialEval(eqn, unknownIns),
    transpose: (ops, cts, inputs, params) => checkpointTranspose(ops, cts, inputs, params),
  },
};
