// Automatic differentiation for users: jvp, vjp, grad, valueAndGrad,
// linearize. Each traces the function to a jaxpr and transforms the IR
// (passes/ad/): forward mode is the jvp pass; reverse mode is jvp, then
// partial evaluation into a known part (primal outputs and residuals) and a
// linear part, then the transpose of the linear part. The transformed jaxprs
// are replayed through `bind`, so they run eagerly outside a trace and are
// staged into the enclosing trace inside `jit`, `vmap` or another `grad`:
// every composition works, and higher derivatives differentiate the replayed
// derivative program.

import type { Jaxpr } from "../ir/core.js";
import { type Aval, avalStr } from "../ir/dtype.js";
import { scalarValue } from "../ir/value.js";
import { jvpJaxpr } from "../passes/ad/jvp.js";
import { partialEvalJaxpr } from "../passes/ad/partialEval.js";
import { transposeJaxpr } from "../passes/ad/transpose.js";
import { runPipeline } from "../passes/pipeline.js";
import { Array } from "./array.js";
import { type BindInput, bind1 } from "./bind.js";
import { type TreeDef, flatten, unflatten } from "./pytree.js";
import { replayJaxpr } from "./replay.js";
import { TypedScalar } from "./scalar.js";
import { type FlatOut, inputAval, traceFlat } from "./tracing.js";

export class GradError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = "GradError";
  }
}

/** What runs before differentiation: calls inlined (so their bodies are differentiated in place), loop-invariant carries hoisted. */
const BEFORE_AD = "inline,hoist-invariant-carries,dce";
/** What runs on each derived program before it is replayed. */
const AFTER_AD = "simplify,cse,dce";

/** A function traced at its arguments, flat: leaves in, leaves out. */
interface Traced {
  readonly leaves: readonly unknown[];
  readonly paths: readonly string[];
  readonly avals: readonly Aval[];
  readonly inTree: TreeDef;
  readonly outTree: TreeDef;
  /** Captures first (constants), then the leaves. */
  readonly jaxpr: Jaxpr;
  readonly captures: readonly Array[];
}

function trace(f: (...args: unknown[]) => unknown, args: readonly unknown[], op: string): Traced {
  const [leaves, inTree] = flatten(args, "args");
  const paths = inTree.leafPaths("args");
  const avals = leaves.map((l, i) => inputAval(l, paths[i]!, op));
  let outTree: TreeDef | undefined;
  const t = traceFlat(
    (ins) => {
      const [outLeaves, def] = flatten(f(...(unflatten(inTree, ins) as unknown[])), "output");
      outTree = def;
      return outLeaves as FlatOut[];
    },
    avals,
    op,
  );
  // Captured values are inputs that are never differentiated.
  const closed: Jaxpr = { ...t.jaxpr, constvars: [], invars: [...t.jaxpr.constvars, ...t.jaxpr.invars] };
  return { leaves, paths, avals, inTree, outTree: outTree!, jaxpr: runPipeline(closed, BEFORE_AD).jaxpr, captures: t.captures };
}

/** A replayed output as a user-facing array (a literal output replays as a TypedScalar or a JS number). */
function asArray(x: BindInput, aval: Aval): Array {
  if (x instanceof Array) return x;
  const v = x instanceof TypedScalar ? x.value : x;
  return Array.fromValue(scalarValue(aval.dtype, v));
}

/** Checks that leaf i may be differentiated (float32), naming its path otherwise. */
function checkDifferentiable(t: Traced, i: number, op: string): void {
  const a = t.avals[i]!;
  if (a.dtype !== "float32") {
    throw new GradError(`${op}: ${t.paths[i]} is ${avalStr(a)}; only float32 inputs can be differentiated (integer and bool inputs have zero tangents: pass them in an argument you do not differentiate)`);
  }
}

interface Linearized {
  /** The primal outputs, flat. */
  readonly outs: readonly Array[];
  /** Avals of the outputs. */
  readonly outAvals: readonly Aval[];
  /** Per output: has a nonzero tangent computed by the linear program. */
  readonly outLinear: readonly boolean[];
  /** Tangent outputs that do not depend on the tangents (zeros), by output. */
  readonly knownTangents: ReadonlyMap<number, BindInput>;
  /** (residuals…, tangents of the differentiated leaves…) → (tangents of the linear outputs…). */
  readonly linear: Jaxpr;
  readonly residuals: readonly BindInput[];
}

