// One valid and one invalid application of every primitive's shape rule. The
// table is a mapped type over the non-elementwise primitives, so a new one
// fails tsc here until it has cases. Expected avals and messages are derived
// by hand from the rules' definitions (lax semantics), not printed by the code
// under test. Elementwise primitives are checked against numpy instead: the
// dtypes numpy applies each to (test/fixtures/primitives.json) must be
// accepted with numpy's result type, and every other dtype rejected.
import { describe, expect, it } from "vitest";
import { decodeArray, loadPrimitiveCases } from "../fixtures/primitives.js";
import {
  BINARY_PRIMS,
  type BinaryPrim,
  COMPARE_PRIMS,
  type ComparePrim,
  DTYPES,
  UNARY_PRIMS,
  type UnaryPrim,
  type Aval,
  type Jaxpr,
  type Params,
  type Prim,
  PRIMS,
  ShapeError,
  abstractEval,
  avalStr,
  dtypeFromShort,
  tapeOf,
  parse,
} from "../../src/ir/index.js";

/** `f32[3,4]` -> aval (a test-local reader, independent of the parser). */
function A(text: string): Aval {
  const tape = /^tape\((.*)\)$/.exec(text);
  if (tape) return tapeOf(A(tape[1]!));
  const m = /^(f32|i32|bool)\[([0-9,]*)\]$/.exec(text);
  if (!m) throw new Error(`bad aval ${text}`);
  return { dtype: dtypeFromShort(m[1]!)!, shape: m[2] ? m[2].split(",").map(Number) : [] };
}

interface Case<P extends Prim> {
  readonly inputs: readonly string[];
  readonly params: Params[P];
}
interface Rule<P extends Prim> {
  readonly ok: Case<P> & { readonly out: readonly string[] };
  readonly bad: Case<P> & { readonly error: string };
}

const J = (text: string): Jaxpr => parse(text);
const none = {} as Record<string, never>;

/** `prim: expects a float32 operand` cases for the float-only unary ops. */
function floatUnary<P extends Prim>(prim: P, params: Params[P]): Rule<P> {
  return {
    ok: { inputs: ["f32[2,3]"], params, out: ["f32[2,3]"] },
    bad: { inputs: ["i32[2]"], params, error: `${prim}: expects a float32 operand (operands: i32[2])` },
  };
}

const whileCond = J("{ lambda ; a:i32[] b:f32[3]. let c:bool[] = lt a 10:i32[] in (c,) }");
const whileBody = J("{ lambda ; a:f32[3] b:i32[] c:f32[3]. let d:i32[] = add b 1:i32[] e:f32[3] = mul c a in (d, e) }");
const recordCond = J("{ lambda ; a:i32[] b:f32[3]. let c:bool[] = lt a 10:i32[] in (c,) }");
const recordBody = J("{ lambda ; a:f32[3] b:i32[] c:f32[3]. let d:i32[] = add b 1:i32[] e:f32[3] = mul c a in (d, e, c) }");
const replayBody = J("{ lambda ; act:bool[] r:f32[3] a:f32[] z:f32[3]. let u:f32[3] = mul z r v:f32[3] = mul u a in (v,) }");
const intCond = J("{ lambda ; a:i32[] b:f32[3]. let  in (a,) }");
const branchF = J("{ lambda ; a:f32[]. let b:f32[] = neg a in (b,) }");
const branchG = J("{ lambda ; a:f32[]. let b:f32[] = sin a in (b,) }");
const scanBody = J("{ lambda ; a:f32[] b:f32[3]. let c:f32[] = reduce_sum[axes=(0,)] b d:f32[] = add a c in (d, c) }");
const pjitBody = J("{ lambda ; a:f32[2] b:f32[2]. let c:f32[2] = add a b in (c,) }");
const withConsts = J("{ lambda a:f32[]; b:f32[]. let  in (b,) }");
// custom calls: one const k and one arg x; f(x) = k·x, its jvp k·t, fwd saves k, bwd gives k·ct.
const customCall = J("{ lambda ; k:f32[] x:f32[3]. let y:f32[3] = mul k x in (y,) }");
const customJvpRule = J("{ lambda ; k:f32[] x:f32[3] t:f32[3]. let y:f32[3] = mul k x u:f32[3] = mul k t in (y, u) }");
const customFwd = J("{ lambda ; k:f32[] x:f32[3]. let y:f32[3] = mul k x in (y, k) }");
const customBwd = J("{ lambda ; k:f32[] r:f32[] c:f32[3]. let d:f32[3] = mul r c in (d,) }");

