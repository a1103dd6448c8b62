// Loop-signature surgery. A while's operands, its cond's and body's invars,
// its body's outvars and its outputs are parallel lists cut by
// `cond_nconsts`/`body_nconsts` (a scan's operands, body invars, body
// outvars and outputs, cut by `num_consts`/`num_carry`): removing a carry,
// turning it into a const or adding a const means editing every list at the
// same position and adjusting the counts. Here a loop is taken apart into
// slots (one per const, carry, scanned input and stacked output, each holding
// its entry of every list); a pass edits the slot lists in an immer
// `produce` recipe (filter, reorder, add) and the equation is rebuilt from
// them, so the lists cannot drift apart and the counts are recomputed, not
// adjusted.
//
// Only the small slot objects are drafted: the sub-jaxprs' equations are
// passed beside the recipe, never through it. This runs once per loop a pass
// rewrites, never per equation.

import { type Draft, Immer } from "immer";
import type { Atom, Eqn, Jaxpr, Var } from "../../ir/core.js";
import { makeEqn } from "../../ir/core.js";
import { scanParts, splitConsts, whileParts } from "../../ir/loopOperands.js";

/** An operand bound to one invar of a sub-jaxpr: a const of the cond or the body, or a scanned input. */
export interface BoundOperand {
  readonly operand: Atom;
  readonly binder: Var;
}

/** One carry of a while: its initial value, its binders in the cond and the body, the body's next value, the loop's result. */
export interface WhileCarry {
  readonly init: Atom;
  readonly condBinder: Var;
  readonly bodyBinder: Var;
  readonly bodyOut: Atom;
  readonly output: Var;
}

export interface WhileSlots {
  readonly condConsts: readonly BoundOperand[];
  readonly bodyConsts: readonly BoundOperand[];
  readonly carries: readonly WhileCarry[];
}

/** One carry of a scan. */
export interface ScanCarry {
  readonly init: Atom;
  readonly bodyBinder: Var;
  readonly bodyOut: Atom;
  readonly output: Var;
}

/** A stacked output of a scan: the body's per-iteration value and the loop's result. */
export interface ScanOutput {
  readonly bodyOut: Atom;
  readonly output: Var;
}

export interface ScanSlots {
  readonly consts: readonly BoundOperand[];
  readonly carries: readonly ScanCarry[];
  readonly xs: readonly BoundOperand[];
  readonly ys: readonly ScanOutput[];
}

// No auto-freeze: freezing would walk the loop bodies on every rewrite. The
// pass manager's checked mode freezes what a pass hands on.
const immer = new Immer({ autoFreeze: false });

function bind(operands: readonly Atom[], binders: readonly Var[]): BoundOperand[] {
  return operands.map((operand, i) => ({ operand, binder: binders[i]! }));
}

export function whileSlots(e: Eqn<"while">): WhileSlots {
  const { cond_jaxpr: cj, body_jaxpr: bj, cond_nconsts: cn, body_nconsts: bn } = e.params;
  const ops = whileParts(e.inputs, e.params);
  const [condConstIn, condCarryIn] = splitConsts(cj.invars, cn);
  const [bodyConstIn, bodyCarryIn] = splitConsts(bj.invars, bn);
  return {
    condConsts: bind(ops.condConsts, condConstIn),
    bodyConsts: bind(ops.bodyConsts, bodyConstIn),
    carries: ops.carries.map((init, i) => ({
      init,
      condBinder: condCarryIn[i]!,
      bodyBinder: bodyCarryIn[i]!,
      bodyOut: bj.outvars[i]!,
      output: e.outputs[i]!,
    })),
  };
}

export function scanSlots(e: Eqn<"scan">): ScanSlots {
  const { jaxpr: j, num_carry: k } = e.params;
  const ops = scanParts(e.inputs, e.params);
  const binders = scanParts(j.invars, e.params);
  return {
    consts: bind(ops.consts, binders.consts),
    carries: ops.carries.map((init, i) => ({ init, bodyBinder: binders.carries[i]!, bodyOut: j.outvars[i]!, output: e.outputs[i]! })),
    xs: bind(ops.xs, binders.xs),
    ys: e.outputs.slice(k).map((output, i) => ({ bodyOut: j.outvars[k + i]!, output })),
  };
}

/** Replacement sub-jaxprs for `editWhile`: their equations (and the cond's outvar) are used, their invars and the body's outvars are not. */
export interface WhileBodies {
  readonly cond?: Jaxpr;
  readonly body?: Jaxpr;
}

/**
 * `e` with its slots edited by `recipe`. The cond's and body's equations (and
 * the cond's outvar) come from `bodies` when given, else from `e`; the
 * invars, the body's outvars, the operands, the outputs and the const counts
 * are rebuilt from the slots.
 */
export function editWhile(e: Eqn<"while">, recipe: (slots: Draft<WhileSlots>) => void, bodies: WhileBodies = {}): Eqn<"while"> {
  const s: WhileSlots = immer.produce(whileSlots(e), recipe);
  const cond = bodies.cond ?? e.params.cond_jaxpr;
  const body = bodies.body ?? e.params.body_jaxpr;
  return makeEqn(
    "while",
    {
      cond_jaxpr: withSignature(cond, [...binders(s.condConsts), ...s.carries.map((c) => c.condBinder)], cond.outvars),
      body_jaxpr: withSignature(body, [...binders(s.bodyConsts), ...s.carries.map((c) => c.bodyBinder)], s.carries.map((c) => c.bodyOut)),
      cond_nconsts: s.condConsts.length,
      body_nconsts: s.bodyConsts.length,
    },
    [...operands(s.condConsts), ...operands(s.bodyConsts), ...s.carries.map((c) => c.init)],
    s.carries.map((c) => c.output),
  );
}

/**
 * `e` with its slots edited by `recipe`. The body's equations come from
 * `body` when given, else from `e`; its invars and outvars, the operands, the
 * outputs and the counts are rebuilt from the slots.
 */
export function editScan(e: Eqn<"scan">, recipe: (slots: Draft<ScanSlots>) => void, body: Jaxpr = e.params.jaxpr): Eqn<"scan"> {
  const s: ScanSlots = immer.produce(scanSlots(e), recipe);
  const jaxpr = withSignature(
    body,
    [...binders(s.consts), ...s.carries.map((c) => c.bodyBinder), ...binders(s.xs)],
    [...s.carries.map((c) => c.bodyOut), ...s.ys.map((y) => y.bodyOut)],
  );
  return makeEqn(
    "scan",
    { ...e.params, jaxpr, num_consts: s.consts.length, num_carry: s.carries.length },
    [...operands(s.consts), ...s.carries.map((c) => c.init), ...operands(s.xs)],
    [...s.carries.map((c) => c.output), ...s.ys.map((y) => y.output)],
  );
}

/** `j` with this signature; `j` itself when it already has it (a sub-jaxpr the edit left alone stays the same object). */
function withSignature(j: Jaxpr, invars: readonly Var[], outvars: readonly Atom[]): Jaxpr {
  return sameItems(invars, j.invars) && sameItems(outvars, j.outvars) ? j : { ...j, invars, outvars };
}

function sameItems<T>(xs: readonly T[], ys: readonly T[]): boolean {
  return xs.length === ys.length && xs.every((x, i) => x === ys[i]);
}

function binders(bs: readonly BoundOperand[]): Var[] {
  return bs.map((b) => b.binder);
}

function operands(bs: readonly BoundOperand[]): Atom[] {
  return bs.map((b) => b.operand);
}
