import { describe, expect, it } from "vitest";
import {
  PytreeError, TreeDef, assertSameStructure, flatten, flattenWithPaths, registerPytreeNode, treeMismatch, unflatten,
} from "../../src/frontend/pytree.js";
import { np } from "../../src/index.js";

class Pair {
  constructor(readonly left: unknown, readonly right: unknown, readonly tag: string) {}
}
registerPytreeNode(
  Pair,
  (p) => [{ left: p.left, right: p.right }, p.tag],
  (aux, children) => {
    const c = children as { left: unknown; right: unknown };
    return new Pair(c.left, c.right, aux as string);
  },
);

class Base {
  constructor(readonly parts: unknown[]) {}
}
class Derived extends Base {}
// A base-class registration rebuilds the node's own subclass from `cls`.
registerPytreeNode(Base, (b) => [b.parts, null], (_aux, children, cls) => new (cls as typeof Base)([...(children as unknown[])]));

describe("pytree flatten/unflatten", () => {
  it("flattens lists, sorted object keys, null and undefined", () => {
    const tree = { b: [1, null, true], a: { y: 2.5, x: undefined } };
    const [leaves, def] = flatten(tree);
    // Object keys are sorted (a before b), so a.y comes first.
    expect(leaves).toEqual([2.5, 1, true]);
    expect(def.numLeaves).toBe(3);
    expect(def.toString()).toBe("PyTreeDef({a: {x: undefined, y: *}, b: [*, null, *]})");
    expect(def.leafPaths()).toEqual(["a.y", "b[0]", "b[2]"]);
    expect(unflatten(def, [10, 20, false])).toEqual({ a: { x: undefined, y: 10 }, b: [20, null, false] });
  });

  it("treats np.Array as a leaf and gives key paths with a root", () => {
    const w = np.zeros([2]);
    const [entries, def] = flattenWithPaths({ layers: [{ w, b: 0 }, { w, b: 1 }] }, "");
    expect(entries.map(([p]) => p)).toEqual(["layers[0].b", "layers[0].w", "layers[1].b", "layers[1].w"]);
    expect(entries[1]![1]).toBe(w);
    expect(def.leafPaths("carry")).toEqual(["carry.layers[0].b", "carry.layers[0].w", "carry.layers[1].b", "carry.layers[1].w"]);
    expect(flatten([0, [1, { w: 2 }]], "carry")[1].leafPaths("carry")).toEqual(["carry[0]", "carry[1][0]", "carry[1][1].w"]);
    // Numeric-string keys read as `.0` (nn.state paths like layers.0.w).
    expect(flatten({ layers: { 0: { w: 1 } } })[1].leafPaths()).toEqual(["layers.0.w"]);
    expect(flatten(5)[1].leafPaths()).toEqual([""]);
  });

  it("round-trips registered classes with named children and aux data", () => {
    const p = new Pair(1, [2, 3], "t");
    const [leaves, def] = flatten(p);
    expect(leaves).toEqual([1, 2, 3]);
    expect(def.toString()).toBe("PyTreeDef(Pair{left: *, right: [*, *]})");
    expect(def.leafPaths("m")).toEqual(["m.left", "m.right[0]", "m.right[1]"]);
    const back = unflatten(def, [7, 8, 9]) as Pair;
    expect(back).toBeInstanceOf(Pair);
    expect([back.left, back.right, back.tag]).toEqual([7, [8, 9], "t"]);
  });

  it("uses the nearest registered ancestor for subclasses", () => {
    const [leaves, def] = flatten(new Derived([1, 2]));
    expect(leaves).toEqual([1, 2]);
    expect(def.toString()).toBe("PyTreeDef(Derived(*, *))");
    const back = unflatten(def, [3, 4]) as Derived;
    expect(back).toBeInstanceOf(Derived);
    expect(back.parts).toEqual([3, 4]);
    // Different subclasses are different structures.
    expect(def.equals(flatten(new Base([1, 2]))[1])).toBe(false);
  });

  it("compares structures and names the first differing path", () => {
    const a = flatten({ x: [1, 2], y: 3 })[1];
    expect(a.equals(flatten({ y: 0, x: [5, 6] })[1])).toBe(true);
    expect(a.equals(flatten({ x: [1, 2, 3], y: 3 })[1])).toBe(false);
    expect(treeMismatch(a, flatten({ x: [1, [2]], y: 3 })[1], "carry")).toEqual({ path: "carry.x[1]", expected: "a leaf", got: "a list of 1" });
    expect(treeMismatch(a, flatten({ x: [1, 2], z: 3 })[1])).toEqual({
      path: "",
      expected: "an object with keys {x, y}",
      got: "an object with keys {x, z}",
    });
    // Registered nodes also compare their aux data.
    const m = treeMismatch(flatten(new Pair(1, 2, "a"))[1], flatten(new Pair(1, 2, "b"))[1], "m");
    expect(m?.path).toBe("m");
    expect(m?.expected).toContain('"a"');
    expect(() => assertSameStructure("f: args", a, flatten({ x: [1], y: 3 })[1], "args")).toThrow(
      "f: args: structure differs at args.x: expected a list of 2, got a list of 1",
    );
  });

  it("rejects values that are neither leaves nor containers, naming the path", () => {
    expect(() => flatten({ a: [1, "s"] }, "carry")).toThrow(PytreeError);
    expect(() => flatten({ a: [1, "s"] }, "carry")).toThrow('unsupported value at carry.a[1]: a string ("s")');
    class Unregistered {}
    expect(() => flatten([new Unregistered()])).toThrow("[0]: an instance of unregistered class Unregistered (register it with registerPytreeNode)");
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    expect(() => flatten(cyclic)).toThrow("cycle at [1]");
  });

  it("checks the leaf count on unflatten", () => {
    const def = flatten([1, 2])[1];
    expect(() => unflatten(def, [1])).toThrow("unflatten: PyTreeDef([*, *]) has 2 leaves, got 1");
    expect(unflatten(TreeDef.leaf(), ["x"])).toBe("x");
  });
});
