// Helpers for lowering tests: lower IR text, list the kernels.
import { type Kernel, type Program, type Stmt, childBlocks, isKernel } from "../../../src/backends/lower/kernel_ir.js";
import { lowerJaxpr } from "../../../src/backends/lower/index.js";
import { parse } from "../../../src/ir/parser.js";
import { verify } from "../../../src/ir/verifier.js";

export function lower(ir: string): Program {
  const j = parse(ir);
  verify(j);
  return lowerJaxpr(j);
}

/** Every kernel, nested blocks included, in program order. */
export function kernels(p: Program | readonly Stmt[]): Kernel[] {
  const out: Kernel[] = [];
  const walk = (stmts: readonly Stmt[]): void => {
    for (const s of stmts) {
      if (isKernel(s)) out.push(s);
      for (const b of childBlocks(s)) walk(b);
    }
  };
  walk("body" in p ? p.body : p);
  return out;
}

/** Every statement, nested blocks included. */
export function statements(p: Program): Stmt[] {
  const out: Stmt[] = [];
  const walk = (stmts: readonly Stmt[]): void => {
    for (const s of stmts) {
      out.push(s);
      for (const b of childBlocks(s)) walk(b);
    }
  };
  walk(p.body);
  return out;
}

/** The elementwise primitives a kernel computes, in order. */
export function ops(k: Kernel): string[] {
  return k.instrs.flatMap((i) => (i.op === "unary" || i.op === "binary" ? [i.prim] : i.op === "select" || i.op === "convert" ? [i.op] : []));
}
