// A trace builder records the equations of one jaxpr being traced (a
// `makeJaxpr` function, a loop body, a cond branch).
//
// Closure conversion happens here: when an op staged into builder T reads a
// tracer of an *outer* builder, or a concrete array, that value is captured —
// it becomes a constvar of T's jaxpr (one per distinct value) and T remembers
// the outer value. Whoever traced T passes the captured values on: control
// flow as the sub-jaxpr's leading operands (which the enclosing builder may in
// turn capture, so captures of captures compose), `makeJaxpr` as the consts of
// the ClosedJaxpr.

import { type Atom, type Eqn, type Var, lit, makeEqn, newVar } from "../../ir/core.js";
import { type Aval, aval, avalStr } from "../../ir/dtype.js";
import { type Params, type Prim, abstractEval } from "../../ir/primitives.js";
import { Array } from "../array.js";
import { TypedScalar, weakDtype } from "../scalar.js";

/** What `bind` accepts as an operand. Raw JS numbers get their default dtype (`weakDtype`). */
export type BindInput = Array | TypedScalar | number | boolean;

export class TraceBuilder {
  readonly eqns: Eqn[] = [];
  /** Constvars of the traced jaxpr, one per captured outer value. */
  readonly captureVars: Var[] = [];
  /** The outer values the constvars stand for (concrete arrays or tracers of enclosing builders). */
  readonly captureValues: Array[] = [];
  private readonly captureIndex = new Map<object, Var>();
  private live = true;

  constructor(
    /** What is being traced (`makeJaxpr`, `whileLoop body`, …), for error messages. */
    readonly label: string,
  ) {}

  get active(): boolean {
    return this.live;
  }

  /** Called when the trace ends: its tracers may no longer be used. */
  finish(): void {
    this.live = false;
  }

  /** A fresh input variable of this jaxpr and its tracer. */
  newInput(a: Aval): [Var, Array] {
    const v = newVar(a);
    return [v, Array.tracer(this, v)];
  }

  /** The atom standing for `x` in this jaxpr, capturing outer tracers and concrete arrays. */
  atom(x: BindInput, op: string): Atom {
    if (x instanceof TypedScalar) return lit(x.value, aval(x.dtype, []));
    if (typeof x === "number" || typeof x === "boolean") {
      const s = new TypedScalar(x, weakDtype(x));
      return lit(s.value, aval(s.dtype, []));
    }
    if (!(x instanceof Array)) throw new TypeError(`${op}: expected an np.Array or a JS number, got ${String(x)}`);
    const tracedBy = x.builder;
    if (tracedBy === this) return x.tracerVar!;
    if (tracedBy !== undefined && !tracedBy.active) throw escapedError(x, op);
    const key = captureKey(x);
    let v = this.captureIndex.get(key);
    if (v === undefined) {
      v = newVar(x.aval);
      this.captureIndex.set(key, v);
      this.captureVars.push(v);
      this.captureValues.push(x);
    }
    return v;
  }

  /** Appends `prim(inputs)` to the jaxpr; output types come from the primitive's shape rule. */
  stage<P extends Prim>(prim: P, params: Params[P], inputs: readonly BindInput[]): Array[] {
    const atoms = inputs.map((x) => this.atom(x, prim));
    const outAvals = abstractEval(prim, params, atoms.map((a) => a.aval));
    const outs = outAvals.map((a) => newVar(a));
    this.eqns.push(makeEqn(prim, params, atoms, outs));
    return outs.map((v) => Array.tracer(this, v));
  }
}

/**
 * Identity of a captured value: the variable for a tracer (two Array objects
 * for one variable are one value), the Array object for a concrete array.
 */
export function captureKey(x: Array): object {
  return x.tracerVar ?? x;
}

export function escapedError(x: Array, op: string): Error {
  return new Error(
    `${op}: tracer escaped its trace (Traced<${avalStr(x.aval)}> was created while tracing ${x.builder?.label ?? "?"}, which has finished). ` +
      `Return values from the traced function instead of storing them outside it.`,
  );
}
