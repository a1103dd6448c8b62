// Where everything lives in the program's one linear memory.
//
// All sizes are static (shapes are fixed per compiled signature), so the
// layout is decided once at compile time:
//
//   [inputs…][outputs…][slots…][lane sets…][dot scratch]
//
// Inputs are copied in and outputs copied out by `run` once per call; temps
// use the buffer plan's slots (buffers with disjoint lifetimes share one);
// a lane set is a record `count:i32 | pad | list:i32[n] | mask:u8[n]`; the
// dot scratch holds packed matrix panels. Every region starts on a 64-byte
// boundary (a cache line; v128 accesses never straddle one needlessly).

import type { BufId, Program } from "../../lower/kernel_ir.js";
import { BYTES_PER_ELEMENT } from "../../lower/kernel_ir.js";
import { PAGE_BYTES } from "../module.js";

const ALIGN = 64;
/** Offset of the active-lane list in a lane-set record (count lives at 0). */
export const LANE_LIST_OFFSET = 16;

export interface LaneSetLayout {
  /** Record address: the active count (i32) is stored here. */
  readonly base: number;
  /** Lanes in the set. */
  readonly n: number;
  /** Address of the active-lane list (`n` i32). */
  readonly list: number;
  /** Address of the mask (`n` bytes, 1 = active). */
  readonly mask: number;
}

export interface MemoryLayout {
  /** Byte address of every buffer (inputs, outputs, and temps through their slot). */
  readonly addr: (buf: BufId) => number;
  readonly laneSets: readonly LaneSetLayout[];
  readonly scratch: number;
  readonly scratchBytes: number;
  readonly totalBytes: number;
  /** 64 KiB pages the memory needs. */
  readonly pages: number;
}

const up = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/** `scratchBytes`: the largest scratch any kernel needs (packed panels). */
export function layoutMemory(p: Program, scratchBytes: number): MemoryLayout {
  let top = ALIGN; // address 0 stays unused, so a zero address is never a buffer
  const place = (bytes: number): number => {
    const at = top;
    top = up(top + Math.max(bytes, 1));
    return at;
  };
  const fixed = new Map<BufId, number>();
  for (const b of p.buffers) if (b.role !== "temp") fixed.set(b.id, place(b.size * BYTES_PER_ELEMENT[b.dtype]));
  const slotAddr = p.plan.slots.map((s) => place(s.size * BYTES_PER_ELEMENT[s.dtype]));
  const laneSets = p.laneSets.map((l): LaneSetLayout => {
    const n = l.shape.reduce((a, d) => a * d, 1);
    const base = place(LANE_LIST_OFFSET + 4 * n + n);
    return { base, n, list: base + LANE_LIST_OFFSET, mask: base + LANE_LIST_OFFSET + 4 * n };
  });
  const scratch = place(scratchBytes);
  const totalBytes = top;
  const addr = (buf: BufId): number => {
    const a = fixed.get(buf);
    if (a !== undefined) return a;
    const slot = p.plan.slotOf.get(buf);
    if (slot === undefined) throw new Error(`wasm: temp buffer b${buf} has no slot`);
    return slotAddr[slot]!;
  };
  return { addr, laneSets, scratch, scratchBytes, totalBytes, pages: Math.max(1, Math.ceil(totalBytes / PAGE_BYTES)) };
}
