// Every primitive's jvp and transpose rule, one equation at a time, at the
// numpy fixtures' points (test/fixtures/primitives.json) where the primitive
// is differentiable (smoothPoints.ts), in every run mode:
//
// - checkGrads order 2, fwd and rev: AD against central differences (JAX's
//   check_grads), which checks the jvp rule, its own jvp (the second order),
//   the transpose rule (rev) and the transpose of the jvp of the jvp;
// - ⟨vjp(c), t⟩ = ⟨c, jvp(t)⟩ between tsjax's own forward and reverse mode at
//   random t and c, to ~1e-5: a transpose rule that is off by a little, which
//   finite-difference noise (~1e-3) would hide, fails here.
//
// The list is complete by construction: every primitive of the rule table is
// either exercised here or listed with the reason it is not.
import { describe, expect, test } from "vitest";
import type { ArrayValue } from "../../../src/ir/core.js";
import { PRIMS } from "../../../src/ir/prims/index.js";
import { BINARY_PRIMS, UNARY_PRIMS } from "../../../src/ir/primitives.js";
import { type Params, type Prim } from "../../../src/ir/primitives.js";
import { checkGrads, checkpoint, jit, jvp, np, vjp } from "../../../src/index.js";
import { Array as TArray } from "../../../src/frontend/array.js";
import { bind } from "../../../src/frontend/bind.js";
import { type PrimitiveCase, loadPrimitiveCases } from "../../fixtures/primitives.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { RUN_MODES } from "../../helpers/backends.js";
import { mulberry32 } from "../../helpers/random.js";
import { smoothInputs } from "./smoothPoints.js";

/** Primitives with no case here, and why. */
const NOT_HERE: Partial<Record<Prim, string>> = {
  iota: "no operands: nothing to differentiate",
  not: "int and bool only: no tangents",
  and: "int and bool only: no tangents",
  or: "int and bool only: no tangents",
  pjit: "a call, exercised below through jit inside the differentiated function",
  checkpoint: "a call, exercised below through checkpoint inside the differentiated function (and test/frontend/ad/checkpoint.test.ts)",
  while: "control flow: its AD rules and tests belong to the control-flow work (#13)",
  cond: "control flow: its AD rules and tests belong to the control-flow work (#13)",
  scan: "control flow: its AD rules and tests belong to the control-flow work (#13)",
  custom_jvp_call: "differentiated with the user's rule, not its body's derivative: test/frontend/ad/custom.test.ts",
  custom_vjp_call: "differentiated with the user's fwd/bwd, not its body's derivative: test/frontend/ad/custom.test.ts",
  while_record: "made by reverse mode through a while: test/frontend/ad/whileGrad.test.ts",
  replay: "made by reverse mode through a while: test/frontend/ad/whileGrad.test.ts",
  check: "passes its values through: differentiated with whileLoop's maxSteps in test/frontend/ad/whileGrad.test.ts",
  tape_reverse: "what expand-replay makes of a backward replay's records: test/passes/expand-replay/basic.jaxpr and higher-order tests in test/frontend/ad/whileGrad.test.ts",
  tape_read: "what expand-replay makes of a replay for the compiled backends: test/frontend/ad/whileGrad.test.ts",
  custom_vjp_bwd: "the tangent side of a custom_vjp_call; reverse mode transposes it (test/frontend/ad/custom.test.ts), forward mode is an error",
};

/** Points the fixture file lacks at a smooth point of the primitive (its float rem cases sit on zeros and infinities). */
const EXTRA_CASES: PrimitiveCase[] = [
  {
    prim: "rem",
    name: "mixed signs, |x/y| off the integers",
    params: {},
    inputs: [
      { dtype: "float32", shape: [2, 3], data: [2.3, -1.7, 5.1, -4.4, 0.35, 7.9] },
      { dtype: "float32", shape: [2, 3], data: [0.7, 1.3, -2.2, 1.5, -0.6, 2.5] },
    ],
    outputs: [],
  },
];

