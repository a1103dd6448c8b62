// The param schema: kinds per primitive and the validator shared by parser and verifier.
import { describe, expect, it } from "vitest";
import { PRIMS, parse } from "../../src/ir/index.js";
import { checkParamValue, paramSchema, validateParams } from "../../src/ir/paramSchema.js";

const jaxpr = parse("{ lambda ; a:f32[]. let  in (a,) }");

describe("param schema", () => {
  it("has an entry for every primitive, with the params of lax", () => {
    expect(Object.keys(paramSchema).sort()).toEqual([...PRIMS].sort());
    expect(paramSchema.add).toEqual({});
    expect(paramSchema.slice).toEqual({ start_indices: "ints", limit_indices: "ints", strides: "ints_or_none" });
    expect(paramSchema.while).toEqual({ cond_jaxpr: "jaxpr", body_jaxpr: "jaxpr", cond_nconsts: "int", body_nconsts: "int" });
    expect(paramSchema.cond).toEqual({ branches: "jaxprs" });
    expect(paramSchema.dot_general).toEqual({ dimension_numbers: "dot_dims" });
    expect(paramSchema.argmax).toEqual({ axes: "ints", index_dtype: "dtype" });
    expect(paramSchema.scan).toEqual({ jaxpr: "jaxpr", length: "int", reverse: "bool", num_consts: "int", num_carry: "int" });
    expect(paramSchema.pjit).toEqual({ jaxpr: "jaxpr", name: "string" });
  });

  it("accepts values of each kind", () => {
    const good: [Parameters<typeof checkParamValue>[1], unknown][] = [
      ["int", -3],
      ["ints", []],
      ["ints", [0, 2]],
      ["ints_or_none", null],
      ["ints_or_none", [1]],
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
    expect(checkParamValue("length", "int", 2.5)).toBe("length must be an integer, got 2.5");
    expect(checkParamValue("axes", "ints", [0, "1"])).toBe('axes must be a tuple of integers, got (0, "1")');
    expect(checkParamValue("strides", "ints_or_none", true)).toBe("strides must be a tuple of integers or None, got True");
    expect(checkParamValue("reverse", "bool", 0)).toBe("reverse must be True or False, got 0");
    expect(checkParamValue("new_dtype", "dtype", "float64")).toBe('new_dtype must be a dtype (float32, int32 or bool), got "float64"');
    expect(checkParamValue("name", "string", null)).toBe("name must be a string, got None");
    expect(checkParamValue("jaxpr", "jaxpr", [jaxpr])).toBe("jaxpr must be a jaxpr, got (a jaxpr,)");
    expect(checkParamValue("branches", "jaxprs", jaxpr)).toBe("branches must be a tuple of jaxprs, got a jaxpr");
    expect(checkParamValue("dimension_numbers", "dot_dims", [[[1], [0]]])).toBe(
      "dimension_numbers must be dot dimension numbers ((lhs_contract, rhs_contract), (lhs_batch, rhs_batch)), got (((1,), (0,)),)",
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
