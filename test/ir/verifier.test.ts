// Ill-typed or ill-scoped jaxprs: `verify` must reject each with a message that
// names the equation (as printed, with the printed jaxpr's names), where it is
// (the path of enclosing sub-jaxprs) and why. Messages are written by hand
// from the shape rules in primitives.ts.
import { describe, expect, it } from "vitest";
import {
  type Aval,
  type Eqn,
  type Jaxpr,
  type Prim,
  VerifyError,
  aval,
  castScalar,
  lit,
  makeEqn,
  newJaxpr,
  newVar,
  parse,
  printJaxpr,
  verify,
  verifyClosed,
} from "../../src/ir/index.js";
import { arrayValue, scalarValue } from "../../src/ir/value.js";
import { errorOf } from "../helpers/errors.js";

const f32 = (...shape: number[]): Aval => aval("float32", shape);


function verifyError(j: Jaxpr): string {
  try {
    verify(j);
  } catch (e) {
    expect(e).toBeInstanceOf(VerifyError);
    expect(e).toBeInstanceOf(TypeError);
    return (e as Error).message;
  }
  return expect.fail(`verify accepted:\n${printJaxpr(j)}`);
}

interface TextCase {
  readonly name: string;
  /** `line:column` of the offending equation's first token, counted by hand. */
  readonly at: string;
  readonly text: string;
  readonly message: string;
}

