// The linearity checker: is a program linear in the inputs marked linear?
// Reverse mode transposes the linear part that partial evaluation leaves
// (passes/ad/partialEval.ts), and transposition is only sound when every
// equation reading a linear value (one computed from the tangents) is linear
// in that operand. A jvp rule that multiplied two tangents, or partial
// evaluation that put `tanh t` on the tangent side, would otherwise surface
// as a wrong gradient, or as a transpose error far from its cause.
//
// What each primitive is linear in is stated here, per primitive, as a mapped
// type over `Prim` (a new primitive fails tsc until it has an entry). The
// statement must agree with the primitive's record: a primitive linear in some
// operand has a transpose rule and one linear in none has not
// (test/passes/ad/verifyLinear.test.ts checks both directions).

import type { Atom, Eqn, Jaxpr } from "../../ir/core.js";
import type { Prim } from "../../ir/primitives.js";
import { rulesOf } from "../../ir/prims/index.js";
import { printEqn } from "../../ir/printer.js";
import { hasBodies, unhandledPrim } from "../../ir/traverse.js";
import { LinearityError } from "./transpose.js";

/** Which operands of a primitive may be linear (the others must not depend on the linear inputs). */
export type Linearity =
  /** Nowhere linear (tanh, exp, max, comparisons, …). */
  | { readonly kind: "none"; readonly why: string }
  /**
   * Linear in all operands jointly: any of them may be linear (neg, reshape,
   * reduce_sum, concatenate, …). The others are accepted whatever they are:
   * they are zero tangents the jvp instantiated (concatenate with zeros), and
   * partial evaluation makes those zeros residuals, so the program no longer
   * shows that they are zeros.
   */
  | { readonly kind: "all" }
  /** A sum: linear when every operand is (t + r with r not linear is affine; jvp rules add tangents only to tangents). */
  | { readonly kind: "sum" }
  /** Bilinear: linear in either operand while the other is not linear (mul, dot_general). */
  | { readonly kind: "one-of" }
  /** Linear in the listed operands only; the rest (divisors, selectors, indices) must not be linear. */
  | { readonly kind: "operands"; readonly which: (operandCount: number) => readonly number[]; readonly others: string }
  /** A call, branch or loop: linear when its bodies are linear in the operands that are (pjit, cond, scan, while). */
  | { readonly kind: "body" };

const NONLINEAR: Linearity = { kind: "none", why: "it is not linear in any operand" };
const PIECEWISE: Linearity = { kind: "none", why: "it is piecewise constant (its tangent is zero), so a linear operand means a jvp rule emitted it on the tangent side" };
const INTEGER: Linearity = { kind: "none", why: "it works on integers or booleans, which have no tangents" };
const ALL: Linearity = { kind: "all" };

