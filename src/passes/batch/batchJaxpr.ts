// The batching driver: given a jaxpr and, per input, a batch axis or null,
// produce the jaxpr that computes all batch elements at once, and per output its batch
// axis. Equations whose operands are all unbatched are copied unchanged, so
// values that do not depend on a batched input never grow a batch axis.

import type { Atom, Eqn, Jaxpr, Var } from "../../ir/core.js";
import { newVar } from "../../ir/core.js";
import { rulesOf } from "../../ir/prims/index.js";
import { hasLaneControl } from "./control.js";
import { Emitter } from "./emitter.js";
import { type BVal, type BatchCtx, type Dim, type Reason, materialize, withBatch } from "./layout.js";
import { printEqn } from "../../ir/printer.js";
import { subJaxprs } from "../../ir/traverse.js";
import { type Recursion, recurse, runRecursion } from "../../ir/trampoline.js";

/** Per output: `"any"` keeps whatever the rules produce; a number forces "batched at that axis". */
export type OutSpec = "any" | number;

export interface BatchedJaxpr {
  readonly jaxpr: Jaxpr;
  readonly outDims: Dim[];
  /** Why each batched output is batched (undefined for unbatched ones). */
  readonly outReasons: (Reason | undefined)[];
}

export class BatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BatchError";
  }
}

export interface BatchOptions {
  /** See `BatchCtx.masked`; set by the control-flow rules for the sub-jaxprs they batch. */
  readonly masked?: boolean;
  /** Why each batched input (constvars then invars) is batched, for diagnostics. */
  readonly inReasons?: readonly (Reason | undefined)[];
  /** Names this jaxpr in diagnostics ("the vmapped function", "the body of …"). */
  readonly where?: string;
  /** See `BatchCtx.dimsOnly`: the result's outDims are exact, its jaxpr is not meant to run. */
  readonly dimsOnly?: boolean;
}

/** A reason whose text (which prints an equation) is only built if a diagnostic shows it. */
function lazyReason(text: () => string, because: Reason | undefined): Reason {
  let what: string | undefined;
  return {
    get what() {
      return (what ??= text());
    },
    because,
  };
}

/**
 * Batches `j`. `inDims` covers constvars then invars. Unbatched inputs keep
 * their types; a batched input gets the batch axis inserted at its dim.
 */
export function batchJaxpr(
  j: Jaxpr,
  inDims: readonly Dim[],
  size: number,
  outSpecs?: readonly OutSpec[],
  options: BatchOptions = {},
): BatchedJaxpr {
  return runRecursion(batchJaxprRec(j, inDims, size, outSpecs, options));
}

/**
 * `batchJaxpr` as a Recursion (ir/trampoline.ts): batching a loop batches
 * its body first, and loops nest as deep as MAX_JAXPR_NESTING, so the
 * control rules and this driver wait on each other on a heap stack.
 */
