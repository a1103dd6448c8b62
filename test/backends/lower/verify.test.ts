// The kernel-IR verifier: a well-formed hand-built program passes, and each
// contract, broken on purpose, is reported under its rule with the kernel's
// id and tag. (Every program lowered anywhere in the suite is verified too:
// test/setup.ts turns checked lowering on.)
import { describe, expect, it } from "vitest";
import type { BufferDecl, Instr, Kernel, LoopKernel, Program, Stmt, View } from "../../../src/backends/lower/kernel_ir.js";
import { assertValidProgram, verifyProgram, type VerifyRule } from "../../../src/backends/lower/verify.js";
import type { DType } from "../../../src/ir/dtype.js";
import { planKernels } from "../../../src/backends/lower/kernel_plan.js";
import { lower } from "./helpers.js";

const buf = (id: number, dtype: DType, size: number, role: BufferDecl["role"]): BufferDecl => ({ id, dtype, size, role, label: `b${id}`, ...(role === "temp" ? {} : { index: 0 }) });
const view = (b: number, strides: readonly number[], c = 0): View => ({ buf: b, offset: { c, terms: [] }, strides });
const load = (v: View, level = 1, dtype: DType = "float32"): Instr => ({ op: "load", dtype, level, view: v });

/** out[i] = in[i] + 1 over 8 elements: b0 input, b1 output. */
function loopKernel(over: Partial<LoopKernel> = {}): LoopKernel {
  return {
    kind: "loop",
    id: 0,
    tag: "main",
    lanes: null,
    shape: [8],
    instrs: [load(view(0, [1])), { op: "const", dtype: "float32", level: 0, value: 1 }, { op: "binary", dtype: "float32", level: 1, prim: "add", x: 0, y: 1, argDtype: "float32" }],
    stores: [{ view: view(1, [1]), value: 2 }],
    ...over,
  };
}

function program(body: readonly Stmt[], over: Partial<Program> = {}): Program {
  return {
    buffers: [buf(0, "float32", 8, "input"), buf(1, "float32", 8, "output"), buf(2, "bool", 4, "temp")],
    laneSets: [{ id: 0, shape: [4] }],
    nsyms: 1,
    inputs: [0],
    outputs: [1],
    body,
    plan: { slotOf: new Map(), slots: [], tempBytes: 0, tempBytesNoReuse: 0, outputBytes: 32 },
    kernelPlans: planKernels(body),
    ...over,
  };
}

function rulesOf(p: Program): VerifyRule[] {
  return [...new Set(verifyProgram(p).map((v) => v.rule))];
}

