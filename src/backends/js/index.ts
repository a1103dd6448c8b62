// The `js` backend: lower the jaxpr (src/backends/lower), generate one JS
// function for the program, compile it once with `new Function`.

import type { ArrayValue, Jaxpr } from "../../ir/core.js";
import { type Aval, avalStr, shapesEqual } from "../../ir/dtype.js";
import { checkNesting } from "../../ir/traverse.js";
import type { Backend, CompiledProgram } from "../backend.js";
import { lowerJaxpr } from "../lower/index.js";
import type { Program } from "../lower/kernel_ir.js";
import { emitProgram, runTakesArray } from "./emit_program.js";
import { runtime } from "./runtime.js";

export interface JsCompileOptions {
  /** Called before every kernel with its id and the iteration points it will visit. */
  readonly onKernel?: (kernelId: number, points: number) => void;
  /** Lanes a lane-by-lane batched while keeps in flight (default: chosen per loop). */
  readonly lanewiseSlots?: number;
}

export interface JsProgram extends CompiledProgram {
  readonly source: string;
  /** The lowered program (kernels, buffers, plan). */
  readonly program: Program;
}

type RunFn = (...inputs: (ArrayValue["data"] | ArrayValue["data"][])[]) => ArrayValue["data"][];

export function compileJs(jaxpr: Jaxpr, options: JsCompileOptions = {}): JsProgram {
  checkNesting(jaxpr, "the js backend");
  const program = lowerJaxpr(jaxpr);
  const source = emitProgram(program, { debug: options.onKernel !== undefined, lanewiseSlots: options.lanewiseSlots });
  const factory = new Function("rt", "dbg", source) as (rt: typeof runtime, dbg: JsCompileOptions["onKernel"]) => RunFn;
  const fn = factory(runtime, options.onKernel);
  const asArray = runTakesArray(program);
  const inAvals: Aval[] = [...jaxpr.constvars, ...jaxpr.invars].map((v) => v.aval);
  const outAvals: Aval[] = jaxpr.outvars.map((a) => a.aval);
  return {
    source,
    program,
    run(args) {
      if (args.length !== inAvals.length) throw new TypeError(`js backend: the program takes ${inAvals.length} arguments, got ${args.length}`);
      args.forEach((a, i) => {
        const want = inAvals[i]!;
        if (a.dtype !== want.dtype || !shapesEqual(a.shape, want.shape)) {
          throw new TypeError(`js backend: argument ${i} must be ${avalStr(want)}, got ${avalStr(a)}`);
        }
      });
      const datas = args.map((a) => a.data);
      const outs = asArray ? fn(datas) : fn(...datas);
      return outs.map((data, i) => ({ dtype: outAvals[i]!.dtype, shape: [...outAvals[i]!.shape], data }));
    },
  };
}

export const jsBackend: Backend = {
  name: "js",
  summary: "generated JavaScript: fused loop kernels, blocked matmuls, native loops with active-lane execution",
  compile: (jaxpr) => compileJs(jaxpr),
};
