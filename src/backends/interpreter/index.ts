// The reference interpreter: the semantics of every tsjax primitive on
// concrete arrays. Other backends are tested against it, and eager mode calls
// `applyPrimitive` for every op on concrete arrays.
//
// Values (`ArrayValue`) are immutable once created; implementations may
// return an operand, or share its storage, instead of copying.

import type { ArrayValue, Atom, ClosedJaxpr, Jaxpr, Literal, Var } from "../../ir/core.js";
import { type Aval, avalStr, avalsEqual } from "../../ir/dtype.js";
import { type Params, type Prim, abstractEval } from "../../ir/primitives.js";
import { printEqn } from "../../ir/printer.js";
import { scalarValue } from "../../ir/value.js";
import { PRIM_RULES, PRIMS } from "../../ir/prims/index.js";
import type { EvalContext, Impl } from "../../ir/prims/rules.js";
import { type SubEval, controlFlowRecursions } from "./control_flow.js";
import { type Recursion, recurse, runRecursion } from "../../ir/trampoline.js";

const CONTROL: ReadonlySet<Prim> = new Set<Prim>(["while", "cond", "scan", "pjit"]);

/** A control-flow Recursion with its params type erased (the equation's prim picked it). */
type SubRun = (args: readonly ArrayValue[], params: unknown, outAvals: readonly Aval[], mask: ArrayValue | null, sub: SubEval) => Recursion<ArrayValue[]>;

export type { EvalContext, Impl } from "../../ir/prims/rules.js";

type ImplTable = { [P in Prim]: Impl<P> };

/**
 * The evaluator's dispatch table: each primitive's reference implementation
 * (ir/prims/). It is a table of its own so that tools can wrap an entry (the
 * fuzzer counts loop iterations by wrapping `impls.while`).
 */
export const impls: ImplTable = Object.fromEntries(PRIMS.map((p) => [p, PRIM_RULES[p].impl])) as ImplTable;

/** Literals are immutable IR nodes, so each is materialized once. */
const literalValues = new WeakMap<Literal, ArrayValue>();

function literalValue(l: Literal): ArrayValue {
  let v = literalValues.get(l);
  if (v === undefined) {
    v = scalarValue(l.aval.dtype, l.value);
    literalValues.set(l, v);
  }
  return v;
}

function checkBinding(what: string, vars: readonly Var[], values: readonly ArrayValue[]): void {
  if (vars.length !== values.length) {
    throw new TypeError(`evalJaxpr: the jaxpr takes ${vars.length} ${what}, got ${values.length}`);
  }
  vars.forEach((v, i) => {
    const x = values[i]!;
    if (!avalsEqual(v.aval, x)) {
      throw new TypeError(`evalJaxpr: ${what} ${i} must be ${avalStr(v.aval)}, got ${avalStr(x)}`);
    }
  });
}

function run<P extends Prim>(prim: P, params: Params[P], args: readonly ArrayValue[], outAvals: readonly Aval[], ctx: EvalContext): ArrayValue[] {
  return (impls[prim] as Impl<P>)(args, params, outAvals, ctx);
}

/**
 * Evaluates a jaxpr on concrete values: `consts` bind the constvars, `args`
 * the invars.
 *
 * `mask` (a bool array, default none) says which lanes matter: a batched
 * `while` inside treats lanes outside it as finished, and a batched `cond`
 * runs no branch for them (their outputs are then unspecified). See mask.ts.
 */
export function evalJaxpr(
  j: Jaxpr,
  consts: readonly ArrayValue[],
  args: readonly ArrayValue[],
  mask: ArrayValue | null = null,
): ArrayValue[] {
  return runRecursion(evalJaxprRec(j, consts, args, mask));
}

/** A sub-jaxpr of a control-flow equation (closed: no consts), waited on through the trampoline. */
const evalSub: SubEval = (j, args, mask) => evalJaxprRec(j, [], args, mask);

/**
 * `evalJaxpr` as a Recursion (ir/trampoline.ts). A control-flow equation
 * whose table entry is the built-in one runs as a Recursion too, so nested
 * loops use no native stack per level; a wrapped entry (a tool counting
 * loop iterations) is called as it is.
 */
function* evalJaxprRec(j: Jaxpr, consts: readonly ArrayValue[], args: readonly ArrayValue[], mask: ArrayValue | null): Recursion<ArrayValue[]> {
  checkBinding("consts", j.constvars, consts);
  checkBinding("arguments", j.invars, args);
  if (mask !== null && mask.dtype !== "bool") throw new TypeError(`evalJaxpr: the mask must be bool, got ${avalStr(mask)}`);
  const env = new Map<number, ArrayValue>();
  j.constvars.forEach((v, i) => env.set(v.id, consts[i]!));
  j.invars.forEach((v, i) => env.set(v.id, args[i]!));
  const read = (a: Atom): ArrayValue => {
    if (a.kind === "lit") return literalValue(a);
    const v = env.get(a.id);
    if (v === undefined) throw new ReferenceError(`evalJaxpr: variable ${a.id} (${avalStr(a.aval)}) is read before it is defined`);
    return v;
  };
  const ctx: EvalContext = { mask, evalJaxpr };
  for (const e of j.eqns) {
    const ins = e.inputs.map(read);
    const outAvals = abstractEval(e.prim, e.params, ins);
    if (outAvals.length !== e.outputs.length || outAvals.some((a, i) => !avalsEqual(a, e.outputs[i]!.aval))) {
      throw new TypeError(
        `evalJaxpr: \`${printEqn(e, j)}\` declares (${e.outputs.map((v) => avalStr(v.aval)).join(", ")}) but computes (${outAvals.map(avalStr).join(", ")})`,
      );
    }
    const control = CONTROL.has(e.prim) && impls[e.prim] === PRIM_RULES[e.prim].impl;
    const outs = control
      ? yield* recurse((controlFlowRecursions[e.prim as keyof typeof controlFlowRecursions] as SubRun)(ins, e.params, outAvals, mask, evalSub))
      : run(e.prim, e.params, ins, outAvals, ctx);
    e.outputs.forEach((v, i) => env.set(v.id, outs[i]!));
  }
  return j.outvars.map(read);
}

export function evalClosedJaxpr(cj: ClosedJaxpr, args: readonly ArrayValue[], mask: ArrayValue | null = null): ArrayValue[] {
  return evalJaxpr(cj.jaxpr, cj.consts, args, mask);
}

/** Apply one primitive to concrete operands (eager mode). Throws ShapeError on ill-typed operands. */
export function applyPrimitive<P extends Prim>(prim: P, params: Params[P], args: readonly ArrayValue[]): ArrayValue[] {
  const outAvals = abstractEval(prim, params, args);
  return run(prim, params, args, outAvals, { mask: null, evalJaxpr });
}