export const LINEARITY: { readonly [P in Prim]: Linearity } = {
  // unary.ts
  neg: ALL,
  exp: NONLINEAR,
  log: NONLINEAR,
  sin: NONLINEAR,
  cos: NONLINEAR,
  tanh: NONLINEAR,
  logistic: NONLINEAR,
  sqrt: NONLINEAR,
  rsqrt: NONLINEAR,
  abs: NONLINEAR,
  sign: PIECEWISE,
  floor: PIECEWISE,
  ceil: PIECEWISE,
  round: PIECEWISE,
  not: INTEGER,
  log1p: NONLINEAR,
  expm1: NONLINEAR,
  erf: NONLINEAR,
  // binary.ts
  add: { kind: "sum" },
  sub: { kind: "sum" },
  mul: { kind: "one-of" },
  div: { kind: "operands", which: () => [0], others: "the divisor" },
  rem: NONLINEAR,
  pow: NONLINEAR,
  max: NONLINEAR,
  min: NONLINEAR,
  and: INTEGER,
  or: INTEGER,
  // compare.ts: a comparison's result is a bool, never a tangent.
  lt: PIECEWISE,
  le: PIECEWISE,
  gt: PIECEWISE,
  ge: PIECEWISE,
  eq: PIECEWISE,
  ne: PIECEWISE,
  // select_convert.ts
  select_n: { kind: "operands", which: (n) => range(1, n), others: "the selector (operand 0)" },
  convert_element_type: ALL,
  // shape_ops.ts
  broadcast_in_dim: ALL,
  reshape: ALL,
  transpose: ALL,
  squeeze: ALL,
  expand_dims: ALL,
  // reductions.ts
  reduce_sum: ALL,
  reduce_max: NONLINEAR,
  reduce_min: NONLINEAR,
  argmax: PIECEWISE,
  // dot.ts
  dot_general: { kind: "one-of" },
  // indexing.ts
  iota: INTEGER,
  concatenate: ALL,
  slice: ALL,
  dynamic_slice: { kind: "operands", which: () => [0], others: "the start indices" },
  dynamic_update_slice: { kind: "operands", which: () => [0, 1], others: "the start indices" },
  // control.ts. Reverse mode through a loop or branch needs its transpose rule (issue #13, control flow).
  while: { kind: "body" },
  cond: { kind: "body" },
  scan: { kind: "body" },
  pjit: { kind: "body" },
  // ad.ts: a checkpoint in a linear program recomputes its primal intermediates from residuals inside its body.
  checkpoint: { kind: "body" },
  // tape.ts: reverse mode through while. The recording loop and the tape reads work on primal values (residuals);
  // replay is the linear loop, linear in its consts and carries.
  while_record: { kind: "none", why: "it records primal values (its linear counterpart is a replay)" },
  replay: { kind: "body" },
  tape_read: { kind: "none", why: "tapes hold residuals (primal values), never tangents" },
  tape_reverse: ALL,
  // check.ts: the values pass through; the predicate is a primal value.
  check: { kind: "operands", which: (n) => range(1, n), others: "the predicate (operand 0)" },
  // ad.ts: stop_gradient only ever applies to primal values.
  stop_gradient: { kind: "none", why: "its tangent is zero, so a linear operand means a jvp rule emitted it on the tangent side" },
  // The jvp pass replaces a custom call reading a tangent by the user's rule, so one in a linear program has a tangent it was never differentiated for.
  custom_jvp_call: { kind: "none", why: "the jvp pass replaces it by its jvp rule wherever it reads a tangent" },
  custom_vjp_call: { kind: "none", why: "the jvp pass replaces it by fwd and custom_vjp_bwd wherever it reads a tangent" },
  // Linear in its arg tangents (transposed by the user's bwd); its consts and residuals must not be linear.
  custom_vjp_bwd: { kind: "body" },
};

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

export interface LinearReport {
  /** Equations (in every scope) that read a linear value: what transpose will reverse. */
  readonly linearEqns: number;
}

/**
 * Checks that `j` is linear in the invars marked `linear` (constvars are
 * residuals, never linear), and throws a LinearityError naming the first
 * equation that is not: its index, its text, the primitive and the operand.
 */
export function verifyLinear(j: Jaxpr, linear: readonly boolean[]): LinearReport {
  if (linear.length !== j.invars.length) {
    throw new Error(`verifyLinear: ${linear.length} linearity flags for a jaxpr with ${j.invars.length} inputs`);
  }
  return { linearEqns: checkScope(j, linear, "", j) };
}

/** `root` is the program being checked: equations are printed with its names, nested ones included. */
function checkScope(j: Jaxpr, linear: readonly boolean[], where: string, root: Jaxpr): number {
  const isLinear = new Set<number>();
  // Outputs of a loop, branch or call that reads tangents but computes them from
  // residuals only: a primal a while reruns beside its tangents, or a zero tangent
  // partial evaluation computed on the known side and passed in as a residual. Such
  // a value may meet a tangent in a sum (a zero does) and feed non-linear primitives
  // (a primal does); what follows from it alone is the same kind of value.
  const either = new Set<number>();
  j.invars.forEach((v, i) => linear[i] && isLinear.add(v.id));
  const linearAtom = (a: Atom): boolean => a.kind === "var" && isLinear.has(a.id);
  const eitherAtom = (a: Atom): boolean => a.kind === "var" && either.has(a.id);
  let count = 0;
  j.eqns.forEach((e, k) => {
    const flags = e.inputs.map(linearAtom);
    if (!flags.some(Boolean)) {
      if (e.inputs.some(eitherAtom)) e.outputs.forEach((o) => either.add(o.id));
      return;
    }
    count += 1 + checkEqn(e, flags, root, `${where}equation ${k}`, e.inputs.map(eitherAtom));
    eqnLinearOutputs(e, flags).forEach((l, i) => (l ? isLinear : either).add(e.outputs[i]!.id));
  });
  return count;
}

