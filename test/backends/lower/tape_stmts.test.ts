// The kernel IR's tape statements (kernel_ir.ts, "Tapes"): the verifier's
// `tape` rule on hand-built programs, and what the lowering and its cleanups
// do with them (rules_tape.ts, finalize.ts, plan.ts).
import { describe, expect, it } from "vitest";
import type { BufferDecl, Program, Stmt, View } from "../../../src/backends/lower/kernel_ir.js";
import { verifyProgram } from "../../../src/backends/lower/verify.js";
import { lifetimes } from "../../../src/backends/lower/plan.js";
import type { DType } from "../../../src/ir/dtype.js";
import { lower, statements } from "./helpers.js";

const buf = (id: number, dtype: DType, size: number, role: BufferDecl["role"]): BufferDecl => ({ id, dtype, size, role, label: `b${id}`, ...(role === "temp" ? {} : { index: 0 }) });
const view = (b: number, strides: readonly number[], c = 0): View => ({ buf: b, offset: { c, terms: [] }, strides });

/** b0 f32×8 input, b1 f32×8 output, b2 i32×1 a handle, b3 f32×4 a slot, b4 f32×1 not a handle, b5 i32×1 an index. */
function program(body: readonly Stmt[]): Program {
  return {
    buffers: [buf(0, "float32", 8, "input"), buf(1, "float32", 8, "output"), buf(2, "int32", 1, "temp"), buf(3, "float32", 4, "temp"), buf(4, "float32", 1, "temp"), buf(5, "int32", 1, "temp")],
    laneSets: [],
    nsyms: 0,
    inputs: [0],
    outputs: [1],
    body,
    plan: { slotOf: new Map(), slots: [], tempBytes: 0, tempBytesNoReuse: 0, outputBytes: 32 },
    kernelPlans: [],
  };
}

const tapeNew: Stmt = { kind: "tape_new", handle: view(2, []), dtype: "float32", slotSize: 4 };
const push = (src: View, slotSize = 4, dtype: DType = "float32"): Stmt => ({ kind: "tape_push", handle: view(2, []), src, dtype, slotSize });
const load = (dst: View, over: Partial<Extract<Stmt, { kind: "tape_load" }>> = {}): Stmt => ({ kind: "tape_load", handle: view(2, []), index: view(5, []), dst, dtype: "float32", slotSize: 4, ...over });

