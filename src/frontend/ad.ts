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
import { linearizeJaxpr } from "../passes/ad/linearizeJaxpr.js";
import { transposeJaxpr } from "../passes/ad/transpose.js";
import { checkedPasses, runPipeline } from "../passes/pipeline.js";
// Before differentiation: calls inlined (their bodies are differentiated in place), loop-invariant carries hoisted;
// after: each derived program cleaned up. The same strings as `tsjax dump --grad` shows.
import { AFTER_AD, BEFORE_AD, LINEAR_CLEANUP } from "../passes/ad/gradientSteps.js";
import { verifyLinear } from "../passes/ad/verifyLinear.js";
import { Array } from "./array.js";
import { type BindInput, bind1 } from "./bind.js";
import { type TreeDef, flatten, unflatten } from "./pytree.js";
import { replayJaxpr } from "./replay.js";
import { TypedScalar } from "./scalar.js";
import { type FlatOut, inputAval, traceFlat } from "./tracing.js";
import { vmap } from "./vmap.js";

export class GradError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = "GradError";
  }
}


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
  /** Per output: has a tangent output (float32 outputs do), computed by the linear program. */
  readonly outTangents: readonly boolean[];
  /** (residuals as constvars; tangents of the differentiated leaves…) → (one tangent per output that has one). */
  readonly linear: Jaxpr;
  readonly residuals: readonly BindInput[];
}

/** Forward mode, then partial evaluation (passes/ad/linearizeJaxpr.ts): the primal outputs now, and the linear map from input tangents to output tangents. */
function linearizeTraced(t: Traced, diff: readonly boolean[]): Linearized {
  const lin = linearizeJaxpr(t.jaxpr, [...t.captures.map(() => false), ...diff]);
  // In checked mode (tests, debugging) the linear part must be linear in the tangents: a wrong jvp rule shows here, named.
  if (checkedPasses()) verifyLinear(lin.linear, lin.linear.invars.map(() => true));
  const inputs: BindInput[] = [...t.captures, ...(t.leaves as BindInput[])];
  // The known part returns the primal outputs, then the residuals it computes.
  const knownOuts = replayJaxpr(runPipeline(lin.known, AFTER_AD).jaxpr, inputs);
  const nOut = t.jaxpr.outvars.length;
  const residuals = lin.residuals.map((r) => (r.kind === "output" ? knownOuts[nOut + r.index]! : inputs[r.index]!));
  const outAvals = t.jaxpr.outvars.map((o) => o.aval);
  const outs = knownOuts.slice(0, nOut).map((o, i) => asArray(o, outAvals[i]!));
  return { outs, outAvals, outTangents: lin.outTangents, linear: runPipeline(lin.linear, LINEAR_CLEANUP).jaxpr, residuals };
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
  if (tTree.key() !== t.inTree.key()) {
    throw new GradError(`jvp: tangents must have the structure of primals (a tangent per primal leaf): the primals are ${t.inTree.toString()}, the tangents ${tTree.toString()}`);
  }
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
  return lin.outAvals.map((aval, i) => (lin.outTangents[i] ? asArray(linOuts[k++]!, aval) : zerosLike(aval)));
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
    if (tree.key() !== t.inTree.key()) throw new GradError(`linearize: the tangents must have the structure of the primals: the primals are ${t.inTree.toString()}, the tangents ${tree.toString()}`);
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
  // The residuals are the linear part's constvars: the transpose takes them first, then one cotangent per tangent output.
  const transposed = runPipeline(transposeJaxpr(lin.linear, lin.linear.invars.map(() => true)), AFTER_AD).jaxpr;
  return { t, lin, transposed, diff: mask };
}

/** Cotangents of the leaves (zeros for leaves not differentiated) from the outputs' cotangents (flat). */
function pullBack(parts: VjpParts, cts: readonly BindInput[]): Array[] {
  const linCts = cts.filter((_, i) => parts.lin.outTangents[i]);
  const back = replayJaxpr(parts.transposed, [...parts.lin.residuals, ...linCts]);
  let k = 0;
  return parts.t.avals.map((aval, i) => (parts.diff[i] ? asArray(back[k++]!, aval) : zerosLike(aval)));
}