const TEXT_CASES: readonly TextCase[] = [
  {
    name: "declared output aval differs from the shape rule",
    at: "1:26",
    text: "{ lambda ; a:f32[3]. let b:f32[4] = sin a in (b,) }",
    message: "verify: equation 0 `b:f32[4] = sin a` in the top-level jaxpr: declares outputs (f32[4]) but sin of (f32[3]) produces (f32[3])",
  },
  {
    name: "dtype mismatch in add",
    at: "1:33",
    text: "{ lambda ; a:f32[] b:i32[]. let c:f32[] = add a b in (c,) }",
    message: "verify: equation 0 `c:f32[] = add a b` in the top-level jaxpr: add: operand dtypes must be equal (operands: f32[], i32[])",
  },
  {
    name: "while body returns the wrong types",
    at: "2:5",
    text: `{ lambda ; a:i32[]. let
    b:i32[] = while[
      body_jaxpr={ lambda ; c:i32[]. let d:f32[] = convert_element_type[new_dtype=float32] c in (d,) }
      body_nconsts=0
      cond_jaxpr={ lambda ; e:i32[]. let f:bool[] = lt e 10:i32[] in (f,) }
      cond_nconsts=0
    ] a
  in (b,) }`,
    message: "verify: equation 0 `b:i32[] = while[ …]` in the top-level jaxpr: while: body_jaxpr returns (f32[]) but the carry is (i32[])",
  },
  {
    name: "while predicate is not a prefix of every carry",
    at: "2:5",
    text: `{ lambda ; a:i32[4] b:f32[3]. let
    c:i32[4] d:f32[3] = while[
      body_jaxpr={ lambda ; e:i32[4] f:f32[3]. let g:i32[4] = add e 1:i32[] in (g, f) }
      body_nconsts=0
      cond_jaxpr={ lambda ; h:i32[4] i:f32[3]. let j:bool[4] = lt h 3:i32[] in (j,) }
      cond_nconsts=0
    ] a b
  in (c, d) }`,
    message:
      "verify: equation 0 `c:i32[4] d:f32[3] = while[ …]` in the top-level jaxpr: while: batched predicate bool[4] must be a shape prefix of every carry, but a carry is f32[3]",
  },
  {
    name: "cond branches disagree on their outputs",
    at: "2:5",
    text: `{ lambda ; a:i32[] b:f32[]. let
    c:f32[] = cond[
      branches=(
        { lambda ; d:f32[]. let  in (d,) }
        { lambda ; e:f32[]. let f:i32[] = convert_element_type[new_dtype=int32] e in (f,) }
      )
    ] a b
  in (c,) }`,
    message: "verify: equation 0 `c:f32[] = cond[ …]` in the top-level jaxpr: cond: branch 1 returns (i32[]) but branch 0 returns (f32[])",
  },
  {
    name: "cond with a float index",
    at: "2:5",
    text: `{ lambda ; a:f32[] b:f32[]. let
    c:f32[] = cond[branches=({ lambda ; d:f32[]. let  in (d,) })] a b
  in (c,) }`,
    message: "verify: equation 0 `c:f32[] = cond[ …]` in the top-level jaxpr: cond: index must be int32, got f32[]",
  },
  {
    name: "scan xs with the wrong leading dimension",
    at: "2:5",
    text: `{ lambda ; a:f32[] b:f32[4,3]. let
    c:f32[] d:f32[5,3] = scan[
      jaxpr={ lambda ; e:f32[] f:f32[3]. let g:f32[3] = mul f 2.0:f32[] in (e, g) }
      length=5 num_carry=1 num_consts=0 reverse=False
    ] a b
  in (c, d) }`,
    message: "verify: equation 0 `c:f32[] d:f32[5,3] = scan[ …]` in the top-level jaxpr: scan: every xs operand needs leading dimension 5, got f32[4,3]",
  },
  {
    name: "dot_general contracting sizes differ",
    at: "1:39",
    text: "{ lambda ; a:f32[2,3] b:f32[4,5]. let c:f32[2,5] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a b in (c,) }",
    message:
      "verify: equation 0 `c:f32[2,5] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a b` in the top-level jaxpr: dot_general: contracting dimension sizes differ: lhs axis 1 (3) vs rhs axis 0 (4) (operands: f32[2,3], f32[4,5])",
  },
  {
    name: "broadcast_in_dim to an incompatible size",
    at: "1:26",
    text: "{ lambda ; a:f32[3]. let b:f32[4,2] = broadcast_in_dim[broadcast_dimensions=(1,) shape=(4, 2)] a in (b,) }",
    message:
      "verify: equation 0 `b:f32[4,2] = broadcast_in_dim[broadcast_dimensions=(1,) shape=(4, 2)] a` in the top-level jaxpr: broadcast_in_dim: operand axis 0 (size 3) cannot broadcast to size 2 of shape (4, 2) (operands: f32[3])",
  },
  {
    name: "pjit given fewer operands than its jaxpr takes",
    at: "2:5",
    text: `{ lambda ; a:f32[]. let
    b:f32[] = pjit[jaxpr={ lambda ; c:f32[] d:f32[]. let e:f32[] = add c d in (e,) } name=f] a
  in (b,) }`,
    message: "verify: equation 0 `b:f32[] = pjit[ …]` in the top-level jaxpr: pjit: jaxpr takes (f32[], f32[]) but is given (f32[])",
  },
  {
    name: "error inside a while body names the path",
    at: "5:11",
    text: `{ lambda ; a:i32[] b:f32[]. let
    _:i32[] c:f32[] = while[
      body_jaxpr={ lambda ; d:i32[] e:f32[]. let
          f:i32[] = add d 1:i32[]
          g:f32[] = add e f
        in (f, g) }
      body_nconsts=0
      cond_jaxpr={ lambda ; h:i32[] i:i32[] j:f32[]. let k:bool[] = lt i h in (k,) }
      cond_nconsts=1
    ] a 0:i32[] b
  in (c,) }`,
    message: "verify: equation 1 `g:f32[] = add e f` in body_jaxpr of equation 0 (while): add: operand dtypes must be equal (operands: f32[], i32[])",
  },
  {
    name: "error in a cond branch inside a while body names both levels",
    at: "8:55",
    text: `{ lambda ; a:f32[]. let
    _:i32[] b:f32[] = while[
      body_jaxpr={ lambda ; c:i32[] d:f32[]. let
          e:i32[] = add c 1:i32[]
          f:f32[] = cond[
            branches=(
              { lambda ; g:f32[]. let  in (g,) }
              { lambda ; h:f32[]. let i:f32[] = exp h j:f32[4] = neg i in (j,) }
            )
          ] e d
        in (e, f) }
      body_nconsts=0
      cond_jaxpr={ lambda ; k:i32[] l:f32[]. let m:bool[] = lt k 3:i32[] in (m,) }
      cond_nconsts=0
    ] 0:i32[] a
  in (b,) }`,
    message:
      "verify: equation 1 `j:f32[4] = neg i` in branches[1] of equation 1 (cond) in body_jaxpr of equation 0 (while): declares outputs (f32[4]) but neg of (f32[]) produces (f32[])",
  },
  {
    name: "error in a scan body inside a pjit",
    at: "5:51",
    text: `{ lambda ; a:f32[3]. let
    b:f32[] = pjit[
      jaxpr={ lambda ; c:f32[3]. let
          d:f32[] _:f32[3] = scan[
            jaxpr={ lambda ; e:f32[] f:f32[]. let g:bool[] = add e f in (e, g) }
            length=3
            num_carry=1
            num_consts=0
            reverse=False
          ] 0.0:f32[] c
        in (d,) }
      name=outer
    ] a
  in (b,) }`,
    message:
      "verify: equation 0 `g:bool[] = add e f` in jaxpr of equation 0 (scan) in jaxpr of equation 0 (pjit): declares outputs (bool[]) but add of (f32[], f32[]) produces (f32[])",
  },
];