describe("kernel-IR verifier", () => {
  it("accepts a well-formed program, and the programs the lowering makes", () => {
    expect(verifyProgram(program([loopKernel()]))).toEqual([]);
    const lowered = lower(`{ lambda ; a:f32[4,3] b:f32[3,5]. let
        c:f32[4,5] = dot_general[dimension_numbers=(([1], [0]), ([], []))] a b
        d:f32[4,5] = tanh c
        e:f32[4] = reduce_sum[axes=(1,)] d
      in (e,) }`);
    expect(verifyProgram(lowered)).toEqual([]);
  });

  const cases: { rule: VerifyRule; what: string; p: Program }[] = [
    { rule: "ids", what: "a load from an undeclared buffer", p: program([loopKernel({ instrs: [load(view(9, [1])), ...loopKernel().instrs.slice(1)] })]) },
    { rule: "ids", what: "two kernels with one id", p: program([loopKernel(), loopKernel()]) },
    {
      rule: "ssa",
      what: "an instr reading a later instr",
      p: program([loopKernel({ instrs: [{ op: "binary", dtype: "float32", level: 1, prim: "add", x: 1, y: 1, argDtype: "float32" }, load(view(0, [1]))], stores: [{ view: view(1, [1]), value: 0 }] })]),
    },
    { rule: "ssa", what: "a store of a missing instr", p: program([loopKernel({ stores: [{ view: view(1, [1]), value: 7 }] })]) },
    { rule: "level", what: "a load whose level is not its strides'", p: program([loopKernel({ instrs: [load(view(0, [1]), 0), ...loopKernel().instrs.slice(1)] })]) },
    {
      rule: "level",
      what: "an instr below its operand's level",
      p: program([loopKernel({ instrs: [...loopKernel().instrs.slice(0, 2), { op: "binary", dtype: "float32", level: 0, prim: "add", x: 0, y: 1, argDtype: "float32" }] })]),
    },
    { rule: "rank", what: "a view with too many strides", p: program([loopKernel({ stores: [{ view: view(1, [1, 0]), value: 2 }] })]) },
    { rule: "bounds", what: "a load past the buffer's end", p: program([loopKernel({ instrs: [load(view(0, [1], 1)), ...loopKernel().instrs.slice(1)] })]) },
    {
      rule: "bounds",
      what: "a symbol whose setsym range reaches past the end",
      p: program([
        { kind: "setsym", sym: 0, src: null, value: 5, lo: 0, hi: 5 },
        loopKernel({ shape: [4], instrs: [load({ buf: 0, offset: { c: 0, terms: [{ sym: 0, coef: 1 }] }, strides: [1] }), ...loopKernel().instrs.slice(1)], stores: [{ view: view(1, [1]), value: 2 }] }),
      ]),
    },
    { rule: "self-read", what: "a kernel reading its output at another element", p: program([loopKernel({ instrs: [load(view(1, [1])), ...loopKernel().instrs.slice(1)], stores: [{ view: view(1, [-1], 7), value: 2 }] })]) },
    {
      rule: "lanes",
      what: "a kernel over a lane set nothing has set up",
      p: program([loopKernel({ lanes: { set: 0, rank: 1 }, shape: [4, 2], instrs: [load(view(0, [2, 1])), ...loopKernel().instrs.slice(1)], stores: [{ view: view(1, [2, 1]), value: 2 }] })]),
    },
    {
      rule: "lanes",
      what: "lane axes that are not the lane set's shape",
      p: program([
        { kind: "lanes_init", set: 0, from: null },
        loopKernel({ lanes: { set: 0, rank: 1 }, shape: [2, 4], instrs: [load(view(0, [4, 1])), ...loopKernel().instrs.slice(1)], stores: [{ view: view(1, [4, 1]), value: 2 }] }),
      ]),
    },
    { rule: "dtype", what: "a store of float32 into a bool buffer", p: program([loopKernel({ shape: [4], stores: [{ view: view(2, [1]), value: 2 }] })]) },
    { rule: "dtype", what: "a load typed other than its buffer", p: program([loopKernel({ instrs: [load(view(0, [1]), 1, "int32"), ...loopKernel().instrs.slice(1)] })]) },
    { rule: "acc", what: "acc in a loop kernel", p: program([loopKernel({ instrs: [{ op: "acc", dtype: "float32", level: 1 }], stores: [{ view: view(1, [1]), value: 0 }] })]) },
    {
      rule: "reduce",
      what: "an argmax giving float32",
      p: program([{ kind: "reduce", id: 0, tag: "main", lanes: null, shape: [1, 8], nKept: 1, instrs: [load(view(0, [0, 1]), 2)], value: 0, reducer: "argmax", outDtype: "float32", out: view(1, [1]) }]),
    },
  ];

  cases.push({ rule: "plan", what: "a kernel without its plan", p: program([loopKernel()], { kernelPlans: [] }) });

  for (const c of cases) {
    it(`reports ${c.what} under '${c.rule}'`, () => {
      expect(rulesOf(c.p)).toContain(c.rule);
      const v = verifyProgram(c.p).find((x) => x.rule === c.rule)!;
      expect(v.where).toMatch(/^k\d+ \(main\)$/);
    });
  }

  it("reports a reduce that reads the buffer it writes", () => {
    const reduce: Kernel = { kind: "reduce", id: 0, tag: "while0.body", lanes: null, shape: [1, 8], nKept: 1, instrs: [load(view(1, [0, 1]), 2)], value: 0, reducer: "sum", outDtype: "float32", out: view(1, [1]) };
    expect(verifyProgram(program([reduce]))).toEqual([expect.objectContaining({ rule: "self-read", where: "k0 (while0.body)" })]);
  });

  it("accepts views in a loop that runs zero times, whatever its symbol would index", () => {
    const body = loopKernel({ shape: [], instrs: [load({ buf: 0, offset: { c: 0, terms: [{ sym: 0, coef: 100 }] }, strides: [] }, 0)], stores: [{ view: view(1, []), value: 0 }] });
    expect(verifyProgram(program([{ kind: "for", sym: 0, count: 0, reverse: false, body: [body] }]))).toEqual([]);
  });

  it("throws one error naming the kernel and every violated rule", () => {
    const broken = program([loopKernel({ tag: "scan1.body", instrs: [load(view(0, [1], 1), 0), ...loopKernel().instrs.slice(1)] })]);
    expect(() => assertValidProgram(broken)).toThrow(/k0 \(scan1\.body\) \[bounds\]: %0 loads b0\[1; 1\] over \[8\] reaches elements 1\.\.8 of b0, which has 8\n  k0 \(scan1\.body\) \[level\]/);
  });
});

