// One generator of random single-equation cases per primitive (control
// flow: the templates with random lane shapes). A mapped type over `Prim`, so
// a new primitive fails tsc here until it has a generator.

import type fc from "fast-check";
import { BINARY_PRIMS, COMPARE_PRIMS, type Prim, REDUCE_PRIMS, UNARY_PRIMS } from "../../../src/ir/primitives.js";
import {
  type GenCase,
  LITERAL_FORMS,
  VAR_FORMS,
  argmaxArb,
  binaryArb,
  broadcastArb,
  checkArb,
  concatenateArb,
  convertArb,
  dotGeneralArb,
  dynamicSliceArb,
  dynamicUpdateSliceArb,
  expandDimsArb,
  iotaArb,
  reduceArb,
  reshapeArb,
  selectArb,
  sliceArb,
  squeezeArb,
  stopGradientArb,
  transposeArb,
  unaryArb,
} from "./primGen.js";
import {
  condBranchesArb,
  customJvpBasicArb,
  customVjpBasicArb,
  customVjpBwdBasicArb,
  pjitBasicArb,
  checkpointBasicArb,
  scanBasicArb,
  whileCountedArb,
  whileRecordReadArb,
  whileRecordReplayArb,
} from "./templates.js";

/** Generators of single-equation cases, one per primitive. */
export const generators: { readonly [P in Prim]: fc.Arbitrary<GenCase> } = {
  ...(Object.fromEntries(UNARY_PRIMS.map((p) => [p, unaryArb(p)])) as { [P in (typeof UNARY_PRIMS)[number]]: fc.Arbitrary<GenCase> }),
  ...(Object.fromEntries([...BINARY_PRIMS, ...COMPARE_PRIMS].map((p) => [p, binaryArb(p, [...VAR_FORMS, ...LITERAL_FORMS])])) as {
    [P in (typeof BINARY_PRIMS)[number] | (typeof COMPARE_PRIMS)[number]]: fc.Arbitrary<GenCase>;
  }),
  ...(Object.fromEntries(REDUCE_PRIMS.map((p) => [p, reduceArb(p)])) as { [P in (typeof REDUCE_PRIMS)[number]]: fc.Arbitrary<GenCase> }),
  select_n: selectArb(),
  convert_element_type: convertArb,
  stop_gradient: stopGradientArb,
  broadcast_in_dim: broadcastArb,
  reshape: reshapeArb,
  transpose: transposeArb,
  squeeze: squeezeArb,
  expand_dims: expandDimsArb,
  argmax: argmaxArb,
  dot_general: dotGeneralArb,
  iota: iotaArb,
  concatenate: concatenateArb,
  slice: sliceArb,
  dynamic_slice: dynamicSliceArb,
  dynamic_update_slice: dynamicUpdateSliceArb,
  while: whileCountedArb,
  cond: condBranchesArb,
  scan: scanBasicArb,
  pjit: pjitBasicArb,
  checkpoint: checkpointBasicArb,
  custom_jvp_call: customJvpBasicArb,
  custom_vjp_call: customVjpBasicArb,
  custom_vjp_bwd: customVjpBwdBasicArb,
  while_record: whileRecordReplayArb,
  replay: whileRecordReplayArb,
  tape_read: whileRecordReadArb,
  tape_reverse: whileRecordReadArb,
  check: checkArb,
};