describe("verify rejects ill-typed jaxprs", () => {
  it("has at least 12 cases", () => {
    expect(TEXT_CASES.length).toBeGreaterThanOrEqual(12);
  });

  for (const c of TEXT_CASES) {
    it(c.name, () => {
      expect(verifyError(parse(c.text, { verify: false }))).toBe(c.message);
    });
  }
});

// Issue #11 item 13: `parse` verifies what it read and reports the verifier's
// message at the line:column of the offending equation.
describe("parse verifies, positioning the error at the equation", () => {
  for (const c of TEXT_CASES) {
    it(`${c.name} -> ${c.at}`, () => {
      const e = errorOf(() => parse(c.text, { source: "x.jaxpr" }));
      expect(e).toBeInstanceOf(VerifyError);
      const [line, column] = c.at.split(":").map(Number);
      expect((e as VerifyError).position).toEqual({ line, column, source: "x.jaxpr" });
      expect(e.message).toBe(`x.jaxpr:${c.at}: ${c.message}`);
      expect((e as VerifyError).reason).toBe(c.message);
    });
  }

  it("rejects an equation without its operand, with a repeated operand, and with the wrong output type", () => {
    // The three examples of the issue: each parsed and printed back before.
    const cases: [string, string][] = [
      ["{ lambda ; a:f32[3]. let b:f32[3] = sin in (b,) }", "1:26: verify: equation 0 `b:f32[3] = sin` in the top-level jaxpr: sin: expects 1 operand, got 0"],
      ["{ lambda ; a:f32[3]. let b:f32[3] = sin a a in (b,) }", "1:26: verify: equation 0 `b:f32[3] = sin a a` in the top-level jaxpr: sin: expects 1 operand, got 2 (operands: f32[3], f32[3])"],
      [
        "{ lambda ; a:f32[3]. let\n    b:f32[4] = sin a\n  in (b,) }",
        "2:5: verify: equation 0 `b:f32[4] = sin a` in the top-level jaxpr: declares outputs (f32[4]) but sin of (f32[3]) produces (f32[3])",
      ],
    ];
    for (const [text, message] of cases) {
      const e = errorOf(() => parse(text));
      expect(e).toBeInstanceOf(VerifyError);
      expect(e.message).toBe(message);
    }
  });

  it("{ verify: false } returns the ill-typed jaxpr as written", () => {
    const j = parse("{ lambda ; a:f32[3]. let b:f32[4] = sin a in (b,) }", { verify: false });
    expect(printJaxpr(j)).toBe("{ lambda ; a:f32[3]. let\n    b:f32[4] = sin a\n  in (b,) }");
  });
});

/**
 * Issue #11 item 11: params out of range for the operands. Each row is one
 * equation `eqn` (written as the printer prints it) over inputs `invars`
 * whose outputs are `outs`; `message` is the shape rule's, naming the
 * primitive, the param and the valid range (derived by hand from lax).
 */
interface RangeCase {
  readonly param: string;
  readonly invars: string;
  readonly eqn: string;
  readonly outs: string;
  readonly message: string;
}

