// The values of a kernel's SSA instructions, each in a local per width.
//
// An instruction is computed at width 1 (scalar) or 4 (four consecutive
// points of the innermost axis). Instructions hoisted out of the vector loop
// (a lower `level`) are computed as scalars; when a vector instruction or
// store reads one, its splat is made once, right after the scalar, so the
// vector loop never splats. Leaves (load, index, acc) are pushed by the
// kernel emitter, which knows the addressing.

import type { Instr } from "../../lower/kernel_ir.js";
import { instrOperands as operands } from "../../lower/lanewise.js";
import type { FunctionBuilder } from "../func.js";
import type { Local } from "../types.js";
import { BINARY, type HostFns, type OpEnv, UNARY, type Width, emitConvert, emitSelect, pushConst, valType } from "./values.js";

export type LeafFn = (i: number, ins: Instr, width: Width) => void;


export class KernelValues {
  private readonly locals: [(Local | undefined)[], (Local | undefined)[]] = [[], []];

  constructor(
    readonly f: FunctionBuilder,
    readonly instrs: readonly Instr[],
    readonly host: HostFns,
    private readonly leaf: LeafFn,
  ) {}

  private env(width: Width): OpEnv {
    return { f: this.f, width, host: this.host };
  }

  private slot(i: number, width: Width): Local {
    const table = this.locals[width === 1 ? 0 : 1];
    let l = table[i];
    if (!l) {
      l = this.f.addLocal(valType(this.instrs[i]!.dtype, width), `${width === 1 ? "s" : "v"}${i}`);
      table[i] = l;
    }
    return l;
  }

  /** The local holding instr i at `width` (for width 4: its vector value or its splat). */
  local(i: number, width: Width): Local {
    const l = this.locals[width === 1 ? 0 : 1][i];
    if (!l) throw new Error(`wasm: instr ${i} read at width ${width} before it was computed`);
    return l;
  }

  /** Makes `local` the place where instr i's width-`width` value lives (filled by the caller). */
  alias(i: number, width: Width, local: Local): void {
    this.locals[width === 1 ? 0 : 1][i] = local;
  }

  push(i: number, width: Width): void {
    this.f.local.get(this.local(i, width));
  }

  /** Computes instr i at `width` into its local. */
  compute(i: number, width: Width): void {
    const ins = this.instrs[i]!;
    const e = this.env(width);
    const arg = (j: number): Local => this.local(j, width);
    switch (ins.op) {
      case "load":
      case "index":
      case "acc":
        this.leaf(i, ins, width);
        break;
      case "const":
        pushConst(e, ins.dtype, ins.value);
        break;
      case "unary":
        UNARY[ins.prim](e, arg(ins.x), ins.dtype, ins.rounding ?? 0);
        break;
      case "binary":
        BINARY[ins.prim](e, arg(ins.x), arg(ins.y), ins.argDtype);
        break;
      case "select":
        emitSelect(e, arg(ins.which), ins.whichDtype, ins.cases.map(arg), ins.dtype);
        break;
      case "convert":
        emitConvert(e, arg(ins.x), ins.from, ins.dtype);
        break;
    }
    this.f.local.set(this.slot(i, width));
  }

  /** Makes the width-4 local of a scalar-computed instr: its value in every lane (bools as masks). */
  splat(i: number): void {
    const ins = this.instrs[i]!;
    const f = this.f;
    this.push(i, 1);
    if (ins.dtype === "float32") f.f32x4.splat();
    else {
      f.i32x4.splat();
      if (ins.dtype === "bool") f.i32x4.neg(); // 0/1 → mask
    }
    f.local.set(this.slot(i, 4));
  }

  /**
   * Computes every instr of `level` at `width`; after a scalar one, its splat
   * when `needsSplat` says a vector reader needs it.
   */
  computeLevel(level: number, width: Width, needsSplat: ReadonlySet<number> = new Set()): void {
    this.instrs.forEach((ins, i) => {
      if (ins.level !== level) return;
      this.compute(i, width);
      if (width === 1 && needsSplat.has(i)) this.splat(i);
    });
  }
}

/**
 * Instrs below `vectorLevel` read by an instr at `vectorLevel` or deeper (all
 * computed four at a time), or stored (or reduced) four at a time.
 */
export function splatsNeeded(instrs: readonly Instr[], vectorLevel: number, storedValues: readonly number[]): Set<number> {
  const need = new Set<number>();
  instrs.forEach((ins) => {
    if (ins.level < vectorLevel) return;
    for (const j of operands(ins)) if (instrs[j]!.level < vectorLevel) need.add(j);
  });
  for (const v of storedValues) if (instrs[v]!.level < vectorLevel) need.add(v);
  return need;
}
