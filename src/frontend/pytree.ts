// Pytrees: nested containers of array leaves, as in JAX.
//
// Leaves: np.Array, JS numbers and booleans (plus a few internal leaf classes
// registered with `registerPytreeLeaf`, e.g. np.ShapeDtype specs).
// Nodes: JS arrays (tuples), plain objects (keys sorted, as JAX sorts dict
// keys), null, undefined, and classes registered with `registerPytreeNode`
// (nn modules register themselves that way).
//
// `flatten` turns a tree into its leaves plus a `TreeDef` (the structure
// without the leaves); `unflatten` puts leaves back. Every leaf has a key path
// (`layers.0.w`, `[1]`, `carry[2].w`) so errors can say *where* two structures
// or two leaf types differ.

import { inspectCustom } from "./format.js";

/** What a registered class's `flatten` returns for its children: positional or named. */
export type PytreeChildren = readonly unknown[] | { readonly [key: string]: unknown };

export interface PytreeNodeType<T> {
  /** Splits a node into its children (pytrees themselves) and static aux data (compared for equality). */
  flatten(node: T): readonly [children: PytreeChildren, aux: unknown];
  /**
   * Rebuilds a node from aux data and children in the form `flatten` gave them.
   * `cls` is the node's own class, which differs from the registered one for
   * subclasses of a registered base class.
   */
  unflatten(aux: unknown, children: PytreeChildren, cls: Function): T;
}

/** Any class, including ones with private constructors (np.Array). */
type Ctor = { readonly prototype: unknown; readonly name: string };

const nodeTypes = new Map<Ctor, PytreeNodeType<object>>();
const leafTypes = new Set<Ctor>();

/**
 * Registers a class as a pytree node. Subclasses inherit the registration
 * (the nearest registered ancestor is used), so registering a base class such
 * as `nn.Module` covers every module class.
 */
export function registerPytreeNode<T extends object>(
  cls: abstract new (...args: never[]) => T,
  flatten: (node: T) => readonly [children: PytreeChildren, aux: unknown],
  unflatten: (aux: unknown, children: PytreeChildren, cls: Function) => T,
): void {
  nodeTypes.set(cls as Ctor, { flatten, unflatten } as PytreeNodeType<object>);
}

/** Registers a class whose instances are leaves (np.Array and input specs). */
export function registerPytreeLeaf(cls: Ctor): void {
  leafTypes.add(cls);
}

export function isPytreeLeaf(x: unknown): boolean {
  if (typeof x === "number" || typeof x === "boolean") return true;
  if (typeof x !== "object" || x === null) return false;
  for (const cls of leafTypes) if (x instanceof (cls as unknown as abstract new () => object)) return true;
  return false;
}

function nodeTypeOf(x: object): PytreeNodeType<object> | undefined {
  for (let proto = Object.getPrototypeOf(x) as object | null; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    const ctor = (proto as { constructor?: Ctor }).constructor;
    if (ctor !== undefined) {
      const t = nodeTypes.get(ctor);
      if (t) return t;
    }
  }
  return undefined;
}

/** A plain object (`{…}` or `Object.create(null)`), not a class instance or a JS array. */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

// ---------------------------------------------------------------- key paths

const IDENT_OR_INDEX = /^(?:[A-Za-z_$][A-Za-z0-9_$]*|[0-9]+)$/;

/** `root` + one key: `[2]` for a position, `.w` for a name (`w` at the root). */
export function joinPath(prefix: string, key: string | number): string {
  if (typeof key === "number") return `${prefix}[${key}]`;
  if (!IDENT_OR_INDEX.test(key)) return `${prefix}[${JSON.stringify(key)}]`;
  return prefix === "" ? key : `${prefix}.${key}`;
}

/** How a path is shown in messages: the empty root path reads as `<root>`. */
export function showPath(path: string): string {
  return path === "" ? "<root>" : path;
}

// ---------------------------------------------------------------- TreeDef

type NodeKind = "leaf" | "list" | "object" | "null" | "undefined" | "custom";

/** The structure of a pytree without its leaves. Immutable; compare with `equals`. */
export class TreeDef {
  readonly numLeaves: number;