const RANGE_CASES: readonly RangeCase[] = [
  { param: "round.rounding_method", invars: "a:f32[3]", eqn: "b:f32[3] = round[rounding_method=2] a", outs: "b", message: "round: rounding_method must be 0 or 1, got 2 (operands: f32[3])" },
  {
    param: "broadcast_in_dim.broadcast_dimensions",
    invars: "a:f32[3]",
    eqn: "b:f32[2,3] = broadcast_in_dim[broadcast_dimensions=(0, 1) shape=(2, 3)] a",
    outs: "b",
    message: "broadcast_in_dim: broadcast_dimensions (0, 1) must have one entry per operand axis (1) (operands: f32[3])",
  },
  {
    param: "broadcast_in_dim.broadcast_dimensions",
    invars: "a:f32[3]",
    eqn: "b:f32[2,3] = broadcast_in_dim[broadcast_dimensions=(2,) shape=(2, 3)] a",
    outs: "b",
    message: "broadcast_in_dim: broadcast_dimensions (2,) out of range: the valid axes of shape (2, 3) are 0..1 (operands: f32[3])",
  },
  {
    param: "broadcast_in_dim.broadcast_dimensions",
    invars: "a:f32[1,1]",
    eqn: "b:f32[2,2] = broadcast_in_dim[broadcast_dimensions=(1, 0) shape=(2, 2)] a",
    outs: "b",
    message: "broadcast_in_dim: broadcast_dimensions (1, 0) must be strictly increasing (operands: f32[1,1])",
  },
  {
    param: "broadcast_in_dim.shape",
    invars: "a:f32[3]",
    eqn: "b:f32[4,2] = broadcast_in_dim[broadcast_dimensions=(1,) shape=(4, 2)] a",
    outs: "b",
    message: "broadcast_in_dim: operand axis 0 (size 3) cannot broadcast to size 2 of shape (4, 2) (operands: f32[3])",
  },
  {
    param: "reshape.new_sizes",
    invars: "a:f32[2,3]",
    eqn: "b:f32[4] = reshape[new_sizes=(4,)] a",
    outs: "b",
    message: "reshape: new_sizes (4,) hold 4 elements but the operand holds 6; they must be equal (operands: f32[2,3])",
  },
  {
    param: "transpose.permutation",
    invars: "a:f32[2,3]",
    eqn: "b:f32[2] = transpose[permutation=(0,)] a",
    outs: "b",
    message: "transpose: permutation (0,) must be a permutation of (0, 1), one entry per operand axis (operands: f32[2,3])",
  },
  {
    param: "transpose.permutation",
    invars: "a:f32[2,3]",
    eqn: "b:f32[3,2] = transpose[permutation=(2, 0)] a",
    outs: "b",
    message: "transpose: permutation (2, 0) must be a permutation of (0, 1), one entry per operand axis (operands: f32[2,3])",
  },
  {
    param: "squeeze.dimensions",
    invars: "a:f32[1,3]",
    eqn: "b:f32[1,3] = squeeze[dimensions=(2,)] a",
    outs: "b",
    message: "squeeze: dimensions (2,) out of range: the valid axes of the operand (rank 2) are 0..1 (operands: f32[1,3])",
  },
  {
    param: "squeeze.dimensions",
    invars: "a:f32[1,3]",
    eqn: "b:f32[1] = squeeze[dimensions=(1,)] a",
    outs: "b",
    message: "squeeze: dimensions (1,): axis 1 has size 3, not 1 (operands: f32[1,3])",
  },
  {
    param: "expand_dims.dimensions",
    invars: "a:f32[3]",
    eqn: "b:f32[3,1] = expand_dims[dimensions=(2,)] a",
    outs: "b",
    message: "expand_dims: dimensions (2,) out of range: the valid axes of the result (rank 2) are 0..1 (operands: f32[3])",
  },
  {
    param: "reduce_sum.axes",
    invars: "a:f32[2,3]",
    eqn: "b:f32[2] = reduce_sum[axes=(2,)] a",
    outs: "b",
    message: "reduce_sum: axes (2,) out of range: the valid axes of the operand (rank 2) are 0..1 (operands: f32[2,3])",
  },
  {
    param: "reduce_max.axes",
    invars: "a:f32[]",
    eqn: "b:f32[] = reduce_max[axes=(0,)] a",
    outs: "b",
    message: "reduce_max: axes (0,) out of range: the valid axes of the operand (rank 0) are none (operands: f32[])",
  },
  {
    param: "reduce_min.axes",
    invars: "a:f32[2,3]",
    eqn: "b:f32[3] = reduce_min[axes=(0, 0)] a",
    outs: "b",
    message: "reduce_min: axes (0, 0) repeats axis 0; each axis may appear once (operands: f32[2,3])",
  },
  {
    param: "argmax.axes",
    invars: "a:f32[2,3]",
    eqn: "b:i32[] = argmax[axes=(0, 1) index_dtype=int32] a",
    outs: "b",
    message: "argmax: axes must hold exactly one axis, got (0, 1) (operands: f32[2,3])",
  },
  {
    param: "argmax.axes",
    invars: "a:f32[2,3]",
    eqn: "b:i32[2] = argmax[axes=(2,) index_dtype=int32] a",
    outs: "b",
    message: "argmax: axes (2,) out of range: the valid axes of the operand (rank 2) are 0..1 (operands: f32[2,3])",
  },
  {
    param: "dot_general.dimension_numbers",
    invars: "a:f32[2,3] b:f32[3,4]",
    eqn: "c:f32[2,4] = dot_general[dimension_numbers=(((2,), (0,)), ((), ()))] a b",
    outs: "c",
    message:
      "dot_general: dimension_numbers: lhs contracting + batch dimensions (2,) out of range: the valid axes of the lhs (rank 2) are 0..1 (operands: f32[2,3], f32[3,4])",
  },
  {
    param: "dot_general.dimension_numbers",
    invars: "a:f32[3,3] b:f32[3,3]",
    eqn: "c:f32[3] = dot_general[dimension_numbers=(((0,), (0,)), ((0,), (1,)))] a b",
    outs: "c",
    message: "dot_general: dimension_numbers: lhs contracting + batch dimensions (0, 0) repeats axis 0; each axis may appear once (operands: f32[3,3], f32[3,3])",
  },
  {
    param: "dot_general.dimension_numbers",
    invars: "a:f32[2,3] b:f32[3,4]",
    eqn: "c:f32[2,4] = dot_general[dimension_numbers=(((1,), ()), ((), ()))] a b",
    outs: "c",
    message: "dot_general: dimension_numbers: lhs and rhs contracting dimensions (1,), () must have equal length (operands: f32[2,3], f32[3,4])",
  },
  {
    param: "iota.dimension",
    invars: "",
    eqn: "a:i32[4] = iota[dimension=1 dtype=int32 shape=(4,)]",
    outs: "a",
    message: "iota: dimension 1 out of range: the valid axes of shape (4,) are only 0",
  },
  {
    param: "concatenate.dimension",
    invars: "a:f32[2] b:f32[3]",
    eqn: "c:f32[5] = concatenate[dimension=1] a b",
    outs: "c",
    message: "concatenate: dimension 1 out of range: the valid axes of the operands (rank 1) are only 0 (operands: f32[2], f32[3])",
  },
  {
    param: "slice.start_indices",
    invars: "a:f32[10]",
    eqn: "b:f32[0] = slice[limit_indices=(2,) start_indices=(3,) strides=None] a",
    outs: "b",
    message: "slice: start_indices/limit_indices on axis 0: need 0 <= start (3) <= limit (2) <= size (10) (operands: f32[10])",
  },
  {
    param: "slice.limit_indices",
    invars: "a:f32[10]",
    eqn: "b:f32[11] = slice[limit_indices=(11,) start_indices=(0,) strides=None] a",
    outs: "b",
    message: "slice: start_indices/limit_indices on axis 0: need 0 <= start (0) <= limit (11) <= size (10) (operands: f32[10])",
  },
  {
    param: "slice.strides",
    invars: "a:f32[10]",
    eqn: "b:f32[2] = slice[limit_indices=(2,) start_indices=(0,) strides=(1, 1)] a",
    outs: "b",
    message: "slice: start_indices (0,), limit_indices (2,) and strides (1, 1) need one entry per operand axis (1) (operands: f32[10])",
  },
  {
    param: "dynamic_slice.slice_sizes",
    invars: "a:f32[3] b:i32[]",
    eqn: "c:f32[5] = dynamic_slice[slice_sizes=(5,)] a b",
    outs: "c",
    message: "dynamic_slice: slice_sizes (5,): size 5 on axis 0 must be in 0..3 (the operand's size) (operands: f32[3], i32[])",
  },
  {
    param: "dynamic_slice.slice_sizes",
    invars: "a:f32[3] b:i32[]",
    eqn: "c:f32[2,2] = dynamic_slice[slice_sizes=(2, 2)] a b",
    outs: "c",
    message: "dynamic_slice: slice_sizes (2, 2) must have one entry per operand axis (1) (operands: f32[3], i32[])",
  },
];

