// JAX's vmap-of-control-flow tests (reference §4, values recomputed there with
// NumPy per-lane loops), run through batchJaxpr + the interpreter. Expected
// values are the reference's, not the oracle's: they pin the oracle itself.
// Outputs are compared with the batch axis moved to the front.

import { describe, expect, it } from "vitest";
import { type DType } from "../../../src/ir/dtype.js";
import { parse } from "../../../src/ir/parser.js";
import { type Nested, fromNested, toNested } from "../../../src/ir/value.js";
import { batchJaxpr, type Dim } from "../../../src/passes/batch/index.js";
import { evalJaxpr } from "../../../src/backends/interpreter/index.js";
import { stackLanes, takeLane } from "./arrays.js";
import { runBatched } from "./oracle.js";
import { printJaxpr } from "../../../src/ir/printer.js";
import { scanFixpoint, whileNested, whileTuple } from "./templates.js";

interface Case {
  readonly name: string;
  readonly ir: string;
  readonly dims: readonly Dim[];
  readonly size: number;
  readonly inputs: readonly [Nested, DType][];
  readonly expected: readonly Nested[];
}

const WHILE_LT3_ADD2 = `{ lambda ; x:i32[]. let
    y:i32[] = while[
      body_jaxpr={ lambda ; x:i32[]. let y:i32[] = add x 2:i32[] in (y,) }
      body_nconsts=0
      cond_jaxpr={ lambda ; x:i32[]. let p:bool[] = lt x 3:i32[] in (p,) }
      cond_nconsts=0
    ] x
  in (y,) }`;

const COND_Y_OR_NEG_Z = `{ lambda ; x:i32[] y:f32[] z:f32[]. let
    p:bool[] = lt x 3:i32[]
    k:i32[] = convert_element_type[new_dtype=int32] p
    r:f32[] = cond[
      branches=(
        { lambda ; y:f32[] z:f32[]. let a:f32[] = neg z in (a,) }
        { lambda ; y:f32[] z:f32[]. let  in (y,) }
      )
    ] k y z
  in (r,) }`;

