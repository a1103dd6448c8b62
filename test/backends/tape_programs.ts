// Programs with tapes (ir/prims/tape.ts) for test/backends/tape.test.ts, as IR
// text: what reverse mode through a while loop produces (while_record, then a
// replay of the recorded slots), and tape_read directly.

/**
 * One scalar loop recording one residual; the replay runs the slots backwards
 * (a gradient); tape_read reads the first, the last, and indices clamped
 * from both sides. `a >= 10` runs zero iterations: the tape is empty, the
 * replay does nothing and every read gives 0.
 */
export const SCALAR = `{ lambda ; a:f32[]. let
    x:f32[] b:i32[] c:tape(f32[]) = while_record[
      body_jaxpr={ lambda ; d:f32[] e:i32[]. let
          f:f32[] = mul d 1.5:f32[]
          g:f32[] = sin d
          h:f32[] = cos d
          i:f32[] = add f g
          j:i32[] = add e 1:i32[]
        in (i, j, h) }
      body_nconsts=0
      cond_jaxpr={ lambda ; k:f32[] l:i32[]. let m:bool[] = lt k 10.0:f32[] in (m,) }
      cond_nconsts=0
      num_records=1
    ] a 0:i32[]
    n:f32[] = replay[
      jaxpr={ lambda ; o:bool[] p:f32[] q:f32[]. let
          r:f32[] = mul q p
          s:f32[] = mul q 1.5:f32[]
          t:f32[] = add r s
        in (t,) }
      num_consts=0
      num_records=0
      num_tapes=1
      reverse=True
    ] b c 1.0:f32[]
    last:i32[] = sub b 1:i32[]
    u0:f32[] = tape_read c 0:i32[]
    u1:f32[] = tape_read c last
    u2:f32[] = tape_read c 1000:i32[]
    u3:f32[] = tape_read c -5:i32[]
  in (x, b, n, u0, u1, u2, u3) }`;

/**
 * A batched predicate bool[4]: every row runs its own number of iterations
 * (rows at or past 10 run none), all rows push every iteration. Residuals of
 * all three dtypes: f32 (the derivative), bool and i32. Two replays: the
 * gradient (backwards, masking finished rows with select_n) and a forward one
 * summing the int and bool residuals of each row's active steps. Slot 3
 * is read for the rows that ran at least 4 iterations: a row's slots past its
 * own trip count hold whatever the compiled loop left there (the body runs on
 * active rows only; ir/prims/tape.ts), so they are not compared.
 */
export const BATCHED = `{ lambda ; a:f32[4]. let
    b:i32[4] = broadcast_in_dim[broadcast_dimensions=() shape=(4,)] 0:i32[]
    x:f32[4] k:i32[4] t1:tape(f32[4]) t2:tape(bool[4]) t3:tape(i32[4]) = while_record[
      body_jaxpr={ lambda ; e:f32[4] f:i32[4]. let
          g:f32[4] = mul e 1.5:f32[]
          h:f32[4] = sin e
          i:f32[4] = cos e
          j:f32[4] = add g h
          m:i32[4] = add f 1:i32[]
          p:bool[4] = gt h 0.0:f32[]
          q:i32[4] = mul f 3:i32[]
        in (j, m, i, p, q) }
      body_nconsts=0
      cond_jaxpr={ lambda ; l:f32[4] n:i32[4]. let o:bool[4] = lt l 10.0:f32[] in (o,) }
      cond_nconsts=0
      num_records=3
    ] a b
    one:f32[4] = broadcast_in_dim[broadcast_dimensions=() shape=(4,)] 1.0:f32[]
    zero:f32[4] = broadcast_in_dim[broadcast_dimensions=() shape=(4,)] 0.0:f32[]
    grad:f32[4] = replay[
      jaxpr={ lambda ; q:bool[4] r:f32[4] s:f32[4]. let
          t:f32[4] = mul s r
          u:f32[4] = mul s 1.5:f32[]
          v:f32[4] = add t u
          w:f32[4] = select_n q s v
        in (w,) }
      num_consts=0
      num_records=0
      num_tapes=1
      reverse=True
    ] k t1 one
    tally:f32[4] = replay[
      jaxpr={ lambda ; q:bool[4] bb:bool[4] ii:i32[4] s:f32[4]. let
          fi:f32[4] = convert_element_type[new_dtype=float32] ii
          bf:f32[4] = convert_element_type[new_dtype=float32] bb
          c1:f32[4] = add s fi
          c2:f32[4] = add c1 bf
          c3:f32[4] = select_n q s c2
        in (c3,) }
      num_consts=0
      num_records=0
      num_tapes=2
      reverse=False
    ] k t2 t3 zero
    slot3:f32[4] = tape_read t1 3:i32[]
    ran4:bool[4] = gt k 3:i32[]
    late:f32[4] = select_n ran4 zero slot3
  in (x, k, grad, tally, late) }`;

