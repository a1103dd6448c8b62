// cond(pred, trueFn, falseFn, ...operands) and switchCase(index, branches,
// ...operands) → the `cond` primitive (lax.cond / lax.switch).
//
// Every branch is traced on the operand types. The branch jaxprs must all take
// the same inputs, so the captures of all branches are unioned (deduplicated):
// each branch takes every captured value (ignoring the other branches' ones)
// followed by the operands. `cond` orders its branches [falseFn, trueFn] and
// converts the bool predicate to an int32 index, as JAX does; the primitive
// clamps the index, so switchCase needs no explicit clamp.

import { type Jaxpr, type Var, newVar } from "../../ir/core.js";
import { type Aval, type DType, aval, avalStr, avalsEqual, promoteDTypes } from "../../ir/dtype.js";
import { Array } from "../array.js";
import { bind } from "../bind.js";
import * as lax from "../lax.js";
import { PytreeError, type TreeDef, flatten, showPath, treeMismatch, unflatten } from "../pytree.js";
import { TypedScalar } from "../scalar.js";
import { captureKey } from "../trace/builder.js";
import { type FlatOut, type FlatTrace, retypeWeakOutput, traceFlat } from "../tracing.js";
import type { Traced, TracedList } from "../types.js";
import { carryOf, describeLeaf } from "./common.js";

type Branch = (...operands: never[]) => unknown;

/** Runs `trueFn(...operands)` if `pred` else `falseFn(...operands)`; both must return the same structure and types. */
export function cond<const Ops extends readonly unknown[], RT, RF>(
  pred: Array | boolean,
  trueFn: (...operands: TracedList<Ops>) => RT,
  falseFn: (...operands: TracedList<Ops>) => RF,
  ...operands: Ops
): Traced<RT | RF> {
  let index: Array | TypedScalar;
  if (typeof pred === "boolean") index = new TypedScalar(pred, "int32");
  else if (pred instanceof Array && pred.dtype === "bool" && pred.ndim === 0) index = lax.convert(pred, "int32");
  else throw new TypeError(`cond: the predicate must be a scalar bool, got ${describeLeaf(pred)}`);
  return condImpl("cond", index, [falseFn as Branch, trueFn as Branch], ["falseFn", "trueFn"], operands) as Traced<RT | RF>;
}

/** Runs `branches[index](...operands)`; an out-of-range index is clamped to the first/last branch. */
export function switchCase<const Ops extends readonly unknown[], R>(
  index: Array | number,
  branches: readonly ((...operands: TracedList<Ops>) => R)[],
  ...operands: Ops
): Traced<R> {
  if (!globalThis.Array.isArray(branches) || branches.length === 0) throw new TypeError("switchCase: needs a non-empty list of branch functions");
  let idx: Array | TypedScalar;
  if (typeof index === "number" && Number.isInteger(index)) idx = new TypedScalar(index, "int32");
  else if (index instanceof Array && index.dtype === "int32" && index.ndim === 0) idx = index;
  else throw new TypeError(`switchCase: the index must be an int32 scalar or a JS integer, got ${describeLeaf(index)}`);
  const names = branches.map((_, k) => `branches[${k}]`);
  return condImpl("switchCase", idx, branches as readonly Branch[], names, operands) as Traced<R>;
}

function condImpl(op: string, index: Array | TypedScalar, branches: readonly Branch[], names: readonly string[], operands: readonly unknown[]): unknown {
  const ops = carryOf(`${op} operands`, [...operands], "operands");
  const outDefs: TreeDef[] = [];
  const traces: FlatTrace[] = branches.map((fn, k) =>
    traceFlat(
      (ins) => {
        const out = fn(...(unflatten(ops.def, ins) as never[]));
        const [leaves, def] = flatten(out, "output");
        outDefs.push(def);
        const paths = def.leafPaths("output");
        return leaves.map((l, i): FlatOut => {
          if (l instanceof Array || typeof l === "number" || typeof l === "boolean") return l;
          throw new TypeError(`${op} ${names[k]} ${showPath(paths[i]!)}: must be an array or a number, got ${describeLeaf(l)}`);
        });
      },
      ops.avals,
      `${op} ${names[k]}`,
    ),
  );
  for (let k = 1; k < branches.length; k++) {
    const m = treeMismatch(outDefs[0]!, outDefs[k]!, "output");
    if (m) throw new PytreeError(`${op}: ${names[k]} ${showPath(m.path)} is ${m.got}, but ${names[0]} returns ${m.expected} there`);
  }
  const jaxprs = unifyOutputTypes(op, names, traces, outDefs[0]!.leafPaths("output"));
  const { values, branchJaxprs } = unionCaptures(traces, jaxprs);
  const outs = bind("cond", { branches: branchJaxprs }, [index, ...values, ...ops.inputs]);
  return unflatten(outDefs[0]!, outs);
}

/**
 * The output types all branches agree on. Array outputs must match exactly;
 * a branch returning a JS number takes the type the other branches give that
 * output (numbers in every branch get the promoted default dtype).
 */
function unifyOutputTypes(op: string, names: readonly string[], traces: readonly FlatTrace[], paths: readonly string[]): Jaxpr[] {
  const jaxprs = traces.map((t) => t.jaxpr);
  paths.forEach((path, i) => {
    let strong: { aval: Aval; k: number } | undefined;
    let weak: DType | undefined;
    traces.forEach((t, k) => {
      const a = t.jaxpr.outvars[i]!.aval;
      if (t.weakOutputs[i]) {
        // The literal already has the number's default dtype; numbers in several branches promote.
        weak = weak ? promoteDTypes(weak, a.dtype) : a.dtype;
      } else if (!strong) strong = { aval: a, k };
      else if (!avalsEqual(strong.aval, a)) {
        throw new TypeError(`${op}: ${names[k]} ${showPath(path)} is ${avalStr(a)}, but ${names[strong.k]} returns ${avalStr(strong.aval)} there`);
      }
    });
    const target: Aval | undefined = strong ? strong.aval : weak ? aval(weak, []) : undefined;
    traces.forEach((t, k) => {
      if (!t.weakOutputs[i] || !target) return;
      if (target.shape.length !== 0) {
        throw new TypeError(`${op}: ${names[k]} ${showPath(path)} is a JS number, but ${names[strong!.k]} returns ${avalStr(target)} there`);
      }
      jaxprs[k] = retypeWeakOutput(jaxprs[k]!, i, target.dtype);
    });
  });
  return jaxprs;
}

/** Every branch takes the union of all branches' captures (in first-seen order), then the operands. */
export function unionCaptures(traces: readonly FlatTrace[], jaxprs: readonly Jaxpr[]): { values: Array[]; branchJaxprs: Jaxpr[] } {
  const keys: object[] = [];
  const values: Array[] = [];
  const position = new Map<object, number>();
  for (const t of traces) {
    for (const c of t.captures) {
      const key = captureKey(c);
      if (!position.has(key)) {
        position.set(key, keys.length);
        keys.push(key);
        values.push(c);
      }
    }
  }
  const branchJaxprs = traces.map((t, k) => {
    const j = jaxprs[k]!;
    const mine = new Map<object, Var>();
    t.captures.forEach((c, i) => mine.set(captureKey(c), j.constvars[i]!));
    const captureInvars = values.map((v, i) => mine.get(keys[i]!) ?? newVar(v.aval));
    return { constvars: [], invars: [...captureInvars, ...j.invars], eqns: j.eqns, outvars: j.outvars };
  });
  return { values, branchJaxprs };
}
