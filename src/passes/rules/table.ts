// The simplification rules, as data: one list per primitive, one rule per
// line, each named by the rewrite it performs (the name is what `simplify`
// reports in its stats). Rules are tried in order; the first one whose
// replacement has the right avals wins. Constant folding is not in the table:
// it applies to every primitive (see fold.ts).
//
// Only exact rewrites belong here: the result must be bit-identical for every
// input, NaN, infinities and -0.0 included, or `jit` would compute something
// else than eager execution. So there is no `x*0 -> 0` (NaN*0 is NaN, -1*0 is
// -0.0), no `x-x -> 0` (inf-inf is NaN), no `0-x -> neg(x)` (0-0 is +0.0,
// neg(0) is -0.0) and, for floats, no `x+0.0 -> x` (-0.0+0.0 is +0.0): the
// float additive identity is -0.0. isConst tells 0.0 and -0.0 apart.

import type { Atom } from "../../ir/core.js";
import { isConst, isIdentityPermutation, producedBy, sameAtom } from "./match.js";
import { type RuleTable, emit, forwardRule, rewriteRule } from "./rule.js";

const none = [] as const;

export const RULES: RuleTable = {
  neg: [
    forwardRule("neg(neg(x)) -> x", ([x], _, c) => producedBy(x!, "neg", c)?.inputs[0]),
  ],
  not: [
    forwardRule("not(not(x)) -> x", ([x], _, c) => producedBy(x!, "not", c)?.inputs[0]),
  ],
  exp: none, log: none, sin: none, cos: none, tanh: none, logistic: none, sqrt: none, rsqrt: none,
  abs: none, sign: none, floor: none, ceil: none, round: none,

  add: [
    // x+0 -> x for ints; for floats only x+(-0.0) -> x, since -0.0+0.0 is +0.0 (additiveIdentity)
    forwardRule("x+0 -> x (int)", ([x, y], _, c) => (isInt(y!) && isConst(y!, 0, c) ? x : undefined)),
    forwardRule("0+x -> x (int)", ([x, y], _, c) => (isInt(x!) && isConst(x!, 0, c) ? y : undefined)),
    forwardRule("x+(-0.0) -> x", ([x, y], _, c) => (isFloat(y!) && isConst(y!, -0, c) ? x : undefined)),
    forwardRule("-0.0+x -> x", ([x, y], _, c) => (isFloat(x!) && isConst(x!, -0, c) ? y : undefined)),
  ],
  sub: [
    // x-0 -> x: x - 0.0 is x for every x, -0.0 included (x - (-0.0) is x + 0.0: not matched)
    forwardRule("x-0 -> x", ([x, y], _, c) => (isConst(y!, 0, c) ? x : undefined)),
  ],
  mul: [
    // x*1 -> x, 1*x -> x, x*-1 -> neg(x): exact for NaN, ±inf and ±0.0 too
    forwardRule("x*1 -> x", ([x, y], _, c) => (isConst(y!, 1, c) ? x : undefined)),
    forwardRule("1*x -> x", ([x, y], _, c) => (isConst(x!, 1, c) ? y : undefined)),
    rewriteRule("x*-1 -> neg(x)", ([x, y], _, c) => (isConst(y!, -1, c) ? emit("neg", {}, [x!]) : undefined)),
    rewriteRule("-1*x -> neg(x)", ([x, y], _, c) => (isConst(x!, -1, c) ? emit("neg", {}, [y!]) : undefined)),
  ],
  div: [
    // x/1 -> x: exact for every x
    forwardRule("x/1 -> x", ([x, y], _, c) => (isConst(y!, 1, c) ? x : undefined)),
  ],
  rem: none, pow: none, max: none, min: none, and: none, or: none,
  lt: none, le: none, gt: none, ge: none, eq: none, ne: none,

  select_n: [
    forwardRule("select_n(p, x, x) -> x", ([, ...cases]) => (cases.every((x) => sameAtom(x, cases[0]!)) ? cases[0] : undefined)),
    forwardRule("select_n(k, ...) -> case k (literal k)", ([p, ...cases]) => literalCase(p!, cases)),
  ],
  convert_element_type: [
    forwardRule("convert_element_type(x) -> x (same dtype)", ([x], { new_dtype }) => (x!.aval.dtype === new_dtype ? x : undefined)),
  ],

  broadcast_in_dim: [
    forwardRule("broadcast_in_dim(x) -> x (same shape, identity dims)", ([x], { broadcast_dimensions: bd, shape }) =>
      bd.length === shape.length && isIdentityPermutation(bd) ? x : undefined),
  ],
  reshape: [
    forwardRule("reshape(x) -> x (same shape)", ([x], { new_sizes }) => (sameShape(x!, new_sizes) ? x : undefined)),
    rewriteRule("reshape(reshape(x)) -> reshape(x)", ([x], params, c) => {
      const inner = producedBy(x!, "reshape", c);
      return inner ? emit("reshape", params, inner.inputs) : undefined;
    }),
  ],
  transpose: [
    forwardRule("transpose(x) -> x (identity permutation)", ([x], { permutation }) => (isIdentityPermutation(permutation) ? x : undefined)),
    rewriteRule("transpose(transpose(x)) -> transpose(x)", ([x], { permutation: outer }, c) => {
      const inner = producedBy(x!, "transpose", c);
      // out[i] = mid[outer[i]] = in[inner[outer[i]]]
      return inner ? emit("transpose", { permutation: outer.map((d) => inner.params.permutation[d]!) }, inner.inputs) : undefined;
    }),
  ],
  squeeze: [
    forwardRule("squeeze(x, ()) -> x", ([x], { dimensions }) => (dimensions.length === 0 ? x : undefined)),
  ],
  expand_dims: [
    forwardRule("expand_dims(x, ()) -> x", ([x], { dimensions }) => (dimensions.length === 0 ? x : undefined)),
  ],

  reduce_sum: [forwardRule("reduce(x, ()) -> x", ([x], { axes }) => (axes.length === 0 ? x : undefined))],
  reduce_max: [forwardRule("reduce(x, ()) -> x", ([x], { axes }) => (axes.length === 0 ? x : undefined))],
  reduce_min: [forwardRule("reduce(x, ()) -> x", ([x], { axes }) => (axes.length === 0 ? x : undefined))],
  argmax: none,
  dot_general: none,
  iota: none, concatenate: none, slice: none, dynamic_slice: none, dynamic_update_slice: none,
  while: none, cond: none, scan: none, pjit: none,
};

function isInt(a: Atom): boolean {
  return a.aval.dtype === "int32";
}

function isFloat(a: Atom): boolean {
  return a.aval.dtype === "float32";
}

function sameShape(x: Atom, shape: readonly number[]): boolean {
  return x.aval.shape.length === shape.length && x.aval.shape.every((d, i) => d === shape[i]);
}

/** select_n with a literal selector picks one case statically (bool: False -> case 0). Out of range: leave it. */
function literalCase(p: Atom, cases: readonly Atom[]): Atom | undefined {
  if (p.kind !== "lit") return undefined;
  return Number.isInteger(p.value) && p.value >= 0 && p.value < cases.length ? cases[p.value] : undefined;
}
