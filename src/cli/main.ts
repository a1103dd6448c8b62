// `tsjax`: the IR dump and pass driver.
//
//   tsjax dump FILE.ts [--fn NAME | --grad NAME] [--passes P] [--emit js|wat|plan] [print/verify/timing flags]
//   tsjax opt FILE.jaxpr|- --passes P [print/verify/timing flags]
//
// The IR is verified on input and after every pass unless --no-verify: a
// driver whose job is to show what passes do should not print IR that would
// not parse back, and ill-typed input is reported at its FILE:LINE:COL.
// User errors exit with code 1 and one line on stderr (`tsjax: error: …`);
// `--debug` shows the stack trace instead.

import { readFileSync } from "node:fs";
import { compileJs } from "../backends/js/index.js";
import { wasmText } from "../backends/wasm/emit/index.js";
import { formatPlan, lowerJaxpr, setCheckedLowering } from "../backends/lower/index.js";
import { jitPipeline } from "../frontend/jit.js";
import type { Jaxpr } from "../ir/core.js";
import { parse } from "../ir/parser.js";
import { printJaxpr } from "../ir/printer.js";
import { formatTiming, knownPassNames, runPipeline, type PipelineResult } from "../passes/pipeline.js";
import { PASSES } from "../passes/registry.js";
import { type FlagSpec, type ParsedArgs, UsageError, flag, formatFlags, has, list, parseArgs } from "./args.js";
import { loadUserFile } from "./load.js";

const PIPELINE_FLAGS: Record<string, FlagSpec> = {
  passes: { value: true, metavar: "P", doc: "pass pipeline, e.g. 'inline,simplify,cse,dce'" },
  "print-after-all": { value: false, doc: "print the IR after every pass" },
  "print-after-change": { value: false, doc: "print the IR after every pass that changed it (with --print-after P: only those passes)" },
  "print-before": { value: true, repeat: true, metavar: "PASS", doc: "print the IR before the named pass(es)" },
  "print-after": { value: true, repeat: true, metavar: "PASS", doc: "print the IR after the named pass(es)" },
  timing: { value: false, doc: "print per-pass wall time and statistics (to stderr)" },
  "no-verify": { value: false, doc: "skip the IR verifier, which by default checks the input, the IR after every pass and (with --emit) the lowered kernel program" },
  verify: { value: false, doc: "verify the input and after every pass (the default; kept for compatibility)" },
  debug: { value: false, doc: "show stack traces for errors" },
  help: { value: false, doc: "show this help" },
};

const DUMP_FLAGS: Record<string, FlagSpec> = {
  fn: { value: true, metavar: "NAME", doc: "exported function to trace (default: the only key of `args`)" },
  grad: { value: true, metavar: "NAME", doc: "trace NAME and build its gradient (value and gradient of every float input; NAME must return a float32 scalar); with --print-after-all, print the IR after every step" },
  emit: { value: true, metavar: "WHAT", doc: "print what the compiler makes of the final IR: 'js' (generated source), 'wat' (the WebAssembly module as text) or 'plan' (kernels, buffers, memory)" },
  ...PIPELINE_FLAGS,
};

const OPT_FLAGS: Record<string, FlagSpec> = { ...PIPELINE_FLAGS };

const MAIN_HELP = `tsjax — JAX-style array compiler for TypeScript: IR dump and pass driver

Usage:
  tsjax dump FILE.ts [--fn NAME] [--passes P] [options]   trace an exported function, print its jaxpr
  tsjax dump FILE.ts --grad NAME [--print-after-all]      build its gradient, step by step
  tsjax opt FILE.jaxpr|- --passes P [options]            parse text IR, run passes, print the result
  tsjax passes                                           list the passes
  tsjax <command> --help                                 options of a command

Exit status: 0 on success, 1 on user errors (one line on stderr; --debug shows the stack).`;