export function* batchJaxprRec(
  j: Jaxpr,
  inDims: readonly Dim[],
  size: number,
  outSpecs?: readonly OutSpec[],
  options: BatchOptions = {},
): Recursion<BatchedJaxpr> {
  const ins = [...j.constvars, ...j.invars];
  if (inDims.length !== ins.length) throw new BatchError(`batchJaxpr: ${ins.length} inputs but ${inDims.length} batch dims`);
  const env = new Map<number, BVal>();
  const where = options.where ?? "the vmapped function";
  const bind = (v: Var, i: number): Var => {
    const d = inDims[i]!;
    const nv = newVar(d === null ? v.aval : { dtype: v.aval.dtype, shape: withBatch(v.aval.shape, d, size) });
    const why = d === null ? undefined : (options.inReasons?.[i] ?? { what: `input ${i} of ${where} is batched` });
    env.set(v.id, { atom: nv, dim: d, why });
    return nv;
  };
  const constvars = j.constvars.map((v, i) => bind(v, i));
  const invars = j.invars.map((v, i) => bind(v, j.constvars.length + i));
  const read = (a: Atom): BVal => (a.kind === "lit" ? { atom: a, dim: null } : env.get(a.id)!);

  const em = new Emitter();
  let positions: Map<Eqn, number> | undefined; // built on first use: indexOf per equation would be quadratic
  const describe = (eqn: Eqn): string => {
    if (!subJaxprs(eqn).length) return `\`${printEqn(eqn, j)}\` in ${where}`;
    positions ??= new Map(j.eqns.map((e, i) => [e, i]));
    return `the ${eqn.prim} at equation ${positions.get(eqn)} of ${where}`;
  };
  const ctx: BatchCtx = { size, em, masked: options.masked ?? false, describe, dimsOnly: options.dimsOnly ?? false };
  for (const eqn of j.eqns) {
    const inputs = eqn.inputs.map(read);
    let outs: BVal[];
    // Under a mask with this vmap's axis, a loop or cond with a per-lane
    // predicate/index (from an inner vmap) must get this axis even when none
    // of its operands is batched (see BatchCtx.masked).
    if (inputs.every((v) => v.dim === null) && !(ctx.masked && hasLaneControl(eqn))) {
      const fresh = eqn.outputs.map((o) => newVar(o.aval));
      em.eqns.push({ ...eqn, inputs: inputs.map((v) => v.atom), outputs: fresh } as Eqn);
      outs = fresh.map((atom) => ({ atom, dim: null }));
    } else {
      const batchedIns = inputs.filter((v) => v.dim !== null);
      const cause = (batchedIns.find((v) => v.why && !v.why.weak) ?? batchedIns[0])?.why;
      const batched = rulesOf(eqn.prim).batch(ctx, inputs, eqn.params, eqn);
      const ruleOuts = Array.isArray(batched) ? batched : yield* recurse(batched);
      outs = ruleOuts.map((o) =>
        o.dim === null || o.why ? o : { ...o, why: lazyReason(() => `${describe(eqn)} reads a batched operand`, cause) },
      );
    }
    eqn.outputs.forEach((o, i) => env.set(o.id, outs[i]!));
  }
  const results = j.outvars.map(read).map((v, i) => {
    const spec = outSpecs?.[i] ?? "any";
    return spec === "any" ? v : { ...materialize(ctx, v, spec), why: v.why };
  });
  return {
    jaxpr: { constvars, invars, eqns: em.eqns, outvars: results.map((v) => v.atom) },
    outDims: results.map((v) => v.dim),
    outReasons: results.map((v) => (v.dim === null ? undefined : v.why)),
  };
}

/** Probe results per jaxpr, keyed by size, mask and in-dims (a pure function of those). */
const dimsMemo = new WeakMap<Jaxpr, Map<string, Dim[]>>();

/**
 * The batch dims `batchJaxpr(j, inDims, size)` gives its outputs (with
 * outSpecs "any"), memoized. Control rules probe their bodies with this
 * (carry fixpoints, predicate and index probes) before batching them for
 * real; probes only compute dims, so a sub-jaxpr nested n deep is batched n
 * times at most rather than once per probe path (2^n).
 */
export function batchDims(j: Jaxpr, inDims: readonly Dim[], size: number, masked: boolean): Dim[] {
  return runRecursion(batchDimsRec(j, inDims, size, masked));
}

export function* batchDimsRec(j: Jaxpr, inDims: readonly Dim[], size: number, masked: boolean): Recursion<Dim[]> {
  let byKey = dimsMemo.get(j);
  if (!byKey) dimsMemo.set(j, (byKey = new Map()));
  const key = `${size}|${masked}|${inDims.map((d) => (d === null ? "-" : d)).join(",")}`;
  let dims = byKey.get(key);
  if (!dims) byKey.set(key, (dims = (yield* recurse(batchJaxprRec(j, inDims, size, undefined, { masked, dimsOnly: true }))).outDims));
  return [...dims];
}
