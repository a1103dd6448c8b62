// Tracing functions into jaxprs — the reusable core under makeJaxpr, the
// control-flow bodies, and later jit and vmap.
//
//   traceFlat(fn, inAvals)     flat arrays in, flat outputs out; returns the
//                              jaxpr (constvars = captured outer values) and
//                              the captured values.
//   traceToJaxpr(f, args)      pytree args (arrays, JS numbers, np.ShapeDtype)
//                              in, pytree out; returns a ClosedJaxpr plus the
//                              input and output tree structures.
//   makeJaxpr(f)(...args)      the user-facing form; `.toString()` prints it.
//   runJaxpr(closed, ...args)  evaluates a ClosedJaxpr on pytree args with
//                              the reference interpreter.

import { type ArrayValue, type Atom, type ClosedJaxpr, type Jaxpr, lit, newJaxpr } from "../ir/core.js";
import { type Aval, type DType, aval, avalStr, avalsEqual, castScalar } from "../ir/dtype.js";
import { printJaxpr } from "../ir/printer.js";
import { scalarValue } from "../ir/value.js";
import { evalJaxpr } from "../backends/interpreter/index.js";
import { Array } from "./array.js";
import { inspectCustom } from "./format.js";
import { ShapeDtypeSpec } from "./np/creation.js";
import { type TreeDef, assertSameStructure, flatten, showPath, unflatten } from "./pytree.js";
import { TypedScalar, toDtypeValue, weakDtype } from "./scalar.js";
import { TraceBuilder } from "./trace/builder.js";
import { withBuilder } from "./trace/stack.js";

/** A traced function's output leaf: an array (tracer or concrete) or a JS scalar. */
export type FlatOut = Array | TypedScalar | number | boolean;

export interface FlatTrace {
  /** The traced jaxpr; `constvars[i]` stands for `captures[i]`. */
  readonly jaxpr: Jaxpr;
  /** Outer values the function closed over: concrete arrays, or tracers of enclosing traces. */
  readonly captures: readonly Array[];
  /** Outputs that were raw JS numbers/booleans (literal outvars with their default dtype). */
  readonly weakOutputs: readonly boolean[];
}

/**
 * Traces `fn` on fresh tracers of `inAvals` in a new builder on top of the
 * trace stack. `label` names the trace in error messages (e.g. `whileLoop body`).
 */
export function traceFlat(fn: (inputs: Array[]) => readonly FlatOut[], inAvals: readonly Aval[], label = "a traced function"): FlatTrace {
  const builder = new TraceBuilder(label);
  const inputs = inAvals.map((a) => builder.newInput(a));
  const invars = inputs.map(([v]) => v);
  return withBuilder(builder, () => {
    const outs = fn(inputs.map(([, t]) => t));
    // Outputs are converted inside the trace so outer values among them are captured.
    const outvars: Atom[] = outs.map((o) => builder.atom(o, label));
    const jaxpr = newJaxpr({ constvars: [...builder.captureVars], invars, eqns: [...builder.eqns], outvars });
    return { jaxpr, captures: [...builder.captureValues], weakOutputs: outs.map((o) => typeof o === "number" || typeof o === "boolean") };
  });
}

/** The same jaxpr with output `i` (a weak literal) retyped to `dtype`. */
export function retypeWeakOutput(j: Jaxpr, i: number, dtype: DType): Jaxpr {
  const o = j.outvars[i]!;
  if (o.kind !== "lit") throw new Error(`retypeWeakOutput: output ${i} is not a literal`);
  const outvars = [...j.outvars];
  outvars[i] = lit(castScalar(dtype, o.value), aval(dtype, []));
  return { ...j, outvars };
}

/**
 * The aval of an input leaf: an array, a JS scalar (integers → i32[], else
 * f32[]), or, where `specs` allows it (makeJaxpr, jit(f).lower), an
 * np.ShapeDtype spec. `op` names the caller in errors.
 */
export function inputAval(leaf: unknown, path: string, op: string, { specs = false } = {}): Aval {
  if (leaf instanceof Array) return leaf.aval;
  if (leaf instanceof ShapeDtypeSpec) {
    if (specs) return aval(leaf.dtype, leaf.shape);
    throw new TypeError(
      `${op}: argument ${showPath(path)} is an np.ShapeDtype spec (${avalStr(aval(leaf.dtype, leaf.shape))}), which has no values to compute with. ` +
        `Specs describe inputs only for makeJaxpr(f)(...) and jit(f).lower(...); pass an array here (e.g. np.zeros(shape, { dtype })).`,
    );
  }
  if (leaf instanceof TypedScalar) return aval(leaf.dtype, []);
  if (typeof leaf === "number" || typeof leaf === "boolean") return aval(weakDtype(leaf), []);
  throw new TypeError(`${op}: argument ${showPath(path)} is not an array, number or np.ShapeDtype`);
}

