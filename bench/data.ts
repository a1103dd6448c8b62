// Deterministic benchmark inputs, made once as plain typed arrays and handed
// to every implementation (each converts to its own array type untimed).

import { nn } from "../src/index.js";

/** mulberry32: a tiny seeded PRNG, so every run and every column sees the same data. */
function uniforms(seed: number, n: number, lo: number, hi: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

export interface DenseInputs {
  /** f32[n, d], uniform in [-1, 1]. */
  readonly x: Float32Array;
  /** The layer: tsjax's nn.Linear (LeCun-normal w: f32[d, d], b: f32[d]), and its data. */
  readonly model: nn.Linear;
  readonly w: Float32Array;
  readonly b: Float32Array;
}

export function denseInputs(n: number, d: number): DenseInputs {
  const model = new nn.Linear(d, d, { seed: 0 });
  return { x: uniforms(1, n * d, -1, 1), model, w: model.w.data() as Float32Array, b: model.b.data() as Float32Array };
}

/** Regression targets for the grad workload: f32[n, d], uniform in [-0.5, 0.5] (tanh outputs live in (-1, 1)). */
export function regressionTargets(n: number, d: number): Float32Array {
  return uniforms(2, n * d, -0.5, 0.5);
}

/** Lane i runs `i % modulus` steps (0 … modulus-1). */
export function seedCounts(lanes: number, modulus: number): Int32Array {
  return Int32Array.from({ length: lanes }, (_, i) => i % modulus);
}

export interface Grid {
  /** Real and imaginary parts of c, one per pixel, row-major (rows = imaginary axis). */
  readonly cr: Float32Array;
  readonly ci: Float32Array;
}

/** A width×height grid over re ∈ [re0, re1], im ∈ [im0, im1] (both ends included). */
export function grid(width: number, height: number, [re0, re1]: readonly [number, number], [im0, im1]: readonly [number, number]): Grid {
  const cr = new Float32Array(width * height);
  const ci = new Float32Array(width * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      cr[r * width + c] = re0 + ((re1 - re0) * c) / Math.max(1, width - 1);
      ci[r * width + c] = im0 + ((im1 - im0) * r) / Math.max(1, height - 1);
    }
  }
  return { cr, ci };
}
