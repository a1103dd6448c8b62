// The accumulators of four reduction outputs side by side, one vector lane
// each (emit_loop.ts runs a reduction's innermost kept axis four points at a
// time when that pays). Each lane sees its output's elements in the scalar
// loop's order and combines them as the scalar loop does — float sums in
// double (two f64x2: points 0, 1 and 2, 3), rounded once; int sums wrapping;
// max/min with wasm's f32 semantics, which f32x4.max/min share lane by lane —
// so the four results are the scalar ones bit for bit.

import type { DType } from "../../../ir/dtype.js";
import type { Reducer } from "../../lower/kernel_ir.js";
import type { FunctionBuilder } from "../func.js";
import type { Local } from "../types.js";
import { emitStore } from "./access.js";
import { BINARY, type HostFns } from "./values.js";

export class FourAccumulators {
  private readonly floatSum: boolean;
  /** A float sum's [lo, hi] f64x2 pair, otherwise one f32x4/i32x4. */
  private readonly accs: readonly Local[];

  constructor(
    private readonly f: FunctionBuilder,
    private readonly reducer: Exclude<Reducer, "argmax">,
    /** The reduced values' dtype: float32 or int32. */
    private readonly dtype: DType,
    private readonly identity: number,
    private readonly host: HostFns,
  ) {
    this.floatSum = reducer === "sum" && dtype === "float32";
    this.accs = this.floatSum ? [f.addLocal("v128", "acc_lo"), f.addLocal("v128", "acc_hi")] : [f.addLocal("v128", "acc4")];
  }

  start(): void {
    const f = this.f;
    if (this.floatSum) {
      // A float sum's identity is +0, whose f64 bits are all zero.
      for (const a of this.accs) f.v128.const("i32x4", [0, 0, 0, 0]).local.set(a);
      return;
    }
    if (this.dtype === "float32") f.f32.const(this.identity).f32x4.splat();
    else f.i32.const(this.identity).i32x4.splat();
    f.local.set(this.accs[0]!);
  }

  /** Folds in the four points' values (a v128 local). */
  add(v: Local): void {
    const f = this.f;
    if (this.floatSum) {
      const [lo, hi] = this.accs as [Local, Local];
      f.local.get(lo).local.get(v).f64x2.promote_low_f32x4().f64x2.add().local.set(lo);
      f.local.get(hi).local.get(v).local.get(v).i8x16.shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
      f.f64x2.promote_low_f32x4().f64x2.add().local.set(hi);
      return;
    }
    BINARY[this.reducer === "sum" ? "add" : this.reducer]({ f, width: 4, host: this.host }, this.accs[0]!, v, this.dtype);
    f.local.set(this.accs[0]!);
  }

  /** Stores the four results at `ptr`, `strideBytes` apart. */
  finish(outDtype: DType, ptr: Local, strideBytes: number): void {
    const f = this.f;
    let out = this.accs[0]!;
    if (this.floatSum) {
      const [lo, hi] = this.accs as [Local, Local];
      out = f.addLocal("v128", "sum4");
      f.local.get(lo).f32x4.demote_f64x2_zero().local.get(hi).f32x4.demote_f64x2_zero();
      f.i8x16.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]).local.set(out);
    }
    emitStore(f, outDtype, 4, ptr, 0, strideBytes, out);
  }
}
