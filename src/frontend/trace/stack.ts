// The stack of active trace builders. The top is where every op is staged
// (omnistaging, as in JAX: inside a traced function even ops on concrete
// arrays become equations). An empty stack means eager mode.

import type { TraceBuilder } from "./builder.js";

const stack: TraceBuilder[] = [];

/** The innermost active builder, or undefined in eager mode. */
export function currentBuilder(): TraceBuilder | undefined {
  return stack[stack.length - 1];
}

/** Runs `fn` with `builder` on top of the stack; the builder is finished afterwards, even on error. */
export function withBuilder<T>(builder: TraceBuilder, fn: () => T): T {
  stack.push(builder);
  try {
    return fn();
  } finally {
    stack.pop();
    builder.finish();
  }
}
