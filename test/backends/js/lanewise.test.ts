// The lane-by-lane batched while (emit_lanewise.ts): several lanes in flight,
// a finished slot refilled from the remaining lanes, values shared by the cond
// and the body computed once, predicates kept as JS booleans, and rounded
// comparisons folded into shifted bounds — all bit for bit against hand-written
// float32 references (Math.fround after every operation) and the interpreter.
import { describe, expect, it } from "vitest";
import { compileJs } from "../../../src/backends/js/index.js";
import { lanewiseKernels } from "../../../src/backends/js/emit_lanewise.js";
import type { Program, Stmt } from "../../../src/backends/lower/kernel_ir.js";
import type { ArrayValue } from "../../../src/ir/core.js";
import { fromNested } from "../../../src/ir/value.js";
import { jit, np, vmap, whileLoop } from "../../../src/index.js";
import { statements } from "../lower/helpers.js";
import { compile, expectMatchesInterpreter } from "./helpers.js";

const fr = Math.fround;

/** Escape-time iteration of one pixel, returning the count and the final z. */
function pixel(maxIter: number) {
  return (cr: np.Array, ci: np.Array): np.Array[] => {
    const [n, zr, zi] = whileLoop(
      ([i, zr, zi]) => i.lt(maxIter).and(zr.mul(zr).add(zi.mul(zi)).le(4)),
      ([i, zr, zi]) => [i.add(1), zr.mul(zr).sub(zi.mul(zi)).add(cr), zr.mul(zi).mul(2).add(ci)],
      [0, np.zeros([]), np.zeros([])],
    );
    return [n, zr, zi];
  };
}

/** The same loop by hand in float32: every operation rounded, as the interpreter does. */
function pixelReference(cr: number, ci: number, maxIter: number): [number, number, number] {
  let n = 0, zr = 0, zi = 0;
  while (n < maxIter && fr(fr(zr * zr) + fr(zi * zi)) <= 4) {
    const r = fr(fr(fr(zr * zr) - fr(zi * zi)) + cr);
    zi = fr(fr(fr(zr * zi) * 2) + ci);
    zr = r;
    n++;
  }
  return [n, zr, zi];
}

/** A w×h grid over re ∈ [-2, 0.6], im ∈ [-1.2, 1.2], as float32. */
function grid(w: number, h: number): { cr: number[]; ci: number[] } {
  const cr: number[] = [], ci: number[] = [];
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) {
    cr.push(fr(-2 + (2.6 * c) / (w - 1)));
    ci.push(fr(-1.2 + (2.4 * r) / (h - 1)));
  }
  return { cr, ci };
}

const whileOf = (p: Program): Extract<Stmt, { kind: "while" }> => statements(p).find((s): s is Extract<Stmt, { kind: "while" }> => s.kind === "while")!;

