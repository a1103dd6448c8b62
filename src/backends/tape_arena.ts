// The tapes of one run of a compiled program (kernel IR "Tapes",
// lower/kernel_ir.ts; the primitives are ir/prims/tape.ts).
//
// The js backend's tapes. A compiled program keeps a tape as an int32
// handle; the handle indexes this arena, which owns the slots. The generated
// JavaScript makes an arena when `run` starts and drops it when `run`
// returns: tapes never cross a program boundary, so nothing here outlives a
// run. (The wasm backend keeps its tapes in linear memory instead:
// wasm/emit/tapes.ts.)
//
// Each tape is one typed array of the slot element type, grown by doubling:
// n pushes copy O(n) slots in all.

/** The typed array the arena stores a tape's slots in (by the slot's dtype). */
export type SlotArrayType = Float32ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;
type SlotArray = Float32Array | Int32Array | Uint8Array;

interface Tape {
  data: SlotArray;
  /** Slots pushed so far. */
  length: number;
  readonly slotSize: number;
}

/** Elements a new tape has room for before it first grows (at least one slot). */
const INITIAL_ELEMENTS = 256;

/** Slots smaller than this are copied element by element (cheaper than making a subarray view). */
const SMALL_SLOT = 16;

export class TapeArena {
  private readonly tapes: Tape[] = [];

  /** A new empty tape of `slotSize`-element slots, as its handle. */
  create(type: SlotArrayType, slotSize: number): number {
    const slots = Math.max(1, Math.floor(INITIAL_ELEMENTS / Math.max(slotSize, 1)));
    this.tapes.push({ data: new type(slots * slotSize), length: 0, slotSize });
    return this.tapes.length - 1;
  }

  /** Appends a copy of `src[at .. at + slotSize)`. */
  push(handle: number, src: SlotArray, at: number): void {
    const t = this.tape(handle);
    const n = t.slotSize;
    const start = t.length * n;
    if (start + n > t.data.length) {
      const grown = new (t.data.constructor as SlotArrayType)(Math.max(2 * t.data.length, start + n));
      grown.set(t.data);
      t.data = grown;
    }
    const data = t.data;
    if (n < SMALL_SLOT) for (let i = 0; i < n; i++) data[start + i] = src[at + i]!;
    else data.set(src.subarray(at, at + n), start);
    t.length++;
  }

  /** Writes slot clamp(index, 0, length - 1) into `dst[at .. at + slotSize)`; zeros when the tape is empty. */
  load(handle: number, index: number, dst: SlotArray, at: number): void {
    const t = this.tape(handle);
    const n = t.slotSize;
    if (t.length === 0) {
      dst.fill(0, at, at + n);
      return;
    }
    const g = index < 0 ? 0 : index >= t.length ? t.length - 1 : index;
    const start = g * n;
    const data = t.data;
    if (n < SMALL_SLOT) for (let i = 0; i < n; i++) dst[at + i] = data[start + i]!;
    else dst.set(data.subarray(start, start + n), at);
  }

  /** A new tape of the slots of tape `handle`, last first, as its handle. */
  reversed(handle: number): number {
    const t = this.tape(handle);
    const n = t.slotSize;
    const data = new (t.data.constructor as SlotArrayType)(Math.max(t.length * n, 1));
    for (let s = 0; s < t.length; s++) data.set(t.data.subarray(s * n, (s + 1) * n), (t.length - 1 - s) * n);
    this.tapes.push({ data, length: t.length, slotSize: n });
    return this.tapes.length - 1;
  }

  /** Slots pushed onto a tape (for tests). */
  lengthOf(handle: number): number {
    return this.tape(handle).length;
  }

  private tape(handle: number): Tape {
    const t = this.tapes[handle];
    // Handles come only from `create` in the same run; anything else is a compiler bug.
    if (t === undefined) throw new Error(`tape arena: no tape has handle ${handle} in this run (a compiled program used a tape it did not create)`);
    return t;
  }
}