const CASES: readonly Case[] = [
  {
    name: "testWhileLoopBatched: while x < 3: x += 2",
    ir: WHILE_LT3_ADD2,
    dims: [0],
    size: 4,
    inputs: [[[0, 1, 2, 3], "int32"]],
    expected: [[4, 3, 4, 3]],
  },
  {
    name: "testWhileLoopBatchedWithConstBody: a body returning a constant, cond always false",
    ir: `{ lambda ; x:f32[]. let
    y:f32[] = while[
      body_jaxpr={ lambda ; x:f32[]. let  in (0.0:f32[],) }
      body_nconsts=0
      cond_jaxpr={ lambda ; x:f32[]. let p:bool[] = ne True:bool[] True:bool[] in (p,) }
      cond_nconsts=0
    ] x
  in (y,) }`,
    dims: [0],
    size: 5,
    inputs: [[[0, 1, 2, 3, 4], "float32"]],
    expected: [[0, 1, 2, 3, 4]],
  },
  {
    name: "testWhileLoopCondConstsBatched: while x < y: x += 2, in_axes (None, 0)",
    ir: `{ lambda ; x:i32[] y:i32[]. let
    r:i32[] = while[
      body_jaxpr={ lambda ; x:i32[]. let z:i32[] = add x 2:i32[] in (z,) }
      body_nconsts=0
      cond_jaxpr={ lambda ; y:i32[] x:i32[]. let p:bool[] = lt x y in (p,) }
      cond_nconsts=1
    ] y x
  in (r,) }`,
    dims: [null, 0],
    size: 2,
    inputs: [[0, "int32"], [[2, 3], "int32"]],
    expected: [[2, 4]],
  },
  {
    name: "testWhileLoopBodyConstsBatched: while x < 3: x += y, in_axes (None, 0)",
    ir: `{ lambda ; x:i32[] y:i32[]. let
    r:i32[] = while[
      body_jaxpr={ lambda ; y:i32[] x:i32[]. let z:i32[] = add x y in (z,) }
      body_nconsts=1
      cond_jaxpr={ lambda ; x:i32[]. let p:bool[] = lt x 3:i32[] in (p,) }
      cond_nconsts=0
    ] y x
  in (r,) }`,
    dims: [null, 0],
    size: 2,
    inputs: [[0, "int32"], [[2, 3], "int32"]],
    expected: [[4, 3]],
  },
  {
    name: "testWhileLoopTupleBatched: while x + y < 5: (x + 1, y)",
    ir: printJaxpr(whileTuple().jaxpr),
    dims: [0, 0],
    size: 2,
    inputs: [[[0, 0], "int32"], [[1, 2], "int32"]],
    expected: [[4, 3], [1, 2]],
  },
  {
    name: "testForiLoopBatchedIssue1190: while c0 < 4: (c0 + 1, c1 + 1) on (0, arange(3))",
    ir: `{ lambda ; x:i32[]. let
    a:i32[] b:i32[] = while[
      body_jaxpr={ lambda ; c:i32[] d:i32[]. let
          e:i32[] = add c 1:i32[]
          f:i32[] = add d 1:i32[]
        in (e, f) }
      body_nconsts=0
      cond_jaxpr={ lambda ; c:i32[] d:i32[]. let p:bool[] = lt c 4:i32[] in (p,) }
      cond_nconsts=0
    ] 0:i32[] x
  in (a, b) }`,
    dims: [0],
    size: 3,
    inputs: [[[0, 1, 2], "int32"]],
    expected: [[4, 4, 4], [4, 5, 6]],
  },
  {
    name: "test_while_loop_fixed_point_with_batched_pred_and_consts: closure batched at axis 1",
    // f(i, x) = while i < 5: (i + 1, z + x) from z = ones(3); vmap(f, (0, 1))(arange(4), ones((3, 4))).
    ir: `{ lambda ; i:i32[] x:f32[3]. let
    z0:f32[3] = broadcast_in_dim[broadcast_dimensions=() shape=(3,)] 1.0:f32[]
    _:i32[] z:f32[3] = while[
      body_jaxpr={ lambda ; x:f32[3] i:i32[] z:f32[3]. let
          j:i32[] = add i 1:i32[]
          y:f32[3] = add z x
        in (j, y) }
      body_nconsts=1
      cond_jaxpr={ lambda ; i:i32[] z:f32[3]. let p:bool[] = lt i 5:i32[] in (p,) }
      cond_nconsts=0
    ] x i z0
  in (z,) }`,
    dims: [0, 1],
    size: 4,
    inputs: [[[0, 1, 2, 3], "int32"], [[[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]], "float32"]],
    expected: [[[6, 6, 6], [5, 5, 5], [4, 4, 4], [3, 3, 3]]],
  },
  {
    name: "test_disable_jit_while_loop_with_vmap: while x < 10: x += 1",
    ir: `{ lambda ; x:f32[]. let
    y:f32[] = while[
      body_jaxpr={ lambda ; x:f32[]. let y:f32[] = add x 1.0:f32[] in (y,) }
      body_nconsts=0
      cond_jaxpr={ lambda ; x:f32[]. let p:bool[] = lt x 10.0:f32[] in (p,) }
      cond_nconsts=0
    ] x
  in (y,) }`,
    dims: [0],
    size: 2,
    inputs: [[[3, 4], "float32"]],
    expected: [[10, 10]],
  },
  {
    name: "testForiLoopClosure: fori(0, num, tot -> num + tot + i), num = [2, 3, 4]",
    ir: `{ lambda ; num:i32[]. let
    _:i32[] t:i32[] = while[
      body_jaxpr={ lambda ; num:i32[] i:i32[] tot:i32[]. let
          a:i32[] = add num tot
          b:i32[] = add a i
          j:i32[] = add i 1:i32[]
        in (j, b) }
      body_nconsts=1
      cond_jaxpr={ lambda ; num:i32[] i:i32[] tot:i32[]. let p:bool[] = lt i num in (p,) }
      cond_nconsts=1
    ] num num 0:i32[] 0:i32[]
  in (t,) }`,
    dims: [0],
    size: 3,
    inputs: [[[2, 3, 4], "int32"]],
    expected: [[5, 12, 22]],
  },
  ...(
    [
      ["(None, 0, 0), x = 2", [null, 0, 0], 2, 2, [3, 4], [1, 2]],
      ["(None, 0, 0), x = 4", [null, 0, 0], 4, 2, [3, 4], [-3, -4]],
      ["(None, 0, None), x = 4, z = 5", [null, 0, null], 4, 2, 5, [-5, -5]],
      ["(0, 0, None), x = [2, 4], z = 5", [0, 0, null], [2, 4], 2, 5, [1, -5]],
      ["(0, 0, 0), x = [2, 4], z = [3, 4]", [0, 0, 0], [2, 4], 2, [3, 4], [1, -4]],
    ] as const
  ).map(
    ([label, dims, x, size, z, expected]): Case => ({
      name: `testCondBatched: cond(x < 3, y, -z) ${label}`,
      ir: COND_Y_OR_NEG_Z,
      dims,
      size,
      inputs: [[x as Nested, "int32"], [[1, 2], "float32"], [z as Nested, "float32"]],
      expected: [expected as unknown as Nested],
    }),
  ),
  {
    name: "test_disable_jit_cond_with_vmap: cond(t > 0, -> 0, -> 1) on [1]",
    ir: `{ lambda ; t:i32[]. let
    p:bool[] = gt t 0:i32[]
    k:i32[] = convert_element_type[new_dtype=int32] p
    r:i32[] = cond[
      branches=(
        { lambda ; . let  in (1:i32[],) }
        { lambda ; . let  in (0:i32[],) }
      )
    ] k
  in (r,) }`,
    dims: [0],
    size: 1,
    inputs: [[[1], "int32"]],
    expected: [[0]],
  },
  {
    name: "testScanVmapFixpoint: carries (c0..c3) -> (c1, c2, c3, 0), length 2, c3 = [3, 4, 5]",
    ir: printJaxpr(scanFixpoint(false).jaxpr),
    dims: [null, null, null, 0],
    size: 3,
    inputs: [[0, "float32"], [1, "float32"], [2, "float32"], [[3, 4, 5], "float32"]],
    expected: [[2, 2, 2], [3, 4, 5], [0, 0, 0], [0, 0, 0]],
  },
];

