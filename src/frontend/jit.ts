// jit: trace once per input signature, run the default pipeline, then execute
// the optimized jaxpr on a backend. Called inside another trace, the optimized
// program is staged as a `pjit` equation.
//
// The signature is everything the trace may depend on besides array values:
// the full pytree definition (structure, node classes, and aux data such as a
// module's static fields, compared by value), the avals of the leaves, and the
// values of static arguments (`staticArgnums`, compared by value like JAX's
// hashing of static args).
//
// Backends are looked up by name in src/backends/index.ts; each compiles the
// optimized jaxpr once per signature.

import type { ArrayValue, Jaxpr } from "../ir/core.js";
import { avalStr } from "../ir/dtype.js";
import { scalarValue } from "../ir/value.js";
import { type CompiledProgram, DEFAULT_BACKEND, getBackend } from "../backends/index.js";
import { runPipeline } from "../passes/pipeline.js";
import { Array } from "./array.js";
import { type BindInput, bind } from "./bind.js";
import { PytreeError, type TreeDef, flatten, showPath, unflatten, valueKey } from "./pytree.js";
import { TypedScalar } from "./scalar.js";
import { currentBuilder } from "./trace/stack.js";
import { type FlatOut, inputAval, traceFlat } from "./tracing.js";

export interface JitOptions {
  /** A backend name from src/backends/index.ts (default: the fastest available). */
  readonly backend?: string;
  /** Run hoist-invariant-carries in the default pipeline (default true). */
  readonly hoistInvariantCarries?: boolean;
  /** A name for the staged `pjit` equation (default: the function's name). */
  readonly name?: string;
  /**
   * Positions of arguments that are static: passed to the function as they are
   * (not traced), so they can set shapes, loop counts or choose code paths.
   * The program is retraced for each distinct value (compared by value for
   * numbers, strings, booleans, null/undefined and lists/plain objects of
   * those; by identity for other objects). Negative positions count from the end.
   */
  readonly staticArgnums?: number | readonly number[];
}

/** The pipeline jit runs on every traced program before executing it. */
export function jitPipeline(hoist: boolean): string {
  return [hoist ? "hoist-invariant-carries" : "", "inline", "simplify", "cse", "dce"].filter(Boolean).join(",");
}

interface Compiled {
  /** Optimized program: invars = captured consts, then the flat arguments. */
  readonly jaxpr: Jaxpr;
  readonly consts: readonly ArrayValue[];
  readonly outTree: TreeDef;
  /** Compiled lazily on the first eager call (a staged call only needs the jaxpr). */
  program?: CompiledProgram;
}

/** Argument types where np.ShapeDtype specs may stand for arrays (`lower`). */
type SpecsAllowed<A extends readonly unknown[]> = { [K in keyof A]: unknown } & unknown[];

export interface JitFunction<F extends (...args: never[]) => unknown> {
  (...args: Parameters<F>): ReturnType<F>;
  /** The optimized jaxpr for these arguments, which may be np.ShapeDtype specs (traced and cached like a call). */
  lower(...args: SpecsAllowed<Parameters<F>>): Jaxpr;
  /** How many distinct input signatures have been compiled. */
  readonly cacheSize: number;
}

