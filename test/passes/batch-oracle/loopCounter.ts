// Counts `while` body evaluations in the interpreter, to check that a batched
// loop only iterates for the lanes that need it (JAX issue #2947: a loop that
// only terminates for its own branch's lanes). The wrapper calls the real
// implementation with an evalJaxpr that counts the body runs; nested loops go
// through `impls.while` again, so they are counted too.

import { type EvalContext, type Impl, impls } from "../../../src/backends/interpreter/index.js";

export function countWhileIterations<T>(fn: () => T): { result: T; iterations: number } {
  const table = impls as unknown as { while: Impl<"while"> };
  const original = table.while;
  let iterations = 0;
  table.while = (args, params, outAvals, ctx) => {
    const counting: EvalContext = {
      mask: ctx.mask,
      evalJaxpr: (j, consts, xs, mask) => {
        if (j === params.body_jaxpr) iterations++;
        return ctx.evalJaxpr(j, consts, xs, mask);
      },
    };
    return original(args, params, outAvals, counting);
  };
  try {
    return { result: fn(), iterations };
  } finally {
    table.while = original;
  }
}
