// Tapes: reverse-mode differentiation through while loops (docs/autodiff.md,
// "while loops").
//
// A while loop's trip count is known only at run time, so the values its
// backward pass needs from each iteration (the residuals) cannot be stacked
// into an array of static shape, as scan's are. They go on a *tape* instead:
// a value of type `tape(f32[…])`, a stack of a run-time length.
//
//   while_record  cconsts…, bconsts…, init…  → carries…, tapes…
//       A while whose body returns its new carries and then `num_records`
//       residuals; the loop pushes each iteration's residuals, so slot t of
//       tape r is residual r of iteration t. With a batched predicate bool[P]
//       the rows run in lockstep and every iteration pushes whole values:
//       slot t of a row is defined while t is below that row's trip count (a
//       finished row never revives), which the loop's own step counter (a
//       carry of shape P) records; past it, a row's slots are unspecified
//       (the interpreter records what the body computed there, the compiled
//       backends whatever the buffer held).
//   replay        steps, tapes…, consts…, carries… → carries…, tapes…
//       The loop that consumes tapes: K = max(steps, 0) iterations over
//       g = 0…K-1 (or K-1…0 when `reverse`); iteration g runs
//       `jaxpr(active, slots…, consts…, carries…) → carries…, records…` with
//       `active = g < steps` (bool, steps' shape) and slot g of every tape.
//       It returns one tape per record (`num_records`), slot g holding
//       iteration g's (whichever the direction): what differentiating a
//       gradient again needs.
//       The body does its own masking with `active` (select_n), so a replay
//       is an ordinary loop to transpose: the transpose is the replay run the
//       other way (passes/ad/replay.ts).
//   tape_read     tape, g → slot g (clamped into range; zeros for an empty tape)
//   tape_reverse  tape → the same slots in the other order
//       What replay becomes before the compiled backends lower it
//       (passes/expandReplay.ts): a while over g reading its slots, and a
//       while_record for its records (reversed after a backward replay,
//       whose iteration order is g = K-1…0).
//
// Rules that walk bodies live beside their drivers, as for control flow
// (ir/prims/control.ts): backends/interpreter/tape.ts, passes/batch/tape.ts,
// backends/lower/rules_tape.ts, passes/ad/replay.ts.

import type { Jaxpr } from "../core.js";
import { type Aval, avalStr, isTape, slotOf, tapeOf } from "../dtype.js";
import type { RowLocalityRule } from "../../backends/lower/row_locality.js";
import { tapeImpls } from "../../backends/interpreter/tape.js";
import { tapeBatchRules } from "../../passes/batch/tape.js";
import { TAPE_LOWER_RULES } from "../../backends/lower/rules_tape.js";
import { replayJvp, replayPartialEval, replayTranspose, tapeReadJvp, whileRecordJvp, whilePartialEval } from "../../passes/ad/control.js";
import type { FamilyRules, NoParams } from "./rules.js";
import { linearJvp } from "../../passes/ad/rules.js";
import { avalsStr, fail, jaxprInAvals, sameAvals, whileShape } from "./shapeChecks.js";

export interface TapeParams {
  while_record: {
    readonly cond_jaxpr: Jaxpr;
    readonly body_jaxpr: Jaxpr;
    readonly cond_nconsts: number;
    readonly body_nconsts: number;
    readonly num_records: number;
  };
  replay: { readonly jaxpr: Jaxpr; readonly reverse: boolean; readonly num_tapes: number; readonly num_consts: number; readonly num_records: number };
  tape_read: NoParams;
  tape_reverse: NoParams;
}

export type TapePrim = keyof TapeParams;

const regions: RowLocalityRule<"while_record" | "replay"> = () => {
  throw new Error("lanes: loops are analyzed as regions, not by a row-locality rule");
};

