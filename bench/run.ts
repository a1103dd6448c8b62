// `npm run bench`: tsjax on every registered backend vs hand-written JS vs
// jax-js, on the workloads in bench/workloads. Every column's result is
// checked against plain JS before anything is timed and once after its timed
// runs; a mismatch or an error stops the run with exit code 1. Prints one
// table and writes bench/results.json.
import { writeFileSync } from "node:fs";
import { BACKENDS } from "../src/backends/index.js";
import { parseOptions, UsageError, type BenchOptions } from "./cli.js";
import { compare } from "./harness/check.js";
import { machineInfo, machineLine } from "./harness/machine.js";
import { type Cell, resultsJson, type WorkloadResult } from "./harness/results.js";
import { renderTable } from "./harness/table.js";
import { measure } from "./harness/timing.js";
import type { Column, Output, Runner, Workload } from "./harness/types.js";
import { loadJaxJs } from "./jaxjs.js";
import { makeWorkload } from "./workloads/index.js";

const log = (s: string) => process.stderr.write(`${s}\n`);

function columnsFor(opts: BenchOptions): Column[] {
  const registered = Object.keys(BACKENDS);
  const backends = opts.backends ?? registered;
  for (const b of backends) {
    if (!registered.includes(b)) throw new UsageError(`unknown backend '${b}' (registered: ${registered.join(", ")})`);
  }
  return [...backends.map((backend): Column => ({ kind: "tsjax", backend, id: `tsjax:${backend}` })), { kind: "plain", id: "plain JS" }, { kind: "jaxjs", id: "jax-js" }];
}

interface Prepared {
  readonly workload: Workload;
  /** The plain-JS result, computed once before timing. */
  readonly expected: Output;
  readonly runners: Map<string, Runner>;
  readonly cells: Map<string, Cell>;
  readonly notes: string[];
}

/** Builds every runner and checks its first result (for jit columns: the compiling call); problems go to `failures`. */
function prepareAndCheck(workload: Workload, columns: readonly Column[], failures: string[]): Prepared {
  const expected = workload.reference();
  const p: Prepared = { workload, expected, runners: new Map(), cells: new Map(), notes: [...(workload.notes ?? [])] };
  const firstCalls: string[] = [];
  const agreement: string[] = [];
  for (const c of columns) {
    try {
      const prepared = workload.prepare(c);
      if (typeof prepared !== "function") {
        p.cells.set(c.id, { kind: "skipped", reason: prepared.skip });
        continue;
      }
      const t0 = performance.now();
      const actual = prepared();
      firstCalls.push(`${c.id} ${(performance.now() - t0).toFixed(0)} ms`);
      const result = compare(actual, expected, workload.check);
      if (!result.ok) failures.push(`${workload.name}, ${c.id}: result differs from plain JS: ${result.detail}`);
      else p.runners.set(c.id, prepared);
      if (c.kind !== "plain") agreement.push(`${c.id} ${result.detail}`);
    } catch (e) {
      failures.push(`${workload.name}, ${c.id}: threw ${(e as Error).stack ?? String(e)}`);
    }
  }
  p.notes.push(`vs plain JS: ${agreement.join("; ")}`);
  if (workload.name === "compile") p.notes.push(`first run in this process (cold caches): ${firstCalls.join(", ")}`);
  log(`checked ${workload.name}: ${[...p.runners.keys()].join(", ") || "no runnable columns"}`);
  return p;
}

/** With seed and compile both measured: first call minus a warm call ≈ the cost of tracing, passes and codegen. */
function noteCompileOverhead(results: readonly WorkloadResult[], columns: readonly Column[]): void {
  const seed = results.find((r) => r.workload.name === "seed");
  const compile = results.find((r) => r.workload.name === "compile");
  if (!seed || !compile) return;
  const parts: string[] = [];
  for (const c of columns) {
    const first = compile.cells.get(c.id), warm = seed.cells.get(c.id);
    if (first?.kind === "timed" && warm?.kind === "timed") parts.push(`${c.id} ${(first.stats.median - warm.stats.median).toFixed(1)} ms`);
  }
  if (parts.length) compile.notes.push(`median first call − median warm seed call (≈ trace + passes + codegen): ${parts.join(", ")}`);
}

