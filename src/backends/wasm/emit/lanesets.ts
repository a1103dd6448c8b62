// Lane sets in linear memory: the active lanes of a batched while/cond as a
// mask (one byte per lane) and as a list of active lane indices with its
// count (the record layout is in layout.ts). These helper functions are the
// wasm form of src/backends/js/runtime.ts, with the semantics of
// src/backends/interpreter/mask.ts; each is added to the module on first use.

import { isShapePrefix, shapesEqual } from "../../../ir/dtype.js";
import type { Shape } from "../../../ir/dtype.js";
import type { FunctionBuilder } from "../func.js";
import type { ModuleBuilder } from "../module.js";
import { HelperFunctions } from "./helperFunctions.js";
import type { FuncRef } from "../types.js";
import { LANE_LIST_OFFSET, type LaneSetLayout } from "./layout.js";

export class LaneRuntime {
  private readonly helpers = new HelperFunctions();

  constructor(private readonly m: ModuleBuilder) {}

  private fn(name: string, build: () => FuncRef): FuncRef {
    return this.helpers.get(name, build);
  }

  /** (base n) -> count: rebuilds the list from the mask (mask at base + 16 + 4n). */
  rebuild(): FuncRef {
    return this.fn("lanes_rebuild", () => {
      const f = this.m.addFunction({ name: "lanes_rebuild", params: { base: "i32", n: "i32" }, results: ["i32"] });
      const { base, n } = f.params;
      const l = f.addLocal("i32", "l");
      const c = f.addLocal("i32", "c");
      const mask = f.addLocal("i32", "mask");
      f.local.get(base).i32.const(LANE_LIST_OFFSET).i32.add().local.get(n).i32.const(2).i32.shl().i32.add().local.set(mask);
      forUpTo(f, l, n, () => {
        f.local.get(mask).local.get(l).i32.add().i32.load8_u();
        f.if();
        f.local.get(base).local.get(c).i32.const(2).i32.shl().i32.add().local.get(l).i32.store({ offset: LANE_LIST_OFFSET, align: 4 });
        f.local.get(c).i32.const(1).i32.add().local.set(c);
        f.end();
      });
      f.local.get(base).local.get(c).i32.store({ align: 4 });
      f.local.get(c);
      return f;
    });
  }

  /** (dst src n block): dst[i] = src[i / block] (the outer mask broadcast over sub-lanes). */
  broadcast(): FuncRef {
    return this.fn("mask_broadcast", () => {
      const f = this.m.addFunction({ name: "mask_broadcast", params: { dst: "i32", src: "i32", n: "i32", block: "i32" } });
      const { dst, src, n, block } = f.params;
      const i = f.addLocal("i32", "i");
      forUpTo(f, i, n, () => {
        f.local.get(dst).local.get(i).i32.add();
        f.local.get(src).local.get(i).local.get(block).i32.div_u().i32.add().i32.load8_u();
        f.i32.store8();
      });
      return f;
    });
  }

  /** (dst src n block): dst[l] = any of src[l·block .. (l+1)·block) (a lane matters if a sub-lane does). */
  any(): FuncRef {
    return this.fn("mask_any", () => {
      const f = this.m.addFunction({ name: "mask_any", params: { dst: "i32", src: "i32", n: "i32", block: "i32" } });
      const { dst, src, n, block } = f.params;
      const l = f.addLocal("i32", "l");
      const k = f.addLocal("i32", "k");
      const v = f.addLocal("i32", "v");
      forUpTo(f, l, n, () => {
        f.i32.const(0).local.set(v);
        forUpTo(f, k, block, () => {
          f.local.get(v).local.get(src).local.get(l).local.get(block).i32.mul().i32.add().local.get(k).i32.add().i32.load8_u().i32.or().local.set(v);
        });
        f.local.get(dst).local.get(l).i32.add().local.get(v).i32.store8();
      });
      return f;
    });
  }

