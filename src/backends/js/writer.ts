// Small helpers for generating JS text: an indenting line writer, and the
// parameter table of one kernel function. Every identifier is made here from
// counters (a0, y0, v3, …); nothing from the user's program is ever spliced in.

import type { AccessPlan, BufId, Instr, Offset, SymId } from "../lower/kernel_ir.js";
import { BINARY, UNARY, convertExpr, jsNumber, selectExpr } from "./scalar.js";

export class Writer {
  private readonly lines: string[] = [];
  private depth = 0;

  line(s: string): void {
    this.lines.push(`${"  ".repeat(this.depth)}${s}`);
  }

  open(s: string): void {
    this.line(s);
    this.depth++;
  }

  close(s = "}"): void {
    this.depth--;
    this.line(s);
  }

  /** A line between two blocks at the outer depth, e.g. `} else {`. */
  between(s: string): void {
    this.depth--;
    this.line(s);
    this.depth++;
  }

  text(): string {
    return this.lines.join("\n");
  }
}

/** Buffers and symbols a kernel function takes as parameters, named by position. */
export class Params {
  readonly bufs: BufId[] = [];
  readonly syms: SymId[] = [];
  /** The function takes a lane set's active list and count (`list`, `cnt`) as its last parameters. */
  usesLanes = false;

  buf(id: BufId): string {
    let i = this.bufs.indexOf(id);
    if (i < 0) i = this.bufs.push(id) - 1;
    return `a${i}`;
  }

  sym(id: SymId): string {
    let i = this.syms.indexOf(id);
    if (i < 0) i = this.syms.push(id) - 1;
    return `y${i}`;
  }

  /** `c + coef·sym…` as an expression over the sym parameters. */
  offset(o: Offset): string {
    const parts = o.c !== 0 || o.terms.length === 0 ? [jsNumber(o.c)] : [];
    for (const t of o.terms) parts.push(t.coef === 1 ? this.sym(t.sym) : `${jsNumber(t.coef)} * ${this.sym(t.sym)}`);
    return parts.join(" + ");
  }

  signature(): string {
    return [...this.bufs.map((_, i) => `a${i}`), ...this.syms.map((_, i) => `y${i}`), ...(this.usesLanes ? ["list", "cnt"] : [])].join(", ");
  }
}

/**
 * The expression of an elementwise instr; `arg(i)` names instr i's value and
 * `leaf` gives the expression of a load/index/acc.
 */
export function instrExpr(ins: Instr, arg: (i: number) => string, leaf: () => string): string {
  switch (ins.op) {
    case "load":
    case "index":
    case "acc":
      return leaf();
    case "const":
      return jsNumber(ins.value);
    case "unary":
      return UNARY[ins.prim](arg(ins.x), ins.dtype, ins.rounding ?? 0);
    case "binary":
      return BINARY[ins.prim](arg(ins.x), arg(ins.y), ins.argDtype);
    case "select":
      return selectExpr(arg(ins.which), ins.whichDtype, ins.cases.map(arg));
    case "convert":
      return convertExpr(arg(ins.x), ins.from, ins.dtype);
  }
}

/** A JS offset variable: element index `base + Σ i_k·strides_k`, shared by every access with that pattern whatever its array. */
export interface OffsetGroup {
  readonly base: string;
  readonly strides: readonly number[];
}

export interface OffsetGroups {
  readonly list: readonly OffsetGroup[];
  /** instr → its offset variable (loads and iotas). */
  readonly groupOf: ReadonlyMap<number, number>;
  /** Per store: its offset variable. */
  readonly storeGroups: readonly number[];
}

/**
 * The kernel's access groups (kernel_plan.ts) as JS offset variables: arrays
 * are indexed by element, so groups that differ only in their buffer (or an
 * iota and a view with the same pattern) share one variable.
 */
export function offsetGroups(access: AccessPlan, P: Params): OffsetGroups {
  const list: OffsetGroup[] = [];
  const keys = new Map<string, number>();
  const of = access.groups.map((g) => {
    const base = P.offset(g.offset);
    const key = `${base}|${g.strides.join(",")}`;
    let i = keys.get(key);
    if (i === undefined) {
      i = list.push({ base, strides: g.strides }) - 1;
      keys.set(key, i);
    }
    return i;
  });
  const groupOf = new Map<number, number>();
  access.ofInstr.forEach((g, i) => {
    if (g >= 0) groupOf.set(i, of[g]!);
  });
  return { list, groupOf, storeGroups: access.ofStore.map((g) => of[g]!) };
}