/** Counts of while and scan larger than the operand list (multi-line: they carry sub-jaxprs). */
const COUNT_CASES: readonly TextCase[] = [
  {
    name: "while.cond_nconsts + body_nconsts beyond the operands",
    at: "2:5",
    text: `{ lambda ; a:i32[]. let
    b:i32[] = while[
      body_jaxpr={ lambda ; c:i32[]. let d:i32[] = add c 1:i32[] in (d,) }
      body_nconsts=1
      cond_jaxpr={ lambda ; e:i32[]. let f:bool[] = lt e 3:i32[] in (f,) }
      cond_nconsts=1
    ] a
  in (b,) }`,
    message: "verify: equation 0 `b:i32[] = while[ …]` in the top-level jaxpr: while: cond_nconsts + body_nconsts = 2 exceeds the 1 operands (operands: i32[])",
  },
  {
    name: "scan.num_consts + num_carry beyond the operands",
    at: "2:5",
    text: `{ lambda ; a:f32[]. let
    b:f32[] = scan[
      jaxpr={ lambda ; c:f32[]. let  in (c,) }
      length=2
      num_carry=1
      num_consts=1
      reverse=False
    ] a
  in (b,) }`,
    message: "verify: equation 0 `b:f32[] = scan[ …]` in the top-level jaxpr: scan: num_consts + num_carry = 2 exceeds the 1 operands (operands: f32[])",
  },
];

