// Hand-written control-flow programs (IR text) parameterized by a lane shape,
// for the oracle. Each comment names the JAX test or issue it mirrors
// (/work/shared/reference/jax-control-flow-semantics.md §4). Batch dims are
// drawn at random by the tests, so each template covers batched/unbatched
// consts, carries, predicates and indices.

import fc from "fast-check";
import { parse } from "../../../src/ir/parser.js";
import { type ValueGen, fillValue, intsIn } from "./arrays.js";
import { type GenCase, genCase, shapeArb } from "./primGen.js";

/** `f32[2,3]` */
const t = (dtype: "f32" | "i32" | "bool", shape: readonly number[]): string => `${dtype}[${shape.join(",")}]`;
/** `(0, 1)`, `(0,)` or `()`: every axis of a lane shape, for full reductions. */
const allAxes = (shape: readonly number[]): string => {
  const ax = shape.map((_, i) => i);
  return ax.length === 1 ? "(0,)" : `(${ax.join(", ")})`;
};
/** A zero array of shape `s` (a literal for a scalar). */
const zerosEqn = (name: string, s: readonly number[]): string =>
  s.length === 0 ? "" : `${name}:${t("f32", s)} = broadcast_in_dim[broadcast_dimensions=() shape=(${s.join(", ")}${s.length === 1 ? "," : ""})] 0.0:f32[]`;

/** Positive floats on a quarter grid (strictly increasing loops make progress). */
const positive: ValueGen = (aval, rng) => fillValue(aval, () => rng.int(1, 4) / 4);

function make(text: string, gens: readonly (ValueGen | undefined)[] = []): GenCase {
  return genCase(parse(text), gens);
}

/**
 * A fori-style loop `while i < n: (i+1, tanh(x*s + w))`: n is a cond const (a
 * batched n gives a batched predicate, JAX testWhileLoopCondConstsBatched), s
 * and w are body consts (batched ones make x batched through the fixpoint
 * while the predicate stays unbatched, testWhileLoopBodyConstsBatched), and
 * i0 is the counter's init (batched: batched predicate). Trip counts per lane
 * differ.
 */
export function whileCounted(S: readonly number[]): GenCase {
  const F = t("f32", S);
  return make(
    `{ lambda ; n:i32[] s:f32[] w:${F} i0:i32[] x:${F}. let
    i:i32[] y:${F} = while[
      body_jaxpr={ lambda ; s:f32[] w:${F} i:i32[] x:${F}. let
          i2:i32[] = add i 1:i32[]
          a:${F} = mul x s
          b:${F} = add a w
          c:${F} = tanh b
        in (i2, c) }
      body_nconsts=2
      cond_jaxpr={ lambda ; n:i32[] i:i32[] x:${F}. let p:bool[] = lt i n in (p,) }
      cond_nconsts=1
    ] n s w i0 x
  in (i, y) }`,
    [intsIn(0, 4), undefined, undefined, intsIn(-1, 2), undefined],
  );
}

/**
 * The predicate reads the data carry: `while sum(x) < sum(lim) and k < 6:
 * x += step` (step > 0, so lanes finish after different trip counts); lim is
 * a lane-shaped cond const, so it can be batched at any axis.
 */
export function whileDataPredicate(S: readonly number[]): GenCase {
  const F = t("f32", S);
  return make(
    `{ lambda ; lim:${F} step:${F} x:${F}. let
    y:${F} k:i32[] = while[
      body_jaxpr={ lambda ; st:${F} x:${F} k:i32[]. let
          x2:${F} = add x st
          k2:i32[] = add k 1:i32[]
        in (x2, k2) }
      body_nconsts=1
      cond_jaxpr={ lambda ; lim:${F} x:${F} k:i32[]. let
          s:f32[] = reduce_sum[axes=${allAxes(S)}] x
          l:f32[] = reduce_sum[axes=${allAxes(S)}] lim
          p1:bool[] = lt s l
          p2:bool[] = lt k 6:i32[]
          p:bool[] = and p1 p2
        in (p,) }
      cond_nconsts=1
    ] lim step x 0:i32[]
  in (y, k) }`,
    [undefined, positive, undefined],
  );
}

