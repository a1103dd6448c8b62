// Building a replacement equation from inside a rule. Separate from rule.ts
// because it needs the shape rules (the table in ir/prims/index.ts), while
// rule.ts is used to build that table and must not import it.

import { type Var, makeEqn, newVar } from "../../ir/core.js";
import type { Atom } from "../../ir/core.js";
import { type Params, type Prim, abstractEval } from "../../ir/primitives.js";
import type { Replacement } from "./rule.js";

/** A new single-output equation `prim[params] inputs`, typed by the primitive's shape rule. */
export function emit<P extends Prim>(prim: P, params: Params[P], inputs: readonly Atom[]): Replacement {
  const outs: Var[] = abstractEval(prim, params, inputs.map((a) => a.aval)).map((av) => newVar(av));
  return { eqns: [makeEqn(prim, params, inputs, outs)], outputs: outs };
}