describe("kernel-IR verifier: tape statements", () => {
  it("accepts a tape made, pushed from an input and loaded into a temp", () => {
    expect(verifyProgram(program([tapeNew, push(view(0, [1], 4)), load(view(3, [1]))]))).toEqual([]);
  });

  const cases: { what: string; rule: string; body: Stmt[]; message: RegExp }[] = [
    { what: "a handle in a float32 buffer", rule: "tape", body: [{ ...tapeNew, handle: view(4, []) } as Stmt], message: /the tape handle b4\[0; \] is in float32 buffer b4, not int32/ },
    { what: "a pushed slot past its buffer's end", rule: "bounds", body: [tapeNew, push(view(0, [1], 6))], message: /the pushed slot b0\[6; 1\] over \[4\] reaches elements 6\.\.9 of b0, which has 8/ },
    { what: "a strided slot", rule: "tape", body: [tapeNew, push(view(0, [2]))], message: /must be contiguous \(strides \[1\]\), not \[2\]/ },
    { what: "a slot of another dtype than the tape's", rule: "dtype", body: [tapeNew, load(view(3, [1]), { dtype: "int32" })], message: /the loaded slot b3\[0; 1\] is in float32 buffer b3, the tape holds int32/ },
    { what: "a slot index in a float32 buffer", rule: "tape", body: [tapeNew, load(view(3, [1]), { index: view(4, []) })], message: /the slot index b4\[0; \] is in float32 buffer b4, not int32/ },
    { what: "a handle in a buffer of more than one element", rule: "tape", body: [{ ...tapeNew, handle: view(0, []) } as Stmt], message: /the tape handle's buffer b0 has 8 elements, not 1/ },
    { what: "a negative slot size", rule: "tape", body: [{ ...tapeNew, slotSize: -1 } as Stmt], message: /slotSize -1 is not a count of elements/ },
  ];
  for (const c of cases) {
    it(`reports ${c.what} under '${c.rule}'`, () => {
      const v = verifyProgram(program(c.body)).filter((x) => x.rule === c.rule);
      expect(v.map((x) => x.message).join("\n")).toMatch(c.message);
    });
  }
});

describe("lowering tapes", () => {
  const RECORD = `{ lambda ; a:f32[]. let
    x:f32[] b:i32[] c:tape(f32[]) = while_record[
      body_jaxpr={ lambda ; d:f32[] e:i32[]. let
          f:f32[] = mul d 1.5:f32[]
          j:i32[] = add e 1:i32[]
        in (f, j, d) }
      body_nconsts=0
      cond_jaxpr={ lambda ; k:f32[] l:i32[]. let m:bool[] = lt k 10.0:f32[] in (m,) }
      cond_nconsts=0
      num_records=1
    ] a 0:i32[]
    u:f32[] = tape_read c 0:i32[]
    v:f32[] = tape_read c 1:i32[]
  in (x, u) }`;

  it("makes the tape before the loop and pushes the residual before the carries are written back", () => {
    const p = lower(RECORD);
    const top = p.body.map((s) => s.kind);
    expect(top.indexOf("tape_new")).toBeLessThan(top.indexOf("while"));
    const loop = p.body.find((s) => s.kind === "while")!;
    if (loop.kind !== "while") throw new Error("unreachable");
    const body = loop.body.map((s) => s.kind);
    // The residual is the old carry d: pushed straight from the carry buffer, before the kernel that updates it.
    expect(body[0]).toBe("tape_push");
    const pushed = loop.body[0]!;
    const update = loop.body.find((s) => s.kind === "loop");
    if (pushed.kind !== "tape_push" || !update || update.kind !== "loop") throw new Error("expected a push then an update kernel");
    expect(update.stores.map((st) => st.view.buf)).toContain(pushed.src.buf);
  });

  it("drops a tape_load nobody reads; keeps every push and tape_new", () => {
    const kinds = statements(lower(RECORD)).map((s) => s.kind);
    expect(kinds.filter((k) => k === "tape_load")).toHaveLength(1);
    expect(kinds.filter((k) => k === "tape_new")).toHaveLength(1);
    expect(kinds.filter((k) => k === "tape_push")).toHaveLength(1);
  });

  it("keeps the tape handle alive from tape_new to its last load (buffer planning)", () => {
    const p = lower(RECORD);
    const made = p.body.find((s) => s.kind === "tape_new");
    const read = statements(p).find((s) => s.kind === "tape_load");
    if (made?.kind !== "tape_new" || read?.kind !== "tape_load") throw new Error("expected tape_new and tape_load");
    const handle = lifetimes(p.body).get(made.handle.buf)!;
    const dst = lifetimes(p.body).get(read.dst.buf)!;
    expect(handle.start).toBeLessThan(dst.start);
    expect(handle.end).toBeGreaterThanOrEqual(dst.start);
    // The handle's slot is not shared with anything live in between.
    const slot = p.plan.slotOf.get(made.handle.buf);
    for (const [b, s] of p.plan.slotOf) {
      if (b === made.handle.buf || s !== slot) continue;
      const iv = lifetimes(p.body).get(b)!;
      expect(iv.end < handle.start || iv.start > handle.end).toBe(true);
    }
  });
});

describe("a batched while that records never runs row by row (lanewise.ts)", () => {
  // Pushes are whole slots, one per iteration of the loop as a whole; a row running to its own exit has no such iteration.
  const loop = (prim: "while" | "while_record") => `{ lambda ; a:f32[4]. let
    x:f32[4] ${prim === "while_record" ? "t:tape(f32[4]) " : ""}= ${prim}[
      body_jaxpr={ lambda ; d:f32[4]. let e:f32[4] = mul d 1.5:f32[] in (e${prim === "while_record" ? ", d" : ""}) }
      body_nconsts=0
      cond_jaxpr={ lambda ; c:f32[4]. let m:bool[4] = lt c 10.0:f32[] in (m,) }
      cond_nconsts=0${prim === "while_record" ? "\n      num_records=1" : ""}
    ] a
  in (x,) }`;
  const whileOf = (p: Program) => {
    const w = statements(p).find((s) => s.kind === "while");
    if (w?.kind !== "while") throw new Error("expected a while");
    return w;
  };

  it("plans the plain loop lane by lane, and the same loop recording its carry not", () => {
    expect(whileOf(lower(loop("while"))).lanewise).not.toBeNull();
    const recording = whileOf(lower(loop("while_record")));
    // The residual is the old carry, pushed from its buffer: every kernel is still over the loop's rows.
    expect(recording.body.filter((s) => s.kind === "loop").every((s) => s.kind === "loop" && s.lanes !== null)).toBe(true);
    expect(recording.body.some((s) => s.kind === "tape_push")).toBe(true);
    expect(recording.lanewise).toBeNull();
  });
});
