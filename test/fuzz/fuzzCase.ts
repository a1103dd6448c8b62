// The fast-check side of the fuzzer: the arbitrary of test cases, the
// property, and the run settings (`FUZZ_RUNS`, `FUZZ_SEED`).

import fc from "fast-check";
import { BACKENDS } from "../../src/backends/index.js";
import { jitPipeline } from "../../src/frontend/jit.js";
import type { AdOutcome } from "./check/adCheck.js";
import { type CheckOptions, checkProgram, describeProgram } from "./check/differential.js";
import { type FuzzProgram, buildProgram } from "./gen/build.js";
import { DEFAULT_LIMITS, type Recipe, type RecipeLimits, recipeArb } from "./gen/recipe.js";

/** One generated test case; fast-check prints it as the program text. */
export class FuzzCase {
  private built: FuzzProgram | undefined;
  constructor(
    readonly recipe: Recipe,
    private readonly maxDepth: number,
  ) {}

  /** Built on first use, inside the property: a generator or pass error is a failure that shrinks. */
  get program(): FuzzProgram {
    return (this.built ??= buildProgram(this.recipe, this.maxDepth));
  }

  [fc.toStringMethod](): string {
    try {
      return `\n${describeProgram(this.program)}\n`;
    } catch (e) {
      return `<a recipe whose program fails to build: ${(e as Error).message.split("\n")[0]}>`;
    }
  }
}

export function caseArb(limits: RecipeLimits = DEFAULT_LIMITS): fc.Arbitrary<FuzzCase> {
  return recipeArb(limits).map((r) => new FuzzCase(r, limits.maxDepth));
}

/**
 * Every registered backend (or those `FUZZ_BACKENDS` names, a comma list: to
 * keep hunting while a known backend bug is open), the default jit pipeline
 * with and without hoisting, licm, vmap lanes, jvp and vjp.
 */
export function defaultCheckOptions(env: Record<string, string | undefined> = process.env): CheckOptions {
  const names = env["FUZZ_BACKENDS"];
  const backends = names === undefined || names === "" ? Object.values(BACKENDS) : names.split(",").map((n) => {
    const b = BACKENDS[n.trim()];
    if (!b) throw new Error(`FUZZ_BACKENDS names '${n.trim()}', which is not a registered backend (${Object.keys(BACKENDS).join(", ")})`);
    return b;
  });
  return {
    backends,
    pipelines: [jitPipeline(true), jitPipeline(false), "licm,dce"],
    jitPipeline: jitPipeline(true),
    lanes: true,
    ad: true,
  };
}

/** How many programs each AD check ran on, and why the others were skipped: the test prints and bounds these. */
export class AdTally {
  readonly counts = new Map<string, number>();
  add(o: AdOutcome): void {
    for (const key of [`forward ${o.forward}`, `reverse ${o.reverse}`, `identity ${o.identity}`]) this.counts.set(key, this.get(key) + 1);
  }
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  toString(): string {
    return [...this.counts].sort().map(([k, n]) => `${k}: ${n}`).join(", ");
  }
}

export function fuzzProperty(opts: CheckOptions, limits?: RecipeLimits, tally?: AdTally): fc.IProperty<[FuzzCase]> {
  return fc.property(caseArb(limits), (c) => {
    const ad = checkProgram(c.program, opts);
    if (ad && tally) tally.add(ad);
  });
}

export interface FuzzSettings {
  readonly runs: number;
  readonly seed: number;
  readonly limits: RecipeLimits;
}

function positiveInt(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return n;
}

/**
 * CI: a few hundred programs from a fixed seed. Long runs: `FUZZ_RUNS=20000
 * FUZZ_SEED=random` (the seed is in the test name and in any failure), and
 * bigger programs with `FUZZ_TOKENS` (steps, default 14) and `FUZZ_DEPTH`
 * (control-flow nesting, default 2).
 */
export function fuzzSettings(env: Record<string, string | undefined> = process.env): FuzzSettings {
  const s = env["FUZZ_SEED"];
  const seed = s === undefined || s === "" ? 20240607 : s === "random" ? Date.now() % 2 ** 31 : Number(s);
  if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer or 'random', got '${s}'`);
  const limits: RecipeLimits = {
    ...DEFAULT_LIMITS,
    maxTokens: positiveInt(env, "FUZZ_TOKENS", DEFAULT_LIMITS.maxTokens),
    maxDepth: positiveInt(env, "FUZZ_DEPTH", DEFAULT_LIMITS.maxDepth),
  };
  return { runs: positiveInt(env, "FUZZ_RUNS", 300), seed, limits };
}