describe("interleaved lanes match a hand-written float32 loop", () => {
  const maxIter = 24;
  const { cr, ci } = grid(9, 7); // 63 lanes: escapes after 1…24 iterations, and lanes that never escape
  const want = cr.map((c, i) => pixelReference(c, ci[i]!, maxIter));
  const jaxpr = jit(vmap(pixel(maxIter))).lower(np.array(cr, { dtype: "float32" }), np.array(ci, { dtype: "float32" }));
  const args: ArrayValue[] = [fromNested(cr, "float32"), fromNested(ci, "float32")];

  it("the grid exercises short, long and never-escaping lanes", () => {
    const counts = want.map((x) => x[0]);
    expect(Math.min(...counts)).toBe(1);
    expect(counts.filter((n) => n === maxIter).length).toBeGreaterThan(5);
    expect(new Set(counts).size).toBeGreaterThan(8);
  });

  for (const slots of [1, 2, 3, 4, 5, 8]) {
    it(`${slots} lane${slots > 1 ? "s" : ""} in flight: counts and final z bit for bit`, () => {
      const prog = compileJs(jaxpr, { lanewiseSlots: slots });
      expect(lanewiseKernels(whileOf(prog.program), 1)).not.toBeNull();
      const [n, zr, zi] = prog.run(args);
      expect(Array.from(n!.data)).toEqual(want.map((x) => x[0]));
      expect(Array.from(zr!.data)).toEqual(want.map((x) => x[1]));
      expect(Array.from(zi!.data)).toEqual(want.map((x) => x[2]));
    });
  }

  it("fewer lanes than slots, and lanes whose loop never runs", () => {
    // c = 3 escapes before the first step (|z|² > 4 needs a step: n = 1); an inactive lane: maxIter 0.
    const few = jit(vmap(pixel(maxIter))).lower(np.array([3, -0.5], { dtype: "float32" }), np.array([0, 0.25], { dtype: "float32" }));
    const [n, zr] = compileJs(few, { lanewiseSlots: 4 }).run([fromNested([3, -0.5], "float32"), fromNested([0, 0.25], "float32")]);
    expect(Array.from(n!.data)).toEqual([pixelReference(3, 0, maxIter)[0], pixelReference(-0.5, 0.25, maxIter)[0]]);
    expect(Array.from(zr!.data)).toEqual([pixelReference(3, 0, maxIter)[1], pixelReference(-0.5, 0.25, maxIter)[1]]);
    const none = jit(vmap(pixel(0))).lower(np.array([0.1, 0.2, 0.3], { dtype: "float32" }), np.array([0, 0, 0], { dtype: "float32" }));
    const [n0, zr0] = compileJs(none, { lanewiseSlots: 2 }).run([fromNested([0.1, 0.2, 0.3], "float32"), fromNested([0, 0, 0], "float32")]);
    expect(Array.from(n0!.data)).toEqual([0, 0, 0]);
    expect(Array.from(zr0!.data)).toEqual([0, 0, 0]);
  });

  it("a two-axis lane shape (vmap of vmap) decomposes lane coordinates", () => {
    const rows = 3, cols = 5;
    const g = grid(cols, rows);
    const CR = np.array(g.cr, { dtype: "float32" }).reshape([rows, cols]);
    const CI = np.array(g.ci, { dtype: "float32" }).reshape([rows, cols]);
    const nested = jit(vmap(vmap(pixel(maxIter)))).lower(CR, CI);
    const prog = compileJs(nested, { lanewiseSlots: 3 });
    expect(lanewiseKernels(whileOf(prog.program), 2)).not.toBeNull();
    const [n, zr] = prog.run([CR.concrete("CR"), CI.concrete("CI")]);
    const ref = g.cr.map((c, i) => pixelReference(c, g.ci[i]!, maxIter));
    expect(Array.from(n!.data)).toEqual(ref.map((x) => x[0]));
    expect(Array.from(zr!.data)).toEqual(ref.map((x) => x[1]));
  });

  it("the debug hook still sees one point per lane-iteration", () => {
    const points = new Map<number, number>();
    const prog = compileJs(jaxpr, { lanewiseSlots: 3, onKernel: (id, n) => points.set(id, (points.get(id) ?? 0) + n) });
    prog.run(args);
    const w = whileOf(prog.program);
    const steps = want.reduce((s, x) => s + x[0], 0);
    for (const k of w.body) expect(points.get((k as { id: number }).id)).toBe(steps);
    for (const k of w.cond) expect(points.get((k as { id: number }).id)).toBe(steps + cr.length);
  });
});

describe("values shared by the cond and the body are computed once", () => {
  const jaxpr = jit(vmap(pixel(8))).lower(np.array([0.1, 0.2], { dtype: "float32" }), np.array([0, 0], { dtype: "float32" }));

  it("zr·zr and zi·zi: the cond's products are the body's (4 multiplications per iteration, not 6)", () => {
    const prog = compileJs(jaxpr);
    const w = whileOf(prog.program);
    const ks = lanewiseKernels(w, 1)!;
    const plan = w.lanewise!;
    const muls = plan.values.filter((v) => v.kind === "instr" && v.instr.op === "binary" && v.instr.prim === "mul");
    // zr·zr, zi·zi (cond, reused by the body), zr·zi and ·2 (body)
    expect(muls.length).toBe(4);
    const lowered = ks.flatMap((k) => k.instrs).filter((i) => i.op === "binary" && i.prim === "mul");
    expect(lowered.length).toBe(6);
    // The shared products live in slot locals from one iteration's cond to the next body.
    expect(prog.source).toMatch(/\bw0_\d+ = fr\(x\d+ \* x\d+\);/);
  });
});

