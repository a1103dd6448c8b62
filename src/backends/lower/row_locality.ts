// Row locality: how an equation restricted to a region's active rows reads
// each operand ("row": output row l reads only row l of it; "any": it reads
// the operand whole, so the operand must be valid on every row). A row is one
// element of a batched predicate's shape P, the leading axes. Each
// primitive's `rowLocality` rule (ir/prims/) says it; lanes.ts runs the
// analysis. These helpers are used while the rule table is being built, so
// this file must not import the table.

import type { Eqn } from "../../ir/core.js";
import type { Prim } from "../../ir/primitives.js";

export type RowRead = "row" | "any";

/** How a restricted equation reads each operand, given the row rank p (the rank of P) (each primitive's `rowLocality` rule, ir/prims/). */
export type RowLocalityRule<P extends Prim = Prim> = (e: Eqn<P>, p: number) => RowRead[];

/** Elementwise: a rank-0 operand is read whole (by every row), the others at the row's own element. */
export const elementwiseRows: RowLocalityRule = (e) => e.inputs.map((x) => (x.aval.shape.length === 0 ? "any" : "row"));
/** Every operand read per row when `ok`, else whole. */
export const allRows = (ok: boolean, e: { readonly inputs: readonly unknown[] }): RowRead[] => e.inputs.map(() => (ok ? "row" : "any"));
/** Every axis at or after the row rank p (so the row axes are untouched). */
export const below = (axes: readonly number[], p: number): boolean => axes.every((a) => a >= p);

