// Active-lane execution of batched loops and conds, observed through the
// debug hook (`onKernel(kernelId, points)`: iteration points a kernel visits).
// A lane-local batched while does work proportional to the sum of the lanes'
// trip counts, not max × lanes; a finished lane's carry is never written.
import { describe, expect, it } from "vitest";
import type { Kernel, Program } from "../../../src/backends/lower/kernel_ir.js";
import { flatten, jit, nn, np, vmap, whileLoop } from "../../../src/index.js";
import { fromNested } from "../../../src/ir/value.js";
import { kernels } from "../lower/helpers.js";
import { compile, expectMatchesInterpreter, randomArray, seeded } from "./helpers.js";
import { compileJs } from "../../../src/backends/js/index.js";
import { runtime } from "../../../src/backends/js/runtime.js";
import { evalJaxpr } from "../../../src/backends/interpreter/index.js";
import { maskForLanes } from "../../../src/backends/interpreter/mask.js";

/** Runs `ir` with the hook on; returns per-kernel total points and the program. */
function profile(ir: string, inputs: Parameters<ReturnType<typeof compile>["run"]>[0]): { points: Map<number, number>; program: Program } {
  const points = new Map<number, number>();
  const prog = compile(ir, { onKernel: (id, n) => points.set(id, (points.get(id) ?? 0) + n) });
  expectMatchesInterpreter(ir, inputs);
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

const B = 8;
const COUNTS = Array.from({ length: B }, (_, i) => i); // trip counts 0..7
const SUM = COUNTS.reduce((a, b) => a + b, 0); // 28
const MAX_TIMES_B = Math.max(...COUNTS) * B; // 56

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

// The same loop, but every lane's update also reads a sum over all lanes of a
// value computed in the body: that value must be computed for every lane.
const MIXING = `{ lambda ; a:i32[8] b:f32[8,16]. let
    z:i32[8] = broadcast_in_dim[broadcast_dimensions=() shape=(8,)] 0:i32[]
    _:i32[8] c:f32[8,16] = while[
      body_jaxpr={ lambda ; e:i32[8] f:f32[8,16]. let
          g:i32[8] = add e 1:i32[]
          h:f32[8,16] = mul f 0.5:f32[]
          s:f32[] = reduce_sum[axes=(0, 1)] h
          t:f32[8,16] = broadcast_in_dim[broadcast_dimensions=() shape=(8, 16)] s
          u:f32[8,16] = mul t 0.001:f32[]
          i:f32[8,16] = add h u
        in (g, i) }
      body_nconsts=0
      cond_jaxpr={ lambda ; j:i32[8] k:i32[8] l:f32[8,16]. let m:bool[8] = lt k j in (m,) }
      cond_nconsts=1
    ] a z b
  in (c,) }`;

describe("batched while: active lanes only", () => {
  const inputs = [fromNested(COUNTS, "int32"), randomArray("float32", [B, 16], seeded(5))];

  it(`a lane-local body does sum-of-trip-counts lane-iterations (${SUM}), not max × lanes (${MAX_TIMES_B})`, () => {
    const { points, program } = profile(LANE_LOCAL, inputs);
    const body = laneIterations(program, points, /\.body$/);
    expect(body.length).toBeGreaterThan(0);
    for (const n of body) expect(n).toBe(SUM);
    // The predicate is evaluated once more per lane than its trip count (the check that stops it).
    for (const n of laneIterations(program, points, /\.cond$/)) expect(n).toBe(SUM + B);
    for (const k of kernels(program).filter((k) => /\.body$/.test(k.tag))) expect(k.lanes).not.toBeNull();
  });

  it("finished lanes keep their values exactly (the carry is not rewritten)", () => {
    const out = compile(LANE_LOCAL).run(inputs)[0]!;
    // Lane 0 runs zero iterations: its row is the input, bit for bit.
    expect(Array.from(out.data.subarray(0, 16))).toEqual(Array.from(inputs[1]!.data.subarray(0, 16)));
  });

  it("a body that mixes lanes falls back to computing every lane for the mixed value, and still matches the interpreter", () => {
    const { points, program } = profile(MIXING, inputs);
    const bodyKernels = kernels(program).filter((k) => /\.body$/.test(k.tag));
    const full = bodyKernels.filter((k) => k.lanes === null);
    expect(full.length).toBeGreaterThan(0);
    // The unrestricted kernels visit all their points on each of the 7 iterations.
    for (const k of full) expect((points.get(k.id) ?? 0) / innerSize(k)).toBe(Math.max(...COUNTS));
    // The counter is still restricted.
    expect(bodyKernels.some((k) => k.lanes !== null)).toBe(true);
  });
});

describe("batched cond and nested loops respect the enclosing lanes", () => {
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
});

describe("the seed scenario (vmapped MLP in a per-lane while) on js", () => {
  function foo(model: nn.MLP, x: np.Array, count: np.Array) {
    const [, y] = whileLoop(([i]) => i.lt(count), ([i, h, m]) => [i.add(1), m.forward(h), m], [0, x, model]);
    return y;
  }
  const model = new nn.MLP([8, 16, 8], { seed: 0 });
  const xs = np.array(Array.from({ length: 4 }, (_, l) => Array.from({ length: 8 }, (_, j) => Math.sin(l + j))));
  const counts = np.array([0, 1, 2, 3], { dtype: "int32" });

  for (const hoist of [true, false]) {
    it(`matches the interpreter and visits Σ counts = 6 lane-iterations per body kernel (hoisting ${hoist ? "on" : "off"})`, () => {
      const f = vmap(foo, { inAxes: [null, 0, 0], hoistInvariantCarries: hoist });
      const jaxpr = jit(f, { hoistInvariantCarries: hoist }).lower(model, xs, counts);
      // jit passes the flattened arguments (this program captures no constants).
      const [leaves] = flatten([model, xs, counts]);
      expect(leaves).toHaveLength(jaxpr.invars.length);
      const inputs = (leaves as np.Array[]).map((a) => ({ dtype: a.dtype, shape: [...a.shape], data: a.data() }));
      const points = new Map<number, number>();
      const prog = compileJs(jaxpr, { onKernel: (id, n) => points.set(id, (points.get(id) ?? 0) + n) });
      const got = prog.run(inputs);
      const want = evalJaxpr(jaxpr, [], inputs);
      expect(Array.from(got[0]!.data)).toEqual(Array.from(want[0]!.data));
      const body = laneIterations(prog.program, points, /^while\d+\.body$/);
      expect(body.length).toBeGreaterThanOrEqual(2); // at least the two layers
      for (const n of body) expect(n).toBe(6);
      // And through jit on the js backend.
      const viaJit = jit(f, { backend: "js", hoistInvariantCarries: hoist })(model, xs, counts);
      expect(Array.from(viaJit.data() as Float32Array)).toEqual(Array.from(want[0]!.data));
    });
  }
});

describe("lane sets follow the interpreter's mask rules", () => {
  it("lanesInit matches maskForLanes for equal, prefix, longer and unrelated shapes", () => {
    const from = runtime.laneSet([2, 3]);
    from.mask.set([1, 0, 0, 0, 0, 1]);
    for (const shape of [[2, 3], [2], [2, 3, 2], [3], [4, 3]]) {
      const s = runtime.laneSet(shape);
      runtime.lanesInit(s, from);
      const want = maskForLanes({ dtype: "bool", shape: [2, 3], data: from.mask }, shape) ?? new Uint8Array(s.n).fill(1);
      expect(Array.from(s.mask), `[${shape}]`).toEqual(Array.from(want));
      expect(Array.from(s.list.subarray(0, s.count))).toEqual(Array.from(want).flatMap((m, l) => (m ? [l] : [])));
    }
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
    // Lane (r, c) runs a[r][c] outer steps, each adding 1 + … + b[r] = b[r](b[r]+1)/2.
    const a = [[0, 2, 1], [3, 0, 0]];
    const bv = [3, 2];
    const [c] = expectMatchesInterpreter(ir, [fromNested(a, "int32"), fromNested(bv, "int32")]);
    expect(Array.from(c!.data)).toEqual(a.flatMap((row, r) => row.map((n) => (n * bv[r]! * (bv[r]! + 1)) / 2)));
    // Row 1's inner loop is skipped while its outer lanes are all finished: lanes_combine keeps the body mask on [2,3].
    expect(statementsOf(compile(ir).program).some((s) => s.kind === "lanes_combine")).toBe(true);
  });
});

function statementsOf(p: Program): Program["body"][number][] {
  const out: Program["body"][number][] = [];
  const walk = (ss: Program["body"]): void => {
    for (const s of ss) {
      out.push(s);
      if (s.kind === "while") (walk(s.cond), walk(s.body));
      if (s.kind === "switch") s.branches.forEach(walk);
      if (s.kind === "if_lanes" || s.kind === "for") walk(s.body);
    }
  };
  walk(p.body);
  return out;
}

describe("scalar lanes run lane by lane", () => {
  // Per lane: count k up to n, adding the lane index (an iota over lanes) each step.
  const IR = `{ lambda ; a:i32[6] b:f32[6]. let
      z:i32[6] = broadcast_in_dim[broadcast_dimensions=() shape=(6,)] 0:i32[]
      _:i32[6] c:f32[6] = while[
        body_jaxpr={ lambda ; k:i32[6] x:f32[6]. let
            k2:i32[6] = add k 1:i32[]
            lane:f32[6] = iota[dimension=0 dtype=float32 shape=(6,)]
            y:f32[6] = mul x 0.5:f32[]
            x2:f32[6] = add y lane
          in (k2, x2) }
        body_nconsts=0
        cond_jaxpr={ lambda ; n:i32[6] k:i32[6] x:f32[6]. let p:bool[6] = lt k n in (p,) }
        cond_nconsts=1
      ] a z b
    in (c,) }`;
  const counts = [3, 0, 5, 1, 1, 2];

  it("keeps the loop state in locals (one function call, no per-iteration kernels) and matches the interpreter", () => {
    const prog = compile(IR);
    const run = prog.source.slice(prog.source.indexOf("return function run"));
    expect(run).not.toMatch(/for \(;;\)/);
    expect(prog.source).toMatch(/let [^;]*\br\d+ = 0/); // registers are locals
    const x0 = [1, 2, 3, 4, 5, 6];
    const [c] = expectMatchesInterpreter(IR, [fromNested(counts, "int32"), fromNested(x0, "float32")]);
    // Hand-derived: x ← x/2 + lane, count times.
    const want = x0.map((x, l) => {
      let v = x;
      for (let i = 0; i < counts[l]!; i++) v = v / 2 + l;
      return v;
    });
    expect(Array.from(c!.data)).toEqual(want);
  });

  it("still reports sum-of-trip-counts lane-iterations to the debug hook", () => {
    const { points, program } = profile(IR, [fromNested(counts, "int32"), fromNested([1, 2, 3, 4, 5, 6], "float32")]);
    const sum = counts.reduce((p, q) => p + q, 0);
    for (const n of laneIterations(program, points, /\.body$/)) expect(n).toBe(sum);
    for (const n of laneIterations(program, points, /\.cond$/)) expect(n).toBe(sum + counts.length);
  });
});
