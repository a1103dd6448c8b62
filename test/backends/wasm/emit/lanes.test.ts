// Active-lane execution on the wasm emitter: a lane-local batched while does
// work proportional to the sum of the lanes' trip counts (counted through the
// debug hook `onKernel(kernelId, points)`), finished lanes are never written,
// batched conds and nested loops respect the enclosing lanes, and loops of
// independent scalar lanes run four lanes at a time in SIMD registers.
import { describe, expect, it } from "vitest";
import type { Kernel, Program } from "../../../../src/backends/lower/kernel_ir.js";
import type { ArrayValue } from "../../../../src/ir/core.js";
import { fromNested } from "../../../../src/ir/value.js";
import { jit, nn, np, vmap, whileLoop } from "../../../../src/index.js";
import { compileWasm } from "../../../../src/backends/wasm/emit/index.js";
import { evalJaxpr } from "../../../../src/backends/interpreter/index.js";
import { flatten } from "../../../../src/index.js";
import { expectAllClose } from "../../../helpers/allclose.js";
import { kernels } from "../../lower/helpers.js";
import { compile, expectMatchesInterpreter, randomArray, seeded } from "./helpers.js";

function profile(ir: string, inputs: readonly ArrayValue[]): { points: Map<number, number>; program: Program } {
  const points = new Map<number, number>();
  const prog = compile(ir, { onKernel: (id, n) => points.set(id, (points.get(id) ?? 0) + n) });
  expectMatchesInterpreter(ir, inputs, { rtol: 1e-6 });
  prog.run(inputs);
  return { points, program: prog.program };
}

const innerSize = (k: Kernel): number => (k.kind === "dot" ? k.b * k.m * k.n : k.shape.slice(k.lanes ? k.lanes.rank : 0).reduce((a, d) => a * d, 1));

function laneIterations(program: Program, points: Map<number, number>, tag: RegExp): number[] {
  return kernels(program)
    .filter((k) => tag.test(k.tag))
    .map((k) => (points.get(k.id) ?? 0) / innerSize(k));
}

const B = 8;
const COUNTS = Array.from({ length: B }, (_, i) => i); // trip counts 0..7
const SUM = COUNTS.reduce((a, b) => a + b, 0); // 28

const LANE_LOCAL = `{ lambda ; a:i32[8] b:f32[8,16]. let
    z:i32[8] = broadcast_in_dim[broadcast_dimensions=() shape=(8,)] 0:i32[]
    _:i32[8] c:f32[8,16] = while[
      body_jaxpr={ lambda ; e:i32[8] f:f32[8,16]. let
          g:i32[8] = add e 1:i32[]
          h:f32[8,16] = mul f 1.5:f32[]
          i:f32[8,16] = tanh h
        in (g, i) }
      body_nconsts=0
      cond_jaxpr={ lambda ; j:i32[8] k:i32[8] l:f32[8,16]. let m:bool[8] = lt k j in (m,) }
      cond_nconsts=1
    ] a z b
  in (c,) }`;

describe("wasm batched while: active lanes only", () => {
  const inputs = [fromNested(COUNTS, "int32"), randomArray("float32", [B, 16], seeded(5))];

  it(`a lane-local body does sum-of-trip-counts lane-iterations (${SUM}), not max × lanes (${7 * B})`, () => {
    const { points, program } = profile(LANE_LOCAL, inputs);
    const body = laneIterations(program, points, /\.body$/);
    expect(body.length).toBeGreaterThan(0);
    for (const n of body) expect(n).toBe(SUM);
    for (const n of laneIterations(program, points, /\.cond$/)) expect(n).toBe(SUM + B);
  });

  it("finished lanes keep their values exactly (the carry is not rewritten)", () => {
    const out = compile(LANE_LOCAL).run(inputs)[0]!;
    expect(Array.from(out.data.subarray(0, 16))).toEqual(Array.from(inputs[1]!.data.subarray(0, 16)));
  });

  it("the vmapped seed loop (an MLP per lane) matches the interpreter and visits Σ counts lane-iterations per body kernel", () => {
    function foo(model: nn.MLP, x: np.Array, count: np.Array) {
      const [, y] = whileLoop(([i]) => i.lt(count), ([i, h, m]) => [i.add(1), m.forward(h), m], [0, x, model]);
      return y;
    }
    const model = new nn.MLP([8, 16, 8], { seed: 0 });
    const xs = np.array(Array.from({ length: 6 }, (_, l) => Array.from({ length: 8 }, (_, j) => Math.sin(l + j))));
    const counts = np.array([0, 1, 2, 3, 5, 1], { dtype: "int32" });
    const f = vmap(foo, { inAxes: [null, 0, 0] });
    const jaxpr = jit(f).lower(model, xs, counts);
    const [leaves] = flatten([model, xs, counts]);
    const inputs = (leaves as np.Array[]).map((a) => ({ dtype: a.dtype, shape: [...a.shape], data: a.data() }));
    const points = new Map<number, number>();
    const prog = compileWasm(jaxpr, { onKernel: (id, n) => points.set(id, (points.get(id) ?? 0) + n) });
    const got = prog.run(inputs);
    const want = evalJaxpr(jaxpr, [], inputs);
    expectAllClose(got[0]!.data, want[0]!.data, { rtol: 1e-6, atol: 1e-7 }); // tanh between the layers: ≤ 2 ulp each
    const body = laneIterations(prog.program, points, /^while\d+\.body$/);
    expect(body.length).toBeGreaterThanOrEqual(2);
    for (const n of body) expect(n).toBe(12);
  });
});

