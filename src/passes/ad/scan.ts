// Differentiation of `scan` (and of `foriLoop` with static bounds, which is a
// scan): forward mode, partial evaluation and transposition.
//
// - jvp: one scan over primals and tangents. A carry has a tangent if its init
//   has one or the body gives it one from the tangents it has (a least
//   fixpoint, as for batching); consts and xs keep the tangents they have.
// - partial eval (JAX's `_scan_partial_eval`): the same fixpoint over which
//   carries are unknown, then the body splits into a known body, run now as a
//   scan that also returns each iteration's residuals as extra ys, and an
//   unknown body, run later as a scan over those. Residuals that are loop
//   constants (known consts, or computed from them only) are hoisted out and
//   passed unstacked; residuals that are known xs are passed as the xs
//   themselves, not copied into new ys (jax #4510).
// - transpose: a scan in the other direction whose carries are the
//   carries' cotangents and, zero-initialised, the accumulated cotangents of
//   the linear consts; the xs' cotangents come out as its ys.

import { type Atom, type Eqn, type Jaxpr, type Var, makeEqn, newJaxpr, newVar } from "../../ir/core.js";
import type { Aval } from "../../ir/dtype.js";
import { scanParts } from "../../ir/loopOperands.js";
import type { Params } from "../../ir/primitives.js";
import { type Recursion, recurse } from "../../ir/trampoline.js";
import { freshCopy } from "../util/fresh.js";
import { carryFixpoint } from "./carryFixpoint.js";
import { jvpJaxprRec } from "./jvp.js";
import { partialEvalJaxprRec } from "./partialEval.js";
import { type JvpResult, type LinearInput, type Ops, type PartialEqn, type Tangent, differentiable } from "./rules.js";
import { transposeJaxprRec } from "./transpose.js";

const stacked = (a: Aval, length: number): Aval => ({ dtype: a.dtype, shape: [length, ...a.shape] });

/** Forward mode: one scan over (consts, const tangents, carries, carry tangents, xs, xs tangents). */
export function* scanJvp(ops: Ops, primals: readonly Atom[], tangents: readonly Tangent[], params: Params["scan"]): Recursion<JvpResult> {
  const { jaxpr, num_consts: nc, num_carry: nk } = params;
  const t = scanParts(tangents, params);
  const p = scanParts(primals, params);
  const constNz = t.consts.map((x) => x !== null);
  const xsNz = t.xs.map((x) => x !== null);
  const nYs = jaxpr.outvars.length - nk;
  const noInstantiate = jaxpr.outvars.map(() => false);
  const { flags: carryNz } = yield* carryFixpoint(
    t.carries.map((x, i) => x !== null && differentiable(p.carries[i]!.aval)),
    (nz) => jvpJaxprRec(jaxpr, [...constNz, ...nz, ...xsNz], noInstantiate),
    (r) => r.outTangents,
  );
  const d = yield* recurse(jvpJaxprRec(jaxpr, [...constNz, ...carryNz, ...xsNz], [...carryNz, ...Array.from({ length: nYs }, () => false)]));
  // d.jaxpr: (consts, carries, xs, const tangents, carry tangents, xs tangents) → (carries, ys, carry tangents, ys tangents).
  const ins = d.jaxpr.invars;
  const nt = (flags: readonly boolean[]): number => flags.filter(Boolean).length;
  const [ntc, ntk, ntx] = [nt(constNz), nt(carryNz), nt(xsNz)];
  const nx = p.xs.length;
  const base = nc + nk + nx;
  const body = newJaxpr({
    invars: [
      ...ins.slice(0, nc), ...ins.slice(base, base + ntc),
      ...ins.slice(nc, nc + nk), ...ins.slice(base + ntc, base + ntc + ntk),
      ...ins.slice(nc + nk, base), ...ins.slice(base + ntc + ntk),
    ],
    eqns: d.jaxpr.eqns,
    outvars: (() => {
      const o = d.jaxpr.outvars;
      const n = nk + nYs;
      return [...o.slice(0, nk), ...o.slice(n, n + ntk), ...o.slice(nk, n), ...o.slice(n + ntk)];
    })(),
  });
  const nonNull = (xs: readonly Tangent[]): Atom[] => xs.filter((x): x is Atom => x !== null);
  const carryTangents = p.carries.flatMap((c, i) => (carryNz[i] ? [ops.instantiate(t.carries[i]!, c.aval)] : []));
  const outs = ops.emit(
    "scan",
    { ...params, jaxpr: body, num_consts: nc + ntc, num_carry: nk + ntk },
    [...p.consts, ...nonNull(t.consts), ...p.carries, ...carryTangents, ...p.xs, ...nonNull(t.xs)],
  );
  const ysTangentFlags = d.outTangents.slice(nk);
  let kc = nk;
  let ky = nk + ntk + nYs;
  return {
    primals: [...outs.slice(0, nk), ...outs.slice(nk + ntk, nk + ntk + nYs)],
    tangents: [...carryNz.map((nz) => (nz ? outs[kc++]! : null)), ...ysTangentFlags.map((nz) => (nz ? outs[ky++]! : null))],
  };
}