/**
 * A carry the body leaves unchanged (w, the flax#4700 model) next to one the
 * cond reads while the body forwards it (tau, like testWhileLoopTupleBatched).
 */
export function whileForwardedCarry(S: readonly number[]): GenCase {
  const F = t("f32", S);
  return make(
    `{ lambda ; c:i32[] x:${F} w:${F} tau:f32[]. let
    i:i32[] h:${F} w2:${F} tau2:f32[] = while[
      body_jaxpr={ lambda ; i:i32[] h:${F} w:${F} tau:f32[]. let
          i2:i32[] = add i 1:i32[]
          a:${F} = mul h w
          b:${F} = add a tau
          h2:${F} = tanh b
        in (i2, h2, w, tau) }
      body_nconsts=0
      cond_jaxpr={ lambda ; c:i32[] i:i32[] h:${F} w:${F} tau:f32[]. let
          p1:bool[] = lt i c
          p2:bool[] = lt tau 2.5:f32[]
          p:bool[] = and p1 p2
        in (p,) }
      cond_nconsts=1
    ] c 0:i32[] x w tau
  in (i, h, w2, tau2) }`,
    [intsIn(0, 4), undefined, undefined, undefined],
  );
}

/** JAX testWhileLoopTupleBatched: `while x + y < 5: (x + 1, y)`. */
export function whileTuple(): GenCase {
  return make(
    `{ lambda ; x:i32[] y:i32[]. let
    a:i32[] b:i32[] = while[
      body_jaxpr={ lambda ; x:i32[] y:i32[]. let x2:i32[] = add x 1:i32[] in (x2, y) }
      body_nconsts=0
      cond_jaxpr={ lambda ; x:i32[] y:i32[]. let
          s:i32[] = add x y
          p:bool[] = lt s 5:i32[]
        in (p,) }
      cond_nconsts=0
    ] x y
  in (a, b) }`,
    [intsIn(-1, 4), intsIn(0, 3)],
  );
}

/**
 * JAX testWhileLoopBatchedWithConstBody: the body sets the (batched) carry
 * to an unbatched constant, so the fixpoint must keep it batched.
 */
export function whileConstBody(S: readonly number[]): GenCase {
  const F = t("f32", S);
  const zero = S.length === 0 ? "0.0:f32[]" : "z";
  return make(
    `{ lambda ; n:i32[] x:${F}. let
    i:i32[] y:${F} = while[
      body_jaxpr={ lambda ; i:i32[] x:${F}. let
          i2:i32[] = add i 1:i32[]
          ${zerosEqn("z", S)}
        in (i2, ${zero}) }
      body_nconsts=0
      cond_jaxpr={ lambda ; n:i32[] i:i32[] x:${F}. let p:bool[] = lt i n in (p,) }
      cond_nconsts=1
    ] n 0:i32[] x
  in (i, y) }`,
    [intsIn(0, 2), undefined],
  );
}

/**
 * JAX test_issue_3204: nested while, outer `i < a + 1`, inner `j < b + 1`,
 * `val += i + j`. With a and b batched differently the inner predicate is
 * batched or not independently of the outer one.
 */
