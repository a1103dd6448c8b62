// Fusion, views and buffer planning of the shared lowering, checked on the
// kernel IR (structure) and on the js backend (values, against the interpreter).
import { describe, expect, it } from "vitest";
import { expectMatchesInterpreter, randomArray, seeded } from "../js/helpers.js";
import { kernels, lower, ops, statements } from "./helpers.js";

const rand = seeded(7);

describe("elementwise fusion", () => {
  const CHAIN = `{ lambda ; a:f32[6,5] b:f32[6,5]. let
      c:f32[6,5] = add a b
      d:f32[6,5] = sin c
      e:f32[6,5] = mul d 3.0:f32[]
      f:f32[6,5] = tanh e
      g:f32[6,5] = sub f a
    in (g,) }`;

  it("a chain of 5 elementwise ops is one loop kernel with one store", () => {
    const ks = kernels(lower(CHAIN));
    expect(ks.map((k) => k.kind)).toEqual(["loop"]);
    expect(ops(ks[0]!)).toEqual(["add", "sin", "mul", "tanh", "sub"]);
    expect(ks[0]!.kind === "loop" && ks[0]!.stores.length).toBe(1);
    // Contiguous [6,5] data is one flat loop of 30.
    expect(ks[0]!.kind === "loop" && ks[0]!.shape).toEqual([30]);
    expectMatchesInterpreter(CHAIN, [randomArray("float32", [6, 5], rand), randomArray("float32", [6, 5], rand)]);
  });

  const SHARED = `{ lambda ; a:f32[8]. let
      b:f32[8] = exp a
      c:f32[8] = add b 1.0:f32[]
      d:f32[8] = mul b b
    in (c, d) }`;

  it("a value read by several equations is computed once; outputs are stored where they live", () => {
    const ks = kernels(lower(SHARED));
    expect(ks).toHaveLength(1);
    expect(ops(ks[0]!).filter((o) => o === "exp")).toHaveLength(1);
    // Two outputs: two stores (the shared value needs no store of its own after dead-store elimination).
    expect(ks[0]!.kind === "loop" && ks[0]!.stores.length).toBe(2);
    expectMatchesInterpreter(SHARED, [randomArray("float32", [8], rand)]);
  });

  const SELECT_CONVERT_IOTA = `{ lambda ; a:f32[4,3]. let
      b:i32[4,3] = iota[dimension=1 dtype=int32 shape=(4, 3)]
      c:f32[4,3] = convert_element_type[new_dtype=float32] b
      d:bool[4,3] = gt a c
      e:f32[4,3] = select_n d c a
    in (e,) }`;

  it("iota, convert, compare and select_n fuse too", () => {
    const ks = kernels(lower(SELECT_CONVERT_IOTA));
    expect(ks).toHaveLength(1);
    expect(ks[0]!.instrs.some((i) => i.op === "index")).toBe(true);
    expectMatchesInterpreter(SELECT_CONVERT_IOTA, [randomArray("float32", [4, 3], rand)]);
  });
});

