// Malformed texts: each must throw a ParseError at the exact (hand-counted)
// line and column, with a message naming what was expected or what is wrong.
import { describe, expect, it } from "vitest";
import { ParseError, parse } from "../../src/ir/index.js";

interface Case {
  readonly name: string;
  readonly text: string;
  readonly line: number;
  readonly column: number;
  /** A fragment of the reason (the message after `line:col: `). */
  readonly message: string;
}

const CASES: readonly Case[] = [
  { name: "empty input", text: "", line: 1, column: 1, message: "expected '{', found end of input" },
  {
    name: "missing closing brace",
    text: "{ lambda ; a:f32[3]. let b:f32[3] = sin a in (b,)",
    line: 1,
    column: 50,
    message: "expected '}', found end of input",
  },
  {
    name: "unknown primitive",
    text: "{ lambda ; a:f32[3]. let b:f32[3] = foo a in (b,) }",
    line: 1,
    column: 37,
    message: "unknown primitive 'foo'",
  },
  {
    name: "undefined variable",
    text: "{ lambda ; a:f32[3]. let b:f32[3] = sin q in (b,) }",
    line: 1,
    column: 41,
    message: "undefined variable 'q'",
  },
  {
    name: "equation redefines an input",
    text: "{ lambda ; a:f32[3]. let a:f32[3] = sin a in (a,) }",
    line: 1,
    column: 26,
    message: "'a' is already defined in this scope",
  },
  {
    name: "duplicate invar",
    text: "{ lambda ; a:f32[] a:f32[]. let  in (a,) }",
    line: 1,
    column: 20,
    message: "'a' is already defined in this scope",
  },
  {
    name: "duplicate binder within one equation",
    text: "{ lambda ; a:f32[]. let b:f32[] b:f32[] = pjit[jaxpr={ lambda ; c:f32[]. let  in (c, c) } name=f] a in (b,) }",
    line: 1,
    column: 33,
    message: "'b' is already defined in this scope",
  },
  {
    name: "literal without a type (pre-2025 JAX spelling)",
    text: "{ lambda ; a:f32[]. let b:f32[] = mul a 3.0 in (b,) }",
    line: 1,
    column: 45,
    message: "expected ':' and a type after the literal 3.0, found 'in'",
  },
  {
    name: "literal of rank 1",
    text: "{ lambda ; a:f32[]. let b:f32[] = mul a 3.0:f32[2] in (b,) }",
    line: 1,
    column: 45,
    message: "literal 3.0:f32[2] must have a rank-0 type like f32[]",
  },
  {
    name: "int literal that is not an integer",
    text: "{ lambda ; a:i32[]. let b:i32[] = add a 1.5:i32[] in (b,) }",
    line: 1,
    column: 41,
    message: "int literal 1.5:i32[] is not an integer",
  },
  {
    name: "int literal out of int32 range",
    text: "{ lambda ; a:i32[]. let b:i32[] = add a 2147483648:i32[] in (b,) }",
    line: 1,
    column: 41,
    message: "int literal 2147483648:i32[] is out of int32 range",
  },
  {
    name: "True with a non-bool type",
    text: "{ lambda ; a:i32[]. let b:i32[] = add a True:i32[] in (b,) }",
    line: 1,
    column: 46,
    message: "True is a bool literal, its type must be bool[]",
  },
  {
    name: "bool literal spelled as a number",
    text: "{ lambda ; a:bool[]. let b:bool[] = and a 1:bool[] in (b,) }",
    line: 1,
    column: 43,
    message: "a bool literal is True or False, got 1:bool[]",
  },
  {
    name: "unknown dtype",
    text: "{ lambda ; a:f64[3]. let  in (a,) }",
    line: 1,
    column: 14,
    message: "expected a type (f32, i32, bool or tape(…)), found 'f64'",
  },
  {
    name: "negative dimension",
    text: "{ lambda ; a:f32[-1]. let  in (a,) }",
    line: 1,
    column: 18,
    message: "expected a dimension size (a non-negative integer), found '-1'",
  },
  {
    name: "type without brackets",
    text: "{ lambda ; a:f32. let  in (a,) }",
    line: 1,
    column: 17,
    message: "expected '[' after 'f32', found '.'",
  },
  {
    name: "missing '.' after the invars",
    text: "{ lambda ; a:f32[] let  in (a,) }",
    line: 1,
    column: 20,
    message: "expected a binder (name:type) or '.', found 'let'",
  },
  {
    name: "missing 'let'",
    text: "{ lambda ; a:f32[]. b:f32[] = neg a in (b,) }",
    line: 1,
    column: 21,
    message: "expected 'let', found 'b'",
  },
  {
    name: "missing 'lambda'",
    text: "{ ; a:f32[]. let  in (a,) }",
    line: 1,
    column: 3,
    message: "expected 'lambda', found ';'",
  },
  {
    name: "unknown parameter",
    text: "{ lambda ; a:f32[3]. let b:f32[] = reduce_sum[axis=(0,)] a in (b,) }",
    line: 1,
    column: 47,
    message: "reduce_sum has no parameter 'axis' (it takes 'axes')",
  },
  {
    name: "missing parameter",
    text: "{ lambda ; a:f32[3]. let b:f32[] = reduce_sum a in (b,) }",
    line: 1,
    column: 36,
    message: "reduce_sum is missing parameter 'axes'",
  },
  {
    name: "parameter of the wrong kind",
    text: "{ lambda ; a:f32[3]. let b:f32[] = reduce_sum[axes=0] a in (b,) }",
    line: 1,
    column: 52,
    message: "reduce_sum: axes must be a tuple of non-negative integers, got 0",
  },
  {
    name: "parameter on a primitive without params",
    text: "{ lambda ; a:f32[3]. let b:f32[3] = sin[foo=1] a in (b,) }",
    line: 1,
    column: 41,
    message: "sin has no parameter 'foo' (it takes no parameters)",
  },
  {
    name: "duplicate parameter",
    text: "{ lambda ; a:f32[3]. let b:f32[3] = round[rounding_method=0 rounding_method=1] a in (b,) }",
    line: 1,
    column: 61,
    message: "duplicate parameter 'rounding_method'",
  },
  {
    name: "dtype parameter spelled as a short type",
    text: "{ lambda ; a:f32[3]. let b:i32[3] = convert_element_type[new_dtype=f32] a in (b,) }",
    line: 1,
    column: 68,
    message: "convert_element_type: new_dtype must be a dtype (float32, int32 or bool), got \"f32\"",
  },
  {
    name: "tuple items without a comma",
    text: "{ lambda ; a:f32[3]. let b:f32[] = reduce_sum[axes=(0 1)] a in (b,) }",
    line: 1,
    column: 55,
    message: "expected ',' or ')', found '1'",
  },
  {
    name: "sub-jaxpr reads a variable of the enclosing jaxpr",
    text: `{ lambda ; a:f32[] b:i32[]. let
    c:f32[] = pjit[
      jaxpr={ lambda ; d:f32[]. let e:f32[] = add d a in (e,) }
      name=f
    ] a
  in (c,) }`,
    line: 3,
    column: 53,
    message: "undefined variable 'a' (it belongs to an enclosing jaxpr; sub-jaxprs only see their own inputs)",
  },
  {
    name: "'_' read as an operand",
    text: "{ lambda ; a:f32[]. let _:f32[] = neg a b:f32[] = neg _ in (b,) }",
    line: 1,
    column: 55,
    message: "'_' marks an unused binder and cannot be read",
  },
  {
    name: "text after the jaxpr",
    text: "{ lambda ; a:f32[]. let  in (a,) } x",
    line: 1,
    column: 36,
    message: "expected end of input, found 'x'",
  },
  {
    name: "unexpected character",
    text: "{ lambda ; a:f32[]. let b:f32[] = neg a # c in (b,) }",
    line: 1,
    column: 41,
    message: "expected an equation or 'in', found '#'",
  },
  {
    name: "reserved word as a variable name",
    text: "{ lambda ; a:f32[]. let inf:f32[] = neg a in (a,) }",
    line: 1,
    column: 25,
    message: "'inf' is a reserved word and cannot name a variable",
  },
  {
    name: "operand defined by a later equation",
    text: "{ lambda ; a:f32[]. let b:f32[] = add a c c:f32[] = neg a in (b,) }",
    line: 1,
    column: 41,
    message: "undefined variable 'c'",
  },
  {
    name: "equation reads its own output",
    text: "{ lambda ; a:f32[]. let b:f32[] = add b a in (b,) }",
    line: 1,
    column: 39,
    message: "undefined variable 'b'",
  },
  {
    name: "error on a later line",
    text: `{ lambda ; a:f32[3]. let
    b:f32[3] = sin a
    c:f32[3] = cos b d
  in (c,) }`,
    line: 3,
    column: 22,
    message: "undefined variable 'd'",
  },
  {
    name: "outputs without parentheses",
    text: "{ lambda ; a:f32[]. let  in a }",
    line: 1,
    column: 29,
    message: "expected '(', found 'a'",
  },
  {
    name: "outputs without a comma",
    text: "{ lambda ; a:f32[] b:f32[]. let  in (a b) }",
    line: 1,
    column: 40,
    message: "expected ',' or ')', found 'b'",
  },
  {
    name: "unterminated string param",
    text: '{ lambda ; a:f32[]. let b:f32[] = pjit[jaxpr={ lambda ; c:f32[]. let  in (c,) } name="f] a in (b,) }',
    line: 1,
    column: 86,
    message: "unterminated string",
  },
  {
    name: "error inside the second cond branch",
    text: `{ lambda ; a:i32[] b:f32[3]. let
    c:f32[3] = cond[
      branches=(
        { lambda ; d:f32[3]. let e:f32[3] = neg d in (e,) }
        { lambda ; f:f32[3]. let g:f32[3] = sin f in (g h) }
      )
    ] a b
  in (c,) }`,
    line: 5,
    column: 57,
    message: "expected ',' or ')', found 'h'",
  },
  {
    name: "binder without a type",
    text: "{ lambda ; a:f32[]. let b = neg a in (b,) }",
    line: 1,
    column: 27,
    message: "expected ':' and a type after 'b', found '='",
  },
  {
    name: "equation without '=' and primitive",
    text: "{ lambda ; a:f32[]. let b:f32[] in (b,) }",
    line: 1,
    column: 33,
    message: "expected a binder (name:type) or '=', found 'in'",
  },
  {
    name: "missing primitive name",
    text: "{ lambda ; a:f32[]. let b:f32[] = in (b,) }",
    line: 1,
    column: 35,
    message: "expected a primitive name, found 'in'",
  },
];

