// An elementwise float32 map over memory: `dst[i] = fn(src[i])` for i < n,
// four lanes at a time with f32x4 and the remaining n % 4 elements with the
// scalar form of the same generator. Used by the accuracy measurement, and a
// template for the loops an emitter writes.

import type { FunctionBuilder } from "../func.js";
import type { ModuleBuilder } from "../module.js";
import type { Local } from "../types.js";
import { Lanes } from "./lanes.js";
import type { F, Shape } from "./lanes.js";

export type LaneKernel = (L: Lanes, x: F) => F;

/**
 * Adds `(func $name (param $src i32) (param $dst i32) (param $n i32))`.
 * With `simd: false` every element goes through the scalar path (to check
 * that the tail computes exactly what the SIMD lanes compute).
 */
export function addMapKernel(m: ModuleBuilder, name: string, kernel: LaneKernel, opts: { simd?: boolean; export?: string } = {}): FunctionBuilder {
  const f = m.addFunction({ name, params: { src: "i32", dst: "i32", n: "i32" }, ...(opts.export !== undefined ? { export: opts.export } : {}) });
  const { src, dst, n } = f.params;
  const i = f.addLocal("i32", "i");
  if (opts.simd ?? true) {
    const end4 = f.addLocal("i32", "end4");
    f.local.get(n).i32.const(-4).i32.and().local.set(end4);
    loop(f, i, end4, 4, "f32x4", kernel, src, dst);
  }
  loop(f, i, n, 1, "f32", kernel, src, dst);
  return f;
}

function loop(f: FunctionBuilder, i: Local, end: Local, step: number, shape: Shape, kernel: LaneKernel, src: Local, dst: Local): void {
  const addr = (base: Local) => f.local.get(base).local.get(i).i32.const(2).i32.shl().i32.add();
  const done = f.block(undefined, `${shape}_done`);
  const body = f.loop(undefined, `${shape}_loop`);
  f.local.get(i).local.get(end).i32.ge_u().br_if(done);
  addr(dst);
  addr(src);
  if (shape === "f32x4") f.v128.load({ align: 4 });
  else f.f32.load();
  const L = new Lanes(f, shape);
  const x = f.temp(L.typeOf("float"));
  f.local.set(x);
  kernel(L, L.fromLocal("float", x)).emit();
  L.releaseTemps();
  f.release(x);
  if (shape === "f32x4") f.v128.store({ align: 4 });
  else f.f32.store();
  f.local.get(i).i32.const(step).i32.add().local.set(i);
  f.br(body);
  f.end();
  f.end();
}