/** Which known invars of the body the computed residuals depend on only through loop constants: the equations to hoist, in order. */
export function invariantEqns(known: Jaxpr, constVars: ReadonlySet<number>, wanted: readonly Atom[]): { eqns: Eqn[]; invariant: Set<number> } {
  const invariant = new Set(constVars);
  const inv: Eqn[] = [];
  for (const e of known.eqns) {
    if (e.inputs.every((a) => a.kind === "lit" || invariant.has(a.id))) {
      inv.push(e);
      e.outputs.forEach((o) => invariant.add(o.id));
    }
  }
  // Only what the wanted residuals need.
  const needed = new Set(wanted.filter((a): a is Var => a.kind === "var").map((a) => a.id));
  const eqns: Eqn[] = [];
  for (let k = inv.length - 1; k >= 0; k--) {
    const e = inv[k]!;
    if (!e.outputs.some((o) => needed.has(o.id))) continue;
    eqns.unshift(e);
    e.inputs.forEach((a) => a.kind === "var" && needed.add(a.id));
  }
  return { eqns, invariant };
}

/** The equations copied with fresh output vars, reading `subst` for the vars they were given. */
export function copyEqns(eqns: readonly Eqn[], subst: Map<number, Atom>): Eqn[] {
  const s = (a: Atom): Atom => (a.kind === "lit" ? a : (subst.get(a.id) ?? a));
  return eqns.map((e) => {
    const outs = e.outputs.map((o) => {
      const v = newVar(o.aval);
      subst.set(o.id, v);
      return v;
    });
    return { ...e, inputs: e.inputs.map(s), outputs: outs } as Eqn;
  });
}

/**
 * Partial evaluation: a known scan (known consts, carries and xs → known
 * carries, known ys, stacked residuals) and an unknown scan (hoisted and const
 * residuals, unknown consts; unknown carries; stacked residuals, known xs
 * read as residuals, unknown xs → unknown carries and ys).
 */
