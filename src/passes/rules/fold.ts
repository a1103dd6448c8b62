// Constant folding: an equation whose inputs are all literals and whose
// outputs are all rank 0 is evaluated now, by the primitive's reference
// implementation (its `impl` rule), so folding can never disagree with execution. The result
// becomes a typed literal (literals are rank 0 in this IR, hence the rank
// restriction). Equations with bodies are never folded: a `while` with
// literal inputs need not terminate.

import { type Eqn, type Literal, lit } from "../../ir/core.js";
import { hasSubJaxprs } from "../../ir/traverse.js";
import { scalarValue } from "../../ir/value.js";
import { abstractEval, rulesOf } from "../../ir/prims/index.js";
import type { Replacement } from "./rule.js";

export const FOLD_LABEL = "constant folded";

export function foldConstants(e: Eqn): Replacement | undefined {
  if (e.inputs.length === 0 || hasSubJaxprs(e)) return undefined;
  if (!e.inputs.every((a) => a.kind === "lit")) return undefined;
  if (!e.outputs.every((v) => v.aval.shape.length === 0)) return undefined;
  const args = (e.inputs as readonly Literal[]).map((a) => scalarValue(a.aval.dtype, a.value));
  const impl = rulesOf(e.prim).impl;
  const results = impl(args, e.params, abstractEval(e.prim, e.params, args), { mask: null, evalJaxpr: noSubJaxprs });
  return { eqns: [], outputs: results.map((r, i) => lit(r.data[0]!, e.outputs[i]!.aval)) };
}

function noSubJaxprs(): never {
  throw new Error("fold: an equation with sub-jaxprs is never folded");
}
