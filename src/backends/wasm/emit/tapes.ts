// Tapes in linear memory (kernel IR "Tapes", lower/kernel_ir.ts): the wasm
// form of src/backends/tape_arena.ts, as helper functions added to a module
// whose program uses tapes.
//
// The arena is a bump allocator over the memory past everything the layout
// places (inputs, outputs, slots, lane sets, scratch, constants): `run`
// starts by resetting it, so a run's tapes are dropped when the next run
// starts, and the memory grows (`memory.grow`) when a run needs more. Pages
// a run has grown are kept and reused by later runs of the instance.
//
// A tape is a 16-byte record, its handle is the record's address:
//
//   +0 data: address of the slots   +4 length: slots pushed
//   +8 capacity: bytes at data      +12 slotBytes
//
// A push past the capacity moves the slots to a block twice as large (the
// old block is left behind until the run ends: the blocks of one tape sum
// to less than twice its final size, so n pushes copy O(n) bytes in all).
// Running out of the 4 GiB wasm32 can address calls the host's
// `tape_full`, which throws.

import type { FunctionBuilder } from "../func.js";
import type { ModuleBuilder } from "../module.js";
import { HelperFunctions } from "./helperFunctions.js";
import type { FuncRef, GlobalRef } from "../types.js";

const RECORD_BYTES = 16;
/** Bytes a tape's first block has room for (at least one slot). */
const FIRST_BLOCK_BYTES = 256;
/** Record fields. */
const DATA = 0;
const LENGTH = 4;
const CAPACITY = 8;
const SLOT_BYTES = 12;

export class TapeRuntime {
  /** The next free byte of the arena. */
  private readonly top: GlobalRef;
  private readonly resetFn: FunctionBuilder;
  private readonly helpers = new HelperFunctions();
  private full: FuncRef | null = null;

  constructor(private readonly m: ModuleBuilder) {
    this.top = m.addGlobal({ name: "tape_top", type: "i32", mutable: true, init: 0 });
    // Its body is written by `finish`, once the end of the static memory is known.
    this.resetFn = m.addFunction({ name: "tape_reset" });
  }

  /** () → (): drops every tape; `run` calls it first. */
  reset(): FuncRef {
    return this.resetFn;
  }

  /** Writes the reset: the arena starts at `base`, a byte address past all static data. */
  finish(base: number): void {
    this.resetFn.i32.const(base).global.set(this.top);
  }

  private fn(name: string, build: () => FuncRef): FuncRef {
    return this.helpers.get(name, build);
  }

  /** The host function that throws when the tapes outgrow wasm32's memory. */
  private fullFn(): FuncRef {
    return (this.full ??= this.m.importFunction("rt", "tape_full", { name: "tape_full", params: [], results: [] }));
  }

  /** (bytes) → address: 16-byte aligned, growing the memory when needed. */
  private alloc(): FuncRef {
    return this.fn("tape_alloc", () => {
      const f = this.m.addFunction({ name: "tape_alloc", params: { bytes: "i32" }, results: ["i32"] });
      const { bytes } = f.params;
      const at = f.addLocal("i32", "at");
      const end = f.addLocal("i32", "end");
      const pages = f.addLocal("i32", "pages");
      f.global.get(this.top).i32.const(15).i32.add().i32.const(-16).i32.and().local.set(at);
      f.local.get(at).local.get(bytes).i32.add().local.set(end);
      // Wrapped past 4 GiB (unsigned), or the alignment itself wrapped.
      f.local.get(end).local.get(at).i32.lt_u().local.get(at).global.get(this.top).i32.lt_u().i32.or();
      f.if();
      f.call(this.fullFn()).unreachable();
      f.end();
      // Pages needed to hold `end` bytes: ceil(end / 64 KiB), at most 65,536.
      f.local.get(end).i32.const(16).i32.shr_u().local.get(end).i32.const(0xffff).i32.and().i32.const(0).i32.ne().i32.add().local.set(pages);
      f.local.get(pages).memory.size().i32.gt_u();
      f.if();
      f.local.get(pages).memory.size().i32.sub().memory.grow().i32.const(-1).i32.eq();
      f.if();
      f.call(this.fullFn()).unreachable();
      f.end();
      f.end();
      f.local.get(end).global.set(this.top);
      f.local.get(at);
      return f;
    });
  }

  /** (slotBytes) → handle: a new empty tape. */
  create(): FuncRef {
    return this.fn("tape_new", () => {
      const alloc = this.alloc();
      const f = this.m.addFunction({ name: "tape_new", params: { slotBytes: "i32" }, results: ["i32"] });
      const h = f.addLocal("i32", "h");
      f.i32.const(RECORD_BYTES).call(alloc).local.set(h);
      f.local.get(h).i32.const(0).i32.store({ offset: DATA, align: 4 });
      f.local.get(h).i32.const(0).i32.store({ offset: LENGTH, align: 4 });
      f.local.get(h).i32.const(0).i32.store({ offset: CAPACITY, align: 4 });
      f.local.get(h).local.get(f.params.slotBytes).i32.store({ offset: SLOT_BYTES, align: 4 });
      f.local.get(h);
      return f;
    });
  }