describe("JAX's vmap-of-control-flow cases", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { outs } = runBatched(parse(c.ir), c.dims, c.size, c.inputs.map(([v, d]) => fromNested(v, d)));
      expect(outs.map(toNested)).toEqual(c.expected);
    });
  }

  it("test_issue_3204: nested loops, val += i + j, a = b = arange(5) gives [0, 4, 18, 48, 100]", () => {
    const j = whileNested([]).jaxpr;
    const ins = [fromNested([0, 1, 2, 3, 4], "int32"), fromNested([0, 1, 2, 3, 4], "int32"), fromNested(0, "float32")];
    expect(toNested(runBatched(j, [0, 0, null], 5, ins).outs[0]!)).toEqual([0, 4, 18, 48, 100]);
  });

  it("test_vmaps_of_while_loop: vmap(vmap(fori(0, n, x + 1), (None, 0)), (0, None)) gives out[i, j] = i + j", () => {
    const f = parse(`{ lambda ; x:i32[] n:i32[]. let
    _:i32[] y:i32[] = while[
      body_jaxpr={ lambda ; i:i32[] x:i32[]. let
          j:i32[] = add i 1:i32[]
          z:i32[] = add x 1:i32[]
        in (j, z) }
      body_nconsts=0
      cond_jaxpr={ lambda ; n:i32[] i:i32[] x:i32[]. let p:bool[] = lt i n in (p,) }
      cond_nconsts=1
    ] n 0:i32[] x
  in (y,) }`);
    const inner = batchJaxpr(f, [null, 0], 4); // over n = arange(4)
    const outer = batchJaxpr(inner.jaxpr, [0, null], 3); // over x = arange(3)
    const [out] = evalJaxpr(outer.jaxpr, [], [fromNested([0, 1, 2], "int32"), fromNested([0, 1, 2, 3], "int32")]);
    // Bring the outer axis, then the inner one, to the front.
    const rows = [0, 1, 2].map((i) => {
      const row = outer.outDims[0] === null ? out! : takeLane(out!, outer.outDims[0]!, i);
      return stackLanes([0, 1, 2, 3].map((k) => (inner.outDims[0] === null ? row : takeLane(row, inner.outDims[0]!, k))), 0);
    });
    expect(toNested(stackLanes(rows, 0))).toEqual([
      [0, 1, 2, 3],
      [1, 2, 3, 4],
      [2, 3, 4, 5],
    ]);
  });
});