export function whileNested(S: readonly number[]): GenCase {
  const F = t("f32", S);
  return make(
    `{ lambda ; a:i32[] b:i32[] v:${F}. let
    _:i32[] r:${F} = while[
      body_jaxpr={ lambda ; b:i32[] i:i32[] val:${F}. let
          _:i32[] val2:${F} = while[
            body_jaxpr={ lambda ; i:i32[] j:i32[] w:${F}. let
                s:i32[] = add i j
                sf:f32[] = convert_element_type[new_dtype=float32] s
                w2:${F} = add w sf
                j2:i32[] = add j 1:i32[]
              in (j2, w2) }
            body_nconsts=1
            cond_jaxpr={ lambda ; b:i32[] j:i32[] w:${F}. let
                b1:i32[] = add b 1:i32[]
                p:bool[] = lt j b1
              in (p,) }
            cond_nconsts=1
          ] b i 0:i32[] val
          i2:i32[] = add i 1:i32[]
        in (i2, val2) }
      body_nconsts=1
      cond_jaxpr={ lambda ; a:i32[] i:i32[] val:${F}. let
          a1:i32[] = add a 1:i32[]
          p:bool[] = lt i a1
        in (p,) }
      cond_nconsts=1
    ] a b 0:i32[] v
  in (r,) }`,
    [intsIn(0, 3), intsIn(0, 3), undefined],
  );
}

/**
 * An outer loop `while i < a` whose body runs an inner loop that reads only
 * b (`while j < b: s += 1.5`), none of the outer carries: under nested vmap
 * the inner loop can be unbatched at the outer level while the outer loop is
 * batched there.
 */
export function whileInnerIndependent(S: readonly number[]): GenCase {
  const F = t("f32", S);
  return make(
    `{ lambda ; a:i32[] b:i32[] v:${F}. let
    _:i32[] r:${F} = while[
      body_jaxpr={ lambda ; b:i32[] i:i32[] acc:${F}. let
          _:i32[] s:f32[] = while[
            body_jaxpr={ lambda ; j:i32[] s:f32[]. let
                j2:i32[] = add j 1:i32[]
                s2:f32[] = add s 1.5:f32[]
              in (j2, s2) }
            body_nconsts=0
            cond_jaxpr={ lambda ; b:i32[] j:i32[] s:f32[]. let p:bool[] = lt j b in (p,) }
            cond_nconsts=1
          ] b 0:i32[] 0.0:f32[]
          acc2:${F} = add acc s
          i2:i32[] = add i 1:i32[]
        in (i2, acc2) }
      body_nconsts=1
      cond_jaxpr={ lambda ; a:i32[] i:i32[] acc:${F}. let p:bool[] = lt i a in (p,) }
      cond_nconsts=1
    ] a b 0:i32[] v
  in (r,) }`,
    [intsIn(0, 3), intsIn(0, 3), undefined],
  );
}

/**
 * cond/switch with 2 or 3 branches of different cost (JAX testCondBatched /
 * testSwitchBatched): a pure forward, a reduction, and a branch with a loop.
 * The index is drawn from [-1, nb] so clamping is exercised too.
 */
export function condBranches(S: readonly number[], nb: 2 | 3): GenCase {
  const F = t("f32", S);
  const sig = `x:${F} y:${F} z:f32[]`;
  const branches = [
    `{ lambda ; ${sig}. let  in (x, z) }`,
    `{ lambda ; ${sig}. let
            a:${F} = neg y
            r:f32[] = reduce_sum[axes=${allAxes(S)}] x
            c:f32[] = add r z
          in (a, c) }`,
    `{ lambda ; ${sig}. let
            _:i32[] q:${F} = while[
              body_jaxpr={ lambda ; z:f32[] k:i32[] h:${F}. let
                  k2:i32[] = add k 1:i32[]
                  m:${F} = mul h z
                  h2:${F} = sin m
                in (k2, h2) }
              body_nconsts=1
              cond_jaxpr={ lambda ; k:i32[] h:${F}. let p:bool[] = lt k 3:i32[] in (p,) }
              cond_nconsts=0
            ] z 0:i32[] x
          in (q, 1.0:f32[]) }`,
  ].slice(0, nb);
  return make(
    `{ lambda ; idx:i32[] ${sig}. let
    o:${F} s:f32[] = cond[
      branches=(
        ${branches.join("\n        ")}
      )
    ] idx x y z
  in (o, s) }`,
    [intsIn(-1, nb)],
  );
}

