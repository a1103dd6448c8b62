// The lane-local analysis (src/backends/lower/lanes.ts): which equations of a
// batched region may run over the active lanes only.
import { describe, expect, it } from "vitest";
import { analyzeRegion, rowReads } from "../../../src/backends/lower/lanes.js";
import type { Eqn, Jaxpr } from "../../../src/ir/core.js";
import { parse } from "../../../src/ir/parser.js";
import { jit, nn, np, vmap, whileLoop } from "../../../src/index.js";

const eqnOf = (ir: string): Eqn => parse(ir).eqns[0]!;

describe("row-locality rules: how a restricted equation reads each operand (p leading row axes)", () => {
  const cases: [string, string, number, string[]][] = [
    ["elementwise with a scalar", "{ lambda ; a:f32[4,3] b:f32[]. let c:f32[4,3] = mul a b in (c,) }", 1, ["row", "any"]],
    ["transpose keeping the lane axis", "{ lambda ; a:f32[4,3,2]. let b:f32[4,2,3] = transpose[permutation=(0, 2, 1)] a in (b,) }", 1, ["row"]],
    ["transpose moving the lane axis", "{ lambda ; a:f32[4,4]. let b:f32[4,4] = transpose[permutation=(1, 0)] a in (b,) }", 1, ["any"]],
    ["reduction over a non-lane axis", "{ lambda ; a:f32[4,3]. let b:f32[4] = reduce_sum[axes=(1,)] a in (b,) }", 1, ["row"]],
    ["broadcast adding a trailing axis", "{ lambda ; a:f32[4]. let b:f32[4,5] = broadcast_in_dim[broadcast_dimensions=(0,) shape=(4, 5)] a in (b,) }", 1, ["row"]],
    ["broadcast of an unbatched vector", "{ lambda ; a:f32[5]. let b:f32[4,5] = broadcast_in_dim[broadcast_dimensions=(1,) shape=(4, 5)] a in (b,) }", 1, ["any"]],
    ["h @ W: lanes are lhs rows, W is shared", "{ lambda ; a:f32[4,8] b:f32[8,16]. let c:f32[4,16] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a b in (c,) }", 1, ["row", "any"]],
    ["batched matmul: lanes are the batch axis", "{ lambda ; a:f32[4,8] b:f32[4,8,16]. let c:f32[4,16] = dot_general[dimension_numbers=(((1,), (1,)), ((0,), (0,)))] a b in (c,) }", 1, ["row", "row"]],
    ["contracting over the lane axis", "{ lambda ; a:f32[4,4] b:f32[4,3]. let c:f32[4,3] = dot_general[dimension_numbers=(((0,), (0,)), ((), ()))] a b in (c,) }", 1, ["any", "any"]],
    ["slice of the lane axis", "{ lambda ; a:f32[4,6]. let b:f32[4,2] = slice[limit_indices=(4, 6) start_indices=(0, 1) strides=(1, 3)] a in (b,) }", 1, ["row"]],
    ["slice cutting lanes", "{ lambda ; a:f32[8,6]. let b:f32[4,6] = slice[limit_indices=(4, 6) start_indices=(0, 0) strides=None] a in (b,) }", 1, ["any"]],
    ["reshape of the trailing axes", "{ lambda ; a:f32[2,3,4]. let b:f32[2,12] = reshape[new_sizes=(2, 12)] a in (b,) }", 1, ["row"]],
    ["dynamic_update_slice of whole lanes", "{ lambda ; a:f32[4,6] b:f32[4,2] c:i32[] d:i32[]. let e:f32[4,6] = dynamic_update_slice a b c d in (e,) }", 1, ["row", "row", "any", "any"]],
  ];
  for (const [name, ir, p, want] of cases) {
    it(name, () => {
      const e = eqnOf(ir);
      expect(rowReads(e, p)).toEqual(want);
    });
  }
});

function whileOf(j: Jaxpr): Eqn<"while"> {
  const w = j.eqns.find((e): e is Eqn<"while"> => e.prim === "while");
  if (!w) throw new Error("no while");
  return w;
}

