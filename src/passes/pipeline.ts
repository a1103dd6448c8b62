// Text pipelines (`inline,simplify,cse,dce`, options as `licm{max-depth=2}`)
// and the pass manager that runs them with instrumentation: checked mode
// (verify between passes, inputs deep-frozen so a mutating pass throws),
// print IR before/after a pass or all passes (or only when it
// changed), per-pass wall time and statistics. Dump headers are greppable:
//
//   // ----- IR after cse (3 eqns removed) -----

import { freeze } from "immer";
import type { Jaxpr } from "../ir/core.js";
import { printJaxpr } from "../ir/printer.js";
import { verify } from "../ir/verifier.js";
import { type OptionSpec, type OptionValue, type Pass, type PassStats, formatStats } from "./pass.js";
import { PASSES } from "./registry.js";

export interface PassInvocation {
  readonly pass: Pass;
  readonly options: Readonly<Record<string, OptionValue>>;
}

export class PipelineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PipelineError";
  }
}

export function knownPassNames(): string[] {
  return Object.keys(PASSES).sort();
}

/** What values an option accepts, for messages and docs: "true or false", "a positive integer (1, 2, …)". */
export function describeOptionValues(spec: OptionSpec): string {
  switch (spec.type) {
    case "boolean":
      return "true or false";
    case "string":
      return "a string";
    case "number":
      if (spec.integer) {
        if (spec.min === 1) return "a positive integer (1, 2, …)";
        if (spec.min === 0) return "a non-negative integer (0, 1, 2, …)";
        return spec.min === undefined ? "an integer" : `an integer ≥ ${spec.min}`;
      }
      return spec.min === undefined ? "a number" : `a number ≥ ${spec.min}`;
  }
}

/** A decimal number as written in pipeline text (no hex, no `Infinity`). */
const DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

function optionError(pass: Pass, key: string, reason: string): PipelineError {
  return new PipelineError(`option ${pass.name}{${key}} ${reason}`);
}

function parseOptionValue(pass: Pass, key: string, raw: string): OptionValue {
  const spec = pass.options[key];
  if (!spec) {
    const known = Object.keys(pass.options);
    throw new PipelineError(`pass '${pass.name}' has no option '${key}'${known.length ? ` (options: ${known.join(", ")})` : " (it takes no options)"}`);
  }
  const expects = (): PipelineError => optionError(pass, key, `expects ${describeOptionValues(spec)}, got '${raw}'`);
  let value: OptionValue;
  switch (spec.type) {
    case "boolean":
      if (raw === "true" || raw === "1" || raw === "") value = true;
      else if (raw === "false" || raw === "0") value = false;
      else throw expects();
      break;
    case "number": {
      const n = Number(raw);
      if (!DECIMAL.test(raw) || !Number.isFinite(n)) throw expects();
      if (spec.integer && !Number.isSafeInteger(n)) throw expects();
      if (spec.min !== undefined && n < spec.min) throw expects();
      value = n;
      break;
    }
    case "string":
      value = raw;
      break;
  }
  const problem = spec.check?.(value);
  if (problem) throw optionError(pass, key, problem);
  return value;
}

/** Checks the options that depend on the input jaxpr (see `OptionSpec.check`). */
function checkOptionsFor(pass: Pass, options: Readonly<Record<string, OptionValue>>, j: Jaxpr): void {
  for (const [key, spec] of Object.entries(pass.options)) {
    const problem = spec.check?.(options[key]!, j);
    if (problem) throw optionError(pass, key, problem);
  }
}

/** Parses `a,b{k=v k2=v2},c` into pass invocations with defaults filled in. */
export function parsePipeline(text: string): PassInvocation[] {
  const out: PassInvocation[] = [];
  const re = /\s*([A-Za-z][A-Za-z0-9_-]*)\s*(?:\{([^}]*)\})?\s*(?:,|$)/y;
  let pos = 0;
  const src = text.trim();
  if (src === "") return out;
  while (pos < src.length) {
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m || m[0].length === 0) {
      throw new PipelineError(`malformed pipeline '${text}' at offset ${pos}: expected a pass name like 'dce' or 'licm{opt=value}'`);
    }
    pos = re.lastIndex;
    const name = m[1]!;
    const pass = PASSES[name];
    if (!pass) throw new PipelineError(`unknown pass '${name}'; known passes: ${knownPassNames().join(", ")}`);
    const options: Record<string, OptionValue> = {};
    for (const [k, spec] of Object.entries(pass.options)) options[k] = spec.default;
    const given = new Set<string>();
    for (const kv of (m[2] ?? "").split(/\s+/).filter(Boolean)) {
      const eq = kv.indexOf("=");
      const key = eq < 0 ? kv : kv.slice(0, eq);
      if (given.has(key)) throw optionError(pass, key, "is given twice");
      given.add(key);
      options[key] = parseOptionValue(pass, key, eq < 0 ? "" : kv.slice(eq + 1));
    }
    out.push({ pass, options });
  }
  return out;
}

