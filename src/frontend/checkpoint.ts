// checkpoint(f): jax.checkpoint (remat). The same function, called as one
// `checkpoint` equation (ir/prims/ad.ts); reverse mode then recomputes what f
// computes inside instead of storing it for the backward pass: the residuals
// kept for f are its inputs only (passes/ad/checkpoint.ts). Use it on a loop
// body or a layer whose intermediates are large and cheap to recompute.

import { bind } from "./bind.js";
import { capturesAsInvars, carryOf } from "./control/common.js";
import { traceFunction } from "./custom.js";
import { unflatten } from "./pytree.js";

export interface CheckpointOptions {
  /** Names the call in the IR (`name=`) and in errors; default: the function's name. */
  readonly name?: string;
}

/** `f`, differentiated by recomputing its intermediates rather than storing them. */
export function checkpoint<F extends (...args: never[]) => unknown>(f: F, options: CheckpointOptions = {}): F {
  if (typeof f !== "function") throw new TypeError(`checkpoint: expects a function, got ${f === null ? "null" : typeof f}`);
  const name = options.name ?? (f.name || "checkpoint function");
  const label = `checkpoint function '${name}'`;
  const call = (...rawArgs: unknown[]): unknown => {
    const args = carryOf(label, rawArgs, "args");
    const { trace, out } = traceFunction(label, f, args);
    const outs = bind("checkpoint", { jaxpr: capturesAsInvars(trace.jaxpr), name }, [...trace.captures, ...args.inputs]);
    return unflatten(out.def, outs);
  };
  return call as unknown as F;
}
