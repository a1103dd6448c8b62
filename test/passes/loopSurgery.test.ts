// Loop-signature surgery (src/passes/util/loopSurgery.ts): editing a loop's
// slots rebuilds operands, sub-jaxpr invars and outvars, outputs and counts in
// step. dce, licm and hoist-invariant-carries use it; their fixtures check the
// rewrites, these check the helper's own contract.
import { describe, expect, it } from "vitest";
import type { Eqn, Jaxpr } from "../../src/ir/core.js";
import { parse, printJaxpr, verify } from "../../src/ir/index.js";
import { editScan, editWhile } from "../../src/passes/util/loopSurgery.js";

function whileOf(j: Jaxpr): Eqn<"while"> {
  const e = j.eqns[0]!;
  if (e.prim !== "while") throw new Error(`expected a while, got ${e.prim}`);
  return e;
}

function scanOf(j: Jaxpr): Eqn<"scan"> {
  const e = j.eqns[0]!;
  if (e.prim !== "scan") throw new Error(`expected a scan, got ${e.prim}`);
  return e;
}

const withEqn = (j: Jaxpr, e: Eqn): Jaxpr => ({ ...j, eqns: [e] });

// cond consts (a), body consts (b), carries (c: counter, d: never changes, e: accumulates).
const WHILE = `{ lambda ; a:i32[] b:f32[3] c:i32[] d:f32[3] e:f32[3]. let
    f:i32[] g:f32[3] h:f32[3] = while[
      body_jaxpr={ lambda ; i:f32[3] j:i32[] k:f32[3] l:f32[3]. let
          m:i32[] = add j 1:i32[]
          n:f32[3] = mul k i
          o:f32[3] = add l n
        in (m, k, o) }
      body_nconsts=1
      cond_jaxpr={ lambda ; p:i32[] q:i32[] r:f32[3] s:f32[3]. let
          t:bool[] = lt q p
        in (t,) }
      cond_nconsts=1
    ] a b c d e
  in (f, g, h) }`;

// consts (a), carries (b: never changes, c), xs (d: read, e: unread), ys (two).
const SCAN = `{ lambda ; a:f32[] b:f32[] c:f32[] d:f32[5] e:f32[5]. let
    f:f32[] g:f32[] h:f32[5] i:f32[5] = scan[
      jaxpr={ lambda ; j:f32[] k:f32[] l:f32[] m:f32[] n:f32[]. let
          o:f32[] = mul l m
          p:f32[] = add o j
        in (k, p, o, p) }
      length=5
      num_carry=2
      num_consts=1
      reverse=False
    ] a b c d e
  in (f, g, h, i) }`;

describe("editWhile", () => {
  it("an edit that changes nothing rebuilds the same equation, keeping the sub-jaxprs", () => {
    const j = parse(WHILE);
    const e = whileOf(j);
    const same = editWhile(e, () => undefined);
    expect(same.params.cond_jaxpr).toBe(e.params.cond_jaxpr);
    expect(same.params.body_jaxpr).toBe(e.params.body_jaxpr);
    expect(same.inputs).toEqual(e.inputs);
    expect(same.outputs).toEqual(e.outputs);
    expect(printJaxpr(withEqn(j, same))).toBe(printJaxpr(j));
  });

  it("moving a carry to the body consts moves its operand, binder and output together", () => {
    const j = parse(WHILE);
    const e = whileOf(j);
    const moved = editWhile(e, (loop) => {
      const [counter, fixed, acc] = loop.carries;
      loop.carries = [counter!, acc!];
      loop.bodyConsts = [...loop.bodyConsts, { operand: fixed!.init, binder: fixed!.bodyBinder }];
    });
    expect(moved.params.body_nconsts).toBe(2);
    expect(moved.params.cond_nconsts).toBe(1);
    expect(moved.inputs).toEqual([e.inputs[0], e.inputs[1], e.inputs[3], e.inputs[2], e.inputs[4]]);
    expect(moved.outputs).toEqual([e.outputs[0], e.outputs[2]]);
    // The body's outputs follow the carries; the cond loses the dropped carry's binder.
    const body = e.params.body_jaxpr;
    expect(moved.params.body_jaxpr.invars).toEqual([body.invars[0], body.invars[2], body.invars[1], body.invars[3]]);
    expect(moved.params.body_jaxpr.outvars).toEqual([body.outvars[0], body.outvars[2]]);
    const cond = e.params.cond_jaxpr;
    expect(moved.params.cond_jaxpr.invars).toEqual([cond.invars[0], cond.invars[1], cond.invars[3]]);
    verify({ ...j, eqns: [moved], outvars: [moved.outputs[0]!, e.inputs[3]!, moved.outputs[1]!] });
  });

  it("replacement bodies give the equations; the slots still give the signature", () => {
    const j = parse(WHILE);
    const e = whileOf(j);
    const body = e.params.body_jaxpr;
    const dropped = editWhile(e, () => undefined, { body: { ...body, eqns: body.eqns.slice(0, 1), outvars: [] } });
    expect(dropped.params.body_jaxpr.eqns).toEqual(body.eqns.slice(0, 1));
    expect(dropped.params.body_jaxpr.invars).toEqual(body.invars);
    expect(dropped.params.body_jaxpr.outvars).toEqual(body.outvars);
  });
});

describe("editScan", () => {
  it("dropping a scanned input, a carry and a stacked output keeps every list aligned", () => {
    const j = parse(SCAN);
    const e = scanOf(j);
    const body = e.params.jaxpr;
    const pruned = editScan(e, (loop) => {
      loop.xs = loop.xs.slice(0, 1);
      loop.ys = loop.ys.slice(1);
      loop.consts = [...loop.consts, { operand: loop.carries[0]!.init, binder: loop.carries[0]!.bodyBinder }];
      loop.carries = loop.carries.slice(1);
    });
    expect([pruned.params.num_consts, pruned.params.num_carry]).toEqual([2, 1]);
    expect(pruned.inputs).toEqual([e.inputs[0], e.inputs[1], e.inputs[2], e.inputs[3]]);
    expect(pruned.outputs).toEqual([e.outputs[1], e.outputs[3]]);
    expect(pruned.params.jaxpr.invars).toEqual(body.invars.slice(0, 4));
    expect(pruned.params.jaxpr.outvars).toEqual([body.outvars[1], body.outvars[3]]);
    expect(pruned.params.length).toBe(5);
    verify({ ...j, eqns: [pruned], outvars: [e.inputs[1]!, pruned.outputs[0]!, pruned.outputs[1]!, pruned.outputs[1]!] });
  });
});
