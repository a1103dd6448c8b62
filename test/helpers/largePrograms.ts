// Programs built directly as IR for the size and nesting tests (#11 item 9):
// straight chains and wide trees of a hundred thousand equations, and
// jaxprs nested up to MAX_JAXPR_NESTING deep. Each builder documents the
// value its program computes, derived by hand from its construction, so
// tests compare against that rather than against another run of tsjax.
import { type Eqn, type Jaxpr, type Var, lit, makeEqn, newJaxpr, newVar } from "../../src/ir/core.js";
import { type DType, aval } from "../../src/ir/dtype.js";
import { subJaxprs } from "../../src/ir/traverse.js";

const scalar = (dtype: DType) => aval(dtype, []);
const f32 = scalar("float32");
const i32 = scalar("int32");

/**
 * `steps` × (`mul y 1.01`, `tanh`) on f32[n]: the chain of the issue, 2·steps
 * equations, each reading the previous result. Computes t ↦ tanh(1.01·t)
 * `steps` times (reference: `tanhChainReference`).
 */
export function tanhChain(steps: number, n: number): Jaxpr {
  const a = aval("float32", [n]);
  const x = newVar(a);
  const eqns: Eqn[] = [];
  let y: Var = x;
  for (let i = 0; i < steps; i++) {
    const m = newVar(a);
    const t = newVar(a);
    eqns.push(makeEqn("mul", {}, [y, lit(1.01, f32)], [m]), makeEqn("tanh", {}, [m], [t]));
    y = t;
  }
  return newJaxpr({ invars: [x], eqns, outvars: [y] });
}

/** The tanh chain in JavaScript, rounding to float32 after every operation as the interpreter does. */
export function tanhChainReference(x: number, steps: number): number {
  let y = Math.fround(x);
  for (let i = 0; i < steps; i++) y = Math.fround(Math.tanh(Math.fround(y * Math.fround(1.01))));
  return y;
}

/**
 * `steps` × 5 equations on f32[n], each step turning y into y + 1 with work
 * every pass removes:
 *
 *     a = add y 1.0     b = add y 1.0 (cse: a)     c = mul b 1.0 (simplify: b)
 *     d = neg y (dead: dce)                        y' = max a c
 *
 * Computes x + steps (exact in float32 while |x| + steps < 2^23).
 */
export function stepChain(steps: number, n: number): Jaxpr {
  const a = aval("float32", [n]);
  const x = newVar(a);
  const eqns: Eqn[] = [];
  let y: Var = x;
  for (let i = 0; i < steps; i++) {
    const [p, q, c, d, next] = [newVar(a), newVar(a), newVar(a), newVar(a), newVar(a)];
    eqns.push(
      makeEqn("add", {}, [y, lit(1, f32)], [p]),
      makeEqn("add", {}, [y, lit(1, f32)], [q]),
      makeEqn("mul", {}, [q, lit(1, f32)], [c]),
      makeEqn("neg", {}, [y], [d]),
      makeEqn("max", {}, [p, c], [next]),
    );
    y = next;
  }
  return newJaxpr({ invars: [x], eqns, outvars: [y] });
}

/**
 * A wide program on i32[n]: `leaves` independent equations `x + k`
 * (k = 0 … leaves-1), summed by a balanced tree of `leaves - 1` adds (depth
 * log2(leaves)). Computes leaves·x + leaves·(leaves-1)/2.
 */
export function wideSum(leaves: number, n: number): Jaxpr {
  const a = aval("int32", [n]);
  const x = newVar(a);
  const eqns: Eqn[] = [];
  let layer: Var[] = [];
  for (let k = 0; k < leaves; k++) {
    const o = newVar(a);
    eqns.push(makeEqn("add", {}, [x, lit(k, i32)], [o]));
    layer.push(o);
  }
  while (layer.length > 1) {
    const next: Var[] = [];
    for (let i = 0; i + 1 < layer.length; i += 2) {
      const o = newVar(a);
      eqns.push(makeEqn("add", {}, [layer[i]!, layer[i + 1]!], [o]));
      next.push(o);
    }
    if (layer.length % 2) next.push(layer[layer.length - 1]!);
    layer = next;
  }
  return newJaxpr({ invars: [x], eqns, outvars: [layer[0]!] });
}

export type NestKind = "while" | "cond" | "scan" | "pjit";
export const NEST_KINDS: readonly NestKind[] = ["while", "cond", "scan", "pjit"];

/**
 * x:f32[] ↦ x + levels + 1, as `levels` control-flow equations of `kind`
 * nested inside each other around an innermost `x + 1`, each level adding 1
 * to what the level inside it returns. Its nesting depth (ir nestingDepth,
 * the top level counting 1) is levels + 1.
 *
 *   while: carry (i, x) while i < 1 — the body runs once and holds the next level;
 *   cond:  index computed at run time (x > -1e30, so branch 1: the next level;
 *          branch 0 returns x), so no backend can inline a branch statically;
 *   scan:  length 1 over the carry x;
 *   pjit:  a call of the next level.
 */