/**
 * Cases where finite differences cannot see the derivative AD computes, and
 * why; they still take the AD-vs-AD check, and what replaces the
 * finite-difference check is written beside it.
 */
const NO_FINITE_DIFFERENCES: Readonly<Record<string, string>> = {
  "stop_gradient: f32": "AD treats stop_gradient as a constant while finite differences see the identity; its tangent and cotangent are checked to be zero instead",
  "dot_general: cancelling sums": "its outputs are differences of terms ~1e7 apart in magnitude, where a float32 finite difference is rounding; the AD-vs-AD check covers it",
};

interface MatrixCase {
  readonly name: string;
  readonly prim: Prim;
  readonly params: Params[Prim];
  readonly inputs: readonly ArrayValue[];
}

const CASES: MatrixCase[] = [...loadPrimitiveCases(), ...EXTRA_CASES].flatMap((c) => {
  const inputs = smoothInputs(c);
  return inputs === null ? [] : [{ name: `${c.prim}: ${c.name}`, prim: c.prim, params: c.params, inputs }];
});

const asArrays = (vs: readonly ArrayValue[]): TArray[] => vs.map((v) => TArray.fromValue(v));

/** The equation as a function of its operands. */
const equation = (c: MatrixCase) => (...xs: TArray[]) => {
  const outs = bind(c.prim, c.params, xs);
  return outs.length === 1 ? outs[0]! : outs;
};

describe("the primitive matrix is complete", () => {
  const covered = new Set(CASES.map((c) => c.prim));
  test("every primitive is differentiated at a smooth point or listed with a reason", () => {
    const missing = PRIMS.filter((p) => !covered.has(p) && NOT_HERE[p] === undefined);
    expect(missing).toEqual([]);
    const listedButCovered = PRIMS.filter((p) => covered.has(p) && NOT_HERE[p] !== undefined);
    expect(listedButCovered).toEqual([]);
  });
  test("every unary and binary primitive that takes float32 is covered", () => {
    const noFloat = new Set(["not", "and", "or"]);
    for (const p of [...UNARY_PRIMS, ...BINARY_PRIMS]) if (!noFloat.has(p)) expect(covered.has(p), p).toBe(true);
  });
});

/** Standard normal values for the float leaves of `vs` (zeros elsewhere), from a seeded generator. */
function randomLike(vs: readonly ArrayValue[], seed: number): TArray[] {
  const u = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
  return vs.map((v) => {
    const data = v.data.slice();
    for (let i = 0; i < data.length; i++) data[i] = v.dtype === "float32" ? normal() : 0;
    return TArray.fromValue({ dtype: v.dtype, shape: v.shape, data });
  });
}

/** ⟨xs, ys⟩ over float leaves in double, and Σ|x·y| (the scale a rounding error is relative to). */
function dot(xs: readonly TArray[], ys: readonly TArray[]): { value: number; scale: number } {
  let value = 0, scale = 0;
  xs.forEach((x, i) => {
    if (x.dtype !== "float32") return;
    const a = x.data(), b = ys[i]!.data();
    for (let k = 0; k < a.length; k++) {
      value += a[k]! * b[k]!;
      scale += Math.abs(a[k]! * b[k]!);
    }
  });
  return { value, scale };
}

const flatOuts = (o: unknown): TArray[] => (Array.isArray(o) ? (o as TArray[]) : [o as TArray]);