  /** (handle, src): appends the slot at `src`. */
  push(): FuncRef {
    return this.fn("tape_push", () => {
      const alloc = this.alloc();
      const f = this.m.addFunction({ name: "tape_push", params: { h: "i32", src: "i32" } });
      const { h, src } = f.params;
      const sb = f.addLocal("i32", "sb");
      const used = f.addLocal("i32", "used");
      const need = f.addLocal("i32", "need");
      const cap = f.addLocal("i32", "cap");
      const block = f.addLocal("i32", "block");
      f.local.get(h).i32.load({ offset: SLOT_BYTES, align: 4 }).local.set(sb);
      f.local.get(h).i32.load({ offset: LENGTH, align: 4 }).local.get(sb).i32.mul().local.set(used);
      f.local.get(used).local.get(sb).i32.add().local.tee(need).local.get(used).i32.lt_u();
      f.if();
      f.call(this.fullFn()).unreachable();
      f.end();
      f.local.get(h).i32.load({ offset: CAPACITY, align: 4 }).local.set(cap);
      f.local.get(need).local.get(cap).i32.gt_u();
      f.if();
      // The new capacity: twice the old (or the first block), at least `need`; doubling past 4 GiB wraps below `need`.
      f.local.get(cap).i32.const(1).i32.shl().i32.const(FIRST_BLOCK_BYTES).local.get(cap).select().local.set(cap);
      f.local.get(need).local.get(cap).local.get(cap).local.get(need).i32.lt_u().select().local.set(cap);
      f.local.get(cap).call(alloc).local.set(block);
      f.local.get(block).local.get(h).i32.load({ offset: DATA, align: 4 }).local.get(used).memory.copy();
      f.local.get(h).local.get(block).i32.store({ offset: DATA, align: 4 });
      f.local.get(h).local.get(cap).i32.store({ offset: CAPACITY, align: 4 });
      f.end();
      f.local.get(h).i32.load({ offset: DATA, align: 4 }).local.get(used).i32.add().local.get(src).local.get(sb).memory.copy();
      f.local.get(h).local.get(h).i32.load({ offset: LENGTH, align: 4 }).i32.const(1).i32.add().i32.store({ offset: LENGTH, align: 4 });
      return f;
    });
  }

  /** (handle) → handle: a new tape holding the slots of `handle`, last first (one block of exactly their bytes). */
  reversed(): FuncRef {
    return this.fn("tape_reversed", () => {
      const alloc = this.alloc();
      const create = this.create();
      const f = this.m.addFunction({ name: "tape_reversed", params: { h: "i32" }, results: ["i32"] });
      const { h } = f.params;
      const r = f.addLocal("i32", "r");
      const sb = f.addLocal("i32", "sb");
      const n = f.addLocal("i32", "n");
      const bytes = f.addLocal("i32", "bytes");
      const block = f.addLocal("i32", "block");
      const s = f.addLocal("i32", "s");
      f.local.get(h).i32.load({ offset: SLOT_BYTES, align: 4 }).local.set(sb);
      f.local.get(h).i32.load({ offset: LENGTH, align: 4 }).local.set(n);
      f.local.get(sb).call(create).local.set(r);
      f.local.get(n).local.get(sb).i32.mul().local.set(bytes);
      f.local.get(bytes).call(alloc).local.set(block);
      // Slot s goes to slot n - 1 - s.
      f.i32.const(0).local.set(s);
      const done = f.block();
      const top = f.loop();
      f.local.get(s).local.get(n).i32.ge_u().br_if(done);
      f.local.get(block).local.get(n).i32.const(1).i32.sub().local.get(s).i32.sub().local.get(sb).i32.mul().i32.add();
      f.local.get(h).i32.load({ offset: DATA, align: 4 }).local.get(s).local.get(sb).i32.mul().i32.add();
      f.local.get(sb).memory.copy();
      f.local.get(s).i32.const(1).i32.add().local.set(s);
      f.br(top);
      f.end();
      f.end();
      f.local.get(r).local.get(block).i32.store({ offset: DATA, align: 4 });
      f.local.get(r).local.get(n).i32.store({ offset: LENGTH, align: 4 });
      f.local.get(r).local.get(bytes).i32.store({ offset: CAPACITY, align: 4 });
      f.local.get(r);
      return f;
    });
  }

  /** (handle, index, dst): slot clamp(index, 0, length - 1) to `dst`; zeros when the tape is empty. */
  load(): FuncRef {
    return this.fn("tape_load", () => {
      const f = this.m.addFunction({ name: "tape_load", params: { h: "i32", index: "i32", dst: "i32" } });
      const { h, index, dst } = f.params;
      const sb = f.addLocal("i32", "sb");
      const n = f.addLocal("i32", "n");
      f.local.get(h).i32.load({ offset: SLOT_BYTES, align: 4 }).local.set(sb);
      f.local.get(h).i32.load({ offset: LENGTH, align: 4 }).local.set(n);
      f.local.get(n).i32.eqz();
      f.if();
      f.local.get(dst).i32.const(0).local.get(sb).memory.fill();
      f.return();
      f.end();
      // clamp into [0, n - 1]
      f.i32.const(0).local.get(index).local.get(index).i32.const(0).i32.lt_s().select().local.set(index);
      f.local.get(n).i32.const(1).i32.sub().local.get(index).local.get(index).local.get(n).i32.ge_s().select().local.set(index);
      f.local.get(dst);
      f.local.get(h).i32.load({ offset: DATA, align: 4 }).local.get(index).local.get(sb).i32.mul().i32.add();
      f.local.get(sb).memory.copy();
      return f;
    });
  }
}