export function nestedProgram(kind: NestKind, levels: number): Jaxpr {
  let j: Jaxpr;
  {
    const x = newVar(f32);
    const o = newVar(f32);
    j = newJaxpr({ invars: [x], eqns: [makeEqn("add", {}, [x, lit(1, f32)], [o])], outvars: [o] });
  }
  for (let level = 0; level < levels; level++) j = wrapLevel(kind, j);
  return j;
}

/** (x ↦ y) to (x ↦ kind[inner](x) + 1). */
function wrapLevel(kind: NestKind, inner: Jaxpr): Jaxpr {
  const x = newVar(f32);
  const o = newVar(f32);
  const r = newVar(f32);
  const eqns: Eqn[] = [];
  switch (kind) {
    case "pjit":
      eqns.push(makeEqn("pjit", { jaxpr: inner, name: "level" }, [x], [o]));
      break;
    case "scan":
      eqns.push(makeEqn("scan", { jaxpr: inner, length: 1, reverse: false, num_consts: 0, num_carry: 1 }, [x], [o]));
      break;
    case "cond": {
      const [p, index] = [newVar(scalar("bool")), newVar(i32)];
      const y = newVar(f32);
      const passThrough = newJaxpr({ invars: [y], eqns: [], outvars: [y] });
      eqns.push(
        makeEqn("gt", {}, [x, lit(-1e30, f32)], [p]),
        makeEqn("convert_element_type", { new_dtype: "int32" }, [p], [index]),
        makeEqn("cond", { branches: [passThrough, inner] }, [index, x], [o]),
      );
      break;
    }
    case "while": {
      const [ci, cx, pred] = [newVar(i32), newVar(f32), newVar(scalar("bool"))];
      const condJaxpr = newJaxpr({ invars: [ci, cx], eqns: [makeEqn("lt", {}, [ci, lit(1, i32)], [pred])], outvars: [pred] });
      const [bi, ni] = [newVar(i32), newVar(i32)];
      // The body is the inner program's own scope with the counter added: the next level nests inside it.
      const body = newJaxpr({ invars: [bi, ...inner.invars], eqns: [makeEqn("add", {}, [bi, lit(1, i32)], [ni]), ...inner.eqns], outvars: [ni, ...inner.outvars] });
      eqns.push(makeEqn("while", { cond_jaxpr: condJaxpr, body_jaxpr: body, cond_nconsts: 0, body_nconsts: 0 }, [lit(0, i32), x], [newVar(i32), o]));
      break;
    }
  }
  eqns.push(makeEqn("add", {}, [o, lit(1, f32)], [r]));
  return newJaxpr({ invars: [x], eqns, outvars: [r] });
}

/** x:f32[n] ↦ x + calls, as `calls` pjit equations in a chain, each calling `y ↦ y + 1` (2·calls equations in all). */
export function callChain(calls: number, n: number): Jaxpr {
  const a = aval("float32", [n]);
  const x = newVar(a);
  const eqns: Eqn[] = [];
  let y: Var = x;
  for (let i = 0; i < calls; i++) {
    const [p, q, o] = [newVar(a), newVar(a), newVar(a)];
    const body = newJaxpr({ invars: [p], eqns: [makeEqn("add", {}, [p, lit(1, f32)], [q])], outvars: [q] });
    eqns.push(makeEqn("pjit", { jaxpr: body, name: "step" }, [y], [o]));
    y = o;
  }
  return newJaxpr({ invars: [x], eqns, outvars: [y] });
}

/**
 * (c:f32[n], acc:f32[n]) ↦ acc + 3·(c + chain): a while loop running 3
 * times whose body computes `c + chain` from its const c by a chain of
 * `chain` adds of 1 (loop-invariant: licm hoists all of it) and adds it to
 * the carry acc.
 */
export function invariantLoop(chain: number, n: number): Jaxpr {
  const a = aval("float32", [n]);
  const [c, acc] = [newVar(a), newVar(a)];
  const [ci, cacc, pred] = [newVar(i32), newVar(a), newVar(scalar("bool"))];
  const condJaxpr = newJaxpr({ invars: [ci, cacc], eqns: [makeEqn("lt", {}, [ci, lit(3, i32)], [pred])], outvars: [pred] });
  const [bc, bi, bacc, ni, nacc] = [newVar(a), newVar(i32), newVar(a), newVar(i32), newVar(a)];
  const eqns: Eqn[] = [makeEqn("add", {}, [bi, lit(1, i32)], [ni])];
  let y: Var = bc;
  for (let k = 0; k < chain; k++) {
    const o = newVar(a);
    eqns.push(makeEqn("add", {}, [y, lit(1, f32)], [o]));
    y = o;
  }
  eqns.push(makeEqn("add", {}, [bacc, y], [nacc]));
  const body = newJaxpr({ invars: [bc, bi, bacc], eqns, outvars: [ni, nacc] });
  const [oi, oacc] = [newVar(i32), newVar(a)];
  const loop = makeEqn("while", { cond_jaxpr: condJaxpr, body_jaxpr: body, cond_nconsts: 0, body_nconsts: 1 }, [c, lit(0, i32), acc], [oi, oacc]);
  return newJaxpr({ invars: [c, acc], eqns: [loop], outvars: [oacc] });
}

