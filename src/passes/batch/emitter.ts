// Appends equations to a jaxpr under construction, computing each result's
// type with the primitive's shape rule (so a batching rule can't emit an
// ill-typed equation without an immediate ShapeError naming it).

import { type Atom, type Eqn, type Var, newVar } from "../../ir/core.js";
import type { Aval } from "../../ir/dtype.js";
import { type Params, type Prim, abstractEval } from "../../ir/primitives.js";

export class Emitter {
  readonly eqns: Eqn[] = [];

  emit<P extends Prim>(prim: P, params: Params[P], inputs: readonly Atom[]): Var[] {
    const outs = abstractEval(prim, params, inputs.map((a) => a.aval)).map((a: Aval) => newVar(a));
    this.eqns.push({ prim, params, inputs, outputs: outs } as Eqn);
    return outs;
  }

  emit1<P extends Prim>(prim: P, params: Params[P], inputs: readonly Atom[]): Var {
    return this.emit(prim, params, inputs)[0]!;
  }
}
