// JAX's test_while_constification_correctness (243 cases) and
// test_scan_constification_correctness (81 cases), ported: random loop bodies
// mixing in-place forwards (read by the cond or not), permuted forwards and
// real updates. Hoisting must never change results; the reference is the body
// applied twice in plain JS (float32 rounding via Math.fround).
import { describe, expect, it } from "vitest";
import type { Jaxpr } from "../../../src/ir/index.js";
import { jit, np, scan, vmap, whileLoop } from "../../../src/index.js";
import { expectAllClose } from "../../helpers/allclose.js";
import { mulberry32 as rng } from "../../helpers/random.js";

function shuffle<T>(xs: T[], r: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

type Kind = "fwdCond" | "fwd" | "perm" | "update" | "counter";
interface Case {
  kinds: Kind[];
  /** For "perm" carries: the other carry position they take their value from. */
  from: number[];
  consts: number[];
  init: number[];
}

function makeCase(seed: number, nConsts: number, nFwdCond: number, nFwd: number, nPerm: number, withCounter: boolean): Case {
  const r = rng(seed * 7919 + nConsts * 131 + nFwdCond * 17 + nFwd * 5 + nPerm);
  const kinds: Kind[] = shuffle(
    [
      ...Array<Kind>(nFwdCond).fill("fwdCond"),
      ...Array<Kind>(nFwd).fill("fwd"),
      ...Array<Kind>(nPerm).fill("perm"),
      ...Array<Kind>(4).fill("update"),
      ...(withCounter ? (["counter"] as Kind[]) : []),
    ],
    r,
  );
  const from = kinds.map((k, i) => {
    if (k !== "perm") return -1;
    const others = kinds.map((_, j) => j).filter((j) => j !== i && kinds[j] !== "counter");
    return others[Math.floor(r() * others.length)]!;
  });
  const consts = Array.from({ length: nConsts }, () => Math.fround(r() * 2 - 1));
  const init = kinds.map((k) => (k === "counter" ? 0 : Math.fround(r() * 4 - 2)));
  return { kinds, from, consts, init };
}

/** The body in plain JS, float32 semantics. */
function refBody(c: Case, x: number[]): number[] {
  const s = Math.fround(1 + c.consts.reduce((a, b) => Math.fround(a + b), 0));
  return c.kinds.map((k, i) => {
    switch (k) {
      case "fwdCond":
      case "fwd":
        return x[i]!;
      case "perm":
        return x[c.from[i]!]!;
      case "update":
        return Math.fround(Math.fround(Math.sin(x[i]!)) * s);
      case "counter":
        return x[i]! + 1;
    }
  });
}

/** The same body traced by tsjax: consts are closed over (they become body consts). */
function tracedBody(c: Case, consts: np.Array[]) {
  return (x: np.Array[]): np.Array[] => {
    let s: np.Array = np.array(1);
    for (const k of consts) s = s.add(k);
    return c.kinds.map((k, i) => {
      switch (k) {
        case "fwdCond":
        case "fwd":
          return x[i]!;
        case "perm":
          return x[c.from[i]!]!;
        case "update":
          return np.sin(x[i]!).mul(s);
        case "counter":
          return x[i]!.add(1);
      }
    });
  };
}

function whileProgram(c: Case) {
  const consts = c.consts.map((v) => np.array(v));
  const counterAt = c.kinds.indexOf("counter");
  const condUses = c.kinds.flatMap((k, i) => (k === "fwdCond" ? [i] : []));
  return (init: np.Array[]) =>
    whileLoop(
      (x: np.Array[]) => {
        // Two iterations, decided by the counter; the cond also *reads* the fwdCond carries.
        let p = x[counterAt]!.lt(2);
        for (const i of condUses) p = p.and(x[i]!.gt(-1e9));
        return p;
      },
      tracedBody(c, consts),
      init,
    );
}

const CASES: { name: string; c: Case }[] = [];
for (let seed = 0; seed < 3; seed++)
  for (let nConsts = 0; nConsts < 3; nConsts++)
    for (let nFwdCond = 0; nFwdCond < 3; nFwdCond++)
      for (let nFwd = 0; nFwd < 3; nFwd++)
        for (let nPerm = 0; nPerm < 3; nPerm++)
          CASES.push({
            name: `seed=${seed} consts=${nConsts} fwdCond=${nFwdCond} fwd=${nFwd} perm=${nPerm}`,
            c: makeCase(seed, nConsts, nFwdCond, nFwd, nPerm, true),
          });

function whileCarries(j: Jaxpr): number {
  const w = j.eqns.find((e) => e.prim === "while");
  return w ? w.outputs.length : 0;
}

describe("test_while_constification_correctness (243 cases)", () => {
  it("has JAX's 243 cases", () => expect(CASES.length).toBe(243));

  it.each(CASES)("$name", ({ c }) => {
    const expected = refBody(c, refBody(c, c.init));
    const init = c.init.map((v, i) => (c.kinds[i] === "counter" ? np.array(v, { dtype: "int32" }) : np.array(v)));
    const f = whileProgram(c);
    // Eager (no passes), jit with hoisting, jit without hoisting: all equal the reference.
    expectAllClose(f(init).map((a) => a.item()), expected, { rtol: 1e-6 });
    const hoisted = jit(f);
    expectAllClose(hoisted(init).map((a) => a.item()), expected, { rtol: 1e-6 });
    expectAllClose(jit(f, { hoistInvariantCarries: false })(init).map((a) => a.item()), expected, { rtol: 1e-6 });
    // Exactly the in-place forwards were hoisted (cond-read ones too), never the permuted ones.
    const nInPlace = c.kinds.filter((k) => k === "fwdCond" || k === "fwd").length;
    const j = hoisted.lower(init);
    expect(whileCarries(j)).toBe(nInPlace === c.kinds.length ? 0 : c.kinds.length - nInPlace);
  });

  it("hoisting is also invisible under vmap with every carry batched", () => {
    for (const { c } of CASES.filter((_, k) => k % 9 === 0)) {
      const lanes = [0, 1, 2];
      const init = c.kinds.map((k, i) =>
        k === "counter" ? np.array(lanes.map(() => 0), { dtype: "int32" }) : np.array(lanes.map((l) => Math.fround(c.init[i]! + l * 0.25))),
      );
      const expected = lanes.map((l) => refBody(c, refBody(c, c.init.map((v, i) => (c.kinds[i] === "counter" ? v : Math.fround(v + l * 0.25))))));
      const out = vmap(whileProgram(c))(init) as np.Array[];
      const got = lanes.map((l) => out.map((a) => (a.toArray() as number[])[l]!));
      expectAllClose(got, expected, { rtol: 1e-6 });
    }
  });
});

describe("test_scan_constification_correctness (81 cases)", () => {
  const SCAN_CASES: { name: string; c: Case }[] = [];
  for (let seed = 0; seed < 3; seed++)
    for (let nConsts = 0; nConsts < 3; nConsts++)
      for (let nFwd = 0; nFwd < 3; nFwd++)
        for (let nPerm = 0; nPerm < 3; nPerm++)
          SCAN_CASES.push({ name: `seed=${seed} consts=${nConsts} fwd=${nFwd} perm=${nPerm}`, c: makeCase(seed + 10, nConsts, 0, nFwd, nPerm, false) });

  it("has JAX's 81 cases", () => expect(SCAN_CASES.length).toBe(81));

  it.each(SCAN_CASES)("$name", ({ c }) => {
    const expected = refBody(c, refBody(c, c.init));
    const consts = c.consts.map((v) => np.array(v));
    const body = tracedBody(c, consts);
    const f = (init: np.Array[]) => scan((x: np.Array[], _: null) => [body(x), null], init, null, { length: 2 })[0];
    const init = c.init.map((v) => np.array(v));
    expectAllClose(f(init).map((a) => a.item()), expected, { rtol: 1e-6 });
    const hoisted = jit(f);
    expectAllClose(hoisted(init).map((a) => a.item()), expected, { rtol: 1e-6 });
    const scanEqn = hoisted.lower(init).eqns.find((e) => e.prim === "scan");
    const nFwd = c.kinds.filter((k) => k === "fwd").length;
    expect(scanEqn ? (scanEqn.params as { num_carry: number }).num_carry : 0).toBe(nFwd === c.kinds.length ? 0 : c.kinds.length - nFwd);
  });
});