export interface Instrumentation {
  /**
   * Checked mode: verify the input and the output of every pass, and
   * deep-freeze every pass's input so a pass that mutates it throws instead of
   * corrupting the caller's program. Default: the process-wide setting of
   * `setCheckedPasses` (off, except in the test suite).
   */
  verify?: boolean;
  printBefore?: readonly string[];
  printAfter?: readonly string[];
  printAfterAll?: boolean;
  /** Only print after a pass that changed the IR (alone: after every such pass). */
  printAfterChange?: boolean;
  /** Where dumps go (default: collected in the result's `log`). */
  sink?: (text: string) => void;
}

export interface PassReport {
  readonly name: string;
  readonly stats: PassStats;
  readonly ms: number;
  readonly changed: boolean;
}

export interface PipelineResult {
  readonly jaxpr: Jaxpr;
  readonly reports: readonly PassReport[];
}

export function dumpHeader(when: "before" | "after", name: string, stats?: PassStats): string {
  const s = stats && Object.keys(stats).length ? ` (${formatStats(stats)})` : "";
  return `// ----- IR ${when} ${name}${s} -----`;
}

let checkedByDefault = false;

/**
 * Turns checked mode (see `Instrumentation.verify`) on for every pipeline that
 * does not say otherwise, jit's included. The test suite runs this way; it
 * costs a verifier run and a deep freeze per pass, so it is off by default.
 */
export function setCheckedPasses(on: boolean): void {
  checkedByDefault = on;
}

/** Whether checked mode is on by default (tests, debugging). */
export function checkedPasses(): boolean {
  return checkedByDefault;
}

/** Runs a pipeline (text or parsed) over a jaxpr. */
export function runPipeline(
  input: Jaxpr,
  pipeline: string | readonly PassInvocation[],
  instr: Instrumentation = {},
): PipelineResult {
  const passes = typeof pipeline === "string" ? parsePipeline(pipeline) : pipeline;
  const sink = instr.sink ?? (() => {});
  const printBefore = new Set(instr.printBefore ?? []);
  const printAfter = new Set(instr.printAfter ?? []);
  for (const n of [...printBefore, ...printAfter]) {
    if (!PASSES[n]) throw new PipelineError(`unknown pass '${n}' in a print option; known passes: ${knownPassNames().join(", ")}`);
  }
  const checked = instr.verify ?? checkedByDefault;
  if (checked) verifyOrThrow(input, "on the input");
  let j = input;
  const reports: PassReport[] = [];
  for (const { pass, options } of passes) {
    if (printBefore.has(pass.name)) sink(`${dumpHeader("before", pass.name)}\n${printJaxpr(j)}\n`);
    const before = instr.printAfterChange ? printJaxpr(j) : undefined;
    checkOptionsFor(pass, options, j);
    // IR is immutable by contract; freezing makes a violation throw at the faulty write.
    if (checked) freeze(j, true);
    const t0 = performance.now();
    const { jaxpr, stats } = pass.run(j, options);
    const ms = performance.now() - t0;
    const changed = before !== undefined ? printJaxpr(jaxpr) !== before : jaxpr !== j;
    if (checked) verifyOrThrow(jaxpr, `after pass '${pass.name}'`);
    if (checked) checkOutputOrThrow(pass, options, jaxpr);
    // --print-after-change on its own means "after every pass that changed something" (as in MLIR).
    const afterAllChanged = instr.printAfterChange && printAfter.size === 0;
    const wantPrint = instr.printAfterAll || afterAllChanged || printAfter.has(pass.name);
    if (wantPrint && (!instr.printAfterChange || changed)) sink(`${dumpHeader("after", pass.name, stats)}\n${printJaxpr(jaxpr)}\n`);
    reports.push({ name: pass.name, stats, ms, changed });
    j = jaxpr;
  }
  return { jaxpr: j, reports };
}

/** The pass's own output invariants (`Pass.checkOutput`), reported like a verifier failure. */
function checkOutputOrThrow(pass: Pass, options: Readonly<Record<string, OptionValue>>, j: Jaxpr): void {
  try {
    pass.checkOutput?.(j, options);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new PipelineError(`output check of pass '${pass.name}' failed: ${msg}\n${printJaxpr(j)}`);
  }
}

function verifyOrThrow(j: Jaxpr, what: string): void {
  try {
    verify(j);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new PipelineError(`verifier failed ${what}: ${msg}\n${printJaxpr(j)}`);
  }
}

/** `--timing` table: one row per pass, wall time and statistics. */
export function formatTiming(reports: readonly PassReport[]): string {
  const rows = reports.map((r) => `  ${r.name.padEnd(26)} ${r.ms.toFixed(3).padStart(9)} ms  ${formatStats(r.stats)}`);
  const total = reports.reduce((s, r) => s + r.ms, 0);
  return [`// ----- pass timing -----`, ...rows, `  ${"total".padEnd(26)} ${total.toFixed(3).padStart(9)} ms`].join("\n");
}
