// checkGrads: automatic derivatives against finite differences, for users to
// test their own functions (and for tsjax's own tests). It follows JAX's
// `check_grads` (jax/_src/public_test_util.py):
//
// - fwd: `jvp(f)` at a random normal tangent against the central difference
//   (f(x + eps·t) − f(x − eps·t)) / 2eps;
// - rev: `vjp(f)` at a random normal cotangent c, through the inner-product
//   identity <t, vjp(c)> ≈ <numerical jvp(t), c> (one number per check, so
//   a large Jacobian costs two evaluations of f, not one per column);
// - order n: the same checks on the jvp (`(x, t) => jvp(f, x, t)`) and on the
//   vjp at the output itself (`x => vjpFn(f(x))`), recursively.
//
// One refinement over JAX: AD is evaluated along the direction the finite
// difference actually took, (x⁺ − x⁻) / 2eps after rounding x ± eps·t to
// float32, instead of t itself; at |x| ~ 1 the two differ by ~1e-3, which in
// float32 would otherwise eat most of the tolerance.
//
// Only float32 leaves are perturbed; integer and bool leaves take zero
// tangents, and integer outputs are compared as values only. Tolerances are
// JAX's float32 defaults, scaled by the size of the compared leaf as JAX's
// `check_close` does. The random directions come from a seeded generator,
// so a failure reproduces.

import { type ArrayValue } from "../ir/core.js";
import { type DType, allocStorage, avalStr, sizeOf } from "../ir/dtype.js";
import { scalarValue } from "../ir/value.js";
import { jvp, vjp } from "./ad.js";
import { Array } from "./array.js";
import { type TreeDef, flatten, unflatten } from "./pytree.js";
import { TypedScalar } from "./scalar.js";

export type GradMode = "fwd" | "rev";

export interface CheckGradsOptions {
  /** Highest derivative order to check (default 1). */
  readonly order?: number;
  /** Forward (jvp) and/or reverse (vjp) mode (default both). */
  readonly modes?: readonly GradMode[];
  /** Finite-difference step (default 1e-4, JAX's EPS). */
  readonly eps?: number;
  /** Absolute tolerance per element, scaled by the leaf's size (default 2e-3, JAX's float32 gradient tolerance). */
  readonly atol?: number;
  /** Relative tolerance per element, scaled by the leaf's size (default 2e-3). */
  readonly rtol?: number;
  /** Seed of the random tangents and cotangents (default 0). */
  readonly seed?: number;
  /**
   * How every function checkGrads evaluates is called: `f` itself, its jvp
   * `(primals, tangents) => [out, tangentOut]` and its vjp
   * `(primals, cotangent) => [out, cotangents]`. Default: as they are; pass
   * `(g) => jit(g)` to check the derivatives compiled.
   */
  readonly run?: <F extends (...args: never[]) => unknown>(g: F) => F;
}

export class CheckGradsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckGradsError";
  }
}

const EPS = 1e-4;
const FLOAT32_GRADIENT_TOLERANCE = 2e-3;

type Fn = (...args: unknown[]) => unknown;