export function* scanPartialEval(eqn: Eqn<"scan">, unknownIns: readonly boolean[]): Recursion<PartialEqn> {
  const params = eqn.params;
  const { jaxpr, length, num_consts: nc, num_carry: nk } = params;
  const uk = scanParts(unknownIns, params);
  const ops = scanParts(eqn.inputs, params);
  const nYs = jaxpr.outvars.length - nk;
  const { flags: carryUk, result: p } = yield* carryFixpoint(
    uk.carries,
    (f) => partialEvalJaxprRec(jaxpr, [...uk.consts, ...f, ...uk.xs], [...f, ...Array.from({ length: nYs }, () => false)]),
    (r) => r.outUnknown,
  );
  const ysUk = p.outUnknown.slice(nk);
  const bodyUk = [...uk.consts, ...carryUk, ...uk.xs];
  // Known body invars, and what each is: const, carry or x (with its operand index).
  const knownIns = jaxpr.invars.map((v, i) => ({ v, i })).filter(({ i }) => !bodyUk[i]);
  const groupOf = (i: number): "const" | "carry" | "x" => (i < nc ? "const" : i < nc + nk ? "carry" : "x");
  const nKnownOuts = p.outUnknown.filter((u) => !u).length;
  const computed = p.known.outvars.slice(nKnownOuts);
  const constVarIds = new Set(knownIns.filter(({ i }) => groupOf(i) === "const").map(({ v }) => v.id));
  const { eqns: hoistEqns, invariant } = invariantEqns(p.known, constVarIds, computed);

  // Classify the residuals (in p.unknown's invar order).
  type Res = { kind: "hoisted"; atom: Atom } | { kind: "const"; operand: Atom } | { kind: "x"; operand: Atom } | { kind: "stacked"; value: Atom };
  const subst = new Map<number, Atom>();
  knownIns.forEach(({ v, i }) => groupOf(i) === "const" && subst.set(v.id, ops.consts[i]!));
  const hoisted = copyEqns(hoistEqns, subst);
  const residuals: Res[] = p.residuals.map((r) => {
    if (r.kind === "input") {
      const { v, i } = knownIns[r.index]!;
      const g = groupOf(i);
      if (g === "const") return { kind: "const", operand: eqn.inputs[i]! };
      if (g === "x") return { kind: "x", operand: eqn.inputs[i]! };
      return { kind: "stacked", value: v };
    }
    const c = computed[r.index]!;
    if (c.kind === "lit") return { kind: "hoisted", atom: c };
    if (invariant.has(c.id)) return { kind: "hoisted", atom: subst.get(c.id) ?? c };
    return { kind: "stacked", value: c };
  });

  // The known scan: its body returns the stacked residuals after its ys.
  const stackedValues = residuals.flatMap((r) => (r.kind === "stacked" ? [r.value] : []));
  const knownBody = newJaxpr({ invars: p.known.invars, eqns: p.known.eqns, outvars: [...p.known.outvars.slice(0, nKnownOuts), ...stackedValues] });
  const knownCarryOuts = eqn.outputs.slice(0, nk).filter((_, i) => !carryUk[i]);
  const knownYOuts = eqn.outputs.slice(nk).filter((_, i) => !ysUk[i]);
  const stackedOuts = stackedValues.map((v) => newVar(stacked(v.aval, length)));
  const knownOperands = eqn.inputs.filter((_, i) => !bodyUk[i]);
  const knownScan = makeEqn(
    "scan",
    // Fresh binders: the known and unknown bodies come from one body and share its vars.
    { ...params, jaxpr: freshCopy(knownBody), num_consts: uk.consts.filter((u) => !u).length, num_carry: nk - carryUk.filter(Boolean).length },
    knownOperands,
    [...knownCarryOuts, ...knownYOuts, ...stackedOuts],
  );
  if (!carryUk.some(Boolean) && !ysUk.some(Boolean)) return { known: [...hoisted, knownScan], unknown: [] };

  // The unknown scan: its body's invars are p.unknown's, reordered as consts, carries, xs.
  const resVars = p.unknown.invars.slice(0, p.residuals.length);
  const ukIns = p.unknown.invars.slice(p.residuals.length);
  const nUkConsts = uk.consts.filter(Boolean).length;
  const nUkCarry = carryUk.filter(Boolean).length;
  const pick = (kinds: readonly Res["kind"][]): { vars: Var[]; operands: Atom[] } => {
    const vars: Var[] = [];
    const operands: Atom[] = [];
    let s = 0;
    residuals.forEach((r, i) => {
      const operand = r.kind === "hoisted" ? r.atom : r.kind === "stacked" ? stackedOuts[s++]! : r.operand;
      if (!kinds.includes(r.kind)) return;
      vars.push(resVars[i]!);
      operands.push(operand);
    });
    return { vars, operands };
  };
  const constRes = pick(["hoisted", "const"]);
  const xsRes = pick(["stacked", "x"]);
  const unknownBody = newJaxpr({
    invars: [...constRes.vars, ...ukIns.slice(0, nUkConsts), ...ukIns.slice(nUkConsts, nUkConsts + nUkCarry), ...xsRes.vars, ...ukIns.slice(nUkConsts + nUkCarry)],
    eqns: p.unknown.eqns,
    outvars: p.unknown.outvars,
  });
  const unknownScan = makeEqn(
    "scan",
    { ...params, jaxpr: freshCopy(unknownBody), num_consts: constRes.vars.length + nUkConsts, num_carry: nUkCarry },
    [...constRes.operands, ...ops.consts.filter((_, i) => uk.consts[i]), ...ops.carries.filter((_, i) => carryUk[i]), ...xsRes.operands, ...ops.xs.filter((_, i) => uk.xs[i])],
    [...eqn.outputs.slice(0, nk).filter((_, i) => carryUk[i]), ...eqn.outputs.slice(nk).filter((_, i) => ysUk[i])],
  );
  return { known: [...hoisted, knownScan], unknown: [unknownScan] };
}

