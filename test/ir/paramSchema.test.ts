// The param schema: kinds per primitive and the validator shared by parser and verifier.
import { describe, expect, it } from "vitest";
import { PRIMS, ParseError, type Prim, parse } from "../../src/ir/index.js";
import { checkParamValue, paramKinds, validateParams } from "../../src/ir/paramSchema.js";

const jaxpr = parse("{ lambda ; a:f32[]. let  in (a,) }");

/** Valid params of every primitive with a count, axis or size param (values only need the right kinds). */
const VALID: Partial<Record<Prim, Record<string, unknown>>> = {
  round: { rounding_method: 0 },
  broadcast_in_dim: { shape: [2, 3], broadcast_dimensions: [1] },
  reshape: { new_sizes: [6] },
  transpose: { permutation: [1, 0] },
  squeeze: { dimensions: [0] },
  expand_dims: { dimensions: [0] },
  reduce_sum: { axes: [0] },
  reduce_max: { axes: [0] },
  reduce_min: { axes: [0] },
  argmax: { axes: [0], index_dtype: "int32" },
  dot_general: { dimension_numbers: [[[1], [0]], [[], []]] },
  iota: { dtype: "int32", shape: [4], dimension: 0 },
  concatenate: { dimension: 0 },
  slice: { start_indices: [0], limit_indices: [2], strides: null },
  dynamic_slice: { slice_sizes: [2] },
  while: { cond_jaxpr: jaxpr, body_jaxpr: jaxpr, cond_nconsts: 0, body_nconsts: 0 },
  scan: { jaxpr, length: 3, reverse: false, num_consts: 0, num_carry: 1 },
  custom_jvp_call: { call_jaxpr: jaxpr, jvp_jaxpr: jaxpr, num_consts: 0, name: "f" },
  custom_vjp_call: { call_jaxpr: jaxpr, fwd_jaxpr: jaxpr, bwd_jaxpr: jaxpr, num_consts: 0, name: "f" },
  custom_vjp_bwd: { bwd_jaxpr: jaxpr, num_consts: 0, num_res: 0, name: "f" },
  checkpoint: { jaxpr, name: "f" },
  while_record: { cond_jaxpr: jaxpr, body_jaxpr: jaxpr, cond_nconsts: 0, body_nconsts: 0, num_records: 0 },
  replay: { jaxpr, reverse: false, num_tapes: 0, num_consts: 0, num_records: 0 },
};

/**
 * One value of every count, axis and size param that no operand can make
 * valid (negative, fractional, zero stride, not a tuple), with the message
 * that must name the primitive, the param and the valid range. Values that
 * are only out of range for particular operands are in verifier.test.ts.
 */
