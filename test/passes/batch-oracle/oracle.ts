// The batching oracle (JAX's `_CheckBatching` in tests/lax_vmap_test.py):
//
//   vmap(f, dims)(stacked inputs)  ==  np.stack([f(lane i inputs) for i in range(B)])
//
// The left side is `batchJaxpr` + `verify` + the interpreter; the right side
// evaluates the *original* jaxpr once per lane with the interpreter, so the
// reference never goes through the code under test. `checkNestedBatching` is
// the same for vmap of vmap: the expected value at (i, j) is `f` on the inputs
// of outer lane i, inner lane j.

import { evalJaxpr } from "../../../src/backends/interpreter/index.js";
import type { ArrayValue, Jaxpr } from "../../../src/ir/core.js";
import { printJaxpr } from "../../../src/ir/printer.js";
import { verify } from "../../../src/ir/verifier.js";
import { type Dim, type OutSpec, batchJaxpr } from "../../../src/passes/batch/index.js";
import { transposeJaxpr } from "../../../src/passes/ad/transpose.js";
import { Rng, type ValueGen, defaultGen, stackLanes, takeLane, valueMismatch } from "./arrays.js";

export interface BatchCase {
  readonly jaxpr: Jaxpr;
  /**
   * Per input (constvars, then invars): the batch axis of the stacked input,
   * or null (shared by every lane).
   */
  readonly dims: readonly Dim[];
  readonly size: number;
  /** Seeds the input values. */
  readonly seed: number;
  /** Per input (constvars, then invars), how to draw its values (default: `defaultGen`). */
  readonly gens?: readonly (ValueGen | undefined)[];
  readonly outSpecs?: readonly OutSpec[];
}

export interface Batched {
  readonly jaxpr: Jaxpr;
  readonly outDims: readonly Dim[];
}

function describe(c: { jaxpr: Jaxpr }, extra: string, batched?: Jaxpr): string {
  const parts = [extra, "original:", printJaxpr(c.jaxpr)];
  if (batched) parts.push("batched:", printJaxpr(batched));
  return parts.join("\n");
}

/** Batches and verifies, turning any failure into a message that shows the case. */
function batchAndVerify(j: Jaxpr, dims: readonly Dim[], size: number, outSpecs: readonly OutSpec[] | undefined, what: string): Batched {
  let b: Batched;
  try {
    b = batchJaxpr(j, dims, size, outSpecs);
  } catch (e) {
    throw new Error(`batchJaxpr threw: ${(e as Error).message}\n${describe({ jaxpr: j }, what)}`);
  }
  try {
    verify(b.jaxpr);
  } catch (e) {
    throw new Error(`batched jaxpr does not verify: ${(e as Error).message}\n${describe({ jaxpr: j }, what, b.jaxpr)}`);
  }
  return b;
}

/** The lane-`lane` view of an output batched at `dim` (an unbatched output is every lane's). */
function laneOf(x: ArrayValue, dim: Dim, lane: number): ArrayValue {
  return dim === null ? x : takeLane(x, dim, lane);
}

function checkOutSpecs(b: Batched, outSpecs: readonly OutSpec[] | undefined, what: string): void {
  outSpecs?.forEach((s, i) => {
    if (s !== "any" && b.outDims[i] !== s) throw new Error(`output ${i}: out spec ${s} but batched at ${b.outDims[i]}\n${what}`);
  });
}

/** Evaluates with `inputs` binding the constvars, then the invars. */
function evalOrThrow(j: Jaxpr, inputs: readonly ArrayValue[], what: string): ArrayValue[] {
  const nc = j.constvars.length;
  try {
    return evalJaxpr(j, inputs.slice(0, nc), inputs.slice(nc));
  } catch (e) {
    throw new Error(`evaluating ${what} threw: ${(e as Error).message}\n${printJaxpr(j)}`);
  }
}