/** Which outputs of `j` depend on the inputs flagged (forward data flow, through nested bodies). */
function linearOutputs(j: Jaxpr, flags: readonly boolean[]): boolean[] {
  const linear = new Set<number>();
  j.invars.forEach((v, i) => flags[i] && linear.add(v.id));
  for (const e of j.eqns) {
    const f = e.inputs.map((a) => a.kind === "var" && linear.has(a.id));
    eqnLinearOutputs(e, f).forEach((l, i) => l && linear.add(e.outputs[i]!.id));
  }
  return j.outvars.map((o) => o.kind === "var" && linear.has(o.id));
}

/**
 * Which outputs of `e` depend on its operands flagged. Per output through
 * bodies: a while rerun by partial evaluation carries primal values beside
 * the tangents, and a primal carry computed by a nested scan or call must
 * not be taken for a tangent because a tangent also flows through that scan.
 */
function eqnLinearOutputs(e: Eqn, flags: readonly boolean[]): boolean[] {
  if (!flags.some(Boolean)) return e.outputs.map(() => false);
  if (!hasBodies(e)) return e.outputs.map(() => true);
  // A body output that reads no input at all is a constant: in a linear body, the
  // zero a jvp rule instantiated for a symbolic-zero tangent. It counts as linear.
  const linearOrConstant = (body: Jaxpr, bodyFlags: readonly boolean[]): boolean[] => {
    const anyInput = linearOutputs(body, body.invars.map(() => true));
    return linearOutputs(body, bodyFlags).map((l, i) => l || !anyInput[i]);
  };
  switch (e.prim) {
    case "pjit":
    case "checkpoint":
      return linearOrConstant(e.params.jaxpr, flags);
    case "cond": {
      // Every output depends on the index; otherwise on what some branch makes of the operands.
      const outs = e.outputs.map(() => flags[0]!);
      for (const b of e.params.branches) linearOrConstant(b, flags.slice(1)).forEach((l, i) => (outs[i] ||= l));
      return outs;
    }
    case "scan": {
      const { jaxpr, num_consts: nc, num_carry: ncarry } = e.params;
      return linearOrConstant(jaxpr, withLinearCarries(jaxpr, flags, nc, ncarry));
    }
    case "while": {
      const { cond_jaxpr, body_jaxpr, cond_nconsts: cn, body_nconsts: bn } = e.params;
      const carries = withLinearCarries(body_jaxpr, [...flags.slice(cn, cn + bn), ...flags.slice(cn + bn)], bn, e.outputs.length).slice(bn);
      // A predicate reading the tangents makes every carry depend on them (checkBodies rejects that loop anyway).
      const pred = linearOutputs(cond_jaxpr, [...flags.slice(0, cn), ...carries])[0]!;
      return carries.map((l) => l || pred);
    }
    case "replay": {
      // Body inputs are (active, slots…, consts…, carries…): the operands (steps, tapes…, consts…, carries…) in order.
      const { jaxpr, num_tapes: nt, num_consts: nc } = e.params;
      return linearOrConstant(jaxpr, withLinearCarries(jaxpr, flags, 1 + nt + nc, e.outputs.length));
    }
    case "custom_vjp_bwd": // its outputs are the tangents of the function's outputs
    case "custom_jvp_call": // (refused in a linear program: see LINEARITY)
    case "custom_vjp_call":
    case "while_record":
      return e.outputs.map(() => true);
    default:
      return unhandledPrim(e);
  }
}

/**
 * A loop body's input flags with each carry (inputs first..first+n, outputs
 * 0..n) marked linear when its initial value is or the body makes it so, to
 * the fixpoint: a carry that starts from zeros is linear from the iteration
 * that adds a tangent to it.
 */
function withLinearCarries(body: Jaxpr, flags: readonly boolean[], first: number, n: number): boolean[] {
  const out = [...flags];
  for (let changed = true; changed; ) {
    changed = false;
    linearOutputs(body, out).slice(0, n).forEach((linear, i) => {
      if (linear && !out[first + i]) (out[first + i] = true), (changed = true);
    });
  }
  return out;
}

