// The measured cells and their ratios, in the shape written to
// bench/results.json and read by the table printer.
import type { MachineInfo } from "./machine.js";
import type { Stats } from "./timing.js";
import type { Column, Metric, Workload } from "./types.js";

export type Cell =
  | { readonly kind: "timed"; readonly stats: Stats }
  | { readonly kind: "skipped"; readonly reason: string };

export interface WorkloadResult {
  readonly workload: Workload;
  readonly cells: ReadonlyMap<string, Cell>;
  /** Extra facts to print under the table (e.g. a cold first run); filled in as the run goes. */
  readonly notes: string[];
}

/** speedup of `column` over `baseline` = baseline time / column time; null if either is missing. */
export function speedup(r: WorkloadResult, column: string, baseline: string): number | null {
  const c = r.cells.get(column), b = r.cells.get(baseline);
  if (c?.kind !== "timed" || b?.kind !== "timed") return null;
  return b.stats.median / c.stats.median;
}

export function gflops(metric: Metric, ms: number): number | null {
  return metric.unit === "GFLOP/s" ? metric.flops / (ms * 1e6) : null;
}

const round = (x: number, digits = 4) => Number(x.toPrecision(digits));

export function resultsJson(machine: MachineInfo, columns: readonly Column[], results: readonly WorkloadResult[], options: Record<string, unknown>, notes: readonly string[]) {
  return {
    date: new Date().toISOString(),
    machine,
    options,
    notes,
    columns: columns.map((c) => c.id),
    workloads: Object.fromEntries(
      results.map((r) => [
        r.workload.name,
        {
          description: r.workload.description,
          unit: r.workload.metric.unit,
          ...(r.workload.metric.unit === "GFLOP/s" ? { flops: r.workload.metric.flops } : {}),
          notes: r.notes,
          columns: Object.fromEntries(
            columns.map((c) => {
              const cell = r.cells.get(c.id);
              if (!cell || cell.kind === "skipped") return [c.id, { skipped: cell?.reason ?? "not run" }];
              const s = cell.stats;
              const g = gflops(r.workload.metric, s.median);
              const vsPlain = speedup(r, c.id, "plain JS");
              const vsJax = speedup(r, c.id, "jax-js");
              return [
                c.id,
                {
                  median_ms: round(s.median),
                  min_ms: round(s.min),
                  max_ms: round(s.max),
                  iqr_over_median: round(s.iqrRel, 3),
                  runs: s.runs,
                  reduced_runs: s.reduced,
                  ...(g === null ? {} : { gflops: round(g) }),
                  speedup_vs_plain_js: vsPlain === null ? null : round(vsPlain),
                  speedup_vs_jax_js: vsJax === null ? null : round(vsJax),
                  samples_ms: s.samples.map((x) => round(x, 5)),
                },
              ];
            }),
          ),
        },
      ]),
    ),
  };
}
