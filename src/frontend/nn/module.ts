// nn.Module: the base class of models. A module's parameters are the arrays
// held in its fields (directly, in nested modules, or in lists/plain objects of
// those); every other field (sizes, names, flags) is static configuration.
// Modules are pytree nodes, so a model can be a vmap/jit argument, a loop
// carry or an output, and inside a traced body its fields hold tracers.

import { Array } from "../array.js";
import { type PytreeChildren, registerPytreeNode } from "../pytree.js";

export abstract class Module {}

/** Arrays, modules, and lists / plain objects made only of those. */
export function isParamTree(v: unknown): boolean {
  if (v instanceof Array || v instanceof Module) return true;
  if (globalThis.Array.isArray(v)) return v.length > 0 && v.every(isParamTree);
  if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const vals = Object.values(v);
    return vals.length > 0 && vals.every(isParamTree);
  }
  return false;
}

interface ModuleAux {
  /** Static fields, by name (compared as pytree aux data). */
  readonly statics: Readonly<Record<string, unknown>>;
  /** Param fields that hold JS lists: flattened as `{ "0": …, "1": … }` so paths read `layers.0.w`. */
  readonly listFields: readonly string[];
}

const asIndexed = (xs: readonly unknown[]): Record<string, unknown> => Object.fromEntries(xs.map((x, i) => [String(i), x]));
const fromIndexed = (o: Record<string, unknown>): unknown[] => Object.keys(o).sort((a, b) => Number(a) - Number(b)).map((k) => o[k]);

function flattenModule(m: Module): readonly [PytreeChildren, ModuleAux] {
  const children: Record<string, unknown> = {};
  const statics: Record<string, unknown> = {};
  const listFields: string[] = [];
  for (const key of Object.keys(m).sort()) {
    const v = (m as Record<string, unknown>)[key];
    if (!isParamTree(v)) statics[key] = v;
    else if (globalThis.Array.isArray(v)) {
      listFields.push(key);
      children[key] = asIndexed(v);
    } else children[key] = v;
  }
  return [children, { statics, listFields }];
}

function unflattenModule(aux: unknown, children: PytreeChildren, cls: Function): Module {
  const { statics, listFields } = aux as ModuleAux;
  const m = Object.create(cls.prototype as object) as Record<string, unknown>;
  Object.assign(m, statics);
  for (const [k, v] of Object.entries(children as Record<string, unknown>)) {
    m[k] = listFields.includes(k) ? fromIndexed(v as Record<string, unknown>) : v;
  }
  return m as unknown as Module;
}

registerPytreeNode(Module, flattenModule, unflattenModule);