/** Forward mode, then partial evaluation: the primal outputs now, and the linear map from input tangents to output tangents. */
function linearizeTraced(t: Traced, diff: readonly boolean[]): Linearized {
  const ncap = t.captures.length;
  const nonzero = [...t.captures.map(() => false), ...diff];
  const d = jvpJaxpr(t.jaxpr, nonzero);
  const nin = t.jaxpr.invars.length;
  const nt = diff.filter(Boolean).length;
  const unknown = [...Array_from(nin, () => false), ...Array_from(nt, () => true)];
  const p = partialEvalJaxpr(d.jaxpr, unknown);
  const known = runPipeline(p.known, AFTER_AD).jaxpr;
  const knownOuts = replayJaxpr(known, [...t.captures, ...(t.leaves as BindInput[])]);
  const nOut = t.jaxpr.outvars.length;
  // Jd's outputs: primal outputs, then one tangent per output that has one; the known part returns the known ones first.
  const outUnknown = p.outUnknown;
  const nKnownOuts = outUnknown.filter((u) => !u).length;
  let k = 0;
  const allOuts: (BindInput | null)[] = outUnknown.map((u) => (u ? null : knownOuts[k++]!));
  const computed = knownOuts.slice(nKnownOuts);
  const residuals = p.residuals.map((r) => (r.kind === "output" ? computed[r.index]! : [...t.captures, ...(t.leaves as BindInput[])][r.index]!));
  const outAvals = t.jaxpr.outvars.map((o) => o.aval);
  const outs = allOuts.slice(0, nOut).map((o, i) => {
    if (o === null) throw new Error(`linearize: primal output ${i} depends on a tangent`);
    return asArray(o, outAvals[i]!);
  });
  const outLinear: boolean[] = [];
  const knownTangents = new Map<number, BindInput>();
  let ti = nOut;
  t.jaxpr.outvars.forEach((_, i) => {
    if (!d.outTangents[i]) return outLinear.push(false);
    const j = ti++;
    outLinear.push(outUnknown[j]!);
    if (!outUnknown[j]) knownTangents.set(i, allOuts[j]!);
  });
  void ncap;
  return { outs, outAvals, outLinear, knownTangents, linear: runPipeline(p.unknown, AFTER_AD).jaxpr, residuals };
}

const Array_from = <T>(n: number, f: (i: number) => T): T[] => globalThis.Array.from({ length: n }, (_, i) => f(i));