/** `vjp(f, ...primals)`: `[out, vjpFn]`, where `vjpFn(cotangent)` returns one cotangent per primal (pytrees of their structure). */
export function vjp(f: (...args: never[]) => unknown, ...primals: unknown[]): [unknown, (cotangent: unknown) => unknown[]] {
  const parts = vjpParts(f as unknown as (...a: unknown[]) => unknown, primals, null, "vjp");
  const vjpFn = (cotangent: unknown): unknown[] => {
    const [leaves, tree] = flatten(cotangent, "cotangent");
    if (tree.key() !== parts.t.outTree.key()) {
      throw new GradError(`vjp: the cotangent must have the structure of the output: the output is ${parts.t.outTree.toString()}, the cotangent ${tree.toString()}`);
    }
    const outPaths = parts.t.outTree.leafPaths("output");
    leaves.forEach((l, i) => {
      const want = parts.lin.outAvals[i]!;
      const got = inputAval(l, `cotangent for ${outPaths[i]}`, "vjp");
      if (got.shape.join() !== want.shape.join()) throw new GradError(`vjp: the cotangent for ${outPaths[i]} is ${avalStr(got)}, but ${outPaths[i]} is ${avalStr(want)}; a cotangent has the output's shape`);
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
    throw new GradError(`${op} with hasAux: the function must return [value, aux] with value a float32 scalar, but it returned ${outTree.toString()}; without an aux output, leave hasAux off`);
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

// Jacobians. Both build the standard basis of one side and map a linear
// function over it with vmap: jacfwd pushes the input basis forward with jvp
// (one column per input element), jacrev pulls the output basis back with
// the vjp function (one row per output element). The result for an output
// leaf of shape O and an input leaf of shape I has shape O ++ I, as in JAX;
// its structure is the output's tree of the inputs' trees.

export interface JacobianOptions {
  /** The argument(s) to differentiate with respect to (default 0); an array gives, per output leaf, an array of Jacobians. */
  readonly argnums?: number | readonly number[];
  /**
   * `f` returns `[out, aux]`: the Jacobian is of `out`, and the result is
   * `[jacobian, aux]` with `aux` as `f` returns it (jacfwd and jacrev only).
   */
  readonly hasAux?: boolean;
}

/** `f` without its aux output, and a way to get the aux at the arguments (one more call of `f`; under jit, its unused part is removed). */
function splitAux(f: (...a: unknown[]) => unknown, op: string): { out: (...a: unknown[]) => unknown; aux: (...a: unknown[]) => unknown } {
  const pair = (...a: unknown[]): readonly [unknown, unknown] => {
    const r = f(...a);
    if (!globalThis.Array.isArray(r) || r.length !== 2) throw new GradError(`${op} with hasAux: the function must return [out, aux], got ${globalThis.Array.isArray(r) ? `a list of ${r.length}` : typeof r}; turn hasAux off if it returns only the output`);
    return r as unknown as readonly [unknown, unknown];
  };
  return { out: (...a) => pair(...a)[0], aux: (...a) => pair(...a)[1] };
}

/** The differentiated arguments of a call: checked, with the rest held fixed. */
interface DiffArgs {
  /** The arguments in `argnums`, as one pytree (the argument itself, or a list of them). */
  readonly x: unknown;
  /** f as a function of that pytree alone. */
  readonly g: (x: unknown) => unknown;
  readonly leaves: readonly Array[];
  readonly tree: TreeDef;
}

function diffArgs(f: (...a: unknown[]) => unknown, args: readonly unknown[], argnums: number | readonly number[], op: string): DiffArgs {
  const nums = typeof argnums === "number" ? [argnums] : [...argnums];
  for (const a of nums) {
    if (!Number.isInteger(a) || a < 0 || a >= args.length) throw new GradError(`${op}: argnums ${a} is out of range for a call with ${args.length} argument${args.length === 1 ? "" : "s"}`);
  }
  const x = typeof argnums === "number" ? args[argnums] : nums.map((n) => args[n]);
  const root = typeof argnums === "number" ? `args[${argnums}]` : "args";
  const [leaves, tree] = flatten(x, root);
  const paths = typeof argnums === "number" ? tree.leafPaths(root) : tree.leafPaths("").map((p) => p.replace(/^\[(\d+)\]/, (_, k: string) => `args[${nums[Number(k)]}]`));
  const arrays = leaves.map((l, i) => {
    const aval = inputAval(l, paths[i]!, op);
    if (aval.dtype !== "float32") {
      throw new GradError(`${op}: ${paths[i]} is ${avalStr(aval)}; only float32 inputs can be differentiated (integer and bool inputs have zero tangents: pass them in an argument you do not differentiate)`);
    }
    return l instanceof Array ? l : Array.fromValue(scalarValue("float32", l as number));
  });
  const g = (xNew: unknown): unknown => {
    const full = [...args];
    if (typeof argnums === "number") full[argnums] = xNew;
    else nums.forEach((n, i) => (full[n] = (xNew as unknown[])[i]));
    return f(...full);
  };
  return { x: unflatten(tree, arrays), g, leaves: arrays, tree };
}

/** The identity of size n×n split into one block per shape: block i has shape [n, ...shapes[i]]. */
function basisBlocks(shapes: readonly (readonly number[])[]): Array[] {
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  const n = sizes.reduce((a, b) => a + b, 0);
  let offset = 0;
  return shapes.map((shape, i) => {
    const size = sizes[i]!;
    const data = new Float32Array(n * size);
    for (let r = 0; r < size; r++) data[(offset + r) * size + r] = 1;
    offset += size;
    return Array.fromValue({ dtype: "float32", shape: [n, ...shape], data });
  });
}

/** Rows [start, start + count) of axis 0 of a [n, ...rest] array, reshaped to [...lead, ...rest]. */
function rowsAs(x: Array, start: number, count: number, lead: readonly number[]): Array {
  const rest = x.shape.slice(1);
  const rows = bind1("slice", { start_indices: [start, ...rest.map(() => 0)], limit_indices: [start + count, ...rest], strides: null }, [x]);
  return bind1("reshape", { new_sizes: [...lead, ...rest] }, [rows]);
}

/** Moves the leading `k` axes of `x` to the end. */
function leadingAxesLast(x: Array, k: number): Array {
  const r = x.shape.length;
  if (k === 0 || k === r) return x;
  const perm = [...Array_from(r - k, (i) => i + k), ...Array_from(k, (i) => i)];
  return bind1("transpose", { permutation: perm }, [x]);
}

/** Sizes of shapes. */
const sizesOf = (shapes: readonly (readonly number[])[]): number[] => shapes.map((s) => s.reduce((a, b) => a * b, 1));

/**
 * `jacfwd(f, { argnums })`: the Jacobian by forward mode, `vmap` of `jvp`
 * over the standard basis of the inputs; for output O and input I the block
 * has shape O ++ I. Cheaper than jacrev when the inputs are smaller than the outputs.
 */
export function jacfwd(f: (...args: never[]) => unknown, options: JacobianOptions = {}): (...args: unknown[]) => unknown {
  if (options.hasAux) {
    const { out, aux } = splitAux(f as unknown as (...a: unknown[]) => unknown, "jacfwd");
    const jac = jacfwd(out, { ...options, hasAux: false });
    return (...args: unknown[]) => [jac(...args), aux(...args)];
  }
  return (...args: unknown[]) => {
    const d = diffArgs(f as unknown as (...a: unknown[]) => unknown, args, options.argnums ?? 0, "jacfwd");
    const inShapes = d.leaves.map((l) => l.shape);
    const inSizes = sizesOf(inShapes);
    const pushforward = (...basis: Array[]): unknown => jvp(d.g, [d.x], [unflatten(d.tree, basis)])[1];
    // Output leaves of shape [n, ...O]: column j of the Jacobian along axis 0.
    const columns = vmap(pushforward)(...basisBlocks(inShapes));
    const [outLeaves, outTree] = flatten(columns, "output");
    const blocks = (outLeaves as Array[]).map((col) => {
      let start = 0;
      return unflatten(d.tree, inShapes.map((shape, i) => {
        const block = rowsAs(col, start, inSizes[i]!, shape);
        start += inSizes[i]!;
        return leadingAxesLast(block, shape.length);
      }));
    });
    return unflatten(outTree, blocks);
  };
}

/**
 * `jacrev(f, { argnums })`: the Jacobian by reverse mode, `vmap` of the vjp
 * function over the standard basis of the outputs' cotangents; same shapes as
 * jacfwd. Cheaper when the outputs are smaller than the inputs.
 */
export function jacrev(f: (...args: never[]) => unknown, options: JacobianOptions = {}): (...args: unknown[]) => unknown {
  if (options.hasAux) {
    const { out, aux } = splitAux(f as unknown as (...a: unknown[]) => unknown, "jacrev");
    const jac = jacrev(out, { ...options, hasAux: false });
    return (...args: unknown[]) => [jac(...args), aux(...args)];
  }
  return (...args: unknown[]) => {
    const d = diffArgs(f as unknown as (...a: unknown[]) => unknown, args, options.argnums ?? 0, "jacrev");
    const [out, vjpFn] = vjp(d.g, d.x);
    const [outLeaves, outTree] = flatten(out, "output");
    const outShapes = (outLeaves as Array[]).map((o) => o.shape);
    outLeaves.forEach((o, i) => {
      const a = (o as Array).aval;
      if (a.dtype !== "float32") throw new GradError(`jacrev: output ${outTree.leafPaths("output")[i]} is ${avalStr(a)}; only float32 outputs have a Jacobian`);
    });
    const outSizes = sizesOf(outShapes);
    const pullback = (...basis: Array[]): unknown => vjpFn(unflatten(outTree, basis))[0];
    // Input leaves of shape [m, ...I]: row k of the Jacobian along axis 0.
    const rows = vmap(pullback)(...basisBlocks(outShapes));
    const [inLeaves] = flatten(rows, "cotangents");
    let start = 0;
    const blocks = outShapes.map((shape, j) => {
      const b = unflatten(d.tree, (inLeaves as Array[]).map((r) => rowsAs(r, start, outSizes[j]!, shape)));
      start += outSizes[j]!;
      return b;
    });
    return unflatten(outTree, blocks);
  };
}

/** `hessian(f, { argnums })`: `jacfwd(jacrev(f))`, the matrix of second derivatives of a scalar f (shape I ++ I for an input of shape I). */
export function hessian(f: (...args: never[]) => unknown, options: Omit<JacobianOptions, "hasAux"> = {}): (...args: unknown[]) => unknown {
  const { argnums } = options;
  return jacfwd(jacrev(f, { argnums }), { argnums });
}
