// Fake backends (and a fake pass, and a broken transpose rule) for testing the fuzzer itself: the reference interpreter with
// some primitive implementations swapped while a program runs. A broken one
// must be caught (and shrunk to a small program); a "legitimately different"
// one (float results a few ulp off, sums in another order) must not be.

import { BACKENDS, type Backend } from "../../src/backends/index.js";
import { type Impl, evalJaxpr, impls } from "../../src/backends/interpreter/index.js";
import type { ArrayValue, Eqn } from "../../src/ir/core.js";
import { allocStorage } from "../../src/ir/dtype.js";
import type { Prim } from "../../src/ir/primitives.js";
import { rulesOf } from "../../src/ir/prims/index.js";
import type { TransposeRule } from "../../src/passes/ad/rules.js";
import { PASSES, type Pass, definePass } from "../../src/passes/index.js";

type Overrides = { [P in Prim]?: Impl<P> };

/** The interpreter, with `overrides` in place of the real implementations during `run`. */
export function interpreterWith(name: string, overrides: Overrides): Backend {
  return {
    name,
    summary: "the interpreter with some primitives replaced (fuzzer self-test)",
    compile(jaxpr) {
      return {
        run(args) {
          const table = impls as unknown as Record<string, unknown>;
          const saved = Object.keys(overrides).map((k) => [k, table[k]] as const);
          Object.assign(table, overrides);
          try {
            return evalJaxpr(jaxpr, [], args);
          } finally {
            for (const [k, v] of saved) table[k] = v;
          }
        },
      };
    },
  };
}

/** Runs `fn` with `b` registered in BACKENDS (so everything that lists backends sees it), then removes it. */
export function withRegisteredBackend<T>(b: Backend, fn: () => T): T {
  const registry = BACKENDS as Record<string, Backend>;
  if (registry[b.name]) throw new Error(`backend '${b.name}' is already registered`);
  registry[b.name] = b;
  try {
    return fn();
  } finally {
    delete registry[b.name];
  }
}

/** The real implementations (the overrides are installed into `impls` itself). */
const real = { ...impls };

/** sub(x, y) computed as y - x. */
export const swappedSubBackend = interpreterWith("broken-sub", {
  sub: (args, params, outAvals, ctx) => real.sub([args[1]!, args[0]!], params, outAvals, ctx),
});

/**
 * A while that ignores per-lane predicates: every lane keeps iterating while
 * any lane's predicate holds (JAX's batched while without the select).
 */
export const unmaskedWhileBackend = interpreterWith("broken-while", {
  while: (args, params, _outAvals, ctx) => {
    const { cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts } = params;
    const cconsts = args.slice(0, cond_nconsts);
    const bconsts = args.slice(cond_nconsts, cond_nconsts + body_nconsts);
    let carry = args.slice(cond_nconsts + body_nconsts);
    for (;;) {
      const [pred] = ctx.evalJaxpr(cond_jaxpr, [], [...cconsts, ...carry], ctx.mask);
      if (!pred!.data.some((x) => x !== 0)) return carry;
      carry = ctx.evalJaxpr(body_jaxpr, [], [...bconsts, ...carry], ctx.mask);
    }
  },
});

/** `x` with every float element moved `ulps` units in the last place (toward +inf). */
function nudge(x: ArrayValue, ulps: number): ArrayValue {
  if (x.dtype !== "float32") return x;
  const data = new Float32Array(x.data as Float32Array);
  const bits = new Int32Array(data.buffer);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!) || data[i] === 0) continue;
    bits[i]! += data[i]! > 0 ? ulps : -ulps;
  }
  return { ...x, data };
}

const TRANSCENDENTAL = ["exp", "log", "sin", "cos", "tanh", "logistic", "sqrt", "rsqrt", "pow"] as const;

/**
 * Legitimately different floats: transcendentals 3 ulp off, float sums
 * accumulated in float32 from the last element to the first.
 */
export const perturbedBackend = interpreterWith("perturbed", {
  ...Object.fromEntries(
    TRANSCENDENTAL.map((p) => [p, ((args, params, outAvals, ctx) => real[p](args, params as never, outAvals, ctx).map((v) => nudge(v, 3))) as Impl<typeof p>]),
  ),
  reduce_sum: (args, params, outAvals, ctx) => {
    const [x] = args;
    if (x!.dtype !== "float32") return real.reduce_sum(args, params, outAvals, ctx);
    // Sum each output element's terms in reverse, rounding every partial sum to float32.
    const terms = real.reduce_sum([x!], params, outAvals, ctx)[0]!; // shape/layout reference
    const outSize = terms.data.length;
    const n = outSize === 0 ? 0 : x!.data.length / outSize;
    const keep = x!.shape.map((_, i) => !params.axes.includes(i));
    const order = [...x!.shape.keys()].filter((i) => keep[i]).concat(params.axes as number[]);
    const moved = real.transpose([x!], { permutation: order }, [{ dtype: "float32", shape: order.map((i) => x!.shape[i]!) }], ctx)[0]!;
    const out = allocStorage("float32", outSize) as Float32Array;
    for (let o = 0; o < outSize; o++) {
      let acc = 0;
      for (let k = n - 1; k >= 0; k--) acc = Math.fround(acc + moved.data[o * n + k]!);
      out[o] = acc;
    }
    return [{ dtype: "float32", shape: outAvals[0]!.shape, data: out }];
  },
});

/** A "simplification" that turns every top-level max into min (valid IR, wrong values). */
export const maxToMinPass: Pass = definePass({
  name: "broken-max-to-min",
  summary: "rewrites max to min (fuzzer self-test)",
  options: {},
  run(j) {
    return { jaxpr: { ...j, eqns: j.eqns.map((e) => (e.prim === "max" ? ({ ...e, prim: "min" } as Eqn) : e)) }, stats: {} };
  },
});

/** Runs `fn` with `p` registered in PASSES (usable in pipeline text), then removes it. */
export function withRegisteredPass<T>(p: Pass, fn: () => T): T {
  const registry = PASSES as Record<string, Pass>;
  if (registry[p.name]) throw new Error(`pass '${p.name}' is already registered`);
  registry[p.name] = p;
  try {
    return fn();
  } finally {
    delete registry[p.name];
  }
}

/**
 * Runs `fn` with `prim`'s transpose rule replaced (an AD rule bug that keeps
 * the program linear and well typed: only the identity <vjp(c), t> =
 * <c, jvp(t)> can see it), then restores the rule.
 */
export function withTransposeRule<P extends Prim, T>(prim: P, rule: TransposeRule<P>, fn: () => T): T {
  const record = rulesOf(prim) as { transpose: TransposeRule<P> | null };
  const saved = record.transpose;
  record.transpose = rule;
  try {
    return fn();
  } finally {
    record.transpose = saved;
  }
}