const DUMP_HELP = `Usage: tsjax dump FILE.ts [--fn NAME] [options]

Bundles FILE.ts with esbuild (no tsc step), traces the exported function NAME
with the example arguments the file exports, and prints the jaxpr:

  // example.ts
  import { np } from "tsjax";
  export function foo(x: np.Array) { return np.sin(x).mul(2); }
  export const args = { foo: [np.ShapeDtype([8], "float32")] };

\`args\` maps a function name to its argument list (arrays, numbers or
np.ShapeDtype specs; pytrees of them). With --passes the pipeline runs on the
traced jaxpr and the final IR is printed. With --emit the final IR (after
--passes, or else after jit's own pipeline) is lowered as jit would compile
it (captured constants become leading inputs) and the js backend's source, the
wasm backend's module in the WebAssembly text format, or the kernel/buffer plan
is printed instead. The traced IR, the IR after every pass and the lowered
kernel program are verified (--no-verify skips that).

With --grad NAME the program is the gradient of NAME instead: inputs → (value,
gradient of each float32 input), built as grad builds it (before-AD passes,
jvp, partial evaluation into a known and a linear part, transpose, cleanup;
see docs/autodiff.md). --print-after-all prints the IR after each of those
steps; --passes and --emit then apply to the gradient program.

Options:
${formatFlags(DUMP_FLAGS)}`;

const OPT_HELP = `Usage: tsjax opt FILE.jaxpr|- --passes P [options]

Parses jaxpr text (a file, or stdin with '-'), runs the pass pipeline and
prints the result, like mlir-opt. The input and the IR after every pass are
verified (--no-verify skips that); syntax and type errors in the input are
reported as FILE:LINE:COL, and a pass that produces ill-typed IR is named.

Options:
${formatFlags(OPT_FLAGS)}

Passes: ${knownPassNames().join(", ")} (see 'tsjax passes')`;

function write(s: string): void {
  process.stdout.write(s.endsWith("\n") ? s : `${s}\n`);
}

/** With --print-after-all/--print-after-change the dumps already end with the final IR. */
function dumpsShowFinal(args: ParsedArgs): boolean {
  return has(args, "print-after-all") || (has(args, "print-after-change") && list(args, "print-after").length === 0);
}

/** Verification is on unless --no-verify (--verify, once needed to turn it on, is accepted and changes nothing). */
function verifying(args: ParsedArgs): boolean {
  return !has(args, "no-verify");
}

function runPasses(j: Jaxpr, args: ParsedArgs, run: typeof runPipeline = runPipeline, pipeline = flag(args, "passes") ?? ""): PipelineResult {
  const result = run(j, pipeline, {
    verify: verifying(args),
    printAfterAll: has(args, "print-after-all"),
    printAfterChange: has(args, "print-after-change"),
    printBefore: list(args, "print-before"),
    printAfter: list(args, "print-after"),
    sink: write,
  });
  if (has(args, "timing")) process.stderr.write(`${formatTiming(result.reports)}\n`);
  return result;
}

