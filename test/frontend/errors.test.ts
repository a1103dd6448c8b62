// User-facing errors name the operation, the shapes/dtypes and (for pytrees)
// the leaf path; tracers refuse to become JS values and to outlive their trace.
import { describe, expect, it } from "vitest";
import { cond, foriLoop, makeJaxpr, np, runJaxpr, scan, switchCase, whileLoop } from "../../src/index.js";

const f32 = (...shape: number[]) => np.ShapeDtype(shape, "float32");

describe("np errors name the function, shapes and dtypes", () => {
  it("broadcasting and shape mismatches", () => {
    expect(() => np.add(np.zeros([3]), np.zeros([4]))).toThrow("add: cannot broadcast f32[3] with f32[4]");
    expect(() => np.zeros([2, 3]).mul(np.zeros([2]))).toThrow("multiply: cannot broadcast f32[2,3] with f32[2]");
    expect(() => np.where(np.array([true, false]), np.zeros([3]), 0)).toThrow("where: cannot broadcast bool[2] with f32[3]");
    expect(() => np.matmul(np.zeros([2, 3]), np.zeros([4, 5]))).toThrow(
      "matmul: contracting dimensions differ: f32[2,3] @ f32[4,5] (axis 1 has size 3, axis 0 has size 4)",
    );
    expect(() => np.matmul(np.zeros([2, 2, 3]), np.zeros([3, 3, 1]))).toThrow("matmul: cannot broadcast the batch dimensions of f32[2,2,3] @ f32[3,3,1]");
    expect(() => np.matmul(np.zeros([]), np.zeros([3]))).toThrow("matmul: operands must be at least 1-D, got f32[] @ f32[3]");
    expect(() => np.zeros([2, 3]).reshape([4, 2])).toThrow("reshape: cannot reshape f32[2,3] (size 6) into shape (4, 2)");
    expect(() => np.zeros([2, 3]).reshape([-1, -1])).toThrow("reshape: invalid shape (-1, -1)");
    expect(() => np.concatenate([np.zeros([2, 3]), np.zeros([2, 4])])).toThrow("concatenate: shapes must agree except on axis 0, got f32[2,3], f32[2,4]");
    expect(() => np.stack([np.zeros([2]), np.zeros([3])])).toThrow("stack: all arrays need the same shape, got f32[2], f32[3]");
    expect(() => np.broadcastTo(np.zeros([3]), [4])).toThrow("broadcastTo: cannot broadcast f32[3] to shape (4,)");
    expect(() => np.zeros([2, 3]).squeeze(1)).toThrow("squeeze: cannot squeeze axis 1 of f32[2,3]: its size is 3, not 1");
    expect(() => np.zeros([2, 3]).transpose([0, 0])).toThrow("transpose: axes (0, 0) are not a permutation of the 2 axes of f32[2,3]");
  });

  it("axes, indices and dtypes", () => {
    expect(() => np.zeros([3, 4]).sum(2)).toThrow("sum: axis 2 is out of bounds for f32[3,4] (rank 2)");
    expect(() => np.zeros([3, 4]).max([0, -2])).toThrow("max: repeated axis in (0, -2) for f32[3,4]");
    expect(() => np.zeros([0, 2]).max(0)).toThrow("max: zero-size reduction along axis 0 of f32[0,2]");
    expect(() => np.zeros([3]).slice(3)).toThrow("slice: index 3 is out of bounds for axis 0 with size 3 (f32[3])");
    expect(() => np.zeros([3]).slice(0, 0)).toThrow("slice: too many indices (2) for f32[3]");
    expect(() => np.zeros([3]).slice([0, 3, -1])).toThrow("slice: step -1 on axis 0 of f32[3] must be a positive integer");
    expect(() => np.dynamicSlice(np.zeros([3]), [np.array(1)], [2])).toThrow("dynamicSlice: start index 0 must be an int32 scalar or a JS integer, got f32[]");
    expect(() => np.dynamicSlice(np.zeros([3, 3]), [0], [2, 2])).toThrow("dynamicSlice: needs 2 start indices for f32[3,3] (one per axis), got 1");
    expect(() => np.zeros([2]).and(1)).toThrow("and: expects bool or int32 operands, got f32[2], 1");
    expect(() => np.negative(np.array([true]))).toThrow("negative: expects a numeric operand (use logicalNot for bool), got bool[1]");
    expect(() => np.matmul(np.array([true]), np.array([true]))).toThrow("matmul: bool operands are not supported (bool[1], bool[1])");
    expect(() => np.array([1, 2]).astype("float64" as "float32")).toThrow("astype: unknown dtype float64");
  });

  it("non-array operands", () => {
    expect(() => np.add(np.zeros([2]), [1, 2] as unknown as number)).toThrow(
      "add: operand 2 must be an np.Array or a JS number/boolean, got a JS array (wrap it with np.array(...))",
    );
    expect(() => np.sin("x" as unknown as number)).toThrow('sin: operand must be an np.Array or a JS number/boolean, got the string "x"');
    expect(() => np.array([[1, 2], [3]])).toThrow("ragged nested array");
    expect(() => np.array([1, "2"] as unknown as number[])).toThrow('array: element [1] is the string "2"; expected numbers, booleans or nested arrays of them');
  });
});

