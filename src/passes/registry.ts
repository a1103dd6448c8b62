// Every pass, by pipeline name. A new pass is one file plus one line here.
import type { Pass } from "./pass.js";

const ALL: readonly Pass[] = [];

export const PASSES: Readonly<Record<string, Pass>> = Object.fromEntries(ALL.map((p) => [p.name, p]));
