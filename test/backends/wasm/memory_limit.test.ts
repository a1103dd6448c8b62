// wasm32 addresses at most 4 GiB of linear memory (#11 item 10). A program
// that needs more is refused with a WasmMemoryLimitError saying how much it
// needs and why; jit's default backend then compiles it with js instead,
// while naming `wasm` explicitly gets the error. Compile-only: nothing here
// allocates the gigabytes (the wasm layout is checked before any memory is
// made, and the js backend allocates outputs only when a program runs).
import { describe, expect, it } from "vitest";
import { DEFAULT_BACKEND, WasmMemoryLimitError, getBackend } from "../../../src/backends/index.js";
import { type Jaxpr, makeEqn, newJaxpr, newVar } from "../../../src/ir/core.js";
import { aval } from "../../../src/ir/dtype.js";
import { scalarValue } from "../../../src/ir/value.js";
import { lowerJaxpr } from "../../../src/backends/lower/index.js";
import { emitModule } from "../../../src/backends/wasm/emit/emit_program.js";
import { jit, np } from "../../../src/index.js";

/** x:f32[] ↦ x broadcast to f32[n]: its output buffer alone takes 4·n bytes. */
function broadcastTo(n: number): Jaxpr {
  const x = newVar(aval("float32", []));
  const o = newVar(aval("float32", [n]));
  return newJaxpr({ invars: [x], eqns: [makeEqn("broadcast_in_dim", { shape: [n], broadcast_dimensions: [] }, [x], [o])], outvars: [o] });
}

const HUGE = 1_100_000_000; // 4.4e9 bytes of output: past 4 GiB (4,294,967,296 bytes)

describe("programs larger than wasm32's 4 GiB", () => {
  it("the wasm backend names the memory the program needs, what takes it, and the 4 GiB limit", () => {
    let error: unknown;
    try {
      getBackend("wasm").compile(broadcastTo(HUGE));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WasmMemoryLimitError);
    const e = error as WasmMemoryLimitError;
    // 64 unused bytes at address 0, then 64-byte aligned regions: the input (4 B), the output (4.4e9 B), an empty matmul scratch (64 B).
    expect(e.bytesNeeded).toBe(64 + 64 + 4_400_000_000 + 64);
    expect(e.message).toBe(
      "wasm backend: this program needs 4.10 GiB of linear memory (4400000192 bytes: inputs 4 B, outputs 4.10 GiB), " +
        "more than the 4 GiB a wasm32 memory can hold; compile it with the js backend (jit's default backend does that by itself, " +
        'jit(f, { backend: "js" }) asks for it)',
    );
  });

  it("a program of exactly 4 GiB is laid out in all 65,536 pages; 64 more bytes are refused", () => {
    // Emitted only (instantiating would reserve the 4 GiB): the largest f32 output that fits after the
    // unused first 64 bytes, the input's 64 and the scratch's 64.
    const n = (2 ** 32 - 3 * 64) / 4;
    expect(emitModule(lowerJaxpr(broadcastTo(n))).layout.pages).toBe(65536);
    expect(() => emitModule(lowerJaxpr(broadcastTo(n + 16)))).toThrow(WasmMemoryLimitError);
  });

  it("jit's default backend compiles it with js instead", () => {
    const program = getBackend(DEFAULT_BACKEND).compile(broadcastTo(HUGE));
    expect(program.source!).toContain("return function run(in0)"); // the js backend's generated factory
  });

  it("jit's default backend uses wasm for everything else", () => {
    const program = getBackend(DEFAULT_BACKEND).compile(broadcastTo(8));
    expect(program.source!.startsWith("(module")).toBe(true);
    expect(Array.from(program.run([scalarValue("float32", 2.5)])[0]!.data)).toEqual(Array(8).fill(2.5));
  });

  it("jit with backend 'wasm' named explicitly raises the error when first called", () => {
    const f = jit((x: np.Array) => np.broadcastTo(x, [HUGE]), { backend: "wasm" });
    expect(() => f(np.array(1))).toThrow(WasmMemoryLimitError);
  });
});