function outputLeaves(leaves: readonly unknown[], def: TreeDef, root: string, op: string): FlatOut[] {
  const paths = def.leafPaths(root);
  return leaves.map((l, i) => {
    if (l instanceof Array || l instanceof TypedScalar || typeof l === "number" || typeof l === "boolean") return l;
    throw new TypeError(`${op}: output ${showPath(paths[i]!)} is ${String(l)}; a traced function must return arrays or numbers`);
  });
}

/** A ClosedJaxpr that remembers the pytree structure of its inputs and outputs, and prints as text. */
export class TracedJaxpr implements ClosedJaxpr {
  constructor(
    readonly jaxpr: Jaxpr,
    readonly consts: readonly ArrayValue[],
    readonly inTree: TreeDef,
    readonly outTree: TreeDef,
  ) {}
  toString(): string {
    return printJaxpr(this.jaxpr);
  }
  /** `console.log` shows the IR text, not the data structure. */
  [inspectCustom](): string {
    return this.toString();
  }
}

export interface TracedFunction {
  readonly closedJaxpr: TracedJaxpr;
  readonly inTree: TreeDef;
  readonly outTree: TreeDef;
}

/**
 * Traces `f(...args)` where args are pytrees of arrays, JS numbers and
 * np.ShapeDtype specs. Concrete arrays the function closes over become the
 * ClosedJaxpr's consts. (Closing over a tracer of an enclosing trace is an
 * error here; callers inside a trace that need that use traceFlat.)
 */
export function traceToJaxpr(f: (...args: never[]) => unknown, args: readonly unknown[], label = "makeJaxpr"): TracedFunction {
  const [leaves, inTree] = flatten(args, "args");
  const paths = inTree.leafPaths("args");
  const avals = leaves.map((l, i) => inputAval(l, paths[i]!, label, { specs: true }));
  let outTree: TreeDef | undefined;
  const traced = traceFlat(
    (ins) => {
      const out = (f as (...a: unknown[]) => unknown)(...(unflatten(inTree, ins) as unknown[]));
      const [outLeaves, def] = flatten(out, "output");
      outTree = def;
      return outputLeaves(outLeaves, def, "output", label);
    },
    avals,
    label,
  );
  const consts = traced.captures.map((c) => {
    if (c.isTracer) {
      throw new Error(`${label}: the function closes over Traced<${avalStr(c.aval)}> from an enclosing trace; pass it as an argument instead`);
    }
    return c.concrete(label);
  });
  const closedJaxpr = new TracedJaxpr(traced.jaxpr, consts, inTree, outTree!);
  return { closedJaxpr, inTree, outTree: outTree! };
}

/** `makeJaxpr(f)(...args)`: the jaxpr of `f` for these argument types; `.toString()` is the IR text. */
export function makeJaxpr<A extends unknown[]>(f: (...args: A) => unknown): (...args: { [K in keyof A]: unknown }) => TracedJaxpr {
  return (...args) => traceToJaxpr(f as (...a: never[]) => unknown, args).closedJaxpr;
}

/**
 * Evaluates a ClosedJaxpr on concrete pytree args with the reference
 * interpreter. With a TracedJaxpr the args must match its input structure and
 * the result has its output structure; a plain ClosedJaxpr takes flat leaves
 * and returns a list.
 */
export function runJaxpr(closed: ClosedJaxpr | TracedJaxpr, ...args: unknown[]): unknown {
  const [leaves, def] = flatten(args, "args");
  const inTree = closed instanceof TracedJaxpr ? closed.inTree : undefined;
  if (inTree) assertSameStructure("runJaxpr: arguments", inTree, def, "args");
  const invars = closed.jaxpr.invars;
  if (leaves.length !== invars.length) throw new TypeError(`runJaxpr: the jaxpr takes ${invars.length} inputs, got ${leaves.length}`);
  const paths = def.leafPaths("args");
  const values = leaves.map((l, i): ArrayValue => {
    const want = invars[i]!.aval;
    if ((typeof l === "number" || typeof l === "boolean") && want.shape.length === 0) {
      return scalarValue(want.dtype, toDtypeValue(l, want.dtype, { op: "runJaxpr", what: `argument ${showPath(paths[i]!)}` }));
    }
    if (!(l instanceof Array) || l.isTracer) throw new TypeError(`runJaxpr: argument ${showPath(paths[i]!)} must be a concrete array or number`);
    if (!avalsEqual(l.aval, want)) throw new TypeError(`runJaxpr: argument ${showPath(paths[i]!)}: expected ${avalStr(want)}, got ${avalStr(l.aval)}`);
    return l.concrete("runJaxpr");
  });
  const outs = evalJaxpr(closed.jaxpr, closed.consts, values).map((v) => Array.fromValue(v));
  return closed instanceof TracedJaxpr ? unflatten(closed.outTree, outs) : outs;
}
