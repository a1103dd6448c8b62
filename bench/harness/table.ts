// The printed table: a row per workload with its medians (GFLOP/s for mlp),
// then two rows of speedups (baseline time / column time) against plain JS
// and jax-js; a column per implementation. Details (min, spread, runs) and
// footnotes follow.
import { machineLine, type MachineInfo } from "./machine.js";
import { gflops, speedup, type WorkloadResult } from "./results.js";
import type { Column } from "./types.js";

function fmtNum(x: number): string {
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}
function fmtRatio(x: number | null): string {
  if (x === null) return "—";
  if (x >= 10) return `${x.toFixed(1)}×`;
  return `${x >= 0.1 ? x.toFixed(2) : x.toPrecision(2)}×`;
}

function renderGrid(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export function renderTable(machine: MachineInfo, columns: readonly Column[], results: readonly WorkloadResult[], general: readonly string[]): string {
  const footnotes: string[] = [];
  const note = (text: string): string => {
    let i = footnotes.indexOf(text);
    if (i < 0) i = footnotes.push(text) - 1;
    return `[${i + 1}]`;
  };
  const rows: string[][] = [];
  for (const r of results) {
    const unit = r.workload.metric.unit;
    rows.push([
      `${r.workload.name} (${unit === "ms" ? "median ms" : unit})`,
      ...columns.map((c) => {
        const cell = r.cells.get(c.id);
        if (!cell) return "—";
        if (cell.kind === "skipped") return `n/a ${note(`${r.workload.name}, ${c.id}: ${cell.reason}`)}`;
        const s = cell.stats;
        const value = fmtNum(gflops(r.workload.metric, s.median) ?? s.median);
        return s.reduced ? `${value} ${note(`${r.workload.name}, ${c.id}: ${s.runs} runs instead of the requested count (slow column; time budget per cell)`)}` : value;
      }),
    ]);
    rows.push(["  speedup vs plain JS", ...columns.map((c) => fmtRatio(speedup(r, c.id, "plain JS")))]);
    rows.push(["  speedup vs jax-js", ...columns.map((c) => fmtRatio(speedup(r, c.id, "jax-js")))]);
  }
  const main = renderGrid(["workload", ...columns.map((c) => c.id)], rows);

  const detailRows: string[][] = [];
  for (const r of results) {
    for (const c of columns) {
      const cell = r.cells.get(c.id);
      if (cell?.kind !== "timed") continue;
      const s = cell.stats;
      detailRows.push([r.workload.name, c.id, fmtNum(s.median), fmtNum(s.min), fmtNum(s.max), `${(s.iqrRel * 100).toFixed(1)}%`, String(s.runs)]);
    }
  }
  const details = renderGrid(["workload", "column", "median ms", "min ms", "max ms", "IQR/median", "runs"], detailRows);

  const about = results.map((r) => `  ${r.workload.name}: ${r.workload.description}`);
  const extra = results.flatMap((r) => r.notes.map((n) => `  ${r.workload.name}: ${n}`));
  return [
    `machine: ${machineLine(machine)}`,
    "",
    main,
    "",
    "speedup = baseline median time / column median time (>1: the column is faster).",
    ...footnotes.map((f, i) => `[${i + 1}] ${f}`),
    "",
    "workloads:",
    ...about,
    "",
    "notes:",
    ...general.map((g) => `  ${g}`),
    ...extra,
    "",
    details,
  ].join("\n");
}
