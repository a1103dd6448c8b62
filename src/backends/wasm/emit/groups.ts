// Access groups of a kernel: every distinct strided pattern (buffer, offset,
// strides) of its loads, stores and iotas gets one pointer local per loop
// depth, advanced by a constant in each loop step — no multiplications per
// element. A buffer pattern's pointer is a byte address; an iota's "pointer"
// is the index value itself (unit 1).

import type { DType } from "../../../ir/dtype.js";
import type { AccessPlan, Offset } from "../../lower/kernel_ir.js";
import type { FunctionBuilder } from "../func.js";
import type { Local } from "../types.js";
import { ELEM_BYTES } from "./access.js";

export interface Group {
  /** Buffer parameter, or null for an iota. */
  readonly buf: number | null;
  readonly offset: Offset;
  /** Element strides over the iteration axes. */
  readonly strides: readonly number[];
  /** Bytes per element (1 for an iota). */
  readonly unit: number;
}

/** Kernel function parameters: buffer base addresses, symbol values, and the lane-set record. */
export interface KernelParams {
  readonly bufs: readonly Local[];
  readonly dtypes: readonly DType[];
  readonly syms: readonly Local[];
  readonly lanes: Local | null;
}

export class Groups {
  readonly list: Group[] = [];
  private readonly keys = new Map<string, number>();

  /** The kernel's access groups (kernel_plan.ts), numbered as in the plan; `dtypes`: each buffer parameter's. */
  static fromPlan(access: AccessPlan, dtypes: readonly DType[]): Groups {
    const g = new Groups();
    for (const a of access.groups) {
      if (a.buf === null) g.ofIndex(a.offset.c, a.strides);
      else g.ofView(a.buf, dtypes[a.buf]!, a.offset, a.strides);
    }
    if (g.list.length !== access.groups.length) throw new Error("wasm: a kernel plan lists one access group twice");
    return g;
  }

  private add(g: Group): number {
    const key = JSON.stringify(g);
    let i = this.keys.get(key);
    if (i === undefined) {
      i = this.list.push(g) - 1;
      this.keys.set(key, i);
    }
    return i;
  }

  ofView(buf: number, dtype: DType, offset: Offset, strides: readonly number[]): number {
    return this.add({ buf, offset, strides, unit: ELEM_BYTES[dtype] });
  }

  ofIndex(offset: number, strides: readonly number[]): number {
    return this.add({ buf: null, offset: { c: offset, terms: [] }, strides, unit: 1 });
  }

  /** Declares each group's base local: `buf + (c + Σ coef·sym)·unit`, or the iota's offset. */
  bases(f: FunctionBuilder, P: KernelParams): Local[] {
    return this.list.map((g, j) => {
      const l = f.addLocal("i32", `g${j}`);
      emitAddress(f, g.buf === null ? 0 : P.bufs[g.buf]!, g.offset, g.unit, P.syms);
      f.local.set(l);
      return l;
    });
  }
}

/** Pushes `base + (c + Σ coef·sym)·unit` (base: a local, or a constant address). */
export function emitAddress(f: FunctionBuilder, base: Local | number, o: Offset, unit: number, syms: readonly Local[]): void {
  if (typeof base === "number") f.i32.const(base + o.c * unit);
  else {
    f.local.get(base);
    if (o.c !== 0) f.i32.const(o.c * unit).i32.add();
  }
  for (const t of o.terms) {
    f.local.get(syms[t.sym]!);
    if (t.coef * unit !== 1) f.i32.const(t.coef * unit).i32.mul();
    f.i32.add();
  }
}

/** `dst = src + coord·stride·unit` for the nonzero lane strides (coords are i32 locals). */
export function addScaled(f: FunctionBuilder, src: Local, terms: readonly { coord: Local; scale: number }[], dst: Local): void {
  f.local.get(src);
  for (const t of terms) {
    if (t.scale === 0) continue;
    f.local.get(t.coord);
    if (t.scale !== 1) f.i32.const(t.scale).i32.mul();
    f.i32.add();
  }
  f.local.set(dst);
}

/** Decomposes lane index `l` (row-major over `shape`) into one coordinate local per axis. */
export function laneCoords(f: FunctionBuilder, l: Local, shape: readonly number[]): Local[] {
  if (shape.length === 1) return [l];
  const coords = shape.map((_, a) => f.addLocal("i32", `c${a}`));
  const r = f.addLocal("i32", "rest");
  f.local.get(l).local.set(r);
  for (let a = shape.length - 1; a >= 1; a--) {
    f.local.get(r).i32.const(shape[a]!).i32.rem_u().local.set(coords[a]!);
    f.local.get(r).i32.const(shape[a]!).i32.div_u().local.set(r);
  }
  f.local.get(r).local.set(coords[0]!);
  return coords;
}

/** `for (i = 0; i < n; i++) body()` for a static n ≥ 1 (a do-while), `step` after each body. */
export function countedLoop(f: FunctionBuilder, n: number, body: () => void, step: () => void = () => {}): void {
  if (n <= 0) return;
  if (n === 1) {
    body();
    step();
    return;
  }
  const i = f.addLocal("i32", "i");
  f.i32.const(0).local.set(i);
  const top = f.loop();
  body();
  step();
  f.local.get(i).i32.const(1).i32.add().local.tee(i).i32.const(n).i32.lt_u().br_if(top);
  f.end();
}
