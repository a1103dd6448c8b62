// Generated-code hygiene: numbers are emitted exactly (NaN, ±Infinity, -0),
// no user string reaches the source, identical kernels share a function.
import { SCALAR_HELPERS } from "../../../src/backends/js/runtime.js";
import { describe, expect, it } from "vitest";
import { compileJs } from "../../../src/backends/js/index.js";
import { jsNumber } from "../../../src/backends/js/scalar.js";
import type { Eqn, Jaxpr } from "../../../src/ir/core.js";
import { fromNested } from "../../../src/ir/value.js";
import { jit, np } from "../../../src/index.js";
import { compile, expectMatchesInterpreter, jaxprOf } from "./helpers.js";

describe("jsNumber", () => {
  const values = [0, -0, 1, -1, 0.1, Math.fround(0.1), NaN, Infinity, -Infinity, 1e-45, 3.4028234663852886e38, -2147483648, 2 ** 53 + 2];
  for (const v of values) {
    it(`${Object.is(v, -0) ? "-0" : String(v)} round-trips through generated code`, () => {
      const back = new Function(`"use strict"; return ${jsNumber(v)};`)() as number;
      expect(Object.is(back, v)).toBe(true);
      // Safe after a binary minus too (no `x - -1` / `--` surprises).
      const diff = new Function(`"use strict"; const x = 1; return x - ${jsNumber(v)};`)() as number;
      expect(Object.is(diff, 1 - v)).toBe(true);
    });
  }

  it("literals with special values compute like the interpreter", () => {
    const ir = `{ lambda ; a:f32[4]. let
        b:f32[4] = add a -0.0:f32[]
        c:f32[4] = max b -inf:f32[]
        d:f32[4] = min c inf:f32[]
        e:f32[4] = mul d -1.0:f32[]
      in (e,) }`;
    expectMatchesInterpreter(ir, [fromNested([0, -0, 2.5, -1e30], "float32")]);
  });
});

describe("no user text in generated code", () => {
  const HOSTILE = '"); process.exit(1); ("';
  const SNEAKY = "*/ throw new Error('injected'); /*";

  /** The jaxpr with every pjit renamed. */
  function renamePjits(j: Jaxpr, name: string): Jaxpr {
    return { ...j, eqns: j.eqns.map((e) => (e.prim === "pjit" ? ({ ...e, params: { ...(e as Eqn<"pjit">).params, name } } as Eqn) : e)) };
  }

  const IR = `{ lambda ; a:f32[2]. let
      b:f32[2] = pjit[
        jaxpr={ lambda ; c:f32[2]. let d:f32[2] = mul c c in (d,) }
        name=square
      ] a
    in (b,) }`;

  for (const name of [HOSTILE, SNEAKY]) {
    it(`a pjit named ${JSON.stringify(name)} is harmless and absent from the source`, () => {
      const j = renamePjits(jaxprOf(IR), name);
      const prog = compileJs(j);
      expect(prog.source).not.toContain(name);
      expect(prog.source).not.toContain("process");
      expect(prog.source).not.toContain("injected");
      expect(Array.from(prog.run([fromNested([1.5, -2], "float32")])[0]!.data)).toEqual([2.25, 4]);
    });
  }

  it("a jit name given through the public API never reaches the source", () => {
    const inner = jit((x: np.Array) => x.mul(x).add(1), { name: HOSTILE });
    const outer = jit((x: np.Array) => inner(x).mul(2), { backend: "js" });
    expect(Array.from(outer(np.array([1, 2])).data() as Float32Array)).toEqual([4, 10]);
  });

  it("identifiers in the source come from counters", () => {
    const src = compile(IR).source;
    const idents = new Set(src.match(/\b[A-Za-z_$][\w$]*\b/g));
    const allowed = /^(a|y|g|v|c|i|k|t|s|L|q|e|l|r|x|w|m|in|out|ra|rb|pa|pb|kk|bi|aB|bB|cnt|list|ls|acc|best|fr|rt|dbg)\d*(_\w+)?$|^e\d+(b|r\d+)$|^(const|let|for|if|break|return|function|new|switch|case|use|strict|null|Math|fround|imul|exp|log|sin|cos|tanh|sqrt|abs|sign|floor|ceil|max|min|Float32Array|Int32Array|Uint8Array|NaN|Infinity|run|offA|offB|A|B|R|f32|i32|bool|lanesInit|lanesAnd|lanesIndex|lanesCombine|laneSet|count)$/;
    // The runtime's scalar helpers are bound by name in the prologue (js/runtime.ts).
    const helpers = new Set(Object.keys(SCALAR_HELPERS));
    const unexpected = [...idents].filter((id) => !allowed.test(id) && !helpers.has(id));
    expect(unexpected).toEqual([]);
  });
});

describe("kernel functions", () => {
  it("identical kernels share one generated function", () => {
    const layers = Array.from({ length: 6 }, (_, i) => `x${i + 1}:f32[8,8] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] x${i} w`).join("\n");
    const prog = compile(`{ lambda ; x0:f32[8,8] w:f32[8,8]. let\n${layers}\n in (x6,) }`);
    const defs = prog.source.match(/^function k\d+\(/gm) ?? [];
    expect(defs).toHaveLength(1);
    expect(prog.source.match(/\bk0\(/g)?.length).toBe(1 + 6);
  });
});