/**
 * A while_record in a while_record's body: each outer iteration records the
 * inner loop's tape (a tape of tapes) and its trip count; the replay replays
 * each inner tape inside its own replay. The inner loop runs zero times once
 * the outer carry is at or past 4.
 */
export const NESTED_RECORD = `{ lambda ; a:f32[] n:i32[]. let
    x:f32[] i:i32[] ks:i32[] tt:tape(tape(f32[])) st:tape(i32[]) = while_record[
      body_jaxpr={ lambda ; c:f32[] j:i32[] k:i32[]. let
          y:f32[] m:i32[] t:tape(f32[]) = while_record[
            body_jaxpr={ lambda ; d:f32[] e:i32[]. let
                g:f32[] = mul d 1.25:f32[]
                h:f32[] = cos d
                ee:i32[] = add e 1:i32[]
              in (g, ee, h) }
            body_nconsts=0
            cond_jaxpr={ lambda ; dd:f32[] e2:i32[]. let o:bool[] = lt dd 4.0:f32[] in (o,) }
            cond_nconsts=0
            num_records=1
          ] c 0:i32[]
          y2:f32[] = sub y 2.5:f32[]
          j2:i32[] = add j 1:i32[]
          k2:i32[] = add k 1:i32[]
        in (y2, j2, k2, t, m) }
      body_nconsts=0
      cond_jaxpr={ lambda ; n2:i32[] c3:f32[] j3:i32[] k3:i32[]. let o2:bool[] = lt j3 n2 in (o2,) }
      cond_nconsts=1
      num_records=2
    ] n a 0:i32[] 0:i32[]
    g:f32[] = replay[
      jaxpr={ lambda ; act:bool[] it:tape(f32[]) im:i32[] ct:f32[]. let
          r:f32[] = replay[
            jaxpr={ lambda ; act2:bool[] h:f32[] ct2:f32[]. let
                q:f32[] = mul ct2 h
                q2:f32[] = add q 1.0:f32[]
              in (q2,) }
            num_consts=0
            num_records=0
            num_tapes=1
            reverse=True
          ] im it ct
        in (r,) }
      num_consts=0
      num_records=0
      num_tapes=2
      reverse=True
    ] ks tt st 1.0:f32[]
    first:tape(f32[]) = tape_read tt 0:i32[]
    f0:f32[] = tape_read first 0:i32[]
    m0:i32[] = tape_read st 0:i32[]
  in (x, ks, g, f0, m0) }`;

/**
 * A while_record in a plain while's body: every outer iteration makes a new
 * tape and reads its own tape back (the last slot, and the sum of all slots
 * through a replay), so each iteration must see only its own pushes.
 */
export const RECORD_IN_WHILE = `{ lambda ; a:f32[] n:i32[]. let
    x:f32[] i:i32[] acc:f32[] = while[
      body_jaxpr={ lambda ; c:f32[] j:i32[] s:f32[]. let
          y:f32[] m:i32[] t:tape(f32[]) = while_record[
            body_jaxpr={ lambda ; d:f32[] e:i32[]. let
                g:f32[] = add d 0.75:f32[]
                ee:i32[] = add e 1:i32[]
              in (g, ee, d) }
            body_nconsts=0
            cond_jaxpr={ lambda ; dd:f32[] e2:i32[]. let o:bool[] = lt dd 3.0:f32[] in (o,) }
            cond_nconsts=0
            num_records=1
          ] c 0:i32[]
          last:i32[] = sub m 1:i32[]
          l:f32[] = tape_read t last
          tot:f32[] = replay[
            jaxpr={ lambda ; act:bool[] h:f32[] z:f32[]. let zz:f32[] = add z h in (zz,) }
            num_consts=0
            num_records=0
            num_tapes=1
            reverse=False
          ] m t 0.0:f32[]
          s1:f32[] = add s l
          s2:f32[] = add s1 tot
          c2:f32[] = sub y 3.5:f32[]
          j2:i32[] = add j 1:i32[]
        in (c2, j2, s2) }
      body_nconsts=0
      cond_jaxpr={ lambda ; n2:i32[] c3:f32[] j3:i32[] s3:f32[]. let o2:bool[] = lt j3 n2 in (o2,) }
      cond_nconsts=1
    ] n a 0:i32[] 0.0:f32[]
  in (x, acc) }`;

