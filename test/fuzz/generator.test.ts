// The program generator itself: its programs verify, cover every primitive
// and the control-flow shapes the backends must get right, and terminate
// within the bound the generator promises; the exactness bounds (gen/bits.ts)
// on hand-derived cases.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evalJaxpr, type Impl, impls } from "../../src/backends/interpreter/index.js";
import { type Jaxpr, isEqnOf } from "../../src/ir/core.js";
import { PRIMS } from "../../src/ir/primitives.js";
import { subJaxprs } from "../../src/ir/traverse.js";
import { verify } from "../../src/ir/verifier.js";
import { randomInputs } from "./check/values.js";
import { bitsOfNumber, fit, mulBits, sumBits } from "./gen/bits.js";
import { buildProgram, finalJaxpr } from "./gen/build.js";
import { recipeArb } from "./gen/recipe.js";

const programs = fc.sample(recipeArb(), { numRuns: 400, seed: 11 }).map(buildProgram);

/** Feature counts over a jaxpr tree; `masked` = inside a batched while body/cond or a batched cond branch. */
function features(j: Jaxpr, into: Map<string, number>, masked = false, depth = 0): void {
  const inc = (k: string) => into.set(k, (into.get(k) ?? 0) + 1);
  for (const e of j.eqns) {
    inc(e.prim);
    let lanes = false;
    if (isEqnOf(e, "while")) {
      lanes = e.params.cond_jaxpr.outvars[0]!.aval.shape.length > 0;
      inc(lanes ? "batched while" : "scalar while");
    }
    if (e.prim === "cond") {
      lanes = e.inputs[0]!.aval.shape.length > 0;
      inc(lanes ? "batched cond" : "scalar cond");
    }
    if ((e.prim === "while" || e.prim === "cond") && depth > 0) inc("nested while/cond");
    if ((e.prim === "while" || e.prim === "cond") && masked) inc(lanes ? "batched while/cond in a masked region" : "scalar while/cond in a masked region");
    if (isEqnOf(e, "scan") && e.params.reverse) inc("reverse scan");
    if (isEqnOf(e, "dot_general") && e.params.dimension_numbers[1][0].length) inc("dot with batch dims");
    for (const s of subJaxprs(e)) features(s, into, masked || lanes, depth + 1);
  }
}

describe("the program generator", () => {
  it("builds programs that verify (the generated ones and every vmap level)", () => {
    for (const p of programs) {
      verify(p.base);
      for (const l of p.levels) verify(l.jaxpr);
    }
    expect(programs.filter((p) => p.levels.length === 2).length).toBeGreaterThan(50);
  });

  it("uses every primitive, and every control-flow shape the backends must handle", () => {
    const seen = new Map<string, number>();
    for (const p of programs) features(finalJaxpr(p), seen);
    // custom_vjp_bwd only exists on the tangent side of reverse mode and cannot be evaluated (forward mode through a custom_vjp function).
    // The tape primitives are what reverse mode makes of a while: the AD checks (check/adCheck.ts) build the vjp program of every
    // generated program, so its whiles become while_record and replay there, run on every backend (which lower a replay with
    // tape_read, and tape_reverse only for a second derivative). check is what whileLoop's maxSteps adds (test/frontend/ad/whileGrad.test.ts).
    // checkpoint is the user's (test/frontend/ad/checkpoint.test.ts runs it on every backend).
    const madeElsewhere = new Set(["custom_vjp_bwd", "while_record", "replay", "tape_read", "tape_reverse", "check", "checkpoint"]);
    expect(PRIMS.filter((prim) => !seen.has(prim) && !madeElsewhere.has(prim))).toEqual([]);
    for (const f of ["batched while", "scalar while", "batched cond", "scalar cond", "nested while/cond", "reverse scan", "dot with batch dims", "batched while/cond in a masked region"]) {
      expect(seen.get(f) ?? 0, f).toBeGreaterThan(5);
    }
  });

  it("keeps un-vmapped programs' masked regions to scalar predicates and indices", () => {
    // Lanes outside a mask hold unspecified values; only vmap (which never mixes lanes) may nest batched control flow there.
    const seen = new Map<string, number>();
    for (const p of programs) features(p.base, seen);
    expect(seen.get("batched while/cond in a masked region")).toBeUndefined();
    expect(seen.get("scalar while/cond in a masked region") ?? 0).toBeGreaterThan(5);
  });

  it("makes loops that stop: at most 5 body runs per loop and lane (counter from -1 or 0 to n <= 4)", () => {
    const table = impls as unknown as { while: Impl<"while"> };
    const original = table.while;
    let most = 0;
    table.while = (args, params, outAvals, ctx) => {
      let runs = 0;
      const out = original(args, params, outAvals, { ...ctx, evalJaxpr: (j, c, xs, m) => ((runs += j === params.body_jaxpr ? 1 : 0), ctx.evalJaxpr(j, c, xs, m)) });
      most = Math.max(most, runs);
      return out;
    };
    try {
      for (const p of programs) evalJaxpr(p.base, [], randomInputs(p.base.invars.map((v) => v.aval), p.seed));
    } finally {
      table.while = original;
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(5);
  });
});

describe("exactness bounds", () => {
  it("literals: |v| < 2^hi and v a multiple of 2^lo", () => {
    expect(bitsOfNumber("float32", 0.5)).toEqual({ hi: 0, lo: -1 });
    expect(bitsOfNumber("float32", 6)).toEqual({ hi: 3, lo: 1 });
    expect(bitsOfNumber("float32", -2.5)).toEqual({ hi: 2, lo: -1 });
    expect(bitsOfNumber("int32", 7)).toEqual({ hi: 3, lo: 0 });
    expect(bitsOfNumber("bool", 1)).toEqual({ hi: 1, lo: 0 });
    // 0.1 in float32 is 13421773 * 2^-27: exact as a value, 24 significant bits.
    expect(bitsOfNumber("float32", Math.fround(0.1))).toEqual({ hi: -3, lo: -27 });
  });

  it("products add bounds; sums of n terms grow by log2(n); past 24 bits a float is no longer exact", () => {
    // 3.75 * 3.75 = 14.0625: below 2^4, a multiple of 2^-4.
    expect(mulBits({ hi: 2, lo: -2 }, { hi: 2, lo: -2 })).toEqual({ hi: 4, lo: -4 });
    expect(sumBits({ hi: 3, lo: -2 }, 5)).toEqual({ hi: 6, lo: -2 });
    expect(fit("float32", { hi: 20, lo: -4 })).toEqual({ hi: 20, lo: -4 });
    expect(fit("float32", { hi: 20, lo: -5 })).toBeNull();
    expect(fit("int32", { hi: 40, lo: 0 })).toEqual({ hi: 32, lo: 0 });
  });
});
