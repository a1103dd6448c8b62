// allclose for test expectations: |a - e| <= atol + rtol * |e| elementwise,
// NaN equal to NaN, exact for ints/bools. Accepts nested arrays, typed arrays,
// numbers, booleans and anything with `toArray()` (tsjax arrays).
import { expect } from "vitest";

export interface AllCloseOptions {
  rtol?: number;
  atol?: number;
}

type Flat = { shape: number[]; values: number[] };

function flatten(x: unknown, where: string): Flat {
  if (x !== null && typeof x === "object" && "toArray" in x && typeof (x as { toArray: unknown }).toArray === "function") {
    return flatten((x as { toArray(): unknown }).toArray(), where);
  }
  if (typeof x === "number") return { shape: [], values: [x] };
  if (typeof x === "boolean") return { shape: [], values: [x ? 1 : 0] };
  if (ArrayBuffer.isView(x)) return { shape: [(x as unknown as ArrayLike<number>).length], values: Array.from(x as unknown as ArrayLike<number>) };
  if (Array.isArray(x)) {
    if (x.length === 0) return { shape: [0], values: [] };
    const parts = x.map((y, i) => flatten(y, `${where}[${i}]`));
    const inner = parts[0]!.shape;
    for (const p of parts) {
      if (p.shape.join(",") !== inner.join(",")) throw new Error(`allclose: ragged value at ${where}`);
    }
    return { shape: [x.length, ...inner], values: parts.flatMap((p) => p.values) };
  }
  throw new Error(`allclose: cannot compare ${String(x)} at ${where}`);
}

export function allCloseMismatch(actual: unknown, expected: unknown, opts: AllCloseOptions = {}): string | null {
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-6;
  const a = flatten(actual, "actual");
  const e = flatten(expected, "expected");
  if (a.shape.join(",") !== e.shape.join(",")) return `shape [${a.shape}] != expected [${e.shape}]`;
  for (let i = 0; i < a.values.length; i++) {
    const x = a.values[i]!, y = e.values[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (x === y) continue;
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) {
      return `element ${i}: ${x} != expected ${y} (rtol=${rtol}, atol=${atol})`;
    }
  }
  return null;
}

export function expectAllClose(actual: unknown, expected: unknown, opts: AllCloseOptions = {}): void {
  const m = allCloseMismatch(actual, expected, opts);
  if (m !== null) expect.fail(`not allclose: ${m}\n actual:   ${JSON.stringify(flatten(actual, "a").values.slice(0, 32))}\n expected: ${JSON.stringify(flatten(expected, "e").values.slice(0, 32))}`);
}