/**
 * JAX issue #2947: branch 0 runs `while c != 0: c -= 1`, which only
 * terminates for c >= 0, i.e. exactly the lanes that take branch 0. (The
 * `c > -1000` guard bounds the damage if lanes leak into the loop; the test
 * counts loop iterations to catch that.)
 */
export function condWhileOwnLanes(S: readonly number[]): GenCase {
  const F = t("f32", S);
  return make(
    `{ lambda ; x:i32[] v:${F}. let
    neg:bool[] = lt x 0:i32[]
    idx:i32[] = convert_element_type[new_dtype=int32] neg
    r:i32[] u:${F} = cond[
      branches=(
        { lambda ; x:i32[] v:${F}. let
            _:i32[] k:i32[] w:${F} = while[
              body_jaxpr={ lambda ; c:i32[] k:i32[] w:${F}. let
                  c2:i32[] = sub c 1:i32[]
                  k2:i32[] = add k 1:i32[]
                  w2:${F} = add w 1.0:f32[]
                in (c2, k2, w2) }
              body_nconsts=0
              cond_jaxpr={ lambda ; c:i32[] k:i32[] w:${F}. let
                  p1:bool[] = ne c 0:i32[]
                  p2:bool[] = gt c -1000:i32[]
                  p:bool[] = and p1 p2
                in (p,) }
              cond_nconsts=0
            ] x 0:i32[] v
          in (k, w) }
        { lambda ; x:i32[] v:${F}. let
            a:i32[] = neg x
            b:${F} = mul v 2.0:f32[]
          in (a, b) }
      )
    ] idx x v
  in (r, u) }`,
    [intsIn(-3, 4), undefined],
  );
}

/**
 * scan with two consts (a scalar and a lane-shaped one), a carry and xs; ys
 * are a full reduction per step and the xs slice forwarded (unbatched ys
 * when xs is).
 */
export function scanBasic(S: readonly number[], length: number, reverse: boolean): GenCase {
  const F = t("f32", S);
  return make(
    `{ lambda ; c:f32[] w:${F} init:${F} xs:${t("f32", [length, ...S])}. let
    h:${F} ys:${t("f32", [length])} xe:${t("f32", [length, ...S])} = scan[
      jaxpr={ lambda ; c:f32[] w:${F} h:${F} x:${F}. let
          a:${F} = mul h c
          b:${F} = add a x
          d:${F} = mul b w
          e:${F} = tanh d
          r:f32[] = reduce_sum[axes=${allAxes(S)}] e
        in (e, r, x) }
      length=${length}
      num_carry=1
      num_consts=2
      reverse=${reverse ? "True" : "False"}
    ] c w init xs
  in (h, ys, xe) }`,
  );
}

/** JAX testScanVmapFixpoint: carries rotate left, so batchedness propagates through the fixpoint. */
export function scanFixpoint(reverse: boolean): GenCase {
  return make(
    `{ lambda ; c0:f32[] c1:f32[] c2:f32[] c3:f32[]. let
    a:f32[] b:f32[] c:f32[] d:f32[] = scan[
      jaxpr={ lambda ; c0:f32[] c1:f32[] c2:f32[] c3:f32[]. let  in (c1, c2, c3, 0.0:f32[]) }
      length=2
      num_carry=4
      num_consts=0
      reverse=${reverse ? "True" : "False"}
    ] c0 c1 c2 c3
  in (a, b, c, d) }`,
  );
}

/** pjit around a few ops, one output forwarding an input (so it can stay unbatched). */
export function pjitBasic(S: readonly number[]): GenCase {
  const F = t("f32", S);
  return make(
    `{ lambda ; x:${F} y:f32[]. let
    d:${F} e:f32[] f:f32[] = pjit[
      jaxpr={ lambda ; a:${F} b:f32[]. let
          c:${F} = mul a b
          d:${F} = sin c
          e:f32[] = reduce_max[axes=${allAxes(S)}] d
        in (d, e, b) }
      name=inner
    ] x y
  in (d, e, f) }`,
  );
}

