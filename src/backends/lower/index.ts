// The shared lowering, emitter-independent: Jaxpr → Program (kernel_ir.ts).
// Emitters (src/backends/js, src/backends/wasm) only consume the Program.

import type { Jaxpr } from "../../ir/core.js";
import { runRecursion } from "../../ir/trampoline.js";
import { checkNesting } from "../../ir/traverse.js";
import { sizeOf } from "../../ir/dtype.js";
import { contiguous } from "./affine.js";
import type { Dest } from "./block.js";
import { eliminateDeadStores, finalizeKernels } from "./finalize.js";
import type { Program } from "./kernel_ir.js";
import { analyzeRegion } from "./lanes.js";
import { Lowerer } from "./lower.js";
import { loadNode } from "./nodes.js";
import { planKernels } from "./kernel_plan.js";
import { planBuffers } from "./plan.js";
import { assertValidProgram, loweringChecked } from "./verify.js";
import { expandReplays } from "../../passes/expandReplay.js";
import { rejectTapesAtBoundary } from "./rules_tape.js";

export type * from "./kernel_ir.js";
export { formatProgram, formatPlan } from "./print.js";
export { analyzeRegion, type RegionInfo } from "./lanes.js";
export { setCheckedLowering, verifyProgram, type Violation, type VerifyRule } from "./verify.js";

/**
 * Lowers a closed jaxpr (constvars, if any, are taken as leading inputs) to a
 * program of kernels over planned buffers.
 */
export function lowerJaxpr(source: Jaxpr): Program {
  // Reverse mode's replays become whiles over tape_read first (passes/expandReplay.ts).
  const jaxpr = expandReplays(source);
  checkNesting(jaxpr, "lowering");
  const L = new Lowerer();
  const invars = [...jaxpr.constvars, ...jaxpr.invars];
  rejectTapesAtBoundary(invars.map((v) => v.aval), "input");
  rejectTapesAtBoundary(jaxpr.outvars.map((a) => a.aval), "output");
  const inputs = invars.map((v, i) => {
    const buf = L.newBuffer(v.aval.dtype, sizeOf(v.aval.shape), "input", `argument ${i}`, i);
    return loadNode({ buf, ...contiguous(v.aval.shape) }, v.aval.shape, v.aval.dtype, false);
  });
  const dests: Dest[] = jaxpr.outvars.map((a, i) => {
    const buf = L.newBuffer(a.aval.dtype, sizeOf(a.aval.shape), "output", `output ${i}`, i);
    return { view: { buf, ...contiguous(a.aval.shape) }, lanes: null, whole: true };
  });
  const info = analyzeRegion({ ...jaxpr, constvars: [], invars }, null, jaxpr.outvars.map(() => true));
  const b = L.block({ restrict: null, mask: null, tag: "main" });
  runRecursion(L.lowerScope(b, { ...jaxpr, constvars: [], invars }, info, inputs, dests));
  L.flush(b);
  const body = finalizeKernels(eliminateDeadStores(b.stmts, L.buffers), (set) => L.laneSets[set]!.shape.length);
  const program: Program = {
    buffers: L.buffers,
    laneSets: L.laneSets,
    nsyms: L.nsyms,
    inputs: inputs.map((_, i) => i),
    outputs: dests.map((d) => d.view.buf),
    body,
    plan: planBuffers(body, L.buffers),
    kernelPlans: planKernels(body),
  };
  if (loweringChecked()) assertValidProgram(program);
  return program;
}