describe("verify rejects params out of range for the operands", () => {
  for (const c of RANGE_CASES) {
    it(`${c.param}: ${c.eqn}`, () => {
      const text = `{ lambda ; ${c.invars}. let ${c.eqn} in (${c.outs},) }`;
      const message = `verify: equation 0 \`${c.eqn}\` in the top-level jaxpr: ${c.message}`;
      expect(verifyError(parse(text, { verify: false }))).toBe(message);
      const e = errorOf(() => parse(text));
      expect(e).toBeInstanceOf(VerifyError);
      expect((e as VerifyError).reason).toBe(message);
    });
  }

  for (const c of COUNT_CASES) {
    it(c.name, () => {
      expect(verifyError(parse(c.text, { verify: false }))).toBe(c.message);
      expect(errorOf(() => parse(c.text)).message).toBe(`${c.at}: ${c.message}`);
    });
  }

  it("a negative cond_nconsts built in code (the case where licm then produced a free variable)", () => {
    // With cond_nconsts=-1 and body_nconsts=1 the old operand split gave cond (a, a, b) and body (a, b): it type-checked.
    const valid = parse(`{ lambda ; a:i32[] b:f32[]. let
    c:i32[] d:f32[] = while[
      body_jaxpr={ lambda ; e:i32[] f:f32[]. let g:i32[] = add e 1:i32[] in (g, f) }
      body_nconsts=0
      cond_jaxpr={ lambda ; h:i32[] i:i32[] j:f32[]. let k:bool[] = lt i h in (k,) }
      cond_nconsts=1
    ] a a b
  in (c, d) }`);
    const w = valid.eqns[0]! as Eqn<"while">;
    const bad = makeEqn("while", { ...w.params, cond_nconsts: -1, body_nconsts: 1 }, [w.inputs[1]!, w.inputs[2]!], w.outputs);
    expect(verifyError({ ...valid, eqns: [bad] })).toBe(
      "verify: equation 0 `c:i32[] d:f32[] = while[ …]` in the top-level jaxpr: while: cond_nconsts must be a non-negative integer (0, 1, 2, …), got -1",
    );
  });
});

