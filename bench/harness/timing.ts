// Timing: warm-up, then repeated runs timed with performance.now(). A column
// whose runs are slow gets fewer runs (never below minRuns) so the suite fits
// its time budget; the table flags those cells.
import type { Runner } from "./types.js";

export interface TimingOptions {
  /** Timed runs requested. */
  readonly runs: number;
  /** Untimed runs before timing. */
  readonly warmup: number;
  /** Time one cell may take; beyond it runs drop toward minRuns. */
  readonly cellBudgetMs: number;
  readonly minRuns: number;
}

export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Interquartile range over the median: the spread figure. */
  readonly iqrRel: number;
  readonly runs: number;
  /** True when the budget cut runs below the requested count. */
  readonly reduced: boolean;
  readonly samples: readonly number[];
}

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function summarize(samples: readonly number[], requested: number): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  return {
    median,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    iqrRel: median > 0 ? (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / median : 0,
    runs: samples.length,
    reduced: samples.length < requested,
    samples,
  };
}

export function measure(run: Runner, opts: TimingOptions): Stats {
  // Warm-up also estimates the cost of one run.
  let last = 0;
  for (let i = 0; i < Math.max(1, opts.warmup); i++) {
    const t0 = performance.now();
    run();
    last = performance.now() - t0;
  }
  const affordable = Math.floor(opts.cellBudgetMs / Math.max(last, 1e-3));
  const runs = Math.max(Math.min(opts.minRuns, opts.runs), Math.min(opts.runs, affordable));
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    run();
    samples.push(performance.now() - t0);
  }
  return summarize(samples, opts.runs);
}
