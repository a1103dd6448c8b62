// The differentiation part of the differential property (check/adPrograms.ts
// builds the programs). For a program with a float32 input and a float32
// output:
//
// 1. forward mode: the jvp program runs on every backend like any program
//    (same tolerance, NaN/inf consistency), and its primal outputs are the
//    program's;
// 2. reverse mode: the same for the vjp program (jvp → partial eval →
//    transpose; through a `while`, a recording loop and a replay of its
//    tapes);
// 3. the two modes agree: <vjp(c), t> = <c, jvp(t)> (both are the same
//    Jacobian), summed in float64 from the interpreter's outputs.
//
// The primal inputs here have no NaN/±inf (derivatives at NaN say nothing:
// NaN everywhere); computed infinities (log 0, 1/0) still occur. The identity
// is only checked when both sides are finite: reverse mode multiplies a zero
// cotangent by an infinite partial derivative where forward mode never forms
// that product (the where/NaN-gradient behaviour JAX documents), so NaN
// appearing on one side only is not a bug. Those cases are counted too.

import type { Backend } from "../../../src/backends/index.js";
import { evalJaxpr } from "../../../src/backends/interpreter/index.js";
import type { ArrayValue, Eqn, Jaxpr } from "../../../src/ir/core.js";
import { printJaxpr } from "../../../src/ir/printer.js";
import { anyNestedEqn } from "../../../src/ir/traverse.js";
import type { FuzzProgram } from "../gen/build.js";
import { type Tolerance, outputsMismatch } from "./compare.js";
import { attempt, fail, FuzzMismatch, showAll } from "./differential.js";
import { adShape, jvpProgram, vjpProgram } from "./adPrograms.js";
import { randomInputs, randomValue, rng } from "./values.js";

/** What the AD checks did with one program. */
export interface AdOutcome {
  /** Forward mode checked, or why not (no float input or output; a customVjp function, which only has reverse mode, by design). */
  readonly forward: "checked" | "no-float" | "custom-vjp";
  readonly reverse: "checked" | "no-float";
  /** The jvp/vjp identity checked, or skipped because a side is NaN/±inf (or reverse mode was skipped). */
  readonly identity: "checked" | "non-finite" | "skipped";
}

/** Relative tolerance of the identity, against the sum of the magnitudes of its terms (float32 partials, float64 sums). */
export const IDENTITY_RTOL = 1e-3;

const customVjpMemo = new WeakMap<Jaxpr, boolean>();
const hasCustomVjp = (j: Jaxpr): boolean => anyNestedEqn(customVjpMemo, j, (e: Eqn) => e.prim === "custom_vjp_call");

/** Σ a·b in float64, and Σ |a·b| (the scale the float32 rounding of the terms is relative to). */
function dot(as: readonly ArrayValue[], bs: readonly ArrayValue[]): { sum: number; scale: number } {
  let sum = 0, scale = 0;
  as.forEach((a, k) => {
    const b = bs[k]!;
    for (let i = 0; i < a.data.length; i++) {
      const term = Number(a.data[i]!) * Number(b.data[i]!);
      sum += term;
      scale += Math.abs(term);
    }
  });
  return { sum, scale };
}

function checkOnBackends(p: FuzzProgram, label: string, program: Jaxpr, args: readonly ArrayValue[], want: readonly ArrayValue[], backends: readonly Backend[], tol: Tolerance): void {
  for (const b of backends) {
    const got = attempt(p, `backend '${b.name}' on the ${label}`, args, () => b.compile(program).run(args.map((x) => ({ ...x, data: x.data.slice() }))));
    const m = outputsMismatch(got, want, tol);
    if (m !== null) fail(p, `backend '${b.name}' differs from the interpreter on the ${label}: ${m}`, args, `${label}:\n${printJaxpr(program)}\n${showAll("expected (interpreter)", want)}\n${showAll("got", got)}`);
  }
}

