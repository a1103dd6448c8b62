// Shape manipulation and creation: broadcast_in_dim, reshape, transpose,
// squeeze, expand_dims, iota, concatenate.
//
// reshape, squeeze and expand_dims do not move data in row-major order, so
// they return the operand's storage under the new shape (values are immutable).

import type { ArrayValue } from "../../ir/core.js";
import { allocStorage, sizeOf, stridesOf } from "../../ir/dtype.js";
import type { Impl } from "./impl.js";
import { copyStrided } from "./strided.js";

/** Same elements, new shape (the output aval from the shape rule). */
const relabel: Impl<"reshape" | "squeeze" | "expand_dims"> = ([x], _params, [out]) => [
  { dtype: x!.dtype, shape: out!.shape, data: x!.data },
];

const broadcastInDim: Impl<"broadcast_in_dim"> = ([x], { broadcast_dimensions: bd }, [out]) => {
  const xStrides = stridesOf(x!.shape);
  // Output axes not fed by an operand axis, or fed by a size-1 axis, repeat: stride 0.
  const srcStrides = new Array<number>(out!.shape.length).fill(0);
  bd.forEach((d, i) => {
    if (x!.shape[i] !== 1) srcStrides[d] = xStrides[i]!;
  });
  const res = allocStorage(out!.dtype, sizeOf(out!.shape));
  copyStrided(x!.data, 0, srcStrides, res, 0, stridesOf(out!.shape), out!.shape);
  return [{ dtype: out!.dtype, shape: out!.shape, data: res }];
};

const transpose: Impl<"transpose"> = ([x], { permutation }, [out]) => {
  const xStrides = stridesOf(x!.shape);
  const res = allocStorage(out!.dtype, sizeOf(out!.shape));
  copyStrided(x!.data, 0, permutation.map((p) => xStrides[p]!), res, 0, stridesOf(out!.shape), out!.shape);
  return [{ dtype: out!.dtype, shape: out!.shape, data: res }];
};

const iota: Impl<"iota"> = (_args, { dimension }, [out]) => {
  const n = sizeOf(out!.shape);
  const stride = stridesOf(out!.shape)[dimension]!;
  const size = out!.shape[dimension]!;
  const res = allocStorage(out!.dtype, n);
  for (let i = 0; i < n; i++) res[i] = Math.floor(i / stride) % size;
  return [{ dtype: out!.dtype, shape: out!.shape, data: res }];
};

const concatenate: Impl<"concatenate"> = (args, { dimension }, [out]) => {
  const outStrides = stridesOf(out!.shape);
  const res = allocStorage(out!.dtype, sizeOf(out!.shape));
  let offset = 0;
  for (const x of args) {
    copyStrided(x.data, 0, stridesOf(x.shape), res, offset * outStrides[dimension]!, outStrides, x.shape);
    offset += x.shape[dimension]!;
  }
  return [{ dtype: out!.dtype, shape: out!.shape, data: res } satisfies ArrayValue];
};

export const shapeOpImpls: {
  readonly [P in "broadcast_in_dim" | "reshape" | "transpose" | "squeeze" | "expand_dims" | "iota" | "concatenate"]: Impl<P>;
} = {
  broadcast_in_dim: broadcastInDim,
  reshape: relabel,
  transpose,
  squeeze: relabel,
  expand_dims: relabel,
  iota,
  concatenate,
};