describe("kernel-IR verifier: a lanewise while's iteration plan", () => {
  // The fixture while_lanes.jaxpr's second loop: the cond's `mul j j` is the body's `mul e e`.
  const lowered = lower(`{ lambda ; a:f32[6]. let
      z:i32[6] = broadcast_in_dim[broadcast_dimensions=() shape=(6,)] 0:i32[]
      _:i32[6] c:f32[6] = while[
        body_jaxpr={ lambda ; d:i32[6] e:f32[6]. let
            f:i32[6] = add d 1:i32[]
            g:f32[6] = mul e e
            h:f32[6] = add g 0.25:f32[]
          in (f, h) }
        body_nconsts=0
        cond_jaxpr={ lambda ; i:i32[6] j:f32[6]. let
            k:bool[6] = lt i 10:i32[]
            l:f32[6] = mul j j
            m:bool[6] = lt l 4.0:f32[]
            n:bool[6] = and k m
          in (n,) }
        cond_nconsts=0
      ] z a
    in (c,) }`);
  type While = Extract<Stmt, { kind: "while" }>;
  const at = lowered.body.findIndex((s) => s.kind === "while");
  const loop = lowered.body[at] as While;
  const plan = loop.lanewise!;
  const withLoop = (w: While): Program => ({ ...lowered, body: lowered.body.map((s, i) => (i === at ? w : s)) });
  /** The plan with instr `i` of kernel `k` (cond kernels first) numbered `id`. */
  const renumbered = (k: number, i: number, id: number): While => ({ ...loop, lanewise: { ...plan, valueOf: plan.valueOf.map((vn, kk) => (kk === k ? vn.map((v, ii) => (ii === i ? id : v)) : vn)) } });
  const body = plan.nCond;
  const kernels = [...loop.cond, ...loop.body].flatMap((s) => (s.kind === "loop" ? [s] : []));
  const indexOf = (k: number, prim: string): number => kernels[k]!.instrs.findIndex((ins) => ins.op === "binary" && ins.prim === prim);
  const mulOf = (k: number): number => indexOf(k, "mul");

  it("accepts the lowering's plan, which shares the cond's product with the body", () => {
    expect(verifyProgram(lowered)).toEqual([]);
    expect(plan.valueOf[body]![mulOf(body)]).toBe(plan.valueOf[0]![mulOf(0)]);
  });

  it("reports a qualifying while without a plan", () => {
    const vs = verifyProgram(withLoop({ ...loop, lanewise: null }));
    expect(vs).toEqual([expect.objectContaining({ rule: "lanewise", message: expect.stringMatching(/qualifies .* but has no iteration plan/) })]);
  });

  it("reports a body instr sharing a value that computes something else", () => {
    // The body's product numbered as the cond's comparison `lt i 10`.
    const lt = plan.valueOf[0]![indexOf(0, "lt")]!;
    const vs = verifyProgram(withLoop(renumbered(body, mulOf(body), lt)));
    expect(vs).toContainEqual(expect.objectContaining({ rule: "lanewise", message: expect.stringMatching(/a different computation/) }));
  });

  it("reports a register whose entry read is misstated", () => {
    const misstated = { ...loop, lanewise: { ...plan, registers: plan.registers.map((r) => ({ ...r, entryRead: !r.entryRead })) } };
    expect(verifyProgram(withLoop(misstated))).toContainEqual(expect.objectContaining({ rule: "lanewise", message: expect.stringMatching(/read at entry/) }));
  });

  it("reports a cond instr reusing a value the body computes", () => {
    const bodyOnly = plan.values.find((v) => v.kind === "instr" && v.part === "body")!;
    const vs = verifyProgram(withLoop(renumbered(0, mulOf(0), bodyOnly.id)));
    expect(vs).toContainEqual(expect.objectContaining({ rule: "lanewise", message: expect.stringMatching(/computed later|of the body/) }));
  });
});

describe("code that never runs", () => {
  // Found by the fuzzer: a scan of length 0 over a size-0 xs lowers to a `for`
  // of count 0 whose body loads element 0 of the empty xs buffer. The load
  // never executes, so it is not a bounds violation.
  // (xs is a reshape of an empty array, so its view has stride 0 and the load no symbol.)
  const ir = `{ lambda ; a:i32[1,0]. let
    b:i32[0] = reshape[new_sizes=(0,)] a
    c:i32[0] = scan[
      jaxpr={ lambda ; d:i32[]. let  in (d,) }
      length=0
      num_carry=0
      num_consts=0
      reverse=False
    ] b
    e:i32[0] = neg c
  in (e,) }`;

  it("a for of count 0: its kernels' views are not bounds-checked", () => {
    const p = lower(ir);
    expect(JSON.stringify(p.body)).toContain('"count":0');
    expect(verifyProgram(p)).toEqual([]);
  });

  it("the same kernel in a loop that runs is checked", () => {
    const p = lower(ir);
    const body = p.body.map((s) => (s.kind === "for" ? { ...s, count: 1 } : s));
    expect(verifyProgram({ ...p, body }).map((v) => v.rule)).toContain("bounds");
  });
});
