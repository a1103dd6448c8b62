// Properties of the cleanup passes that text fixtures cannot express: shared
// (identical-object) bodies, immutability of the input, identity when nothing
// changes, and that a full pipeline preserves what the program computes.
import { describe, expect, it } from "vitest";
import { evalJaxpr } from "../../src/backends/interpreter/index.js";
import { type Jaxpr, fromNested, makeEqn, newJaxpr, newVar, parse, printJaxpr, toNested, verify } from "../../src/ir/index.js";
import { runPipeline } from "../../src/passes/index.js";
import { PASSES } from "../../src/passes/registry.js";
import { expectAllClose } from "../helpers/allclose.js";
import { printChecked } from "../helpers/ir.js";

const CLEANUP = ["dce", "cse", "simplify", "inline", "licm"];

// Exercises every pass: a call (inline), a foldable constant and identities
// (simplify), a duplicate (cse), an invariant in a loop (licm), dead code (dce).
const PROGRAM = `{ lambda ; a:f32[2] b:f32[2] c:i32[]. let
    _:i32[] d:f32[2] _:f32[2] = while[
      body_jaxpr={ lambda ; e:f32[2] f:i32[] g:f32[2] h:f32[2]. let
          i:f32[] = add 0.5:f32[] 0.5:f32[]
          j:f32[2] = mul e i
          k:f32[2] = pjit[
            jaxpr={ lambda ; l:f32[2]. let
                m:f32[2] = neg l
                n:f32[2] = neg m
              in (n,) }
            name=f
          ] j
          o:f32[2] = mul g k
          p:f32[2] = mul g k
          q:f32[2] = add o p
          r:f32[2] = sin h
          s:i32[] = add f 1:i32[]
        in (s, q, r) }
      body_nconsts=1
      cond_jaxpr={ lambda ; t:i32[] u:i32[] v:f32[2] w:f32[2]. let
          x:bool[] = lt u t
        in (x,) }
      cond_nconsts=1
    ] c a 0:i32[] b b
  in (d,) }`;

describe("cleanup passes", () => {
  it("return the input object itself, with no stats, when there is nothing to do", () => {
    const clean = parse(`{ lambda ; a:f32[8] b:f32[8]. let
    c:f32[8] = sin a
    d:f32[8] = mul c b
  in (d,) }`);
    for (const name of CLEANUP) {
      const { jaxpr, stats } = PASSES[name]!.run(clean, { fold: true });
      expect(jaxpr, name).toBe(clean);
      expect(stats, name).toEqual({});
    }
  });

  it("inline gives every copy of a body shared by two calls its own variables", () => {
    // The same body object in two equations: what a tracer produces when one
    // jitted function is called twice.
    const x = newVar({ dtype: "float32", shape: [3] });
    const y = newVar({ dtype: "float32", shape: [3] });
    const body = newJaxpr({ invars: [x], eqns: [makeEqn("exp", {}, [x], [y])], outvars: [y] });
    const a = newVar({ dtype: "float32", shape: [3] });
    const b = newVar({ dtype: "float32", shape: [3] });
    const c = newVar({ dtype: "float32", shape: [3] });
    const prog: Jaxpr = newJaxpr({
      invars: [a],
      eqns: [makeEqn("pjit", { jaxpr: body, name: "f" }, [a], [b]), makeEqn("pjit", { jaxpr: body, name: "f" }, [b], [c])],
      outvars: [c],
    });
    // (The verifier rejects such sharing, so the input is not verified; the output is, by printChecked.)
    const { jaxpr, stats } = PASSES.inline!.run(prog, {});
    expect(stats).toEqual({ "pjit calls inlined": 2 });
    expect(printChecked(jaxpr)).toBe(`{ lambda ; a:f32[3]. let
    b:f32[3] = exp a
    c:f32[3] = exp b
  in (c,) }`);
  });

  it("a full cleanup pipeline keeps the computed values (hand-derived reference)", () => {
    const before = parse(PROGRAM);
    const { jaxpr: after } = runPipeline(before, "inline,simplify,cse,licm,dce", { verify: true });
    // The loop doubles h*w each step: after 3 steps h = x * (2w)^3.
    // w = [2, 3], x = [1, -1]  ->  [1 * 4^3, -1 * 6^3] = [64, -216].
    const args = [fromNested([2, 3], "float32"), fromNested([1, -1], "float32"), fromNested(3, "int32")];
    const expected = [64, -216];
    expectAllClose(toNested(evalJaxpr(before, [], args)[0]!), expected);
    expectAllClose(toNested(evalJaxpr(after, [], args)[0]!), expected);
    // And the pipeline did clean up: one carry and all but three body equations are gone.
    expect(printChecked(after)).toBe(`{ lambda ; a:f32[2] b:f32[2] c:i32[]. let
    _:i32[] d:f32[2] = while[
      body_jaxpr={ lambda ; e:f32[2] f:i32[] g:f32[2]. let
          h:f32[2] = mul g e
          i:f32[2] = add h h
          j:i32[] = add f 1:i32[]
        in (j, i) }
      body_nconsts=1
      cond_jaxpr={ lambda ; k:i32[] l:i32[] m:f32[2]. let n:bool[] = lt l k in (n,) }
      cond_nconsts=1
    ] c a 0:i32[] b
  in (d,) }`);
  });
});
