// scan(f, init, xs, { length, reverse }) → the `scan` primitive (lax.scan).
//
// f(carry, x) returns [newCarry, y]; the xs are sliced along their leading
// axis, the ys stacked along a new one. xs may be null/undefined when a length
// is given; y may be null.

import { type Aval, avalStr } from "../../ir/dtype.js";
import { Array } from "../array.js";
import { bind } from "../bind.js";
import { type TreeDef, flatten, showPath, unflatten } from "../pytree.js";
import { type FlatOut, traceFlat } from "../tracing.js";
import type { CarryLike, Traced } from "../types.js";
import { capturesAsInvars, carryOf, conformToCarry, describeLeaf } from "./common.js";

export interface ScanOptions {
  /** Number of iterations; required when there are no xs, must agree with them otherwise. */
  readonly length?: number;
  /** Iterate from the last slice to the first (ys are still stored at their slice index). */
  readonly reverse?: boolean;
}

/** The traced view of one x: each xs leaf loses its leading axis. */
export type Slice<X> = Traced<X>;

export function scan<const C, const X, Y>(
  f: (carry: Traced<C>, x: Slice<X>) => readonly [NoInfer<CarryLike<C>>, Y],
  init: C,
  xs: X,
  options: ScanOptions = {},
): [Traced<C>, Traced<Y>] {
  const carry = carryOf("scan init", init, "carry");
  const [xsLeaves, xsDef] = flatten(xs, "xs");
  const xsPaths = xsDef.leafPaths("xs");
  const xsArrays = xsLeaves.map((l, i) => {
    if (!(l instanceof Array) || l.ndim === 0) {
      throw new TypeError(`scan: ${showPath(xsPaths[i]!)} must be an array with a leading axis to scan over, got ${describeLeaf(l)}`);
    }
    return l;
  });
  const length = scanLength(options.length, xsArrays, xsPaths);
  const xAvals: Aval[] = xsArrays.map((x) => ({ dtype: x.dtype, shape: x.shape.slice(1) }));
  const nc = carry.avals.length;
  let yDef: TreeDef | undefined;
  const body = traceFlat(
    (ins) => {
      const c = unflatten(carry.def, ins.slice(0, nc)) as Traced<C>;
      const x = unflatten(xsDef, ins.slice(nc)) as Slice<X>;
      const out = f(c, x) as unknown;
      if (!globalThis.Array.isArray(out) || out.length !== 2) {
        throw new TypeError(`scan: f must return a pair [carry, y], got ${globalThis.Array.isArray(out) ? `a list of ${out.length}` : describeLeaf(out)}`);
      }
      const carryOut = conformToCarry("scan body output", out[0], carry, "carry");
      const [yLeaves, def] = flatten(out[1], "y");
      yDef = def;
      const yPaths = def.leafPaths("y");
      const ys = yLeaves.map((y, i): FlatOut => {
        if (y instanceof Array || typeof y === "number" || typeof y === "boolean") return y;
        throw new TypeError(`scan: ${showPath(yPaths[i]!)} must be an array or a number, got ${describeLeaf(y)}`);
      });
      return [...carryOut, ...ys];
    },
    [...carry.avals, ...xAvals],
    "scan body",
  );
  const outs = bind(
    "scan",
    {
      jaxpr: capturesAsInvars(body.jaxpr),
      length,
      reverse: options.reverse ?? false,
      num_consts: body.captures.length,
      num_carry: nc,
    },
    [...body.captures, ...carry.inputs, ...xsArrays],
  );
  return [unflatten(carry.def, outs.slice(0, nc)) as Traced<C>, unflatten(yDef!, outs.slice(nc)) as Traced<Y>];
}

function scanLength(given: number | undefined, xs: readonly Array[], paths: readonly string[]): number {
  if (given !== undefined && (!Number.isInteger(given) || given < 0)) throw new RangeError(`scan: length must be a non-negative integer, got ${given}`);
  if (xs.length === 0) {
    if (given === undefined) throw new TypeError("scan: without xs, a length is required (scan(f, init, null, { length }))");
    return given;
  }
  const n = given ?? xs[0]!.shape[0]!;
  xs.forEach((x, i) => {
    if (x.shape[0] !== n) {
      const what = given !== undefined ? `length ${given}` : `${showPath(paths[0]!)} with leading axis ${n}`;
      throw new TypeError(`scan: ${showPath(paths[i]!)} is ${avalStr(x.aval)}, its leading axis does not match ${what}`);
    }
  });
  return n;
}
