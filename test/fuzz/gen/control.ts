// Builders for control flow (while, cond, scan, pjit and the calls built like it) and the step dispatch.
//
// Termination is certain: every while carries a counter `i` (shape = the
// predicate's lane shape) that the body increments, and the predicate is
// `i < n && extra` with `n` clamped to [0, 4], so no lane runs more than a
// handful of iterations. Predicates and cond indices are scalar or batched
// over a lane prefix of the carries/outputs (the contract in docs/ir.md); inside a
// masked region they stay scalar (see Scope.masked).

import { type Aval, avalsEqual, sizeOf } from "../../../src/ir/dtype.js";
import { freshCopy } from "../../../src/passes/util/fresh.js";
import { type Atom, type Eqn, type Jaxpr, lit, makeEqn, newJaxpr, newVar } from "../../../src/ir/core.js";
import { type Exactness, join } from "./bits.js";
import { binaryOp, binaryStep, convertStep, exact, literalStep, selectStep, unaryStep } from "./elementwise.js";
import { dotStep, dynamicStep, reduceStep, shapeStep, tame } from "./structural.js";
import { Choices, type Step, type StepKind } from "./recipe.js";
import { Scope, type Val, avalOf, dtypeOf, loopVariantBits, rankOf, shapeOf, withPrefix } from "./scope.js";

type Builder = (s: Scope, c: Choices, subs: readonly (readonly Step[])[]) => void;

/** One builder per step kind (a mapped type: a new kind fails tsc until it has one). */
const BUILDERS: { readonly [K in StepKind]: Builder } = {
  literal: literalStep,
  unary: unaryStep,
  binary: binaryStep,
  convert: convertStep,
  reduce: reduceStep,
  shape: shapeStep,
  select: selectStep,
  dot: dotStep,
  dynamic: dynamicStep,
  pjit: pjitStep,
  cond: condStep,
  while: whileStep,
  scan: scanStep,
};

export function buildSteps(s: Scope, steps: readonly Step[]): void {
  for (const step of steps) BUILDERS[step.kind](s, new Choices(step.r), step.subs);
}

/** Counters run from -1 or 0 up to at most 4. */
const COUNTER_BITS: Exactness = { hi: 3, lo: 0 };

/** `n` pool picks (values may repeat). */
function picks(s: Scope, c: Choices, n: number): Val[] {
  return Array.from({ length: n }, () => tame(s, s.pick(c.next(8))!));
}

/** A lane shape for a batched predicate/index: leading axes of some pool value (or a fresh small one). */
function lanePrefix(s: Scope, c: Choices): number[] {
  const v = s.pick(c.next(8), (x) => rankOf(x) > 0 && sizeOf(shapeOf(x)) > 0);
  if (!v) return [1 + c.next(3)];
  return shapeOf(v).slice(0, 1 + c.next(Math.min(2, rankOf(v))));
}

/** An int value of shape `shape` built from whatever int/bool/exact value the pool has. */
function intOf(s: Scope, c: Choices, shape: readonly number[]): Val {
  const v = s.pick(c.next(8), exact);
  if (!v) return s.constant({ dtype: "int32", shape }, c.next(3));
  return s.coerce(v, { dtype: "int32", shape: [...shape] });
}

/** The sub-jaxpr's result of type `aval`: a body value of that type, or the newest value coerced. */
function resultOf(inner: Scope, c: Choices, aval: Aval): Val {
  const same = (v: Val) => avalsEqual(avalOf(v), aval);
  if (c.next(4) !== 3) {
    const v = inner.pick(c.next(3), same);
    if (v) return v;
  }
  return inner.coerce(inner.pick(0)!, aval);
}

/** A sub-jaxpr scope whose binders receive `operands` (same types and bits). */
function subScope(masked: boolean, operands: readonly Val[]): Scope {
  const scope = new Scope(masked, false);
  for (const v of operands) scope.bind(avalOf(v), v.bits);
  return scope;
}

// ------------------------------------------------------------------ pjit

