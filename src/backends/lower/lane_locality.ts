// Lane locality: how an equation restricted to a region's active lanes reads
// each operand ("lane": output lane l reads only lane l of it; "any": it reads
// the operand whole, so the operand must be valid on every lane). Each
// primitive's `laneLocality` rule (ir/prims/) says it; lanes.ts runs the
// analysis. These helpers are used while the rule table is being built, so
// this file must not import the table.

import type { Eqn } from "../../ir/core.js";
import type { Prim } from "../../ir/primitives.js";

export type LaneRead = "lane" | "any";

/** How a restricted equation reads each operand, given the lane rank p (each primitive's `laneLocality` rule, ir/prims/). */
export type LaneLocalityRule<P extends Prim = Prim> = (e: Eqn<P>, p: number) => LaneRead[];

/** Elementwise: a rank-0 operand is read whole (by every lane), the others at the lane's own element. */
export const elementwiseLanes: LaneLocalityRule = (e) => e.inputs.map((x) => (x.aval.shape.length === 0 ? "any" : "lane"));
/** Every operand read per lane when `ok`, else whole. */
export const allLane = (ok: boolean, e: { readonly inputs: readonly unknown[] }): LaneRead[] => e.inputs.map(() => (ok ? "lane" : "any"));
/** Every axis at or after the lane rank p (so the lane axes are untouched). */
export const below = (axes: readonly number[], p: number): boolean => axes.every((a) => a >= p);