/** checkpoint around a few ops and a reduction, one output unbatched (it reads only the unbatched scalar). */
export function checkpointBasic(S: readonly number[]): GenCase {
  const F = t("f32", S);
  return make(
    `{ lambda ; x:${F} y:f32[]. let
    d:${F} e:f32[] f:f32[] = checkpoint[
      jaxpr={ lambda ; a:${F} b:f32[]. let
          c:${F} = mul a b
          d:${F} = tanh c
          e:f32[] = reduce_sum[axes=${allAxes(S)}] d
          f:f32[] = exp b
        in (d, e, f) }
      name=layer
    ] x y
  in (d, e, f) }`,
  );
}

/**
 * A loop inside a scan body whose trip count comes from the xs slice: with
 * batched xs the inner predicate is per-lane, and the scan passes the lane
 * mask through to it.
 */
export function scanWithWhile(S: readonly number[], length: number, reverse: boolean): GenCase {
  const F = t("f32", S);
  return make(
    `{ lambda ; w:${F} init:${F} ns:${t("i32", [length])}. let
    h:${F} ks:${t("i32", [length])} = scan[
      jaxpr={ lambda ; w:${F} h:${F} n:i32[]. let
          k:i32[] h2:${F} = while[
            body_jaxpr={ lambda ; w:${F} k:i32[] h:${F}. let
                k2:i32[] = add k 1:i32[]
                a:${F} = mul h 0.5:f32[]
                b:${F} = add a w
              in (k2, b) }
            body_nconsts=1
            cond_jaxpr={ lambda ; n:i32[] k:i32[] h:${F}. let p:bool[] = lt k n in (p,) }
            cond_nconsts=1
          ] n w 0:i32[] h
        in (h2, k) }
      length=${length}
      num_carry=1
      num_consts=1
      reverse=${reverse ? "True" : "False"}
    ] w init ns
  in (h, ks) }`,
    [undefined, undefined, intsIn(-1, 3)],
  );
}

/**
 * A cond inside a loop body, its index read from the carry (so a batched
 * carry gives a per-lane cond under the loop's lane mask), one operand a
 * literal.
 */
export function whileWithCond(S: readonly number[]): GenCase {
  const F = t("f32", S);
  return make(
    `{ lambda ; n:i32[] j0:i32[] x:${F}. let
    i:i32[] j:i32[] y:${F} = while[
      body_jaxpr={ lambda ; i:i32[] j:i32[] x:${F}. let
          r:i32[] = rem j 3:i32[]
          z:${F} = cond[
            branches=(
              { lambda ; c:f32[] x:${F}. let a:${F} = add x c in (a,) }
              { lambda ; c:f32[] x:${F}. let a:${F} = mul x -1.0:f32[] in (a,) }
              { lambda ; c:f32[] x:${F}. let a:${F} = sin x in (a,) }
            )
          ] r 0.5:f32[] x
          i2:i32[] = add i 1:i32[]
          j2:i32[] = add j i
        in (i2, j2, z) }
      body_nconsts=0
      cond_jaxpr={ lambda ; n:i32[] i:i32[] j:i32[] x:${F}. let p:bool[] = lt i n in (p,) }
      cond_nconsts=1
    ] n 0:i32[] j0 x
  in (i, j, y) }`,
    [intsIn(0, 4), intsIn(0, 5), undefined],
  );
}

/**
 * A cond inside a loop body whose index and operand read only b, none of the
 * carries: under nested vmap the cond can be unbatched at the outer level
 * while the loop around it is batched there.
 */
