// The reference interpreter as a jit backend: no compilation, every call
// evaluates the jaxpr.

import type { Backend } from "./backend.js";
import { evalJaxpr } from "./interpreter/index.js";
import { checkNesting } from "../ir/traverse.js";

export const interpreterBackend: Backend = {
  name: "interpreter",
  summary: "the reference interpreter (no compilation)",
  compile(jaxpr) {
    checkNesting(jaxpr, "the interpreter backend");
    return { run: (args) => evalJaxpr(jaxpr, [], args) };
  },
};
