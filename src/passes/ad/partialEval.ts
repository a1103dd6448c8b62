// Partial evaluation: splits a jaxpr whose inputs are partly known into a
// known part, which runs now, and an unknown part, which runs later on the
// known part's residuals (Autodidax's `partial_eval_jaxpr`). For reverse mode
// the known inputs are the primals and the unknown ones the tangents of a jvp
// jaxpr: the known part computes the primal outputs and the residuals, the
// unknown part is linear in the tangents and is what transpose.ts reverses.
//
//   j       : (inputs…)                          → (outs…)
//   known   : (known inputs…)                    → (known outs…, computed residuals…)
//   unknown : (residuals…, unknown inputs…)      → (unknown outs…)
//
// An equation is unknown when any operand is, and its known operands become
// residuals; primitives with bodies (cond, scan, while) have their own rule
// (`partialEval` in their record) that splits the bodies, so that the known
// part of a loop or branch runs now and only its linear part is left for later.
// A residual that is a known input is not returned by the known part (it
// would copy a value the caller already has): `residuals` says where each
// comes from.

import { type Atom, type Eqn, type Jaxpr, type Var, newJaxpr } from "../../ir/core.js";
import { rulesOf } from "../../ir/prims/index.js";
import type { Prim } from "../../ir/primitives.js";
import { type Recursion, recurse, runRecursion } from "../../ir/trampoline.js";
import type { PartialEvalRule } from "./rules.js";

/** Where a residual of the unknown part comes from: a known input, or an extra output of the known part. */
export type ResidualSource = { readonly kind: "input"; readonly index: number } | { readonly kind: "output"; readonly index: number };

export interface PartialJaxpr {
  /** Known inputs (in order) → known outputs, then the computed residuals. */
  readonly known: Jaxpr;
  /** Residuals, then the unknown inputs (in order) → the unknown outputs. */
  readonly unknown: Jaxpr;
  /** Per output of the original: computed by the unknown part. */
  readonly outUnknown: readonly boolean[];
  /** One per residual input of `unknown`, in order. */
  readonly residuals: readonly ResidualSource[];
}

/**
 * Splits `j` (no constvars) by `unknownIns[i]`: invar i is unknown.
 * `instantiate[i]` forces output i into the unknown part even when it is known
 * (a loop carry whose init is unknown must come out of the unknown body).
 */
export function partialEvalJaxpr(j: Jaxpr, unknownIns: readonly boolean[], instantiate?: readonly boolean[]): PartialJaxpr {
  return runRecursion(partialEvalJaxprRec(j, unknownIns, instantiate));
}

export function* partialEvalJaxprRec(j: Jaxpr, unknownIns: readonly boolean[], instantiate?: readonly boolean[]): Recursion<PartialJaxpr> {
  if (j.constvars.length) throw new Error("partialEval: close over the constvars first (pass them as inputs)");
  if (unknownIns.length !== j.invars.length) throw new Error(`partialEval: ${unknownIns.length} flags for ${j.invars.length} inputs`);
  const unknownVars = new Set<number>();
  j.invars.forEach((v, i) => unknownIns[i] && unknownVars.add(v.id));
  const isUnknown = (a: Atom): boolean => a.kind === "var" && unknownVars.has(a.id);
  const knownEqns: Eqn[] = [];
  const unknownEqns: Eqn[] = [];
  for (const e of j.eqns) {
    const flags = e.inputs.map(isUnknown);
    if (!flags.some(Boolean)) {
      knownEqns.push(e);
      continue;
    }
    const rule = rulesOf(e.prim).partialEval as PartialEvalRule<Prim> | null;
    if (rule === null) {
      unknownEqns.push(e);
      e.outputs.forEach((o) => unknownVars.add(o.id));
      continue;
    }
    const ruled = rule(e, flags);
    const split = "known" in ruled ? ruled : yield* recurse(ruled);
    knownEqns.push(...split.known);
    unknownEqns.push(...split.unknown);
    split.unknown.forEach((u) => u.outputs.forEach((o) => unknownVars.add(o.id)));
  }
  const outUnknown = j.outvars.map((o, i) => isUnknown(o) || (instantiate?.[i] ?? false));

  // Residuals: the known vars the unknown equations (and instantiated outputs) read, in first-use order.
  const knownInputIndex = new Map<number, number>();
  j.invars.forEach((v, i) => !unknownIns[i] && knownInputIndex.set(v.id, knownInputIndex.size));
  const residualsNeeded: Var[] = [];
  const seen = new Set<number>();
  const need = (a: Atom): void => {
    if (a.kind !== "var" || unknownVars.has(a.id) || seen.has(a.id)) return;
    seen.add(a.id);
    residualsNeeded.push(a);
  };
  unknownEqns.forEach((e) => e.inputs.forEach(need));
  j.outvars.forEach((o, i) => outUnknown[i] && need(o));
  const unknownOuts = j.outvars.filter((_, i) => outUnknown[i]);

  const computed = residualsNeeded.filter((v) => !knownInputIndex.has(v.id));
  const residuals: ResidualSource[] = residualsNeeded.map((v) =>
    knownInputIndex.has(v.id) ? { kind: "input", index: knownInputIndex.get(v.id)! } : { kind: "output", index: computed.indexOf(v) },
  );
  const known = newJaxpr({
    invars: j.invars.filter((_, i) => !unknownIns[i]),
    eqns: knownEqns,
    outvars: [...j.outvars.filter((_, i) => !outUnknown[i]), ...computed],
  });
  const unknown = newJaxpr({
    invars: [...residualsNeeded, ...j.invars.filter((_, i) => unknownIns[i])],
    eqns: unknownEqns,
    outvars: unknownOuts,
  });
  return { known, unknown, outUnknown, residuals };
}