/** Runs the oracle; throws with the printed case on any mismatch. Returns the batched jaxpr for structural checks. */
export function checkBatching(c: BatchCase): Batched {
  const { jaxpr, dims, size } = c;
  const vars = [...jaxpr.constvars, ...jaxpr.invars];
  if (dims.length !== vars.length) throw new Error(`checkBatching: ${vars.length} inputs but ${dims.length} dims`);
  const what = `dims=[${dims.map(String)}] size=${size} outSpecs=${c.outSpecs ? `[${c.outSpecs}]` : "none"} seed=${c.seed}`;
  const rng = new Rng(c.seed);
  // lanes[k][i]: input k of lane i (the same object in every lane when unbatched).
  const lanes = vars.map((v, k) => {
    const gen = c.gens?.[k] ?? defaultGen;
    if (dims[k] === null) {
      const shared = gen(v.aval, rng);
      return Array.from({ length: size }, () => shared);
    }
    return Array.from({ length: size }, () => gen(v.aval, rng));
  });
  const stacked = lanes.map((ls, k) => (dims[k] === null ? ls[0]! : stackLanes(ls, dims[k]!)));

  const b = batchAndVerify(jaxpr, dims, size, c.outSpecs, what);
  checkOutSpecs(b, c.outSpecs, what);
  if (jaxpr.eqns.some((e) => e.prim === "custom_vjp_bwd")) {
    checkTransposedBatching(c, lanes, stacked, what);
    return b;
  }
  const outs = evalOrThrow(b.jaxpr, stacked, "the batched jaxpr");
  for (let i = 0; i < size; i++) {
    const expected = evalOrThrow(jaxpr, lanes.map((ls) => ls[i]!), `the original jaxpr on lane ${i}`);
    expected.forEach((e, k) => {
      const m = valueMismatch(laneOf(outs[k]!, b.outDims[k]!, i), e);
      if (m !== null) throw new Error(`output ${k} (batched at ${b.outDims[k]}), lane ${i}: ${m}\n${describe(c, what, b.jaxpr)}`);
    });
  }
  return b;
}

export interface NestedCase {
  /** `f`, batched first with `inner`, then the result batched again with `outer`. */
  readonly jaxpr: Jaxpr;
  readonly inner: { readonly dims: readonly Dim[]; readonly size: number };
  /** `dims` index the inputs of the inner-batched jaxpr. */
  readonly outer: { readonly dims: readonly Dim[]; readonly size: number };
  readonly seed: number;
  readonly gens?: readonly (ValueGen | undefined)[];
}

/**
 * vmap(vmap(f, inner), outer): out[i][j] must equal f(inputs of outer lane i,
 * inner lane j). An input unbatched at a level holds the same value across
 * that level's lanes.
 */
export function checkNestedBatching(c: NestedCase): { inner: Batched; outer: Batched } {
  const { jaxpr, inner, outer } = c;
  const n = jaxpr.invars.length;
  if (jaxpr.constvars.length) throw new Error("checkNestedBatching: give the jaxpr no constvars");
  if (jaxpr.eqns.some((e) => e.prim === "custom_vjp_bwd")) {
    // Not evaluable: each level is checked transposed (checkTransposedBatching), the outer one on the inner-batched program.
    const innerB = checkBatching({ jaxpr, dims: inner.dims, size: inner.size, seed: c.seed, gens: c.gens });
    const outerB = checkBatching({ jaxpr: innerB.jaxpr, dims: outer.dims, size: outer.size, seed: c.seed + 2 });
    return { inner: innerB, outer: outerB };
  }
  if (inner.dims.length !== n || outer.dims.length !== n) throw new Error("checkNestedBatching: one dim per invar at each level");
  const what = `inner dims=[${inner.dims.map(String)}] size=${inner.size}; outer dims=[${outer.dims.map(String)}] size=${outer.size}; seed=${c.seed}`;
  const rng = new Rng(c.seed);
  const B1 = outer.size, B2 = inner.size;
  // grid[k][i][j]: input k at outer lane i, inner lane j.
  const grid = jaxpr.invars.map((v, k) => {
    const gen = c.gens?.[k] ?? defaultGen;
    const rows = outer.dims[k] === null ? 1 : B1;
    const cols = inner.dims[k] === null ? 1 : B2;
    const drawn = Array.from({ length: rows }, () => Array.from({ length: cols }, () => gen(v.aval, rng)));
    return Array.from({ length: B1 }, (_, i) => Array.from({ length: B2 }, (_, j) => drawn[rows === 1 ? 0 : i]![cols === 1 ? 0 : j]!));
  });
  // Inputs of the inner-batched jaxpr for outer lane i, then stacked over i.
  const innerIn = (k: number, i: number): ArrayValue => {
    const d = inner.dims[k]!;
    return d === null ? grid[k]![i]![0]! : stackLanes(grid[k]![i]!, d);
  };
  const stacked = jaxpr.invars.map((_, k) => {
    const d = outer.dims[k]!;
    return d === null ? innerIn(k, 0) : stackLanes(Array.from({ length: B1 }, (_, i) => innerIn(k, i)), d);
  });

  const b2 = batchAndVerify(jaxpr, inner.dims, B2, undefined, `${what} (inner level)`);
  const b1 = batchAndVerify(b2.jaxpr, outer.dims, B1, undefined, `${what} (outer level)`);
  const outs = evalOrThrow(b1.jaxpr, stacked, "the doubly batched jaxpr");
  for (let i = 0; i < B1; i++) {
    for (let j = 0; j < B2; j++) {
      const expected = evalOrThrow(jaxpr, grid.map((g) => g[i]![j]!), `the original jaxpr on lane (${i}, ${j})`);
      expected.forEach((e, k) => {
        const got = laneOf(laneOf(outs[k]!, b1.outDims[k]!, i), b2.outDims[k]!, j);
        const m = valueMismatch(got, e);
        if (m !== null) {
          throw new Error(
            `output ${k} (inner dim ${b2.outDims[k]}, outer dim ${b1.outDims[k]}), lane (${i}, ${j}): ${m}\n${describe(c, what, b1.jaxpr)}`,
          );
        }
      });
    }
  }
  return { inner: b2, outer: b1 };
}

