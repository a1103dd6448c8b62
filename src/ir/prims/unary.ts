// Unary elementwise primitives: neg, exp, log, sin, cos, tanh, logistic,
// sqrt, rsqrt, abs, sign, floor, ceil, round, not, log1p, expm1, erf.
//
// Each is a scalar function per dtype. Results are computed in double
// precision and stored into the output typed array, which performs the single
// rounding per primitive: Float32Array rounds to float32, Int32Array wraps
// modulo 2^32 (so `neg`/`abs` of INT32_MIN give INT32_MIN, as XLA does).
// Kernel IR: each is the scalar op of the same name (`unary` instr); the
// backends select JS expressions (js/scalar.ts) and wasm code (wasm/emit/values.ts).

import { batchUnary } from "../../passes/batch/rules.js";
import { producedBy } from "../../passes/rules/match.js";
import { forwardRule } from "../../passes/rules/rule.js";
import { jvpWithOutputs, linearJvp, scalar, unaryJvp, zeroJvp } from "../../passes/ad/rules.js";
import { elementwiseRows } from "../../backends/lower/row_locality.js";
import { unaryNode } from "../../backends/lower/rule_helpers.js";
import { unaryImpl, unaryPrim } from "./elementwise.js";
import { erf } from "./erf.js";
import type { FamilyRules, NoParams, ScalarFn1 } from "./rules.js";
import { fail, unaryShape } from "./shapeChecks.js";

export interface UnaryParams {
  neg: NoParams;
  exp: NoParams;
  log: NoParams;
  sin: NoParams;
  cos: NoParams;
  tanh: NoParams;
  logistic: NoParams;
  sqrt: NoParams;
  rsqrt: NoParams;
  abs: NoParams;
  sign: NoParams;
  floor: NoParams;
  ceil: NoParams;
  /** rounding_method 0 = half away from zero (lax default), 1 = half to even (jnp.round). */
  round: { readonly rounding_method: number };
  not: NoParams;
  log1p: NoParams;
  expm1: NoParams;
  erf: NoParams;
}

export type UnaryPrim = keyof UnaryParams;

/** Keeps the sign of zero results (numpy's round(-0.3) is -0.0). */
function signedZero(r: number, x: number): number {
  return r === 0 && (x < 0 || Object.is(x, -0)) ? -0 : r;
}

/** Rounds halfway cases away from zero (lax.round default, C `round`). */
export function roundHalfAwayFromZero(x: number): number {
  if (!Number.isFinite(x)) return x;
  const t = Math.trunc(x);
  const r = Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
  return signedZero(r, x);
}

/** Rounds halfway cases to the even neighbour (jnp.round, C `rint`). */
export function roundHalfToEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return signedZero(r, x);
}

const neg: ScalarFn1 = (x) => -x;
const abs: ScalarFn1 = Math.abs;
// Math.sign keeps NaN and the sign of zero, like XLA's sign.
const sign: ScalarFn1 = Math.sign;

const roundAwayFromZero = unaryImpl("round", { float32: roundHalfAwayFromZero });
const roundToEven = unaryImpl("round", { float32: roundHalfToEven });