async function cmdDump(argv: string[]): Promise<void> {
  const args = parseArgs(argv, DUMP_FLAGS, "dump");
  if (has(args, "help")) return write(DUMP_HELP);
  const [file, ...extra] = args.positional;
  if (!file) throw new UsageError("dump: missing FILE.ts (see 'tsjax dump --help')");
  if (extra.length) throw new UsageError(`dump: unexpected argument '${extra[0]}'`);
  const { user, tsjax } = await loadUserFile(file);
  const exampleArgs = user["args"] as Record<string, unknown[]> | undefined;
  if (!exampleArgs || typeof exampleArgs !== "object") {
    throw new UsageError(`dump: ${file} must export \`args\`, e.g. export const args = { foo: [np.ShapeDtype([8], "float32")] }`);
  }
  const gradOf = flag(args, "grad");
  if (gradOf !== undefined && flag(args, "fn") !== undefined) throw new UsageError("dump: give --fn NAME or --grad NAME, not both");
  let name = gradOf ?? flag(args, "fn");
  if (!name) {
    const keys = Object.keys(exampleArgs);
    if (keys.length !== 1) throw new UsageError(`dump: ${file} has args for ${keys.length} functions (${keys.join(", ")}); choose one with --fn`);
    name = keys[0]!;
  }
  const fn = user[name];
  if (typeof fn !== "function") throw new UsageError(`dump: ${file} does not export a function '${name}'`);
  const fnArgs = exampleArgs[name];
  if (!Array.isArray(fnArgs)) throw new UsageError(`dump: args.${name} must be an array of example arguments`);
  const emit = flag(args, "emit");
  if (emit !== undefined && emit !== "js" && emit !== "wat" && emit !== "plan") throw new UsageError(`dump: --emit must be 'js', 'wat' or 'plan', got '${emit}'`);
  const closed = tsjax.makeJaxpr(fn as (...a: never[]) => unknown)(...(fnArgs as never[]));
  let traced = closed.jaxpr;
  if (gradOf !== undefined) {
    // The bundle's own AD, so the vars it creates share one id space with the trace.
    const steps = tsjax.passes.gradientSteps(traced, `${name} (in ${file})`);
    if (has(args, "print-after-all")) {
      write(`// ----- IR traced ${name} -----\n${printJaxpr(traced)}`);
      for (const s of steps) write(`// ----- IR after ${s.title} -----\n${printJaxpr(s.jaxpr)}`);
    }
    traced = steps[steps.length - 1]!.jaxpr;
  }
  const pipeline = flag(args, "passes") ?? (emit ? jitPipeline(true) : undefined);
  if (!pipeline) {
    // An empty pipeline still verifies its input.
    if (verifying(args)) runPasses(traced, args, tsjax.passes.runPipeline as typeof runPipeline, "");
    // --grad --print-after-all has printed the gradient program as its last step.
    if (gradOf !== undefined && has(args, "print-after-all")) return;
    return write(printJaxpr(traced));
  }
  if (dumpsShowFinal(args) && gradOf === undefined) write(`// ----- IR traced ${name} -----\n${printJaxpr(traced)}`);
  // Run the bundle's own pass manager so vars it creates share one id space with the trace.
  const result = runPasses(traced, args, tsjax.passes.runPipeline as typeof runPipeline, pipeline);
  // The lowered kernel program is verified too (lower/verify.ts), unless --no-verify.
  setCheckedLowering(verifying(args));
  if (emit === "js") return write(compileJs(result.jaxpr).source);
  if (emit === "wat") return write(wasmText(result.jaxpr));
  if (emit === "plan") return write(formatPlan(lowerJaxpr(result.jaxpr)));
  if (!dumpsShowFinal(args)) write(printJaxpr(result.jaxpr));
}

async function cmdOpt(argv: string[]): Promise<void> {
  const args = parseArgs(argv, OPT_FLAGS, "opt");
  if (has(args, "help")) return write(OPT_HELP);
  const [file, ...extra] = args.positional;
  if (!file) throw new UsageError("opt: missing FILE.jaxpr or '-' for stdin (see 'tsjax opt --help')");
  if (extra.length) throw new UsageError(`opt: unexpected argument '${extra[0]}'`);
  let text: string;
  try {
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch {
    throw new UsageError(`opt: cannot read ${file}`);
  }
  // Parsing verifies too, so an ill-typed input is reported at its FILE:LINE:COL.
  const j = parse(text, { source: file === "-" ? "<stdin>" : file, verify: verifying(args) });
  const result = runPasses(j, args);
  if (!dumpsShowFinal(args)) write(printJaxpr(result.jaxpr));
}

function cmdPasses(): void {
  const names = knownPassNames();
  write(names.map((n) => `  ${n.padEnd(26)} ${PASSES[n]!.summary}`).join("\n") || "  (no passes registered)");
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes("--debug");
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case undefined:
      case "--help":
      case "-h":
      case "help":
        write(MAIN_HELP);
        return 0;
      case "dump":
        await cmdDump(rest);
        return 0;
      case "opt":
        await cmdOpt(rest);
        return 0;
      case "passes":
        cmdPasses();
        return 0;
      default:
        throw new UsageError(`unknown command '${cmd}' (commands: dump, opt, passes; see 'tsjax --help')`);
    }
  } catch (e) {
    if (debug) {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    } else {
      const msg = e instanceof Error ? e.message : String(e);
      // One line: a PipelineError from the verifier appends the offending IR, which --debug shows.
      const oneLine = msg.split("\n")[0];
      process.stderr.write(`tsjax: error: ${oneLine}\n`);
    }
    return 1;
  }
}