describe("comparisons of rounded values", () => {
  // Per lane: count up to 3 while fround(x + d) <op> c, so a lane gives 3 if the
  // comparison holds on the float32 sum and 0 if not. (x is a carry the body
  // rewrites unchanged, so the sum is loop state, computed every iteration.)
  const loop = (op: "le" | "lt" | "ge" | "gt", constFirst: boolean, c: number) => `{ lambda ; x:f32[7] d:f32[7]. let
      z:i32[7] = broadcast_in_dim[broadcast_dimensions=() shape=(7,)] 0:i32[]
      n:i32[7] _:f32[7] = while[
        body_jaxpr={ lambda ; k:i32[7] a:f32[7]. let
            k2:i32[7] = add k 1:i32[]
            a2:f32[7] = mul a 1.0:f32[]
          in (k2, a2) }
        body_nconsts=0
        cond_jaxpr={ lambda ; b:f32[7] k:i32[7] a:f32[7]. let
            s:f32[7] = add a b
            p:bool[7] = ${constFirst ? `${op} ${c}:f32[] s` : `${op} s ${c}:f32[]`}
            q:bool[7] = lt k 3:i32[]
            r:bool[7] = and p q
          in (r,) }
        cond_nconsts=1
      ] d z x
    in (n,) }`;
  // x + d around 4 (float32 neighbours 4 - 2^-22, 4, 4 + 2^-21): the exact sums are
  // 4 + 2^-22 (a tie: rounds to even, 4), just above it (→ 4 + 2^-21), just below
  // (→ 4), 4 - 2^-23 (a tie below: rounds to 4), 4 - 2^-23 - 2^-46 (→ 4 - 2^-22), NaN and 4.
  const x = [4, 4, 4, 4, 4, NaN, 4];
  const d = [2 ** -22, 2 ** -22 * (1 + 2 ** -23), 2 ** -22 * (1 - 2 ** -24), -(2 ** -23), -(2 ** -23) * (1 + 2 ** -23), 0, 0];
  // fround(x + d) per lane, by the analysis above.
  const rounded = [4, 4 + 2 ** -21, 4, 4, 4 - 2 ** -22, NaN, 4];
  const holds: Record<string, (v: number) => boolean> = { le: (v) => v <= 4, lt: (v) => v < 4, ge: (v) => v >= 4, gt: (v) => v > 4 };
  const flipped: Record<string, string> = { le: "ge", lt: "gt", ge: "le", gt: "lt" };

  it("the inputs are float32 and round as claimed", () => {
    for (const v of d) expect(fr(v)).toBe(v);
    x.forEach((v, i) => expect(Object.is(fr(v + d[i]!), rounded[i])).toBe(true));
  });

  for (const op of ["le", "lt", "ge", "gt"] as const) {
    for (const constFirst of [false, true]) {
      it(`${constFirst ? `4 ${op} fround(x + d)` : `fround(x + d) ${op} 4`} compares the unrounded sum with a shifted bound`, () => {
        const ir = loop(op, constFirst, 4);
        const prog = compile(ir);
        expect(prog.source).not.toMatch(/fr\([xu]\S* \+ [xu]\S*\)/); // the sum is not rounded…
        expect(prog.source).toMatch(/\([xu]\S* \+ [xu]\S* [<>]=? (3\.99|4\.00)\d*\)/);
        const [n] = expectMatchesInterpreter(ir, [fromNested(x, "float32"), fromNested(d, "float32")]);
        // …yet every lane agrees with the rounded comparison: `4 op v` is `v flipped(op) 4`.
        const test = holds[constFirst ? flipped[op]! : op]!;
        expect(Array.from(n!.data)).toEqual(rounded.map((v) => (test(v) ? 3 : 0)));
      });
    }
  }
});

