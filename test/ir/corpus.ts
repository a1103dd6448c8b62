// Hand-written IR texts in exactly the form the printer emits, one well-typed
// use (at least) of every primitive. The round-trip test feeds each through
// `printChecked` (parse, verify, print, parse, print, compare), and a coverage
// test checks that together with the numpy fixtures' one-equation programs
// (which it round-trips too) they use every primitive in PRIMS.

export interface CorpusEntry {
  readonly name: string;
  readonly text: string;
}

export const CORPUS: readonly CorpusEntry[] = [
  {
    name: "unary float ops",
    text: `{ lambda ; a:f32[3]. let
    b:f32[3] = neg a
    c:f32[3] = exp b
    d:f32[3] = log c
    e:f32[3] = sin d
    f:f32[3] = cos e
    g:f32[3] = tanh f
    h:f32[3] = logistic g
    i:f32[3] = sqrt h
    j:f32[3] = rsqrt i
    k:f32[3] = abs j
    l:f32[3] = sign k
    m:f32[3] = floor l
    n:f32[3] = ceil m
    o:f32[3] = round[rounding_method=0] n
    p:f32[3] = round[rounding_method=1] o
  in (p,) }`,
  },
  {
    name: "int and bool elementwise ops",
    text: `{ lambda ; a:i32[4] b:i32[4] c:bool[4]. let
    d:i32[4] = add a b
    e:i32[4] = sub d 1:i32[]
    f:i32[4] = mul e -2:i32[]
    g:i32[4] = div f 3:i32[]
    h:i32[4] = rem g b
    i:i32[4] = max h a
    j:i32[4] = min i 7:i32[]
    k:i32[4] = and j b
    l:i32[4] = or k a
    m:i32[4] = not l
    n:bool[4] = not c
    o:bool[4] = and n True:bool[]
    p:bool[4] = or o c
    q:i32[4] = neg m
    r:i32[4] = abs q
    s:i32[4] = sign r
  in (p, s) }`,
  },
  {
    name: "comparisons, select_n, convert_element_type, float binary ops and literal spellings",
    text: `{ lambda ; a:f32[5] b:f32[5]. let
    c:bool[5] = lt a b
    d:bool[5] = le a 0.5:f32[]
    e:bool[5] = gt a b
    f:bool[5] = ge b -inf:f32[]
    g:bool[5] = eq a b
    h:bool[5] = ne a nan:f32[]
    i:f32[5] = select_n c a b
    j:i32[5] = convert_element_type[new_dtype=int32] d
    k:f32[5] = select_n j a b i
    l:f32[5] = pow k 2.0:f32[]
    m:f32[5] = add l 1e-10:f32[]
    n:f32[5] = sub m inf:f32[]
    o:f32[5] = mul n -0.0:f32[]
    p:f32[5] = div o 0.1:f32[]
    q:f32[5] = rem p 3.5:f32[]
    r:f32[5] = max q a
    s:f32[5] = min r b
    t:bool[5] = and e f
    u:bool[5] = or g h
    v:f32[5] = select_n t s a
    w:bool[5] = select_n False:bool[] u t
  in (v, w) }`,
  },
  {
    name: "shape manipulation, slicing and concatenation",
    text: `{ lambda ; a:f32[2,3] b:f32[3]. let
    c:f32[4,2,3] = broadcast_in_dim[broadcast_dimensions=(1, 2) shape=(4, 2, 3)] a
    d:f32[2,3] = broadcast_in_dim[broadcast_dimensions=(1,) shape=(2, 3)] b
    e:f32[3,2] = transpose[permutation=(1, 0)] d
    f:f32[6] = reshape[new_sizes=(6,)] e
    g:f32[1,6] = expand_dims[dimensions=(0,)] f
    h:f32[6] = squeeze[dimensions=(0,)] g
    i:f32[12] = concatenate[dimension=0] f h
    j:f32[4] = slice[limit_indices=(9,) start_indices=(1,) strides=(2,)] i
    k:f32[3] = slice[limit_indices=(3,) start_indices=(0,) strides=None] j
    l:f32[2,2] = dynamic_slice[slice_sizes=(2, 2)] a 0:i32[] 1:i32[]
    m:f32[2,3] = dynamic_update_slice a l 0:i32[] 1:i32[]
    n:f32[4,2,3] = broadcast_in_dim[broadcast_dimensions=() shape=(4, 2, 3)] 1.0:f32[]
  in (c, k, m, n) }`,
  },
  {
    name: "dot_general, reductions, argmax, iota",
    text: `{ lambda ; a:f32[2,3] b:f32[3,4] c:f32[5,2,3] d:f32[5,3,4]. let
    e:f32[2,4] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a b
    f:f32[5,2,4] = dot_general[dimension_numbers=(((2,), (1,)), ((0,), (0,)))] c d
    g:f32[2] = reduce_sum[axes=(1,)] e
    h:f32[] = reduce_max[axes=(0, 1, 2)] f
    i:f32[5] = reduce_min[axes=(1, 2)] f
    j:i32[2] = argmax[axes=(1,) index_dtype=int32] e
    k:i32[2,3] = iota[dimension=1 dtype=int32 shape=(2, 3)]
    l:f32[4] = iota[dimension=0 dtype=float32 shape=(4,)]
    m:i32[] = reduce_sum[axes=(0, 1)] k
  in (g, h, i, j, l, m) }`,
  },
  {
    name: "constvars, a literal output and an unused binder",
    text: `{ lambda a:f32[3]; b:f32[3]. let
    _:f32[3] = mul a b
    c:f32[3] = add a b
  in (c, 2.5:f32[], b) }`,
  },
  {
    name: "while with cond and body consts",
    text: `{ lambda ; a:f32[8] b:i32[]. let
    c:f32[8] = sin a
    _:i32[] d:f32[8] = while[
      body_jaxpr={ lambda ; e:f32[8] f:i32[] g:f32[8]. let
          h:i32[] = add f 1:i32[]
          i:f32[8] = mul g e
        in (h, i) }
      body_nconsts=1
      cond_jaxpr={ lambda ; j:i32[] k:i32[] l:f32[8]. let m:bool[] = lt k j in (m,) }
      cond_nconsts=1
    ] b c 0:i32[] a
  in (d,) }`,
  },
  {
    name: "batched while: bool[4] predicate, a prefix of every carry",
    text: `{ lambda ; a:i32[4] b:f32[4,3]. let
    c:i32[4] d:f32[4,3] = while[
      body_jaxpr={ lambda ; e:i32[4] f:f32[4,3]. let
          g:i32[4] = add e 2:i32[]
          h:f32[4,3] = mul f 2.0:f32[]
        in (g, h) }
      body_nconsts=0
      cond_jaxpr={ lambda ; i:i32[4] j:f32[4,3]. let k:bool[4] = lt i 3:i32[] in (k,) }
      cond_nconsts=0
    ] a b
  in (c, d) }`,
  },
  {
    name: "nested while",
    text: `{ lambda ; a:i32[] b:i32[]. let
    _:i32[] c:i32[] = while[
      body_jaxpr={ lambda ; d:i32[] e:i32[] f:i32[]. let
          g:i32[] = add e 1:i32[]
          _:i32[] h:i32[] = while[
            body_jaxpr={ lambda ; i:i32[] j:i32[]. let
                k:i32[] = add i 1:i32[]
                l:i32[] = add j 1:i32[]
              in (k, l) }
            body_nconsts=0
            cond_jaxpr={ lambda ; m:i32[] n:i32[] o:i32[]. let p:bool[] = lt n m in (p,) }
            cond_nconsts=1
          ] d 0:i32[] f
        in (g, h) }
      body_nconsts=1
      cond_jaxpr={ lambda ; q:i32[] r:i32[] s:i32[]. let t:bool[] = lt r q in (t,) }
      cond_nconsts=1
    ] a b 0:i32[] 0:i32[]
  in (c,) }`,
  },
  {
    name: "cond with a scalar index and three branches",
    text: `{ lambda ; a:i32[] b:f32[3]. let
    c:f32[3] = cond[
      branches=(
        { lambda ; d:f32[3]. let e:f32[3] = neg d in (e,) }
        { lambda ; f:f32[3]. let g:f32[3] = sin f in (g,) }
        { lambda ; h:f32[3]. let  in (h,) }
      )
    ] a b
  in (c,) }`,
  },
  {
    name: "batched cond: i32[4] index, a while inside a branch",
    text: `{ lambda ; a:i32[4] b:f32[4]. let
    c:f32[4] = cond[
      branches=(
        { lambda ; d:f32[4]. let e:f32[4] = mul d 2.0:f32[] in (e,) }
        { lambda ; f:f32[4]. let
            g:f32[4] = while[
              body_jaxpr={ lambda ; h:f32[4]. let i:f32[4] = add h 1.0:f32[] in (i,) }
              body_nconsts=0
              cond_jaxpr={ lambda ; j:f32[4]. let k:bool[4] = lt j 10.0:f32[] in (k,) }
              cond_nconsts=0
            ] f
          in (g,) }
      )
    ] a b
  in (c,) }`,
  },
  {
    name: "scan with consts, carry and xs",
    text: `{ lambda ; a:f32[3] b:f32[] c:f32[5,3]. let
    d:f32[] e:f32[5,3] = scan[
      jaxpr={ lambda ; f:f32[3] g:f32[] h:f32[3]. let
          i:f32[3] = mul h f
          j:f32[] = reduce_sum[axes=(0,)] i
          k:f32[] = add g j
        in (k, i) }
      length=5
      num_carry=1
      num_consts=1
      reverse=False
    ] a b c
  in (d, e) }`,
  },
  {
    name: "reverse scan without xs",
    text: `{ lambda ; a:i32[]. let
    b:i32[] c:i32[4] = scan[
      jaxpr={ lambda ; d:i32[]. let e:i32[] = mul d 2:i32[] in (e, d) }
      length=4
      num_carry=1
      num_consts=0
      reverse=True
    ] a
  in (b, c) }`,
  },
  {
    name: "pjit with plain and quoted names",
    text: `{ lambda ; a:f32[2] b:f32[2]. let
    c:f32[2] = pjit[
      jaxpr={ lambda ; d:f32[2] e:f32[2]. let f:f32[2] = add d e in (f,) }
      name=inner
    ] a b
    g:f32[2] = mul c a
    h:f32[2] = pjit[
      jaxpr={ lambda ; i:f32[2]. let  in (i,) }
      name=<lambda>
    ] g
    j:f32[2] = pjit[
      jaxpr={ lambda ; k:f32[2]. let l:f32[2] = neg k in (l,) }
      name="my fn"
    ] h
  in (j,) }`,
  },
  {
    name: "checkpoint, nested, with a quoted name",
    text: `{ lambda ; a:f32[2] b:f32[2]. let
    c:f32[2] = checkpoint[
      jaxpr={ lambda ; d:f32[2] e:f32[2]. let
          f:f32[2] = mul d e
          g:f32[2] = checkpoint[
            jaxpr={ lambda ; h:f32[2]. let i:f32[2] = tanh h in (i,) }
            name="inner layer"
          ] f
        in (g,) }
      name=layer
    ] a b
  in (c,) }`,
  },
  {
    name: "custom_jvp_call, custom_vjp_call and custom_vjp_bwd with a captured const",
    text: `{ lambda ; a:f32[] b:f32[2]. let
    c:f32[2] = custom_jvp_call[
      call_jaxpr={ lambda ; d:f32[] e:f32[2]. let f:f32[2] = mul d e in (f,) }
      jvp_jaxpr={ lambda ; g:f32[] h:f32[2] i:f32[2]. let
          j:f32[2] = mul g h
          k:f32[2] = mul g i
        in (j, k) }
      name=scale
      num_consts=1
    ] a b
    l:f32[2] = custom_vjp_call[
      bwd_jaxpr={ lambda ; m:f32[] n:f32[2] o:f32[2]. let p:f32[2] = mul n o in (p,) }
      call_jaxpr={ lambda ; q:f32[] r:f32[2]. let s:f32[2] = sin r in (s,) }
      fwd_jaxpr={ lambda ; t:f32[] u:f32[2]. let
          v:f32[2] = sin u
          w:f32[2] = cos u
        in (v, w) }
      name="sin with cos saved"
      num_consts=1
    ] a c
    x:f32[2] = custom_vjp_bwd[
      bwd_jaxpr={ lambda ; y:f32[] z:f32[2] ba:f32[2]. let bb:f32[2] = mul z ba in (bb,) }
      name=sin
      num_consts=1
      num_res=1
    ] a l c
  in (l, x) }`,
  },
  {
    name: "reverse mode through a while: while_record, replay and tape_read",
    text: `{ lambda ; a:f32[]. let
    _:f32[] b:i32[] c:tape(f32[]) = while_record[
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
    u:f32[] = tape_read c 0:i32[]
    v:tape(f32[]) = tape_reverse c
  in (n, u, v) }`,
  },
  {
    name: "check: values through, an error when the predicate holds",
    text: `{ lambda ; a:bool[4] b:f32[4] c:i32[]. let
    d:f32[4] e:i32[] = check[message="too many steps"] a b c
  in (d, e) }`,
  },
  {
    name: "checkpoint: a call reverse mode recomputes",
    text: `{ lambda ; a:f32[3] b:f32[]. let
    c:f32[3] = checkpoint[
      jaxpr={ lambda ; d:f32[3] e:f32[]. let
          f:f32[3] = mul d e
          g:f32[3] = tanh f
        in (g,) }
      name=layer
    ] a b
  in (c,) }`,
  },
];
