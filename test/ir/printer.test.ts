// Printer output for hand-built jaxprs, compared with hand-written text.
import { describe, expect, it } from "vitest";
import {
  type Atom,
  type Aval,
  type Eqn,
  type Var,
  aval,
  castScalar,
  formatFloat32,
  lit,
  makeEqn,
  newJaxpr,
  newVar,
  parse,
  printEqn,
  varName,
} from "../../src/ir/index.js";
import { printChecked } from "../helpers/ir.js";

const f32 = (...shape: number[]): Aval => aval("float32", shape);
const i32 = (...shape: number[]): Aval => aval("int32", shape);
const bool = (...shape: number[]): Aval => aval("bool", shape);
const f32lit = (v: number): Atom => lit(castScalar("float32", v), f32());

describe("formatFloat32", () => {
  it("prints the shortest text that reads back as the same float32", () => {
    const cases: [number, string][] = [
      [3, "3.0"],
      [0.1, "0.1"],
      [1e-10, "1e-10"],
      [-1.5, "-1.5"],
      [100, "100.0"],
      [123456.7, "123456.7"],
      [16777216, "16777216.0"],
      [3.4028234663852886e38, "3.4028235e+38"],
      [1e21, "1e+21"],
    ];
    for (const [v, text] of cases) expect(formatFloat32(Math.fround(v))).toBe(text);
  });

  it("spells the special values like Python", () => {
    expect(formatFloat32(Infinity)).toBe("inf");
    expect(formatFloat32(-Infinity)).toBe("-inf");
    expect(formatFloat32(NaN)).toBe("nan");
    expect(formatFloat32(-0)).toBe("-0.0");
    expect(formatFloat32(0)).toBe("0.0");
  });
});

describe("varName", () => {
  it("encodes like JAX: a..z, then ba, bb, ..., then three letters", () => {
    expect([0, 1, 25, 26, 27, 51, 52, 675, 676].map(varName)).toEqual(["a", "b", "z", "ba", "bb", "bz", "ca", "zz", "baa"]);
  });
});

