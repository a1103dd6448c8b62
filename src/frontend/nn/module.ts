// nn.Module: the base class of models. A module's parameters are the arrays
// held in its fields: directly, in nested modules, or anywhere inside lists and
// plain objects. Every other value (sizes, names, flags, functions, and numbers
// or strings sitting next to arrays in a container) is static configuration.
// Modules are pytree nodes, so a model can be a vmap/jit argument, a loop
// carry or an output, and inside a traced body its fields hold tracers.
//
// Static configuration is the node's aux data, which jit compares by value: two
// models that differ only in a static field trace separately.

import { Array } from "../array.js";
import { type PytreeChildren, isPlainObject, registerPytreeNode } from "../pytree.js";

export abstract class Module {}

const isList = (v: unknown): v is readonly unknown[] => globalThis.Array.isArray(v);

/** True when `v` holds a parameter: it is an array or a module, or a list / plain object containing one. */
export function hasParams(v: unknown): boolean {
  if (v instanceof Array || v instanceof Module) return true;
  if (isList(v)) return v.some(hasParams);
  if (isPlainObject(v)) return Object.values(v).some(hasParams);
  return false;
}

/**
 * The keys under which `v` (a module, list or plain object) holds parameters,
 * as strings (list indices too, so paths read `layers.0.w`). Module fields and
 * object keys are sorted, as pytree object keys are.
 */
export function paramKeys(v: object): string[] {
  if (isList(v)) return v.flatMap((x, i) => (hasParams(x) ? [String(i)] : []));
  return Object.keys(v).sort().filter((k) => hasParams((v as Record<string, unknown>)[k]));
}

/** The value under `key` of a module, list or plain object (list keys are index strings). */
export function childAt(v: object, key: string): unknown {
  return isList(v) ? v[Number(key)] : (v as Record<string, unknown>)[key];
}

// A container that holds parameters is split into its parameters (the pytree
// children) and a skeleton (aux data) with everything else, so it can be rebuilt.
// Skeletons are plain data, compared by value like any aux.

/** A direct parameter slot: the child is the array or module itself. */
const SLOT = "param";

interface ContainerSkeleton {
  readonly kind: "list" | "object";
  /** Every key of the container, in its own order (list: "0", "1", …). */
  readonly keys: readonly string[];
  /** The static entries, by key. */
  readonly statics: Readonly<Record<string, unknown>>;
  /** The entries holding parameters, by key. */
  readonly params: Readonly<Record<string, Skeleton>>;
}
type Skeleton = typeof SLOT | ContainerSkeleton;

/** Splits a value with parameters into its children (pytree) and skeleton. */
function split(v: unknown): [children: unknown, skeleton: Skeleton] {
  if (v instanceof Array || v instanceof Module) return [v, SLOT];
  const container = v as object;
  const keys = isList(container) ? container.map((_, i) => String(i)) : Object.keys(container);
  const children: Record<string, unknown> = {};
  const statics: Record<string, unknown> = {};
  const params: Record<string, Skeleton> = {};
  for (const k of keys) {
    const x = childAt(container, k);
    if (hasParams(x)) [children[k], params[k]] = split(x);
    else statics[k] = x;
  }
  return [children, { kind: isList(container) ? "list" : "object", keys, statics, params }];
}

function rebuild(children: unknown, skeleton: Skeleton): unknown {
  if (skeleton === SLOT) return children;
  const parts = children as Record<string, unknown>;
  const entry = (k: string) => (k in skeleton.params ? rebuild(parts[k], skeleton.params[k]!) : skeleton.statics[k]);
  if (skeleton.kind === "list") return skeleton.keys.map(entry);
  return Object.fromEntries(skeleton.keys.map((k) => [k, entry(k)]));
}

interface ModuleAux {
  /** Fields without parameters, by name. */
  readonly statics: Readonly<Record<string, unknown>>;
  /** How each parameter field is rebuilt from its children. */
  readonly skeletons: Readonly<Record<string, Skeleton>>;
}

function flattenModule(m: Module): readonly [PytreeChildren, ModuleAux] {
  const children: Record<string, unknown> = {};
  const statics: Record<string, unknown> = {};
  const skeletons: Record<string, Skeleton> = {};
  for (const key of Object.keys(m).sort()) {
    const v = (m as Record<string, unknown>)[key];
    if (hasParams(v)) [children[key], skeletons[key]] = split(v);
    else statics[key] = v;
  }
  return [children, { statics, skeletons }];
}

function unflattenModule(aux: unknown, children: PytreeChildren, cls: Function): Module {
  const { statics, skeletons } = aux as ModuleAux;
  const m = Object.create(cls.prototype as object) as Record<string, unknown>;
  Object.assign(m, statics);
  const named = children as Record<string, unknown>;
  for (const [k, skeleton] of Object.entries(skeletons)) m[k] = rebuild(named[k], skeleton);
  return m as unknown as Module;
}

registerPytreeNode(Module, flattenModule, unflattenModule);
