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
// A program that needs more than wasm32's 4 GiB is refused with a
// WasmMemoryLimitError saying how much it needs.

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

/** A wasm32 memory: 65,536 pages of 64 KiB, addressed by 32-bit offsets. */
export const WASM32_MAX_BYTES = 65536 * PAGE_BYTES;

/** Bytes in a readable unit: `512 B`, `3.5 KiB`, `4.10 GiB`. */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) (v /= 1024), u++;
  return u === 0 ? `${n} B` : `${v.toFixed(2)} ${units[u]}`;
}

/**
 * A program whose memory (inputs, outputs, temporaries, …: everything is laid
 * out in one linear memory) exceeds what wasm32 can address. The `default`
 * backend catches it and compiles with `js` instead (src/backends/index.ts).
 */
export class WasmMemoryLimitError extends RangeError {
  constructor(
    /** Bytes the program's memory would need. */
    readonly bytesNeeded: number,
    /** What takes the room, e.g. `outputs 4.10 GiB`. */
    parts: readonly string[],
  ) {
    super(
      `wasm backend: this program needs ${formatBytes(bytesNeeded)} of linear memory (${bytesNeeded} bytes: ${parts.join(", ")}), ` +
        `more than the 4 GiB a wasm32 memory can hold; compile it with the js backend (jit's default backend does that by itself, ` +
        `jit(f, { backend: "js" }) asks for it)`,
    );
    this.name = "WasmMemoryLimitError";
  }
}

/** `scratchBytes`: the largest scratch any kernel needs (packed panels). */
export function layoutMemory(p: Program, scratchBytes: number): MemoryLayout {
  let top = ALIGN; // address 0 stays unused, so a zero address is never a buffer
  const place = (bytes: number): number => {
    const at = top;
    top = up(top + Math.max(bytes, 1));
    return at;
  };
  const fixed = new Map<BufId, number>();
  const regionBytes = { inputs: 0, outputs: 0, temporaries: 0, "lane sets": 0, "matmul scratch": 0 };
  for (const b of p.buffers) {
    if (b.role === "temp") continue;
    const bytes = b.size * BYTES_PER_ELEMENT[b.dtype];
    fixed.set(b.id, place(bytes));
    regionBytes[b.role === "input" ? "inputs" : "outputs"] += bytes;
  }
  const slotAddr = p.plan.slots.map((s) => {
    regionBytes.temporaries += s.size * BYTES_PER_ELEMENT[s.dtype];
    return place(s.size * BYTES_PER_ELEMENT[s.dtype]);
  });
  const laneSets = p.laneSets.map((l): LaneSetLayout => {
    const n = l.shape.reduce((a, d) => a * d, 1);
    regionBytes["lane sets"] += LANE_LIST_OFFSET + 4 * n + n;
    const base = place(LANE_LIST_OFFSET + 4 * n + n);
    return { base, n, list: base + LANE_LIST_OFFSET, mask: base + LANE_LIST_OFFSET + 4 * n };
  });
  regionBytes["matmul scratch"] = scratchBytes;
  const scratch = place(scratchBytes);
  const totalBytes = top;
  // Checked before any address is emitted: an address past 4 GiB is not an i32.
  if (totalBytes > WASM32_MAX_BYTES) {
    const parts = Object.entries(regionBytes).filter(([, b]) => b > 0).map(([what, b]) => `${what} ${formatBytes(b)}`);
    throw new WasmMemoryLimitError(totalBytes, parts);
  }
  const addr = (buf: BufId): number => {
    const a = fixed.get(buf);
    if (a !== undefined) return a;
    const slot = p.plan.slotOf.get(buf);
    if (slot === undefined) throw new Error(`wasm: temp buffer b${buf} has no slot`);
    return slotAddr[slot]!;
  };
  return { addr, laneSets, scratch, scratchBytes, totalBytes, pages: Math.max(1, Math.ceil(totalBytes / PAGE_BYTES)) };
}
