// Recipe → program: the generated jaxpr, then zero or more vmap levels (the
// batching pass `batchJaxpr` applied to the whole program with random in-dims;
// a second level batches the batched program again, as nested vmap does).

import type { Jaxpr } from "../../../src/ir/core.js";
import type { DType } from "../../../src/ir/dtype.js";
import { printJaxpr } from "../../../src/ir/printer.js";
import { verify } from "../../../src/ir/verifier.js";
import { type Dim, batchJaxpr } from "../../../src/passes/batch/index.js";
import { buildSteps } from "./control.js";
import { DEFAULT_LIMITS, type Recipe, parseTokens } from "./recipe.js";
import { Scope, inputBits } from "./scope.js";

/** Recipe dtype choices 0-9: half float32, 30% int32, 20% bool (0, what shrinking reaches, is float32). */
const DTYPE_OF: readonly DType[] = ["float32", "float32", "float32", "float32", "float32", "int32", "int32", "int32", "bool", "bool"];

export interface VmapLevel {
  /** Batch axis per input of the previous level's program (null = unbatched). */
  readonly inDims: readonly Dim[];
  readonly size: number;
  /** The batched program and the batch axis of each of its outputs. */
  readonly jaxpr: Jaxpr;
  readonly outDims: readonly Dim[];
}

export interface FuzzProgram {
  /** The generated program. */
  readonly base: Jaxpr;
  /** levels[0] batches `base`, levels[1] batches levels[0], … */
  readonly levels: readonly VmapLevel[];
  /** Seeds the input values. */
  readonly seed: number;
}

/** The program the backends run: the innermost vmap level, or the base program. */
export const finalJaxpr = (p: FuzzProgram): Jaxpr => (p.levels.length ? p.levels[p.levels.length - 1]!.jaxpr : p.base);

/** The generated program itself does not verify: a bug in the generator (or in the verifier/shape rules). */
export class GeneratorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GeneratorError";
  }
}

/** The batching pass threw, or produced a program that does not verify. */
export class BatchPassError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BatchPassError";
  }
}

function verified(j: Jaxpr, fail: (msg: string) => Error): Jaxpr {
  try {
    verify(j);
  } catch (e) {
    throw fail(`${(e as Error).message}\n${printJaxpr(j)}`);
  }
  return j;
}

/** The recipe's program, verified. */
export function buildBase(r: Recipe, maxDepth = DEFAULT_LIMITS.maxDepth): Jaxpr {
  const top = new Scope(false, true);
  for (const spec of r.inputs) {
    const dtype = DTYPE_OF[spec.dtype % DTYPE_OF.length]!;
    top.bind({ dtype, shape: [...spec.shape] }, inputBits(dtype));
  }
  buildSteps(top, parseTokens(r.tokens, maxDepth));
  // The picked outputs, plus (up to 6 outputs in all) every result nothing reads, so little of the program is dead.
  const outs = r.outs.map((n) => top.pick(n)!);
  for (const v of top.sinks().reverse()) if (outs.length < 6 && !outs.includes(v)) outs.push(v);
  return verified(top.finish(outs), (m) => new GeneratorError(`the generated program does not verify: ${m}`));
}

/** The recipe's vmap levels applied to `base` with the batching pass. */
export function applyVmaps(base: Jaxpr, specs: Recipe["vmaps"]): VmapLevel[] {
  const levels: VmapLevel[] = [];
  let j = base;
  for (const spec of specs) {
    const inDims = j.invars.map((v, k): Dim => {
      const choice = (spec.dims[k] ?? 0) % (v.aval.shape.length + 2);
      return choice === 0 ? null : choice - 1;
    });
    const what = `batchJaxpr(in-dims [${inDims.map(String).join(", ")}], size ${spec.size})`;
    let batched;
    try {
      batched = batchJaxpr(j, inDims, spec.size);
    } catch (e) {
      throw new BatchPassError(`${what} threw: ${(e as Error).message}\non\n${printJaxpr(j)}`);
    }
    j = verified(batched.jaxpr, (m) => new BatchPassError(`${what} gives a program that does not verify: ${m}`));
    levels.push({ inDims, size: spec.size, jaxpr: j, outDims: batched.outDims });
  }
  return levels;
}

export function buildProgram(r: Recipe, maxDepth = DEFAULT_LIMITS.maxDepth): FuzzProgram {
  const base = buildBase(r, maxDepth);
  return { base, levels: applyVmaps(base, r.vmaps), seed: r.seed };
}
