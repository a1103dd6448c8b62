// The operand dtypes an elementwise primitive accepts, read off its shape
// rule. Program generators use it to build well-typed equations for every
// elementwise primitive, a new one included, without a table of their own
// (the shape rules themselves are tested against numpy's dtypes in
// test/ir/shapeRules.test.ts).
import { type DType, DTYPES } from "../../src/ir/dtype.js";
import { type BinaryPrim, type ComparePrim, type UnaryPrim, ShapeError, abstractEval } from "../../src/ir/primitives.js";

export function acceptedDtypes(prim: UnaryPrim | BinaryPrim | ComparePrim, arity: 1 | 2): DType[] {
  const params = prim === "round" ? { rounding_method: 0 } : {};
  return DTYPES.filter((dtype) => {
    try {
      abstractEval(prim, params as never, Array.from({ length: arity }, () => ({ dtype, shape: [] })));
      return true;
    } catch (e) {
      if (e instanceof ShapeError) return false;
      throw e;
    }
  });
}