  private constructor(
    readonly kind: NodeKind,
    readonly children: readonly TreeDef[],
    /** Object keys (sorted) or a custom node's named children; undefined for positional children. */
    readonly keys: readonly string[] | undefined,
    readonly nodeClass: Ctor | undefined,
    readonly aux: unknown,
  ) {
    this.numLeaves = kind === "leaf" ? 1 : children.reduce((n, c) => n + c.numLeaves, 0);
  }

  private static readonly LEAF = new TreeDef("leaf", [], undefined, undefined, undefined);

  static leaf(): TreeDef {
    return TreeDef.LEAF;
  }
  /** @internal */
  static node(kind: Exclude<NodeKind, "leaf">, children: TreeDef[], keys?: readonly string[], nodeClass?: Ctor, aux?: unknown): TreeDef {
    return new TreeDef(kind, children, keys, nodeClass, aux);
  }

  equals(other: TreeDef): boolean {
    return treeMismatch(this, other) === null;
  }

  private cachedKey: string | undefined;

  /**
   * A string that is equal for two treedefs exactly when `equals` holds:
   * structure, node classes (by identity) and aux data (by value, as
   * `equals` compares it). jit's cache uses it, so a static field of a module
   * or a custom node's aux data that differs gives a new trace.
   */
  key(): string {
    if (this.cachedKey !== undefined) return this.cachedKey;
    let s: string;
    switch (this.kind) {
      case "leaf":
      case "null":
      case "undefined":
        s = this.kind === "leaf" ? "*" : this.kind;
        break;
      default: {
        const head = this.kind === "custom" ? `${identityKey(this.nodeClass)}${valueKey(this.aux)}` : this.kind[0]!;
        const keys = this.keys ? `${this.keys.map((k) => JSON.stringify(k)).join(",")}:` : "";
        s = `${head}(${keys}${this.children.map((c) => c.key()).join(",")})`;
      }
    }
    return (this.cachedKey = s);
  }

  /** The key path of every leaf, in leaf order. */
  leafPaths(root = ""): string[] {
    const out: string[] = [];
    const walk = (t: TreeDef, path: string): void => {
      if (t.kind === "leaf") out.push(path);
      else t.children.forEach((c, i) => walk(c, joinPath(path, t.keys ? t.keys[i]! : i)));
    };
    walk(this, root);
    return out;
  }

  /** `PyTreeDef([*, {a: *, b: null}])`, in the spirit of JAX's treedef repr. */
  toString(): string {
    return `PyTreeDef(${this.body()})`;
  }
  /** `console.log` shows the same text. */
  [inspectCustom](): string {
    return this.toString();
  }

  private body(): string {
    switch (this.kind) {
      case "leaf":
        return "*";
      case "null":
        return "null";
      case "undefined":
        return "undefined";
      case "list":
        return `[${this.children.map((c) => c.body()).join(", ")}]`;
      case "object":
        return `{${this.children.map((c, i) => `${this.keys![i]}: ${c.body()}`).join(", ")}}`;
      case "custom": {
        const name = this.nodeClass?.name || "<class>";
        if (this.keys) return `${name}{${this.children.map((c, i) => `${this.keys![i]}: ${c.body()}`).join(", ")}}`;
        return `${name}(${this.children.map((c) => c.body()).join(", ")})`;
      }
    }
  }

  /** A short description for error messages: `a list of 3`, `a leaf`, `an object with keys {a, b}`. */
  describe(): string {
    switch (this.kind) {
      case "leaf":
        return "a leaf";
      case "null":
        return "null";
      case "undefined":
        return "undefined";
      case "list":
        return `a list of ${this.children.length}`;
      case "object":
        return `an object with keys {${this.keys!.join(", ")}}`;
      case "custom":
        return `a ${this.nodeClass?.name || "registered class"} node`;
    }
  }
}

const LEAF = TreeDef.leaf();

// ---------------------------------------------------------------- flatten / unflatten

/** Thrown for values that are neither leaves nor containers, and for structure mismatches. */
export class PytreeError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = "PytreeError";
  }
}

