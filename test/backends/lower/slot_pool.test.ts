// Buffer planning's slot choice (slot_pool.ts) against the rule docs/backends.md
// states, applied by scanning every slot: a temp takes the free slot of its
// dtype (free: its buffer's life ended strictly before this one starts) that
// is the smallest one at least as large, else the largest one (which grows),
// ties to the lowest slot index, else a new slot. Random lifetimes, seeded.
import { describe, expect, it } from "vitest";
import type { DType } from "../../../src/ir/dtype.js";
import { SlotPool } from "../../../src/backends/lower/slot_pool.js";
import { mulberry32 } from "../../helpers/random.js";

interface Temp {
  readonly dtype: DType;
  readonly size: number;
  readonly start: number;
  readonly end: number;
}

/** The rule, one scan over the slots per temp. */
function scanEverySlot(temps: readonly Temp[]): { slotOf: number[]; sizes: number[] } {
  const slots: { dtype: DType; size: number; busyUntil: number }[] = [];
  const slotOf = temps.map((t) => {
    let best = -1;
    slots.forEach((s, i) => {
      if (s.dtype !== t.dtype || s.busyUntil >= t.start) return;
      if (best < 0) return void (best = i);
      const b = slots[best]!;
      const fits = s.size >= t.size;
      const bestFits = b.size >= t.size;
      if ((fits && (!bestFits || s.size < b.size)) || (!fits && !bestFits && s.size > b.size)) best = i;
    });
    if (best < 0) best = slots.push({ dtype: t.dtype, size: 0, busyUntil: -1 }) - 1;
    slots[best]!.size = Math.max(slots[best]!.size, t.size);
    slots[best]!.busyUntil = t.end;
    return best;
  });
  return { slotOf, sizes: slots.map((s) => s.size) };
}

describe("SlotPool", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`chooses the slots the rule gives (random program ${seed}: 2,000 temps)`, () => {
      const rand = mulberry32(seed);
      const dtypes: DType[] = ["float32", "int32", "bool"];
      const temps: Temp[] = Array.from({ length: 2000 }, () => {
        const start = Math.floor(rand() * 5000);
        return { dtype: dtypes[Math.floor(rand() * 3)]!, size: 1 + Math.floor(rand() * 64), start, end: start + Math.floor(rand() * 200) };
      }).sort((a, b) => a.start - b.start);
      const pool = new SlotPool();
      const got = temps.map((t) => pool.take(t.dtype, t.size, t.start, t.end));
      const want = scanEverySlot(temps);
      expect(got).toEqual(want.slotOf);
      expect(pool.slots.map((s) => s.size)).toEqual(want.sizes);
    });
  }
});
