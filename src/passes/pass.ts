// What a pass is: a name, a one-line summary, typed options, and a pure
// function Jaxpr -> Jaxpr that also reports statistics. One pass per file;
// each file registers itself in `registry.ts`.

import type { Jaxpr } from "../ir/core.js";
import { checkNesting } from "../ir/traverse.js";

/** Counts keyed by a human label, printed as `3 eqns removed`, `2 x*1 -> x`. */
export type PassStats = Record<string, number>;

export interface PassResult {
  readonly jaxpr: Jaxpr;
  readonly stats: PassStats;
}

export type OptionValue = string | number | boolean;

export interface OptionSpec {
  readonly type: "string" | "number" | "boolean";
  readonly default: OptionValue;
  readonly doc: string;
  /** Numbers: only integers are valid. */
  readonly integer?: boolean;
  /** Numbers: the least valid value. */
  readonly min?: number;
  /**
   * Why `value` is invalid, or undefined when it is valid: a check beyond the
   * type (the syntax of a string option; with the input jaxpr `j`, what
   * depends on it, such as an axis beyond an input's rank). The pass manager
   * calls it without `j` when it reads the pipeline text and with `j` before
   * running the pass, and reports the reason with the pass and option names.
   */
  readonly check?: (value: OptionValue, j?: Jaxpr) => string | undefined;
}

export interface Pass {
  /** Pipeline name, kebab-case: `dce`, `hoist-invariant-carries`. */
  readonly name: string;
  /** One line, shown by `tsjax opt --help` and in docs/passes.md. */
  readonly summary: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  run(j: Jaxpr, options: Readonly<Record<string, OptionValue>>): PassResult;
  /**
   * Invariants of this pass's output beyond well-typedness (the linear part
   * of `linearize` is linear in its inputs), checked by the pass manager in
   * checked mode after the verifier; throws naming what is wrong.
   */
  checkOutput?(out: Jaxpr, options: Readonly<Record<string, OptionValue>>): void;
}

/** Adds `n` to `stats[label]` (skips zeros so reports only show what happened). */
export function bump(stats: PassStats, label: string, n = 1): void {
  if (n !== 0) stats[label] = (stats[label] ?? 0) + n;
}

export function mergeStats(into: PassStats, from: PassStats): void {
  for (const [k, v] of Object.entries(from)) bump(into, k, v);
}

export function formatStats(stats: PassStats): string {
  return Object.entries(stats)
    .map(([k, v]) => `${v} ${k}`)
    .join(", ");
}

/**
 * A pass as registered: refuses jaxprs nested deeper than MAX_JAXPR_NESTING
 * with an error naming the pass (every pass walks sub-jaxprs).
 */
export function definePass(p: Pass): Pass {
  return {
    ...p,
    run(j, options) {
      checkNesting(j, `pass ${p.name}`);
      return p.run(j, options);
    },
  };
}

/**
 * A pass whose transform reports everything it did in `stats`. When it
 * reports nothing, the input jaxpr itself is returned, so the pass manager's
 * "changed" (and --print-after-change) is exact.
 */
export function defineRewritePass(p: Omit<Pass, "run"> & {
  transform(j: Jaxpr, stats: PassStats, options: Readonly<Record<string, OptionValue>>): Jaxpr;
}): Pass {
  const { transform, ...rest } = p;
  return definePass({
    ...rest,
    run(j, options) {
      const stats: PassStats = {};
      const out = transform(j, stats, options);
      return { jaxpr: Object.keys(stats).length ? out : j, stats };
    },
  });
}
