// The stack of active trace builders. The top is where every op is staged
// (omnistaging, as in JAX: inside a traced function even ops on concrete
// arrays become equations). An empty stack means eager mode.
//
// Each builder on the stack traces a jaxpr nested in the one below it (a
// loop body inside the function being traced), so the stack's height is the
// nesting depth of the jaxpr being traced, which is limited to
// MAX_JAXPR_NESTING like everywhere else. Tracing nested functions is also
// the user's own recursion, which can run out of JavaScript stack sooner;
// that is reported as a TraceDepthError naming the depth, not as a bare
// RangeError from somewhere inside the traced code.

import { MAX_JAXPR_NESTING } from "../../ir/limits.js";
import { NestingLimitError } from "../../ir/traverse.js";
import type { TraceBuilder } from "./builder.js";

const stack: TraceBuilder[] = [];

/** The innermost active builder, or undefined in eager mode. */
export function currentBuilder(): TraceBuilder | undefined {
  return stack[stack.length - 1];
}

/** The JavaScript stack ran out while tracing functions nested inside each other. */
export class TraceDepthError extends Error {
  constructor(label: string, depth: number) {
    super(
      `tracing ${label}: the JavaScript call stack ran out at jaxpr nesting depth ${depth} (functions traced inside ` +
        `whileLoop/foriLoop/scan/cond/switchCase/jit bodies inside each other). tsjax allows up to ${MAX_JAXPR_NESTING} nested jaxprs, ` +
        `but the traced functions' own calls used up the stack first: nest fewer loops, conds and jit calls`,
    );
    this.name = "TraceDepthError";
  }
}

/**
 * An engine's stack overflow (V8 and JavaScriptCore: RangeError "Maximum call
 * stack size exceeded"; SpiderMonkey: InternalError "too much recursion").
 * Plain string tests, no regular expression: this runs with the stack nearly
 * exhausted, where compiling a regexp can fail fatally.
 */
function isStackOverflow(e: unknown): boolean {
  if (!(e instanceof Error) || !(e instanceof RangeError || e.name === "InternalError")) return false;
  const m = e.message;
  return m.includes("call stack") || m.includes("too much recursion");
}

/**
 * Runs `fn` with `builder` on top of the stack; the builder is finished
 * afterwards, even on error. Refuses to trace deeper than MAX_JAXPR_NESTING.
 */
export function withBuilder<T>(builder: TraceBuilder, fn: () => T): T {
  const depth = stack.length;
  if (depth >= MAX_JAXPR_NESTING) throw new NestingLimitError(`tracing ${builder.label}`, depth + 1);
  stack.push(builder);
  try {
    return fn();
  } catch (e) {
    // Reported by the innermost level that has the stack left to build the error.
    throw isStackOverflow(e) ? new TraceDepthError(builder.label, depth + 1) : e;
  } finally {
    // Truncating (rather than popping one) also cleans up after an inner level
    // whose own cleanup ran out of stack.
    for (const b of stack.splice(depth)) b.finish();
    builder.finish();
  }
}