/** A call, branch or loop is linear when its bodies are linear in the inputs its linear operands feed. */
function checkBodies(e: Eqn, flags: readonly boolean[], where: string, root: Jaxpr, fail: (reason: string) => never): number {
  if (!hasBodies(e)) return fail(`${e.prim} has no body to check`);
  switch (e.prim) {
    case "pjit":
      return checkScope(e.params.jaxpr, flags, `${where} (pjit body) `, root);
    case "checkpoint":
      // The body recomputes primal values from its non-linear operands (checkScope lets equations that read no linear value be).
      return checkScope(e.params.jaxpr, flags, `${where} (checkpoint body '${e.params.name}') `, root);
    case "cond": {
      if (flags[0]) fail("cond is not linear in its index");
      return e.params.branches.reduce((n, b, k) => n + checkScope(b, flags.slice(1), `${where} (cond branch ${k}) `, root), 0);
    }
    case "scan": {
      // Body inputs are the operands (consts, carries, x slices) in order. A
      // carry starting from a non-linear value (zeros) is linear from the
      // iteration where the body makes it so: iterate to the fixpoint.
      const { jaxpr, num_consts: nc, num_carry: ncarry } = e.params;
      return checkScope(jaxpr, withLinearCarries(jaxpr, flags, nc, ncarry), `${where} (scan body) `, root);
    }
    case "while": {
      // A while in a linear program reruns its primal carries beside the
      // tangent ones (partial evaluation of a loop with a dynamic trip count):
      // linear when the predicate reads no tangent and the body is linear in
      // the tangent carries. (It still cannot be transposed: transpose.ts says why.)
      const { cond_jaxpr, body_jaxpr, cond_nconsts: cn, body_nconsts: bn } = e.params;
      const carries = flags.slice(cn + bn);
      const bodyFlags = withLinearCarries(body_jaxpr, [...flags.slice(cn, cn + bn), ...carries], bn, carries.length);
      if (linearOutputs(cond_jaxpr, [...flags.slice(0, cn), ...bodyFlags.slice(bn)])[0]) fail("the while's predicate depends on the tangents");
      return checkScope(body_jaxpr, bodyFlags, `${where} (while body) `, root);
    }
    case "custom_vjp_bwd": {
      // bwd_jaxpr is the transpose the user wrote; linear by contract, as in JAX. Its other operands are primal values.
      const k = e.params.num_consts + e.params.num_res;
      if (flags.slice(0, k).some(Boolean)) fail("custom_vjp_bwd is linear in its arg tangents only, not in its captured values and residuals");
      return 0;
    }
    case "replay": {
      const { jaxpr, num_tapes: nt, num_consts: nc } = e.params;
      if (flags[0]) fail("replay is linear in its tapes, consts and carries, not in its step counts");
      return checkScope(jaxpr, withLinearCarries(jaxpr, flags, 1 + nt + nc, e.outputs.length), `${where} (replay body) `, root);
    }
    case "custom_jvp_call":
    case "custom_vjp_call":
    case "while_record":
      return fail(`${e.prim}: ${(LINEARITY[e.prim] as { why: string }).why}`);
    default:
      return unhandledPrim(e);
  }
}

/** Throws unless `e` is linear in the operands flagged; returns the linear equations inside its body. */
function checkEqn(e: Eqn, flags: readonly boolean[], root: Jaxpr, where: string, either: readonly boolean[] = []): number {
  const lin = LINEARITY[e.prim];
  const linearOps = flags.flatMap((f, i) => (f ? [i] : []));
  const fail = (reason: string): never => {
    throw new LinearityError(
      `not linear: ${where} \`${printEqn(e, root)}\` reads linear operand${linearOps.length > 1 ? "s" : ""} ${linearOps.join(", ")} (values computed from the tangents), but ${reason}. ` +
        "A linear program may only apply primitives linear in their linear operands: check which inputs are marked linear (transpose{linear=…}); in a program made by jvp or linearize, the jvp rule that emitted this equation is wrong.",
    );
  };
  if (lin.kind !== "none" && rulesOf(e.prim).transpose === null) fail(`${e.prim} has no transpose rule`);
  switch (lin.kind) {
    case "none":
      return fail(`${e.prim}: ${lin.why}`);
    case "all":
      return 0;
    case "sum":
      if (flags.some((f, i) => !f && !either[i])) fail(`${e.prim} of a linear and a non-linear operand is affine, not linear (a jvp rule adds tangents only to tangents)`);
      return 0;
    case "one-of":
      if (linearOps.length > 1) fail(`${e.prim} is linear in one operand only while the other is not linear (a product of two tangents is quadratic)`);
      return 0;
    case "operands": {
      const ok = new Set(lin.which(e.inputs.length));
      const bad = linearOps.filter((i) => !ok.has(i));
      if (bad.length) fail(`${e.prim} is not linear in ${lin.others} (operand ${bad.join(", ")})`);
      return 0;
    }
    case "body":
      return checkBodies(e, flags, where, root, fail);
  }
}
