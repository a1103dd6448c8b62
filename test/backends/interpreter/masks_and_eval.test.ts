// Interpreter-specific behaviour: the optional active-lane mask of evalJaxpr,
// how masks meet predicates of other shapes, and evalJaxpr's own checks.
import { describe, expect, it } from "vitest";
import { applyPrimitive, evalClosedJaxpr, evalJaxpr } from "../../../src/backends/interpreter/index.js";
import { andMasks, maskForLanes } from "../../../src/backends/interpreter/mask.js";
import type { ArrayValue } from "../../../src/ir/core.js";
import type { DType } from "../../../src/ir/dtype.js";
import { parse } from "../../../src/ir/parser.js";
import { ShapeError } from "../../../src/ir/primitives.js";
import { type Nested, fromNested, toNested } from "../../../src/ir/value.js";

const v = (value: Nested, dtype: DType = "float32"): ArrayValue => fromNested(value, dtype);
const mask = (value: Nested): ArrayValue => fromNested(value, "bool");

// x != 5: x += 1. Lanes starting above 5 never terminate unless masked out.
const COUNT_TO_5 = parse(`{ lambda ; a:i32[4]. let
    b:i32[4] = while[
      body_jaxpr={ lambda ; c:i32[4]. let d:i32[4] = add c 1:i32[] in (d,) }
      body_nconsts=0
      cond_jaxpr={ lambda ; e:i32[4]. let f:bool[4] = ne e 5:i32[] in (f,) }
      cond_nconsts=0
    ] a
  in (b,) }`);

// Same loop with a [4,2] carry: the predicate bool[4] is a proper prefix of
// a mask bool[4,2].
const COUNT_TO_5_BLOCKS = parse(`{ lambda ; a:i32[4] b:f32[4,2]. let
    c:i32[4] d:f32[4,2] = while[
      body_jaxpr={ lambda ; e:i32[4] f:f32[4,2]. let
          g:i32[4] = add e 1:i32[]
          h:f32[4,2] = add f 1.0:f32[]
        in (g, h) }
      body_nconsts=0
      cond_jaxpr={ lambda ; i:i32[4] j:f32[4,2]. let k:bool[4] = ne i 5:i32[] in (k,) }
      cond_nconsts=0
    ] a b
  in (c, d) }`);

// A 2-D predicate bool[2,2] that a bool[2] mask covers on the leading axis.
const COUNT_TO_5_2D = parse(`{ lambda ; a:i32[2,2]. let
    b:i32[2,2] = while[
      body_jaxpr={ lambda ; c:i32[2,2]. let d:i32[2,2] = add c 1:i32[] in (d,) }
      body_nconsts=0
      cond_jaxpr={ lambda ; e:i32[2,2]. let f:bool[2,2] = ne e 5:i32[] in (f,) }
      cond_nconsts=0
    ] a
  in (b,) }`);

describe("evalJaxpr with an active-lane mask", () => {
  it("a batched while treats masked-out lanes as finished", () => {
    const [out] = evalJaxpr(COUNT_TO_5, [], [v([0, 7, 3, 9], "int32")], mask([true, false, true, false]));
    expect(toNested(out!)).toEqual([5, 7, 5, 9]);
  });

  it("without a mask every lane runs to its own end", () => {
    const [out] = evalJaxpr(COUNT_TO_5, [], [v([0, 2, 3, 5], "int32")]);
    expect(toNested(out!)).toEqual([5, 5, 5, 5]);
  });

  it("a mask longer than the predicate keeps a lane if any of its sub-lanes is active", () => {
    const m = mask([[true, false], [false, false], [false, true], [false, false]]);
    const [c, d] = evalJaxpr(COUNT_TO_5_BLOCKS, [], [v([1, 8, 2, 9], "int32"), v([[0, 0], [0, 0], [10, 10], [0, 0]])], m);
    expect(toNested(c!)).toEqual([5, 8, 5, 9]);
    expect(toNested(d!)).toEqual([[4, 4], [0, 0], [13, 13], [0, 0]]);
  });

  it("a mask shorter than the predicate is broadcast over the trailing axes", () => {
    const [out] = evalJaxpr(COUNT_TO_5_2D, [], [v([[1, 3], [6, 7]], "int32")], mask([true, false]));
    expect(toNested(out!)).toEqual([[5, 5], [6, 7]]);
  });

  it("a scalar predicate ignores the mask", () => {
    const j = parse(`{ lambda ; a:i32[]. let
    b:i32[] = while[
      body_jaxpr={ lambda ; c:i32[]. let d:i32[] = add c 1:i32[] in (d,) }
      body_nconsts=0
      cond_jaxpr={ lambda ; e:i32[]. let f:bool[] = lt e 3:i32[] in (f,) }
      cond_nconsts=0
    ] a
  in (b,) }`);
    const [out] = evalJaxpr(j, [], [v(0, "int32")], mask([false, false]));
    expect(toNested(out!)).toBe(3);
  });

  it("a batched cond runs no branch for masked-out lanes (they come out as zeros)", () => {
    const j = parse(`{ lambda ; a:i32[3] b:f32[3]. let
    c:f32[3] = cond[
      branches=(
        { lambda ; d:f32[3]. let e:f32[3] = add d 1.0:f32[] in (e,) }
        { lambda ; f:f32[3]. let g:f32[3] = mul f 10.0:f32[] in (g,) }
      )
    ] a b
  in (c,) }`);
    const [out] = evalJaxpr(j, [], [v([0, 1, 1], "int32"), v([1, 2, 3])], mask([true, true, false]));
    expect(toNested(out!)).toEqual([2, 20, 0]);
  });

  it("rejects a non-bool mask", () => {
    expect(() => evalJaxpr(COUNT_TO_5, [], [v([5, 5, 5, 5], "int32")], v([1, 1, 1, 1], "int32"))).toThrow(/mask must be bool/);
  });
});

