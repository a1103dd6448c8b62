// Differentiation of `cond` (and so of `switchCase`): forward mode, partial
// evaluation and transposition, each branch transformed by the drivers.
//
// - jvp: every branch is differentiated with the same nonzero tangent inputs;
//   an output has a tangent if it has one in any branch, and every branch then
//   instantiates it (zeros where that branch's is a symbolic zero).
// - partial eval: the index is a primal, so it is known; each branch splits
//   into a known and an unknown part with the same unknown outputs. The known
//   cond returns each branch's residuals in slots merged across branches by
//   type, zeros where a branch has nothing to put (JAX's
//   `_cond_partial_eval`); the unknown cond runs on the same index.
// - transpose: a cond on the same index over the transposed branches.
//
// A batched index (vmap of a cond on a per-row predicate) selects each row's
// outputs from its own branch, and tsjax runs a branch only on the rows that
// took it, so a branch's NaN on rows it did not take (`sqrt` at 0 under
// `x < eps`) never reaches them, forwards or backwards. Its outputs must have
// the index shape as a prefix: a residual without it (computed from values
// shared by all rows) is recomputed in the unknown branch instead.

import { type Atom, type Eqn, type Jaxpr, type Var, makeEqn, newJaxpr, newVar } from "../../ir/core.js";
import { type Aval, type Shape, avalsEqual, isShapePrefix, shapesEqual } from "../../ir/dtype.js";
import { FAMILIES } from "../../ir/prims/index.js";
import type { Params } from "../../ir/primitives.js";
import { type Recursion, recurse } from "../../ir/trampoline.js";
import { Emitter } from "../batch/emitter.js";
import { freshCopy } from "../util/fresh.js";
import { type Subst, substJaxpr } from "../util/subst.js";
import { jvpJaxprRec } from "./jvp.js";
import { type PartialJaxpr, partialEvalJaxprRec } from "./partialEval.js";
import { type JvpResult, type LinearInput, Ops, type PartialEqn, type Tangent, differentiable } from "./rules.js";
import { transposeJaxprRec } from "./transpose.js";
import { emptyTape } from "./replay.js";

/** Forward mode: a cond over the branches' jvps, with the union of their nonzero output tangents instantiated in every branch. */
export function* condJvp(ops: Ops, primals: readonly Atom[], tangents: readonly Tangent[], { branches }: Params["cond"]): Recursion<JvpResult> {
  const [index, ...operands] = primals;
  const nonzero = tangents.slice(1).map((t) => t !== null);
  const outs = branches[0]!.outvars;
  let union = outs.map(() => false);
  for (const b of branches) {
    const d = yield* recurse(jvpJaxprRec(b, nonzero, outs.map(() => false)));
    union = union.map((u, i) => u || d.outTangents[i]!);
  }
  const instantiate = union.map((u, i) => u && differentiable(outs[i]!.aval));
  const jvps: Jaxpr[] = [];
  for (const b of branches) jvps.push((yield* recurse(jvpJaxprRec(b, nonzero, instantiate))).jaxpr);
  const tangentIns = tangents.slice(1).filter((t): t is Atom => t !== null);
  const res = ops.emit("cond", { branches: jvps }, [index!, ...operands, ...tangentIns]);
  const n = outs.length;
  let k = n;
  return { primals: res.slice(0, n), tangents: outs.map((_, i) => (instantiate[i] ? res[k++]! : null)) };
}

/** A jaxpr with its invars reordered (every var of `invars` must be one of j's inputs or unused in j). */
function withInvars(j: Jaxpr, invars: readonly Var[], outvars: readonly Atom[] = j.outvars, extraEqns: readonly Eqn[] = []): Jaxpr {
  return newJaxpr({ invars, eqns: [...j.eqns, ...extraEqns], outvars });
}

/**
 * A body copied with fresh binders: the known and unknown parts of a split
 * body share vars (and nested bodies), and each may be bound only once in a
 * program.
 */
const fresh = freshCopy;

/** Residual slots of the known cond: computed residuals of every branch, merged by type (a slot holds one residual per branch). */
interface Slots {
  readonly avals: Aval[];
  /** Per branch, per computed residual of it: its slot. */
  readonly slotOf: number[][];
}

function mergeResiduals(perBranch: readonly (readonly Aval[])[]): Slots {
  const avals: Aval[] = [];
  const slotOf = perBranch.map((residuals) => {
    const used = new Set<number>();
    return residuals.map((a) => {
      let s = avals.findIndex((b, i) => !used.has(i) && avalsEqual(a, b));
      if (s < 0) s = avals.push(a) - 1;
      used.add(s);
      return s;
    });
  });
  return { avals, slotOf };
}