/** A seeded standard-normal generator (mulberry32 + Box–Muller), so the directions are the same on every run. */
function normalGenerator(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** A leaf as a concrete array value; JS numbers are float32 scalars (the dtype they are differentiated in). */
function leafValue(x: unknown, path: string): ArrayValue {
  if (x instanceof Array) return x.concrete(`checkGrads (${path})`);
  if (x instanceof TypedScalar) return scalarValue(x.dtype, x.value);
  if (typeof x === "number") return scalarValue("float32", x);
  if (typeof x === "boolean") return scalarValue("bool", x);
  throw new CheckGradsError(`checkGrads: ${path} is ${String(x)}; arguments and outputs must be arrays or numbers`);
}

interface Flat {
  readonly values: readonly ArrayValue[];
  readonly paths: readonly string[];
  readonly tree: TreeDef;
}

function flat(tree: unknown, root: string): Flat {
  const [leaves, def] = flatten(tree, root);
  const paths = def.leafPaths(root);
  return { values: leaves.map((l, i) => leafValue(l, paths[i]!)), paths, tree: def };
}

const isFloat = (v: ArrayValue): boolean => v.dtype === "float32";

function toArray(dtype: DType, shape: readonly number[], data: ArrayLike<number>): Array {
  const storage = allocStorage(dtype, sizeOf(shape));
  for (let i = 0; i < storage.length; i++) storage[i] = data[i]!;
  return Array.fromValue({ dtype, shape: [...shape], data: storage });
}

/** Random normal values of each float leaf's shape; zeros for integer and bool leaves (they take no tangent). */
function randLike(x: Flat, normal: () => number): Array[] {
  return x.values.map((v) => toArray(v.dtype, v.shape, isFloat(v) ? Float64Array.from(v.data, () => normal()) : new Float64Array(v.data.length)));
}

/** x + s·t on the float leaves, rounded to float32 (as JAX perturbs, in the argument's dtype); other leaves unchanged. */
function axpy(x: Flat, t: readonly Array[], s: number): Array[] {
  return x.values.map((v, i) => {
    if (!isFloat(v)) return Array.fromValue(v);
    const td = t[i]!.concrete("checkGrads").data;
    return toArray("float32", v.shape, Float64Array.from(v.data, (xv, k) => xv + s * td[k]!));
  });
}

interface NumericalJvp {
  /**
   * The direction the finite difference actually took: (x⁺ − x⁻) / 2eps per
   * element, which rounding x ± eps·t to float32 moves off t by up to
   * ulp(x) / eps (~1e-3 relative at |x| ~ 1). AD is evaluated along this
   * direction, so that rounding is not mistaken for a wrong derivative.
   */
  readonly tangent: Array[];
  /** (f(x⁺) − f(x⁻)) / 2eps per output leaf, in double (zeros for non-float outputs). */
  readonly out: Float64Array[];
}

function numericalJvp(f: Fn, x: Flat, t: readonly Array[], eps: number): NumericalJvp {
  const xPlus = axpy(x, t, eps);
  const xMinus = axpy(x, t, -eps);
  const tangent = x.values.map((v, i) => {
    if (!isFloat(v)) return t[i]!;
    const p = xPlus[i]!.concrete("checkGrads").data, m = xMinus[i]!.concrete("checkGrads").data;
    return toArray("float32", v.shape, Float64Array.from(p, (pv, k) => (pv - m[k]!) / (2 * eps)));
  });
  const plus = flat(f(...(unflatten(x.tree, xPlus) as unknown[])), "output");
  const minus = flat(f(...(unflatten(x.tree, xMinus) as unknown[])), "output");
  const out = plus.values.map((p, i) => {
    const m = minus.values[i]!;
    return isFloat(p) ? Float64Array.from(p.data, (pv, k) => (pv - m.data[k]!) * (0.5 / eps)) : new Float64Array(p.data.length);
  });
  return { tangent, out };
}

/** Σ over float leaves of x·y in double, and Σ|x·y|: the magnitude of the terms, which a rounding error in them is relative to. */
function innerProduct(xs: readonly ArrayLike<number>[], ys: readonly ArrayLike<number>[], float: readonly boolean[]): { value: number; scale: number } {
  let value = 0, scale = 0;
  xs.forEach((x, i) => {
    if (!float[i]) return;
    const y = ys[i]!;
    for (let k = 0; k < x.length; k++) {
      value += x[k]! * y[k]!;
      scale += Math.abs(x[k]! * y[k]!);
    }
  });
  return { value, scale };
}

interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/**
 * JAX's check_close on one leaf: |got − want| ≤ atol·n + rtol·n·|want| with n
 * the leaf's size; NaN only matches NaN.
 */
function checkClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance, what: () => string, wantName: string): void {
  const n = Math.max(1, got.length);
  const atol = tol.atol * n;
  const rtol = tol.rtol * n;
  if (got.length !== want.length) throw new CheckGradsError(`checkGrads: ${what()}: AD gives ${got.length} elements, ${wantName} ${want.length}`);
  for (let k = 0; k < got.length; k++) {
    const g = got[k]!, w = want[k]!;
    if (Number.isNaN(g) && Number.isNaN(w)) continue;
    if (g === w) continue;
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w))) {
      const at = got.length === 1 ? "" : `, element ${k}`;
      throw new CheckGradsError(`checkGrads: ${what()}${at}: AD gives ${g}, ${wantName} gives ${w}; |difference| ${Math.abs(g - w)} exceeds atol ${atol} + rtol ${rtol} × ${Math.abs(w)} (tolerances scaled by the size ${n})`);
    }
  }
}

/** Leaves to compare against: of arrays, or of values computed in double. */
interface Expected {
  readonly tree: TreeDef;
  readonly values: readonly { readonly dtype: DType; readonly shape: readonly number[]; readonly data: ArrayLike<number> }[];
}

function checkLeaves(got: Flat, want: Expected, tol: Tolerance, label: string, part: string, wantName: string): void {
  if (got.tree.key() !== want.tree.key()) throw new CheckGradsError(`checkGrads: ${label}: AD's ${part} has the structure ${got.tree.toString()}, ${wantName}'s ${want.tree.toString()}`);
  got.values.forEach((g, i) => {
    const w = want.values[i]!;
    if (g.shape.join() !== w.shape.join()) {
      throw new CheckGradsError(`checkGrads: ${label}: AD's ${part} of ${got.paths[i]} is ${avalStr(g)}, ${wantName}'s is ${avalStr(w)}`);
    }
    checkClose(g.data, w.data, tol, () => `${label}: ${part} of ${got.paths[i]}`, wantName);
  });
}

interface Ctx extends Tolerance {
  readonly eps: number;
  readonly seed: number;
  readonly run: (g: Fn) => Fn;
}