export const UNARY_RULES: FamilyRules<UnaryPrim> = {
  neg: unaryPrim("neg", {
    dtypes: "numeric",
    jvp: linearJvp,
    transpose: (ops, [ct]) => [ct === null ? null : ops.neg(ct)],
    scalar: { float32: neg, int32: neg },
    simplify: [forwardRule("neg(neg(x)) -> x", ([x], _, c) => producedBy(x!, "neg", c)?.inputs[0])],
  }),
  exp: unaryPrim("exp", { dtypes: "float", jvp: unaryJvp((_ops, _x, y) => y), scalar: { float32: Math.exp } }),
  log: unaryPrim("log", { dtypes: "float", jvp: jvpWithOutputs((ops, [x], [t]) => [t && ops.div(t, x!)]), scalar: { float32: Math.log } }),
  sin: unaryPrim("sin", { dtypes: "float", jvp: unaryJvp((ops, x) => ops.unary("cos", x)), scalar: { float32: Math.sin } }),
  cos: unaryPrim("cos", { dtypes: "float", jvp: unaryJvp((ops, x) => ops.neg(ops.unary("sin", x))), scalar: { float32: Math.cos } }),
  tanh: unaryPrim("tanh", { dtypes: "float", jvp: unaryJvp((ops, _x, y) => ops.sub(scalar(1), ops.mul(y, y))), scalar: { float32: Math.tanh } }),
  logistic: unaryPrim("logistic", {
    dtypes: "float",
    note: "1 / (1 + e⁻ˣ)",
    jvp: unaryJvp((ops, _x, y) => ops.mul(y, ops.sub(scalar(1), y))),
    scalar: { float32: (x) => 1 / (1 + Math.exp(-x)) } }),
  sqrt: unaryPrim("sqrt", { dtypes: "float", jvp: unaryJvp((ops, _x, y) => ops.div(scalar(0.5), y)), scalar: { float32: Math.sqrt } }),
  rsqrt: unaryPrim("rsqrt", {
    dtypes: "float",
    note: "1 / √x",
    jvp: unaryJvp((ops, x, y) => ops.mul(scalar(-0.5), ops.div(y, x))),
    scalar: { float32: (x) => 1 / Math.sqrt(x) } }),
  abs: unaryPrim("abs", {
    dtypes: "numeric",
    // JAX's abs jvp: select(x >= 0, t, -t), so the derivative at 0 is 1.
    jvp: jvpWithOutputs((ops, [x], [t]) => [t && ops.select(ops.compare("ge", x!, scalar(0)), t, ops.neg(t))]),
    scalar: { float32: abs, int32: abs } }),
  sign: unaryPrim("sign", { dtypes: "numeric", note: "−1, 0 or 1", jvp: zeroJvp, scalar: { float32: sign, int32: sign } }),
  floor: unaryPrim("floor", { dtypes: "float", jvp: zeroJvp, scalar: { float32: Math.floor } }),
  ceil: unaryPrim("ceil", { dtypes: "float", jvp: zeroJvp, scalar: { float32: Math.ceil } }),
  round: {
    doc: "`x` (f32) → same aval; method 0 rounds half away from zero (lax default), 1 half to even (`jnp.round`)",
    params: { rounding_method: "int" },
    shape: (inputs, { rounding_method }) => {
      if (rounding_method !== 0 && rounding_method !== 1) fail("round", `rounding_method must be 0 or 1, got ${rounding_method}`, inputs);
      return unaryShape("round", "float")(inputs);
    },
    impl: (args, params, outAvals, ctx) => (params.rounding_method === 1 ? roundToEven : roundAwayFromZero)(args, params, outAvals, ctx),
    batch: batchUnary,
    simplify: [],
    rowLocality: elementwiseRows,
    lower: ([x], r) => [unaryNode("round", x!, r, r.params.rounding_method)],
    jvp: zeroJvp,
    partialEval: null,
    transpose: null,
  },
  // Bitwise on int32; logical on bool (stored as 0/1).
  not: unaryPrim("not", {
    dtypes: "int_or_bool",
    note: "bitwise on i32, logical on bool",
    jvp: zeroJvp,
    scalar: { int32: (x) => ~x, bool: (x) => x ^ 1 },
    simplify: [forwardRule("not(not(x)) -> x", ([x], _, c) => producedBy(x!, "not", c)?.inputs[0])],
  }),
  log1p: unaryPrim("log1p", {
    dtypes: "float",
    note: "log(1 + x), accurate where 1 + x would round x away",
    jvp: jvpWithOutputs((ops, [x], [t]) => [t && ops.div(t, ops.add(scalar(1), x!))]),
    scalar: { float32: Math.log1p } }),
  expm1: unaryPrim("expm1", { dtypes: "float", note: "eˣ − 1, accurate near 0", jvp: unaryJvp((ops, _x, y) => ops.add(y, scalar(1))), scalar: { float32: Math.expm1 } }),
  erf: unaryPrim("erf", {
    dtypes: "float",
    note: "the error function 2/√π ∫₀ˣ e^(−t²) dt",
    // d erf(x) = 2/√π · e^(−x²) (JAX's erf jvp). The constant is rounded to
    // float32 here: a float32 literal must hold a float32 value (the verifier).
    jvp: unaryJvp((ops, x) => ops.mul(scalar(Math.fround(2 / Math.sqrt(Math.PI))), ops.unary("exp", ops.neg(ops.mul(x, x))))),
    scalar: { float32: erf } }),
};

export const UNARY_PRIMS = Object.keys(UNARY_RULES) as readonly UnaryPrim[];
