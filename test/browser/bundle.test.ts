// The library must run in a browser: tsconfig.core.json
// type-checks the core without Node's types; this goes further and runs it.
// src/index.ts is bundled by esbuild for `platform: "browser"` (a Node
// built-in anywhere in the import graph fails the build), then evaluated in a
// fresh V8 context that has only what every browser offers — the JavaScript
// builtins (WebAssembly included) plus console, TextEncoder, TextDecoder and
// performance; no process, require, Buffer or module system — and a vmapped
// while loop with per-lane trip counts runs through jit on every backend.
// Results must equal the same program run here in Node.
import * as esbuild from "esbuild";
import { readFileSync } from "node:fs";
import vm from "node:vm";
import { beforeAll, describe, expect, it } from "vitest";
import { BACKEND_NAMES } from "../helpers/backends.js";
import { jit, np, vmap, whileLoop } from "../../src/index.js";

/** Per lane: x ← tanh(x @ W + 0.5) while the step counter is below the lane's count. */
function program(lib: { np: typeof np; vmap: typeof vmap; whileLoop: typeof whileLoop }) {
  const lane = (w: np.Array, x: np.Array, count: np.Array): np.Array => {
    const [, out] = lib.whileLoop(
      ([i]: [np.Array, np.Array]) => i.lt(count),
      ([i, h]: [np.Array, np.Array]) => [i.add(1), lib.np.tanh(lib.np.matmul(h, w).add(0.5))] as [np.Array, np.Array],
      [lib.np.array(0), x] as [np.Array, np.Array],
    );
    return out;
  };
  return lib.vmap(lane, { inAxes: [null, 0, 0] });
}

const W = Array.from({ length: 36 }, (_, i) => Math.sin(i) * 0.4);
const XS = Array.from({ length: 30 }, (_, i) => Math.cos(i * 0.7));
const COUNTS = [0, 3, 1, 5, 2];

/** Source of an expression evaluated inside the context: the program's output data on `backend`. */
const runIn = (backend: string): string => `(() => {
  const { jit, np, vmap, whileLoop } = tsjax;
  const f = jit((${program.toString()})({ np, vmap, whileLoop }), { backend: ${JSON.stringify(backend)} });
  const w = np.array(new Float32Array(${JSON.stringify(W)})).reshape([6, 6]);
  const xs = np.array(new Float32Array(${JSON.stringify(XS)})).reshape([5, 6]);
  return Array.from(f(w, xs, np.array(new Int32Array(${JSON.stringify(COUNTS)}))).data());
})()`;

describe("the library in a browser-like context", () => {
  let context: vm.Context;
  let inputs: string[];

  beforeAll(async () => {
    const bundle = await esbuild.build({ entryPoints: ["src/index.ts"], bundle: true, platform: "browser", format: "iife", globalName: "tsjax", write: false, metafile: true, logLevel: "silent" });
    inputs = Object.keys(bundle.metafile.inputs);
    context = vm.createContext({ console, TextEncoder, TextDecoder, performance });
    vm.runInContext(bundle.outputFiles[0]!.text, context);
  });

  it("bundles for the browser from src/ and the declared runtime dependencies alone (no Node built-in)", () => {
    // Runtime dependencies (package.json "dependencies": immer) must be browser-safe; nothing else may come in.
    const deps = Object.keys((JSON.parse(readFileSync("package.json", "utf8")) as { dependencies?: Record<string, string> }).dependencies ?? {});
    expect(inputs.filter((f) => !f.startsWith("src/") && !deps.some((d) => f.startsWith(`node_modules/${d}/`)))).toEqual([]);
    expect(vm.runInContext("[typeof process, typeof require, typeof Buffer, typeof WebAssembly]", context)).toEqual(["undefined", "undefined", "undefined", "object"]);
  });

  it.each(BACKEND_NAMES)("runs jit(vmap(whileLoop)) on backend %s, with Node's results", (backend) => {
    const here = jit(program({ np, vmap, whileLoop }), { backend });
    const want = Array.from(
      here(np.array(new Float32Array(W)).reshape([6, 6]), np.array(new Float32Array(XS)).reshape([5, 6]), np.array(new Int32Array(COUNTS))).data() as Float32Array,
    );
    const got = vm.runInContext(runIn(backend), context) as number[];
    expect(got).toEqual(want);
    // Lane 0 runs no step: its row comes back unchanged.
    expect(got.slice(0, 6)).toEqual(XS.slice(0, 6).map(Math.fround));
  });
});