describe("wasm batched cond and nested loops respect the enclosing lanes", () => {
  // JAX issue #2947: branch 1 counts x down to 0; only lanes with x > 0 take it.
  const ISSUE_2947 = `{ lambda ; a:f32[4]. let
      b:bool[4] = gt a 0.0:f32[]
      c:i32[4] = convert_element_type[new_dtype=int32] b
      d:f32[4] = cond[
        branches=(
          { lambda ; e:f32[4]. let f:f32[4] = neg e in (f,) }
          { lambda ; g:f32[4]. let
              h:f32[4] = broadcast_in_dim[broadcast_dimensions=() shape=(4,)] 0.0:f32[]
              _:f32[4] i:f32[4] = while[
                body_jaxpr={ lambda ; j:f32[4] k:f32[4]. let
                    l:f32[4] = sub j 1.0:f32[]
                    m:f32[4] = add k 1.0:f32[]
                  in (l, m) }
                body_nconsts=0
                cond_jaxpr={ lambda ; n:f32[4] o:f32[4]. let p:bool[4] = ne n 0.0:f32[] in (p,) }
                cond_nconsts=0
              ] g h
            in (i,) }
        )
      ] c a
    in (d,) }`;

  it("each branch visits only its lanes; the inner loop iterates x_l times on lanes that took branch 1", () => {
    const { points, program } = profile(ISSUE_2947, [fromNested([3, -2, 5, -1.5], "float32")]);
    expect(laneIterations(program, points, /branch0$/)).toEqual([2]);
    const inner = laneIterations(program, points, /^while\d+\.body$/);
    expect(inner.length).toBeGreaterThan(0);
    for (const n of inner) expect(n).toBe(3 + 5);
  });

  it("without the debug hook the inner loop runs lane-wise in SIMD and terminates with the same result", () => {
    const [d] = expectMatchesInterpreter(ISSUE_2947, [fromNested([3, -2, 5, -1.5], "float32")]);
    expect(Array.from(d!.data)).toEqual([3, 2, 5, 1.5]);
  });

  it("a batched loop over rows nested in a batched loop over [rows, cols] (mask on the longer shape)", () => {
    const ir = `{ lambda ; a:i32[2,3] b:i32[2]. let
        z:i32[2,3] = broadcast_in_dim[broadcast_dimensions=() shape=(2, 3)] 0:i32[]
        _:i32[2,3] c:i32[2,3] = while[
          body_jaxpr={ lambda ; bc:i32[2] k:i32[2,3] s:i32[2,3]. let
              k2:i32[2,3] = add k 1:i32[]
              zz:i32[2] = broadcast_in_dim[broadcast_dimensions=() shape=(2,)] 0:i32[]
              _:i32[2] t:i32[2] = while[
                body_jaxpr={ lambda ; j:i32[2] acc:i32[2]. let
                    j2:i32[2] = add j 1:i32[]
                    acc2:i32[2] = add acc j2
                  in (j2, acc2) }
                body_nconsts=0
                cond_jaxpr={ lambda ; bb:i32[2] j:i32[2] acc:i32[2]. let p:bool[2] = lt j bb in (p,) }
                cond_nconsts=1
              ] bc zz zz
              tb:i32[2,3] = broadcast_in_dim[broadcast_dimensions=(0,) shape=(2, 3)] t
              s2:i32[2,3] = add s tb
            in (k2, s2) }
          body_nconsts=1
          cond_jaxpr={ lambda ; aa:i32[2,3] k:i32[2,3] s:i32[2,3]. let p:bool[2,3] = lt k aa in (p,) }
          cond_nconsts=1
        ] a b z z
      in (c,) }`;
    const a = [[0, 2, 1], [3, 0, 0]];
    const bv = [3, 2];
    const [c] = expectMatchesInterpreter(ir, [fromNested(a, "int32"), fromNested(bv, "int32")]);
    expect(Array.from(c!.data)).toEqual(a.flatMap((row, r) => row.map((n) => (n * bv[r]! * (bv[r]! + 1)) / 2)));
  });
});