export function whileWithIndependentCond(S: readonly number[]): GenCase {
  const F = t("f32", S);
  return make(
    `{ lambda ; a:i32[] b:i32[] v:${F}. let
    _:i32[] r:${F} = while[
      body_jaxpr={ lambda ; b:i32[] i:i32[] acc:${F}. let
          k:i32[] = rem b 3:i32[]
          bf:f32[] = convert_element_type[new_dtype=float32] b
          z:f32[] = cond[
            branches=(
              { lambda ; c:f32[]. let d:f32[] = add c 1.0:f32[] in (d,) }
              { lambda ; c:f32[]. let d:f32[] = mul c -2.0:f32[] in (d,) }
              { lambda ; c:f32[]. let d:f32[] = sin c in (d,) }
            )
          ] k bf
          acc2:${F} = add acc z
          i2:i32[] = add i 1:i32[]
        in (i2, acc2) }
      body_nconsts=1
      cond_jaxpr={ lambda ; a:i32[] i:i32[] acc:${F}. let p:bool[] = lt i a in (p,) }
      cond_nconsts=1
    ] a b 0:i32[] v
  in (r,) }`,
    [intsIn(0, 3), intsIn(0, 5), undefined],
  );
}

// Arbitraries over the templates' shapes and options.
const laneShape = shapeArb(0, 2);
export const whileCountedArb = laneShape.map(whileCounted);
export const whileDataPredicateArb = laneShape.map(whileDataPredicate);
export const whileForwardedCarryArb = laneShape.map(whileForwardedCarry);
export const whileConstBodyArb = laneShape.map(whileConstBody);
export const whileNestedArb = laneShape.map(whileNested);
export const whileInnerIndependentArb = laneShape.map(whileInnerIndependent);
export const condBranchesArb = fc.tuple(laneShape, fc.constantFrom<2 | 3>(2, 3)).map(([s, nb]) => condBranches(s, nb));
export const condWhileOwnLanesArb = laneShape.map(condWhileOwnLanes);
export const scanBasicArb = fc
  .tuple(laneShape, fc.integer({ min: 0, max: 3 }), fc.boolean())
  .map(([s, length, reverse]) => scanBasic(s, length, reverse));
export const pjitBasicArb = laneShape.map(pjitBasic);
export const checkpointBasicArb = laneShape.map(checkpointBasic);
export const scanWithWhileArb = fc
  .tuple(laneShape, fc.integer({ min: 0, max: 3 }), fc.boolean())
  .map(([s, length, reverse]) => scanWithWhile(s, length, reverse));
export const whileWithCondArb = laneShape.map(whileWithCond);
export const whileWithIndependentCondArb = laneShape.map(whileWithIndependentCond);

/** custom_jvp_call of sin(k·x) with a closed-over k (a const operand) and its rule; batching batches the call and the rule alike. */
export function customJvpBasic(S: readonly number[]): GenCase {
  const F = t("f32", S);
  return make(
    `{ lambda ; k:f32[] x:${F}. let
    y:${F} = custom_jvp_call[
      call_jaxpr={ lambda ; a:f32[] b:${F}. let c:${F} = mul a b d:${F} = sin c in (d,) }
      jvp_jaxpr={ lambda ; a:f32[] b:${F} t:${F}. let c:${F} = mul a b d:${F} = sin c e:${F} = mul t a in (d, e) }
      name=f
      num_consts=1
    ] k x
  in (y,) }`,
  );
}

/** custom_vjp_call of k·x whose fwd saves x as the residual; batching batches call, fwd and bwd alike. */
export function customVjpBasic(S: readonly number[]): GenCase {
  const F = t("f32", S);
  return make(
    `{ lambda ; k:f32[] x:${F}. let
    y:${F} = custom_vjp_call[
      bwd_jaxpr={ lambda ; a:f32[] r:${F} g:${F}. let h:${F} = mul r g in (h,) }
      call_jaxpr={ lambda ; a:f32[] b:${F}. let c:${F} = mul a b in (c,) }
      fwd_jaxpr={ lambda ; a:f32[] b:${F}. let c:${F} = mul a b in (c, b) }
      name=f
      num_consts=1
    ] k x
  in (y,) }`,
  );
}