describe("parse errors", () => {
  it("has at least 25 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  for (const c of CASES) {
    it(`${c.name} -> ${c.line}:${c.column}`, () => {
      let error: unknown;
      try {
        parse(c.text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ParseError);
      expect(error).toBeInstanceOf(SyntaxError);
      const pe = error as ParseError;
      expect({ line: pe.line, column: pe.column }).toEqual({ line: c.line, column: c.column });
      expect(pe.message.startsWith(`${c.line}:${c.column}: `)).toBe(true);
      expect(pe.reason).toContain(c.message);
      expect(pe.message).toContain(c.message);
    });
  }

  it("prefixes the source name when one is given", () => {
    const text = `{ lambda ; a:f32[3]. let
    b:f32[3] = sin a
    c:f32[3] = cos b d
  in (c,) }`;
    expect(() => parse(text, { source: "x.jaxpr" })).toThrow("x.jaxpr:3:22: undefined variable 'd'");
  });

  it("names only the unknown primitive, not the whole primitive list", () => {
    try {
      parse("{ lambda ; a:f32[]. let b:f32[] = frobnicate a in (b,) }");
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toBe("1:35: unknown primitive 'frobnicate'");
    }
  });

  it("lists every missing parameter", () => {
    expect(() => parse("{ lambda ; . let b:i32[3] = iota[dimension=0] in (b,) }")).toThrow(
      "1:29: iota is missing parameters 'dtype', 'shape'",
    );
  });
});