/**
 * Partial evaluation with a known index: a known cond computing the known
 * outputs and the residual slots, and an unknown cond on the same index taking
 * the known operands, the slots and the unknown operands.
 */
export function* condPartialEval(eqn: Eqn<"cond">, unknownIns: readonly boolean[]): Recursion<PartialEqn> {
  const [index, ...operands] = eqn.inputs;
  // An unknown index (never the case in autodiff, where it is a primal) leaves the whole cond unknown.
  if (unknownIns[0]) return { known: [], unknown: [eqn] };
  const { branches } = eqn.params;
  const opUnknown = unknownIns.slice(1);
  let outUnknown = eqn.outputs.map(() => false);
  for (const b of branches) {
    const p = yield* recurse(partialEvalJaxprRec(b, opUnknown));
    outUnknown = outUnknown.map((u, i) => u || p.outUnknown[i]!);
  }
  const parts: PartialJaxpr[] = [];
  for (const b of branches) parts.push(yield* recurse(partialEvalJaxprRec(b, opUnknown, outUnknown)));

  // With a batched index the known cond's outputs, residuals included, are selected row by row: a
  // residual can pass that way only if it has the index shape as a prefix and the unknown branch
  // reads it row by row (a scan's stacked residual [length, …] may have the shape, not the rows).
  // A branch with any other residual recomputes it in the unknown part.
  const prefix = index!.aval.shape;
  const computedAvals = (p: PartialJaxpr): Aval[] => p.known.outvars.slice(p.known.outvars.length - p.residuals.filter((r) => r.kind === "output").length).map((o) => o.aval);
  const recompute = parts.map((p) =>
    // (A tape is never per row: a branch that records one recomputes it where it is read.)
    p.residuals.some((r, i) => r.kind === "output" && (p.unknown.invars[i]!.aval.tape !== undefined || !(isShapePrefix(prefix, p.unknown.invars[i]!.aval.shape) && rowLocal(p.unknown, i, prefix)))),
  );
  const slots = mergeResiduals(parts.map((p, k) => (recompute[k] ? [] : computedAvals(p))));

  const knownOps = operands.filter((_, i) => !opUnknown[i]);
  const unknownOps = operands.filter((_, i) => opUnknown[i]);
  const nKnownOuts = outUnknown.filter((u) => !u).length;
  const knownBranches: Jaxpr[] = [];
  const unknownBranches: Jaxpr[] = [];
  parts.forEach((p, k) => {
    const em = new Emitter();
    const zeroOps = new Ops(em);
    const mine = recompute[k] ? [] : p.known.outvars.slice(nKnownOuts);
    const slotValues: Atom[] = slots.avals.map((a, s) => {
      const r = slots.slotOf[k]!.indexOf(s);
      // A tape slot this branch does not fill holds an empty tape (nothing reads it).
      return r >= 0 ? mine[r]! : a.tape ? emptyTape(zeroOps, a) : zeroOps.zeros(a);
    });
    knownBranches.push(fresh(withInvars(p.known, p.known.invars, [...p.known.outvars.slice(0, nKnownOuts), ...slotValues], em.eqns)));

    const knownVars = knownOps.map((o) => newVar(o.aval));
    const slotVars = slots.avals.map((a) => newVar(a));
    if (recompute[k]) {
      // The branch's known part, then its unknown part reading the residuals
      // the known part just computed. Not the original branch: a scan in it
      // would carry primals beside tangents, and scan's transpose takes
      // tangent carries only; split, the known scan is a residual computation.
      const knownPart = fresh(p.known);
      const unknownPart = fresh(p.unknown);
      const residualOf: Subst = new Map();
      p.residuals.forEach((r, i) => {
        residualOf.set(unknownPart.invars[i]!.id, r.kind === "input" ? knownPart.invars[r.index]! : knownPart.outvars[nKnownOuts + r.index]!);
      });
      const both = substJaxpr(residualOf, newJaxpr({ invars: [], eqns: [...knownPart.eqns, ...unknownPart.eqns], outvars: unknownPart.outvars }));
      unknownBranches.push(newJaxpr({ invars: [...knownPart.invars, ...slotVars, ...unknownPart.invars.slice(p.residuals.length)], eqns: both.eqns, outvars: both.outvars }));
      return;
    }
    // p.unknown's invars: its residuals (known operands or computed ones), then the unknown operands.
    const residualVars = p.unknown.invars.slice(0, p.residuals.length);
    p.residuals.forEach((r, i) => {
      if (r.kind === "input") knownVars[r.index] = residualVars[i]!;
      else slotVars[slots.slotOf[k]![r.index]!] = residualVars[i]!;
    });
    unknownBranches.push(fresh(withInvars(p.unknown, [...knownVars, ...slotVars, ...p.unknown.invars.slice(p.residuals.length)])));
  });

  const knownOuts = eqn.outputs.filter((_, i) => !outUnknown[i]);
  const slotOuts = slots.avals.map((a) => newVar(a));
  const known = makeEqn("cond", { branches: knownBranches }, [index!, ...knownOps], [...knownOuts, ...slotOuts]);
  if (!outUnknown.some(Boolean)) return { known: [known], unknown: [] };
  const unknown = makeEqn("cond", { branches: unknownBranches }, [index!, ...knownOps, ...slotOuts, ...unknownOps], eqn.outputs.filter((_, i) => outUnknown[i]));
  return { known: [known], unknown: [unknown] };
}