function describeValue(x: unknown): string {
  if (typeof x === "string") return `a string (${JSON.stringify(x.length > 20 ? `${x.slice(0, 20)}…` : x)})`;
  if (typeof x === "function") return `a function${x.name ? ` (${x.name})` : ""}`;
  if (typeof x === "bigint") return `a bigint (${x}n)`;
  if (typeof x === "symbol") return "a symbol";
  if (typeof x === "object" && x !== null) {
    if (ArrayBuffer.isView(x)) return `a ${x.constructor.name} (wrap it with np.array(...))`;
    const name = (x as { constructor?: { name?: string } }).constructor?.name;
    return `an instance of unregistered class ${name || "<anonymous>"} (register it with registerPytreeNode)`;
  }
  return String(x);
}

/**
 * Splits a pytree into its leaves and structure. `root` names the tree in
 * error messages (e.g. `carry`, so paths read `carry[1].w`).
 */
export function flatten(tree: unknown, root = ""): [leaves: unknown[], treedef: TreeDef] {
  const leaves: unknown[] = [];
  const ancestors = new Set<object>();
  const walk = (x: unknown, path: string): TreeDef => {
    if (x === null) return TreeDef.node("null", []);
    if (x === undefined) return TreeDef.node("undefined", []);
    if (isPytreeLeaf(x)) {
      leaves.push(x);
      return LEAF;
    }
    if (typeof x !== "object") throw new PytreeError(`pytree: unsupported value at ${showPath(path)}: ${describeValue(x)}; leaves are np.Array, numbers and booleans`);
    if (ancestors.has(x)) throw new PytreeError(`pytree: cycle at ${showPath(path)}: a container contains itself`);
    ancestors.add(x);
    try {
      if (Array.isArray(x)) return TreeDef.node("list", x.map((c, i) => walk(c, joinPath(path, i))));
      const nodeType = nodeTypeOf(x);
      if (nodeType) {
        const [children, aux] = nodeType.flatten(x);
        const ctor = (x as { constructor: Ctor }).constructor;
        if (Array.isArray(children)) {
          return TreeDef.node("custom", children.map((c, i) => walk(c, joinPath(path, i))), undefined, ctor, aux);
        }
        const named = children as { readonly [key: string]: unknown };
        const keys = Object.keys(named);
        return TreeDef.node("custom", keys.map((k) => walk(named[k], joinPath(path, k))), keys, ctor, aux);
      }
      if (isPlainObject(x)) {
        const obj = x as Record<string, unknown>;
        const keys = Object.keys(obj).sort();
        return TreeDef.node("object", keys.map((k) => walk(obj[k], joinPath(path, k))), keys);
      }
      throw new PytreeError(`pytree: unsupported value at ${showPath(path)}: ${describeValue(x)}`);
    } finally {
      ancestors.delete(x);
    }
  };
  const def = walk(tree, root);
  return [leaves, def];
}

/** Rebuilds a pytree of `treedef`'s structure from `leaves` (in leaf order). */
export function unflatten(treedef: TreeDef, leaves: readonly unknown[]): unknown {
  if (leaves.length !== treedef.numLeaves) {
    throw new PytreeError(`unflatten: ${treedef.toString()} has ${treedef.numLeaves} leaves, got ${leaves.length}`);
  }
  let pos = 0;
  const build = (t: TreeDef): unknown => {
    switch (t.kind) {
      case "leaf":
        return leaves[pos++];
      case "null":
        return null;
      case "undefined":
        return undefined;
      case "list":
        return t.children.map(build);
      case "object": {
        const out: Record<string, unknown> = {};
        t.children.forEach((c, i) => (out[t.keys![i]!] = build(c)));
        return out;
      }
      case "custom": {
        const nodeType = nodeTypes.get(t.nodeClass!) ?? nodeTypeOfClass(t.nodeClass!);
        if (t.keys) {
          const named: Record<string, unknown> = {};
          t.children.forEach((c, i) => (named[t.keys![i]!] = build(c)));
          return nodeType.unflatten(t.aux, named, t.nodeClass as Function);
        }
        return nodeType.unflatten(t.aux, t.children.map(build), t.nodeClass as Function);
      }
    }
  };
  return build(treedef);
}

function nodeTypeOfClass(cls: Ctor): PytreeNodeType<object> {
  const t = nodeTypeOf(Object.create(cls.prototype as object) as object);
  if (!t) throw new PytreeError(`unflatten: class ${cls.name} is not a registered pytree node`);
  return t;
}

