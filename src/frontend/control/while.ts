// whileLoop(condFn, bodyFn, init) → the `while` primitive (lax.while_loop).
//
// cond and body are traced in their own builders on the carry types; values
// they close over become cond/body consts (the leading operands). Eagerly, the
// primitive runs through the interpreter like any other op.

import { setDebugName } from "../../ir/debugNames.js";
import type { Array } from "../array.js";
import { type BindInput, bind } from "../bind.js";
import { flatten, unflatten } from "../pytree.js";
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
  options: WhileOptions = {},
): Traced<C> {
  if (options.maxSteps !== undefined) return boundedWhile(condFn, bodyFn, init, options.maxSteps, options.name);
  return unboundedWhile(condFn, bodyFn, init);
}

export interface WhileOptions {
  /**
   * At most this many iterations (per lane under vmap). A loop whose
   * predicate is still true after them is a run-time error naming the loop
   * and the limit: never a silent stop, never a silently wrong gradient.
   */
  readonly maxSteps?: number;
  /** The loop's name in errors (default: the body function's name). */
  readonly name?: string;
}

/**
 * The loop with a step counter beside the carry: it stops after `maxSteps`
 * steps, and a `check` after it fails when the predicate still holds then.
 */
function boundedWhile<const C>(condFn: (carry: Traced<C>) => Array, bodyFn: (carry: Traced<C>) => NoInfer<CarryLike<C>>, init: C, maxSteps: number, name: string | undefined): Traced<C> {
  const what = `whileLoop${name || bodyFn.name ? ` '${name || bodyFn.name}'` : ""}`;
  if (!Number.isSafeInteger(maxSteps) || maxSteps < 0) throw new TypeError(`${what}: maxSteps must be a non-negative integer, got ${String(maxSteps)}`);
  const counted = unboundedWhile(
    ([i, c]: [Array, Traced<C>]) => i.lt(maxSteps).and(condFn(c)),
    ([i, c]: [Array, Traced<C>]) => [i.add(1), bodyFn(c)] as never,
    [0, init] as never,
  ) as unknown as [Array, Traced<C>];
  const [steps, out] = counted;
  const overrun = steps.ge(maxSteps).and(condFn(out));
  const [leaves, def] = flatten(out, "whileLoop carry");
  const checked = bind("check", { message: `${what}: its predicate was still true after maxSteps=${maxSteps} iterations (on at least one lane); raise maxSteps or make the loop stop sooner` }, [overrun, ...(leaves as BindInput[])]);
  return unflatten(def, checked) as Traced<C>;
}

function unboundedWhile<const C>(
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
