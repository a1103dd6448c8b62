// Issue #11 item 9: the parser, printer and verifier handle long programs and
// deep nesting. Programs of 100,000 equations round-trip; jaxprs nested up to
// MAX_JAXPR_NESTING levels round-trip; deeper ones are rejected with a
// positioned ParseError / a VerifyError / a printer error that names the
// limit, never a stack overflow (RangeError: Maximum call stack size exceeded).
import { describe, expect, it } from "vitest";
import {
  type Jaxpr,
  MAX_JAXPR_NESTING,
  ParseError,
  VerifyError,
  aval,
  makeEqn,
  newJaxpr,
  newVar,
  parse,
  printEqn,
  printJaxpr,
  verify,
} from "../../src/ir/index.js";
import { errorOf } from "../helpers/errors.js";


/**
 * `depth` jaxprs nested as while bodies, one opening per line: line k opens
 * the jaxpr at depth k (the top level is depth 1), so the jaxpr at depth
 * MAX_JAXPR_NESTING + 1 starts at line MAX_JAXPR_NESTING + 1, column 1.
 */
function nestedWhiles(depth: number): string {
  const open = "{ lambda ; a:i32[]. let b:i32[] = while[body_jaxpr=\n";
  const innermost = "{ lambda ; a:i32[]. let b:i32[] = add a 1:i32[] in (b,) }\n";
  const close = " body_nconsts=0 cond_jaxpr={ lambda ; c:i32[]. let d:bool[] = lt c 3:i32[] in (d,) } cond_nconsts=0] a in (b,) }\n";
  return open.repeat(depth - 1) + innermost + close.repeat(depth - 1);
}

/** `depth` jaxprs nested as cond branches (the only jaxprs inside a tuple). */
function nestedConds(depth: number): string {
  const open = "{ lambda ; i:i32[] a:f32[]. let b:f32[] = cond[branches=(\n";
  const innermost = "{ lambda ; i:i32[] a:f32[]. let b:f32[] = sin a in (b,) }\n";
  return open.repeat(depth - 1) + innermost + ")] i i a in (b,) }\n".repeat(depth - 1);
}

/** Nesting depth of a jaxpr, counted independently of the code under test. */
function depthOf(j: Jaxpr): number {
  let depth = 1;
  for (let cur: Jaxpr | undefined = j; cur; depth++) {
    const params = cur.eqns[0]?.params as { body_jaxpr?: Jaxpr; branches?: Jaxpr[]; jaxpr?: Jaxpr } | undefined;
    cur = params?.body_jaxpr ?? params?.branches?.[0] ?? params?.jaxpr;
    if (!cur) return depth;
  }
  return depth;
}

/** A chain of `depth` jaxprs built in code: each level calls the next through pjit. */
function pjitChain(depth: number): Jaxpr {
  const f32 = aval("float32", []);
  const a = newVar(f32);
  const b = newVar(f32);
  let j = newJaxpr({ invars: [a], eqns: [makeEqn("sin", {}, [a], [b])], outvars: [b] });
  for (let d = 1; d < depth; d++) {
    const x = newVar(f32);
    const y = newVar(f32);
    j = newJaxpr({ invars: [x], eqns: [makeEqn("pjit", { jaxpr: j, name: "f" }, [x], [y])], outvars: [y] });
  }
  return j;
}

describe("IR text of 100,000 equations", () => {
  it("parses, verifies, prints and parses back to the same text", { timeout: 120_000 }, () => {
    const n = 100_000;
    const lines = ["{ lambda ; a:f32[4]. let"];
    // Alternating sin and mul-by-literal, each reading the previous value.
    let prev = "a";
    for (let k = 0; k < n; k++) {
      const v = `v${k}`;
      lines.push(k % 2 === 0 ? `    ${v}:f32[4] = sin ${prev}` : `    ${v}:f32[4] = mul ${prev} 2.0:f32[]`);
      prev = v;
    }
    lines.push(`  in (${prev},) }`);
    const j = parse(lines.join("\n"));
    expect(j.eqns).toHaveLength(n);
    expect(j.eqns[n - 1]!.prim).toBe("mul");
    verify(j);
    const printed = printJaxpr(j);
    expect(printed.split("\n")).toHaveLength(n + 2);
    expect(printJaxpr(parse(printed))).toBe(printed);
  });
});