type Elementwise = UnaryPrim | BinaryPrim | ComparePrim;
const ELEMENTWISE: readonly Elementwise[] = [...UNARY_PRIMS, ...BINARY_PRIMS, ...COMPARE_PRIMS];

/** Hand-written cases: required for every primitive but the elementwise ones (which numpy's fixtures cover). */
const RULES: { readonly [P in Exclude<Prim, Elementwise>]: Rule<P> } & { readonly [P in Elementwise]?: Rule<P> } = {
  neg: {
    ok: { inputs: ["i32[4]"], params: none, out: ["i32[4]"] },
    bad: { inputs: ["bool[3]"], params: none, error: "neg: expects float32 or int32 operands (operands: bool[3])" },
  },
  exp: floatUnary("exp", none),
  log: {
    ok: { inputs: ["f32[]"], params: none, out: ["f32[]"] },
    bad: { inputs: ["f32[]", "f32[]"], params: none, error: "log: expects 1 operand, got 2 (operands: f32[], f32[])" },
  },
  sin: {
    ok: { inputs: ["f32[5]"], params: none, out: ["f32[5]"] },
    bad: { inputs: ["bool[]"], params: none, error: "sin: expects a float32 operand (operands: bool[])" },
  },
  cos: floatUnary("cos", none),
  tanh: floatUnary("tanh", none),
  logistic: floatUnary("logistic", none),
  sqrt: floatUnary("sqrt", none),
  rsqrt: floatUnary("rsqrt", none),
  abs: {
    ok: { inputs: ["i32[4]"], params: none, out: ["i32[4]"] },
    bad: { inputs: ["bool[4]"], params: none, error: "abs: expects float32 or int32 operands (operands: bool[4])" },
  },
  sign: {
    ok: { inputs: ["f32[]"], params: none, out: ["f32[]"] },
    bad: { inputs: ["bool[]"], params: none, error: "sign: expects float32 or int32 operands (operands: bool[])" },
  },
  floor: floatUnary("floor", none),
  ceil: floatUnary("ceil", none),
  round: {
    ok: { inputs: ["f32[3]"], params: { rounding_method: 1 }, out: ["f32[3]"] },
    bad: { inputs: ["f32[3]"], params: { rounding_method: 2 }, error: "round: rounding_method must be 0 or 1, got 2 (operands: f32[3])" },
  },
  not: {
    ok: { inputs: ["bool[2]"], params: none, out: ["bool[2]"] },
    bad: { inputs: ["f32[2]"], params: none, error: "not: expects int32 or bool operands (operands: f32[2])" },
  },
  add: {
    ok: { inputs: ["f32[3]", "f32[]"], params: none, out: ["f32[3]"] },
    bad: { inputs: ["f32[3]", "f32[4]"], params: none, error: "add: operand shapes must be equal (or one a scalar) (operands: f32[3], f32[4])" },
  },
  sub: {
    ok: { inputs: ["i32[]", "i32[2]"], params: none, out: ["i32[2]"] },
    bad: { inputs: ["bool[]", "bool[]"], params: none, error: "sub: expects float32 or int32 operands (operands: bool[], bool[])" },
  },
  mul: {
    ok: { inputs: ["f32[2,2]", "f32[2,2]"], params: none, out: ["f32[2,2]"] },
    bad: { inputs: ["f32[]", "i32[]"], params: none, error: "mul: operand dtypes must be equal (operands: f32[], i32[])" },
  },
  div: {
    ok: { inputs: ["i32[3]", "i32[3]"], params: none, out: ["i32[3]"] },
    bad: { inputs: ["f32[]"], params: none, error: "div: expects 2 operands, got 1 (operands: f32[])" },
  },
  rem: {
    ok: { inputs: ["f32[]", "f32[]"], params: none, out: ["f32[]"] },
    bad: { inputs: ["f32[2,3]", "f32[3,2]"], params: none, error: "rem: operand shapes must be equal (or one a scalar) (operands: f32[2,3], f32[3,2])" },
  },
  pow: {
    ok: { inputs: ["f32[4]", "f32[]"], params: none, out: ["f32[4]"] },
    bad: { inputs: ["bool[]", "bool[]"], params: none, error: "pow: expects float32 or int32 operands (operands: bool[], bool[])" },
  },
  max: {
    ok: { inputs: ["bool[2]", "bool[2]"], params: none, out: ["bool[2]"] },
    bad: { inputs: ["f32[2]", "bool[2]"], params: none, error: "max: operand dtypes must be equal (operands: f32[2], bool[2])" },
  },
  min: {
    ok: { inputs: ["i32[]", "i32[]"], params: none, out: ["i32[]"] },
    bad: { inputs: ["i32[2]", "i32[3]"], params: none, error: "min: operand shapes must be equal (or one a scalar) (operands: i32[2], i32[3])" },
  },
  and: {
    ok: { inputs: ["i32[3]", "i32[3]"], params: none, out: ["i32[3]"] },
    bad: { inputs: ["f32[]", "f32[]"], params: none, error: "and: expects int32 or bool operands (operands: f32[], f32[])" },
  },
  or: {
    ok: { inputs: ["bool[]", "bool[5]"], params: none, out: ["bool[5]"] },
    bad: { inputs: ["bool[2]", "bool[5]"], params: none, error: "or: operand shapes must be equal (or one a scalar) (operands: bool[2], bool[5])" },
  },
  lt: {
    ok: { inputs: ["f32[3]", "f32[3]"], params: none, out: ["bool[3]"] },
    bad: { inputs: ["f32[3]", "i32[3]"], params: none, error: "lt: operand dtypes must be equal (operands: f32[3], i32[3])" },
  },
  le: {
    ok: { inputs: ["i32[]", "i32[2,2]"], params: none, out: ["bool[2,2]"] },
    bad: { inputs: ["i32[2]"], params: none, error: "le: expects 2 operands, got 1 (operands: i32[2])" },
  },
  gt: {
    ok: { inputs: ["bool[2]", "bool[2]"], params: none, out: ["bool[2]"] },
    bad: { inputs: ["f32[1]", "f32[2]"], params: none, error: "gt: operand shapes must be equal (or one a scalar) (operands: f32[1], f32[2])" },
  },
  ge: {
    ok: { inputs: ["f32[]", "f32[]"], params: none, out: ["bool[]"] },
    bad: { inputs: ["bool[]", "i32[]"], params: none, error: "ge: operand dtypes must be equal (operands: bool[], i32[])" },
  },
  eq: {
    ok: { inputs: ["i32[4]", "i32[]"], params: none, out: ["bool[4]"] },
    bad: { inputs: ["i32[4]", "i32[]", "i32[]"], params: none, error: "eq: expects 2 operands, got 3 (operands: i32[4], i32[], i32[])" },
  },
  ne: {
    ok: { inputs: ["f32[2]", "f32[2]"], params: none, out: ["bool[2]"] },
    bad: { inputs: ["f32[2]", "bool[2]"], params: none, error: "ne: operand dtypes must be equal (operands: f32[2], bool[2])" },
  },
  select_n: {
    ok: { inputs: ["bool[3]", "f32[3]", "f32[3]"], params: none, out: ["f32[3]"] },
    bad: {
      inputs: ["bool[]", "f32[]", "f32[]", "f32[]"],
      params: none,
      error: "select_n: a bool selector allows at most 2 cases (operands: bool[], f32[], f32[], f32[])",
    },
  },
  convert_element_type: {
    ok: { inputs: ["f32[2]"], params: { new_dtype: "int32" }, out: ["i32[2]"] },
    bad: { inputs: ["f32[]", "f32[]"], params: { new_dtype: "bool" }, error: "convert_element_type: expects 1 operand, got 2 (operands: f32[], f32[])" },
  },
  broadcast_in_dim: {
    ok: { inputs: ["f32[3]"], params: { shape: [2, 3], broadcast_dimensions: [1] }, out: ["f32[2,3]"] },
    bad: {
      inputs: ["f32[1,1]"],
      params: { shape: [2, 2], broadcast_dimensions: [1, 0] },
      error: "broadcast_in_dim: broadcast_dimensions (1, 0) must be strictly increasing (operands: f32[1,1])",
    },
  },
  reshape: {
    ok: { inputs: ["f32[2,3]"], params: { new_sizes: [3, 2] }, out: ["f32[3,2]"] },
    bad: { inputs: ["f32[2,3]"], params: { new_sizes: [4] }, error: "reshape: new_sizes (4,) hold 4 elements but the operand holds 6; they must be equal (operands: f32[2,3])" },
  },
  transpose: {
    ok: { inputs: ["f32[2,3,4]"], params: { permutation: [2, 0, 1] }, out: ["f32[4,2,3]"] },
    bad: { inputs: ["f32[2,3]"], params: { permutation: [0, 0] }, error: "transpose: permutation (0, 0) must be a permutation of (0, 1), one entry per operand axis (operands: f32[2,3])" },
  },
  squeeze: {
    ok: { inputs: ["f32[1,3,1]"], params: { dimensions: [0, 2] }, out: ["f32[3]"] },
    bad: { inputs: ["f32[1,3]"], params: { dimensions: [1] }, error: "squeeze: dimensions (1,): axis 1 has size 3, not 1 (operands: f32[1,3])" },
  },
  expand_dims: {
    ok: { inputs: ["f32[3]"], params: { dimensions: [0, 2] }, out: ["f32[1,3,1]"] },
    bad: { inputs: ["f32[3]"], params: { dimensions: [3] }, error: "expand_dims: dimensions (3,) out of range: the valid axes of the result (rank 2) are 0..1 (operands: f32[3])" },
  },
  reduce_sum: {
    ok: { inputs: ["f32[2,3]"], params: { axes: [0] }, out: ["f32[3]"] },
    bad: { inputs: ["bool[3]"], params: { axes: [0] }, error: "reduce_sum: expects float32 or int32 operands (operands: bool[3])" },
  },
  reduce_max: {
    ok: { inputs: ["bool[2,3]"], params: { axes: [1] }, out: ["bool[2]"] },
    bad: { inputs: ["f32[2,3]"], params: { axes: [2] }, error: "reduce_max: axes (2,) out of range: the valid axes of the operand (rank 2) are 0..1 (operands: f32[2,3])" },
  },
  reduce_min: {
    ok: { inputs: ["i32[4]"], params: { axes: [] }, out: ["i32[4]"] },
    bad: { inputs: ["f32[2,3]"], params: { axes: [0, 0] }, error: "reduce_min: axes (0, 0) repeats axis 0; each axis may appear once (operands: f32[2,3])" },
  },
  argmax: {
    ok: { inputs: ["f32[2,3]"], params: { axes: [1], index_dtype: "int32" }, out: ["i32[2]"] },
    bad: { inputs: ["f32[2,3]"], params: { axes: [0, 1], index_dtype: "int32" }, error: "argmax: axes must hold exactly one axis, got (0, 1) (operands: f32[2,3])" },
  },
  dot_general: {
    ok: { inputs: ["f32[2,3]", "f32[3,4]"], params: { dimension_numbers: [[[1], [0]], [[], []]] }, out: ["f32[2,4]"] },
    bad: {
      inputs: ["bool[2,3]", "bool[3,4]"],
      params: { dimension_numbers: [[[1], [0]], [[], []]] },
      error: "dot_general: expects float32 or int32 operands (operands: bool[2,3], bool[3,4])",
    },
  },
  iota: {
    ok: { inputs: [], params: { dtype: "int32", shape: [2, 3], dimension: 1 }, out: ["i32[2,3]"] },
    bad: { inputs: [], params: { dtype: "bool", shape: [2], dimension: 0 }, error: "iota: dtype must be float32 or int32" },
  },
  concatenate: {
    ok: { inputs: ["f32[2,3]", "f32[1,3]"], params: { dimension: 0 }, out: ["f32[3,3]"] },
    bad: {
      inputs: ["f32[2,3]", "f32[2,4]"],
      params: { dimension: 0 },
      error: "concatenate: operand shapes must agree except on dimension 0 (operands: f32[2,3], f32[2,4])",
    },
  },
  slice: {
    ok: { inputs: ["f32[10]"], params: { start_indices: [2], limit_indices: [8], strides: [3] }, out: ["f32[2]"] },
    bad: {
      inputs: ["f32[10]"],
      params: { start_indices: [0], limit_indices: [11], strides: null },
      error: "slice: start_indices/limit_indices on axis 0: need 0 <= start (0) <= limit (11) <= size (10) (operands: f32[10])",
    },
  },
  dynamic_slice: {
    ok: { inputs: ["f32[5,6]", "i32[]", "i32[]"], params: { slice_sizes: [2, 3] }, out: ["f32[2,3]"] },
    bad: {
      inputs: ["f32[5,6]", "f32[]", "i32[]"],
      params: { slice_sizes: [2, 3] },
      error: "dynamic_slice: start indices must be i32[] scalars (operands: f32[5,6], f32[], i32[])",
    },
  },
  dynamic_update_slice: {
    ok: { inputs: ["f32[5]", "f32[2]", "i32[]"], params: none, out: ["f32[5]"] },
    bad: {
      inputs: ["f32[2]", "f32[3]", "i32[]"],
      params: none,
      error: "dynamic_update_slice: update is larger than the operand on axis 0 (operands: f32[2], f32[3], i32[])",
    },
  },
  while: {
    ok: {
      inputs: ["f32[3]", "i32[]", "f32[3]"],
      params: { cond_jaxpr: whileCond, body_jaxpr: whileBody, cond_nconsts: 0, body_nconsts: 1 },
      out: ["i32[]", "f32[3]"],
    },
    bad: {
      inputs: ["f32[3]", "i32[]", "f32[3]"],
      params: { cond_jaxpr: intCond, body_jaxpr: whileBody, cond_nconsts: 0, body_nconsts: 1 },
      error: "while: cond_jaxpr must return a bool, returns i32[]",
    },
  },
  while_record: {
    ok: {
      inputs: ["f32[3]", "i32[]", "f32[3]"],
      params: { cond_jaxpr: recordCond, body_jaxpr: recordBody, cond_nconsts: 0, body_nconsts: 1, num_records: 1 },
      out: ["i32[]", "f32[3]", "tape(f32[3])"],
    },
    bad: {
      inputs: ["f32[3]", "i32[]", "f32[3]"],
      params: { cond_jaxpr: recordCond, body_jaxpr: recordBody, cond_nconsts: 0, body_nconsts: 1, num_records: 2 },
      error: "while_record: body_jaxpr returns 3 values, but the carry has 2 and num_records=2",
    },
  },
  replay: {
    ok: { inputs: ["i32[]", "tape(f32[3])", "f32[]", "f32[3]"], params: { jaxpr: replayBody, reverse: true, num_tapes: 1, num_consts: 1, num_records: 0 }, out: ["f32[3]"] },
    bad: {
      inputs: ["i32[]", "f32[3]", "f32[]", "f32[3]"],
      params: { jaxpr: replayBody, reverse: true, num_tapes: 1, num_consts: 1, num_records: 0 },
      error: "replay: operand after steps must be tapes (num_tapes=1), got f32[3]",
    },
  },
  check: {
    ok: { inputs: ["bool[4]", "f32[4,3]", "i32[]"], params: { message: "too many steps" }, out: ["f32[4,3]", "i32[]"] },
    bad: { inputs: ["i32[4]", "f32[4,3]"], params: { message: "m" }, error: "check: the predicate must be bool, got i32[4] (operands: i32[4], f32[4,3])" },
  },
  tape_reverse: {
    ok: { inputs: ["tape(tape(f32[2]))"], params: none, out: ["tape(tape(f32[2]))"] },
    bad: { inputs: ["f32[2]"], params: none, error: "tape_reverse: expects one tape (operands: f32[2])" },
  },
  tape_read: {
    ok: { inputs: ["tape(f32[2,3])", "i32[]"], params: none, out: ["f32[2,3]"] },
    bad: { inputs: ["f32[2,3]", "i32[]"], params: none, error: "tape_read: first operand must be a tape, got f32[2,3] (operands: f32[2,3], i32[])" },
  },
  cond: {
    ok: { inputs: ["i32[]", "f32[]"], params: { branches: [branchF, branchG] }, out: ["f32[]"] },
    bad: { inputs: ["i32[]", "i32[]"], params: { branches: [branchF, branchG] }, error: "cond: branch 0 takes (f32[]) but the operands are (i32[])" },
  },
  scan: {
    ok: {
      inputs: ["f32[]", "f32[4,3]"],
      params: { jaxpr: scanBody, length: 4, reverse: false, num_consts: 0, num_carry: 1 },
      out: ["f32[]", "f32[4]"],
    },
    bad: {
      inputs: ["f32[]", "f32[3]"],
      params: { jaxpr: scanBody, length: 3, reverse: false, num_consts: 1, num_carry: 2 },
      error: "scan: num_consts + num_carry = 3 exceeds the 2 operands (operands: f32[], f32[3])",
    },
  },
  pjit: {
    ok: { inputs: ["f32[2]", "f32[2]"], params: { jaxpr: pjitBody, name: "f" }, out: ["f32[2]"] },
    bad: { inputs: ["f32[]"], params: { jaxpr: withConsts, name: "g" }, error: "pjit: jaxpr must not have constvars" },
  },
  checkpoint: {
    ok: { inputs: ["f32[2]", "f32[2]"], params: { jaxpr: pjitBody, name: "f" }, out: ["f32[2]"] },
    bad: { inputs: ["f32[2]", "f32[3]"], params: { jaxpr: pjitBody, name: "layer" }, error: "checkpoint: jaxpr of 'layer' takes (f32[2], f32[2]) but is given (f32[2], f32[3])" },
  },
  custom_jvp_call: {
    ok: { inputs: ["f32[]", "f32[3]"], params: { call_jaxpr: customCall, jvp_jaxpr: customJvpRule, num_consts: 1, name: "f" }, out: ["f32[3]"] },
    // The rule must take the arg tangents after the operands: given the call's signature it is missing one input.
    bad: {
      inputs: ["f32[]", "f32[3]"],
      params: { call_jaxpr: customCall, jvp_jaxpr: customCall, num_consts: 1, name: "f" },
      error: "custom_jvp_call: jvp_jaxpr of 'f' takes (f32[], f32[3]) but is given consts + args + arg tangents (f32[], f32[3], f32[3])",
    },
  },
  custom_vjp_call: {
    ok: { inputs: ["f32[]", "f32[3]"], params: { call_jaxpr: customCall, fwd_jaxpr: customFwd, bwd_jaxpr: customBwd, num_consts: 1, name: "f" }, out: ["f32[3]"] },
    // bwd must return one cotangent per arg (f32[3]); customCall's bwd slot is given a jaxpr taking the wrong inputs.
    bad: {
      inputs: ["f32[]", "f32[3]"],
      params: { call_jaxpr: customCall, fwd_jaxpr: customCall, bwd_jaxpr: customBwd, num_consts: 1, name: "f" },
      error: "custom_vjp_call: bwd_jaxpr of 'f' takes (f32[], f32[], f32[3]) but is given consts + residuals + output cotangents (f32[], f32[3])",
    },
  },
  custom_vjp_bwd: {
    // consts k, residual r, arg tangent t → the out tangent (the type of bwd's cotangent input).
    ok: { inputs: ["f32[]", "f32[]", "f32[3]"], params: { bwd_jaxpr: customBwd, num_consts: 1, num_res: 1, name: "f" }, out: ["f32[3]"] },
    bad: {
      inputs: ["f32[]", "f32[]", "f32[2]"],
      params: { bwd_jaxpr: customBwd, num_consts: 1, num_res: 1, name: "f" },
      error: "custom_vjp_bwd: bwd_jaxpr of 'f' returns (f32[3]) but the arg tangents' type is (f32[2])",
    },
  },
  stop_gradient: {
    ok: { inputs: ["i32[2,3]"], params: none, out: ["i32[2,3]"] },
    bad: { inputs: ["f32[]", "f32[]"], params: none, error: "stop_gradient: expects 1 operand, got 2 (operands: f32[], f32[])" },
  },
};

