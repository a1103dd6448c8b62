// PLACEHOLDER: the reference interpreter is being written; signatures are the contract.
import type { ArrayValue, Jaxpr, ClosedJaxpr } from "../../ir/core.js";
import type { Params, Prim } from "../../ir/primitives.js";

/** Evaluate a jaxpr on concrete values: consts bind constvars, args bind invars. */
export function evalJaxpr(_j: Jaxpr, _consts: readonly ArrayValue[], _args: readonly ArrayValue[]): ArrayValue[] {
  throw new Error("interpreter: not implemented yet");
}

export function evalClosedJaxpr(cj: ClosedJaxpr, args: readonly ArrayValue[]): ArrayValue[] {
  return evalJaxpr(cj.jaxpr, cj.consts, args);
}

/** Apply one primitive to concrete operands (eager mode). */
export function applyPrimitive<P extends Prim>(_prim: P, _params: Params[P], _args: readonly ArrayValue[]): ArrayValue[] {
  throw new Error("interpreter: not implemented yet");
}
