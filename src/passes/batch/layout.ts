// Batch-axis bookkeeping shared by the batching rules.
//
// A batched value is an atom plus `dim`: the axis of the atom that is the vmap
// axis (`null` = the same for every batch element, i.e. unbatched). Rules keep layouts
// cheap: they move a batch axis only when a primitive needs it somewhere
// specific, and broadcast an unbatched operand only when the IR requires
// matching shapes.

import type { Atom, Eqn } from "../../ir/core.js";
import { lit } from "../../ir/core.js";
import type { Emitter } from "./emitter.js";

export type Dim = number | null;

export interface BVal {
  readonly atom: Atom;
  readonly dim: Dim;
  /** Why a batched value is batched (for diagnostics); rules may leave it to the driver. */
  readonly why?: Reason;
}

/**
 * Provenance of a batched value: one step of the chain ("carry 2 of the while
 * loop …: its predicate is batched") and the reason for that step.
 */
export interface Reason {
  readonly what: string;
  readonly because?: Reason;
  /** A derived reason (e.g. a carry batched only because its loop's predicate is): explain others first. */
  readonly weak?: boolean;
}

/** The reason chain as lines, outermost first, without repeats. */
export function reasonLines(r: Reason | undefined, max = 8): string[] {
  const out: string[] = [];
  for (let cur = r; cur && out.length < max; cur = cur.because) if (out[out.length - 1] !== cur.what) out.push(cur.what);
  return out;
}

export interface BatchCtx {
  /** The vmapped axis size. */
  readonly size: number;
  readonly em: Emitter;
  /**
   * The jaxpr being batched runs under an active-lane mask that has this
   * vmap's axis: it is (inside) the body or cond of a while whose predicate,
   * or a branch of a cond whose index, this batching made per-lane. Backends
   * match masks to predicates by shape prefix (docs/ir.md, interpreter mask.ts), so every
   * non-scalar predicate/index in here must carry this axis too (at 0, like
   * the mask), or its lanes would be matched against the wrong axis.
   */
  readonly masked: boolean;
  /** How diagnostics name an equation of the jaxpr being batched ("the while at equation 2 of …"). */
  readonly describe: (eqn: Eqn) => string;
  /**
   * Only the output batch dims are wanted (a probe, see `batchDims`): control
   * rules decide their outputs' dims without batching their bodies for real.
   */
  readonly dimsOnly: boolean;
}

export const unbatched = (atom: Atom): BVal => ({ atom, dim: null });

/** The element shape: the atom's shape without the batch axis (one batch element's shape). */
export function elementShape(v: BVal): number[] {
  const s = [...v.atom.aval.shape];
  if (v.dim !== null) s.splice(v.dim, 1);
  return s;
}

/** Inserts the batch axis of size `size` at `dim` into an element shape. */
export function withBatch(element: readonly number[], dim: number, size: number): number[] {
  const s = [...element];
  s.splice(dim, 0, size);
  return s;
}

/** Element axis `a` of a value batched at `dim` is this axis of the atom. */
export function batchedAxis(a: number, dim: number): number {
  return a >= dim ? a + 1 : a;
}

/** Moves the batch axis of a batched value to `to` (one transpose, or nothing). */
export function moveBatch(ctx: BatchCtx, v: BVal, to: number): BVal {
  if (v.dim === null) throw new Error("moveBatch: value is unbatched");
  if (v.dim === to) return v;
  const rank = v.atom.aval.shape.length;
  const others = Array.from({ length: rank }, (_, i) => i).filter((i) => i !== v.dim);
  others.splice(to, 0, v.dim);
  return { atom: ctx.em.emit1("transpose", { permutation: others }, [v.atom]), dim: to };
}

/**
 * A value batched at `to` whose element shape is `element`: moves the batch axis, or
 * broadcasts an unbatched value / a per-element scalar across the batch (and element) axes.
 */
export function materialize(ctx: BatchCtx, v: BVal, to: number, element?: readonly number[]): BVal {
  const target = element ?? elementShape(v);
  const cur = elementShape(v);
  const sameElement = cur.length === target.length && cur.every((d, i) => d === target[i]);
  if (v.dim !== null && sameElement) return moveBatch(ctx, v, to);
  const shape = withBatch(target, to, ctx.size);
  if (v.dim === null) {
    if (!sameElement && cur.length !== 0) throw new Error(`materialize: element shape [${cur}] cannot broadcast to [${target}]`);
    const dims = sameElement ? target.map((_, i) => batchedAxis(i, to)) : [];
    return { atom: ctx.em.emit1("broadcast_in_dim", { shape, broadcast_dimensions: dims }, [v.atom]), dim: to };
  }
  // A batched per-element scalar (shape [B]) spread over a non-scalar element shape.
  if (cur.length !== 0) throw new Error(`materialize: element shape [${cur}] cannot broadcast to [${target}]`);
  return { atom: ctx.em.emit1("broadcast_in_dim", { shape, broadcast_dimensions: [to] }, [v.atom]), dim: to };
}

export const I32_ZERO: Atom = lit(0, { dtype: "int32", shape: [] });
