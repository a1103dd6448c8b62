// Shared helpers for the wasm tests: instantiate a builder, evaluate one
// instruction on concrete operands, read instruction bytes.

import { ByteWriter } from "../../../src/backends/wasm/bytes.js";
import { encodeInstr } from "../../../src/backends/wasm/encoder.js";
import type { FunctionBuilder } from "../../../src/backends/wasm/func.js";
import { ModuleBuilder, PLAIN_OPS } from "../../../src/backends/wasm/index.js";
import type { PlainOpName, V128Shape, ValType } from "../../../src/backends/wasm/index.js";
import { parseSig } from "../../../src/backends/wasm/ops.js";

export function instantiate(m: ModuleBuilder, imports: WebAssembly.Imports = {}): WebAssembly.Instance {
  const bytes = m.encode();
  if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) throw new Error(`module does not validate:\n${m.toWat()}`);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), imports);
}

export function validates(m: ModuleBuilder): boolean {
  return WebAssembly.validate(m.encode() as Uint8Array<ArrayBuffer>);
}

const noIndices = {
  func: () => 0,
  global: () => 0,
  type: () => 0,
};

/** Bytes of the instructions a builder callback writes (after any setup it did before `mark()`). */
export function instrBytes(build: (f: FunctionBuilder, mark: () => void) => void, params: Record<string, ValType> = {}): number[] {
  const m = new ModuleBuilder();
  m.addMemory({ min: 1 });
  const f = m.addFunction({ name: "t", params });
  let from = 0;
  build(f, () => (from = f.body.length));
  const w = new ByteWriter();
  for (const instr of f.body.slice(from)) encodeInstr(w, instr, noIndices);
  return [...w.finish()];
}

/** An operand: a v128 in some lane interpretation, or a scalar. */
export type Arg =
  | { readonly v128: V128Shape; readonly lanes: readonly (number | bigint)[] }
  | { readonly i32: number }
  | { readonly i64: bigint }
  | { readonly f32: number }
  | { readonly f64: number };

const LANE_BYTES: Record<V128Shape, number> = { i8x16: 1, i16x8: 2, i32x4: 4, i64x2: 8, f32x4: 4, f64x2: 8 };

function readLanes(bytes: Uint8Array, shape: V128Shape): (number | bigint)[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  const n = 16 / LANE_BYTES[shape];
  return Array.from({ length: n }, (_, i) => {
    switch (shape) {
      case "i8x16":
        return view.getInt8(i);
      case "i16x8":
        return view.getInt16(2 * i, true);
      case "i32x4":
        return view.getInt32(4 * i, true);
      case "i64x2":
        return view.getBigInt64(8 * i, true);
      case "f32x4":
        return view.getFloat32(4 * i, true);
      case "f64x2":
        return view.getFloat64(8 * i, true);
    }
  });
}

/**
 * Runs one instruction on the given operands and returns its result: lanes
 * (read as `resultShape`) for a v128, a number/bigint for a scalar. v128
 * operands travel through memory, since JS cannot pass v128 values.
 */
export function evalOp(op: PlainOpName, args: readonly Arg[], resultShape: V128Shape = "i32x4"): number | bigint | (number | bigint)[] {
  return evalWith((f) => f.op(op), parseSig(PLAIN_OPS[op].sig).results[0]!, args, resultShape);
}

/** Like evalOp, for any instruction sequence written by `apply` (consuming the operands, leaving one result). */
export function evalWith(apply: (f: FunctionBuilder) => void, result: ValType, args: readonly Arg[], resultShape: V128Shape = "i32x4"): number | bigint | (number | bigint)[] {
  const m = new ModuleBuilder();
  m.addMemory({ min: 1 }, { export: "memory" });
  const f = m.addFunction({ name: "run", export: "run" });
  const OUT = 1024;
  f.i32.const(OUT);
  args.forEach((a, k) => {
    if ("v128" in a) f.i32.const(16 * k).v128.load();
    else if ("i32" in a) f.i32.const(a.i32);
    else if ("i64" in a) f.i64.const(a.i64);
    else if ("f32" in a) f.f32.const(a.f32);
    else f.f64.const(a.f64);
  });
  apply(f);
  switch (result) {
    case "v128":
      f.v128.store();
      break;
    case "i32":
      f.i32.store();
      break;
    case "i64":
      f.i64.store();
      break;
    case "f32":
      f.f32.store();
      break;
    case "f64":
      f.f64.store();
      break;
  }
  const inst = instantiate(m);
  const mem = new Uint8Array((inst.exports.memory as WebAssembly.Memory).buffer);
  args.forEach((a, k) => {
    if ("v128" in a) mem.set(v128Bytes(a.v128, a.lanes), 16 * k);
  });
  (inst.exports.run as () => void)();
  const out = mem.slice(OUT, OUT + 16);
  const view = new DataView(out.buffer);
  switch (result) {
    case "v128":
      return readLanes(out, resultShape);
    case "i32":
      return view.getInt32(0, true);
    case "i64":
      return view.getBigInt64(0, true);
    case "f32":
      return view.getFloat32(0, true);
    case "f64":
      return view.getFloat64(0, true);
  }
}

export function v128Bytes(shape: V128Shape, lanes: readonly (number | bigint)[]): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  lanes.forEach((v, i) => {
    switch (shape) {
      case "i8x16":
        view.setUint8(i, Number(v) & 0xff);
        break;
      case "i16x8":
        view.setUint16(2 * i, Number(v) & 0xffff, true);
        break;
      case "i32x4":
        view.setUint32(4 * i, Number(v) >>> 0, true);
        break;
      case "i64x2":
        view.setBigUint64(8 * i, BigInt.asUintN(64, BigInt(v)), true);
        break;
      case "f32x4":
        view.setFloat32(4 * i, Number(v), true);
        break;
      case "f64x2":
        view.setFloat64(8 * i, Number(v), true);
        break;
    }
  });
  return bytes;
}

export const f32x4 = (...lanes: number[]): Arg => ({ v128: "f32x4", lanes });
export const i32x4 = (...lanes: number[]): Arg => ({ v128: "i32x4", lanes });
