// The workloads in jax-js (@jax-js/jax), on its wasm device, as a jax-js user
// would write them. jax-js has no while loop, so the seed and Mandelbrot
// loops run a fixed count (the largest trip count) for every lane and keep
// finished lanes unchanged with `where`.
//
// Ownership: jax-js arrays are reference counted and every function consumes
// its array arguments, so a value used twice is passed as `x.ref` the first
// time (see the jax-js README, "Reference counting").
//
// In Node: jax-js targets browsers, but its wasm device works in Node. Calling
// `init()` with no argument also probes WebGPU and throws
// (`navigator is not defined`), so we initialise the wasm device alone. Its
// worker pool needs a global `Worker`, which Node 20 lacks, so it runs
// single-threaded here, like every other column.

import type * as JaxJs from "@jax-js/jax";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

export type JaxModule = typeof JaxJs;
type Arr = JaxJs.numpy.Array;

/** The installed version (its package.json is not in the package's exports map, so read it from disk). */
function jaxJsVersion(): string {
  const entry = createRequire(import.meta.url).resolve("@jax-js/jax");
  const pkg = JSON.parse(readFileSync(path.join(path.dirname(entry), "..", "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

/** The jax-js module with its wasm device initialised, or why it can't run. */
export async function loadJaxJs(): Promise<{ jax: JaxModule; about: string } | { unavailable: string }> {
  try {
    const jax = await import("@jax-js/jax");
    const ready = await jax.init("wasm");
    if (!ready.includes("wasm")) return { unavailable: `jax-js init("wasm") returned [${ready.join(", ")}]: no wasm device in this runtime` };
    jax.defaultDevice("wasm");
    // The same test jax-js makes before starting its worker pool.
    const threaded = typeof SharedArrayBuffer !== "undefined" && typeof (globalThis as { Worker?: unknown }).Worker !== "undefined";
    const threads = threaded ? "multi-threaded (worker pool)" : "single-threaded (Node has no global Worker, so no worker pool)";
    return { jax, about: `@jax-js/jax ${jaxJsVersion()}, jit on the wasm device, ${threads}` };
  } catch (e) {
    return { unavailable: `jax-js failed to load: ${(e as Error).message}` };
  }
}

export function mlpJax(jax: JaxModule, layers: number) {
  const np = jax.numpy;
  return jax.jit((x: Arr, w: Arr, b: Arr) => {
    let h = x;
    for (let l = 0; l < layers; l++) h = np.tanh(np.matmul(h, w.ref).add(b.ref));
    w.dispose();
    b.dispose();
    return h;
  });
}

/** `[loss, [dW, db]]` of mean((mlp(x) - y)²), as jax-js's jit(valueAndGrad) computes it. */
export function mlpGradJax(jax: JaxModule, layers: number) {
  const np = jax.numpy;
  const loss = (w: Arr, b: Arr, x: Arr, y: Arr) => {
    let h = x;
    for (let l = 0; l < layers; l++) h = np.tanh(np.matmul(h, w.ref).add(b.ref));
    w.dispose();
    b.dispose();
    const err = h.sub(y);
    return np.mean(err.ref.mul(err));
  };
  return jax.jit(jax.valueAndGrad(loss, { argnums: [0, 1] }));
}

/** The seed loop, masked: maxCount steps for all lanes; lane i keeps its new h while step < counts[i]. */
export function seedJax(jax: JaxModule, maxCount: number) {
  const np = jax.numpy;
  return jax.jit((x: Arr, w: Arr, b: Arr, counts: Arr) => {
    const k = counts.reshape([-1, 1]);
    let h = x;
    for (let t = 0; t < maxCount; t++) {
      const next = np.tanh(np.matmul(h.ref, w.ref).add(b.ref));
      h = np.where(k.ref.greater(t), next, h);
    }
    w.dispose();
    b.dispose();
    k.dispose();
    return h;
  });
}

/** Mandelbrot, masked: maxIter steps for every pixel; an escaped pixel keeps its z and stops counting. */
export function mandelbrotJax(jax: JaxModule, maxIter: number) {
  const np = jax.numpy;
  return jax.jit((cr: Arr, ci: Arr) => {
    let zr = np.zerosLike(cr.ref);
    let zi = np.zerosLike(cr.ref);
    let n = np.zeros(cr.shape, { dtype: np.int32 });
    for (let t = 0; t < maxIter; t++) {
      const zr2 = zr.ref.mul(zr.ref);
      const zi2 = zi.ref.mul(zi.ref);
      const active = zr2.ref.add(zi2.ref).lessEqual(4);
      const nextR = zr2.sub(zi2).add(cr.ref);
      const nextI = zr.ref.mul(zi.ref).mul(2).add(ci.ref);
      n = n.add(active.ref.astype(np.int32));
      zr = np.where(active.ref, nextR, zr);
      zi = np.where(active, nextI, zi);
    }
    cr.dispose();
    ci.dispose();
    zr.dispose();
    zi.dispose();
    return n;
  });
}
