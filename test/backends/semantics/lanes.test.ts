// Active-lane execution of batched loops and conds on every compiled backend,
// observed through the debug hook `onKernel(kernelId, points)`. Both backends
// call it before each kernel with the iteration points it will visit (active
// lanes × the kernel's per-lane size), so a lane-local batched while reports
// the sum of the lanes' trip counts, not max × lanes; and a finished lane's
// carry is never written.
//
// Where the backends differ, the table says so. The hook leaves js's code as
// it is: a loop of scalar lanes still runs lane by lane, calling the hook with
// 1 point per lane step of each kernel. On wasm the hook turns off the
// four-lane SIMD loop functions, so a hooked program runs such loops as
// per-iteration kernels; every counting test therefore also runs the program
// without the hook against the interpreter (and wasm's SIMD loops have their
// own tests in test/backends/wasm/emit/lanes.test.ts).
//
// Floats equal the interpreter bit for bit, except where a backend documents
// an approximation of a primitive the program uses (exactVsInterpreter: wasm's
// tanh and dot sums, compared with rtol 1e-6).
import { describe, expect, it } from "vitest";
import type { JsProgram } from "../../../src/backends/js/index.js";
import type { Kernel, Program } from "../../../src/backends/lower/kernel_ir.js";
import type { ArrayValue, Jaxpr } from "../../../src/ir/core.js";
import { fromNested } from "../../../src/ir/value.js";
import { evalJaxpr } from "../../../src/backends/interpreter/index.js";
import { flatten, jit, nn, np, vmap, whileLoop } from "../../../src/index.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { exactVsInterpreter } from "../../helpers/backends.js";
import { primsOf } from "../../helpers/ir.js";
import * as js from "../js/helpers.js";
import { kernels, statements } from "../lower/helpers.js";
import * as wasm from "../wasm/emit/helpers.js";
import * as P from "./lane_programs.js";

type OnKernel = (kernelId: number, points: number) => void;
/** What both backends' compiled programs offer (wasm's too: a WasmProgram has these members). */
type HookedProgram = Pick<JsProgram, "program" | "source" | "run">;

interface LaneBackend {
  readonly name: "js" | "wasm";
  /** Compiles `ir` with the backend's test helper (wasm's also validates the module), with the hook when given. */
  compile(ir: string | Jaxpr, onKernel?: OnKernel): HookedProgram;
  /** Runs `ir` without the hook and expects the interpreter's results (see the tolerance above); returns them. */
  matchInterpreter(ir: string, inputs: readonly ArrayValue[]): ArrayValue[];
  /** True when `source` runs a loop of scalar lanes inside one function, with no per-iteration kernel calls. */
  runsLanewise(source: string): boolean;
  /** Whether a program compiled with the hook still does (see the head of this file). */
  readonly hookKeepsLanewise: boolean;
}

/** Everything after the marker `from` (the whole text when it is missing: the checks then see all of it). */
const after = (text: string, from: string): string => text.slice(Math.max(0, text.indexOf(from)));

