// checkpoint(f): `f` with its intermediates recomputed in reverse mode instead
// of stored (JAX's `jax.checkpoint` / `jax.remat`).
//
// Each call traces `f` on the arguments' types and binds one `checkpoint`
// equation (ir/prims/ad.ts) whose body is `f`'s jaxpr; the values `f` closes
// over become leading operands, so they are differentiated like arguments.
// Evaluating, jit and vmap run the body as a call; partial evaluation keeps
// only the call's operands as residuals and the linear part recomputes the
// rest (passes/ad/checkpoint.ts, docs/autodiff.md "checkpoint").

import { Array } from "./array.js";
import { bind } from "./bind.js";
import { carryOf, describeLeaf } from "./control/common.js";
import { PytreeError, type TreeDef, flatten, showPath, unflatten } from "./pytree.js";
import { TypedScalar } from "./scalar.js";
import { type FlatOut, traceFlat } from "./tracing.js";

export interface CheckpointOptions {
  /** Names the call in the IR (`name=` of the equation) and in errors; default: the function's name. */
  readonly name?: string;
}

/** `run()`, its pytree errors (which name the leaf) prefixed with the checkpoint they come from. */
function labelled<T>(label: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof PytreeError) throw new PytreeError(`${label}: ${e.message}`);
    throw e;
  }
}

/** `f`'s output leaves, each an array or a JS number (a pytree of them). */
function outputLeaves(label: string, out: unknown): [FlatOut[], TreeDef] {
  const [leaves, def] = labelled(label, () => flatten(out, "output"));
  const paths = def.leafPaths("output");
  const outs = leaves.map((l, i): FlatOut => {
    if (l instanceof Array || l instanceof TypedScalar || typeof l === "number" || typeof l === "boolean") return l;
    // Other registered leaf types (a ShapeDtype) are not values.
    throw new TypeError(`${label}: ${showPath(paths[i]!)} must be an array or a number, got ${describeLeaf(l)}`);
  });
  return [outs, def];
}

/**
 * `f` whose intermediates reverse mode recomputes from its arguments instead
 * of saving them for the backward pass: the memory of the residuals is traded
 * for a second run of `f` while differentiating. Values and derivatives are
 * those of `f`. Takes and returns pytrees; use it on a layer, or on a
 * `scan`/`whileLoop` body so each iteration saves only its carry.
 */
export function checkpoint<F extends (...args: never[]) => unknown>(f: F, options: CheckpointOptions = {}): F {
  if (typeof f !== "function") throw new TypeError(`checkpoint: expected a function to checkpoint, got ${f === null ? "null" : typeof f}`);
  const given = options.name ?? f.name;
  const name = given || "checkpoint";
  const label = given ? `checkpoint '${given}'` : "checkpoint";
  const call = (...rawArgs: unknown[]): unknown => {
    const args = labelled(label, () => carryOf(label, rawArgs, "args"));
    let def: TreeDef | undefined;
    const trace = traceFlat(
      (ins) => {
        const [leaves, d] = outputLeaves(label, (f as unknown as (...a: unknown[]) => unknown)(...(unflatten(args.def, ins) as unknown[])));
        def = d;
        return leaves;
      },
      args.avals,
      label,
    );
    // What f closed over becomes leading operands: differentiated like arguments, recomputed from like them.
    const j = trace.jaxpr;
    const body = { constvars: [], invars: [...j.constvars, ...j.invars], eqns: j.eqns, outvars: j.outvars };
    const outs = bind("checkpoint", { jaxpr: body, name }, [...trace.captures, ...args.inputs]);
    return unflatten(def!, outs);
  };
  return call as unknown as F;
}