describe("views cost no copy", () => {
  const VIEWS = `{ lambda ; a:f32[4,6] b:f32[6]. let
      c:f32[24] = reshape[new_sizes=(24,)] a
      d:f32[6,4] = reshape[new_sizes=(6, 4)] c
      e:f32[4,6] = transpose[permutation=(1, 0)] d
      f:f32[2,6] = slice[limit_indices=(4, 6) start_indices=(1, 0) strides=(2, 1)] e
      g:f32[2,1,6] = expand_dims[dimensions=(1,)] f
      h:f32[2,6] = squeeze[dimensions=(1,)] g
      i:f32[2] = slice[limit_indices=(6,) start_indices=(1,) strides=(3,)] b
      j:f32[2,6] = broadcast_in_dim[broadcast_dimensions=(0,) shape=(2, 6)] i
      k:f32[2,6] = add h j
    in (k,) }`;

  it("reshape of contiguous data, transpose, strided slice, expand_dims, squeeze and broadcast fold into the loads", () => {
    const ks = kernels(lower(VIEWS));
    expect(ks).toHaveLength(1);
    const loads = ks[0]!.instrs.filter((i) => i.op === "load");
    expect(loads).toHaveLength(2);
    expectMatchesInterpreter(VIEWS, [randomArray("float32", [4, 6], rand), randomArray("float32", [6], rand)]);
  });

  it("a reshape the strides cannot express copies once", () => {
    const ir = `{ lambda ; a:f32[4,6]. let
        b:f32[6,4] = transpose[permutation=(1, 0)] a
        c:f32[24] = reshape[new_sizes=(24,)] b
        d:f32[24] = neg c
      in (d,) }`;
    const ks = kernels(lower(ir));
    expect(ks.map((k) => ops(k))).toEqual([[], ["neg"]]);
    expectMatchesInterpreter(ir, [randomArray("float32", [4, 6], rand)]);
  });

  const TRANSPOSED_DOT = `{ lambda ; a:f32[8,5] b:f32[7,8]. let
      c:f32[5,8] = transpose[permutation=(1, 0)] a
      d:f32[8,7] = transpose[permutation=(1, 0)] b
      e:f32[5,7] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] c d
    in (e,) }`;

  it("a transpose feeding a dot is a view (strides), not a copy", () => {
    const p = lower(TRANSPOSED_DOT);
    const ks = kernels(p);
    expect(ks.map((k) => k.kind)).toEqual(["dot"]);
    const dot = ks[0]!;
    if (dot.kind !== "dot") throw new Error("expected a dot");
    expect(dot.lhs.buf).toBe(p.inputs[0]);
    expect(dot.rhs.buf).toBe(p.inputs[1]);
    // Canonical [b, m, n, k]: lhs row m steps 1 and k steps 5 (a is [k, m]); rhs n steps 8, k steps 1.
    expect(dot.lhs.strides).toEqual([0, 1, 0, 5]);
    expect(dot.rhs.strides).toEqual([0, 0, 8, 1]);
    expectMatchesInterpreter(TRANSPOSED_DOT, [randomArray("float32", [8, 5], rand), randomArray("float32", [7, 8], rand)]);
  });

  const DYNAMIC_SLICE = `{ lambda ; a:f32[5,4] b:i32[]. let
      c:f32[2,4] = dynamic_slice[slice_sizes=(2, 4)] a b 0:i32[]
      d:f32[2,4] = mul c 2.0:f32[]
    in (d,) }`;

  it("dynamic_slice is a view at a clamped run-time offset", () => {
    const p = lower(DYNAMIC_SLICE);
    const ks = kernels(p);
    expect(ks).toHaveLength(1);
    const load = ks[0]!.instrs.find((i) => i.op === "load");
    expect(load?.op === "load" && load.view.offset.terms.length).toBe(1);
    expect(statements(p).filter((s) => s.kind === "setsym")).toHaveLength(1);
    for (const start of [-3, 0, 2, 4, 9]) {
      expectMatchesInterpreter(DYNAMIC_SLICE, [randomArray("float32", [5, 4], rand), { dtype: "int32", shape: [], data: new Int32Array([start]) }]);
    }
  });
});

describe("reductions and dot products absorb elementwise work", () => {
  const REDUCE = `{ lambda ; a:f32[3,4,5]. let
      b:f32[3,4,5] = exp a
      c:f32[3,4,5] = mul b a
      d:f32[3,5] = reduce_sum[axes=(1,)] c
      e:f32[4] = reduce_max[axes=(0, 2)] a
      f:f32[3,4,5] = neg a
      g:i32[3,5] = argmax[axes=(1,) index_dtype=int32] f
    in (d, e, g) }`;

  it("a reduction is one kernel with its elementwise prologue", () => {
    const ks = kernels(lower(REDUCE));
    expect(ks.map((k) => k.kind)).toEqual(["reduce", "reduce", "reduce"]);
    expect(ks.map(ops)).toEqual([["exp", "mul"], [], ["neg"]]);
    expectMatchesInterpreter(REDUCE, [randomArray("float32", [3, 4, 5], rand)]);
  });

  const LAYER = `{ lambda ; a:f32[10,6] b:f32[6,9] c:f32[9]. let
      d:f32[10,9] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a b
      e:f32[10,9] = broadcast_in_dim[broadcast_dimensions=(1,) shape=(10, 9)] c
      f:f32[10,9] = add d e
      g:f32[10,9] = tanh f
    in (g,) }`;

  it("tanh(x @ W + b) is one dot kernel with the add and tanh as its epilogue", () => {
    const p = lower(LAYER);
    const ks = kernels(p);
    expect(ks.map((k) => k.kind)).toEqual(["dot"]);
    expect(ops(ks[0]!)).toEqual(["add", "tanh"]);
    expect(ks[0]!.kind === "dot" && ks[0]!.stores.map((s) => s.view.buf)).toEqual([p.outputs[0]]);
    expectMatchesInterpreter(LAYER, [randomArray("float32", [10, 6], rand), randomArray("float32", [6, 9], rand), randomArray("float32", [9], rand)]);
  });

  const EXPANDING_BROADCAST = `{ lambda ; a:f32[4] b:f32[100,4]. let
      c:f32[4] = exp a
      d:f32[100,4] = broadcast_in_dim[broadcast_dimensions=(1,) shape=(100, 4)] c
      e:f32[100,4] = mul d b
    in (e,) }`;

  it("a computed value broadcast to a larger shape is computed once, not per copy", () => {
    const ks = kernels(lower(EXPANDING_BROADCAST));
    expect(ks).toHaveLength(2);
    expect(ks[0]!.kind === "loop" && ks[0]!.shape).toEqual([4]);
    expect(ops(ks[0]!)).toEqual(["exp"]);
    expect(ops(ks[1]!)).toEqual(["mul"]);
    expectMatchesInterpreter(EXPANDING_BROADCAST, [randomArray("float32", [4], rand), randomArray("float32", [100, 4], rand)]);
  });
});