/** Primitives that compute each element from the same element of their operands (scalars broadcast). */
let lanewise: ReadonlySet<string> | undefined;
const isLanewise = (prim: string): boolean =>
  (lanewise ??= new Set([FAMILIES.unary, FAMILIES.binary, FAMILIES.compare, FAMILIES.select_convert].flatMap((f) => Object.keys(f)))).has(prim);

/**
 * Whether row r (the leading `prefix` axes) of every output of branch `b`
 * depends on operand `i` only through its own row r. The shape alone does not
 * say so: vmap keeps an operand's own batch axis, so an operand of shape
 * [B, …] may hold its rows along another axis, and the branch moves them
 * (`transpose`). Conservative: elementwise primitives, broadcasts keeping the
 * leading axes, reductions over trailing axes; anything else is not proven.
 */
function rowLocal(b: Jaxpr, i: number, prefix: Shape): boolean {
  return rowLocalIn(b, [i], prefix);
}

/** rowLocal for several inputs of `b` at once (the invars at `is`). */
function rowLocalIn(b: Jaxpr, is: readonly number[], prefix: Shape): boolean {
  const n = prefix.length;
  if (n === 0) return true;
  const tracked = new Set<number>(is.map((i) => b.invars[i]!.id));
  const reads = (a: Atom): boolean => a.kind === "var" && tracked.has(a.id);
  for (const e of b.eqns) {
    if (!e.inputs.some(reads)) continue;
    // A tape (from a recording loop) is read slot by slot; its slots are what the loop made of the rows.
    if (!e.outputs.every((o) => o.aval.tape || isShapePrefix(prefix, o.aval.shape))) return false;
    const out = e.outputs[0]!.aval.shape;
    let local: boolean;
    if (isLanewise(e.prim)) local = e.inputs.every((a) => a.aval.shape.length === 0 || shapesEqual(a.aval.shape, out));
    else if (e.prim === "broadcast_in_dim") local = prefix.every((_, d) => (e.params as Params["broadcast_in_dim"]).broadcast_dimensions[d] === d);
    else if (e.prim === "reduce_sum" || e.prim === "reduce_max" || e.prim === "reduce_min") local = (e.params as Params["reduce_sum"]).axes.every((ax) => ax >= n);
    else local = nestedRowLocal(e, reads, prefix);
    if (!local) return false;
    e.outputs.forEach((o) => tracked.add(o.id));
  }
  return true;
}

/**
 * A loop, replay, per-row cond or call nested in a branch keeps rows apart
 * when its predicate (or step counts, or index) is per row and its bodies are
 * row-local in every operand with the rows leading: what vmap makes of a
 * loop or branch (each row runs on its own), and what reverse mode makes of
 * those (recording loops and replays).
 */
function nestedRowLocal(e: Eqn, reads: (a: Atom) => boolean, prefix: Shape): boolean {
  // Inside, every input with the rows leading is tracked (a const among them only makes the check stricter).
  const local = (j: Jaxpr): boolean => rowLocalIn(j, j.invars.flatMap((v, k) => (isShapePrefix(prefix, v.aval.shape) && !v.aval.tape ? [k] : [])), prefix);
  switch (e.prim) {
    case "while":
    case "while_record": {
      const { cond_jaxpr, body_jaxpr } = e.params as Params["while"];
      // A value read per row must come in with the rows leading.
      if (e.inputs.some((a) => reads(a) && !isShapePrefix(prefix, a.aval.shape))) return false;
      return isShapePrefix(prefix, cond_jaxpr.outvars[0]!.aval.shape) && local(body_jaxpr) && local(cond_jaxpr);
    }
    case "replay":
      // Its body's invars: active (the steps' shape), slots, consts, carries.
      return isShapePrefix(prefix, e.inputs[0]!.aval.shape) && local((e.params as Params["replay"]).jaxpr);
    case "cond":
      return isShapePrefix(prefix, e.inputs[0]!.aval.shape) && (e.params as Params["cond"]).branches.every(local);
    case "pjit":
    case "checkpoint":
      return local((e.params as Params["pjit"]).jaxpr);
    default:
      return false;
  }
}