describe("printJaxpr", () => {
  it("prints typed literals of every dtype", () => {
    const a = newVar(f32());
    const k = newVar(i32());
    const p = newVar(bool());
    const floats = [3, 0.1, 1e-10, Infinity, -Infinity, NaN, -2.5, -0];
    const outs = floats.map(() => newVar(f32()));
    const eqns: Eqn[] = floats.map((v, n) => makeEqn("add", {}, [a, f32lit(v)], [outs[n]!]));
    const ki = newVar(i32());
    const kj = newVar(i32());
    eqns.push(makeEqn("add", {}, [k, lit(-1, i32())], [ki]));
    eqns.push(makeEqn("mul", {}, [ki, lit(7, i32())], [kj]));
    const pa = newVar(bool());
    const pb = newVar(bool());
    eqns.push(makeEqn("and", {}, [p, lit(true, bool())], [pa]));
    eqns.push(makeEqn("or", {}, [pa, lit(false, bool())], [pb]));
    const j = newJaxpr({ invars: [a, k, p], eqns, outvars: [...outs, kj, pb] });
    expect(printChecked(j)).toBe(`{ lambda ; a:f32[] b:i32[] c:bool[]. let
    d:f32[] = add a 3.0:f32[]
    e:f32[] = add a 0.1:f32[]
    f:f32[] = add a 1e-10:f32[]
    g:f32[] = add a inf:f32[]
    h:f32[] = add a -inf:f32[]
    i:f32[] = add a nan:f32[]
    j:f32[] = add a -2.5:f32[]
    k:f32[] = add a -0.0:f32[]
    l:i32[] = add b -1:i32[]
    m:i32[] = mul l 7:i32[]
    n:bool[] = and c True:bool[]
    o:bool[] = or n False:bool[]
  in (d, e, f, g, h, i, j, k, m, o) }`);
  });

  it("names variables past z as ba, bb", () => {
    const first = newVar(f32(2));
    const chain: Var[] = [first];
    const eqns: Eqn[] = [];
    for (let n = 0; n < 27; n++) {
      const next = newVar(f32(2));
      eqns.push(makeEqn("neg", {}, [chain[chain.length - 1]!], [next]));
      chain.push(next);
    }
    const text = printChecked(newJaxpr({ invars: [first], eqns, outvars: [chain[chain.length - 1]!] }));
    const lines = text.split("\n");
    expect(lines[0]).toBe("{ lambda ; a:f32[2]. let");
    expect(lines[1]).toBe("    b:f32[2] = neg a");
    expect(lines[25]).toBe("    z:f32[2] = neg y");
    expect(lines[26]).toBe("    ba:f32[2] = neg z");
    expect(lines[27]).toBe("    bb:f32[2] = neg ba");
    expect(lines[28]).toBe("  in (bb,) }");
  });

  it("skips names the parser reserves (in, inf, nan, let)", () => {
    // Name number 221 (8*26 + 13) would be 'in' (line 221 here), 5751 'inf': a chain long enough to reach both.
    const first = newVar(i32());
    let last = first;
    const eqns: Eqn[] = [];
    for (let n = 0; n < 5800; n++) {
      const next = newVar(i32());
      eqns.push(makeEqn("add", {}, [last, lit(1, i32())], [next]));
      last = next;
    }
    const text = printChecked(newJaxpr({ invars: [first], eqns, outvars: [last] }));
    const lines = text.split("\n");
    expect(lines[220]).toBe("    im:i32[] = add il 1:i32[]");
    expect(lines[221]).toBe("    io:i32[] = add im 1:i32[]");
    expect(text).not.toMatch(/ (in|inf|nan):i32\[\]/);
    expect(text).toContain("    ine:i32[] = add ind 1:i32[]\n    ing:i32[] = add ine 1:i32[]");
  });

  it("prints unused equation binders as _", () => {
    const a = newVar(f32(3));
    const [b, c, d] = [newVar(f32(3)), newVar(f32(3)), newVar(f32(3))];
    const j = newJaxpr({
      invars: [a],
      eqns: [makeEqn("sin", {}, [a], [b]), makeEqn("cos", {}, [a], [c]), makeEqn("neg", {}, [c], [d])],
      outvars: [d],
    });
    expect(printChecked(j)).toBe(`{ lambda ; a:f32[3]. let
    _:f32[3] = sin a
    b:f32[3] = cos a
    c:f32[3] = neg b
  in (c,) }`);
  });

  it("prints an empty jaxpr, constvars and literal outputs", () => {
    const c = newVar(i32(2));
    const x = newVar(i32(2));
    expect(printChecked(newJaxpr({ constvars: [c], invars: [x], eqns: [], outvars: [x, lit(0, i32()), c] }))).toBe(`{ lambda a:i32[2]; b:i32[2]. let
  in (b, 0:i32[], a) }`);
    expect(printChecked(newJaxpr({ invars: [], eqns: [], outvars: [] }))).toBe(`{ lambda ; . let
  in () }`);
  });

  it("sorts params by name", () => {
    const a = newVar(f32(3));
    const b = newVar(f32(2, 3));
    const c = newVar(f32(1, 2));
    const j = newJaxpr({
      invars: [a],
      eqns: [
        makeEqn("broadcast_in_dim", { shape: [2, 3], broadcast_dimensions: [1] }, [a], [b]),
        makeEqn("slice", { strides: [1, 2], start_indices: [1, 0], limit_indices: [2, 3] }, [b], [c]),
      ],
      outvars: [c],
    });
    expect(printChecked(j)).toBe(`{ lambda ; a:f32[3]. let
    b:f32[2,3] = broadcast_in_dim[broadcast_dimensions=(1,) shape=(2, 3)] a
    c:f32[1,2] = slice[limit_indices=(2, 3) start_indices=(1, 0) strides=(1, 2)] b
  in (c,) }`);
  });

  /** while i < n: i += 1; x = x * 2 (x*2 in two steps so the body has two equations). */
  function whileJaxpr(bodyWidth: "short" | "wide") {
    const n = newVar(i32());
    const x0 = newVar(f32(4));
    const ci = newVar(i32());
    const cn = newVar(i32());
    const cx = newVar(f32(4));
    const cp = newVar(bool());
    const cond = newJaxpr({ invars: [cn, ci, cx], eqns: [makeEqn("lt", {}, [ci, cn], [cp])], outvars: [cp] });
    const bi = newVar(i32());
    const bx = newVar(f32(4));
    const bi2 = newVar(i32());
    const bx2 = newVar(f32(4));
    const bodyEqns: Eqn[] = [makeEqn("add", {}, [bi, lit(1, i32())], [bi2])];
    if (bodyWidth === "wide") bodyEqns.push(makeEqn("mul", {}, [bx, f32lit(2)], [bx2]));
    const body = newJaxpr({ invars: [bi, bx], eqns: bodyEqns, outvars: [bi2, bodyWidth === "wide" ? bx2 : bx] });
    const oi = newVar(i32());
    const ox = newVar(f32(4));
    return newJaxpr({
      invars: [n, x0],
      eqns: [
        makeEqn("while", { cond_jaxpr: cond, body_jaxpr: body, cond_nconsts: 1, body_nconsts: 0 }, [n, lit(0, i32()), x0], [oi, ox]),
      ],
      outvars: [ox],
    });
  }

  it("puts a one-equation sub-jaxpr on one line and a longer one on several", () => {
    expect(printChecked(whileJaxpr("wide"))).toBe(`{ lambda ; a:i32[] b:f32[4]. let
    _:i32[] c:f32[4] = while[
      body_jaxpr={ lambda ; d:i32[] e:f32[4]. let
          f:i32[] = add d 1:i32[]
          g:f32[4] = mul e 2.0:f32[]
        in (f, g) }
      body_nconsts=0
      cond_jaxpr={ lambda ; h:i32[] i:i32[] j:f32[4]. let k:bool[] = lt i h in (k,) }
      cond_nconsts=1
    ] a 0:i32[] b
  in (c,) }`);
    expect(printChecked(whileJaxpr("short"))).toBe(`{ lambda ; a:i32[] b:f32[4]. let
    _:i32[] c:f32[4] = while[
      body_jaxpr={ lambda ; d:i32[] e:f32[4]. let f:i32[] = add d 1:i32[] in (f, e) }
      body_nconsts=0
      cond_jaxpr={ lambda ; g:i32[] h:i32[] i:f32[4]. let j:bool[] = lt h g in (j,) }
      cond_nconsts=1
    ] a 0:i32[] b
  in (c,) }`);
  });

  it("breaks a one-equation sub-jaxpr that would pass 80 columns", () => {
    const xs = [newVar(f32(1000, 1000)), newVar(f32(1000, 1000)), newVar(f32(1000, 1000))];
    const s = newVar(f32(1000, 1000));
    const inner = newJaxpr({ invars: xs.slice(0, 2), eqns: [makeEqn("add", {}, [xs[0]!, xs[1]!], [s])], outvars: [s] });
    const a = newVar(f32(1000, 1000));
    const b = newVar(f32(1000, 1000));
    const c = newVar(f32(1000, 1000));
    const j = newJaxpr({ invars: [a, b], eqns: [makeEqn("pjit", { jaxpr: inner, name: "add_big" }, [a, b], [c])], outvars: [c] });
    expect(printChecked(j)).toBe(`{ lambda ; a:f32[1000,1000] b:f32[1000,1000]. let
    c:f32[1000,1000] = pjit[
      jaxpr={ lambda ; d:f32[1000,1000] e:f32[1000,1000]. let
          f:f32[1000,1000] = add d e
        in (f,) }
      name=add_big
    ] a b
  in (c,) }`);
  });

  it("prints cond branches as a tuple, one jaxpr per line", () => {
    const idx = newVar(i32());
    const x = newVar(f32(3));
    const branch = (prim: "neg" | "sin" | null) => {
      const v = newVar(f32(3));
      if (prim === null) return newJaxpr({ invars: [v], eqns: [], outvars: [v] });
      const o = newVar(f32(3));
      return newJaxpr({ invars: [v], eqns: [makeEqn(prim, {}, [v], [o])], outvars: [o] });
    };
    const out = newVar(f32(3));
    const j = newJaxpr({
      invars: [idx, x],
      eqns: [makeEqn("cond", { branches: [branch("neg"), branch("sin"), branch(null)] }, [idx, x], [out])],
      outvars: [out],
    });
    expect(printChecked(j)).toBe(`{ lambda ; a:i32[] b:f32[3]. let
    c:f32[3] = cond[
      branches=(
        { lambda ; d:f32[3]. let e:f32[3] = neg d in (e,) }
        { lambda ; f:f32[3]. let g:f32[3] = sin f in (g,) }
        { lambda ; h:f32[3]. let  in (h,) }
      )
    ] a b
  in (c,) }`);
  });

  it("prints scan with its params", () => {
    const c = newVar(f32());
    const x = newVar(f32());
    const c2 = newVar(f32());
    const body = newJaxpr({ invars: [c, x], eqns: [makeEqn("add", {}, [c, x], [c2])], outvars: [c2, c2] });
    const init = newVar(f32());
    const xs = newVar(f32(6));
    const last = newVar(f32());
    const ys = newVar(f32(6));
    const j = newJaxpr({
      invars: [init, xs],
      eqns: [makeEqn("scan", { jaxpr: body, length: 6, reverse: true, num_consts: 0, num_carry: 1 }, [init, xs], [last, ys])],
      outvars: [last, ys],
    });
    expect(printChecked(j)).toBe(`{ lambda ; a:f32[] b:f32[6]. let
    c:f32[] d:f32[6] = scan[
      jaxpr={ lambda ; e:f32[] f:f32[]. let g:f32[] = add e f in (g, g) }
      length=6
      num_carry=1
      num_consts=0
      reverse=True
    ] a b
  in (c, d) }`);
  });

  it("prints pjit names plain when they are identifiers and quoted otherwise", () => {
    const mk = (name: string) => {
      const v = newVar(f32());
      const inner = newJaxpr({ invars: [v], eqns: [], outvars: [v] });
      const a = newVar(f32());
      const b = newVar(f32());
      return newJaxpr({ invars: [a], eqns: [makeEqn("pjit", { jaxpr: inner, name }, [a], [b])], outvars: [b] });
    };
    const expected = (name: string) => `{ lambda ; a:f32[]. let
    b:f32[] = pjit[
      jaxpr={ lambda ; c:f32[]. let  in (c,) }
      name=${name}
    ] a
  in (b,) }`;
    expect(printChecked(mk("<lambda>"))).toBe(expected("<lambda>"));
    expect(printChecked(mk("layer.0-fwd"))).toBe(expected("layer.0-fwd"));
    expect(printChecked(mk("two words"))).toBe(expected('"two words"'));
    expect(printChecked(mk("True"))).toBe(expected('"True"'));
    expect(printChecked(mk('q"uote\\'))).toBe(expected('"q\\"uote\\\\"'));
    expect(printChecked(mk(""))).toBe(expected('""'));
  });
});

describe("printEqn", () => {
  it("uses the names of the enclosing jaxpr, nested equations included", () => {
    const j = parse(`{ lambda ; a:i32[] b:f32[3]. let
    c:f32[3] = cond[
      branches=(
        { lambda ; d:f32[3]. let e:f32[3] = neg d in (e,) }
        { lambda ; f:f32[3]. let g:f32[3] = sin f in (g,) }
      )
    ] a b
    h:f32[3] = mul c b
  in (h,) }`);
    expect(printEqn(j.eqns[1]!, j)).toBe("h:f32[3] = mul c b");
    const cond = j.eqns[0]!;
    expect(printEqn(cond, j)).toBe("c:f32[3] = cond[ …]");
    const branch1 = (cond.params as { branches: readonly { eqns: readonly Eqn[] }[] }).branches[1]!;
    expect(printEqn(branch1.eqns[0]!, j)).toBe("g:f32[3] = sin f");
  });
});
