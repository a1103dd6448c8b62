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
// An equation is unknown when any operand is; its known operands become
// residuals. A residual that is a known input is not returned by the known
// part (it would copy a value the caller already has): `residuals` says where
// each comes from. Equations with bodies would need their own rules to split
// the bodies, and are refused until they have them.

import { type Atom, type Eqn, type Jaxpr, type Var, newJaxpr } from "../../ir/core.js";
import { hasBodies } from "../../ir/traverse.js";

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

export class PartialEvalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PartialEvalError";
  }
}

/** Splits `j` (no constvars) by `unknownIns[i]`: invar i is unknown. */
export function partialEvalJaxpr(j: Jaxpr, unknownIns: readonly boolean[]): PartialJaxpr {
  if (j.constvars.length) throw new Error("partialEval: close over the constvars first (pass them as inputs)");
  const unknownVars = new Set<number>();
  j.invars.forEach((v, i) => unknownIns[i] && unknownVars.add(v.id));
  const isUnknown = (a: Atom): boolean => a.kind === "var" && unknownVars.has(a.id);
  const knownEqns: Eqn[] = [];
  const unknownEqns: Eqn[] = [];
  for (const e of j.eqns) {
    if (!e.inputs.some(isUnknown)) {
      knownEqns.push(e);
      continue;
    }
    if (hasBodies(e)) {
      throw new PartialEvalError(`partialEval: ${e.prim} with operands that depend on the differentiated inputs cannot be split into known and unknown parts yet`);
    }
    unknownEqns.push(e);
    e.outputs.forEach((o) => unknownVars.add(o.id));
  }
  const outUnknown = j.outvars.map(isUnknown);

  // Residuals: the known vars the unknown equations read, in first-use order.
  const knownInputIndex = new Map<number, number>();
  j.invars.forEach((v, i) => !unknownIns[i] && knownInputIndex.set(v.id, knownInputIndex.size));
  const residualsNeeded: Var[] = [];
  const seen = new Set<number>();
  for (const e of unknownEqns) {
    for (const a of e.inputs) {
      if (a.kind !== "var" || unknownVars.has(a.id) || seen.has(a.id)) continue;
      seen.add(a.id);
      residualsNeeded.push(a);
    }
  }
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
