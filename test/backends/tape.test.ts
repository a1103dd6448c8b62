// Tapes (ir/prims/tape.ts) on every backend: IR programs with while_record,
// replay and tape_read (tape_programs.ts) compiled and run, and compared with
// the reference interpreter (bit for bit, except wasm's documented
// approximations: sin/cos). The compiled backends lower replay into a while
// over tape_read (passes/expandReplay.ts) and keep tapes in a per-run arena
// (kernel_ir.ts, "Tapes"; src/backends/tape_arena.ts).
import { describe, expect, it } from "vitest";
import { getBackend } from "../../src/backends/index.js";
import { compileWasm } from "../../src/backends/wasm/emit/index.js";
import { evalJaxpr } from "../../src/backends/interpreter/index.js";
import type { Program } from "../../src/backends/lower/kernel_ir.js";
import type { ArrayValue } from "../../src/ir/core.js";
import { parse } from "../../src/ir/parser.js";
import { fromNested, toNested } from "../../src/ir/value.js";
import { verify } from "../../src/ir/verifier.js";
import { expectAllClose } from "../helpers/allclose.js";
import { BACKEND_NAMES, exactVsInterpreter, expectSameData } from "../helpers/backends.js";
import { primsOf } from "../helpers/ir.js";
import { statements } from "./lower/helpers.js";
import * as T from "./tape_programs.js";

const f32 = (x: number | number[]): ArrayValue => fromNested(x, "float32");
const i32 = (x: number): ArrayValue => fromNested(x, "int32");

interface TapeCase {
  readonly name: string;
  readonly ir: string;
  /** Input sets, each run separately. */
  readonly inputs: readonly (readonly ArrayValue[])[];
  /** Checks on the interpreter's outputs for the first input set (so a case cannot pass by computing nothing). */
  readonly reference?: (outs: readonly ArrayValue[]) => void;
}

const CASES: readonly TapeCase[] = [
  {
    name: "a scalar loop: gradient replay and clamped reads; zero and one iteration",
    ir: T.SCALAR,
    inputs: [[f32(1.3)], [f32(11)], [f32(9.9)]],
    reference: ([, steps, , u0, , u2, u3]) => {
      expect(steps!.data[0]).toBeGreaterThan(2);
      expect(u0!.data[0]).toBeCloseTo(Math.cos(1.3), 6);
      expect(u3!.data[0]).toBe(u0!.data[0]);
      expect(u2!.data[0]).not.toBe(0);
    },
  },
  {
    name: "a batched predicate bool[4]: rows with their own trip counts, f32/bool/i32 residuals",
    ir: T.BATCHED,
    inputs: [[f32([1.3, 0.2, 5, 11])], [f32([12, 13, 10, 20])], [f32([9.5, -3, 2, 0.5])]],
    reference: ([, steps]) => expect(Array.from(steps!.data)).toEqual([5, 7, 2, 0]),
  },
  {
    name: "a while_record in a while_record body (a tape of tapes), inner loops of zero trips included",
    ir: T.NESTED_RECORD,
    inputs: [
      [f32(0.5), i32(3)],
      [f32(5), i32(2)],
      [f32(0.5), i32(0)],
    ],
    reference: ([, ks, , f0, m0]) => {
      expect(ks!.data[0]).toBe(3);
      expect(f0!.data[0]).toBeCloseTo(Math.cos(0.5), 6);
      expect(m0!.data[0]).toBeGreaterThan(1);
    },
  },
  {
    name: "a while_record in a plain while body: each iteration reads only its own tape",
    ir: T.RECORD_IN_WHILE,
    inputs: [
      [f32(0.1), i32(4)],
      [f32(3.5), i32(2)],
    ],
    reference: ([x, acc]) => {
      expect(x!.data[0]).not.toBe(0.1);
      expect(acc!.data[0]).toBeGreaterThan(0);
    },
  },
  {
    name: "10⁴ iterations: tapes of scalars and of 17-element slots grow many times",
    ir: T.LONG,
    inputs: [[f32(1), i32(10000)]],
    reference: ([, s, sv, mid, end]) => {
      expect(end!.data[0]).not.toBe(0);
      // Slot t of tv is t + iota: element 0 sums 0…9999 (rounded to float32 on the way).
      expectAllClose(sv!.data[0], (9999 * 10000) / 2, { rtol: 1e-4 });
      expect(Array.from(mid!.data.slice(0, 3))).toEqual([5000, 5001, 5002]);
      expect(s!.data[0]).toBeGreaterThan(0);
    },
  },
  {
    name: "slots of no elements beside scalar ones",
    ir: T.EMPTY_SLOTS,
    inputs: [[f32(0.5)], [f32(4)]],
    reference: ([x, r, s]) => {
      expect(x!.data[0]).toBe(3.5);
      expect(r!.data.length).toBe(0);
      expect(s!.data[0]).toBe(1.5);
    },
  },
  {
    name: "tapes 40 blocks deep (the js emitter outlines every 32nd level into a function)",
    ir: T.deeplyNested(40),
    inputs: [[f32(0.5)], [f32(7)]],
    // 0.5 → 3.5 after three steps; slot 1 holds 1.5.
    reference: ([z]) => expect(z!.data[0]).toBe(5),
  },
];

