// What the emitted modules look like: every module validates, the dot kernel
// is SIMD (f32x4 multiply-adds in 4×8 blocks, f32x4 epilogue), elementwise
// kernels run f32x4 bodies with scalar tails, identical kernels share one
// function, the lane-wise loop is one SIMD function, and the peephole pass
// leaves no materialized v128 constant inside a loop.
import { describe, expect, it } from "vitest";
import { lowerJaxpr } from "../../../../src/backends/lower/index.js";
import { emitModule } from "../../../../src/backends/wasm/emit/emit_program.js";
import type { Instr } from "../../../../src/backends/wasm/instr.js";
import { parse } from "../../../../src/ir/parser.js";
import { CONTROL_FLOW_CASES } from "../../../fixtures/control_flow.js";
import { compile } from "./helpers.js";

/** The text of one function of a WAT module. */
function watFunction(wat: string, name: RegExp): string {
  const starts = [...wat.matchAll(/\n  \(func \$(\S+)/g)];
  const i = starts.findIndex((m) => name.test(m[1]!));
  if (i < 0) throw new Error(`no function matching ${name}`);
  return wat.slice(starts[i]!.index, starts[i + 1]?.index ?? wat.length);
}

const count = (text: string, op: string): number => text.split(new RegExp(`\\b${op.replace(".", "\\.")}\\b`)).length - 1;

const MLP_LAYER = `{ lambda ; a:f32[64,32] w:f32[32,16] b:f32[16]. let
    d:f32[64,16] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a w
    c:f32[64,16] = broadcast_in_dim[broadcast_dimensions=(1,) shape=(64, 16)] b
    e:f32[64,16] = add d c
    f:f32[64,16] = tanh e
  in (f,) }`;

describe("wasm module structure", () => {
  it("every control-flow fixture compiles to a module that WebAssembly.validate accepts", () => {
    for (const c of CONTROL_FLOW_CASES) expect(WebAssembly.validate(compile(c.ir).bytes as Uint8Array<ArrayBuffer>), c.name).toBe(true);
  });

  it("the dot kernel is a 4×8 SIMD block: 8 f32x4 multiplies and adds per k step, splat loads, an f32x4 epilogue", () => {
    const dot = watFunction(compile(MLP_LAYER).source, /^dot/);
    // The innermost loops (no loop inside) that splat lhs values: the k loops of the 4-row and the 1-row block.
    const loopBody = (label: string): string => dot.slice(dot.indexOf(`loop ${label}\n`) + label.length + 6, dot.indexOf(`br_if ${label}\n`));
    const kLoops = [...dot.matchAll(/loop (\$loop\d+)\n/g)].map((m) => loopBody(m[1]!)).filter((body) => !/\bloop\b/.test(body) && body.includes("load32_splat"));
    expect(kLoops.map((body) => [count(body, "v128.load32_splat"), count(body, "f32x4.mul"), count(body, "f32x4.add"), count(body, "v128.load")])).toEqual([
      [4, 8, 8, 2],
      [1, 2, 2, 2],
    ]);
    // k = 32 ≤ 64: a single float32 run, no double totals.
    expect(count(dot, "f64x2.add")).toBe(0);
    // The epilogue (bias add, tanh) runs on f32x4 vectors: many f32x4 ops outside the k loops.
    expect(count(dot, "f32x4.add") - 10).toBeGreaterThan(20);
  });

  it("a contraction longer than 64 adds float32 runs into double totals", () => {
    const ir = `{ lambda ; a:f32[8,100] w:f32[100,8]. let d:f32[8,8] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a w in (d,) }`;
    const dot = watFunction(compile(ir).source, /^dot/);
    expect(count(dot, "f64x2.promote_low_f32x4")).toBeGreaterThan(0);
    expect(count(dot, "f64x2.add")).toBeGreaterThan(0);
    expect(count(dot, "f32x4.demote_f64x2_zero")).toBeGreaterThan(0);
  });

  it("a sum over the leading axis accumulates four outputs at a time in f64x2 pairs; a plain sum over the last axis (gathers) stays scalar", () => {
    const ir = `{ lambda ; a:f32[32,8]. let b:f32[8] = reduce_sum[axes=(0,)] a c:f32[32] = reduce_sum[axes=(1,)] a in (b, c) }`;
    const wat = compile(ir).source;
    const leading = watFunction(wat, /^reduce0$/);
    expect(count(leading, "f64x2.promote_low_f32x4")).toBe(2);
    expect(count(leading, "f64x2.add")).toBe(2);
    expect(count(leading, "f64.add")).toBe(0); // 8 outputs: no scalar tail
    const last = watFunction(wat, /^reduce1$/);
    expect(count(last, "f64x2.add")).toBe(0);
    expect(count(last, "f64.add")).toBe(1);
  });

  it("the lhs is read in place (no copy, splats 4 bytes apart stepping a row of h), or past IN_PLACE_SPAN packed one vector per k step", () => {
    const hTg = (k: number, m: number) =>
      watFunction(compile(`{ lambda ; h:f32[${k},${m}] g:f32[${k},8]. let d:f32[${m},8] = dot_general[dimension_numbers=(((0,), (0,)), ((), ()))] h g in (d,) }`).source, /^dot/);
    const small = hTg(128, 16);
    expect(small).toMatch(/local\.get \$pa\n\s*v128\.load32_splat offset=12\n/);
    expect(small).toMatch(/local\.get \$pa\n\s*i32\.const 64\n\s*i32\.add\n/);
    expect(small).not.toMatch(/v128\.load align=4\n\s*v128\.store align=4\n\s*local\.get \$src/);
    // 1100 steps of a 1 KiB row: the 4-row block's copy, a v128 per k step advancing the source by one row.
    const large = hTg(1100, 256);
    expect(large).toMatch(/v128\.load align=4\n\s*v128\.store align=4\n\s*local\.get \$src\d*\n\s*i32\.const 1024\n/);
    expect(large).toMatch(/local\.get \$pa\n\s*i32\.const 16\n\s*i32\.add\n/);
  });

  it("full rhs panels are read in place (the k step is a row of the rhs); only a partial last panel is packed", () => {
    const mm = (n: number) => watFunction(compile(`{ lambda ; a:f32[8,16] b:f32[16,${n}]. let d:f32[8,${n}] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a b in (d,) }`).source, /^dot/);
    // A k loop stepping pb by one rhs row (16 columns: 64 bytes), and no copy loop.
    const full = mm(16);
    expect(full).toMatch(/local\.get \$pb\n\s*i32\.const 64\n\s*i32\.add\n/);
    expect(full).not.toMatch(/v128\.load (offset=\d+ )?align=4\n\s*v128\.store/);
    // 20 columns: two panels in place (step 80 bytes), the last 4 columns packed with zeros (step 32 bytes).
    const partial = mm(20);
    expect(partial).toMatch(/local\.get \$pb\n\s*i32\.const 80\n\s*i32\.add\n/);
    expect(partial).toMatch(/local\.get \$pb\n\s*i32\.const 32\n\s*i32\.add\n/);
  });

  it("an elementwise kernel has an f32x4 body and a scalar tail", () => {
    const ir = `{ lambda ; a:f32[3,7] b:f32[3,7]. let c:f32[3,7] = mul a b d:f32[3,7] = sub c 1.0:f32[] in (d,) }`; // 21 elements: 5 vectors, 1 in the tail
    const loop = watFunction(compile(ir).source, /^loop/);
    expect(count(loop, "f32x4.mul")).toBe(1);
    expect(count(loop, "f32x4.sub")).toBe(1);
    expect(count(loop, "v128.store")).toBe(1);
    expect(count(loop, "f32.mul")).toBe(1);
    expect(count(loop, "f32.store")).toBe(1);
  });

  it("the sixteen layers of an unrolled MLP share one dot function", () => {
    const layers = Array.from({ length: 16 }, (_, l) => {
      const src = l === 0 ? "x" : `h${l - 1}`;
      return `    d${l}:f32[32,16] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] ${src} w
    e${l}:f32[32,16] = add d${l} bb
    h${l}:f32[32,16] = tanh e${l}`;
    }).join("\n");
    const ir = `{ lambda ; x:f32[32,16] w:f32[16,16] b:f32[16]. let
    bb:f32[32,16] = broadcast_in_dim[broadcast_dimensions=(1,) shape=(32, 16)] b
${layers}
  in (h15,) }`;
    const { kernelFunctions, module } = emitModule(lowerJaxpr(parse(ir)));
    expect(kernelFunctions).toBeLessThanOrEqual(2);
    expect(module.functions.filter((f) => f.name.startsWith("dot"))).toHaveLength(1);
  });

  it("no materialized v128 constant is left inside a loop; constant clamps use pmin/pmax", () => {
    const { module } = emitModule(lowerJaxpr(parse(MLP_LAYER)));
    for (const f of module.functions) {
      let depth = 0;
      const kinds: string[] = [];
      for (const ins of f.body as Instr[]) {
        if (ins.kind === "block") {
          kinds.push(ins.op);
          if (ins.op === "loop") depth++;
        } else if (ins.kind === "end") {
          if (kinds.pop() === "loop") depth--;
        } else if (ins.kind === "v128.const" && depth > 0) {
          const trivial = ins.value.bytes.every((b) => b === 0) || ins.value.bytes.every((b) => b === 255);
          expect(trivial, `v128.const in a loop of ${f.name}`).toBe(true);
        }
      }
    }
    const dot = watFunction(compile(MLP_LAYER).source, /^dot/);
    // tanh's clamp min(|x|, 9.0109) is a constant clamp: pmin, and no NaN-propagating min/max sequence is left.
    expect(count(dot, "f32x4.pmin") + count(dot, "f32x4.pmax")).toBeGreaterThan(0);
    expect(count(dot, "f32x4.min") + count(dot, "f32x4.max")).toBe(0);
  });

  it("a loop of independent scalar lanes is one four-lane SIMD function", () => {
    const ir = `{ lambda ; a:i32[9] b:f32[9]. let
        z:i32[9] = broadcast_in_dim[broadcast_dimensions=() shape=(9,)] 0:i32[]
        _:i32[9] c:f32[9] = while[
          body_jaxpr={ lambda ; k:i32[9] x:f32[9]. let
              k2:i32[9] = add k 1:i32[]
              y:f32[9] = mul x x
              x2:f32[9] = add y b
            in (k2, x2) }
          body_nconsts=0
          cond_jaxpr={ lambda ; n:i32[9] k:i32[9] x:f32[9]. let p:bool[9] = lt k n in (p,) }
          cond_nconsts=1
        ] a z b
      in (c,) }`.replace("body_jaxpr={ lambda ; k", "body_jaxpr={ lambda ; b:f32[9] k").replace("body_nconsts=0", "body_nconsts=1").replace("] a z b\n", "] a b z b\n");
    const wat = compile(ir).source;
    const lw = watFunction(wat, /^lanewise/);
    expect(count(lw, "f32x4.mul")).toBe(1);
    expect(count(lw, "i32x4.add")).toBe(1);
    expect(count(lw, "i32x4.bitmask")).toBe(1);
  });
});
