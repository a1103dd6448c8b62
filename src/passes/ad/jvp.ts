// Forward mode as a jaxpr → jaxpr transformation (Autodidax's `jvp_jaxpr`):
// the result computes the primal outputs and, from tangents of the inputs
// marked nonzero, the tangents of the outputs. Each equation goes through its
// primitive's jvp rule; an equation none of whose inputs has a nonzero tangent
// is copied as it is (symbolic zeros: nothing is computed for them).
//
//   jvp(f) : (primals…, tangents of the nonzero inputs…) → (primal outs…, tangent outs…)
//
// Output tangents that are symbolic zeros are instantiated as zeros where
// `instantiate` asks for them (the default: all float outputs); integer and
// bool outputs never have a tangent output.

import { type Atom, type Jaxpr, type Var, newJaxpr, newVar } from "../../ir/core.js";
import { rulesOf } from "../../ir/prims/index.js";
import { type Recursion, recurse, runRecursion } from "../../ir/trampoline.js";
import { Emitter } from "../batch/emitter.js";
import { type Tangent, Ops, differentiable } from "./rules.js";

export interface JvpJaxpr {
  /** Inputs: every input of the original (constvars first), then one tangent per nonzero input. */
  readonly jaxpr: Jaxpr;
  /** Per original output: whether the result has a tangent output for it. */
  readonly outTangents: readonly boolean[];
}

/**
 * The jvp of `j` (constvars are taken as leading inputs with zero tangents).
 * `nonzero[i]` says whether invar i has a tangent input (only float inputs
 * may); `instantiate[i]` whether output i gets a tangent output even when it
 * is a symbolic zero (default: every float output).
 */
export function jvpJaxpr(j: Jaxpr, nonzero: readonly boolean[], instantiate?: readonly boolean[]): JvpJaxpr {
  return runRecursion(jvpJaxprRec(j, nonzero, instantiate));
}

export function* jvpJaxprRec(j: Jaxpr, nonzero: readonly boolean[], instantiate?: readonly boolean[]): Recursion<JvpJaxpr> {
  if (nonzero.length !== j.invars.length) throw new Error(`jvp: ${nonzero.length} tangent flags for ${j.invars.length} inputs`);
  const em = new Emitter();
  const ops = new Ops(em);
  const primal = new Map<number, Atom>();
  const tangent = new Map<number, Atom>();
  const inputs: Var[] = [...j.constvars, ...j.invars];
  inputs.forEach((v) => primal.set(v.id, v));
  const tangentIns: Var[] = [];
  j.invars.forEach((v, i) => {
    if (!nonzero[i]) return;
    if (!differentiable(v.aval)) throw new Error(`jvp: input ${i} is ${v.aval.dtype}: only float32 inputs have tangents`);
    const t = newVar(v.aval);
    tangentIns.push(t);
    tangent.set(v.id, t);
  });
  const p = (a: Atom): Atom => (a.kind === "lit" ? a : primal.get(a.id)!);
  const t = (a: Atom): Tangent => (a.kind === "lit" ? null : (tangent.get(a.id) ?? null));

  for (const e of j.eqns) {
    const primals = e.inputs.map(p);
    const tangents = e.inputs.map(t);
    if (tangents.every((x) => x === null)) {
      em.emit(e.prim, e.params, primals).forEach((o, i) => primal.set(e.outputs[i]!.id, o));
      continue;
    }
    const ruled = rulesOf(e.prim).jvp(ops, primals, tangents, e.params, e);
    const out = "primals" in ruled ? ruled : yield* recurse(ruled);
    e.outputs.forEach((v, i) => {
      primal.set(v.id, out.primals[i]!);
      const ti = out.tangents[i] ?? null;
      // Integer and bool results never carry a tangent, whatever a rule computed.
      if (ti !== null && differentiable(v.aval)) tangent.set(v.id, ti);
    });
  }

  // A float output gets a tangent output when asked to be instantiated or when its tangent is not a symbolic zero.
  const outTangents = j.outvars.map((o, i) => differentiable(o.aval) && ((instantiate?.[i] ?? true) || t(o) !== null));
  const tangentOuts = j.outvars.flatMap((o, i) => (outTangents[i] ? [ops.instantiate(t(o), o.aval)] : []));
  const jaxpr = newJaxpr({ invars: [...inputs, ...tangentIns], eqns: em.eqns, outvars: [...j.outvars.map(p), ...tangentOuts] });
  return { jaxpr, outTangents };
}