export const TAPE_RULES: FamilyRules<TapePrim> = {
  while_record: {
    doc: "`cconsts…, bconsts…, init…` → final carry, then one tape per recorded residual (slot t = iteration t)",
    params: { cond_jaxpr: "jaxpr", body_jaxpr: "jaxpr", cond_nconsts: "nat", body_nconsts: "nat", num_records: "nat" },
    shape: (inputs, params) => {
      const { carry, records } = whileShape("while_record", inputs, params, params.num_records);
      return [...carry, ...records.map(tapeOf)];
    },
    impl: (...a) => tapeImpls.while_record(...a),
    batch: (...a) => tapeBatchRules.while_record(...a),
    simplify: [],
    rowLocality: regions,
    lower: (...a) => TAPE_LOWER_RULES.while_record(...a),
    jvp: (ops, primals, tangents, params) => whileRecordJvp(ops, primals, tangents, params),
    // Differentiating a gradient again: the recording loop splits as a while does.
    partialEval: (eqn, unknownIns) => whilePartialEval(eqn, unknownIns),
    transpose: null,
  },
  replay: {
    doc: "`steps, tapes…, consts…, init…` → final carry, then one tape per record; max(steps) iterations of `jaxpr(g < steps, slot g of each tape…, consts…, carry…)` → carry, records",
    params: { jaxpr: "jaxpr", reverse: "bool", num_tapes: "nat", num_consts: "nat", num_records: "nat" },
    shape: (inputs, { jaxpr, num_tapes, num_consts, num_records }) => {
      const prim = "replay";
      if (!Number.isInteger(num_tapes) || !Number.isInteger(num_consts) || num_tapes < 0 || num_consts < 0 || 1 + num_tapes + num_consts > inputs.length) {
        fail(prim, `num_tapes=${num_tapes} and num_consts=${num_consts} do not fit ${inputs.length} operands (steps, tapes…, consts…, carries…)`, inputs);
      }
      if (jaxpr.constvars.length) fail(prim, "jaxpr must not have constvars", []);
      const steps = inputs[0]!;
      if (steps.dtype !== "int32" || isTape(steps)) fail(prim, `steps must be int32, got ${avalStr(steps)}`, []);
      const tapes = inputs.slice(1, 1 + num_tapes);
      for (const t of tapes) if (!isTape(t)) fail(prim, `operand after steps must be tapes (num_tapes=${num_tapes}), got ${avalStr(t)}`, []);
      const consts = inputs.slice(1 + num_tapes, 1 + num_tapes + num_consts);
      const carry = inputs.slice(1 + num_tapes + num_consts);
      const active: Aval = { dtype: "bool", shape: steps.shape };
      const expected = [active, ...tapes.map(slotOf), ...consts, ...carry];
      const jin = jaxprInAvals(jaxpr);
      if (!sameAvals(jin, expected)) fail(prim, `jaxpr takes ${avalsStr(jin)} but is given active + slots + consts + carry ${avalsStr(expected)}`, []);
      const jout = jaxpr.outvars.map((v) => v.aval);
      if (!Number.isInteger(num_records) || num_records < 0 || jout.length !== carry.length + num_records || !sameAvals(jout.slice(0, carry.length), carry)) {
        fail(prim, `jaxpr returns ${avalsStr(jout)} but must return the carry ${avalsStr(carry)} and then num_records=${num_records} records`, []);
      }
      return [...carry, ...jout.slice(carry.length).map(tapeOf)];
    },
    impl: (...a) => tapeImpls.replay(...a),
    batch: (...a) => tapeBatchRules.replay(...a),
    simplify: [],
    rowLocality: regions,
    lower: (...a) => TAPE_LOWER_RULES.replay(...a),
    jvp: (ops, primals, tangents, params) => replayJvp(ops, primals, tangents, params),
    partialEval: (eqn, unknownIns) => replayPartialEval(eqn, unknownIns),
    transpose: (ops, cts, inputs, params) => replayTranspose(ops, cts, inputs, params),
  },
  tape_read: {
    doc: "`tape, g` → slot g of the tape (g clamped into range; zeros when the tape is empty)",
    params: {},
    shape: (inputs) => {
      const prim = "tape_read";
      if (inputs.length !== 2) fail(prim, "expects a tape and an index", inputs);
      const [tape, g] = inputs as [Aval, Aval];
      if (!isTape(tape)) fail(prim, `first operand must be a tape, got ${avalStr(tape)}`, inputs);
      if (g.dtype !== "int32" || g.shape.length !== 0 || isTape(g)) fail(prim, `index must be i32[], got ${avalStr(g)}`, inputs);
      return [slotOf(tape)];
    },
    impl: (...a) => tapeImpls.tape_read(...a),
    batch: (...a) => tapeBatchRules.tape_read(...a),
    simplify: [],
    // Reads a whole slot: no row of its result is a function of one row of an operand.
    rowLocality: (e) => e.inputs.map(() => "any"),
    lower: (...a) => TAPE_LOWER_RULES.tape_read(...a),
    jvp: (ops, primals, tangents) => tapeReadJvp(ops, primals, tangents),
    partialEval: null,
    // Tapes hold residuals, never tangents.
    transpose: null,
  },
  tape_reverse: {
    doc: "`tape` → a tape of the same slots in the other order",
    params: {},
    shape: (inputs) => {
      if (inputs.length !== 1 || !isTape(inputs[0]!)) fail("tape_reverse", "expects one tape", inputs);
      return [inputs[0]!];
    },
    impl: (...a) => tapeImpls.tape_reverse(...a),
    batch: (...a) => tapeBatchRules.tape_reverse(...a),
    simplify: [],
    rowLocality: (e) => e.inputs.map(() => "any"),
    lower: (...a) => TAPE_LOWER_RULES.tape_reverse(...a),
    // Linear: it moves slots.
    jvp: linearJvp,
    partialEval: null,
    transpose: (ops, [ct]) => [ct === null ? null : ops.emit1("tape_reverse", {}, [ct!])],
  },
};