describe.each(RUN_MODES)("primitive derivatives (%s)", (_name, { run }) => {
  const fdCases = CASES.filter((c) => NO_FINITE_DIFFERENCES[c.name] === undefined);
  test.each(fdCases.map((c) => [c.name, c] as const))("checkGrads order 2: %s", (_n, c) => {
    checkGrads(equation(c), asArrays(c.inputs), { order: 2, modes: ["fwd", "rev"], run });
  });

  test("stop_gradient: zero tangent, zero cotangent, to second order", () => {
    const x = np.array([[0.3, -1.2, 2.5], [0.7, -0.1, 1.9]]);
    const sg = (a: TArray) => bind("stop_gradient", {}, [a])[0]!;
    const t = np.array([[1, 2, 3], [4, 5, 6]]);
    const [out, tangentOut] = run((p: TArray, tp: TArray) => jvp(sg, [p], [tp]))(x, t) as [TArray, TArray];
    expectAllClose(out, x.toArray(), { atol: 0, rtol: 0 });
    expectAllClose(tangentOut, np.zeros([2, 3]), { atol: 0, rtol: 0 });
    const [cotangentIn] = run((p: TArray, c: TArray) => vjp(sg, p)[1](c) as TArray[])(x, t);
    expectAllClose(cotangentIn!, np.zeros([2, 3]), { atol: 0, rtol: 0 });
    // Second order: the jvp of (x ↦ x·x + stop_gradient(x)·x) sees only the first factor's derivative.
    const f = (a: TArray) => a.mul(a).add(sg(a).mul(a));
    const [, t2] = run((p: TArray, tp: TArray) => jvp((q: TArray) => jvp(f, [q], [tp])[1], [p], [tp]))(x, t) as [TArray, TArray];
    // d/dx of (2x + sg(x))·t along t is (2 + 0)·t² (the stop_gradient factor's own derivative is dropped; it stays a constant).
    expectAllClose(t2, t.mul(t).mul(2).toArray());
  });

  test.each(CASES.map((c) => [c.name, c] as const))("<vjp(c), t> = <c, jvp(t)>: %s", (_n, c) => {
    const f = equation(c);
    const xs = asArrays(c.inputs);
    const t = randomLike(c.inputs, 1);
    const outs = flatOuts(f(...xs));
    const ct = randomLike(outs.map((o) => o.concrete("test")), 2);
    const tangentOut = flatOuts(run((p: TArray[], tp: TArray[]) => jvp(f, p, tp)[1] as TArray | TArray[])(xs, t));
    const cotangentIn = run((p: TArray[], cp: TArray[]) => vjp(f, ...p)[1](outs.length === 1 ? cp[0] : cp) as TArray[])(xs, ct);
    const lhs = dot(cotangentIn, t);
    const rhs = dot(ct, tangentOut);
    const tol = 1e-5 * Math.max(lhs.scale, rhs.scale);
    expect(Math.abs(lhs.value - rhs.value), `<vjp(c), t> = ${lhs.value}, <c, jvp(t)> = ${rhs.value}`).toBeLessThanOrEqual(tol);
  });

  test("pjit: a jitted function inside the differentiated one", () => {
    const inner = jit((x: TArray, y: TArray) => np.sum(np.sin(x).mul(y).add(np.exp(y.mul(0.5))), 0));
    const f = (x: TArray, y: TArray) => inner(x, y).mul(x.slice(0));
    const x = np.array([[0.3, -1.1], [0.8, 0.25], [-0.4, 1.7]]);
    const y = np.array([[1.2, 0.1], [-0.7, 0.9], [0.45, -1.3]]);
    checkGrads(f, [x, y], { order: 2, modes: ["fwd", "rev"], run });
  });

  test("checkpoint: a checkpointed function inside the differentiated one (recomputed in reverse mode)", () => {
    const inner = checkpoint((x: TArray, y: TArray) => np.sum(np.sin(x).mul(y).add(np.exp(y.mul(0.5))), 0));
    const f = (x: TArray, y: TArray) => inner(x, y).mul(x.slice(0));
    const x = np.array([[0.3, -1.1], [0.8, 0.25], [-0.4, 1.7]]);
    const y = np.array([[1.2, 0.1], [-0.7, 0.9], [0.45, -1.3]]);
    checkGrads(f, [x, y], { order: 2, modes: ["fwd", "rev"], run });
  });
});