describe(`jaxprs nested up to MAX_JAXPR_NESTING (${MAX_JAXPR_NESTING}) levels`, () => {
  it("is the limit the docs state", () => {
    expect(MAX_JAXPR_NESTING).toBe(1000);
  });

  for (const [shape, nested] of [
    ["while bodies", nestedWhiles],
    ["cond branches", nestedConds],
  ] as const) {
    it(`${shape} nested ${MAX_JAXPR_NESTING} deep parse, verify, print and parse back`, { timeout: 120_000 }, () => {
      const j = parse(nested(MAX_JAXPR_NESTING));
      expect(depthOf(j)).toBe(MAX_JAXPR_NESTING);
      verify(j);
      const printed = printJaxpr(j);
      const again = parse(printed);
      expect(depthOf(again)).toBe(MAX_JAXPR_NESTING);
      expect(printJaxpr(again)).toBe(printed);
    });

    for (const depth of [MAX_JAXPR_NESTING + 1, 10_000]) {
      it(`${shape} nested ${depth} deep are a ParseError at the first jaxpr past the limit`, () => {
        const e = errorOf(() => parse(nested(depth), { source: "deep.jaxpr" }));
        expect(e).toBeInstanceOf(ParseError);
        expect(e.message).toBe(
          `deep.jaxpr:${MAX_JAXPR_NESTING + 1}:1: jaxprs nest more than ${MAX_JAXPR_NESTING} levels deep here (the limit, MAX_JAXPR_NESTING); restructure the program to nest fewer loops, conds and calls`,
        );
      });
    }
  }

  it("deeply nested tuples in a param value are a ParseError about the value (elided past 4 levels), not a stack overflow", () => {
    const deep = `${"(".repeat(100_000)}0${")".repeat(100_000)}`;
    const e = errorOf(() => parse(`{ lambda ; a:f32[3]. let b:f32[] = reduce_sum[axes=${deep}] a in (b,) }`));
    expect(e).toBeInstanceOf(ParseError);
    expect(e.message).toBe("1:52: reduce_sum: axes must be a tuple of non-negative integers, got (((((…),),),),)");
  });
});

describe("jaxprs built in code deeper than MAX_JAXPR_NESTING", () => {
  it("verify accepts a chain exactly at the limit", () => {
    verify(pjitChain(MAX_JAXPR_NESTING));
  });

  it("verify rejects a deeper one with a VerifyError at the equation holding the jaxpr past the limit", () => {
    for (const depth of [MAX_JAXPR_NESTING + 1, 10_000]) {
      const e = errorOf(() => verify(pjitChain(depth)));
      expect(e).toBeInstanceOf(VerifyError);
      // The path is abbreviated: 4 innermost frames, a count, 4 outermost frames.
      // The equation's names come late in print order (two per level), so only their shape is checked.
      expect(e.message.replace(/`[a-z]+:f32\[\] = pjit\[ …\]`/, "`EQN`")).toBe(
        `verify: equation 0 \`EQN\` in ${"jaxpr of equation 0 (pjit) in ".repeat(4)}… ${MAX_JAXPR_NESTING - 1 - 8} more levels … in ${"jaxpr of equation 0 (pjit) in ".repeat(3)}jaxpr of equation 0 (pjit): ` +
          `its sub-jaxprs would be nested ${MAX_JAXPR_NESTING + 1} levels deep; tsjax accepts at most ${MAX_JAXPR_NESTING} (MAX_JAXPR_NESTING), so restructure the program to nest fewer loops, conds and calls`,
      );
    }
  });

  it("printJaxpr refuses with an error naming the limit; printEqn still names the equation", () => {
    const j = pjitChain(10_000);
    const e = errorOf(() => printJaxpr(j));
    expect(e.message).toBe(
      `printJaxpr: sub-jaxprs nest more than ${MAX_JAXPR_NESTING} levels deep (MAX_JAXPR_NESTING); such a jaxpr is rejected by the parser and the verifier`,
    );
    expect(e.message).not.toMatch(/call stack/);
    expect(printEqn(j.eqns[0]!, j)).toBe("b:f32[] = pjit[ …]");
  });
});