/** Which leaves to differentiate: all float leaves of the arguments in `argnums`, checked. */
function diffMask(t: Traced, args: readonly unknown[], argnums: readonly number[], op: string): boolean[] {
  for (const a of argnums) {
    if (!Number.isInteger(a) || a < 0 || a >= args.length) throw new GradError(`${op}: argnums ${a} is out of range for a call with ${args.length} argument${args.length === 1 ? "" : "s"}`);
  }
  const mask = t.paths.map((p) => argnums.some((a) => p === `args[${a}]` || p.startsWith(`args[${a}]`) && /^[.[]/.test(p.slice(`args[${a}]`.length))));
  mask.forEach((m, i) => m && checkDifferentiable(t, i, op));
  return mask;
}

/**
 * `jvp(f, primals, tangents)`: f's outputs at `primals` and their directional
 * derivative along `tangents` (pytrees of the primals' structure; integer and
 * bool leaves take no tangent, pass zeros or anything of their shape).
 */
export function jvp(f: (...args: never[]) => unknown, primals: readonly unknown[], tangents: readonly unknown[]): [unknown, unknown] {
  const fn = f as unknown as (...a: unknown[]) => unknown;
  const t = trace(fn, primals, "jvp");
  const [tLeaves, tTree] = flatten([...tangents], "tangents");
  if (tTree.key() !== t.inTree.key()) throw new GradError("jvp: tangents must have the structure of primals (a tangent per primal leaf)");
  const diff = t.avals.map((a) => a.dtype === "float32");
  tLeaves.forEach((l, i) => {
    if (!diff[i]) return;
    const aval = inputAval(l, t.paths[i]!.replace(/^args/, "tangents"), "jvp");
    if (aval.dtype !== "float32" || aval.shape.join() !== t.avals[i]!.shape.join()) {
      throw new GradError(`jvp: the tangent for ${t.paths[i]} is ${avalStr(aval)}, but the primal is ${avalStr(t.avals[i]!)}; a tangent has the primal's shape and dtype`);
    }
  });
  const lin = linearizeTraced(t, diff);
  const tangentOuts = applyLinear(lin, tLeaves.filter((_, i) => diff[i]) as BindInput[]);
  return [unflatten(t.outTree, lin.outs), unflatten(t.outTree, tangentOuts)];
}

/** The output tangents for input tangents (zeros where an output has none). */
function applyLinear(lin: Linearized, tangents: readonly BindInput[]): Array[] {
  const linOuts = replayJaxpr(lin.linear, [...lin.residuals, ...tangents]);
  let k = 0;
  return lin.outAvals.map((aval, i) => {
    if (lin.outLinear[i]) return asArray(linOuts[k++]!, aval);
    const known = lin.knownTangents.get(i);
    return known !== undefined ? asArray(known, aval) : zerosLike(aval);
  });
}

function zerosLike(aval: Aval): Array {
  const z = Array.fromValue(scalarValue(aval.dtype, 0));
  return aval.shape.length === 0 ? z : bind1("broadcast_in_dim", { shape: [...aval.shape], broadcast_dimensions: [] }, [z]);
}

/** `linearize(f, ...primals)`: `[out, fJvp]`, where `fJvp(...tangents)` evaluates the linear map at new tangents without re-running f. */
export function linearize(f: (...args: never[]) => unknown, ...primals: unknown[]): [unknown, (...tangents: unknown[]) => unknown] {
  const t = trace(f as unknown as (...a: unknown[]) => unknown, primals, "linearize");
  const diff = t.avals.map((a) => a.dtype === "float32");
  const lin = linearizeTraced(t, diff);
  const fJvp = (...tangents: unknown[]): unknown => {
    const [leaves, tree] = flatten(tangents, "tangents");
    if (tree.key() !== t.inTree.key()) throw new GradError("linearize: the tangents must have the structure of the primals");
    return unflatten(t.outTree, applyLinear(lin, leaves.filter((_, i) => diff[i]) as BindInput[]));
  };
  return [unflatten(t.outTree, lin.outs), fJvp];
}

interface VjpParts {
  readonly t: Traced;
  readonly lin: Linearized;
  /** (residuals…, cotangents of the linear outputs…) → (cotangents of the differentiated leaves…). */
  readonly transposed: Jaxpr;
  readonly diff: readonly boolean[];
}

function vjpParts(f: (...a: unknown[]) => unknown, args: readonly unknown[], diff: ((t: Traced) => boolean[]) | null, op: string): VjpParts {
  const t = trace(f, args, op);
  const mask = diff ? diff(t) : t.avals.map((a) => a.dtype === "float32");
  const lin = linearizeTraced(t, mask);
  const nres = lin.residuals.length;
  const linearFlags = [...Array_from(nres, () => false), ...Array_from(mask.filter(Boolean).length, () => true)];
  const transposed = runPipeline(transposeJaxpr(lin.linear, linearFlags), AFTER_AD).jaxpr;
  return { t, lin, transposed, diff: mask };
}

/** Cotangents of the leaves (zeros for leaves not differentiated) from the outputs' cotangents (flat). */
function pullBack(parts: VjpParts, cts: readonly BindInput[]): Array[] {
  const linCts = cts.filter((_, i) => parts.lin.outLinear[i]);
  const back = replayJaxpr(parts.transposed, [...parts.lin.residuals, ...linCts]);
  let k = 0;
  return parts.t.avals.map((aval, i) => (parts.diff[i] ? asArray(back[k++]!, aval) : zerosLike(aval)));
}

/** `vjp(f, ...primals)`: `[out, vjpFn]`, where `vjpFn(cotangent)` returns one cotangent per primal (pytrees of their structure). */
export function vjp(f: (...args: never[]) => unknown, ...primals: unknown[]): [unknown, (cotangent: unknown) => unknown[]] {
  const parts = vjpParts(f as unknown as (...a: unknown[]) => unknown, primals, null, "vjp");
  const vjpFn = (cotangent: unknown): unknown[] => {
    const [leaves, tree] = flatten(cotangent, "cotangent");
    if (tree.key() !== parts.t.outTree.key()) throw new GradError("vjp: the cotangent must have the structure of the output");
    leaves.forEach((l, i) => {
      const want = parts.lin.outAvals[i]!;
      const got = inputAval(l, `cotangent leaf ${i}`, "vjp");
      if (got.shape.join() !== want.shape.join()) throw new GradError(`vjp: the cotangent for output leaf ${i} is ${avalStr(got)}, but the output is ${avalStr(want)}`);
    });
    return unflatten(parts.t.inTree, pullBack(parts, leaves as BindInput[])) as unknown[];
  };
  return [unflatten(parts.t.outTree, parts.lin.outs), vjpFn];
}

export interface GradOptions {
  /** The argument(s) to differentiate with respect to (default 0); an array gives an array of gradients. */
  readonly argnums?: number | readonly number[];
  /** `f` returns `[value, aux]`; the aux is returned as it is, not differentiated. */
  readonly hasAux?: boolean;
}

/** `valueAndGrad(f, options)`: `(...args) => [value, grad]` (or `[[value, aux], grad]` with hasAux). */
export function valueAndGrad(f: (...args: never[]) => unknown, options: GradOptions = {}): (...args: unknown[]) => [unknown, unknown] {
  return (...args: unknown[]) => gradCall(f as unknown as (...a: unknown[]) => unknown, args, options, "valueAndGrad");
}

/** `grad(f, options)`: the gradient of a scalar float function with respect to `argnums`. */
export function grad(f: (...args: never[]) => unknown, options: GradOptions = {}): (...args: unknown[]) => unknown {
  const vg = (...args: unknown[]) => gradCall(f as unknown as (...a: unknown[]) => unknown, args, options, "grad");
  return options.hasAux ? (...args: unknown[]) => {
    const [[, aux], g] = vg(...args) as [[unknown, unknown], unknown];
    return [g, aux];
  } : (...args: unknown[]) => vg(...args)[1];
}

function gradCall(f: (...a: unknown[]) => unknown, args: unknown[], options: GradOptions, op: string): [unknown, unknown] {
  const argnums = options.argnums ?? 0;
  const nums = typeof argnums === "number" ? [argnums] : [...argnums];
  const parts = vjpParts(f, args, (t) => diffMask(t, args, nums, op), op);
  // With hasAux the output is [value, aux]: the value is its first leaf, the aux the rest.
  const outTree = parts.t.outTree;
  if (options.hasAux && !(outTree.kind === "list" && outTree.children.length === 2 && outTree.children[0]!.numLeaves === 1)) {
    throw new GradError(`${op} with hasAux: the function must return [value, aux] with a scalar value`);
  }
  const outAvals = parts.lin.outAvals;
  const valueAval = outAvals[0];
  if (!valueAval || (!options.hasAux && outAvals.length !== 1) || valueAval.shape.length !== 0 || valueAval.dtype !== "float32") {
    const got = !options.hasAux && outAvals.length !== 1 ? `${outAvals.length} values` : valueAval ? avalStr(valueAval) : "nothing";
    throw new GradError(`${op}: the function must return a float32 scalar, got ${got}; reduce it (e.g. np.sum or np.mean), or use vjp or jacrev for other outputs`);
  }
  const cts: BindInput[] = outAvals.map((a, i) => (i === 0 ? new TypedScalar(1, "float32") : zerosLike(a)));
  const perArg = unflatten(parts.t.inTree, pullBack(parts, cts)) as unknown[];
  const g = typeof argnums === "number" ? perArg[argnums] : nums.map((n) => perArg[n]);
  if (!options.hasAux) return [parts.lin.outs[0], g];
  const aux = unflatten(outTree.children[1]!, parts.lin.outs.slice(1));
  return [[parts.lin.outs[0], aux], g];
}

/**
 * `stopGradient(x)`: x itself, but differentiation treats it as a constant
 * (its tangent and cotangent are zero), like `jax.lax.stop_gradient`.
 */
export function stopGradient(x: Array | number): Array {
  return bind1("stop_gradient", {}, [x]);
}
