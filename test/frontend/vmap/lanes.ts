// The per-lane oracle for vmap tests (JAX's `_CheckBatching`): slice every
// mapped argument lane by lane *in plain JS* (nested arrays, no tsjax ops),
// call the un-vmapped function eagerly on each lane, and stack the lane
// results, again in plain JS. `vmap(f)` must equal that stack.
//
// Also here: a seeded random source (tests never depend on Math.random), and a
// spy on the interpreter's `while` that counts how often a loop body ran (the
// masked-loop iteration count is not observable through the public API).

import { expect, vi } from "vitest";
import { impls, type Impl } from "../../../src/backends/interpreter/index.js";
import { type AxisSpec, type VmapOptions, flatten, flattenWithPaths, np, unflatten, vmap } from "../../../src/index.js";
import { expectAllClose } from "../../helpers/allclose.js";
import type { Run } from "../../helpers/backends.js";
import { mulberry32 as rng } from "../../helpers/random.js";

export type Nested = number | boolean | Nested[];

export const int = (v: Nested) => np.array(v, { dtype: "int32" });
export const bool = (v: Nested) => np.array(v, { dtype: "bool" });
export const f32 = (v: Nested) => np.array(v, { dtype: "float32" });

/** Lane `lane` of nested data along `axis` (numpy's `take(x, lane, axis)`). */
export function laneOf(v: Nested, axis: number, lane: number): Nested {
  if (!Array.isArray(v)) throw new Error(`laneOf: axis ${axis} is past the data's rank`);
  return axis === 0 ? v[lane]! : v.map((row) => laneOf(row, axis - 1, lane));
}

/** Stacks equal-shaped lane values along a new axis `axis` (numpy's `stack(lanes, axis)`). */
export function stackAt(lanes: readonly Nested[], axis: number): Nested {
  if (axis === 0) return [...lanes];
  const first = lanes[0];
  if (!Array.isArray(first)) throw new Error(`stackAt: axis ${axis} is past the lanes' rank`);
  return first.map((_, j) => stackAt(lanes.map((l) => (l as Nested[])[j]!), axis - 1));
}

const rankOf = (v: Nested): number => (Array.isArray(v) ? 1 + rankOf(v[0]!) : 0);

function sliceLeaf(leaf: unknown, axis: number, lane: number): np.Array {
  if (!(leaf instanceof np.Array)) throw new Error(`oracle: only arrays can be mapped, got ${String(leaf)}`);
  const data = leaf.toArray() as Nested;
  const a = axis < 0 ? axis + rankOf(data) : axis;
  return np.array(laneOf(data, a, lane), { dtype: leaf.dtype });
}

/** One lane of an argument pytree under an inAxes (prefix) spec. */
function sliceTree(value: unknown, spec: AxisSpec, lane: number): unknown {
  if (spec === null) return value;
  if (typeof spec === "number") {
    const [leaves, def] = flatten(value);
    return unflatten(def, leaves.map((l) => sliceLeaf(l, spec, lane)));
  }
  if (Array.isArray(spec)) return (value as unknown[]).map((v, i) => sliceTree(v, (spec as AxisSpec[])[i]!, lane));
  const obj = value as Record<string, unknown>;
  if (Object.getPrototypeOf(obj) !== Object.prototype) throw new Error("oracle: per-field specs are supported for plain objects only");
  return Object.fromEntries(Object.keys(obj).map((k) => [k, sliceTree(obj[k], (spec as Record<string, AxisSpec>)[k]!, lane)]));
}

/** The lane count from the first mapped leaf (the oracle needs it before calling f). */
function sizeOf(args: readonly unknown[], inAxes: AxisSpec, axisSize: number | undefined): number {
  if (axisSize !== undefined) return axisSize;
  let size: number | undefined;
  const walk = (value: unknown, spec: AxisSpec): void => {
    if (spec === null || size !== undefined) return;
    if (typeof spec === "number") {
      const [leaves] = flatten(value);
      const leaf = leaves[0] as np.Array | undefined;
      if (leaf) size = leaf.shape[spec < 0 ? spec + leaf.ndim : spec];
      return;
    }
    if (Array.isArray(spec)) (value as unknown[]).forEach((v, i) => walk(v, (spec as AxisSpec[])[i]!));
    else Object.keys(spec).forEach((k) => walk((value as Record<string, unknown>)[k], (spec as Record<string, AxisSpec>)[k]!));
  };
  walk(args, Array.isArray(inAxes) ? inAxes : args.map(() => inAxes));
  if (size === undefined) throw new Error("oracle: no mapped argument and no axisSize");
  return size;
}

