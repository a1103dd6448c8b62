// vmap: trace the per-lane function once, then batch its IR with the
// `batch` pass (src/passes/batch) and replay the batched program in the
// caller's context (staged inside a trace, eager outside one).
//
// Before batching, `hoist-invariant-carries` turns loop carries the body never
// changes into loop consts, so e.g. model parameters carried through a while
// loop with a per-lane trip count stay unbatched (google/flax#4700). Disable
// it with `{ hoistInvariantCarries: false }` to see JAX's behaviour.

import type { Jaxpr } from "../ir/core.js";
import { type Aval, avalStr } from "../ir/dtype.js";
import { scalarValue } from "../ir/value.js";
import { batchJaxpr, type Dim, type Reason, reasonLines } from "../passes/batch/index.js";
import { hoistInvariantCarries } from "../passes/hoistInvariantCarries.js";
import { PASSES } from "../passes/registry.js";
import { Array } from "./array.js";
import { type BindInput, bind1 } from "./bind.js";
import { type TreeDef, flatten, showPath, unflatten } from "./pytree.js";
import { replayJaxpr } from "./replay.js";
import { TypedScalar } from "./scalar.js";
import { type FlatOut, inputAval, traceFlat } from "./tracing.js";

/** A batch axis, `null` (not mapped), or a pytree prefix of those matching the value. */
export type AxisSpec = number | null | readonly AxisSpec[] | { readonly [key: string]: AxisSpec };

export interface VmapOptions {
  /** Per argument (a list) or for all arguments (one spec). Default 0. */
  readonly inAxes?: AxisSpec;
  /** For the output pytree. Default 0; `null` requires the output to be unbatched. */
  readonly outAxes?: AxisSpec;
  /** The batch size, required only when no argument is mapped. */
  readonly axisSize?: number;
  /** Run hoist-invariant-carries before batching (default true). */
  readonly hoistInvariantCarries?: boolean;
}

export class VmapError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = "VmapError";
  }
}

function describeSpec(s: AxisSpec): string {
  if (s === null) return "null";
  if (typeof s === "number") return String(s);
  return Array_isArray(s) ? `a list of ${s.length}` : `an object with keys {${Object.keys(s).sort().join(", ")}}`;
}
const Array_isArray = (x: unknown): x is readonly unknown[] => globalThis.Array.isArray(x);

function describeNode(t: TreeDef): string {
  if (t.kind === "leaf") return "an array";
  if (t.keys) return `${t.kind === "custom" ? `a ${t.nodeClass?.name ?? "node"}` : "an object"} with keys {${t.keys.join(", ")}}`;
  return t.kind === "list" ? `a list of ${t.children.length}` : t.kind;
}

/** Expands a prefix spec to one entry per leaf of `def`; errors name the path. */
export function specPerLeaf(spec: AxisSpec | undefined, def: TreeDef, root: string, what: string): Dim[] {
  const out: Dim[] = [];
  const walk = (s: AxisSpec | undefined, t: TreeDef, path: string): void => {
    if (s === undefined) throw new VmapError(`vmap: ${what} is missing an entry for ${showPath(path)}`);
    if (s === null || typeof s === "number") {
      for (let i = 0; i < t.numLeaves; i++) out.push(s);
      return;
    }
    if (t.kind === "leaf") throw new VmapError(`vmap: ${what} at ${showPath(path)} is ${describeSpec(s)}, but the value there is an array; use a number or null`);
    const pathOf = (i: number) => (t.keys ? `${path}.${t.keys[i]}`.replace(/^\./, "") : `${path}[${i}]`);
    if (Array_isArray(s)) {
      if (t.keys || s.length !== t.children.length) throw new VmapError(`vmap: ${what} at ${showPath(path)} is ${describeSpec(s)}, but the value there is ${describeNode(t)}`);
      t.children.forEach((c, i) => walk(s[i] as AxisSpec | undefined, c, pathOf(i)));
      return;
    }
    const keys = Object.keys(s).sort();
    if (!t.keys || keys.join(",") !== [...t.keys].sort().join(",")) {
      throw new VmapError(`vmap: ${what} at ${showPath(path)} is ${describeSpec(s)}, but the value there is ${describeNode(t)}`);
    }
    t.children.forEach((c, i) => walk((s as Record<string, AxisSpec>)[t.keys![i]!], c, pathOf(i)));
  };
  walk(spec, def, root);
  return out;
}