describe("wasm: loops of independent scalar lanes run four lanes at a time", () => {
  // Per lane: count k up to n, x = x/2 + (lane index) each step; the lane index is an iota over lanes.
  const ir = (shape: readonly number[]): string => {
    const s = shape.join(",");
    const sh = `(${shape.join(", ")}${shape.length === 1 ? "," : ""})`;
    return `{ lambda ; a:i32[${s}] b:f32[${s}]. let
      z:i32[${s}] = broadcast_in_dim[broadcast_dimensions=() shape=${sh}] 0:i32[]
      zb:bool[${s}] = broadcast_in_dim[broadcast_dimensions=() shape=${sh}] False:bool[]
      _:i32[${s}] c:f32[${s}] d:bool[${s}] = while[
        body_jaxpr={ lambda ; k:i32[${s}] x:f32[${s}] f:bool[${s}]. let
            k2:i32[${s}] = add k 1:i32[]
            lane:f32[${s}] = iota[dimension=${shape.length - 1} dtype=float32 shape=${sh}]
            y:f32[${s}] = mul x 0.5:f32[]
            x2:f32[${s}] = add y lane
            f2:bool[${s}] = not f
          in (k2, x2, f2) }
        body_nconsts=0
        cond_jaxpr={ lambda ; n:i32[${s}] k:i32[${s}] x:f32[${s}] f:bool[${s}]. let p:bool[${s}] = lt k n in (p,) }
        cond_nconsts=1
      ] a z b zb
    in (c, d) }`;
  };

  it("one function call runs the whole loop (no per-iteration kernel calls in run)", () => {
    const prog = compile(ir([6]));
    expect(prog.source).toMatch(/\(func \$lanewise/);
    const run = prog.source.slice(prog.source.indexOf("(func $run"));
    expect(run.slice(0, run.indexOf("(func ", 5))).not.toMatch(/\bloop\b/);
  });

  for (const shape of [[6], [37], [3, 5]]) {
    it(`lanes [${shape}]: trip counts 0…, refilled slots, iota per lane, int/float/bool state — equal to the interpreter`, () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const counts = fromNested(Array.from({ length: n }, (_, i) => (i * 7) % 11), "int32");
      const reshaped = (v: ArrayValue): ArrayValue => ({ ...v, shape: [...shape] });
      expectMatchesInterpreter(ir(shape), [reshaped(counts), reshaped(randomArray("float32", [n], seeded(n)))]);
    });
  }

  it("all lanes finished before the first step: nothing changes", () => {
    const [c, d] = expectMatchesInterpreter(ir([5]), [fromNested([0, 0, 0, 0, 0], "int32"), fromNested([1, 2, 3, 4, 5], "float32")]);
    expect(Array.from(c!.data)).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from(d!.data)).toEqual([0, 0, 0, 0, 0]);
  });

  it("the Mandelbrot escape loop (vmapped, float32 state) gives the interpreter's counts", () => {
    const pixel = (cr: np.Array, ci: np.Array): np.Array => {
      const [k] = whileLoop(
        ([i, zr, zi]) => i.lt(40).and(zr.mul(zr).add(zi.mul(zi)).le(4)),
        ([i, zr, zi]) => [i.add(1), zr.mul(zr).sub(zi.mul(zi)).add(cr), zr.mul(zi).mul(2).add(ci)],
        [0, np.zeros([]), np.zeros([])],
      );
      return k;
    };
    const w = 23;
    const cr = np.array(Array.from({ length: w * w }, (_, i) => -2 + (2.6 * (i % w)) / (w - 1)));
    const ci = np.array(Array.from({ length: w * w }, (_, i) => -1.2 + (2.4 * Math.floor(i / w)) / (w - 1)));
    const f = vmap(pixel);
    const got = jit(f, { backend: "interpreter" })(cr, ci).data();
    const jaxpr = jit(f).lower(cr, ci);
    const out = compileWasm(jaxpr).run([
      { dtype: "float32", shape: [w * w], data: cr.data() },
      { dtype: "float32", shape: [w * w], data: ci.data() },
    ]);
    expect(Array.from(out[0]!.data)).toEqual(Array.from(got));
  });
});
