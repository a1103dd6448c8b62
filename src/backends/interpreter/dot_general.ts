// dot_general with any contracting and batch dimensions.
//
//   out[b, i, j] = Σ_c lhs[b, i, c] * rhs[b, j, c]
//
// where b ranges over the batch dims (in the order listed), i over the lhs
// free dims and j over the rhs free dims (each in axis order), c over the
// contracting dims (pairs in the order listed). Each of these index spaces is
// tabulated as element offsets into its operand, so the inner loop is two
// table lookups and a multiply-add. float32 accumulates in double and rounds
// once; int32 wraps (Math.imul and `| 0`).

import { allocStorage, stridesOf } from "../../ir/dtype.js";
import type { Impl } from "./impl.js";
import { axisOffsets } from "./strided.js";

function freeAxes(rank: number, contracting: readonly number[], batch: readonly number[]): number[] {
  const free: number[] = [];
  for (let i = 0; i < rank; i++) if (!contracting.includes(i) && !batch.includes(i)) free.push(i);
  return free;
}

export const dotGeneral: Impl<"dot_general"> = ([x, y], { dimension_numbers }, [out]) => {
  const [[lc, rc], [lb, rb]] = dimension_numbers;
  const xs = stridesOf(x!.shape);
  const ys = stridesOf(y!.shape);
  const lBatch = axisOffsets(x!.shape, xs, lb);
  const rBatch = axisOffsets(y!.shape, ys, rb);
  const lFree = axisOffsets(x!.shape, xs, freeAxes(x!.shape.length, lc, lb));
  const rFree = axisOffsets(y!.shape, ys, freeAxes(y!.shape.length, rc, rb));
  const lCon = axisOffsets(x!.shape, xs, lc);
  const rCon = axisOffsets(y!.shape, ys, rc);
  const xd = x!.data;
  const yd = y!.data;
  const nb = lBatch.length, ni = lFree.length, nj = rFree.length, nc = lCon.length;
  const res = allocStorage(out!.dtype, nb * ni * nj);
  const isInt = out!.dtype === "int32";
  let o = 0;
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < ni; i++) {
      const xBase = lBatch[b]! + lFree[i]!;
      for (let j = 0; j < nj; j++) {
        const yBase = rBatch[b]! + rFree[j]!;
        let acc = 0;
        if (isInt) {
          for (let c = 0; c < nc; c++) acc = (acc + Math.imul(xd[xBase + lCon[c]!]!, yd[yBase + rCon[c]!]!)) | 0;
        } else {
          for (let c = 0; c < nc; c++) acc += xd[xBase + lCon[c]!]! * yd[yBase + rCon[c]!]!;
        }
        res[o++] = acc;
      }
    }
  }
  return [{ dtype: out!.dtype, shape: out!.shape, data: res }];
};
