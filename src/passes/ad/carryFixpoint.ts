// The least fixpoint every loop rule of autodiff needs: which carries get a
// nonzero tangent (jvp), or which are unknown (partial evaluation). A carry is
// flagged when its initial value is, or when the body, run with the current
// flags, flags its output; each round can only add flags, so at most one
// round per carry.

import { type Recursion, recurse } from "../../ir/trampoline.js";

/**
 * Runs `run(flags)` until the first `flags.length` output flags it reports
 * (`outFlags`) add nothing; returns the flags and that last run.
 */
export function* carryFixpoint<R>(initial: readonly boolean[], run: (flags: readonly boolean[]) => Recursion<R>, outFlags: (r: R) => readonly boolean[]): Recursion<{ flags: boolean[]; result: R }> {
  let flags = [...initial];
  let result = yield* recurse(run(flags));
  for (;;) {
    const out = outFlags(result);
    const next = flags.map((f, i) => f || out[i]!);
    if (next.every((f, i) => f === flags[i])) return { flags, result };
    flags = next;
    result = yield* recurse(run(flags));
  }
}