/**
 * Reverse mode: a cond on the same index over the branches transposed with
 * respect to the linear operands. Under a batched index an operand whose rows
 * the branches use row by row comes out of that cond per row (a row's
 * cotangent from the branch the row took, so a branch's NaN on rows it did
 * not take never reaches them). Any other operand (shared by all rows, or
 * whose rows a branch moves or mixes) cannot; its cotangent sums, over the
 * branches, the transposed branch applied to the cotangents of the rows that
 * took it.
 */
export function* condTranspose(ops: Ops, cts: readonly Tangent[], inputs: readonly LinearInput[], { branches }: Params["cond"]): Recursion<Tangent[]> {
  const [index, ...operands] = inputs;
  if (index!.linear) throw new Error("transpose: cond is not linear in its index");
  if (cts.every((c) => c === null)) return inputs.map(() => null);
  const linear = operands.map((x) => x.linear);
  const transposed: Jaxpr[] = [];
  for (const b of branches) transposed.push(yield* recurse(transposeJaxprRec(b, linear)));
  const outAvals = branches[0]!.outvars.map((o) => o.aval);
  const ctIns = cts.map((c, i) => ops.instantiate(c, outAvals[i]!));
  const residuals = operands.filter((x) => !x.linear).map((x) => x.atom);
  const prefix = index!.atom.aval.shape;
  const perRow = operands.flatMap((x, i) => (x.linear ? [isShapePrefix(prefix, x.atom.aval.shape) && branches.every((b) => rowLocal(b, i, prefix))] : []));
  const keep = (j: Jaxpr, which: (i: number) => boolean): Jaxpr => fresh(withInvars(j, j.invars, j.outvars.filter((_, i) => which(i))));

  const rowCts: Atom[] = perRow.some(Boolean) ? ops.emit("cond", { branches: transposed.map((t) => keep(t, (i) => perRow[i]!)) }, [index!.atom, ...residuals, ...ctIns]) : [];
  const sharedCts: Tangent[] = perRow.map(() => null);
  if (perRow.some((p) => !p)) {
    // Shared operands under a batched index: Σ_k transpose(branch k)(cotangents masked to the rows whose clamped index is k).
    const last = branches.length - 1;
    const i32 = (v: number): Atom => ({ kind: "lit", value: v, aval: { dtype: "int32", shape: [] } });
    const clamped = ops.emit1("min", {}, [ops.emit1("max", {}, [index!.atom, i32(0)]), i32(last)]);
    // A branch's residuals on the rows that took another branch are that branch's values or zeros (merged
    // slots): the rows' cotangents are masked to zero, but 0·NaN (or 0/0) would still poison the sum over
    // rows, so per-row residuals read 1 there: a finite, nonzero coefficient.
    const residualRows = operands.flatMap((x, i) => (x.linear ? [] : [isShapePrefix(prefix, x.atom.aval.shape) && branches.every((b) => rowLocal(b, i, prefix))]));
    const onRows = (taken: Atom, a: Atom, other: Atom): Atom => ops.select(a.aval.shape.length === prefix.length ? taken : ops.broadcast(taken, a.aval.shape, prefix.map((_, d) => d)), a, other);
    transposed.forEach((t, k) => {
      const taken = ops.compare("eq", clamped, i32(k));
      const masked = ctIns.map((c) => onRows(taken, c, ops.zeros(c.aval)));
      const res = residuals.map((a, j) => (residualRows[j] && differentiable(a.aval) ? onRows(taken, a, ops.full(1, a.aval)) : a));
      const outs = ops.emit("pjit", { jaxpr: keep(t, (i) => !perRow[i]), name: `transpose(cond branch ${k})` }, [...res, ...masked]);
      let m = 0;
      perRow.forEach((p, i) => {
        if (!p) sharedCts[i] = ops.addTangents(sharedCts[i]!, outs[m++]!);
      });
    });
  }
  let r = 0;
  let l = 0;
  return [null, ...operands.map((x) => {
    if (!x.linear) return null;
    const i = l++;
    return perRow[i] ? rowCts[r++]! : sharedCts[i]!;
  })];
}