function pjitStep(s: Scope, c: Choices, subs: readonly (readonly Step[])[]): void {
  const operands = picks(s, c, 1 + c.next(3));
  const scope = subScope(s.masked, operands);
  buildSteps(scope, subs[0]!);
  const outs = Array.from({ length: 1 + c.next(2) }, () => scope.pick(c.next(4))!);
  const jaxpr = scope.finish(outs);
  const name = `f${c.next(3)}`;
  // Now and then the same call with a custom derivative rule, or as a checkpoint: backends run its call_jaxpr
  // (a checkpoint's jaxpr) as they run a pjit body, and reverse mode recomputes a checkpoint's body.
  const kind = c.next(4);
  const args = operands.map((v) => v.atom);
  const res =
    kind === 1
      ? s.emit("custom_jvp_call", { call_jaxpr: jaxpr, jvp_jaxpr: jvpRuleOf(jaxpr), num_consts: 0, name }, args)
      : kind === 2
        ? s.emit("custom_vjp_call", { call_jaxpr: jaxpr, fwd_jaxpr: freshCopy(jaxpr), bwd_jaxpr: zeroBwdOf(jaxpr), num_consts: 0, name }, args)
        : kind === 3
          ? s.emit("checkpoint", { jaxpr, name }, args)
          : s.emit("pjit", { jaxpr, name }, args);
  res.forEach((atom, i) => s.keep({ atom, bits: outs[i]!.bits }));
}

/**
 * A jvp rule for `j`: the primal outputs, and zero tangents. The fuzzer
 * differentiates its programs, so the rule must be linear in the tangents
 * (a user's rule must be too); zero is, and it agrees with `zeroBwdOf`, the
 * bwd of the generated custom_vjp_calls.
 */
function jvpRuleOf(call: Jaxpr): Jaxpr {
  const j = freshCopy(call); // every variable is bound in one jaxpr only
  const tangents = j.invars.map((v) => newVar(v.aval));
  const eqns: Eqn[] = [...j.eqns];
  const zeros = j.outvars.map((o) => zerosOf(o.aval, eqns));
  return newJaxpr({ invars: [...j.invars, ...tangents], eqns, outvars: [...j.outvars, ...zeros] });
}

/** Zeros of `aval`: a literal, or a literal broadcast by an equation appended to `eqns`. */
function zerosOf(aval: Aval, eqns: Eqn[]): Atom {
  const zero = lit(0, { dtype: aval.dtype, shape: [] });
  if (aval.shape.length === 0) return zero;
  const out = newVar(aval);
  eqns.push(makeEqn("broadcast_in_dim", { shape: [...aval.shape], broadcast_dimensions: [] }, [zero], [out]));
  return out;
}

/** A bwd for `j` without residuals: zero cotangents of the arguments' types. */
function zeroBwdOf(j: Jaxpr): Jaxpr {
  const cts = j.outvars.map((o) => newVar(o.aval));
  const eqns: Eqn[] = [];
  const outvars = j.invars.map((v): Atom => zerosOf(v.aval, eqns));
  return newJaxpr({ invars: cts, eqns, outvars });
}

// ------------------------------------------------------------------ cond

function condStep(s: Scope, c: Choices, subs: readonly (readonly Step[])[]): void {
  const lanes = s.masked || c.next(2) === 0 ? [] : lanePrefix(s, c);
  // Any int: out-of-range indices clamp to the first/last branch.
  const index = intOf(s, c, lanes);
  const operands = picks(s, c, 1 + c.next(3));
  const outAvals = Array.from({ length: 1 + c.next(2) }, (): Aval => {
    const a = avalOf(c.next(2) ? operands[c.next(operands.length)]! : tame(s, s.pick(c.next(8))!));
    const shape = lanes.every((d, i) => a.shape[i] === d) ? [...a.shape] : [...lanes, ...a.shape];
    return { dtype: a.dtype, shape: sizeOf(shape) > 48 ? [...lanes] : shape };
  });
  const branches: Jaxpr[] = [];
  let bits: Exactness[] | undefined;
  for (const steps of subs) {
    const scope = subScope(s.masked || lanes.length > 0, operands);
    buildSteps(scope, steps);
    const outs = outAvals.map((a) => resultOf(scope, c, a));
    branches.push(scope.finish(outs));
    bits = bits ? bits.map((b, i) => join(b, outs[i]!.bits)) : outs.map((o) => o.bits);
  }
  const res = s.emit("cond", { branches }, [index.atom, ...operands.map((v) => v.atom)]);
  res.forEach((atom, i) => s.keep({ atom, bits: bits![i]! }));
}

// ------------------------------------------------------------------ while