describe("shape rules", () => {
  for (const prim of PRIMS) {
    const rule: Rule<Prim> | undefined = RULES[prim];
    if (!rule) continue;
    it(`${prim}: ${rule.ok.inputs.join(", ") || "()"} -> ${rule.ok.out.join(", ")}`, () => {
      const out = abstractEval(prim, rule.ok.params, rule.ok.inputs.map(A));
      expect(out.map(avalStr)).toEqual(rule.ok.out);
    });
    it(`${prim} rejects: ${rule.bad.error}`, () => {
      const run = () => abstractEval(prim, rule.bad.params, rule.bad.inputs.map(A));
      expect(run).toThrow(ShapeError);
      expect(run).toThrow(rule.bad.error);
      try {
        run();
      } catch (e) {
        expect((e as Error).message).toBe(rule.bad.error);
      }
    });
  }

  it("while accepts a batched predicate that prefixes every carry and rejects one that does not", () => {
    const cond = J("{ lambda ; a:i32[4] b:f32[4,3]. let c:bool[4] = lt a 3:i32[] in (c,) }");
    const body = J("{ lambda ; a:i32[4] b:f32[4,3]. let  in (a, b) }");
    const params = { cond_jaxpr: cond, body_jaxpr: body, cond_nconsts: 0, body_nconsts: 0 };
    expect(abstractEval("while", params, [A("i32[4]"), A("f32[4,3]")]).map(avalStr)).toEqual(["i32[4]", "f32[4,3]"]);
    const cond2 = J("{ lambda ; a:i32[4] b:f32[3,4]. let c:bool[4] = lt a 3:i32[] in (c,) }");
    const body2 = J("{ lambda ; a:i32[4] b:f32[3,4]. let  in (a, b) }");
    expect(() => abstractEval("while", { ...params, cond_jaxpr: cond2, body_jaxpr: body2 }, [A("i32[4]"), A("f32[3,4]")])).toThrow(
      "while: batched predicate bool[4] must be a shape prefix of every carry, but a carry is f32[3,4]",
    );
  });

  it("while and scan reject negative counts themselves, for callers of abstractEval that skip the param schema", () => {
    const whileParams = { cond_jaxpr: whileCond, body_jaxpr: whileBody, cond_nconsts: -1, body_nconsts: 1 };
    expect(() => abstractEval("while", whileParams, [A("f32[3]"), A("i32[]"), A("f32[3]")])).toThrow(
      new ShapeError("while: cond_nconsts must be a non-negative integer, got -1 (operands: f32[3], i32[], f32[3])"),
    );
    const scanParams = { jaxpr: scanBody, length: 4, reverse: false, num_consts: 0, num_carry: -1 };
    expect(() => abstractEval("scan", scanParams, [A("f32[]"), A("f32[4,3]")])).toThrow(
      "scan: num_carry must be a non-negative integer, got -1 (operands: f32[], f32[4,3])",
    );
  });

  it("cond accepts a batched index that prefixes every output", () => {
    const b0 = J("{ lambda ; a:f32[4,2]. let  in (a,) }");
    const b1 = J("{ lambda ; a:f32[4,2]. let b:f32[4,2] = neg a in (b,) }");
    expect(abstractEval("cond", { branches: [b0, b1] }, [A("i32[4]"), A("f32[4,2]")]).map(avalStr)).toEqual(["f32[4,2]"]);
    expect(() => abstractEval("cond", { branches: [b0, b1] }, [A("i32[2]"), A("f32[4,2]")])).toThrow(
      "cond: batched index i32[2] must be a shape prefix of every output, but an output is f32[4,2]",
    );
  });
});