/**
 * (m:f32[n]) ↦ (m, 3): a while loop running 3 times whose carry m goes
 * through a chain of `chain` equations that each provably return their
 * operand (`select_n(p, y, y)`, `mul y 1.0`, a reshape to its own shape, in
 * turn) — an
 * invariant carry that hoist-invariant-carries must see through the whole
 * chain to make a loop const.
 */
export function forwardingLoop(chain: number, n: number): Jaxpr {
  const a = aval("float32", [n]);
  const m = newVar(a);
  const [ci, cm, pred] = [newVar(i32), newVar(a), newVar(scalar("bool"))];
  const condJaxpr = newJaxpr({ invars: [ci, cm], eqns: [makeEqn("lt", {}, [ci, lit(3, i32)], [pred])], outvars: [pred] });
  const [bi, bm, ni, p] = [newVar(i32), newVar(a), newVar(i32), newVar(scalar("bool"))];
  const eqns: Eqn[] = [makeEqn("add", {}, [bi, lit(1, i32)], [ni]), makeEqn("lt", {}, [bi, lit(2, i32)], [p])];
  let y: Var = bm;
  for (let k = 0; k < chain; k++) {
    const o = newVar(a);
    if (k % 3 === 0) eqns.push(makeEqn("select_n", {}, [p, y, y], [o]));
    else if (k % 3 === 1) eqns.push(makeEqn("mul", {}, [y, lit(1, f32)], [o]));
    else eqns.push(makeEqn("reshape", { new_sizes: [n] }, [y], [o]));
    y = o;
  }
  const body = newJaxpr({ invars: [bi, bm], eqns, outvars: [ni, y] });
  const [oi, om] = [newVar(i32), newVar(a)];
  const loop = makeEqn("while", { cond_jaxpr: condJaxpr, body_jaxpr: body, cond_nconsts: 0, body_nconsts: 0 }, [lit(0, i32), m], [oi, om]);
  return newJaxpr({ invars: [m], eqns: [loop], outvars: [om, oi] });
}

/** Equations in `j` and all its sub-jaxprs. */
export function countEqns(j: Jaxpr): number {
  let n = 0;
  const stack = [j];
  while (stack.length) {
    const x = stack.pop()!;
    n += x.eqns.length;
    for (const e of x.eqns) for (const s of subJaxprs(e)) stack.push(s);
  }
  return n;
}

/**
 * A loop with `carries` f32[n] carries, run twice, whose body updates every
 * carry from itself and its neighbour: c[k] ← c[k] + c[(k+1) mod carries]
 * (simultaneously; 1 + carries body equations). Inputs: the initial carries;
 * outputs: the final ones (reference: `ringLoopReference`).
 */
export function ringLoop(carries: number, n: number): Jaxpr {
  const a = aval("float32", [n]);
  const xs = Array.from({ length: carries }, () => newVar(a));
  const [ci, pred] = [newVar(i32), newVar(scalar("bool"))];
  const condJaxpr = newJaxpr({ invars: [ci, ...xs.map(() => newVar(a))], eqns: [makeEqn("lt", {}, [ci, lit(2, i32)], [pred])], outvars: [pred] });
  const [bi, ni] = [newVar(i32), newVar(i32)];
  const cs = xs.map(() => newVar(a));
  const eqns: Eqn[] = [makeEqn("add", {}, [bi, lit(1, i32)], [ni])];
  const next = cs.map((c, k) => {
    const o = newVar(a);
    eqns.push(makeEqn("add", {}, [c, cs[(k + 1) % carries]!], [o]));
    return o;
  });
  const body = newJaxpr({ invars: [bi, ...cs], eqns, outvars: [ni, ...next] });
  const outs = [newVar(i32), ...xs.map(() => newVar(a))];
  const loop = makeEqn("while", { cond_jaxpr: condJaxpr, body_jaxpr: body, cond_nconsts: 0, body_nconsts: 0 }, [lit(0, i32), ...xs], outs);
  return newJaxpr({ invars: xs, eqns: [loop], outvars: outs.slice(1) });
}

/** `ringLoop` on plain numbers (exact while the values stay small integers). */
export function ringLoopReference(init: readonly number[]): number[] {
  let c = [...init];
  for (let step = 0; step < 2; step++) c = c.map((x, k) => x + c[(k + 1) % c.length]!);
  return c;
}
