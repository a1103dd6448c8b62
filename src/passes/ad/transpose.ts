// Reverse mode's last step: the transpose of a linear jaxpr (Autodidax's
// `backward_pass`). The jaxpr's inputs are split into non-linear ones
// (residuals: values of the primal computation) and linear ones (tangents);
// its outputs are linear in the latter. The transpose takes the residuals and
// one cotangent per output, and returns one cotangent per linear input:
//
//   linear  : (residuals…, tangents…)      → (tangent outs…)
//   transpose: (residuals…, cotangents…)   → (cotangents of the tangents…)
//
// Equations that use no linear value (computations on residuals) are copied
// forward first; then the linear equations are visited in reverse, each
// primitive's transpose rule turning its outputs' cotangents into its linear
// inputs' cotangents, which accumulate by addition. A primitive that is not
// linear in the operand it is asked about is an error naming it: the program
// was not linear (a bug in a jvp rule or in partial evaluation).

import { type Atom, type Jaxpr, type Var, newJaxpr, newVar } from "../../ir/core.js";
import { rulesOf } from "../../ir/prims/index.js";
import { printEqn } from "../../ir/printer.js";
import { type Recursion, recurse, runRecursion } from "../../ir/trampoline.js";
import { Emitter } from "../batch/emitter.js";
import { type LinearInput, Ops, type Tangent } from "./rules.js";

export class LinearityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LinearityError";
  }
}

/** The transpose of `j` with respect to the invars marked `linear` (constvars count as non-linear leading inputs). */
export function transposeJaxpr(j: Jaxpr, linear: readonly boolean[]): Jaxpr {
  return runRecursion(transposeJaxprRec(j, linear));
}

export function* transposeJaxprRec(j: Jaxpr, linear: readonly boolean[]): Recursion<Jaxpr> {
  if (linear.length !== j.invars.length) throw new Error(`transpose: ${linear.length} linearity flags for ${j.invars.length} inputs`);
  const em = new Emitter();
  const ops = new Ops(em);
  const isLinear = new Set<number>();
  const value = new Map<number, Atom>(); // non-linear vars: their value in the transpose
  const residuals: Var[] = [...j.constvars];
  j.invars.forEach((v, i) => (linear[i] ? isLinear.add(v.id) : residuals.push(v)));
  residuals.forEach((v) => value.set(v.id, v));
  const val = (a: Atom): Atom => (a.kind === "lit" ? a : value.get(a.id)!);
  const linearAtom = (a: Atom): boolean => a.kind === "var" && isLinear.has(a.id);

  // Forward: copy what only residuals feed; note what is linear.
  const linearEqns = [];
  for (const e of j.eqns) {
    if (e.inputs.some(linearAtom)) {
      e.outputs.forEach((o) => isLinear.add(o.id));
      linearEqns.push(e);
    } else {
      em.emit(e.prim, e.params, e.inputs.map(val)).forEach((o, i) => value.set(e.outputs[i]!.id, o));
    }
  }

  // Backward: cotangents flow from the outputs to the linear inputs.
  const ct = new Map<number, Atom>();
  const accumulate = (a: Atom, c: Tangent): void => {
    if (c === null || a.kind !== "var" || !isLinear.has(a.id)) return;
    const prev = ct.get(a.id);
    ct.set(a.id, prev === undefined ? c : ops.add(prev, c));
  };
  const ctIns = j.outvars.map((o) => newVar(o.aval));
  j.outvars.forEach((o, i) => accumulate(o, ctIns[i]!));
  for (let k = linearEqns.length - 1; k >= 0; k--) {
    const e = linearEqns[k]!;
    const cts = e.outputs.map((o) => ct.get(o.id) ?? null);
    if (cts.every((c) => c === null)) continue;
    const rule = rulesOf(e.prim).transpose;
    if (rule === null) throw new LinearityError(`transpose: \`${printEqn(e, j)}\` is not linear in its tangent operands (${e.prim} has no transpose rule)`);
    const inputs: LinearInput[] = e.inputs.map((a) => ({ atom: linearAtom(a) ? a : val(a), linear: linearAtom(a) }));
    const ruled = rule(ops, cts, inputs, e.params, e);
    const inCts = Array.isArray(ruled) ? ruled : yield* recurse(ruled);
    e.inputs.forEach((a, i) => accumulate(a, inCts[i] ?? null));
  }

  const outs = j.invars.filter((_, i) => linear[i]).map((v) => ct.get(v.id) ?? ops.zeros(v.aval));
  return newJaxpr({ invars: [...residuals, ...ctIns], eqns: em.eqns, outvars: outs });
}