describe("verify rejects ill-scoped jaxprs built in code", () => {
  it("use before definition", () => {
    const a = newVar(f32());
    const x = newVar(f32());
    const y = newVar(f32());
    const j = newJaxpr({ invars: [a], eqns: [makeEqn("neg", {}, [y], [x]), makeEqn("neg", {}, [a], [y])], outvars: [x] });
    expect(verifyError(j)).toBe("verify: equation 0 `b:f32[] = neg c` in the top-level jaxpr: operand 0 'c' is used before its definition");
  });

  it("redefinition in the same scope", () => {
    const a = newVar(f32());
    const b = newVar(f32());
    const j = newJaxpr({ invars: [a], eqns: [makeEqn("neg", {}, [a], [b]), makeEqn("sin", {}, [a], [b])], outvars: [b] });
    expect(verifyError(j)).toBe("verify: equation 1 `b:f32[] = sin a` in the top-level jaxpr: output 0 'b' is already defined in this scope");
  });

  it("a sub-jaxpr reading a variable of the enclosing jaxpr", () => {
    const a = newVar(f32());
    const x = newVar(f32());
    const y = newVar(f32());
    const inner = newJaxpr({ invars: [x], eqns: [makeEqn("add", {}, [x, a], [y])], outvars: [y] });
    const b = newVar(f32());
    const j = newJaxpr({ invars: [a], eqns: [makeEqn("pjit", { jaxpr: inner, name: "f" }, [a], [b])], outvars: [b] });
    expect(verifyError(j)).toBe(
      "verify: equation 0 `d:f32[] = add c a` in jaxpr of equation 0 (pjit): operand 1 'a' is defined in another jaxpr scope (sub-jaxprs are closed: pass it as an input)",
    );
  });

  it("a variable bound in two scopes", () => {
    const a = newVar(f32());
    const inner = newJaxpr({ invars: [a], eqns: [], outvars: [a] });
    const b = newVar(f32());
    const j = newJaxpr({ invars: [a], eqns: [makeEqn("pjit", { jaxpr: inner, name: "f" }, [a], [b])], outvars: [b] });
    expect(verifyError(j)).toMatch(/^verify: in jaxpr of equation 0 \(pjit\): invar 0 'a' is also bound in another jaxpr/);
  });

  it("the same sub-jaxpr object used for two cond branches", () => {
    const v = newVar(f32());
    const w = newVar(f32());
    const branch = newJaxpr({ invars: [v], eqns: [makeEqn("neg", {}, [v], [w])], outvars: [w] });
    const i = newVar(aval("int32", []));
    const x = newVar(f32());
    const y = newVar(f32());
    const j = newJaxpr({ invars: [i, x], eqns: [makeEqn("cond", { branches: [branch, branch] }, [i, x], [y])], outvars: [y] });
    expect(verifyError(j)).toMatch(/^verify: in branches\[1\] of equation 0 \(cond\): invar 0 'd' is also bound in another jaxpr \(each variable, and each sub-jaxpr object, may be bound only once/);
  });

  it("a free variable in the outputs", () => {
    const a = newVar(f32());
    const ghost = newVar(f32());
    const j = newJaxpr({ invars: [a], eqns: [], outvars: [ghost] });
    expect(verifyError(j)).toBe(`verify: in the top-level jaxpr: output 0 '_v${ghost.id}' is a free variable (bound nowhere)`);
  });

  it("a float literal that is not rounded to float32", () => {
    const a = newVar(f32());
    const b = newVar(f32());
    const j = newJaxpr({ invars: [a], eqns: [makeEqn("add", {}, [a, lit(0.1, f32())], [b])], outvars: [b] });
    expect(verifyError(j)).toBe(
      "verify: equation 0 `b:f32[] = add a 0.1:f32[]` in the top-level jaxpr: operand 1: literal 0.1:f32[] is not a float32 value (round it with castScalar)",
    );
    // The rounded value is fine.
    verify(newJaxpr({ invars: [a], eqns: [makeEqn("add", {}, [a, lit(castScalar("float32", 0.1), f32())], [b])], outvars: [b] }));
  });

  it("a literal of rank 1 and an int literal out of range", () => {
    const a = newVar(f32(2));
    const b = newVar(f32(2));
    const j = newJaxpr({ invars: [a], eqns: [makeEqn("add", {}, [a, lit(1, f32(2))], [b])], outvars: [b] });
    expect(verifyError(j)).toBe("verify: equation 0 `b:f32[2] = add a 1.0:f32[2]` in the top-level jaxpr: operand 1: literal 1:f32[2] must be rank 0");
    const j2 = newJaxpr({ invars: [], eqns: [], outvars: [lit(2 ** 31, aval("int32", []))] });
    expect(verifyError(j2)).toBe("verify: in the top-level jaxpr: output 0: literal 2147483648:i32[] is not an int32 value");
  });

  it("params that do not match the schema", () => {
    const a = newVar(f32(3));
    const b = newVar(f32());
    const bad = makeEqn("reduce_sum", { axes: 0 as unknown as number[] }, [a], [b]);
    expect(verifyError(newJaxpr({ invars: [a], eqns: [bad], outvars: [b] }))).toBe(
      "verify: equation 0 `b:f32[] = reduce_sum[axes=0] a` in the top-level jaxpr: reduce_sum: axes must be a tuple of non-negative integers, got 0",
    );
    const extra = makeEqn("sin", { fast: true } as unknown as Record<string, never>, [a], [newVar(f32(3))]);
    expect(verifyError(newJaxpr({ invars: [a], eqns: [extra], outvars: [] }))).toBe(
      "verify: equation 0 `_:f32[3] = sin[fast=True] a` in the top-level jaxpr: sin has no parameter 'fast' (it takes no parameters)",
    );
  });

  it("an unknown primitive and a literal used as a binder", () => {
    const a = newVar(f32());
    const unknown = { prim: "frobnicate" as Prim, params: {}, inputs: [a], outputs: [newVar(f32())] } as Eqn;
    expect(verifyError(newJaxpr({ invars: [a], eqns: [unknown], outvars: [] }))).toBe(
      "verify: equation 0 in the top-level jaxpr: unknown primitive 'frobnicate'",
    );
    const litOut = makeEqn("neg", {}, [a], [lit(1, f32()) as never]);
    expect(verifyError(newJaxpr({ invars: [a], eqns: [litOut], outvars: [] }))).toMatch(/in the top-level jaxpr: output 0 is not a variable$/);
  });
});

describe("verify accepts", () => {
  it("a well-typed jaxpr with every kind of scope", () => {
    verify(
      parse(`{ lambda a:f32[3]; b:i32[]. let
    c:f32[3] = pjit[
      jaxpr={ lambda ; d:f32[3]. let e:f32[3] = sin d in (e,) }
      name=f
    ] a
    f:f32[3] = cond[
      branches=(
        { lambda ; g:f32[3]. let  in (g,) }
        { lambda ; h:f32[3]. let i:f32[3] = neg h in (i,) }
      )
    ] b c
  in (f, 1.0:f32[]) }`),
    );
  });
});

describe("verifyClosed", () => {
  const j = parse("{ lambda a:f32[2] b:i32[]; c:f32[2]. let d:f32[2] = add a c in (d, b) }");

  it("accepts consts matching the constvars", () => {
    verifyClosed({ jaxpr: j, consts: [arrayValue("float32", [2], new Float32Array([1, 2])), scalarValue("int32", 3)] });
  });

  it("rejects a wrong const count", () => {
    expect(() => verifyClosed({ jaxpr: j, consts: [arrayValue("float32", [2])] })).toThrow(
      new VerifyError("verify: closed jaxpr has 2 constvars but 1 consts"),
    );
  });

  it("rejects a const of the wrong type", () => {
    expect(() => verifyClosed({ jaxpr: j, consts: [arrayValue("float32", [3]), scalarValue("int32", 3)] })).toThrow(
      "verify: const 0 is f32[3] but constvar 'a' is f32[2]",
    );
    expect(() => verifyClosed({ jaxpr: j, consts: [arrayValue("float32", [2]), scalarValue("float32", 3)] })).toThrow(
      "verify: const 1 is f32[] but constvar 'b' is i32[]",
    );
  });

  it("rejects storage that does not match the dtype", () => {
    const wrong = { dtype: "float32" as const, shape: [2], data: new Int32Array(2) };
    expect(() => verifyClosed({ jaxpr: j, consts: [wrong, scalarValue("int32", 3)] })).toThrow(
      "verify: const 0 (f32[2]) holds 2 elements in a Int32Array, expected 2 in a Float32Array",
    );
  });

  it("also verifies the jaxpr", () => {
    const bad = parse("{ lambda a:f32[2]; b:f32[3]. let c:f32[2] = add a b in (c,) }", { verify: false });
    expect(() => verifyClosed({ jaxpr: bad, consts: [arrayValue("float32", [2])] })).toThrow(
      "verify: equation 0 `c:f32[2] = add a b` in the top-level jaxpr: add: operand shapes must be equal (or one a scalar) (operands: f32[2], f32[3])",
    );
  });
});