/** Leaves paired with their key paths. */
export function flattenWithPaths(tree: unknown, root = ""): [entries: [path: string, leaf: unknown][], treedef: TreeDef] {
  const [leaves, def] = flatten(tree, root);
  const paths = def.leafPaths(root);
  return [leaves.map((l, i) => [paths[i]!, l]), def];
}

// ---------------------------------------------------------------- comparing structures

// Values without a by-value comparison (class instances, functions, symbols)
// are keyed by identity: a process-unique number per object.
const identities = new WeakMap<object, number>();
const symbolIds = new Map<symbol, number>();
let nextIdentity = 1;

function identityKey(x: unknown): string {
  if (typeof x === "symbol") {
    let id = symbolIds.get(x);
    if (id === undefined) symbolIds.set(x, (id = nextIdentity++));
    return `#${id}`;
  }
  const o = x as object;
  let id = identities.get(o);
  if (id === undefined) identities.set(o, (id = nextIdentity++));
  return `#${id}`;
}

/**
 * A string key for a static value, equal for two values exactly when
 * `auxEqual` holds: numbers by `Object.is` (so -0 and NaN are themselves),
 * strings, booleans, null, undefined and bigints by value, JS arrays and plain
 * objects element by element, everything else by identity.
 */
export function valueKey(x: unknown): string {
  const ancestors: object[] = [];
  const walk = (v: unknown): string => {
    switch (typeof v) {
      case "number":
        return Object.is(v, -0) ? "n-0" : `n${v}`;
      case "string":
        return `s${JSON.stringify(v)}`;
      case "boolean":
        return v ? "T" : "F";
      case "undefined":
        return "u";
      case "bigint":
        return `b${v}`;
      case "symbol":
      case "function":
        return identityKey(v);
    }
    if (v === null) return "N";
    const o = v as object;
    const list = Array.isArray(o);
    if (!list && !isPlainObject(o)) return identityKey(o);
    // A self-containing value has no finite by-value key: fall back to identity.
    if (ancestors.includes(o)) return identityKey(o);
    ancestors.push(o);
    const proto = Object.getPrototypeOf(o) === null ? "0" : "";
    const body = list
      ? `[${(o as unknown[]).map(walk).join(",")}]`
      : `{${proto}${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${walk((o as Record<string, unknown>)[k])}`).join(",")}}`;
    ancestors.pop();
    return body;
  };
  return walk(x);
}

function auxEqual(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || valueKey(a) === valueKey(b);
}

export interface TreeMismatch {
  /** Key path of the first node where the structures differ. */
  readonly path: string;
  readonly expected: string;
  readonly got: string;
}

/** The first place (depth-first) where two structures differ, or null when equal. */
export function treeMismatch(expected: TreeDef, got: TreeDef, root = ""): TreeMismatch | null {
  const walk = (e: TreeDef, g: TreeDef, path: string): TreeMismatch | null => {
    const sameShape =
      e.kind === g.kind &&
      e.children.length === g.children.length &&
      (e.keys === undefined) === (g.keys === undefined) &&
      (e.keys === undefined || e.keys.every((k, i) => k === g.keys![i])) &&
      e.nodeClass === g.nodeClass;
    if (!sameShape) return { path, expected: e.describe(), got: g.describe() };
    if (e.kind === "custom" && !auxEqual(e.aux, g.aux)) {
      return { path, expected: `${e.describe()} with aux ${fmtAux(e.aux)}`, got: `one with aux ${fmtAux(g.aux)}` };
    }
    for (let i = 0; i < e.children.length; i++) {
      const m = walk(e.children[i]!, g.children[i]!, joinPath(path, e.keys ? e.keys[i]! : i));
      if (m) return m;
    }
    return null;
  };
  return walk(expected, got, root);
}

function fmtAux(aux: unknown): string {
  try {
    return JSON.stringify(aux) ?? String(aux);
  } catch {
    return String(aux);
  }
}

/** Throws a PytreeError naming the first differing path; `what` says which trees are compared. */
export function assertSameStructure(what: string, expected: TreeDef, got: TreeDef, root = ""): void {
  const m = treeMismatch(expected, got, root);
  if (m) throw new PytreeError(`${what}: structure differs at ${showPath(m.path)}: expected ${m.expected}, got ${m.got}`);
}