const OUT_OF_RANGE: readonly [Prim, string, unknown, string][] = [
  ["round", "rounding_method", 0.5, "round: rounding_method must be an integer, got 0.5"],
  ["broadcast_in_dim", "shape", [2, -1], "broadcast_in_dim: shape must be a tuple of non-negative integers, got (2, -1)"],
  ["broadcast_in_dim", "broadcast_dimensions", [-1], "broadcast_in_dim: broadcast_dimensions must be a tuple of non-negative integers, got (-1,)"],
  ["reshape", "new_sizes", [1.5, 4], "reshape: new_sizes must be a tuple of non-negative integers, got (1.5, 4)"],
  ["transpose", "permutation", [1, -1], "transpose: permutation must be a tuple of non-negative integers, got (1, -1)"],
  ["squeeze", "dimensions", [-1], "squeeze: dimensions must be a tuple of non-negative integers, got (-1,)"],
  ["expand_dims", "dimensions", 0, "expand_dims: dimensions must be a tuple of non-negative integers, got 0"],
  ["reduce_sum", "axes", [-1], "reduce_sum: axes must be a tuple of non-negative integers, got (-1,)"],
  ["reduce_max", "axes", [0.5], "reduce_max: axes must be a tuple of non-negative integers, got (0.5,)"],
  ["reduce_min", "axes", [0, -2], "reduce_min: axes must be a tuple of non-negative integers, got (0, -2)"],
  ["argmax", "axes", [-1], "argmax: axes must be a tuple of non-negative integers, got (-1,)"],
  [
    "dot_general",
    "dimension_numbers",
    [[[-1], [0]], [[], []]],
    "dot_general: dimension_numbers must be dot dimension numbers ((lhs_contract, rhs_contract), (lhs_batch, rhs_batch)), each a tuple of non-negative integers, got (((-1,), (0,)), ((), ()))",
  ],
  ["iota", "shape", [-3], "iota: shape must be a tuple of non-negative integers, got (-3,)"],
  ["iota", "dimension", -1, "iota: dimension must be a non-negative integer (0, 1, 2, …), got -1"],
  ["concatenate", "dimension", -1, "concatenate: dimension must be a non-negative integer (0, 1, 2, …), got -1"],
  ["slice", "start_indices", [-1], "slice: start_indices must be a tuple of non-negative integers, got (-1,)"],
  ["slice", "limit_indices", [2.5], "slice: limit_indices must be a tuple of non-negative integers, got (2.5,)"],
  ["slice", "strides", [0], "slice: strides must be a tuple of positive integers or None, got (0,)"],
  ["dynamic_slice", "slice_sizes", [-2], "dynamic_slice: slice_sizes must be a tuple of non-negative integers, got (-2,)"],
  ["while", "cond_nconsts", -1, "while: cond_nconsts must be a non-negative integer (0, 1, 2, …), got -1"],
  ["while", "body_nconsts", 1.5, "while: body_nconsts must be a non-negative integer (0, 1, 2, …), got 1.5"],
  ["scan", "length", -4, "scan: length must be a non-negative integer (0, 1, 2, …), got -4"],
  ["scan", "num_consts", -1, "scan: num_consts must be a non-negative integer (0, 1, 2, …), got -1"],
  ["scan", "num_carry", 0.5, "scan: num_carry must be a non-negative integer (0, 1, 2, …), got 0.5"],
  ["custom_jvp_call", "num_consts", -1, "custom_jvp_call: num_consts must be a non-negative integer (0, 1, 2, …), got -1"],
  ["custom_vjp_call", "num_consts", 1.5, "custom_vjp_call: num_consts must be a non-negative integer (0, 1, 2, …), got 1.5"],
  ["custom_vjp_bwd", "num_consts", -2, "custom_vjp_bwd: num_consts must be a non-negative integer (0, 1, 2, …), got -2"],
  ["custom_vjp_bwd", "num_res", -1, "custom_vjp_bwd: num_res must be a non-negative integer (0, 1, 2, …), got -1"],
  ["while_record", "cond_nconsts", -1, "while_record: cond_nconsts must be a non-negative integer (0, 1, 2, …), got -1"],
  ["while_record", "body_nconsts", 0.5, "while_record: body_nconsts must be a non-negative integer (0, 1, 2, …), got 0.5"],
  ["while_record", "num_records", -1, "while_record: num_records must be a non-negative integer (0, 1, 2, …), got -1"],
  ["replay", "num_tapes", 1.5, "replay: num_tapes must be a non-negative integer (0, 1, 2, …), got 1.5"],
  ["replay", "num_consts", -3, "replay: num_consts must be a non-negative integer (0, 1, 2, …), got -3"],
  ["replay", "num_records", -1, "replay: num_records must be a non-negative integer (0, 1, 2, …), got -1"],
];

/** Kinds of numeric params: counts, axes, sizes, indices. */
const NUMERIC_KINDS = new Set(["int", "nat", "nats", "positive_ints_or_none", "dot_dims"]);

