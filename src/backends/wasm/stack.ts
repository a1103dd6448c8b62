// Operand-stack type tracking while a body is built, after the validation
// algorithm of the spec appendix: a stack of value types and a stack of
// control frames. It turns a mistake into an error at the instruction that
// makes it (with the stack shown), instead of a CompileError from the engine
// pointing at a byte offset.

import type { Label } from "./instr.js";
import { formatTypes, sameTypes, WasmBuildError } from "./types.js";
import type { ValType } from "./types.js";

/** What the stack holds: a value type, or anything (below an unconditional branch). */
export type StackType = ValType | "unknown";

interface Frame {
  readonly label: Label | undefined; // undefined for the function body
  readonly kind: "func" | "block" | "loop" | "if" | "else";
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  readonly height: number;
  unreachable: boolean;
}

export class OperandStack {
  private readonly values: StackType[] = [];
  private readonly frames: Frame[] = [];

  constructor(
    private readonly where: () => string,
    results: readonly ValType[],
  ) {
    this.frames.push({ label: undefined, kind: "func", params: [], results, height: 0, unreachable: false });
  }

  /** Current stack, bottom first (for error messages and tests). */
  get types(): readonly StackType[] {
    return this.values;
  }

  /** Number of open blocks, not counting the function body. */
  get depth(): number {
    return this.frames.length - 1;
  }

  private fail(msg: string): never {
    throw new WasmBuildError(`${this.where()}: ${msg}; stack ${formatTypes(this.values)}`);
  }

  private get top(): Frame {
    return this.frames[this.frames.length - 1]!;
  }

  push(t: StackType): void {
    this.values.push(t);
  }

  pushAll(ts: readonly ValType[]): void {
    for (const t of ts) this.values.push(t);
  }

  /** Pops one value, checking its type when `expected` is given. */
  pop(expected?: ValType): StackType {
    const frame = this.top;
    if (this.values.length === frame.height) {
      if (frame.unreachable) return expected ?? "unknown";
      this.fail(`expected ${expected ?? "a value"} but the ${frame.kind === "func" ? "function" : "block"} stack is empty`);
    }
    const t = this.values.pop()!;
    if (expected !== undefined && t !== expected && t !== "unknown") {
      this.values.push(t);
      this.fail(`expected ${expected} on top but found ${t}`);
    }
    return t;
  }

  /** Pops `ts` (given bottom first). */
  popAll(ts: readonly ValType[]): void {
    for (let i = ts.length - 1; i >= 0; i--) this.pop(ts[i]);
  }

  /** An instruction with a fixed signature. */
  apply(params: readonly ValType[], results: readonly ValType[]): void {
    this.popAll(params);
    this.pushAll(results);
  }

  /** After br, return, unreachable: the rest of the block is dead code. */
  markUnreachable(): void {
    const frame = this.top;
    this.values.length = frame.height;
    frame.unreachable = true;
  }

  openBlock(kind: "block" | "loop" | "if", label: Label, params: readonly ValType[], results: readonly ValType[]): void {
    if (kind === "if") this.pop("i32");
    this.popAll(params);
    this.frames.push({ label, kind, params, results, height: this.values.length, unreachable: false });
    this.pushAll(params);
  }

  private checkFrameEnd(frame: Frame, what: string): void {
    this.popAll(frame.results);
    if (this.values.length !== frame.height) {
      this.fail(`${what}: ${this.values.length - frame.height} value(s) left over beyond the result ${formatTypes(frame.results)}`);
    }
  }

  else(): void {
    const frame = this.top;
    if (frame.kind !== "if") this.fail("else without a matching if");
    this.checkFrameEnd(frame, "else");
    this.frames.pop();
    this.frames.push({ ...frame, kind: "else", unreachable: false });
    this.pushAll(frame.params);
  }

  /** Closes the innermost block; returns its label. */
  end(): Label {
    const frame = this.top;
    if (frame.kind === "func") this.fail("end without an open block (the function's end is implicit)");
    if (frame.kind === "if" && !sameTypes(frame.params, frame.results)) {
      this.fail(`if without else must leave its inputs ${formatTypes(frame.params)} but declares ${formatTypes(frame.results)}`);
    }
    this.checkFrameEnd(frame, "end");
    this.frames.pop();
    this.pushAll(frame.results);
    return frame.label!;
  }

  /** Checks the function body is complete: no open block, exactly the results left. */
  finish(): void {
    if (this.frames.length > 1) {
      this.fail(`${this.frames.length - 1} block(s) still open at the end of the function`);
    }
    this.checkFrameEnd(this.top, "function end");
  }

  /** Relative depth of a label for br/br_if/br_table, and the values a branch to it carries. */
  target(label: Label): { depth: number; types: readonly ValType[] } {
    for (let i = this.frames.length - 1; i >= 1; i--) {
      const f = this.frames[i]!;
      if (f.label === label) {
        return { depth: this.frames.length - 1 - i, types: f.kind === "loop" ? f.params : f.results };
      }
    }
    this.fail(`branch to '${label.name}', which is not an enclosing block`);
  }

  functionResults(): readonly ValType[] {
    return this.frames[0]!.results;
  }
}