describe("regions", () => {
  it("a vmapped loop body is lane-local (the seed scenario, with and without hoisting)", () => {
    function foo(model: nn.MLP, x: np.Array, count: np.Array) {
      const [, y] = whileLoop(([i]) => i.lt(count), ([i, h, m]) => [i.add(1), m.forward(h), m], [0, x, model]);
      return y;
    }
    const model = new nn.MLP([8, 16, 8], { seed: 0 });
    for (const hoist of [true, false]) {
      const j = jit(vmap(foo, { inAxes: [null, 0, 0], hoistInvariantCarries: hoist }), { hoistInvariantCarries: hoist }).lower(model, np.ones([4, 8]), np.array([0, 1, 2, 3], { dtype: "int32" }));
      const w = whileOf(j);
      const pred = w.params.cond_jaxpr.outvars[0]!.aval.shape;
      expect(pred).toEqual([4]);
      const body = analyzeRegion(w.params.body_jaxpr, pred, w.params.body_jaxpr.outvars.map(() => false));
      expect(body.unrestrictedLaneEqns).toBe(0);
      const laned = w.params.body_jaxpr.eqns.filter((e) => e.outputs.every((v) => v.aval.shape[0] === 4));
      expect(laned.length).toBeGreaterThan(0);
      for (const e of laned) expect(body.restricted.has(e)).toBe(true);
    }
  });

  it("a value read across lanes must be full, and so must what it is computed from; the rest stays restricted", () => {
    const body = parse(`{ lambda ; e:i32[8] f:f32[8,16]. let
        g:i32[8] = add e 1:i32[]
        h:f32[8,16] = mul f 0.5:f32[]
        s:f32[] = reduce_sum[axes=(0, 1)] h
        t:f32[8,16] = broadcast_in_dim[broadcast_dimensions=() shape=(8, 16)] s
        i:f32[8,16] = add h t
      in (g, i) }`);
    const info = analyzeRegion(body, [8], [false, false]);
    const [g, h, s, t, i] = body.eqns as Eqn[];
    expect([g, h, s, t, i].map((e) => info.restricted.has(e!))).toEqual([true, false, false, true, true]);
    expect(info.unrestrictedLaneEqns).toBe(1);
    // Carries are always valid on every lane, so reading them in full is fine.
    expect(info.invarNeedsFull).toEqual([false, true]);
  });

  it("outputs the caller reads in full are not restricted", () => {
    const body = parse(`{ lambda ; a:f32[4,2]. let b:f32[4,2] = neg a in (b,) }`);
    expect(analyzeRegion(body, [4], [true]).restricted.size).toBe(0);
    expect(analyzeRegion(body, [4], [false]).restricted.size).toBe(1);
    expect(analyzeRegion(body, null, [false]).restricted.size).toBe(0);
  });

  it("a scalar loop inside a batched body keeps its lane-prefixed carries restricted; its counter is full", () => {
    const body = parse(`{ lambda ; a:f32[4,3]. let
        _:i32[] b:f32[4,3] = while[
          body_jaxpr={ lambda ; c:i32[] d:f32[4,3]. let
              e:i32[] = add c 1:i32[]
              f:f32[4,3] = mul d 2.0:f32[]
            in (e, f) }
          body_nconsts=0
          cond_jaxpr={ lambda ; g:i32[] h:f32[4,3]. let i:bool[] = lt g 3:i32[] in (i,) }
          cond_nconsts=0
        ] 0:i32[] a
      in (b,) }`);
    const info = analyzeRegion(body, [4], [false]);
    const sub = info.subs.get(body.eqns[0]!);
    expect(sub?.kind).toBe("while");
    if (sub?.kind !== "while") return;
    expect(sub.batched).toBe(false);
    expect(sub.carryFull).toEqual([true, false]);
    const [counter, doubling] = (body.eqns[0] as Eqn<"while">).params.body_jaxpr.eqns;
    expect(sub.body.restricted.has(counter!)).toBe(false);
    expect(sub.body.restricted.has(doubling!)).toBe(true);
  });
});