/**
 * custom_vjp_bwd with bwd = k·r·g (a diagonal map, so its tangent map is the
 * same product). It cannot be evaluated (forward mode through custom_vjp):
 * the oracle checks it transposed (oracle.ts, `checkTransposedBatching`).
 */
export function customVjpBwdBasic(S: readonly number[]): GenCase {
  const F = t("f32", S);
  return make(
    `{ lambda ; k:f32[] r:${F} t:${F}. let
    u:${F} = custom_vjp_bwd[
      bwd_jaxpr={ lambda ; a:f32[] b:${F} c:${F}. let d:${F} = mul b c e:${F} = mul d a in (e,) }
      name=f
      num_consts=1
      num_res=1
    ] k r t
  in (u,) }`,
  );
}

export const customJvpBasicArb = laneShape.map(customJvpBasic);
export const customVjpBasicArb = laneShape.map(customVjpBasic);
export const customVjpBwdBasicArb = laneShape.map(customVjpBwdBasic);

/**
 * Reverse mode's pair (ir/prims/tape.ts): a recording while (the counted loop
 * of whileCounted, recording 1 - tanh² and counting its own steps) and a
 * replay over its tape. With n batched each lane records its own number of
 * steps and the replay runs each lane's own count.
 */
export function whileRecordReplay(S: readonly number[], reverse: boolean): GenCase {
  const F = t("f32", S);
  return make(
    `{ lambda ; n:i32[] s:f32[] w:${F} i0:i32[] x:${F} z0:${F}. let
    i:i32[] y:${F} k:i32[] r:tape(${F}) = while_record[
      body_jaxpr={ lambda ; s:f32[] w:${F} i:i32[] x:${F} k:i32[]. let
          i2:i32[] = add i 1:i32[]
          a:${F} = mul x s
          b:${F} = add a w
          c:${F} = tanh b
          cc:${F} = mul c c
          d:${F} = sub 1.0:f32[] cc
          k2:i32[] = add k 1:i32[]
        in (i2, c, k2, d) }
      body_nconsts=2
      cond_jaxpr={ lambda ; n:i32[] i:i32[] x:${F} k:i32[]. let p:bool[] = lt i n in (p,) }
      cond_nconsts=1
      num_records=1
    ] n s w i0 x 0:i32[]
    z:${F} = replay[
      jaxpr={ lambda ; act:bool[] d:${F} s:f32[] z:${F}. let u:${F} = mul z d v:${F} = mul u s in (v,) }
      num_consts=1
      num_records=0
      num_tapes=1
      reverse=${reverse ? "True" : "False"}
    ] k r s z0
  in (i, y, k, z) }`,
    [intsIn(0, 4), undefined, undefined, intsIn(-1, 2), undefined, undefined],
  );
}

/** A recording while with a fixed trip count (3) and a read of its last slot, which every lane has. */
export function whileRecordRead(S: readonly number[]): GenCase {
  const F = t("f32", S);
  return make(
    `{ lambda ; s:f32[] x:${F}. let
    i:i32[] y:${F} r:tape(${F}) = while_record[
      body_jaxpr={ lambda ; s:f32[] i:i32[] x:${F}. let
          i2:i32[] = add i 1:i32[]
          a:${F} = mul x s
          c:${F} = sin a
        in (i2, c, a) }
      body_nconsts=1
      cond_jaxpr={ lambda ; i:i32[] x:${F}. let p:bool[] = lt i 3:i32[] in (p,) }
      cond_nconsts=0
      num_records=1
    ] s 0:i32[] x
    q:${F} = tape_read r 2:i32[]
    rr:tape(${F}) = tape_reverse r
    qq:${F} = tape_read rr 0:i32[]
  in (y, q, qq) }`,
  );
}
export const whileRecordReplayArb = fc.tuple(laneShape, fc.boolean()).map(([s, reverse]) => whileRecordReplay(s, reverse));
export const whileRecordReadArb = laneShape.map(whileRecordRead);
