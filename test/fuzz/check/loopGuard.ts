// A cap on interpreter loop iterations while fuzzing. Generated loops run at
// most a handful of iterations, so a loop that does not stop is a bug (in a
// pass, or in the interpreter's masks): report it instead of hanging the run.

import { type Impl, impls } from "../../../src/backends/interpreter/index.js";

export const MAX_ITERATIONS = 10_000;

export class NonTerminationError extends Error {
  constructor() {
    super(`a while loop ran more than ${MAX_ITERATIONS} iterations`);
    this.name = "NonTerminationError";
  }
}

/** Runs `fn` with the interpreter's `while` counting body runs per loop and throwing past the cap. */
export function withLoopGuard<T>(fn: () => T): T {
  const table = impls as unknown as { while: Impl<"while"> };
  const original = table.while;
  table.while = (args, params, outAvals, ctx) => {
    let runs = 0;
    return original(args, params, outAvals, {
      ...ctx,
      evalJaxpr: (j, consts, xs, mask) => {
        if (j === params.body_jaxpr && ++runs > MAX_ITERATIONS) throw new NonTerminationError();
        return ctx.evalJaxpr(j, consts, xs, mask);
      },
    });
  };
  try {
    return fn();
  } finally {
    table.while = original;
  }
}