const LANE_BACKENDS: readonly LaneBackend[] = [
  {
    name: "js",
    compile: (ir, onKernel) => js.compile(ir, onKernel ? { onKernel } : {}),
    matchInterpreter: (ir, inputs) => js.expectMatchesInterpreter(ir, inputs),
    runsLanewise: (source) => !/for \(;;\)/.test(after(source, "return function run")),
    hookKeepsLanewise: true,
  },
  {
    name: "wasm",
    compile: (ir, onKernel) => wasm.compile(ir, onKernel ? { onKernel } : {}),
    matchInterpreter: (ir, inputs) =>
      wasm.expectMatchesInterpreter(ir, inputs, exactVsInterpreter("wasm", primsOf(wasm.jaxprOf(ir))) ? {} : { rtol: 1e-6 }),
    runsLanewise: (source) => {
      const run = after(source, "(func $run");
      return /\(func \$lanewise/.test(source) && !/\bloop\b/.test(run.slice(0, run.indexOf("(func ", 5)));
    },
    hookKeepsLanewise: false,
  },
];

/** A hook that sums the points each kernel reports. */
function pointCounter(): { points: Map<number, number>; onKernel: OnKernel } {
  const points = new Map<number, number>();
  return { points, onKernel: (id, n) => points.set(id, (points.get(id) ?? 0) + n) };
}

/** Runs `ir` with the hook on (after checking it against the interpreter without); returns per-kernel total points and the program. */
function profile(b: LaneBackend, ir: string, inputs: readonly ArrayValue[]): { points: Map<number, number>; program: Program } {
  const { points, onKernel } = pointCounter();
  const prog = b.compile(ir, onKernel);
  b.matchInterpreter(ir, inputs);
  prog.run(inputs);
  return { points, program: prog.program };
}

const innerSize = (k: Kernel): number =>
  k.kind === "dot" ? k.b * k.m * k.n : k.shape.slice(k.lanes ? k.lanes.rank : 0).reduce((a, d) => a * d, 1);

/** Lane-iterations of the kernels tagged `tag` (points divided by each kernel's per-lane size). */
function laneIterations(program: Program, points: Map<number, number>, tag: RegExp): number[] {
  return kernels(program)
    .filter((k) => tag.test(k.tag))
    .map((k) => (points.get(k.id) ?? 0) / innerSize(k));
}

/** Float outputs of a compiled `jaxpr` against the interpreter's: bit for bit, unless the backend approximates a primitive it uses. */
function expectLikeInterpreter(b: LaneBackend, jaxpr: Jaxpr, got: ArrayValue["data"], want: ArrayValue["data"]): void {
  if (exactVsInterpreter(b.name, primsOf(jaxpr))) expect(Array.from(got)).toEqual(Array.from(want));
  else expectAllClose(got, want, { rtol: 1e-6, atol: 1e-7 }); // tanh between the layers: ≤ 2 ulp each
}

describe.each(LANE_BACKENDS.map((b) => [b.name, b] as const))("active lanes on %s", (_name, b) => {
  describe("batched while: active lanes only", () => {
    // The same inputs on every backend (the wasm helpers' seeded PRNG is the shared one, test/helpers/random.ts).
    const inputs = [fromNested(P.COUNTS, "int32"), wasm.randomArray("float32", [P.B, 16], wasm.seeded(5))];

    it(`a lane-local body does sum-of-trip-counts lane-iterations (${P.SUM}), not max × lanes (${P.MAX_TIMES_B})`, () => {
      const { points, program } = profile(b, P.LANE_LOCAL, inputs);
      const body = laneIterations(program, points, /\.body$/);
      expect(body.length).toBeGreaterThan(0);
      for (const n of body) expect(n).toBe(P.SUM);
      // The predicate is evaluated once more per lane than its trip count (the check that stops it).
      for (const n of laneIterations(program, points, /\.cond$/)) expect(n).toBe(P.SUM + P.B);
      for (const k of kernels(program).filter((k) => /\.body$/.test(k.tag))) expect(k.lanes).not.toBeNull();
    });

    it("finished lanes keep their values exactly (the carry is not rewritten)", () => {
      const out = b.compile(P.LANE_LOCAL).run(inputs)[0]!;
      // Lane 0 runs zero iterations: its row is the input, bit for bit.
      expect(Array.from(out.data.subarray(0, 16))).toEqual(Array.from(inputs[1]!.data.subarray(0, 16)));
    });

    it("a body that mixes lanes falls back to computing every lane for the mixed value, and still matches the interpreter", () => {
      const { points, program } = profile(b, P.MIXING, inputs);
      const bodyKernels = kernels(program).filter((k) => /\.body$/.test(k.tag));
      const full = bodyKernels.filter((k) => k.lanes === null);
      expect(full.length).toBeGreaterThan(0);
      // The unrestricted kernels visit all their points on each of the 7 iterations.
      for (const k of full) expect((points.get(k.id) ?? 0) / innerSize(k)).toBe(Math.max(...P.COUNTS));
      // The counter is still restricted.
      expect(bodyKernels.some((k) => k.lanes !== null)).toBe(true);
    });
  });

  describe("batched cond and nested loops respect the enclosing lanes", () => {
    const input = () => [fromNested(P.ISSUE_2947_INPUT, "float32")];

    it("each branch visits only its lanes; the inner loop iterates x_l times on lanes that took branch 1", () => {
      const { points, program } = profile(b, P.ISSUE_2947, input());
      expect(laneIterations(program, points, /branch0$/)).toEqual([2]);
      const inner = laneIterations(program, points, /^while\d+\.body$/);
      expect(inner.length).toBeGreaterThan(0);
      for (const n of inner) expect(n).toBe(3 + 5);
    });

    it(`without the debug hook (${b.hookKeepsLanewise ? "the same code" : "the inner loop runs lane-wise in SIMD"}) the loop terminates with the same result`, () => {
      const [d] = b.matchInterpreter(P.ISSUE_2947, input());
      expect(Array.from(d!.data)).toEqual([3, 2, 5, 1.5]);
    });

    it("a batched loop over rows nested in a batched loop over [rows, cols] (mask on the longer shape)", () => {
      const [a, bv] = [P.ROWS_IN_CELLS_A, P.ROWS_IN_CELLS_B];
      const [c] = b.matchInterpreter(P.ROWS_IN_CELLS, [fromNested(a, "int32"), fromNested(bv, "int32")]);
      expect(Array.from(c!.data)).toEqual(a.flatMap((row, r) => row.map((n) => (n * bv[r]! * (bv[r]! + 1)) / 2)));
      // Row 1's inner loop is skipped while its outer lanes are all finished: lanes_combine keeps the body mask on [2,3].
      expect(statements(b.compile(P.ROWS_IN_CELLS).program).some((s) => s.kind === "lanes_combine")).toBe(true);
    });
  });

  describe("the seed scenario (a vmapped MLP in a per-lane while)", () => {
    function foo(model: nn.MLP, x: np.Array, count: np.Array) {
      const [, y] = whileLoop(([i]) => i.lt(count), ([i, h, m]) => [i.add(1), m.forward(h), m], [0, x, model]);
      return y;
    }
    const model = new nn.MLP([8, 16, 8], { seed: 0 });
    const scenarios = [[0, 1, 2, 3], [0, 1, 2, 3, 5, 1]].flatMap((counts) => [true, false].map((hoist) => ({ counts, hoist })));

    for (const { counts, hoist } of scenarios) {
      const sum = counts.reduce((p, q) => p + q, 0);
      it(`trip counts [${counts}], hoisting ${hoist ? "on" : "off"}: matches the interpreter and visits Σ counts = ${sum} lane-iterations per body kernel`, () => {
        const xs = np.array(counts.map((_, l) => Array.from({ length: 8 }, (_, j) => Math.sin(l + j))));
        const count = np.array(counts, { dtype: "int32" });
        const f = vmap(foo, { inAxes: [null, 0, 0], hoistInvariantCarries: hoist });
        const jaxpr = jit(f, { hoistInvariantCarries: hoist }).lower(model, xs, count);
        // jit passes the flattened arguments (this program captures no constants).
        const [leaves] = flatten([model, xs, count]);
        expect(leaves).toHaveLength(jaxpr.invars.length);
        const inputs = (leaves as np.Array[]).map((a) => ({ dtype: a.dtype, shape: [...a.shape], data: a.data() }));
        const { points, onKernel } = pointCounter();
        const prog = b.compile(jaxpr, onKernel);
        const want = evalJaxpr(jaxpr, [], inputs);
        expectLikeInterpreter(b, jaxpr, prog.run(inputs)[0]!.data, want[0]!.data);
        const body = laneIterations(prog.program, points, /^while\d+\.body$/);
        expect(body.length).toBeGreaterThanOrEqual(2); // at least the two layers
        for (const n of body) expect(n).toBe(sum);
        // And through jit on this backend (no hook).
        const viaJit = jit(f, { backend: b.name, hoistInvariantCarries: hoist })(model, xs, count);
        expectLikeInterpreter(b, jaxpr, viaJit.data() as Float32Array, want[0]!.data);
      });
    }
  });

  describe("loops of scalar lanes", () => {
    const inputs = () => [fromNested(P.SCALAR_COUNTS, "int32"), fromNested(P.SCALAR_X0, "float32")];

    it("match the interpreter and the hand-derived x ← x/2 + lane, count times", () => {
      const [c] = b.matchInterpreter(P.SCALAR_LANES, inputs());
      expect(Array.from(c!.data)).toEqual(P.SCALAR_LANES_OUT);
    });

    it(`run in one function (no per-iteration kernels); with the debug hook ${b.hookKeepsLanewise ? "still" : "as per-iteration kernels instead"}`, () => {
      expect(b.runsLanewise(b.compile(P.SCALAR_LANES).source)).toBe(true);
      expect(b.runsLanewise(b.compile(P.SCALAR_LANES, () => {}).source)).toBe(b.hookKeepsLanewise);
    });

    it("still report sum-of-trip-counts lane-iterations to the debug hook", () => {
      const { points, program } = profile(b, P.SCALAR_LANES, inputs());
      const sum = P.SCALAR_COUNTS.reduce((p, q) => p + q, 0);
      for (const n of laneIterations(program, points, /\.body$/)) expect(n).toBe(sum);
      for (const n of laneIterations(program, points, /\.cond$/)) expect(n).toBe(sum + P.SCALAR_COUNTS.length);
    });
  });
});