function whileStep(s: Scope, c: Choices, subs: readonly (readonly Step[])[]): void {
  const lanes = s.masked || c.next(2) === 0 ? [] : lanePrefix(s, c);
  const laneAval: Aval = { dtype: "int32", shape: lanes };
  // Per-lane trip bound n in [0, 4].
  const raw = intOf(s, c, lanes);
  const n = binaryOp(s, "min", binaryOp(s, "max", raw, s.literal("int32", 0)), s.literal("int32", 4));
  const start = -c.next(2);
  const i0 = lanes.length ? s.constant(laneAval, start) : s.literal("int32", start);
  const carries = picks(s, c, 1 + c.next(3)).map((v) => withPrefix(s, v, lanes));
  const bconsts = picks(s, c, c.next(3));

  // cond_jaxpr: (n, i, carries…) -> i < n [&& a test on an int/bool carry]
  const cs = new Scope(false, false);
  const cn = cs.bind(laneAval, n.bits);
  const ci = cs.bind(laneAval, COUNTER_BITS);
  const cc = carries.map((v) => cs.bind(avalOf(v), loopVariantBits(dtypeOf(v))));
  let pred = binaryOp(cs, "lt", ci, cn);
  const testable = cc.filter((v) => dtypeOf(v) !== "float32");
  if (testable.length && c.oneIn(2)) {
    let t = testable[c.next(testable.length)]!;
    // Reduce the carry's trailing (per-lane) axes so the test is per lane.
    const trailing = shapeOf(t).map((_, i) => i).slice(lanes.length);
    if (trailing.length) t = cs.emit1(dtypeOf(t) === "bool" ? "reduce_max" : "reduce_min", { axes: trailing }, [t], t.bits);
    const test = dtypeOf(t) === "bool" ? t : binaryOp(cs, c.next(2) ? "ne" : "lt", t, cs.literal("int32", c.next(5) - 1));
    pred = binaryOp(cs, "and", pred, test);
  }
  const condJaxpr = cs.finish([pred]);

  // body_jaxpr: (bconsts…, i, carries…) -> (i + 1, carries'…)
  const body = new Scope(s.masked || lanes.length > 0, false);
  bconsts.forEach((v) => body.bind(avalOf(v), v.bits));
  const bi = body.bind(laneAval, COUNTER_BITS);
  carries.forEach((v) => body.bind(avalOf(v), loopVariantBits(dtypeOf(v))));
  buildSteps(body, subs[0]!);
  const next = carries.map((v) => resultOf(body, c, avalOf(v)));
  const inc = binaryOp(body, "add", bi, body.literal("int32", 1));
  const bodyJaxpr = body.finish([inc, ...next]);

  const res = s.emit(
    "while",
    { cond_jaxpr: condJaxpr, body_jaxpr: bodyJaxpr, cond_nconsts: 1, body_nconsts: bconsts.length },
    [n.atom, ...bconsts.map((v) => v.atom), i0.atom, ...carries.map((v) => v.atom)],
  );
  s.keep({ atom: res[0]!, bits: COUNTER_BITS });
  res.slice(1).forEach((atom) => s.keep({ atom, bits: loopVariantBits(atom.aval.dtype) }));
}

// ------------------------------------------------------------------ scan

function scanStep(s: Scope, c: Choices, subs: readonly (readonly Step[])[]): void {
  const sliced = Array.from({ length: c.next(3) }, () => s.pick(c.next(8), (v) => rankOf(v) > 0))
    .filter((v) => v !== undefined)
    .map((v) => tame(s, v))
    .map((v) => (rankOf(v) > 0 ? v : s.emit1("reshape", { new_sizes: [1] }, [v], v.bits)));
  // The first xs operand sets the length; the others are made to fit.
  const length = sliced.length ? shapeOf(sliced[0]!)[0]! : c.next(4);
  const xs = sliced.map((v) => (shapeOf(v)[0] === length ? v : s.coerce(v, { dtype: dtypeOf(v), shape: [length, ...shapeOf(v).slice(1)] })));
  const consts = picks(s, c, c.next(3));
  // At least one binder, so the body has something to compute with.
  const carries = picks(s, c, consts.length + xs.length === 0 ? 1 + c.next(2) : c.next(3));
  const body = new Scope(s.masked, false);
  consts.forEach((v) => body.bind(avalOf(v), v.bits));
  carries.forEach((v) => body.bind(avalOf(v), loopVariantBits(dtypeOf(v))));
  // A slice xs[t] has the bits of xs (true for every t).
  xs.forEach((v) => body.bind({ dtype: dtypeOf(v), shape: shapeOf(v).slice(1) }, v.bits));
  buildSteps(body, subs[0]!);
  const next = carries.map((v) => resultOf(body, c, avalOf(v)));
  const nys = carries.length === 0 ? 1 + c.next(2) : c.next(3);
  const ys = Array.from({ length: nys }, () => tame(body, body.pick(c.next(4))!));
  const jaxpr = body.finish([...next, ...ys]);
  const res = s.emit(
    "scan",
    { jaxpr, length, reverse: c.oneIn(2), num_consts: consts.length, num_carry: carries.length },
    [...consts, ...carries, ...xs].map((v) => v.atom),
  );
  res.forEach((atom, i) => s.keep({ atom, bits: i < carries.length ? loopVariantBits(atom.aval.dtype) : ys[i - carries.length]!.bits }));
}
