// expand-replay: every `replay` (ir/prims/tape.ts) becomes the while loop it
// means, reading its slots with `tape_read`:
//
//   K = max(reduce_max(steps), 0)
//   g = 0 (or K-1 when reverse); while g < K (or g >= 0):
//     active = g < steps;  slots = tape_read(tape, g) for each tape
//     carries, records = body(active, slots…, consts…, carries…);  g = g ± 1
//
// A replay with records becomes a while_record (one slot per iteration),
// whose tapes a backward replay then reverses (tape_reverse) so that slot g
// is iteration g's.
//
// The loop counter is a scalar, so the loop is an ordinary (unbatched) while
// whatever the shape of `steps`: rows that finished early are masked by the
// body itself. The compiled backends lower this form (lowerJaxpr runs the
// pass first); the interpreter runs replay directly, and the two are compared
// by the tests.

import { type Atom, type Eqn, type Jaxpr, lit, makeEqn, newJaxpr, newVar } from "../ir/core.js";
import { type Aval } from "../ir/dtype.js";
import { replayParts } from "../ir/loopOperands.js";
import { mapSubJaxprs, rewriteBottomUp } from "../ir/traverse.js";
import { Emitter } from "./batch/emitter.js";
import { type PassStats, bump, defineRewritePass } from "./pass.js";
import { freshCopy } from "./util/fresh.js";
import { jaxprContainsPrim } from "./util/liveness.js";
import { type Subst, substAtom, substEqn } from "./util/subst.js";

const I32: Aval = { dtype: "int32", shape: [] };
const i32 = (v: number): Atom => lit(v, I32);

/** The equations computing a replay as a while over g. */
export function expandReplay(e: Eqn<"replay">): Eqn[] {
  const { jaxpr, reverse, num_tapes, num_consts, num_records } = e.params;
  const parts = replayParts(e.inputs, e.params);
  const pre = new Emitter();
  const steps = parts.steps;
  const maxSteps = steps.aval.shape.length === 0 ? steps : pre.emit1("reduce_max", { axes: steps.aval.shape.map((_, i) => i) }, [steps]);
  const count = pre.emit1("max", {}, [maxSteps, i32(0)]);
  const g0 = reverse ? pre.emit1("sub", {}, [count, i32(1)]) : i32(0);

  // cond: (K, g, carries…) → g < K, or g >= 0.
  const cK = newVar(I32);
  const cg = newVar(I32);
  const cCarries = parts.carries.map((c) => newVar(c.aval));
  const pred = newVar({ dtype: "bool", shape: [] });
  const cond = newJaxpr({
    invars: [cK, cg, ...cCarries],
    eqns: [reverse ? makeEqn("ge", {}, [cg, i32(0)], [pred]) : makeEqn("lt", {}, [cg, cK], [pred])],
    outvars: [pred],
  });

  // body: (steps, tapes…, consts…, g, carries…) → (g ± 1, body(active, slots…, consts…, carries…)).
  const bSteps = newVar(steps.aval);
  const bTapes = parts.tapes.map((t) => newVar(t.aval));
  const bConsts = parts.consts.map((c) => newVar(c.aval));
  const bg = newVar(I32);
  const bCarries = parts.carries.map((c) => newVar(c.aval));
  const em = new Emitter();
  const active = em.emit1("lt", {}, [bg, bSteps]);
  const slots = bTapes.map((t) => em.emit1("tape_read", {}, [t, bg]));
  const inner = freshCopy(jaxpr);
  const bind: Subst = new Map(inner.invars.map((v, i) => [v.id, [active, ...slots, ...bConsts, ...bCarries][i]!]));
  const innerEqns = inner.eqns.map((x) => substEqn(bind, x));
  const step = new Emitter();
  const gNext = step.emit1(reverse ? "sub" : "add", {}, [bg, i32(1)]);
  const body = newJaxpr({
    invars: [bSteps, ...bTapes, ...bConsts, bg, ...bCarries],
    eqns: [...em.eqns, ...innerEqns, ...step.eqns],
    outvars: [gNext, ...inner.outvars.map((o) => substAtom(bind, o))],
  });
  const loopParams = { cond_jaxpr: cond, body_jaxpr: body, cond_nconsts: 1, body_nconsts: 1 + num_tapes + num_consts };
  const operands = [count, steps, ...parts.tapes, ...parts.consts, g0, ...parts.carries];
  const nk = parts.carries.length;
  if (num_records === 0) return [...pre.eqns, makeEqn("while", loopParams, operands, [newVar(I32), ...e.outputs])];
  // Records: a while_record appends one slot per iteration, so after a backward replay (g = K-1…0) its tapes are reversed into slot order.
  const tapes = e.outputs.slice(nk);
  const appended = reverse ? tapes.map((t) => newVar(t.aval)) : tapes;
  const loop = makeEqn("while_record", { ...loopParams, num_records }, operands, [newVar(I32), ...e.outputs.slice(0, nk), ...appended]);
  const reversed = reverse ? appended.map((t, i) => makeEqn("tape_reverse", {}, [t], [tapes[i]!])) : [];
  return [...pre.eqns, loop, ...reversed];
}

function expandScope(j: Jaxpr, stats: PassStats, done: (sub: Jaxpr) => Jaxpr): Jaxpr {
  const eqns: Eqn[] = [];
  for (const e0 of j.eqns) {
    const e = mapSubJaxprs(e0, done);
    if (e.prim !== "replay") {
      eqns.push(e);
      continue;
    }
    eqns.push(...expandReplay(e as Eqn<"replay">));
    bump(stats, "replays expanded");
  }
  return { ...j, eqns };
}

export const expandReplayPass = defineRewritePass({
  name: "expand-replay",
  summary: "Turns every replay into a while over a scalar step counter that reads its tapes with tape_read (what the compiled backends lower).",
  options: {},
  transform: (j, stats) => expandAll(j, stats),
});

function expandAll(j: Jaxpr, stats: PassStats): Jaxpr {
  return rewriteBottomUp(j, (x, done) => expandScope(x, stats, done));
}

/** The pass as a function (lowerJaxpr runs it before lowering; a program without a replay is returned as it is). */
export function expandReplays(j: Jaxpr): Jaxpr {
  return jaxprContainsPrim(j, "replay") ? expandAll(j, {}) : j;
}