describe("generated-code shape", () => {
  it("the lanewise kernel does nothing before its loop but declare locals, and takes the lane list as parameters", () => {
    // Code that runs once per call before any type feedback exists (or property
    // accesses after the loop) would make the engine's optimized code bail out on
    // the next call, falling back to slow on-stack-replaced code.
    const jaxpr = jit(vmap(pixel(8))).lower(np.array([0.1, 0.2], { dtype: "float32" }), np.array([0, 0], { dtype: "float32" }));
    const src = compileJs(jaxpr).source;
    const fn = /function (k\d+)\(([^)]*)\) \{\n([\s\S]*?)\n\}/g;
    const lanewise = [...src.matchAll(fn)].find((m) => m[3]!.includes("next < cnt"))!;
    expect(lanewise[2]).toMatch(/list, cnt$/);
    const lines = lanewise[3]!.split("\n").map((l) => l.trim()).filter((l) => !l.startsWith("//"));
    const loop = lines.indexOf("for (;;) {");
    expect(loop).toBeGreaterThan(0);
    for (const l of lines.slice(0, loop)) expect(l).toMatch(/^let /);
    expect(lines.at(-1)).toBe("}"); // the loop is the last statement
    expect(lanewise[3]).not.toMatch(/\bls\./);
    expect(src).toMatch(new RegExp(`${lanewise[1]}\\([^)]*L0\\.list, L0\\.count\\);\\n\\s*L0\\.count = 0;`));
  });

  it("bool values stay JS booleans until stored", () => {
    const jaxpr = jit(vmap(pixel(8))).lower(np.array([0.1, 0.2], { dtype: "float32" }), np.array([0, 0], { dtype: "float32" }));
    const src = compileJs(jaxpr).source;
    expect(src).toMatch(/const v\d+ = \(x\d+ < 8\);/);
    expect(src).toMatch(/const v\d+ = \(v\d+ && v\d+\);/);
    expect(src).toMatch(/\] = \(v\d+ \? 1 : 0\);/); // the predicate's buffer gets 0/1
  });
});

describe("other lane-local loops", () => {
  it("bool carries, selects, not/or and integer state", () => {
    // Per lane: a flag flips every step; s += flag ? 1 : 3 while s < n or the flag is set.
    const ir = `{ lambda ; n:i32[5] f0:bool[5]. let
        z:i32[5] = broadcast_in_dim[broadcast_dimensions=() shape=(5,)] 0:i32[]
        s:i32[5] f:bool[5] = while[
          body_jaxpr={ lambda ; a:i32[5] b:bool[5]. let
              three:i32[5] = broadcast_in_dim[broadcast_dimensions=() shape=(5,)] 3:i32[]
              one:i32[5] = broadcast_in_dim[broadcast_dimensions=() shape=(5,)] 1:i32[]
              c:i32[5] = select_n b three one
              d:i32[5] = add a c
              e:bool[5] = not b
            in (d, e) }
          body_nconsts=0
          cond_jaxpr={ lambda ; m:i32[5] a:i32[5] b:bool[5]. let
              p:bool[5] = lt a m
              q:bool[5] = and b p
              r:bool[5] = or p q
            in (r,) }
          cond_nconsts=1
        ] n z f0
      in (s, f) }`;
    const n = [0, 1, 4, 7, 10];
    const f0 = [1, 0, 1, 0, 1];
    const prog = compile(ir, { lanewiseSlots: 2 });
    expect(lanewiseKernels(whileOf(prog.program), 1)).not.toBeNull();
    const [s, f] = expectMatchesInterpreter(ir, [fromNested(n, "int32"), fromNested(f0, "bool")], { lanewiseSlots: 2 });
    // Hand-derived: repeat while s < n: s += (flag ? 1 : 3), flag = !flag.
    const want = n.map((m, i) => {
      let a = 0, b = f0[i] === 1;
      while (a < m) {
        a += b ? 1 : 3;
        b = !b;
      }
      return [a, b ? 1 : 0];
    });
    expect(Array.from(s!.data)).toEqual(want.map((x) => x[0]));
    expect(Array.from(f!.data)).toEqual(want.map((x) => x[1]));
  });
});