describe("param schema", () => {
  it("gives each primitive the params of lax", () => {
    expect(paramKinds("add")).toEqual({});
    expect(paramKinds("slice")).toEqual({ start_indices: "nats", limit_indices: "nats", strides: "positive_ints_or_none" });
    expect(paramKinds("while")).toEqual({ cond_jaxpr: "jaxpr", body_jaxpr: "jaxpr", cond_nconsts: "nat", body_nconsts: "nat" });
    expect(paramKinds("cond")).toEqual({ branches: "jaxprs" });
    expect(paramKinds("dot_general")).toEqual({ dimension_numbers: "dot_dims" });
    expect(paramKinds("argmax")).toEqual({ axes: "nats", index_dtype: "dtype" });
    expect(paramKinds("scan")).toEqual({ jaxpr: "jaxpr", length: "nat", reverse: "bool", num_consts: "nat", num_carry: "nat" });
    expect(paramKinds("round")).toEqual({ rounding_method: "int" });
    expect(paramKinds("pjit")).toEqual({ jaxpr: "jaxpr", name: "string" });
  });

  it("accepts values of each kind", () => {
    const good: [Parameters<typeof checkParamValue>[1], unknown][] = [
      ["int", -3],
      ["nat", 0],
      ["nat", 7],
      ["nats", []],
      ["nats", [0, 2]],
      ["positive_ints_or_none", null],
      ["positive_ints_or_none", [1, 3]],
      ["bool", false],
      ["dtype", "bool"],
      ["string", ""],
      ["jaxpr", jaxpr],
      ["jaxprs", [jaxpr, jaxpr]],
      ["dot_dims", [[[1], [0]], [[], []]]],
    ];
    for (const [kind, value] of good) expect(checkParamValue("p", kind, value)).toBeUndefined();
  });

  it("rejects values of the wrong kind with a readable reason", () => {
    expect(checkParamValue("rounding_method", "int", 2.5)).toBe("rounding_method must be an integer, got 2.5");
    expect(checkParamValue("length", "nat", -1)).toBe("length must be a non-negative integer (0, 1, 2, …), got -1");
    expect(checkParamValue("length", "nat", 2.5)).toBe("length must be a non-negative integer (0, 1, 2, …), got 2.5");
    expect(checkParamValue("axes", "nats", [0, "1"])).toBe('axes must be a tuple of non-negative integers, got (0, "1")');
    expect(checkParamValue("axes", "nats", [0, -1])).toBe("axes must be a tuple of non-negative integers, got (0, -1)");
    expect(checkParamValue("strides", "positive_ints_or_none", true)).toBe("strides must be a tuple of positive integers or None, got True");
    expect(checkParamValue("strides", "positive_ints_or_none", [1, 0])).toBe("strides must be a tuple of positive integers or None, got (1, 0)");
    expect(checkParamValue("reverse", "bool", 0)).toBe("reverse must be True or False, got 0");
    expect(checkParamValue("new_dtype", "dtype", "float64")).toBe('new_dtype must be a dtype (float32, int32 or bool), got "float64"');
    expect(checkParamValue("name", "string", null)).toBe("name must be a string, got None");
    expect(checkParamValue("jaxpr", "jaxpr", [jaxpr])).toBe("jaxpr must be a jaxpr, got (a jaxpr,)");
    expect(checkParamValue("branches", "jaxprs", jaxpr)).toBe("branches must be a tuple of jaxprs, got a jaxpr");
    expect(checkParamValue("dimension_numbers", "dot_dims", [[[1], [0]]])).toBe(
      "dimension_numbers must be dot dimension numbers ((lhs_contract, rhs_contract), (lhs_batch, rhs_batch)), each a tuple of non-negative integers, got (((1,), (0,)),)",
    );
  });

  it("validates whole params objects: keys first, then values", () => {
    expect(validateParams("reduce_sum", { axes: [0] })).toBeUndefined();
    expect(validateParams("sin", {})).toBeUndefined();
    expect(validateParams("reduce_sum", {})).toBe("reduce_sum is missing parameter 'axes'");
    expect(validateParams("sin", { fast: true })).toBe("sin has no parameter 'fast' (it takes no parameters)");
    expect(validateParams("iota", { dtype: "int32", size: 3 })).toBe(
      "iota has no parameter 'size' (it takes 'dimension', 'dtype', 'shape'); iota is missing parameters 'shape', 'dimension'",
    );
    expect(validateParams("scan", { jaxpr, length: 3, reverse: "no", num_consts: 0, num_carry: 1 })).toBe(
      'scan: reverse must be True or False, got "no"',
    );
    expect(validateParams("add", null)).toBe("add params must be an object, got None");
  });
});

// Issue #11 item 11: every count, axis and size param is range-checked by the schema.
describe("param schema ranges", () => {
  it("the table covers every numeric param of every primitive", () => {
    const numeric = PRIMS.flatMap((prim) =>
      Object.entries(paramKinds(prim))
        .filter(([, kind]) => NUMERIC_KINDS.has(kind))
        .map(([name]) => `${prim}.${name}`),
    );
    expect(new Set(OUT_OF_RANGE.map(([prim, name]) => `${prim}.${name}`))).toEqual(new Set(numeric));
  });

  for (const [prim, name, value, message] of OUT_OF_RANGE) {
    it(`${prim}: ${name} = ${JSON.stringify(value)}`, () => {
      const valid = VALID[prim]!;
      expect(validateParams(prim, valid)).toBeUndefined();
      expect(validateParams(prim, { ...valid, [name]: value })).toBe(message);
    });
  }

  it("the parser reports a negative count at the value, before anything else", () => {
    // The while of the issue: with cond_nconsts=-1 the operand split happened to type-check.
    const text = `{ lambda ; a:i32[] b:f32[]. let
    c:i32[] d:f32[] = while[
      body_jaxpr={ lambda ; e:i32[] f:f32[]. let g:i32[] = add e 1:i32[] in (g, f) }
      body_nconsts=1
      cond_jaxpr={ lambda ; h:i32[] i:i32[] j:f32[]. let k:bool[] = lt i h in (k,) }
      cond_nconsts=-1
    ] a b
  in (c, d) }`;
    for (const verify of [true, false]) {
      let error: unknown;
      try {
        parse(text, { verify });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ParseError);
      expect((error as Error).message).toBe("6:20: while: cond_nconsts must be a non-negative integer (0, 1, 2, …), got -1");
    }
  });
});