describe("buffer planning", () => {
  // Ten layers: every intermediate [32,32] must be materialized (it feeds a dot).
  const layers = (n: number): string => {
    const lines: string[] = [];
    let prev = "x0";
    for (let i = 1; i <= n; i++) {
      lines.push(`x${i}:f32[32,32] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] ${prev} w`);
      prev = `x${i}`;
    }
    return `{ lambda ; x0:f32[32,32] w:f32[32,32]. let\n${lines.join("\n")}\n in (${prev},) }`;
  };

  it("reuses buffers by liveness: a long chain needs two slots, not one per value", () => {
    const p = lower(layers(10));
    expect(kernels(p)).toHaveLength(10);
    expect(p.plan.tempBytesNoReuse).toBe(9 * 32 * 32 * 4);
    expect(p.plan.slots).toHaveLength(2);
    expect(p.plan.tempBytes).toBe(2 * 32 * 32 * 4);
    // A dot never writes the slot it reads.
    for (const k of kernels(p)) {
      if (k.kind !== "dot" || p.buffers[k.lhs.buf]!.role !== "temp" || p.buffers[k.stores[0]!.view.buf]!.role !== "temp") continue;
      expect(p.plan.slotOf.get(k.lhs.buf)).not.toBe(p.plan.slotOf.get(k.stores[0]!.view.buf));
    }
    const r = seeded(3);
    const small = (shape: number[]) => {
      const a = randomArray("float32", shape, r, 1);
      for (let i = 0; i < a.data.length; i++) a.data[i] = Math.fround(a.data[i]! * 0.2);
      return a;
    };
    expectMatchesInterpreter(layers(10), [small([32, 32]), small([32, 32])]);
  });

  it("never shares slots between different dtypes", () => {
    const p = lower(`{ lambda ; a:f32[16,16] b:i32[16,16]. let
        c:f32[16,16] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] a a
        d:f32[16,16] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] c a
        e:i32[16,16] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] b b
        f:i32[16,16] = dot_general[dimension_numbers=(((1,), (0,)), ((), ()))] e b
      in (d, f) }`);
    for (const [buf, slot] of p.plan.slotOf) expect(p.plan.slots[slot]!.dtype).toBe(p.buffers[buf]!.dtype);
  });
});

describe("loops", () => {
  const SCAN = `{ lambda ; a:f32[3] b:f32[5,3]. let
      c:f32[3] d:f32[5,3] = scan[
        jaxpr={ lambda ; e:f32[3] f:f32[3]. let
            g:f32[3] = add e f
            h:f32[3] = mul g 0.5:f32[]
          in (g, h) }
        length=5
        num_carry=1
        num_consts=0
        reverse=False
      ] a b
    in (c, d) }`;

  it("scan reads xs as views and writes ys in place", () => {
    const p = lower(SCAN);
    const loop = p.body.find((s) => s.kind === "for");
    if (!loop || loop.kind !== "for") throw new Error("expected a for loop");
    const body = kernels(loop.body);
    expect(body).toHaveLength(1);
    const k = body[0]!;
    const xLoad = k.instrs.find((i) => i.op === "load" && i.view.buf === p.inputs[1]);
    expect(xLoad?.op === "load" && xLoad.view.offset.terms.map((t) => t.coef)).toEqual([3]);
    // ys: stored straight into the output buffer, at row t.
    const ys = k.kind === "loop" ? k.stores.find((s) => s.view.buf === p.outputs[1]) : undefined;
    expect(ys?.view.offset.terms.map((t) => t.coef)).toEqual([3]);
    expectMatchesInterpreter(SCAN, [randomArray("float32", [3], rand), randomArray("float32", [5, 3], rand)]);
  });

  const COUNT = `{ lambda ; a:f32[16]. let
      _:i32[] b:f32[16] = while[
        body_jaxpr={ lambda ; c:i32[] d:f32[16]. let
            e:i32[] = add c 1:i32[]
            f:f32[16] = mul d 1.5:f32[]
            g:f32[16] = sub f 0.25:f32[]
          in (e, g) }
        body_nconsts=0
        cond_jaxpr={ lambda ; h:i32[] i:f32[16]. let j:bool[] = lt h 6:i32[] in (j,) }
        cond_nconsts=0
      ] 0:i32[] a
    in (b,) }`;

  it("a while body updates its carries in place when it reads them only element by element", () => {
    const p = lower(COUNT);
    const w = p.body.find((s) => s.kind === "while");
    if (!w || w.kind !== "while") throw new Error("expected a while");
    const body = kernels(w.body);
    // One kernel per carry (they differ in shape); each stores straight into the carry it reads.
    expect(body).toHaveLength(2);
    for (const k of body) {
      if (k.kind !== "loop") throw new Error("expected loop kernels");
      const loadsOf = new Set(k.instrs.flatMap((i) => (i.op === "load" ? [i.view.buf] : [])));
      expect(k.stores.every((s) => loadsOf.has(s.view.buf))).toBe(true);
    }
    expectMatchesInterpreter(COUNT, [randomArray("float32", [16], rand)]);
  });
});