/**
 * Batches `j` and runs it on already stacked inputs; each output comes back
 * with its batch axis moved to the front (an unbatched output is repeated
 * `size` times), i.e. in the layout of `vmap(f, out_axes=0)`.
 */
export function runBatched(j: Jaxpr, dims: readonly Dim[], size: number, stacked: readonly ArrayValue[]): { outs: ArrayValue[]; batched: Batched } {
  const batched = batchAndVerify(j, dims, size, undefined, `dims=[${dims.map(String)}] size=${size}`);
  const outs = evalOrThrow(batched.jaxpr, stacked, "the batched jaxpr").map((o, k) =>
    stackLanes(Array.from({ length: size }, (_, i) => laneOf(o, batched.outDims[k]!, i)), 0),
  );
  return { outs, batched };
}

/**
 * The oracle for programs only reverse mode can run (custom_vjp_bwd has no
 * implementation): the transpose of the batched program must equal the
 * per-lane transposes. The linear inputs are those feeding custom_vjp_bwd's
 * tangent operands; outputs are forced batched, so each lane has its own
 * cotangent. A linear input shared by every lane (unbatched) receives
 * the sum of the lanes' cotangents (the transpose of broadcasting it). Values
 * on the quarter grid keep products and sums of a few lanes exact.
 */
function checkTransposedBatching(c: BatchCase, lanes: readonly ArrayValue[][], stacked: readonly ArrayValue[], what: string): void {
  const { jaxpr, dims, size } = c;
  // Every output batched: each lane then has a cotangent of its own (an unbatched output would share one).
  const b = batchAndVerify(jaxpr, dims, size, jaxpr.outvars.map(() => 0), what);
  // The inputs the tangent operands are computed from (directly, or through the broadcasts and transposes of an earlier batching).
  const linearIds = new Set<number>();
  for (const e of [...jaxpr.eqns].reverse()) {
    if (e.prim === "custom_vjp_bwd") e.inputs.slice(e.params.num_consts + e.params.num_res).forEach((a) => a.kind === "var" && linearIds.add(a.id));
    else if (e.outputs.some((o) => linearIds.has(o.id))) e.inputs.forEach((a) => a.kind === "var" && linearIds.add(a.id));
  }
  const linear = jaxpr.invars.map((v) => linearIds.has(v.id));
  const nc = jaxpr.constvars.length;
  const isLinearInput = (k: number): boolean => k >= nc && linear[k - nc]!;
  const t = transposeJaxpr(jaxpr, linear);
  const tb = transposeJaxpr(b.jaxpr, linear);
  const rng = new Rng(c.seed + 1);
  const ctLanes = jaxpr.outvars.map((o) => Array.from({ length: size }, () => defaultGen(o.aval, rng)));
  const ctStacked = ctLanes.map((ls, k) => (b.outDims[k] === null ? ls[0]! : stackLanes(ls, b.outDims[k]!)));
  const keep = (xs: readonly ArrayValue[]): ArrayValue[] => xs.filter((_, k) => !isLinearInput(k));
  const got = evalOrThrow(tb, [...keep(stacked), ...ctStacked], "the transposed batched jaxpr");
  const perLane = Array.from({ length: size }, (_, i) => evalOrThrow(t, [...keep(lanes.map((ls) => ls[i]!)), ...ctLanes.map((ls) => ls[i]!)], `the transposed jaxpr on lane ${i}`));
  const linearDims = dims.filter((_, k) => isLinearInput(k));
  got.forEach((g, k) => {
    const d = linearDims[k]!;
    for (let i = 0; i < size; i++) {
      const want = d === null ? sumLanes(perLane.map((outs) => outs[k]!)) : perLane[i]![k]!;
      const m = valueMismatch(d === null ? g : takeLane(g, d, i), want);
      if (m !== null) throw new Error(`cotangent ${k} (linear input batched at ${d}), lane ${i}: ${m}\n${describe(c, what, b.jaxpr)}`);
      if (d === null) break;
    }
  });
}

function sumLanes(xs: readonly ArrayValue[]): ArrayValue {
  const data = new Float32Array(xs[0]!.data.length);
  for (const x of xs) x.data.forEach((v, j) => (data[j] = Math.fround(data[j]! + v)));
  return { ...xs[0]!, data };
}