/**
 * Reverse mode: the scan run backwards. Carries: the accumulated cotangents of
 * the linear consts (from zeros), then the carries' cotangents; xs: the ys'
 * cotangents, then the non-linear xs (residuals); ys: the linear xs'
 * cotangents. Every carry is treated as linear (a carry whose init is a
 * known value, such as instantiated zeros, just gets no cotangent).
 */
export function* scanTranspose(ops: Ops, cts: readonly Tangent[], inputs: readonly LinearInput[], params: Params["scan"]): Recursion<Tangent[]> {
  const { jaxpr, length, reverse, num_consts: nc, num_carry: nk } = params;
  if (cts.every((c) => c === null)) return inputs.map(() => null);
  const parts = scanParts(inputs, params);
  const constLin = parts.consts.map((x) => x.linear);
  const xsLin = parts.xs.map((x) => x.linear);
  const bodyLinear = [...constLin, ...parts.carries.map(() => true), ...xsLin];
  const t = yield* recurse(transposeJaxprRec(jaxpr, bodyLinear));
  // t: (non-linear consts, non-linear xs, carry-out cts, y cts) → (linear const cts, carry cts, linear x cts).
  const nResC = constLin.filter((l) => !l).length;
  const nResX = xsLin.filter((l) => !l).length;
  const nLinC = nc - nResC;
  const resC = t.invars.slice(0, nResC);
  const resX = t.invars.slice(nResC, nResC + nResX);
  const ctCarry = t.invars.slice(nResC + nResX, nResC + nResX + nk);
  const ctY = t.invars.slice(nResC + nResX + nk);
  const accIns = t.outvars.slice(0, nLinC).map((o) => newVar(o.aval));
  const accEqns = accIns.map((acc, i) => makeEqn("add", {}, [acc, t.outvars[i]!], [newVar(acc.aval)]));
  const body = newJaxpr({
    invars: [...resC, ...accIns, ...ctCarry, ...ctY, ...resX],
    eqns: [...t.eqns, ...accEqns],
    outvars: [...accEqns.map((e) => e.outputs[0]!), ...t.outvars.slice(nLinC)],
  });
  const outAvals = jaxpr.outvars.map((o) => o.aval);
  const ctCarryIns = cts.slice(0, nk).map((c, i) => ops.instantiate(c, outAvals[i]!));
  const ctYIns = cts.slice(nk).map((c, i) => ops.instantiate(c, stacked(outAvals[nk + i]!, length)));
  const outs = ops.emit(
    "scan",
    { jaxpr: body, length, reverse: !reverse, num_consts: nResC, num_carry: nLinC + nk },
    [
      ...parts.consts.filter((x) => !x.linear).map((x) => x.atom),
      ...accIns.map((a) => ops.zeros(a.aval)),
      ...ctCarryIns,
      ...ctYIns,
      ...parts.xs.filter((x) => !x.linear).map((x) => x.atom),
    ],
  );
  let c = 0;
  let k = nLinC;
  let y = nLinC + nk;
  return [
    ...parts.consts.map((x) => (x.linear ? outs[c++]! : null)),
    ...parts.carries.map((x) => {
      const ct = outs[k++]!;
      return x.linear ? ct : null;
    }),
    ...parts.xs.map((x) => (x.linear ? outs[y++]! : null)),
  ];
}