/**
 * 10⁴ iterations: the tapes grow many times. One scalar slot and one slot of
 * 17 elements (long enough to be copied as a block); a forward replay sums
 * them, tape_read reads the middle and the end.
 */
export const LONG = `{ lambda ; a:f32[] n:i32[]. let
    x:f32[] i:i32[] ts:tape(f32[]) tv:tape(f32[17]) = while_record[
      body_jaxpr={ lambda ; c:f32[] j:i32[]. let
          y:f32[] = mul c 0.999:f32[]
          jf:f32[] = convert_element_type[new_dtype=float32] j
          v:f32[17] = broadcast_in_dim[broadcast_dimensions=() shape=(17,)] jf
          io:f32[17] = iota[dimension=0 dtype=float32 shape=(17,)]
          w:f32[17] = add v io
          j2:i32[] = add j 1:i32[]
        in (y, j2, c, w) }
      body_nconsts=0
      cond_jaxpr={ lambda ; n2:i32[] c2:f32[] j3:i32[]. let o:bool[] = lt j3 n2 in (o,) }
      cond_nconsts=1
    num_records=2
    ] n a 0:i32[]
    z:f32[17] = broadcast_in_dim[broadcast_dimensions=() shape=(17,)] 0.0:f32[]
    s:f32[] sv:f32[17] = replay[
      jaxpr={ lambda ; act:bool[] h:f32[] hv:f32[17] acc:f32[] accv:f32[17]. let
          a2:f32[] = add acc h
          av:f32[17] = add accv hv
        in (a2, av) }
      num_consts=0
      num_records=0
      num_tapes=2
      reverse=False
    ] i ts tv 0.0:f32[] z
    mid:f32[17] = tape_read tv 5000:i32[]
    end:f32[] = tape_read ts 9999:i32[]
  in (x, s, sv, mid, end) }`;

/** A tape as a program output: refused (tapes exist only inside one compiled program). */
export const TAPE_OUTPUT = `{ lambda ; a:f32[]. let
    x:f32[] c:tape(f32[]) = while_record[
      body_jaxpr={ lambda ; d:f32[]. let f:f32[] = add d 1.0:f32[] in (f, d) }
      body_nconsts=0
      cond_jaxpr={ lambda ; k:f32[]. let m:bool[] = lt k 3.0:f32[] in (m,) }
      cond_nconsts=0
      num_records=1
    ] a
  in (x, c) }`;

/** A tape as a program input: refused likewise. */
export const TAPE_INPUT = `{ lambda ; c:tape(f32[]) g:i32[]. let u:f32[] = tape_read c g in (u,) }`;

/**
 * A while_record and tape_reads `depth` scans deep (each scan of length 1 is
 * a block): deep enough that the js emitter outlines blocks into functions
 * of their own, which reach the run's tapes through the factory's scope.
 */
export function deeplyNested(depth: number): string {
  let jaxpr = `{ lambda ; x:f32[]. let
    y:f32[] t:tape(f32[]) = while_record[
      body_jaxpr={ lambda ; d:f32[]. let e:f32[] = add d 1.0:f32[] in (e, d) }
      body_nconsts=0
      cond_jaxpr={ lambda ; c:f32[]. let m:bool[] = lt c 3.0:f32[] in (m,) }
      cond_nconsts=0
      num_records=1
    ] x
    g:f32[] = tape_read t 1:i32[]
    z:f32[] = add y g
  in (z,) }`;
  for (let k = 0; k < depth; k++) {
    jaxpr = `{ lambda ; x${k}:f32[]. let
    z${k}:f32[] = scan[jaxpr=${jaxpr} length=1 num_carry=1 num_consts=0 reverse=False] x${k}
  in (z${k},) }`;
  }
  return jaxpr;
}

/** Slots of no elements (an f32[0] residual) next to scalar ones: pushes and reads of nothing. */
export const EMPTY_SLOTS = `{ lambda ; a:f32[]. let
    x:f32[] t:tape(f32[0]) u:tape(f32[]) = while_record[
      body_jaxpr={ lambda ; d:f32[]. let
          e:f32[] = add d 1.0:f32[]
          z:f32[0] = broadcast_in_dim[broadcast_dimensions=() shape=(0,)] d
        in (e, z, d) }
      body_nconsts=0
      cond_jaxpr={ lambda ; c:f32[]. let m:bool[] = lt c 3.0:f32[] in (m,) }
      cond_nconsts=0
      num_records=2
    ] a
    r:f32[0] = tape_read t 1:i32[]
    s:f32[] = tape_read u 1:i32[]
  in (x, r, s) }`;
