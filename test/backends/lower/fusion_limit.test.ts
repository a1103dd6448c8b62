// Fusion is bounded (nodes.ts MAX_FUSED_WEIGHT): a chain of elementwise
// operations as long as a program becomes a sequence of kernels of bounded
// size (an engine caps one wasm function at 50,000 locals; re-indexing an
// unbounded pending chain made a transposed chain quadratic), while chains of
// ordinary length still fuse into one kernel.
import { describe, expect, it } from "vitest";
import { lowerJaxpr } from "../../../src/backends/lower/index.js";
import type { Kernel, Stmt } from "../../../src/backends/lower/kernel_ir.js";
import { MAX_FUSED_WEIGHT } from "../../../src/backends/lower/nodes.js";
import { tanhChain } from "../../helpers/largePrograms.js";

const kernels = (body: readonly Stmt[]): Kernel[] => body.filter((s): s is Kernel => s.kind === "loop" || s.kind === "reduce" || s.kind === "dot");

describe("the fusion limit", () => {
  it(`a chain of 20,000 operations lowers to kernels of at most ${2 * MAX_FUSED_WEIGHT} instructions`, () => {
    const ks = kernels(lowerJaxpr(tanhChain(10_000, 8)).body);
    // Each kernel computes one stretch of the chain into a temp that the next one loads.
    expect(ks.length).toBeGreaterThanOrEqual(20_000 / MAX_FUSED_WEIGHT);
    for (const k of ks) expect(k.instrs.length).toBeLessThanOrEqual(2 * MAX_FUSED_WEIGHT);
    expect(ks.reduce((n, k) => n + k.instrs.filter((i) => i.op === "unary").length, 0)).toBe(10_000);
  });

  it("a chain of 100 operations is still one kernel", () => {
    const ks = kernels(lowerJaxpr(tanhChain(50, 8)).body);
    expect(ks.length).toBe(1);
    expect(ks[0]!.instrs.filter((i) => i.op === "unary").length).toBe(50);
  });
});
