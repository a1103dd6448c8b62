// The differential property for one generated program:
//
// 1. every backend gives the interpreter's outputs, on the program and on the
//    program after the default jit pipeline (what jit compiles), and leaves
//    its arguments alone;
// 2. the pass pipelines do not change the interpreter's outputs (-0.0
//    included: simplify only makes rewrites exact for every float);
// 3. each vmap level equals the level below run lane by lane (the batching
//    pass is semantics-preserving too);
// 4. its jvp and vjp programs run on every backend like the program, and
//    agree with each other (check/adCheck.ts).
//
// Each check compares one component with the reference, so a report names
// the culprit: a backend, a pipeline, or the batching pass.
//
// A failure throws a FuzzMismatch whose message shows the program, its
// inputs, and what differed: that is what fast-check prints for the shrunk
// counterexample.

import type { Backend } from "../../../src/backends/index.js";
import { evalJaxpr } from "../../../src/backends/interpreter/index.js";
import type { ArrayValue, Jaxpr } from "../../../src/ir/core.js";
import { printJaxpr } from "../../../src/ir/printer.js";
import { subJaxprs } from "../../../src/ir/traverse.js";
import { runPipeline } from "../../../src/passes/index.js";
import { type FuzzProgram, finalJaxpr } from "../gen/build.js";
import { type Tolerance, FLOAT_TOLERANCE, outputsMismatch, valueMismatch } from "./compare.js";
import { type AdOutcome, checkAd } from "./adCheck.js";
import { withLoopGuard } from "./loopGuard.js";
import { randomInputs, showValue, takeLane } from "./values.js";

export interface CheckOptions {
  /** Backends compared with the interpreter. */
  readonly backends: readonly Backend[];
  /** Pass pipelines (text form) whose output the interpreter must evaluate to the same values. */
  readonly pipelines: readonly string[];
  /** The pipeline applied before compiling, as jit does (the backends run the program with and without it). */
  readonly jitPipeline: string;
  /** Check vmap levels against the level below, lane by lane. */
  readonly lanes: boolean;
  /** Check forward and reverse mode of the program (check/adCheck.ts). */
  readonly ad: boolean;
  readonly tolerance?: Tolerance;
}

export class FuzzMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FuzzMismatch";
  }
}

/** Equations in a jaxpr, sub-jaxprs included. */
export function countEqns(j: Jaxpr): number {
  return j.eqns.reduce((n, e) => n + 1 + subJaxprs(e).reduce((m, s) => m + countEqns(s), 0), 0);
}

/** The program (and how it was batched) as text, for failure messages. */
export function describeProgram(p: FuzzProgram): string {
  const parts: string[] = [];
  if (p.levels.length) {
    parts.push(`generated program (${countEqns(p.base)} equations):\n${printJaxpr(p.base)}`);
    p.levels.forEach((l, k) =>
      parts.push(`vmap level ${k + 1}: in-dims [${l.inDims.map(String).join(", ")}], size ${l.size}, out-dims [${l.outDims.map(String).join(", ")}]:\n${printJaxpr(l.jaxpr)}`),
    );
  } else {
    parts.push(`program (${countEqns(p.base)} equations):\n${printJaxpr(p.base)}`);
  }
  return parts.join("\n");
}

export function showAll(label: string, xs: readonly ArrayValue[]): string {
  return xs.map((x, i) => `  ${label} ${i}: ${showValue(x)}`).join("\n");
}

export function fail(p: FuzzProgram, what: string, inputs: readonly ArrayValue[], extra = ""): never {
  throw new FuzzMismatch(`${what}\n${describeProgram(p)}\ninputs:\n${showAll("input", inputs)}${extra ? `\n${extra}` : ""}`);
}

export function attempt<T>(p: FuzzProgram, what: string, inputs: readonly ArrayValue[], fn: () => T): T {
  try {
    return withLoopGuard(fn);
  } catch (e) {
    if (e instanceof FuzzMismatch) throw e;
    return fail(p, `${what} threw ${(e as Error).name}: ${(e as Error).message}`, inputs);
  }
}

