// The free and busy storage slots of buffer planning (plan.ts), so that
// choosing a slot for each of a program's temps costs a logarithmic search
// instead of a scan over every slot (a program can have tens of thousands).
//
// Busy slots wait in a min-heap ordered by the position where their current
// buffer dies; free slots are kept per dtype sorted by (size, index), so
// "the smallest free slot that fits, else the largest" is a binary search,
// and ties go to the lowest slot index.

import type { DType } from "../../ir/dtype.js";

interface Slot {
  readonly index: number;
  readonly dtype: DType;
  size: number;
  /** Last position of the buffer currently in the slot. */
  busyUntil: number;
}

const bySizeThenIndex = (a: Slot, b: Slot): number => a.size - b.size || a.index - b.index;

export class SlotPool {
  readonly slots: Slot[] = [];
  private readonly busy: Slot[] = []; // a binary min-heap on busyUntil
  private readonly free = new Map<DType, Slot[]>(); // sorted by bySizeThenIndex

  /** The slot for a buffer of `size` elements live over [start, end]. */
  take(dtype: DType, size: number, start: number, end: number): number {
    while (this.busy.length && this.busy[0]!.busyUntil < start) this.release(this.popBusy());
    const free = this.free.get(dtype) ?? [];
    let slot: Slot;
    if (free.length === 0) {
      slot = { index: this.slots.length, dtype, size: 0, busyUntil: -1 };
      this.slots.push(slot);
    } else {
      // The smallest one that fits; else the largest (grown to fit).
      const fit = lowerBound(free, (s) => s.size >= size);
      const at = fit < free.length ? fit : lowerBound(free, (s) => s.size >= free[free.length - 1]!.size);
      slot = free.splice(at, 1)[0]!;
    }
    slot.size = Math.max(slot.size, size);
    slot.busyUntil = end;
    this.pushBusy(slot);
    return slot.index;
  }

  private release(s: Slot): void {
    let list = this.free.get(s.dtype);
    if (!list) this.free.set(s.dtype, (list = []));
    list.splice(lowerBound(list, (x) => bySizeThenIndex(x, s) >= 0), 0, s);
  }

  private pushBusy(s: Slot): void {
    const h = this.busy;
    h.push(s);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (h[p]!.busyUntil <= h[i]!.busyUntil) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  private popBusy(): Slot {
    const h = this.busy;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]!.busyUntil < h[m]!.busyUntil) m = l;
        if (r < h.length && h[r]!.busyUntil < h[m]!.busyUntil) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}

/** The first index whose element satisfies `ok` (`ok` is false then true along the sorted list). */
function lowerBound<T>(xs: readonly T[], ok: (x: T) => boolean): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ok(xs[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
