// The linearity checker (passes/ad/verifyLinear.ts): hand-written programs
// that are not linear in their tangent inputs are refused with the equation
// and the primitive named, by the checker and by the transpose pass; its
// per-primitive table agrees with the primitives' transpose rules; and the
// pass manager runs a pass's output check in checked mode only.
import { describe, expect, it } from "vitest";
import { parse } from "../../../src/ir/index.js";
import { rulesOf } from "../../../src/ir/prims/index.js";
import { PRIMS } from "../../../src/ir/primitives.js";
import { LINEARITY, verifyLinear } from "../../../src/passes/ad/verifyLinear.js";
import { LinearityError } from "../../../src/passes/ad/transpose.js";
import type { Pass } from "../../../src/passes/pass.js";
import { runPipeline } from "../../../src/passes/pipeline.js";

const allLinear = (text: string) => {
  const j = parse(text);
  return () => verifyLinear(j, j.invars.map(() => true));
};

describe("verifyLinear refuses programs that are not linear in their inputs", () => {
  it("tanh of a tangent: names the equation, its text and the primitive", () => {
    const check = allLinear(`{ lambda a:f32[4]; b:f32[4]. let
    c:f32[4] = mul b a
    d:f32[4] = tanh c
  in (d,) }`);
    expect(check).toThrow(LinearityError);
    expect(check).toThrow(/^not linear: equation 1 `d:f32\[4\] = tanh c` reads linear operand 0 .* but tanh: it is not linear in any operand/);
  });

  it("a product of two tangents is quadratic", () => {
    expect(allLinear(`{ lambda ; a:f32[4] b:f32[4]. let c:f32[4] = mul a b in (c,) }`)).toThrow(/equation 0 `c:f32\[4\] = mul a b` reads linear operands 0, 1 .* mul is linear in one operand only/);
  });

  it("a tangent plus a residual is affine", () => {
    expect(allLinear(`{ lambda a:f32[4]; b:f32[4]. let c:f32[4] = add b a in (c,) }`)).toThrow(/add of a linear and a non-linear operand is affine/);
  });

  it("a tangent divisor, a tangent selector", () => {
    expect(allLinear(`{ lambda a:f32[4]; b:f32[4]. let c:f32[4] = div a b in (c,) }`)).toThrow(/div is not linear in the divisor \(operand 1\)/);
    const j = parse(`{ lambda ; a:f32[4] b:f32[4]. let
    c:bool[4] = lt a 0.0:f32[]
    d:f32[4] = select_n c b b
  in (d,) }`);
    // lt of a tangent is caught first: a comparison never reads a tangent.
    expect(() => verifyLinear(j, [true, false])).toThrow(/equation 0 `c:bool\[4\] = lt a 0.0:f32\[\]` .* lt: it is piecewise constant/);
  });

  it("inside a pjit body, naming the call and the body's equation", () => {
    const check = allLinear(`{ lambda ; a:f32[4]. let
    b:f32[4] = pjit[
      jaxpr={ lambda ; c:f32[4]. let d:f32[4] = exp c in (d,) }
      name=f
    ] a
  in (b,) }`);
    expect(check).toThrow(/not linear: equation 0 \(pjit body\) equation 0 `d:f32\[4\] = exp c`/);
  });

  it("accepts linear programs and counts the equations transpose will reverse", () => {
    const j = parse(`{ lambda a:f32[4] b:bool[4]; c:f32[4] d:f32[4]. let
    e:f32[4] = mul c a
    f:f32[4] = select_n b e d
    g:f32[4] = sin a
    h:f32[] = reduce_sum[axes=(0,)] f
  in (h, g) }`);
    expect(verifyLinear(j, [true, true])).toEqual({ linearEqns: 3 });
    // Only d linear: mul c a reads nothing linear and is a residual computation.
    expect(verifyLinear(j, [false, true])).toEqual({ linearEqns: 2 });
  });
});