function checkPrimals(p: FuzzProgram, label: string, program: Jaxpr, args: readonly ArrayValue[], outs: readonly ArrayValue[], want: readonly ArrayValue[], tol: Tolerance): void {
  const m = outputsMismatch(outs.slice(0, want.length), want, tol);
  if (m !== null) fail(p, `the ${label}'s primal outputs differ from the program's (interpreter): ${m}`, args, `${label}:\n${printJaxpr(program)}\n${showAll("expected", want)}\n${showAll("got", outs.slice(0, want.length))}`);
}

export function checkAd(p: FuzzProgram, j: Jaxpr, backends: readonly Backend[], tol: Tolerance): AdOutcome {
  const { wrt, floatOuts } = adShape(j);
  if (!wrt.some(Boolean) || !floatOuts.some(Boolean)) return { forward: "no-float", reverse: "no-float", identity: "skipped" };

  const primals = randomInputs(j.invars.map((v) => v.aval), p.seed, false);
  const next = rng(p.seed ^ 0x5eed);
  const tangents = j.invars.filter((_, i) => wrt[i]).map((v) => randomValue(v.aval, next, false));
  const cotangents = j.outvars.filter((_, i) => floatOuts[i]).map((o) => randomValue(o.aval, next, false));
  const want = attempt(p, "the interpreter (AD inputs)", primals, () => evalJaxpr(j, [], primals));

  // 1. Forward mode (a customVjp function has none: evaluating its jvp is an error by design, as in JAX).
  const forward = !hasCustomVjp(j);
  const jvp = attempt(p, "jvpJaxpr", primals, () => jvpProgram(j));
  const jvpArgs = [...primals, ...tangents];
  const jvpOuts = forward ? attempt(p, "the interpreter on the jvp program", jvpArgs, () => evalJaxpr(jvp, [], jvpArgs)) : [];
  if (forward) {
    checkPrimals(p, "jvp program", jvp, jvpArgs, jvpOuts, want, tol);
    checkOnBackends(p, "jvp program", jvp, jvpArgs, jvpOuts, backends, tol);
  }
  const forwardOutcome = forward ? "checked" : "custom-vjp";

  // 2. Reverse mode.
  let vjp: Jaxpr;
  try {
    vjp = vjpProgram(j);
  } catch (e) {
    if (e instanceof FuzzMismatch) throw e;
    return fail(p, `reverse mode (BEFORE_AD, linearizeJaxpr, verifyLinear, transposeJaxpr) threw ${(e as Error).name}: ${(e as Error).message}`, primals);
  }
  const vjpArgs = [...primals, ...cotangents];
  const vjpOuts = attempt(p, "the interpreter on the vjp program", vjpArgs, () => evalJaxpr(vjp, [], vjpArgs));
  checkPrimals(p, "vjp program", vjp, vjpArgs, vjpOuts, want, tol);
  checkOnBackends(p, "vjp program", vjp, vjpArgs, vjpOuts, backends, tol);

  // 3. <vjp(c), t> = <c, jvp(t)>.
  if (!forward) return { forward: forwardOutcome, reverse: "checked", identity: "skipped" };
  const lhs = dot(vjpOuts.slice(want.length), tangents);
  const rhs = dot(cotangents, jvpOuts.slice(want.length));
  if (![lhs.sum, lhs.scale, rhs.sum, rhs.scale].every(Number.isFinite)) return { forward: "checked", reverse: "checked", identity: "non-finite" };
  if (Math.abs(lhs.sum - rhs.sum) > IDENTITY_RTOL * (lhs.scale + rhs.scale) + tol.atol) {
    fail(
      p,
      `<vjp(c), t> = ${lhs.sum} but <c, jvp(t)> = ${rhs.sum} (term magnitudes ${lhs.scale}, ${rhs.scale}): forward and reverse mode disagree`,
      primals,
      `${showAll("tangent", tangents)}\n${showAll("cotangent", cotangents)}\njvp program:\n${printJaxpr(jvp)}\n${showAll("jvp output", jvpOuts)}\nvjp program:\n${printJaxpr(vjp)}\n${showAll("vjp output", vjpOuts)}`,
    );
  }
  return { forward: "checked", reverse: "checked", identity: "checked" };
}