/** `axis` (negative counts from the end) as an index into a value of `rank`; `shown` describes that value in errors. */
function normalizeAxis(axis: number, rank: number, path: string, what: string, shown: string): number {
  if (!Number.isInteger(axis)) throw new VmapError(`vmap: ${what} for ${showPath(path)} is ${axis}; an axis must be an integer or null`);
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    const valid = rank === 0 ? "a scalar has no axes" : `valid axes: -${rank}..${rank - 1}`;
    throw new VmapError(`vmap: ${what} for ${showPath(path)} is ${axis}, out of range for ${shown} (${valid})`);
  }
  return a;
}

/** `vmap(f, options)`: f mapped over a batch axis of its arguments. */
export function vmap<F extends (...args: never[]) => unknown>(f: F, options: VmapOptions = {}): (...args: Parameters<F>) => ReturnType<F> {
  return ((...args: unknown[]) => vmapCall(f as unknown as (...a: unknown[]) => unknown, args, options)) as (...args: Parameters<F>) => ReturnType<F>;
}

function vmapCall(f: (...a: unknown[]) => unknown, args: unknown[], options: VmapOptions): unknown {
  const [leaves, inTree] = flatten(args, "args");
  const paths = inTree.leafPaths("args");
  const inAxes = options.inAxes === undefined ? 0 : options.inAxes;
  // One spec per argument when inAxes is a list (like JAX's in_axes tuple), else for all.
  const dims = specPerLeaf(inAxes, inTree, "args", "inAxes");
  const avals = leaves.map((l, i) => inputAval(l, paths[i]!, "vmap"));

  // The batch size, and per-lane avals.
  const axisSize = options.axisSize;
  if (axisSize !== undefined && !(typeof axisSize === "number" && Number.isInteger(axisSize) && axisSize >= 0)) {
    throw new VmapError(`vmap: axisSize must be a non-negative integer, got ${typeof axisSize === "number" ? axisSize : typeof axisSize}`);
  }
  let size = axisSize;
  let sizeFrom = options.axisSize !== undefined ? "axisSize" : "";
  const laneAvals: Aval[] = avals.map((a, i) => {
    const d = dims[i]!;
    if (d === null) return a;
    if (!(leaves[i] instanceof Array)) throw new VmapError(`vmap: inAxes for ${paths[i]} is ${d}, but the argument is a JS number; only arrays can be mapped`);
    const axis = normalizeAxis(d, a.shape.length, paths[i]!, "inAxes", avalStr(a));
    dims[i] = axis;
    const n = a.shape[axis]!;
    if (size === undefined) {
      size = n;
      sizeFrom = `${paths[i]} (${avalStr(a)}, axis ${axis})`;
    } else if (n !== size) {
      throw new VmapError(`vmap: inconsistent sizes for the mapped axis: ${sizeFrom} has size ${size}, but ${paths[i]} (${avalStr(a)}, axis ${axis}) has size ${n}`);
    }
    return { dtype: a.dtype, shape: a.shape.filter((_, k) => k !== axis) };
  });
  if (size === undefined) throw new VmapError("vmap: no argument is mapped (every inAxes entry is null); pass axisSize to say how many lanes to compute");

  // Trace the per-lane function.
  let outTree: TreeDef | undefined;
  const trace = traceFlat(
    (ins) => {
      const out = f(...(unflatten(inTree, ins) as unknown[]));
      const [outLeaves, def] = flatten(out, "output");
      outTree = def;
      return outLeaves as FlatOut[];
    },
    laneAvals,
    "vmap",
  );
  let lane: Jaxpr = trace.jaxpr;
  if (options.hoistInvariantCarries !== false) lane = hoistInvariantCarries(lane);
  lane = PASSES["dce"]!.run(lane, {}).jaxpr;

  const inDims: Dim[] = [...trace.captures.map((): Dim => null), ...dims];
  const inReasons: (Reason | undefined)[] = [
    ...trace.captures.map(() => undefined),
    ...dims.map((d, i) => (d === null ? undefined : { what: `${paths[i]} is mapped (inAxes ${d})` })),
  ];
  const batched = batchJaxpr(lane, inDims, size, undefined, { inReasons, where: "the vmapped function" });
  const outs = replayJaxpr(batched.jaxpr, [...trace.captures, ...(leaves as BindInput[])]);

  // Place each output's batch axis where outAxes asks.
  const outPaths = outTree!.leafPaths("output");
  const outSpecs = specPerLeaf(options.outAxes === undefined ? 0 : options.outAxes, outTree!, "output", "outAxes");
  const hoisting = options.hoistInvariantCarries !== false;
  const placed = outs.map((o, i) => placeOutput(o, batched.outDims[i]!, outSpecs[i]!, size!, outPaths[i]!, batched.outReasons[i], hoisting));
  return unflatten(outTree!, placed);
}