/** The tape statements of a lowered program, by kind. */
function tapeStatements(p: Program): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of statements(p)) if (s.kind.startsWith("tape_")) counts[s.kind] = (counts[s.kind] ?? 0) + 1;
  return counts;
}

describe.each(BACKEND_NAMES)("tapes on backend %s", (backend) => {
  for (const c of CASES) {
    it(c.name, () => {
      const jaxpr = parse(c.ir);
      verify(jaxpr);
      const compiled = getBackend(backend).compile(jaxpr);
      const exact = exactVsInterpreter(backend, primsOf(jaxpr));
      c.inputs.forEach((inputs, k) => {
        const ref = evalJaxpr(jaxpr, [], inputs);
        if (k === 0) c.reference?.(ref);
        const outs = compiled.run(inputs);
        expect(outs.length).toBe(ref.length);
        outs.forEach((o, i) => {
          if (exact) expectSameData(o, ref[i]!, `input set ${k}, output ${i} vs the interpreter`);
          else expectAllClose(o.data, ref[i]!.data, { rtol: 1e-5, atol: 1e-6 });
        });
        // A run starts with no tapes: running again gives the same results.
        expect(compiled.run(inputs).map(toNested)).toEqual(outs.map(toNested));
      });
      if (backend === "js" && c.ir.includes("scan")) expect((compiled as { source: string }).source).toMatch(/function r0\(\)/);
      if ("program" in compiled) {
        const kinds = tapeStatements((compiled as { program: Program }).program);
        expect(kinds["tape_new"]).toBeGreaterThan(0);
        expect(kinds["tape_push"]).toBeGreaterThan(0);
        expect(kinds["tape_load"]).toBeGreaterThan(0);
      }
    });
  }

  if (backend !== "interpreter") {
    it("refuses a program whose output or input is a tape", () => {
      const msg = /tapes exist only inside one compiled program/;
      expect(() => getBackend(backend).compile(parse(T.TAPE_OUTPUT))).toThrow(msg);
      expect(() => getBackend(backend).compile(parse(T.TAPE_INPUT))).toThrow(msg);
    });
  }
});

describe("tapes in wasm memory (wasm/emit/tapes.ts)", () => {
  it("grows the memory for a long run once; later runs reuse it and start with no tapes", () => {
    const program = compileWasm(parse(T.LONG), { onKernel: () => {} });
    const before = program.memory.buffer.byteLength;
    const first = program.run([f32(1), i32(10000)]);
    const grown = program.memory.buffer.byteLength;
    // 10⁴ slots of 17 floats alone are 680 KB.
    expect(grown).toBeGreaterThan(before + 680_000);
    for (let k = 0; k < 3; k++) expect(program.run([f32(1), i32(10000)]).map(toNested)).toEqual(first.map(toNested));
    expect(program.memory.buffer.byteLength).toBe(grown);
    // A shorter run after a longer one reads only its own slots.
    const short = program.run([f32(2), i32(3)]);
    const ref = evalJaxpr(parse(T.LONG), [], [f32(2), i32(3)]);
    short.forEach((o, i) => expectSameData(o, ref[i]!, `output ${i}`));
  });
});