/** `f` called eagerly on every lane of `args` (JAX's per-lane reference). */
export function perLane(f: (...args: never[]) => unknown, args: readonly unknown[], inAxes: AxisSpec = 0, axisSize?: number): unknown[] {
  const perArg = Array.isArray(inAxes) ? (inAxes as AxisSpec[]) : args.map(() => inAxes);
  const size = sizeOf(args, inAxes, axisSize);
  return Array.from({ length: size }, (_, lane) => (f as (...a: unknown[]) => unknown)(...(sliceTree(args, perArg, lane) as unknown[])));
}

const nestedOf = (leaf: unknown): Nested => (leaf instanceof np.Array ? (leaf.toArray() as Nested) : (leaf as number | boolean));

/**
 * Asserts `vmap(f, options)(...args)` equals the per-lane results stacked at
 * `options.outAxes` (a single number for every leaf; default 0): same tree
 * structure, same dtypes, allclose values. Returns the vmapped result.
 * `run` computes the vmapped function (eagerly by default, or through jit on
 * a backend: test/helpers/backends.ts); the per-lane reference is always eager.
 */
export function expectMatchesPerLane(
  f: (...args: never[]) => unknown,
  options: VmapOptions & { outAxes?: number },
  args: readonly unknown[],
  tol: { rtol?: number; atol?: number } = {},
  run: Run = (g) => g,
): unknown {
  const actual = run(vmap(f, options))(...(args as never[]));
  const lanes = perLane(f, args, options.inAxes === undefined ? 0 : options.inAxes, options.axisSize);
  const [got, gotDef] = flattenWithPaths(actual, "output");
  const laneLeaves = lanes.map((l) => flattenWithPaths(l, "output"));
  expect(got.map(([p]) => p)).toEqual(laneLeaves[0]![0].map(([p]) => p));
  expect(gotDef.numLeaves).toBe(laneLeaves[0]![1].numLeaves);
  got.forEach(([path, leaf], i) => {
    const laneLeaf = laneLeaves[0]![0][i]![1];
    if (laneLeaf instanceof np.Array) expect(`${path}: ${(leaf as np.Array).dtype}`).toBe(`${path}: ${laneLeaf.dtype}`);
    const expected = stackAt(laneLeaves.map(([entries]) => nestedOf(entries[i]![1])), options.outAxes ?? 0);
    expectAllClose(leaf, expected, tol);
  });
  return actual;
}

// ---------------------------------------------------------------- random data

export { rng };

/** Standard-normal float32 values (Box-Muller) in a nested array of `shape`, like numpy's `randn`. */
export function randn(next: () => number, shape: readonly number[]): Nested {
  if (shape.length === 0) {
    const u = 1 - next(), v = next();
    return Math.fround(Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
  return Array.from({ length: shape[0]! }, () => randn(next, shape.slice(1)));
}

// ---------------------------------------------------------------- loop iteration counts

/**
 * Runs `fn` and reports, for every `while` the interpreter executed (in
 * order of completion, so inner loops come first), how many times its body
 * ran. A batched-predicate loop runs until its slowest lane is done, so this
 * is max(trip counts) for a masked loop.
 */
export function countWhileBodyRuns<T>(fn: () => T): { result: T; bodyRuns: number[] } {
  const table = impls as unknown as { while: Impl<"while"> };
  const original = table.while;
  const bodyRuns: number[] = [];
  const spy = vi.spyOn(table, "while").mockImplementation((args, params, outAvals, ctx) => {
    let runs = 0;
    const counting: typeof ctx = {
      ...ctx,
      evalJaxpr: (j, consts, xs, mask) => {
        if (j === params.body_jaxpr) runs++;
        return ctx.evalJaxpr(j, consts, xs, mask);
      },
    };
    const out = original(args, params, outAvals, counting);
    bodyRuns.push(runs);
    return out;
  });
  try {
    return { result: fn(), bodyRuns };
  } finally {
    spy.mockRestore();
  }
}
