// The wasm emitter's own active-lane path: loops of independent scalar lanes
// run four lanes at a time in SIMD registers (lane-wise loop functions, which
// programs compiled with the debug hook do not use). The cases every compiled
// backend shares (lane-iteration counts through the hook, finished lanes
// untouched, nested lanes, the seed scenario) are in
// test/backends/semantics/lanes.test.ts.
import { describe, expect, it } from "vitest";
import type { ArrayValue } from "../../../../src/ir/core.js";
import { fromNested } from "../../../../src/ir/value.js";
import { jit, np, vmap, whileLoop } from "../../../../src/index.js";
import { compileWasm } from "../../../../src/backends/wasm/emit/index.js";
import { compile, expectMatchesInterpreter, randomArray, seeded } from "./helpers.js";

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

  it("a predicate that is a carry only the body sets starts from each lane's value (the cond computes nothing)", () => {
    // The cond returns its carry q as is: no cond kernel stores the predicate, so the lane's q must be loaded when it enters.
    const carryPred = `{ lambda ; x:f32[6] p:bool[6]. let
        _:bool[6] r:f32[6] = while[
          body_jaxpr={ lambda ; q:bool[6] y:f32[6]. let
              z:f32[6] = add y 1.0:f32[]
              q2:bool[6] = lt z 5.0:f32[]
            in (q2, z) }
          body_nconsts=0
          cond_jaxpr={ lambda ; q:bool[6] y:f32[6]. let  in (q,) }
          cond_nconsts=0
        ] p x
      in (r,) }`;
    expect(compile(carryPred).source).toMatch(/\(func \$lanewise/);
    const [r] = expectMatchesInterpreter(carryPred, [fromNested([0, 1, 2, 3, 10, 0], "float32"), fromNested([true, true, false, true, true, false], "bool")]);
    expect(Array.from(r!.data)).toEqual([5, 5, 2, 5, 11, 0]);
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