/** With mlp and grad both measured: the gradient's time in units of the same model's forward time, per column. */
function noteGradOverForward(results: readonly WorkloadResult[], columns: readonly Column[]): void {
  const mlp = results.find((r) => r.workload.name === "mlp");
  const grad = results.find((r) => r.workload.name === "grad");
  if (!mlp || !grad) return;
  const parts: string[] = [];
  for (const c of columns) {
    const g = grad.cells.get(c.id), f = mlp.cells.get(c.id);
    if (g?.kind === "timed" && f?.kind === "timed") parts.push(`${c.id} ${(g.stats.median / f.stats.median).toFixed(2)}×`);
  }
  if (parts.length) grad.notes.push(`median time / the same column's mlp (forward only) median: ${parts.join(", ")}`);
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2), process.env);
  const machine = machineInfo();
  const columns = columnsFor(opts);
  log(`machine: ${machineLine(machine)}`);
  log(`columns: ${columns.map((c) => c.id).join(", ")}; ${opts.runs} runs (≥ ${opts.minRuns} for slow cells), ${opts.warmup} warm-up`);

  const jax = await loadJaxJs();
  const about = "unavailable" in jax ? `jax-js: unavailable: ${jax.unavailable}` : `jax-js: ${jax.about}`;
  log(about);

  // Correctness first, for every workload and column, before timing anything.
  // `compile` goes first so its first calls really are the first in the process.
  const order = [...opts.only].sort((a, b) => Number(b === "compile") - Number(a === "compile"));
  const failures: string[] = [];
  const prepared = new Map(order.map((name) => [name, prepareAndCheck(makeWorkload(name, jax), columns, failures)]));
  if (failures.length) {
    log(`\nBENCHMARK FAILED: ${failures.length} column(s) do not compute the plain-JS result; nothing was timed.\n`);
    for (const f of failures) log(`  ✗ ${f}`);
    return 1;
  }

  const results: WorkloadResult[] = [];
  for (const name of opts.only) {
    const p = prepared.get(name)!;
    for (const c of columns) {
      const run = p.runners.get(c.id);
      if (!run) continue;
      const stats = measure(run, { runs: opts.runs, warmup: opts.warmup, cellBudgetMs: opts.cellBudgetMs, minRuns: opts.minRuns });
      p.cells.set(c.id, { kind: "timed", stats });
      log(`  ${name.padEnd(10)} ${c.id.padEnd(18)} median ${stats.median.toFixed(2)} ms over ${stats.runs} runs`);
      // Once more after timing: a column must not drift (reused buffers, consumed arrays) while it is timed.
      const after = compare(run(), p.expected, p.workload.check);
      if (!after.ok) failures.push(`${name}, ${c.id}: after timing, result differs from plain JS: ${after.detail}`);
    }
    results.push({ workload: p.workload, cells: p.cells, notes: p.notes });
  }
  if (failures.length) {
    log(`\nBENCHMARK FAILED: ${failures.length} column(s) stopped computing the plain-JS result while timed; no table.\n`);
    for (const f of failures) log(`  ✗ ${f}`);
    return 1;
  }
  noteCompileOverhead(results, columns);
  noteGradOverForward(results, columns);

  const general = [about, "tsjax and plain JS run single-threaded too; all columns run in this one Node process."];
  console.log(renderTable(machine, columns, results, general));
  if (opts.out) {
    const json = resultsJson(machine, columns, results, { runs: opts.runs, warmup: opts.warmup, minRuns: opts.minRuns, cellBudgetMs: opts.cellBudgetMs }, general);
    writeFileSync(opts.out, `${JSON.stringify(json, null, 2)}\n`);
    log(`wrote ${opts.out}`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    log(e instanceof UsageError ? `bench: ${e.message}` : `bench: ${(e as Error).stack ?? String(e)}`);
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