/** jvp(f) at a random tangent against central differences; the primal output against f itself. */
function checkJvp(f: Fn, args: readonly unknown[], ctx: Ctx, label: string): void {
  const x = flat([...args], "args");
  const numeric = numericalJvp(ctx.run(f), x, randLike(x, normalGenerator(ctx.seed)), ctx.eps);
  const fJvp = ctx.run((primals, tangents) => jvp(f, primals as unknown[], tangents as unknown[]));
  const [out, tangentOut] = fJvp([...args], unflatten(x.tree, numeric.tangent)) as [unknown, unknown];
  const expected = flat(ctx.run(f)(...args), "output");
  checkLeaves(flat(out, "output"), expected, ctx, label, "primal value", "f");
  const t = flat(tangentOut, "output");
  checkLeaves(t, { ...expected, values: expected.values.map((v, i) => ({ ...v, data: isFloat(v) ? numeric.out[i]! : v.data.map(() => 0) })) }, ctx, label, "tangent", "the finite difference");
}

/** vjp(f) at a random cotangent c, by <t, vjp(c)> ≈ <numerical jvp(t), c> for a random t. */
function checkVjp(f: Fn, args: readonly unknown[], ctx: Ctx, label: string): void {
  const x = flat([...args], "args");
  const normal = normalGenerator(ctx.seed);
  const expected = flat(ctx.run(f)(...args), "output");
  const tangent = randLike(x, normal);
  const cotangent = randLike(expected, normal);
  const fVjp = ctx.run((primals, ct) => {
    const [out, back] = vjp(f, ...(primals as unknown[]));
    return [out, back(ct)];
  });
  const [out, cts] = fVjp([...args], unflatten(expected.tree, cotangent)) as [unknown, unknown[]];
  checkLeaves(flat(out, "output"), expected, ctx, label, "primal value", "f");
  const ctIn = flat(cts, "args");
  const numeric = numericalJvp(ctx.run(f), x, tangent, ctx.eps);
  const ip = innerProduct(numeric.tangent.map((t) => t.concrete("checkGrads").data), ctIn.values.map((v) => v.data), x.values.map(isFloat));
  const ipExpected = innerProduct(numeric.out, cotangent.map((c) => c.concrete("checkGrads").data), expected.values.map(isFloat));
  // The products summed may cancel (a small result from large terms), so the
  // relative tolerance applies to the magnitude of the terms, Σ|tᵢ·vjp(c)ᵢ|,
  // as JAX's per-element tolerance would to each term.
  const scale = Math.max(ip.scale, ipExpected.scale);
  const diff = Math.abs(ip.value - ipExpected.value);
  if (!(diff <= ctx.atol + ctx.rtol * scale) && !(Number.isNaN(ip.value) && Number.isNaN(ipExpected.value))) {
    throw new CheckGradsError(
      `checkGrads: ${label}: <t, vjp(c)> (AD) = ${ip.value} vs <numerical jvp(t), c> (finite differences) = ${ipExpected.value} at random t, c: ` +
        `|difference| ${diff} exceeds atol ${ctx.atol} + rtol ${ctx.rtol} × ${scale} (the terms' magnitude Σ|tᵢ·vjp(c)ᵢ|)`,
    );
  }
}

/**
 * `checkGrads(f, args, options)`: checks f's derivatives at `args` up to
 * `order` in the given modes against finite differences, as JAX's
 * `check_grads`; throws a CheckGradsError naming the check (JVP, VJP, JVP of
 * VJP…, the order), the leaf, the two values and the tolerance.
 */
export function checkGrads(f: (...args: never[]) => unknown, args: readonly unknown[], options: CheckGradsOptions = {}): void {
  const order = options.order ?? 1;
  if (!Number.isInteger(order) || order < 1) throw new CheckGradsError(`checkGrads: order must be a positive integer, got ${order}`);
  const modes = options.modes ?? ["fwd", "rev"];
  for (const m of modes) if (m !== "fwd" && m !== "rev") throw new CheckGradsError(`checkGrads: modes may hold "fwd" and "rev", got ${JSON.stringify(m)}`);
  const run = options.run as ((g: Fn) => Fn) | undefined;
  const ctx: Ctx = {
    eps: options.eps ?? EPS,
    atol: options.atol ?? FLOAT32_GRADIENT_TOLERANCE,
    rtol: options.rtol ?? FLOAT32_GRADIENT_TOLERANCE,
    seed: options.seed ?? 0,
    run: run ?? ((g) => g),
  };
  const check = (g: Fn, gArgs: readonly unknown[], left: number, of: string): void => {
    const depth = order - left + 1;
    if (modes.includes("fwd")) {
      const label = `JVP${of} (mode fwd, order ${depth})`;
      checkJvp(g, gArgs, ctx, label);
      if (left > 1) check((primals, tangents) => jvp(g, primals as unknown[], tangents as unknown[]), [gArgs, gArgs], left - 1, ` of JVP${of}`);
    }
    if (modes.includes("rev")) {
      const label = `VJP${of} (mode rev, order ${depth})`;
      checkVjp(g, gArgs, ctx, label);
      if (left > 1) {
        // The vjp at the output itself: a function of the same arguments.
        const pullOut = (...a: unknown[]): unknown => {
          const [out, back] = vjp(g, ...a);
          return back(out);
        };
        check(pullOut, gArgs, left - 1, ` of VJP${of}`);
      }
    }
  };
  check(f as unknown as Fn, args, order, "");
}
