// The implementation table: one entry per primitive. It is a mapped type over
// `Prim`, so adding a primitive to `Params` fails `tsc` here until the
// interpreter implements it.

import type { Prim } from "../../ir/primitives.js";
import { binaryImpls } from "./binary.js";
import { controlFlowImpls } from "./control_flow.js";
import { dotGeneral } from "./dot_general.js";
import type { Impl } from "./impl.js";
import { indexingImpls } from "./indexing.js";
import { reductionImpls } from "./reductions.js";
import { convertElementType, selectN } from "./select_convert.js";
import { shapeOpImpls } from "./shape_ops.js";
import { unaryImpls } from "./unary.js";

export const impls: { readonly [P in Prim]: Impl<P> } = {
  ...unaryImpls,
  ...binaryImpls,
  select_n: selectN,
  convert_element_type: convertElementType,
  ...shapeOpImpls,
  ...reductionImpls,
  dot_general: dotGeneral,
  ...indexingImpls,
  ...controlFlowImpls,
};