export function jit<F extends (...args: never[]) => unknown>(f: F, options: JitOptions = {}): JitFunction<F> {
  const backend = getBackend(options.backend ?? DEFAULT_BACKEND);
  const name = options.name ?? (f.name || "jitted");
  const pipeline = jitPipeline(options.hoistInvariantCarries !== false);
  const cache = new Map<string, Compiled>();

  const staticArgnums = options.staticArgnums === undefined ? [] : typeof options.staticArgnums === "number" ? [options.staticArgnums] : options.staticArgnums;
  for (const i of staticArgnums) {
    if (!Number.isInteger(i)) throw new TypeError(`jit(${name}): staticArgnums must be integers, got ${String(i)}`);
  }

  /** Splits a call's arguments into the traced ones and the static ones (by position). */
  const splitStatic = (args: readonly unknown[]): { dynamic: unknown[]; statics: Map<number, unknown> } => {
    const statics = new Map<number, unknown>();
    for (const n of staticArgnums) {
      const i = n < 0 ? n + args.length : n;
      if (i < 0 || i >= args.length) {
        throw new TypeError(`jit(${name}): staticArgnums contains ${n}, but the function was called with ${args.length} argument${args.length === 1 ? "" : "s"}`);
      }
      statics.set(i, args[i]);
    }
    return { dynamic: args.filter((_, i) => !statics.has(i)), statics };
  };
  /** The full argument list for `f`: traced values back in place of the dynamic arguments. */
  const mergeStatic = (dynamic: readonly unknown[], statics: ReadonlyMap<number, unknown>): unknown[] => {
    const out: unknown[] = [];
    let d = 0;
    for (let i = 0; i < dynamic.length + statics.size; i++) out.push(statics.has(i) ? statics.get(i) : dynamic[d++]);
    return out;
  };

  const compile = (args: readonly unknown[], specs: boolean): { compiled: Compiled; leaves: unknown[]; captures: readonly Array[]; paths: string[] } => {
    const { dynamic, statics } = splitStatic(args);
    const [leaves, inTree] = flattenArgs(dynamic, name, staticArgnums.length > 0);
    const paths = inTree.leafPaths("args");
    const avals = leaves.map((l, i) => inputAval(l, paths[i]!, `jit(${name})`, { specs }));
    const staticKey = [...statics].map(([i, v]) => `${i}=${valueKey(v)}`).join(",");
    const key = `${inTree.key()}|${avals.map(avalStr).join(",")}|${staticKey}`;
    const hit = cache.get(key);
    if (hit && !currentBuilder()) return { compiled: hit, leaves, captures: [], paths };
    let outTree: TreeDef | undefined;
    const trace = traceFlat(
      (ins) => {
        const callArgs = mergeStatic(unflatten(inTree, ins) as unknown[], statics);
        const [outLeaves, def] = flatten((f as unknown as (...a: unknown[]) => unknown)(...callArgs), "output");
        outTree = def;
        return outLeaves as FlatOut[];
      },
      avals,
      `jit(${name})`,
    );
    // Captures become leading inputs, so the program is closed and cacheable.
    const open: Jaxpr = { ...trace.jaxpr, constvars: [], invars: [...trace.jaxpr.constvars, ...trace.jaxpr.invars] };
    const optimized = runPipeline(open, pipeline).jaxpr;
    const tracerCaptured = trace.captures.some((c) => c.isTracer);
    const consts = tracerCaptured ? [] : trace.captures.map((c) => c.concrete("jit"));
    const compiled: Compiled = { jaxpr: optimized, consts, outTree: outTree! };
    // A program that closes over an enclosing trace's tracers is specific to that trace: don't cache it.
    if (!tracerCaptured) cache.set(key, compiled);
    return { compiled, leaves, captures: trace.captures, paths };
  };

  const call = (...args: unknown[]): unknown => {
    const { compiled, leaves, captures, paths } = compile(args, false);
    if (currentBuilder()) {
      const inputs: BindInput[] = [...(captures.length ? captures : compiled.consts.map((c) => Array.fromValue(c))), ...(leaves as BindInput[])];
      const outs = bind("pjit", { jaxpr: compiled.jaxpr, name }, inputs);
      return unflatten(compiled.outTree, outs);
    }
    const values = leaves.map((l, i): ArrayValue => {
      if (l instanceof Array) return l.concrete(`jit(${name}) argument ${showPath(paths[i]!)}`);
      const a = compiled.jaxpr.invars[compiled.consts.length + i]!.aval;
      return scalarValue(a.dtype, l instanceof TypedScalar ? l.value : (l as number | boolean));
    });
    compiled.program ??= backend.compile(compiled.jaxpr);
    const outs = compiled.program.run([...compiled.consts, ...values]).map((v) => Array.fromValue(v));
    return unflatten(compiled.outTree, outs);
  };

  const fn = call as unknown as JitFunction<F>;
  Object.defineProperty(fn, "cacheSize", { get: () => cache.size });
  fn.lower = ((...args: unknown[]) => compile(args, true).compiled.jaxpr) as unknown as JitFunction<F>["lower"];
  return fn;
}

/**
 * Flattens jit's traced arguments. A value that is not a pytree (a string, a
 * function, an unregistered class instance) cannot be traced: the error says
 * so and points at staticArgnums.
 */
function flattenArgs(args: readonly unknown[], name: string, hasStatic: boolean): [unknown[], TreeDef] {
  try {
    return flatten(args, "args");
  } catch (e) {
    if (!(e instanceof PytreeError)) throw e;
    const position = args.findIndex((a) => {
      try {
        flatten(a);
        return false;
      } catch {
        return true;
      }
    });
    const where = hasStatic ? "add its position to staticArgnums" : `mark it static with jit(f, { staticArgnums: [${position}] })`;
    throw new PytreeError(`jit(${name}): ${e.message.replace(/^pytree: /, "")}. jit traces its arguments; to pass a value that is not an array or number as configuration, ${where}.`);
  }
}
