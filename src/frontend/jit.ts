// jit: trace once per input signature (pytree structure + avals), run the
// default pipeline, then execute the optimized jaxpr on a backend. Called
// inside another trace, the optimized program is staged as a `pjit` equation.
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
import { type TreeDef, flatten, showPath, unflatten } from "./pytree.js";
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

export interface JitFunction<F extends (...args: never[]) => unknown> {
  (...args: Parameters<F>): ReturnType<F>;
  /** The optimized jaxpr for these arguments (traced and cached like a call). */
  lower(...args: Parameters<F>): Jaxpr;
  /** How many distinct input signatures have been compiled. */
  readonly cacheSize: number;
}

export function jit<F extends (...args: never[]) => unknown>(f: F, options: JitOptions = {}): JitFunction<F> {
  const backend = getBackend(options.backend ?? DEFAULT_BACKEND);
  const name = options.name ?? (f.name || "jitted");
  const pipeline = jitPipeline(options.hoistInvariantCarries !== false);
  const cache = new Map<string, Compiled>();

  const compile = (args: readonly unknown[]): { compiled: Compiled; leaves: unknown[]; captures: readonly Array[] } => {
    const [leaves, inTree] = flatten(args, "args");
    const paths = inTree.leafPaths("args");
    const avals = leaves.map((l, i) => inputAval(l, paths[i]!, "jit"));
    const key = `${inTree.toString()}|${avals.map(avalStr).join(",")}`;
    const hit = cache.get(key);
    if (hit && !currentBuilder()) return { compiled: hit, leaves, captures: [] };
    let outTree: TreeDef | undefined;
    const trace = traceFlat(
      (ins) => {
        const [outLeaves, def] = flatten((f as unknown as (...a: unknown[]) => unknown)(...(unflatten(inTree, ins) as unknown[])), "output");
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
    return { compiled, leaves, captures: trace.captures };
  };

  const call = (...args: unknown[]): unknown => {
    const { compiled, leaves, captures } = compile(args);
    if (currentBuilder()) {
      const inputs: BindInput[] = [...(captures.length ? captures : compiled.consts.map((c) => Array.fromValue(c))), ...(leaves as BindInput[])];
      const outs = bind("pjit", { jaxpr: compiled.jaxpr, name }, inputs);
      return unflatten(compiled.outTree, outs);
    }
    const paths = flatten(args, "args")[1].leafPaths("args");
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
  fn.lower = ((...args: unknown[]) => compile(args).compiled.jaxpr) as unknown as JitFunction<F>["lower"];
  return fn;
}
