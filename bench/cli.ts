// Options for `npm run bench`: flags, or the same as BENCH_* environment
// variables (flags win).
//   --only mlp,seed      workloads to run (default: all)
//   --runs N             timed runs per cell (default 15; slow cells may get fewer, never below 5)
//   --warmup N           untimed runs before timing (default 3)
//   --backends a,b       tsjax backends (default: every registered backend)
//   --budget-s S         seconds one cell may take before its runs are cut (default 12)
//   --out PATH           results file (default bench/results.json; "-" for none)
import { WORKLOAD_NAMES, type WorkloadName } from "./workloads/index.js";

export interface BenchOptions {
  readonly only: readonly WorkloadName[];
  readonly runs: number;
  readonly warmup: number;
  readonly minRuns: number;
  readonly backends: readonly string[] | null;
  readonly cellBudgetMs: number;
  readonly out: string | null;
}

const FLAGS = ["only", "runs", "warmup", "backends", "budget-s", "out"] as const;
type Flag = (typeof FLAGS)[number];

export class UsageError extends Error {}

function readFlags(argv: readonly string[]): Partial<Record<Flag, string>> {
  const out: Partial<Record<Flag, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const name = m?.[1] as Flag | undefined;
    if (!m || !name || !FLAGS.includes(name)) throw new UsageError(`unknown argument '${arg}' (flags: ${FLAGS.map((f) => `--${f}`).join(", ")})`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    out[name] = value;
  }
  return out;
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got '${text}'`);
  return n;
}

function nonNegativeInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got '${text}'`);
  return n;
}

const list = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);

export function parseOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): BenchOptions {
  const flags = readFlags(argv);
  const get = (f: Flag) => flags[f] ?? env[`BENCH_${f.replace("-", "_").toUpperCase()}`];
  const onlyText = get("only");
  const only = onlyText ? list(onlyText) : [...WORKLOAD_NAMES];
  for (const w of only) {
    if (!(WORKLOAD_NAMES as readonly string[]).includes(w)) throw new UsageError(`unknown workload '${w}' (workloads: ${WORKLOAD_NAMES.join(", ")})`);
  }
  const runs = positiveInt("runs", get("runs") ?? "15");
  const budget = Number(get("budget-s") ?? "12");
  if (!(budget > 0)) throw new UsageError(`--budget-s must be a positive number of seconds`);
  const backendsText = get("backends");
  const out = get("out") ?? "bench/results.json";
  return {
    // Table order, whatever order --only listed them in.
    only: WORKLOAD_NAMES.filter((w) => only.includes(w)),
    runs,
    warmup: nonNegativeInt("warmup", get("warmup") ?? "3"),
    minRuns: Math.min(runs, 5),
    backends: backendsText ? list(backendsText) : null,
    cellBudgetMs: budget * 1000,
    out: out === "-" ? null : out,
  };
}
