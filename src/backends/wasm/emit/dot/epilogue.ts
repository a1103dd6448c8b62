// The epilogue: the kernel's elementwise instructions after the sum (`+ b`,
// `tanh`, …) and its stores, run on each accumulator four columns at a time
// (a partial last panel column by column), so the product is never written
// to memory unfused. Each access group has one pointer, set per element from
// its row base and the panel's first column; instructions that depend on no
// iteration axis (level 0) are computed once at entry.

import type { DotKernel, Instr as KInstr, KernelPlan } from "../../../lower/kernel_ir.js";
import { instrOperands as operands } from "../../../lower/lanewise.js";
import type { FunctionBuilder } from "../../func.js";
import type { Local } from "../../types.js";
import { emitLoad, emitStore } from "../access.js";
import { Groups, type KernelParams } from "../groups.js";
import { KernelValues } from "../kernel_values.js";
import { type HostFns, type Width, indexAs } from "../values.js";
import { recordStatements } from "./interleave.js";
import { NVEC } from "./layout.js";
import type { DotState } from "./state.js";

export class DotEpilogue {
  /** Per access group: the element being computed (set by `element`). */
  private readonly pointers: Local[];
  private readonly values: KernelValues;
  /** Column of the element within its panel, and the accumulator holding it (read by the leaves). */
  private colInPanel = 0;
  private accLocal: Local | null = null;

  private constructor(
    private readonly f: FunctionBuilder,
    private readonly kernel: DotKernel,
    private readonly plan: KernelPlan & { kind: "dot" },
    readonly groups: Groups,
    /** Per access group: its base address at entry. */
    readonly bases: readonly Local[],
    private readonly P: KernelParams,
    host: HostFns,
  ) {
    this.pointers = groups.list.map((_, g) => f.addLocal("i32", `ep${g}`));
    this.values = new KernelValues(f, kernel.instrs, host, this.leaf);
    // Level-0 values (constants, invariant loads) are computed once, with the splats the vector epilogue reads.
    const needSplat = new Set<number>();
    kernel.instrs.forEach((ins) => {
      if (ins.level === 0) return;
      for (const j of operands(ins)) if (kernel.instrs[j]!.level === 0) needSplat.add(j);
    });
    for (const st of kernel.stores) if (kernel.instrs[st.value]!.level === 0) needSplat.add(st.value);
    this.values.computeLevel(0, 1, needSplat);
  }

  /** Declares the group bases and computes the level-0 values (at the function's entry). */
  static atEntry(f: FunctionBuilder, kernel: DotKernel, plan: KernelPlan & { kind: "dot" }, P: KernelParams, host: HostFns): DotEpilogue {
    const groups = Groups.fromPlan(plan.access, P.dtypes);
    return new DotEpilogue(f, kernel, plan, groups, groups.bases(f, P), P, host);
  }

  /** Group g's stride along iteration axis `axis` (lanes, batch, m, n), in its units. */
  stride(g: number, axis: number): number {
    const group = this.groups.list[g]!;
    return group.strides[axis]! * group.unit;
  }

  private columnStride(g: number): number {
    return this.stride(g, this.kernel.lanes ? this.kernel.lanes.rank + 2 : 2);
  }

  private readonly leaf = (i: number, ins: KInstr, width: Width): void => {
    const f = this.f;
    if (ins.op === "acc") {
      f.local.get(this.accLocal!);
      return;
    }
    const g = this.plan.access.ofInstr[i]!;
    const s = this.columnStride(g);
    const ptr = ins.level === 0 ? this.bases[g]! : this.pointers[g]!;
    if (ins.op === "load") {
      emitLoad(f, ins.dtype, width, ptr, this.colInPanel * s, s);
      return;
    }
    if (ins.op === "index") {
      f.local.get(ptr);
      if (this.colInPanel * s !== 0) f.i32.const(this.colInPanel * s).i32.add();
      if (width === 4) f.i32x4.splat().v128.const("i32x4", [0, s, 2 * s, 3 * s]).i32x4.add();
      indexAs({ f, width, host: this.values.host }, ins.dtype);
      return;
    }
    throw new Error(`wasm: unexpected ${ins.op} leaf in a dot epilogue`);
  };

  /**
   * The epilogue of one element (width 1: column `col` of the panel starting
   * at column local `panel`) or of the panel's 4 columns from `col` (width 4),
   * whose sum is in `acc`; `rowBase` holds each group's row address.
   */
  element(acc: Local, width: Width, rowBase: readonly Local[], panel: Local, col: number): void {
    const f = this.f;
    this.groups.list.forEach((_, g) => {
      const s = this.columnStride(g);
      f.local.get(rowBase[g]!);
      if (s !== 0) {
        f.local.get(panel);
        if (s !== 1) f.i32.const(s).i32.mul();
        f.i32.add();
      }
      f.local.set(this.pointers[g]!);
    });
    this.colInPanel = col;
    this.accLocal = acc;
    this.kernel.instrs.forEach((ins, i) => {
      if (ins.level !== 0) this.values.compute(i, width);
    });
    this.kernel.stores.forEach((st, si) => {
      const g = this.plan.access.ofStore[si]!;
      const s = this.columnStride(g);
      emitStore(f, this.P.dtypes[st.view.buf]!, width, this.pointers[g]!, col * s, s, this.values.local(st.value, width));
    });
  }
}

/**
 * The epilogue of a block of `rows` rows × the panel at column local `col`,
 * of which `partial` columns exist: each accumulator four columns at once
 * when all four exist, else column by column. Four-column epilogues are
 * interleaved in pairs (interleave.ts).
 */
export function blockEpilogue(s: DotState, rows: number, partial: number): void {
  const { f, locals: L } = s;
  let rec: ReturnType<typeof recordStatements> | null = null;
  let segments = 0;
  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < NVEC; v++) {
      const cols = Math.min(4, partial - 4 * v);
      if (cols <= 0) continue;
      const a = L.acc[r * NVEC + v]!;
      if (cols === 4) {
        if (segments % 2 === 0) {
          rec?.interleave();
          rec = recordStatements(f);
        }
        segments++;
        rec!.startSegment();
        s.epilogue.element(a, 4, L.epilogueRows[r]!, L.col, 4 * v);
        continue;
      }
      for (let c = 0; c < cols; c++) {
        f.local.get(a);
        if (s.isInt) f.i32x4.extract_lane(c);
        else f.f32x4.extract_lane(c);
        f.local.set(L.scalarAcc);
        s.epilogue.element(L.scalarAcc, 1, L.epilogueRows[r]!, L.col, 4 * v + c);
      }
    }
  }
  rec?.interleave();
}