/** The error for `outAxes: null` on a batched output: the leaf path, then why it is batched. */
function batchedOutputError(path: string, type: string, dim: number, why: Reason | undefined, hoisting: boolean): VmapError {
  const lines = [`vmap: outAxes for ${path} is null, but the output is batched (${type}, batch axis ${dim}).`];
  const chain = reasonLines(why);
  if (chain.length) lines.push("Why it is batched:", ...chain.map((l) => `  - ${l}`));
  const viaLoop = chain.some((l) => l.includes("predicate is batched"));
  if (viaLoop) {
    lines.push(
      hoisting
        ? "A carry the loop body never changes would have been hoisted out of the loop and stayed unbatched; this one is changed (or its unchanged value is not provable), so each lane has its own copy. Return the value from outside the loop, or keep it out of the carry."
        : "hoistInvariantCarries is off: with it on, a carry the loop body never changes becomes a loop constant and stays unbatched.",
    );
  }
  return new VmapError(lines.join("\n"));
}

function placeOutput(o: BindInput, dim: Dim, spec: Dim, size: number, path: string, why: Reason | undefined, hoisting: boolean): BindInput {
  const shape: number[] = o instanceof Array ? [...o.shape] : [];
  if (spec === null) {
    if (dim !== null) {
      throw batchedOutputError(path, o instanceof Array ? avalStr(o.aval) : "scalar", dim, why, hoisting);
    }
    // A literal output (a JS number the function returned, or a loop carry
    // hoisted from a number init) replays as the internal TypedScalar: hand
    // the caller an array instead.
    return o instanceof TypedScalar ? Array.fromValue(scalarValue(o.dtype, o.value)) : o;
  }
  // Errors describe the per-lane type: that is what the user's function returned.
  const lane =
    o instanceof Array ? avalStr({ dtype: o.dtype, shape: shape.filter((_, k) => k !== dim) })
    : o instanceof TypedScalar ? avalStr({ dtype: o.dtype, shape: [] })
    : "a JS number";
  const rank = shape.length + (dim === null ? 1 : 0);
  const to = normalizeAxis(spec, rank, path, "outAxes", `an output of ${lane} per lane, rank ${rank} once batched`);
  if (dim === null) {
    const out = [...shape];
    out.splice(to, 0, size);
    return bind1("broadcast_in_dim", { shape: out, broadcast_dimensions: shape.map((_, k) => (k < to ? k : k + 1)) }, [o]);
  }
  if (dim === to) return o;
  const perm = shape.map((_, k) => k).filter((k) => k !== dim);
  perm.splice(to, 0, dim);
  return bind1("transpose", { permutation: perm }, [o]);
}
