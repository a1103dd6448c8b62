// What a workload is to the harness: a plain-JS reference result, a way to
// prepare each column's runner, and how results are compared.

export type Output = Float32Array | Int32Array;

/** A column of the table: tsjax on one backend, the plain-JS baseline, or jax-js. */
export type Column =
  | { readonly kind: "tsjax"; readonly backend: string; readonly id: string }
  | { readonly kind: "plain"; readonly id: "plain JS" }
  | { readonly kind: "jaxjs"; readonly id: "jax-js" };

export type Check =
  /** Floats: |a - e| <= atol + rtol·|e| elementwise. */
  | { readonly kind: "allclose"; readonly rtol: number; readonly atol: number }
  /**
   * Iteration counts of a chaotic map: float32 vs float64 rounding flips a few
   * boundary pixels by design, so a small fraction may differ; a real bug
   * (wrong escape test, off-by-one) changes far more.
   */
  | { readonly kind: "counts"; readonly maxMismatchFraction: number };

export type Metric = { readonly unit: "ms" } | { readonly unit: "GFLOP/s"; readonly flops: number };

/** Runs the column's computation once and returns its result (a fresh array). */
export type Runner = () => Output;

export interface Workload {
  readonly name: string;
  /** One line for the table footnotes. */
  readonly description: string;
  readonly metric: Metric;
  readonly check: Check;
  /** Facts about this workload's columns to print under the table. */
  readonly notes?: readonly string[];
  /** The plain-JS result every column is compared with (computed untimed). */
  reference(): Output;
  /**
   * The column's runner, or why this column has no entry. For jitted columns
   * preparing only builds the jitted function: the harness's first call (the
   * correctness check) compiles it, so timed runs are warm.
   */
  prepare(column: Column): Runner | { readonly skip: string };
}