describe("mask helpers", () => {
  it("maskForLanes broadcasts, any-reduces, or ignores", () => {
    const m = mask([[true, false, false], [false, false, false]]);
    expect([...maskForLanes(m, [2])!]).toEqual([1, 0]);
    expect([...maskForLanes(m, [2, 3, 2])!]).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(maskForLanes(m, [])).toBeNull();
    expect(maskForLanes(m, [3])).toBeNull();
    expect(maskForLanes(null, [2])).toBeNull();
  });

  it("andMasks composes on the longer shape", () => {
    const inner = mask([[true, true], [true, false]]);
    const outer = mask([false, true]);
    const both = andMasks(inner, outer);
    expect(both.shape).toEqual([2, 2]);
    expect(toNested(both)).toEqual([[false, false], [true, false]]);
    const flipped = andMasks(outer, inner);
    expect(toNested(flipped)).toEqual([[false, false], [true, false]]);
    expect(andMasks(outer, null)).toBe(outer);
  });
});

describe("evalJaxpr basics", () => {
  const AXPY = parse(`{ lambda a:f32[]; b:f32[2] c:f32[2]. let
    d:f32[2] = mul b a
    e:f32[2] = add d c
    f:f32[2] = add e 0.5:f32[]
  in (f, b) }`);

  it("binds consts and args, evaluates literals, returns inputs passed through", () => {
    const [y, x] = evalClosedJaxpr({ jaxpr: AXPY, consts: [v(2)] }, [v([1, 2]), v([10, 20])]);
    expect(toNested(y!)).toEqual([12.5, 24.5]);
    expect(toNested(x!)).toEqual([1, 2]);
  });

  it("does not mutate its inputs", () => {
    const x = v([1, 2, 3, 4], "int32");
    const before = [...x.data];
    evalJaxpr(COUNT_TO_5, [], [x]);
    expect([...x.data]).toEqual(before);
  });

  it("names the mismatch when arguments have the wrong type or count", () => {
    expect(() => evalJaxpr(AXPY, [v(2)], [v([1, 2])])).toThrow(/takes 2 arguments, got 1/);
    expect(() => evalJaxpr(AXPY, [v(2)], [v([1, 2, 3]), v([1, 2])])).toThrow(/arguments 0 must be f32\[2\], got f32\[3\]/);
    expect(() => evalJaxpr(AXPY, [], [v([1, 2]), v([1, 2])])).toThrow(/takes 1 consts, got 0/);
  });

  it("applyPrimitive raises the shape rule's error on ill-typed operands", () => {
    expect(() => applyPrimitive("add", {}, [v([1, 2]), v([1, 2, 3])])).toThrow(ShapeError);
    expect(() => applyPrimitive("add", {}, [v([1, 2]), v([1, 2], "int32")])).toThrow(/add: operand dtypes must be equal/);
  });

  it("applyPrimitive runs control flow eagerly", () => {
    const body = parse(`{ lambda ; a:f32[2]. let b:f32[2] = mul a a in (b,) }`);
    const [out] = applyPrimitive("pjit", { jaxpr: body, name: "sq" }, [v([3, -4])]);
    expect(toNested(out!)).toEqual([9, 16]);
  });
});