describe("elementwise shape rules agree with numpy's dtypes", () => {
  const cases = loadPrimitiveCases();
  for (const prim of ELEMENTWISE) {
    const mine = cases.filter((c) => c.prim === prim);
    const accepted = new Set(mine.map((c) => c.inputs[0]!.dtype));
    it(`${prim}: numpy's cases type-check with numpy's result types`, () => {
      expect(mine.length, `no numpy fixture for ${prim}: add it to scripts/gen_fixtures.py`).toBeGreaterThan(0);
      for (const c of mine) {
        const out = abstractEval<Prim>(prim, c.params, c.inputs.map((x) => decodeArray(x)));
        expect(out.map(avalStr)).toEqual(c.outputs.map((y) => avalStr(y)));
      }
    });
    const rejected = DTYPES.filter((d) => !accepted.has(d));
    if (rejected.length === 0) continue;
    it(`${prim} rejects ${rejected.join(", ")} operands, naming itself`, () => {
      const c = mine[0]!;
      for (const dtype of rejected) {
        const run = () => abstractEval<Prim>(prim, c.params, c.inputs.map((x) => ({ dtype, shape: x.shape })));
        expect(run).toThrow(ShapeError);
        expect(run).toThrow(new RegExp(`^${prim}: expects `));
      }
    });
  }
});
