// Every pass, by pipeline name. A new pass is one file plus one line here.
import { cse } from "./cse.js";
import { dce } from "./dce.js";
import { inline } from "./inline.js";
import { licm } from "./licm.js";
import type { Pass } from "./pass.js";
import { simplify } from "./simplify.js";

const ALL: readonly Pass[] = [
  dce,
  cse,
  simplify,
  inline,
  licm,
];

export const PASSES: Readonly<Record<string, Pass>> = Object.fromEntries(ALL.map((p) => [p.name, p]));