describe("tracers", () => {
  it("refuse to convert to JS values, pointing at cond/whileLoop/np.where", () => {
    const attempts: [string, (x: np.Array) => unknown][] = [
      ["Number(x)", (x) => Number(x)],
      ["+x", (x) => +x],
      ["x < 0", (x) => (x as unknown as number) < 0],
      ["template string", (x) => `${x}`],
    ];
    for (const [what, use] of attempts) {
      const f = (x: np.Array) => {
        use(x);
        return x;
      };
      expect(() => makeJaxpr(f)(f32()), what).toThrow(/Cannot convert Traced<f32\[\]> to a JS .*use cond\/switchCase\/whileLoop or np\.where/);
    }
    expect(() => makeJaxpr((x: np.Array) => x.item())(f32())).toThrow(
      /item\(\) needs a concrete array, but this is a tracer Traced<f32\[\]> .*Use cond\/switchCase\/whileLoop\/np\.where/,
    );
    expect(() => makeJaxpr((x: np.Array) => x.toArray() as number)(f32(2))).toThrow("toArray() needs a concrete array");
    expect(() => makeJaxpr((x: np.Array) => x.data()[0]!)(f32(2))).toThrow("data() needs a concrete array");
    // Explicit toString is allowed and says what it is.
    let shown = "";
    makeJaxpr((x: np.Array) => ((shown = x.toString()), x))(f32(3));
    expect(shown).toBe("Traced<f32[3]>");
  });

  it("error when used after their trace ended", () => {
    let leaked: np.Array | undefined;
    makeJaxpr((x: np.Array) => {
      leaked = x.add(1);
      return x;
    })(f32(3));
    expect(leaked!.isTracer).toBe(true);
    expect(() => leaked!.mul(2)).toThrow("mul: tracer escaped its trace (Traced<f32[3]> was created while tracing makeJaxpr, which has finished)");
    expect(() => makeJaxpr((y: np.Array) => y.add(leaked!))(f32(3))).toThrow("tracer escaped its trace");
    // A loop-body tracer smuggled out to the enclosing trace.
    let fromBody: np.Array | undefined;
    expect(() =>
      makeJaxpr((x: np.Array) => {
        whileLoop((c) => c.lt(1), (c) => ((fromBody = c), c.add(1)), 0.5);
        return x.add(fromBody!);
      })(f32()),
    ).toThrow("add: tracer escaped its trace (Traced<f32[]> was created while tracing whileLoop body, which has finished)");
  });

  it("makeJaxpr refuses to close over a tracer of an enclosing trace", () => {
    expect(() => makeJaxpr((x: np.Array) => makeJaxpr((y: np.Array) => y.add(x))(f32()).jaxpr.eqns.length)(f32())).toThrow(
      "makeJaxpr: the function closes over Traced<f32[]> from an enclosing trace; pass it as an argument instead",
    );
  });
});

