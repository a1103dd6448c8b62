// The single dispatch point for every primitive application.
//
// With an active trace the op is staged into the innermost builder (even when
// all inputs are concrete: omnistaging). Without one, every input must be
// concrete and the op runs eagerly through the reference interpreter. Output
// types always come from the primitive's shape rule (`abstractEval`), so shape
// logic lives in exactly one place.

import type { ArrayValue } from "../ir/core.js";
import { type Params, type Prim, abstractEval } from "../ir/primitives.js";
import { scalarValue } from "../ir/value.js";
import { applyPrimitive } from "../backends/interpreter/index.js";
import { Array } from "./array.js";
import { TypedScalar, weakDtype } from "./scalar.js";
import { type BindInput, escapedError } from "./trace/builder.js";
import { currentBuilder } from "./trace/stack.js";

export type { BindInput } from "./trace/builder.js";

export function bind<P extends Prim>(prim: P, params: Params[P], inputs: readonly BindInput[]): Array[] {
  const builder = currentBuilder();
  if (builder) return builder.stage(prim, params, inputs);
  const values = inputs.map((x) => concreteInput(x, prim));
  abstractEval(prim, params, values); // shape errors name the primitive, before the interpreter runs
  return applyPrimitive(prim, params, values).map((v) => Array.fromValue(v));
}

/** `bind` for single-output primitives. */
export function bind1<P extends Prim>(prim: P, params: Params[P], inputs: readonly BindInput[]): Array {
  return bind(prim, params, inputs)[0]!;
}

function concreteInput(x: BindInput, op: string): ArrayValue {
  if (x instanceof TypedScalar) return scalarValue(x.dtype, x.value);
  if (typeof x === "number" || typeof x === "boolean") return scalarValue(weakDtype(x), x);
  // No trace is active, so a tracer here belongs to a trace that has ended.
  if (x.isTracer) throw escapedError(x, op);
  return x.concrete(op);
}
