// The batched programs of the active-lane tests (lanes.test.ts runs them on
// every compiled backend; test/backends/js/lanes.test.ts reads the code the
// js backend generates for one of them), with their inputs and the counts
// and values derived from them by hand.
import { CONTROL_FLOW_CASES } from "../../fixtures/control_flow.js";

/** Lanes of the lane-local and mixing loops, and their trip counts 0..7. */
export const B = 8;
export const COUNTS = Array.from({ length: B }, (_, i) => i);
export const SUM = COUNTS.reduce((a, b) => a + b, 0); // 28
export const MAX_TIMES_B = Math.max(...COUNTS) * B; // 56

/** Lane l runs a[l] steps of f ← tanh(1.5 f) on its own row: nothing crosses lanes. */
export const LANE_LOCAL = `{ lambda ; a:i32[8] b:f32[8,16]. let
    z:i32[8] = broadcast_in_dim[broadcast_dimensions=() shape=(8,)] 0:i32[]
    _:i32[8] c:f32[8,16] = while[
      body_jaxpr={ lambda ; e:i32[8] f:f32[8,16]. let
          g:i32[8] = add e 1:i32[]
          h:f32[8,16] = mul f 1.5:f32[]
          i:f32[8,16] = tanh h
        in (g, i) }
      body_nconsts=0
      cond_jaxpr={ lambda ; j:i32[8] k:i32[8] l:f32[8,16]. let m:bool[8] = lt k j in (m,) }
      cond_nconsts=1
    ] a z b
  in (c,) }`;

/**
 * The same loop, but every lane's update also reads a sum over all lanes of a
 * value computed in the body: that value must be computed for every lane.
 */
export const MIXING = `{ lambda ; a:i32[8] b:f32[8,16]. let
    z:i32[8] = broadcast_in_dim[broadcast_dimensions=() shape=(8,)] 0:i32[]
    _:i32[8] c:f32[8,16] = while[
      body_jaxpr={ lambda ; e:i32[8] f:f32[8,16]. let
          g:i32[8] = add e 1:i32[]
          h:f32[8,16] = mul f 0.5:f32[]
          s:f32[] = reduce_sum[axes=(0, 1)] h
          t:f32[8,16] = broadcast_in_dim[broadcast_dimensions=() shape=(8, 16)] s
          u:f32[8,16] = mul t 0.001:f32[]
          i:f32[8,16] = add h u
        in (g, i) }
      body_nconsts=0
      cond_jaxpr={ lambda ; j:i32[8] k:i32[8] l:f32[8,16]. let m:bool[8] = lt k j in (m,) }
      cond_nconsts=1
    ] a z b
  in (c,) }`;

/** JAX issue #2947 (test/fixtures/control_flow.ts): branch 1 counts x down to 0; only lanes with x > 0 take it. */
const issue2947 = CONTROL_FLOW_CASES.find((c) => c.name.startsWith("JAX issue #2947"));
if (!issue2947) throw new Error("test/fixtures/control_flow.ts has no JAX issue #2947 case");
export const ISSUE_2947 = issue2947.ir;
export const ISSUE_2947_INPUT = [3, -2, 5, -1.5]; // the counts and values lanes.test.ts expects are derived from these

/**
 * A batched loop over rows nested in a batched loop over [rows, cols]: lane
 * (r, c) runs a[r][c] outer steps, each adding 1 + … + b[r] = b[r](b[r]+1)/2.
 */
export const ROWS_IN_CELLS = `{ lambda ; a:i32[2,3] b:i32[2]. let
    z:i32[2,3] = broadcast_in_dim[broadcast_dimensions=() shape=(2, 3)] 0:i32[]
    _:i32[2,3] c:i32[2,3] = while[
      body_jaxpr={ lambda ; bc:i32[2] k:i32[2,3] s:i32[2,3]. let
          k2:i32[2,3] = add k 1:i32[]
          zz:i32[2] = broadcast_in_dim[broadcast_dimensions=() shape=(2,)] 0:i32[]
          _:i32[2] t:i32[2] = while[
            body_jaxpr={ lambda ; j:i32[2] acc:i32[2]. let
                j2:i32[2] = add j 1:i32[]
                acc2:i32[2] = add acc j2
              in (j2, acc2) }
            body_nconsts=0
            cond_jaxpr={ lambda ; bb:i32[2] j:i32[2] acc:i32[2]. let p:bool[2] = lt j bb in (p,) }
            cond_nconsts=1
          ] bc zz zz
          tb:i32[2,3] = broadcast_in_dim[broadcast_dimensions=(0,) shape=(2, 3)] t
          s2:i32[2,3] = add s tb
        in (k2, s2) }
      body_nconsts=1
      cond_jaxpr={ lambda ; aa:i32[2,3] k:i32[2,3] s:i32[2,3]. let p:bool[2,3] = lt k aa in (p,) }
      cond_nconsts=1
    ] a b z z
  in (c,) }`;
export const ROWS_IN_CELLS_A = [[0, 2, 1], [3, 0, 0]];
export const ROWS_IN_CELLS_B = [3, 2];

/** Per lane: count k up to n, adding the lane index (an iota over lanes) each step. */
export const SCALAR_LANES = `{ lambda ; a:i32[6] b:f32[6]. let
    z:i32[6] = broadcast_in_dim[broadcast_dimensions=() shape=(6,)] 0:i32[]
    _:i32[6] c:f32[6] = while[
      body_jaxpr={ lambda ; k:i32[6] x:f32[6]. let
          k2:i32[6] = add k 1:i32[]
          lane:f32[6] = iota[dimension=0 dtype=float32 shape=(6,)]
          y:f32[6] = mul x 0.5:f32[]
          x2:f32[6] = add y lane
        in (k2, x2) }
      body_nconsts=0
      cond_jaxpr={ lambda ; n:i32[6] k:i32[6] x:f32[6]. let p:bool[6] = lt k n in (p,) }
      cond_nconsts=1
    ] a z b
  in (c,) }`;
export const SCALAR_COUNTS = [3, 0, 5, 1, 1, 2];
export const SCALAR_X0 = [1, 2, 3, 4, 5, 6];

/** SCALAR_LANES by hand: x ← x/2 + lane, count times (exact in float32 for these inputs). */
export const SCALAR_LANES_OUT = SCALAR_X0.map((x, l) => {
  let v = x;
  for (let i = 0; i < SCALAR_COUNTS[l]!; i++) v = v / 2 + l;
  return v;
});
