// Programs the differential fuzzer (test/fuzz) found where the js backend once
// differed from the interpreter, minimized; each with the reason it failed.
import { describe, expect, it } from "vitest";
import { fromNested } from "../../../src/ir/value.js";
import { expectMatchesInterpreter } from "./helpers.js";

describe("js backend regressions", () => {
  it("a value copied into a loop carry is not read back from the carry after the loop changed it", () => {
    // b is the init of two carries and also the xs: xs must keep b's value.
    const ir = `{ lambda ; a:f32[2]. let
        b:f32[2] = neg a
        c:f32[2] d:f32[2] = scan[
          jaxpr={ lambda ; e:f32[2] f:f32[2] g:f32[]. let
              h:f32[2] = broadcast_in_dim[broadcast_dimensions=() shape=(2,)] g
            in (h, h) }
          length=2
          num_carry=2
          num_consts=0
          reverse=False
        ] b b b
        i:f32[2] = neg d
      in (i, c) }`;
    const [i, c] = expectMatchesInterpreter(ir, [fromNested([-4, -3], "float32")]);
    expect(Array.from(i!.data)).toEqual([-3, -3]); // last x row is b[1] = 3
    expect(Array.from(c!.data)).toEqual([3, 3]);
  });

  it("a concatenate along a lane axis inside a batched branch is written whole", () => {
    const ir = `{ lambda ; a:f32[2]. let
        b:i32[2] = convert_element_type[new_dtype=int32] a
        c:i32[2,1] = reshape[new_sizes=(2, 1)] b
        d:i32[2,1] = cond[
          branches=(
            { lambda ; e:i32[2,1] f:i32[2,1] g:i32[2,1]. let
                h:i32[2,0] = broadcast_in_dim[broadcast_dimensions=(0, 1) shape=(2, 0)] g
                i:i32[2,1] = concatenate[dimension=1] g h
              in (i,) }
          )
        ] c c c c
      in (d,) }`;
    const [d] = expectMatchesInterpreter(ir, [fromNested([-4, -3], "float32")]);
    expect(Array.from(d!.data)).toEqual([-4, -3]);
  });

  it("int32 results never carry a -0 into float code (trunc(-0.25), 0 / -5, -5 % 5)", () => {
    const ir = `{ lambda ; a:f32[] b:i32[] c:i32[]. let
        d:i32[] = convert_element_type[new_dtype=int32] a
        e:f32[] = convert_element_type[new_dtype=float32] d
        f:f32[] = rsqrt e
        g:i32[] = div b c
        h:f32[] = convert_element_type[new_dtype=float32] g
        i:f32[] = div 1.0:f32[] h
        j:i32[] = rem c 5:i32[]
        k:f32[] = convert_element_type[new_dtype=float32] j
        l:f32[] = div 1.0:f32[] k
      in (f, i, l) }`;
    const outs = expectMatchesInterpreter(ir, [fromNested(-0.25, "float32"), fromNested(0, "int32"), fromNested(-5, "int32")]);
    expect(outs.map((o) => o.data[0])).toEqual([Infinity, Infinity, Infinity]);
  });

  it("a dynamic_update_slice whose update reads the destination carry", () => {
    // n = dynamic_update_slice(j, l) replaces all of j by l; it becomes the carry of l.
    const ir = `{ lambda ; a:f32[]. let
        b:i32[] = convert_element_type[new_dtype=int32] a
        c:i32[] = max b 0:i32[]
        d:i32[] = min c 4:i32[]
        e:i32[] f:f32[] g:i32[] h:f32[] = while[
          body_jaxpr={ lambda ; i:i32[] j:i32[] k:f32[] l:i32[] m:f32[]. let
              n:i32[] = dynamic_update_slice j l
              o:i32[] = add j 1:i32[]
            in (o, m, n, m) }
          body_nconsts=1
          cond_jaxpr={ lambda ; p:i32[] q:i32[] r:f32[] s:i32[] t:f32[]. let
              u:bool[] = lt q p
            in (u,) }
          cond_nconsts=1
        ] d b -1:i32[] a d a
      in (h, g, f, e) }`;
    for (const x of [-4, 0, 2.5, 7]) expectMatchesInterpreter(ir, [fromNested(x, "float32")]);
  });

  it("a scan inside a batched loop whose length equals the lane count: its rows are not lanes", () => {
    const ir = `{ lambda ; a:i32[3,1,3] b:f32[] c:f32[]. let
        i:i32[3,3] = reshape[new_sizes=(3, 3)] a
        j:i32[3,1] = slice[limit_indices=(3, 1) start_indices=(0, 0) strides=None] i
        k:i32[3] = reshape[new_sizes=(3,)] j
        l:i32[3] = max k 0:i32[]
        m:i32[3] = min l 4:i32[]
        n:i32[3] = broadcast_in_dim[broadcast_dimensions=() shape=(3,)] -1:i32[]
        o:i32[3] p:i32[3,3] q:i32[3] r:i32[3] = while[
          body_jaxpr={ lambda ; s:i32[3] t:i32[3] u:i32[3,3] v:i32[3] w:i32[3]. let
              x:i32[3,1] = slice[limit_indices=(3, 1) start_indices=(0, 0) strides=None] u
              y:i32[3,1] = reshape[new_sizes=(3, 1)] x
              z:i32[3,1] = dot_general[dimension_numbers=(((), ()), ((0,), (0,)))] w y
              ba:i32[3] = reshape[new_sizes=(3,)] z
              bb:i32[3,3] = scan[
                jaxpr={ lambda ; bc:i32[3] bd:i32[]. let
                    be:i32[3] = dynamic_slice[slice_sizes=(3,)] bc bd
                  in (be,) }
                length=3
                num_carry=0
                num_consts=0
                reverse=False
              ] u ba
              bf:i32[3] = add t 1:i32[]
            in (bf, bb, ba, ba) }
          body_nconsts=1
          cond_jaxpr={ lambda ; bg:i32[3] bh:i32[3] bi:i32[3,3] bj:i32[3] bk:i32[3]. let
              bl:bool[3] = lt bh bg
              bm:i32[3] = reduce_min[axes=(1,)] bi
              bn:bool[3] = lt bm -1:i32[]
              bo:bool[3] = and bl bn
            in (bo,) }
          cond_nconsts=1
        ] m m n i m m
      in (r, q, p, o) }`;
    const a = fromNested([[[-3, -6, -4]], [[-5, 0, 1]], [[1, 2, -1]]], "int32");
    const [, , p] = expectMatchesInterpreter(ir, [a, fromNested(-2, "float32"), fromNested(3.25, "float32")]);
    // Lanes 0 and 1 run once; the scan copies each row of u unchanged, so p is the input.
    expect(Array.from(p!.data)).toEqual([-3, -6, -4, -5, 0, 1, 1, 2, -1]);
  });
});
