// Every pass, by pipeline name. A new pass is one file plus one line here.
import { batchPass } from "./batch.js";
import { cse } from "./cse.js";
import { dce } from "./dce.js";
import { inline } from "./inline.js";
import { expandReplayPass } from "./expandReplay.js";
import { hoistInvariantCarriesPass } from "./hoistInvariantCarries.js";
import { jvpPass } from "./jvp.js";
import { licm } from "./licm.js";
import { linearizePass } from "./linearize.js";
import type { Pass } from "./pass.js";
import { simplify } from "./simplify.js";
import { transposePass } from "./transpose.js";

const ALL: readonly Pass[] = [
  dce,
  cse,
  simplify,
  inline,
  licm,
  hoistInvariantCarriesPass,
  batchPass,
  jvpPass,
  linearizePass,
  transposePass,
  expandReplayPass,
];

export const PASSES: Readonly<Record<string, Pass>> = Object.fromEntries(ALL.map((p) => [p.name, p]));
