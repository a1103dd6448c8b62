// The hand-written baseline: what a competent JS programmer writes for each
// workload on Float32Array storage. Naive i-k-j matmul (the inner loop walks a
// row of W contiguously), Math.tanh, per-lane early exit in the loops. No
// unrolling, no SIMD, no workers: the point is "what does plain JS give you",
// not a tuned kernel.

/** `h = tanh(h @ w + b)` for every row of `h` (n×d), in place via `out`. */
function denseTanhRows(h: Float32Array, w: Float32Array, b: Float32Array, n: number, d: number, out: Float32Array): void {
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) out[o + j] = b[j]!;
    for (let k = 0; k < d; k++) {
      const a = h[o + k]!;
      const wk = k * d;
      for (let j = 0; j < d; j++) out[o + j]! += a * w[wk + j]!;
    }
    for (let j = 0; j < d; j++) out[o + j] = Math.tanh(out[o + j]!);
  }
}

/** `layers` times `h = tanh(h @ w + b)` on all n rows (the same w, b each layer). */
export function mlpPlain(x: Float32Array, w: Float32Array, b: Float32Array, n: number, d: number, layers: number): Float32Array {
  let h = Float32Array.from(x);
  let next = new Float32Array(n * d);
  for (let l = 0; l < layers; l++) {
    denseTanhRows(h, w, b, n, d, next);
    [h, next] = [next, h];
  }
  return h;
}

/** Per lane i: `h = tanh(h @ w + b)` repeated counts[i] times; each lane stops on its own. */
export function seedPlain(x: Float32Array, w: Float32Array, b: Float32Array, counts: Int32Array, d: number): Float32Array {
  const out = Float32Array.from(x);
  const tmp = new Float32Array(d);
  for (let lane = 0; lane < counts.length; lane++) {
    const row = out.subarray(lane * d, (lane + 1) * d);
    for (let t = 0; t < counts[lane]!; t++) {
      denseTanhRows(row, w, b, 1, d, tmp);
      row.set(tmp);
    }
  }
  return out;
}

/** Escape-time counts: iterate z = z² + c while |z|² <= 4, at most maxIter times. */
export function mandelbrotPlain(cr: Float32Array, ci: Float32Array, maxIter: number): Int32Array {
  const out = new Int32Array(cr.length);
  for (let p = 0; p < cr.length; p++) {
    const a = cr[p]!, c = ci[p]!;
    let zr = 0, zi = 0, n = 0;
    while (n < maxIter && zr * zr + zi * zi <= 4) {
      const t = zr * zr - zi * zi + a;
      zi = zr * zi * 2 + c;
      zr = t;
      n++;
    }
    out[p] = n;
  }
  return out;
}

/**
 * Value and gradient (w.r.t. w and b) of mean((mlp(x) - y)²) by hand-written
 * backprop: the forward keeps every layer's activation, the backward walks
 * the layers in reverse with tanh'(z) = 1 - h². Returns
 * [loss, dW (d×d row-major), db (d)]. The gradient sums run over n·layers
 * terms, so they accumulate in float64 to keep the reference sharp.
 */
export function mlpGradPlain(x: Float32Array, w: Float32Array, b: Float32Array, y: Float32Array, n: number, d: number, layers: number): Float32Array {
  const hs: Float32Array[] = [Float32Array.from(x)];
  for (let l = 0; l < layers; l++) {
    const next = new Float32Array(n * d);
    denseTanhRows(hs[l]!, w, b, n, d, next);
    hs.push(next);
  }
  const out = hs[layers]!;
  const scale = 2 / (n * d);
  let loss = 0;
  // g = ∂loss/∂h for the current layer's output, then dz = g·(1 - h²) in place.
  let g = new Float32Array(n * d);
  for (let i = 0; i < n * d; i++) {
    const e = out[i]! - y[i]!;
    loss += e * e;
    g[i] = scale * e;
  }
  const dw = new Float64Array(d * d);
  const db = new Float64Array(d);
  let gPrev = new Float32Array(n * d);
  for (let l = layers; l >= 1; l--) {
    const h = hs[l]!, hIn = hs[l - 1]!;
    for (let i = 0; i < n * d; i++) g[i]! *= 1 - h[i]! * h[i]!;
    for (let i = 0; i < n; i++) {
      const o = i * d;
      for (let j = 0; j < d; j++) db[j]! += g[o + j]!;
      // dW[k, :] += hIn[i, k] · dz[i, :]
      for (let k = 0; k < d; k++) {
        const a = hIn[o + k]!;
        const wk = k * d;
        for (let j = 0; j < d; j++) dw[wk + j]! += a * g[o + j]!;
      }
      // ∂loss/∂hIn[i, k] = Σ_j dz[i, j] · W[k, j] (not needed below the first layer)
      if (l > 1) {
        for (let k = 0; k < d; k++) {
          const wk = k * d;
          let s = 0;
          for (let j = 0; j < d; j++) s += g[o + j]! * w[wk + j]!;
          gPrev[o + k] = s;
        }
      }
    }
    [g, gPrev] = [gPrev, g];
  }
  const result = new Float32Array(1 + d * d + d);
  result[0] = loss / (n * d);
  result.set(dw, 1);
  result.set(db, 1 + d * d);
  return result;
}

/**
 * Value and gradient (w.r.t. w and b) of mean(seed(x)²), the seed loop run
 * per lane (counts[i] steps of h = tanh(h·w + b)), by hand-written per-lane
 * backprop: each lane records its steps' outputs, then walks them back with
 * tanh'(z) = 1 - h². Returns [loss, dW (d×d row-major), db (d)], summed in
 * float64.
 */
export function seedGradPlain(x: Float32Array, w: Float32Array, b: Float32Array, counts: Int32Array, d: number): Float32Array {
  const lanes = counts.length;
  const scale = 2 / (lanes * d);
  const dw = new Float64Array(d * d);
  const db = new Float64Array(d);
  let loss = 0;
  const g = new Float64Array(d);
  const gPrev = new Float64Array(d);
  for (let lane = 0; lane < lanes; lane++) {
    const k = counts[lane]!;
    // hs[t] is the lane's state before step t; hs[k] its output.
    const hs: Float32Array[] = [x.slice(lane * d, (lane + 1) * d)];
    for (let t = 0; t < k; t++) {
      const next = new Float32Array(d);
      denseTanhRows(hs[t]!, w, b, 1, d, next);
      hs.push(next);
    }
    const y = hs[k]!;
    for (let j = 0; j < d; j++) {
      loss += y[j]! * y[j]!;
      g[j] = scale * y[j]!;
    }
    for (let t = k - 1; t >= 0; t--) {
      const h = hs[t]!, out = hs[t + 1]!;
      for (let j = 0; j < d; j++) g[j] = g[j]! * (1 - out[j]! * out[j]!);
      for (let j = 0; j < d; j++) db[j] += g[j]!;
      for (let i = 0; i < d; i++) {
        const hi = h[i]!;
        let s = 0;
        for (let j = 0; j < d; j++) {
          dw[i * d + j] += hi * g[j]!;
          s += w[i * d + j]! * g[j]!;
        }
        gPrev[i] = s;
      }
      g.set(gPrev);
    }
  }
  const out = new Float32Array(1 + d * d + d);
  out[0] = loss / (lanes * d);
  out.set(dw, 1);
  out.set(db, 1 + d * d);
  return out;
}
