// Every corpus text must be a fixed point of print ∘ parse, and verify.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Jaxpr, PRIMS, type Prim, aval, lit, makeEqn, newJaxpr, newVar, parse, printJaxpr, subJaxprs } from "../../src/ir/index.js";
import { printChecked } from "../helpers/ir.js";
import { CORPUS } from "./corpus.js";
import { decodeArray, loadPrimitiveCases, singleEquation } from "../fixtures/primitives.js";

function primsUsed(j: Jaxpr, into: Set<Prim>): Set<Prim> {
  for (const e of j.eqns) {
    into.add(e.prim);
    for (const sub of subJaxprs(e)) primsUsed(sub, into);
  }
  return into;
}

const FIXTURES = loadPrimitiveCases();

describe("round trip of each numpy fixture's equation", () => {
  for (const c of FIXTURES) {
    it(`${c.prim}: ${c.name}`, () => {
      const text = printJaxpr(singleEquation(c, c.inputs.map(decodeArray)));
      expect(printChecked(text)).toBe(text);
    });
  }
});

describe("round trip of the IR corpus", () => {
  for (const entry of CORPUS) {
    it(entry.name, () => {
      expect(printChecked(entry.text)).toBe(entry.text);
    });
  }

  it("covers every primitive in PRIMS, with the numpy fixtures' equations", () => {
    const used = new Set<Prim>(FIXTURES.map((c) => c.prim));
    for (const entry of CORPUS) primsUsed(parse(entry.text), used);
    const missing = PRIMS.filter((p) => !used.has(p));
    expect(missing).toEqual([]);
    expect(used.size).toBe(PRIMS.length);
  });

  it("is whitespace- and newline-insensitive", () => {
    for (const entry of CORPUS) {
      // Collapse all layout (outside quoted strings) to single spaces, then to
      // newlines and tabs: both must print back to the original.
      const relayout = (sep: string): string => entry.text.replace(/("(?:[^"\\]|\\.)*")|\s+/g, (_match, quoted: string | undefined) => quoted ?? sep);
      expect(printJaxpr(parse(relayout(" ")))).toBe(entry.text);
      expect(printJaxpr(parse(relayout("\n\t ")))).toBe(entry.text);
    }
  });

  it("accepts minimal whitespace", () => {
    const tight = "{lambda;a:f32[2,3]b:i32[].let c:f32[3,2]=transpose[permutation=(1,0)]a d:i32[]=add b -1:i32[]in(c,d,)}";
    expect(printJaxpr(parse(tight))).toBe(`{ lambda ; a:f32[2,3] b:i32[]. let
    c:f32[3,2] = transpose[permutation=(1, 0)] a
    d:i32[] = add b -1:i32[]
  in (c, d) }`);
  });

  it("accepts lists, spaced shapes, param commas and comma-separated jaxpr tuples", () => {
    const text = `{ lambda ; a:i32[] b:f32[ 2 , 3 ]. let
      c:f32[2] = reduce_sum[axes=[1]] b
      d:f32[2] = cond[branches=({ lambda ; e:f32[2]. let in (e,) }, { lambda ; f:f32[2]. let g:f32[2] = neg f in (g) })] a c
      h:f32[6] = reshape[new_sizes=[6,]] b
    in (d, h) }`;
    expect(printChecked(printJaxpr(parse(text)))).toBe(`{ lambda ; a:i32[] b:f32[2,3]. let
    c:f32[2] = reduce_sum[axes=(1,)] b
    d:f32[2] = cond[
      branches=(
        { lambda ; e:f32[2]. let  in (e,) }
        { lambda ; f:f32[2]. let g:f32[2] = neg f in (g,) }
      )
    ] a c
    h:f32[6] = reshape[new_sizes=(6,)] b
  in (d, h) }`);
  });

  it("parses literal spellings to float32/int32/bool values", () => {
    const j = parse(`{ lambda ; . let  in (3.0:f32[], 0.1:f32[], 1e-10:f32[], -1.5e3:f32[], inf:f32[], -inf:f32[], nan:f32[], -0.0:f32[], -7:i32[], 2147483647:i32[], True:bool[], False:bool[]) }`);
    const values = j.outvars.map((a) => (a.kind === "lit" ? a.value : undefined));
    expect(values.slice(0, 4)).toEqual([3, Math.fround(0.1), Math.fround(1e-10), -1500]);
    expect(values[1]).toBe(0.10000000149011612);
    expect(values.slice(4, 6)).toEqual([Infinity, -Infinity]);
    expect(Number.isNaN(values[6])).toBe(true);
    expect(Object.is(values[7], -0)).toBe(true);
    expect(values.slice(8)).toEqual([-7, 2147483647, 1, 0]);
    for (const a of j.outvars) expect(a.aval.shape).toEqual([]);
    expect(j.outvars.map((a) => a.aval.dtype)).toEqual([...Array(8).fill("float32"), "int32", "int32", "bool", "bool"]);
  });

  it("gives each scope its own names and `_` binders fresh vars", () => {
    const j = parse(`{ lambda ; a:f32[]. let
    _:f32[] _:f32[] b:f32[] = pjit[
      jaxpr={ lambda ; a:f32[]. let  in (a, a, a) }
      name=f
    ] a
  in (b,) }`);
    const [eqn] = j.eqns;
    const outs = eqn!.outputs;
    expect(new Set(outs.map((v) => v.id)).size).toBe(3);
    const inner = subJaxprs(eqn!)[0]!;
    expect(inner.invars[0]!.id).not.toBe(j.invars[0]!.id);
    expect(j.outvars[0]).toBe(outs[2]);
  });

  it("converts params to plain data through the schema", () => {
    const j = parse(`{ lambda ; a:f32[2,3] b:f32[3,4]. let
    c:f32[2,4] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a b
    d:i32[2,4] = convert_element_type[new_dtype=int32] c
    e:f32[1,4] = slice[limit_indices=(2, 4) start_indices=(1, 0) strides=None] c
  in (d, e) }`);
    expect(j.eqns[0]!.params).toEqual({ dimension_numbers: [[[1], [0]], [[], []]] });
    expect(j.eqns[1]!.params).toEqual({ new_dtype: "int32" });
    expect(j.eqns[2]!.params).toEqual({ limit_indices: [2, 4], start_indices: [1, 0], strides: null });
  });

  it("round-trips every float32 and int32 literal value bit-exactly", () => {
    fc.assert(
      fc.property(fc.float(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (f, k) => {
        const x = newVar(aval("float32", []));
        const y = newVar(aval("float32", []));
        const n = newVar(aval("int32", []));
        const m = newVar(aval("int32", []));
        const j = newJaxpr({
          invars: [x, n],
          eqns: [makeEqn("add", {}, [x, lit(f, aval("float32", []))], [y]), makeEqn("add", {}, [n, lit(k, aval("int32", []))], [m])],
          outvars: [y, m],
        });
        const text = printJaxpr(j);
        const back = parse(text);
        const [fl, kl] = back.eqns.map((e) => e.inputs[1]!);
        expect(Object.is(fl!.kind === "lit" ? fl!.value : undefined, f)).toBe(true);
        expect(kl!.kind === "lit" ? kl!.value : undefined).toBe(k);
        expect(printJaxpr(back)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });
});