describe("control-flow errors name the leaf path and both types", () => {
  it("whileLoop body output type and structure", () => {
    expect(() => whileLoop(([i]) => i.lt(3), ([i, x]) => [i.add(1), np.concatenate([x, x])], [0, np.zeros([3])])).toThrow(
      "whileLoop body output carry[1]: expected f32[3], got f32[6]",
    );
    expect(() => whileLoop((c) => c.i.lt(3), (c) => ({ i: c.i.add(1.5), w: c.w }), { i: 0, w: np.zeros([2]) })).toThrow(
      "whileLoop body output carry.i: expected i32[], got f32[]",
    );
    expect(() => whileLoop(([i]) => i.lt(3), ([i, x]) => [i, x, x] as unknown as [np.Array, np.Array], [0, np.zeros([3])])).toThrow(
      "whileLoop body output carry: structure differs from the carry: expected a list of 2, got a list of 3",
    );
    expect(() => whileLoop(([i]) => i.add(1), ([i]) => [i], [0])).toThrow("whileLoop condFn must return a scalar bool, got i32[]");
    expect(() => whileLoop((c) => c.x.lt(3), (c) => ({ x: c.x, y: "no" }) as never, { x: 0, y: 1 })).toThrow(
      'pytree: unsupported value at carry.y: a string ("no")',
    );
  });

  it("foriLoop, scan", () => {
    expect(() => foriLoop(0, 3, (_i, x) => x.sum(), np.zeros([2]))).toThrow("foriLoop body output carry: expected f32[2], got f32[]");
    expect(() => foriLoop(0, np.array(3), (_i, x) => x, 0)).toThrow("foriLoop: upper must be an int32 scalar or a JS integer, got f32[]");
    expect(() => foriLoop(0, 2.5, (_i, x) => x, 0)).toThrow("foriLoop: upper must be an integer, got 2.5");
    expect(() => scan((c, x) => [c.add(x.a), null], np.zeros([]), { a: np.zeros([3]), b: np.zeros([4]) })).toThrow(
      "scan: xs.b is f32[4], its leading axis does not match xs.a with leading axis 3",
    );
    expect(() => scan((c) => [c, null], 0, null)).toThrow("scan: without xs, a length is required");
    expect(() => scan((c) => c as never, 0, null, { length: 2 })).toThrow("scan: f must return a pair [carry, y], got i32[]");
    expect(() => scan((_c, x) => [x, null], np.zeros([]), np.zeros([3, 2]))).toThrow("scan body output carry: expected f32[], got f32[2]");
  });

  it("cond and switchCase", () => {
    expect(() => cond(np.array(1), (x) => x, (x) => x, 0)).toThrow("cond: the predicate must be a scalar bool, got f32[]");
    expect(() => cond(np.array([true, false]), (x) => x, (x) => x, 0)).toThrow("cond: the predicate must be a scalar bool, got bool[2]");
    expect(() => cond(np.array(true), (x) => [x, x.sum()], (x) => [x, x], np.zeros([2]))).toThrow(
      "cond: trueFn output[1] is f32[], but falseFn returns f32[2] there",
    );
    expect(() => cond(np.array(true), (x) => [x], (x) => ({ x }), np.zeros([2]))).toThrow(
      "cond: trueFn output is a list of 1, but falseFn returns an object with keys {x} there",
    );
    expect(() => switchCase(np.array(0.5), [(x) => x], 1)).toThrow("switchCase: the index must be an int32 scalar or a JS integer, got f32[]");
    expect(() => switchCase(0, [(x: np.Array) => x, (x: np.Array) => x.astype("int32")], np.zeros([]))).toThrow(
      "switchCase: branches[1] output is i32[], but branches[0] returns f32[] there",
    );
  });

  it("runJaxpr checks argument types by path", () => {
    const j = makeJaxpr((p: { x: np.Array }) => p.x)({ x: f32(3) });
    expect(() => runJaxpr(j, { x: np.zeros([4]) })).toThrow("runJaxpr: argument args[0].x: expected f32[3], got f32[4]");
    expect(() => runJaxpr(j, { y: np.zeros([3]) })).toThrow("runJaxpr: arguments: structure differs at args[0]: expected an object with keys {x}, got an object with keys {y}");
  });
});