const snapshot = (xs: readonly ArrayValue[]): ArrayValue[] => xs.map((x) => ({ ...x, data: x.data.slice() }));

/** Runs every check; says what the AD checks did (null when they are off). */
export function checkProgram(p: FuzzProgram, opts: CheckOptions): AdOutcome | null {
  const tol = opts.tolerance ?? FLOAT_TOLERANCE;
  const j = finalJaxpr(p);
  const inputs = randomInputs(
    j.invars.map((v) => v.aval),
    p.seed,
  );
  const want = attempt(p, "the interpreter", inputs, () => evalJaxpr(j, [], inputs));

  const optimized: Record<string, Jaxpr> = {};
  for (const pipeline of new Set([opts.jitPipeline, ...opts.pipelines])) {
    optimized[pipeline] = attempt(p, `pipeline '${pipeline}'`, inputs, () => runPipeline(j, pipeline, { verify: true }).jaxpr);
  }
  for (const pipeline of opts.pipelines) {
    const opt = optimized[pipeline]!;
    const got = attempt(p, `the interpreter after '${pipeline}'`, inputs, () => evalJaxpr(opt, [], inputs));
    const m = outputsMismatch(got, want, tol);
    if (m !== null) {
      fail(p, `pipeline '${pipeline}' changed the interpreter's results: ${m}`, inputs, `optimized program:\n${printJaxpr(opt)}\n${showAll("expected", want)}\n${showAll("got", got)}`);
    }
  }

  // The reference for the optimized program is the interpreter on that same program.
  const jitted = optimized[opts.jitPipeline]!;
  const wantJitted = opts.backends.length ? attempt(p, `the interpreter after '${opts.jitPipeline}'`, inputs, () => evalJaxpr(jitted, [], inputs)) : [];
  for (const b of opts.backends) {
    for (const [label, program, ref] of [["", j, want], [` after '${opts.jitPipeline}'`, jitted, wantJitted]] as const) {
      const args = snapshot(inputs);
      const got = attempt(p, `backend '${b.name}'${label}`, inputs, () => b.compile(program).run(args));
      const m = outputsMismatch(got, ref, tol);
      if (m !== null) fail(p, `backend '${b.name}'${label} differs from the interpreter: ${m}`, inputs, `${showAll("expected (interpreter)", ref)}\n${showAll("got", got)}`);
      const changed = args.findIndex((a, i) => valueMismatch(a, inputs[i]!, { rtol: 0, atol: 0 }) !== null);
      if (changed >= 0) fail(p, `backend '${b.name}'${label} wrote into argument ${changed}`, inputs);
    }
  }

  if (opts.lanes) checkLanes(p, p.levels.length, inputs, want, tol);
  return opts.ad ? checkAd(p, j, opts.backends, tol) : null;
}

/** Level `k`'s outputs on `inputs` equal level k-1 run on every lane of them and stacked. */
function checkLanes(p: FuzzProgram, k: number, inputs: readonly ArrayValue[], outs: readonly ArrayValue[], tol: Tolerance): void {
  if (k === 0) return;
  const level = p.levels[k - 1]!;
  const below = k === 1 ? p.base : p.levels[k - 2]!.jaxpr;
  for (let lane = 0; lane < level.size; lane++) {
    const laneInputs = inputs.map((x, i) => (level.inDims[i] === null ? x : takeLane(x, level.inDims[i]!, lane)));
    const laneOuts = attempt(p, `vmap level ${k - 1} on lane ${lane}`, laneInputs, () => evalJaxpr(below, [], laneInputs));
    outs.forEach((o, i) => {
      const d = level.outDims[i]!;
      const got = d === null ? o : takeLane(o, d, lane);
      const m = valueMismatch(got, laneOuts[i]!, tol);
      if (m !== null) {
        fail(p, `vmap level ${k}, lane ${lane}, output ${i} differs from level ${k - 1} run on that lane: ${m}`, inputs, `${showAll("lane input", laneInputs)}\n${showAll("lane output (level below)", laneOuts)}\n  batched output ${i}: ${showValue(o)}`);
      }
    });
    checkLanes(p, k - 1, laneInputs, laneOuts, tol);
  }
}
