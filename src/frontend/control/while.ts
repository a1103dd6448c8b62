// whileLoop(condFn, bodyFn, init) → the `while` primitive (lax.while_loop).
//
// cond and body are traced in their own builders on the carry types; values
// they close over become cond/body consts (the leading operands). Eagerly, the
// primitive runs through the interpreter like any other op.

import { setDebugName } from "../../ir/debugNames.js";
import type { Array } from "../array.js";
import { bind } from "../bind.js";
import { unflatten } from "../pytree.js";
import { traceFlat } from "../tracing.js";
import type { CarryLike, Traced } from "../types.js";
import { capturesAsInvars, carryOf, checkLoopPredicate, checkNoDroppedComparisons, conformToCarry } from "./common.js";

/**
 * Repeats `carry = bodyFn(carry)` while `condFn(carry)` is true. The carry is a
 * pytree (arrays, tuples, objects, modules); JS numbers in `init` become
 * int32 (integers) or float32 scalars. The body must return the same structure
 * and leaf types.
 */
export function whileLoop<const C>(
  condFn: (carry: Traced<C>) => Array,
  bodyFn: (carry: Traced<C>) => NoInfer<CarryLike<C>>,
  init: C,
): Traced<C> {
  const carry = carryOf("whileLoop init", init, "carry");
  const condTrace = traceFlat(
    (ins) => [checkLoopPredicate("whileLoop condFn", condFn(unflatten(carry.def, ins) as Traced<C>))],
    carry.avals,
    "whileLoop condFn",
  );
  checkNoDroppedComparisons("whileLoop condFn", condTrace.jaxpr);
  const bodyTrace = traceFlat(
    (ins) => conformToCarry("whileLoop body output", bodyFn(unflatten(carry.def, ins) as Traced<C>), carry, "carry"),
    carry.avals,
    "whileLoop body",
  );
  // Diagnostics (e.g. vmap's "why is this batched") name carries by the user's paths.
  for (const t of [condTrace, bodyTrace]) t.jaxpr.invars.forEach((v, i) => setDebugName(v, carry.paths[i]!));
  const outs = bind(
    "while",
    {
      cond_jaxpr: capturesAsInvars(condTrace.jaxpr),
      body_jaxpr: capturesAsInvars(bodyTrace.jaxpr),
      cond_nconsts: condTrace.captures.length,
      body_nconsts: bodyTrace.captures.length,
    },
    [...condTrace.captures, ...bodyTrace.captures, ...carry.inputs],
  );
  return unflatten(carry.def, outs) as Traced<C>;
}
