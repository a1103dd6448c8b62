// v128 constants from lane values, in any of the six lane interpretations.

import type { V128Const, V128Shape } from "./instr.js";
import { WasmBuildError } from "./types.js";

export const SHAPE_LANES: { readonly [S in V128Shape]: number } = {
  i8x16: 16,
  i16x8: 8,
  i32x4: 4,
  i64x2: 2,
  f32x4: 4,
  f64x2: 2,
};

function checkInt(shape: V128Shape, v: number | bigint, bits: number): number {
  const n = Number(v);
  // Signed or unsigned spelling of the lane are both accepted, as in the text format.
  if (!Number.isInteger(n) || n < -(2 ** (bits - 1)) || n >= 2 ** bits) {
    throw new WasmBuildError(`v128.const ${shape}: lane value ${v} does not fit ${bits} bits`);
  }
  return n;
}

/** Builds the 16 little-endian bytes of a v128 constant. */
export function v128Const(shape: V128Shape, lanes: readonly (number | bigint)[]): V128Const {
  if (lanes.length !== SHAPE_LANES[shape]) {
    throw new WasmBuildError(`v128.const ${shape} needs ${SHAPE_LANES[shape]} lanes, got ${lanes.length}`);
  }
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  lanes.forEach((v, i) => {
    switch (shape) {
      case "i8x16":
        view.setUint8(i, checkInt(shape, v, 8) & 0xff);
        break;
      case "i16x8":
        view.setUint16(2 * i, checkInt(shape, v, 16) & 0xffff, true);
        break;
      case "i32x4":
        view.setUint32(4 * i, checkInt(shape, v, 32) >>> 0, true);
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
  const stored = shape === "f32x4" ? lanes.map((v) => Math.fround(Number(v))) : lanes;
  return { shape, lanes: stored, bytes };
}