  /** (base mask pred) -> count: drops listed lanes whose predicate byte pred[l] is 0. */
  and(): FuncRef {
    return this.fn("lanes_and", () => {
      const f = this.m.addFunction({ name: "lanes_and", params: { base: "i32", mask: "i32", pred: "i32" }, results: ["i32"] });
      const { base, mask, pred } = f.params;
      const q = f.addLocal("i32", "q");
      const c = f.addLocal("i32", "c");
      const l = f.addLocal("i32", "l");
      const n = f.addLocal("i32", "n");
      f.local.get(base).i32.load({ align: 4 }).local.set(n);
      forUpTo(f, q, n, () => {
        f.local.get(base).local.get(q).i32.const(2).i32.shl().i32.add().i32.load({ offset: LANE_LIST_OFFSET, align: 4 }).local.set(l);
        f.local.get(pred).local.get(l).i32.add().i32.load8_u();
        f.if();
        f.local.get(base).local.get(c).i32.const(2).i32.shl().i32.add().local.get(l).i32.store({ offset: LANE_LIST_OFFSET, align: 4 });
        f.local.get(c).i32.const(1).i32.add().local.set(c);
        f.else();
        f.local.get(mask).local.get(l).i32.add().i32.const(0).i32.store8();
        f.end();
      });
      f.local.get(base).local.get(c).i32.store({ align: 4 });
      f.local.get(c);
      return f;
    });
  }

  /** (mask n index k last isBool): clears lanes whose clamped index is not k. */
  index(): FuncRef {
    return this.fn("lanes_index", () => {
      const f = this.m.addFunction({ name: "lanes_index", params: { mask: "i32", n: "i32", index: "i32", k: "i32", last: "i32", isBool: "i32" } });
      const { mask, n, index, k, last, isBool } = f.params;
      const l = f.addLocal("i32", "l");
      const v = f.addLocal("i32", "v");
      forUpTo(f, l, n, () => {
        f.local.get(isBool);
        f.if("i32");
        f.local.get(index).local.get(l).i32.add().i32.load8_u();
        f.else();
        f.local.get(index).local.get(l).i32.const(2).i32.shl().i32.add().i32.load({ align: 4 });
        f.end();
        f.local.set(v);
        // clamp(v, 0, last) != k → inactive
        f.i32.const(0).local.get(v).local.get(v).i32.const(0).i32.lt_s().select().local.set(v);
        f.local.get(last).local.get(v).local.get(v).local.get(last).i32.gt_s().select();
        f.local.get(k).i32.ne();
        f.if();
        f.local.get(mask).local.get(l).i32.add().i32.const(0).i32.store8();
        f.end();
      });
      return f;
    });
  }

  /** (dst outer active n block): dst[i] = outer[i] & active[i / block]. */
  combine(): FuncRef {
    return this.fn("lanes_combine", () => {
      const f = this.m.addFunction({ name: "lanes_combine", params: { dst: "i32", outer: "i32", active: "i32", n: "i32", block: "i32" } });
      const { dst, outer, active, n, block } = f.params;
      const i = f.addLocal("i32", "i");
      forUpTo(f, i, n, () => {
        f.local.get(dst).local.get(i).i32.add();
        f.local.get(outer).local.get(i).i32.add().i32.load8_u();
        f.local.get(active).local.get(i).local.get(block).i32.div_u().i32.add().i32.load8_u();
        f.i32.and().i32.store8();
      });
      return f;
    });
  }

  /** Code in `f`: `to.mask` := the mask of `from` as seen by lanes of `to`'s shape (mask.ts maskForLanes), or all lanes. */
  maskFrom(f: FunctionBuilder, to: LaneSetLayout, toShape: Shape, from: LaneSetLayout | null, fromShape: Shape | null): void {
    if (to.n === 0) return;
    if (from === null || fromShape === null || !(isShapePrefix(fromShape, toShape) || isShapePrefix(toShape, fromShape))) {
      f.i32.const(to.mask).i32.const(1).i32.const(to.n).memory.fill();
      return;
    }
    if (shapesEqual(fromShape, toShape)) {
      f.i32.const(to.mask).i32.const(from.mask).i32.const(to.n).memory.copy();
      return;
    }
    if (isShapePrefix(fromShape, toShape)) {
      f.i32.const(to.mask).i32.const(from.mask).i32.const(to.n).i32.const(to.n / from.n).call(this.broadcast());
      return;
    }
    f.i32.const(to.mask).i32.const(from.mask).i32.const(to.n).i32.const(from.n / to.n).call(this.any());
  }
}

/** `for (i = 0; i < n; i++) body()` with n in a local (possibly 0). */
function forUpTo(f: FunctionBuilder, i: ReturnType<FunctionBuilder["addLocal"]>, n: ReturnType<FunctionBuilder["addLocal"]>, body: () => void): void {
  f.i32.const(0).local.set(i);
  const done = f.block();
  const top = f.loop();
  f.local.get(i).local.get(n).i32.ge_u().br_if(done);
  body();
  f.local.get(i).i32.const(1).i32.add().local.set(i);
  f.br(top);
  f.end();
  f.end();
}