describe("verifyLinear follows linearity per output through bodies (found by the differential fuzzer)", () => {
  // A while rerun by partial evaluation (linearize of a loop whose body runs a
  // scan): the primal carry f is log1p'd by the scan beside the tangent g.
  // Only the scan's second output is a tangent; taking both for tangents made
  // the primal carry "linear" and refused the loop's own primal computation.
  const rerun = `{ lambda a:i32[] b:f32[2]; c:f32[2]. let
    _:i32[] _:f32[2] d:f32[2] = while[
      body_jaxpr={ lambda ; e:i32[] f:f32[2] g:f32[2]. let
          h:f32[2] i:f32[2] = scan[
            jaxpr={ lambda ; j:f32[] k:f32[] l:f32[] m:f32[]. let
                n:f32[] = log1p k
                o:f32[] = add 1.0:f32[] k
                p:f32[] = div m o
              in (n, p) }
            length=2
            num_carry=0
            num_consts=0
            reverse=False
          ] f f g g
          q:i32[] = add e 1:i32[]
        in (q, h, i) }
      body_nconsts=0
      cond_jaxpr={ lambda ; r:i32[] s:i32[] t:f32[2] u:f32[2]. let v:bool[] = lt s r in (v,) }
      cond_nconsts=1
    ] a 0:i32[] b c
  in (d,) }`;

  it("a while rerun whose primal carry a nested scan computes is linear in its tangent carry", () => {
    expect(verifyLinear(parse(rerun), [true]).linearEqns).toBe(3); // the while, the scan, the div
  });

  it("the same loop with the scan's outputs swapped (log1p of the primal carried as the tangent) is refused", () => {
    const swapped = rerun.replace("in (q, h, i) }", "in (q, i, h) }");
    expect(allLinear(swapped)).toThrow(/not linear: equation 0 \(while body\) equation 0 \(scan body\) equation 0 `.* = log1p .*` reads linear operand 0/);
  });

  // jvp of a scan whose carry has a symbolic-zero tangent (sign): the body returns
  // the literal zero, which reads no input; it is a tangent (zero), not a residual.
  const zeroCarry = (bodyOut: string) => `{ lambda a:f32[] b:f32[]; c:f32[] d:f32[1]. let
    e:f32[] = scan[
      jaxpr={ lambda ; f:f32[] g:f32[1] h:f32[] i:f32[] j:f32[]. let
          k:f32[] = exp f
        in (${bodyOut},) }
      length=1
      num_carry=1
      num_consts=2
      reverse=False
    ] a d c d d
    l:f32[] = reshape[new_sizes=()] d
    m:f32[] = dot_general[dimension_numbers=(((), ()), ((), ()))] e a
    n:f32[] = dot_general[dimension_numbers=(((), ()), ((), ()))] b l
    o:f32[] = add m n
  in (o,) }`;

  it("a scan output that is a constant zero (an instantiated zero tangent) may be added to a tangent", () => {
    expect(verifyLinear(parse(zeroCarry("0.0:f32[]")), [true, true])).toEqual({ linearEqns: 5 });
  });

  it("a scan output computed from its residual consts only (a zero tangent partial eval computed on the known side) may be added to a tangent", () => {
    // Found by the fuzzer: jvp of a scan whose carries' tangents are symbolic zeros (sign);
    // partial evaluation computes the instantiated zeros on the known side and the linear
    // scan just returns them. The checker cannot see that they are zeros; it lets a sum
    // through, and still refuses what is affine outside such an output (the tests above).
    // 4: the scan, the reshape, the dot of two tangents' coefficients and the add (the dot of the
    // scan's output reads no tangent).
    expect(verifyLinear(parse(zeroCarry("f")), [true, true])).toEqual({ linearEqns: 4 });
    expect(verifyLinear(parse(zeroCarry("k")), [true, true])).toEqual({ linearEqns: 4 });
  });

  it("a pjit output computed from residuals only is not linear, so a residual computation may read it", () => {
    const j = parse(`{ lambda a:f32[4]; b:f32[4]. let
    c:f32[4] d:f32[4] = pjit[
      jaxpr={ lambda ; e:f32[4] f:f32[4]. let
          g:f32[4] = sin e
          h:f32[4] = mul f e
        in (g, h) }
      name=f
    ] a b
    i:f32[4] = tanh c
    k:f32[4] = mul d i
  in (k,) }`);
    expect(verifyLinear(j, [true])).toEqual({ linearEqns: 3 });
  });
});

describe("the transpose pass checks linearity first", () => {
  it("a hand-written non-linear 'linear' program is refused naming the equation and primitive", () => {
    const j = parse(`{ lambda ; a:f32[4]. let
    b:f32[4] = neg a
    c:f32[4] = sin b
  in (c,) }`);
    expect(() => runPipeline(j, "transpose")).toThrow(/^not linear: equation 1 `c:f32\[4\] = sin b` reads linear operand 0 .* sin: it is not linear in any operand/);
  });
});

describe("the linearity table agrees with the primitives' records", () => {
  it.each([...PRIMS])("%s: linear in some operand exactly when it has a transpose rule", (prim) => {
    const linearSomewhere = LINEARITY[prim].kind !== "none";
    expect(rulesOf(prim).transpose !== null).toBe(linearSomewhere);
  });
});

describe("Pass.checkOutput runs in checked mode only", () => {
  const failing: Pass = {
    name: "identity-with-a-failing-check",
    summary: "returns its input; its output check always fails",
    options: {},
    run: (j) => ({ jaxpr: j, stats: {} }),
    checkOutput: () => {
      throw new Error("the output is never good enough");
    },
  };
  const j = parse(`{ lambda ; a:f32[]. let b:f32[] = neg a in (b,) }`);

  it("checked: reported with the pass's name", () => {
    expect(() => runPipeline(j, [{ pass: failing, options: {} }], { verify: true })).toThrow(/^output check of pass 'identity-with-a-failing-check' failed: the output is never good enough/);
  });

  it("unchecked: not run", () => {
    expect(runPipeline(j, [{ pass: failing, options: {} }], { verify: false }).jaxpr).toBe(j);
  });

  it("linearize's check accepts what linearize produces (and refuses what it must not)", () => {
    const sin = parse(`{ lambda ; a:f32[3]. let b:f32[3] = sin a in (b,) }`);
    const linear = runPipeline(sin, "linearize", { verify: true }).jaxpr;
    expect(verifyLinear(linear, [true])).toEqual({ linearEqns: 1 });
    const notLinear = parse(`{ lambda ; a:f32[]. let b:f32[] = exp a in (b,) }`);
    const pass = { ...failing, checkOutput: (out: typeof j) => verifyLinear(out, out.invars.map(() => true)) };
    expect(() => runPipeline(notLinear, [{ pass, options: {} }], { verify: true })).toThrow(/output check of pass .* not linear: equation 0 `b:f32\[\] = exp a`/);
  });
});
