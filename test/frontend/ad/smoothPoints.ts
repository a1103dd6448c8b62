// Which fixture cases (test/fixtures/primitives.json) are points where a
// primitive is differentiable, so finite differences with a step of 1e-4
// along a normal direction (|t| up to ~4) see the derivative that AD computes.
// A case qualifies when all its float data is finite and every element is
// at least MARGIN away from the primitive's kinks, jumps and poles.
import type { ArrayValue } from "../../../src/ir/core.js";
import type { PrimitiveCase } from "../../fixtures/primitives.js";
import { decodeArray } from "../../fixtures/primitives.js";

/** Distance from a kink or jump that a finite difference cannot cross. */
const MARGIN = 1e-2;

const floats = (v: ArrayValue): number[] => (v.dtype === "float32" ? Array.from(v.data) : []);
const distToInteger = (x: number): number => Math.abs(x - Math.round(x));

/** `x[i]` and `y[i]` with a rank-0 operand broadcast, as elementwise binary primitives pair them. */
function pairs(x: ArrayValue, y: ArrayValue): [number, number][] {
  const n = Math.max(x.data.length, y.data.length);
  const at = (v: ArrayValue, i: number): number => v.data[v.shape.length === 0 ? 0 : i]!;
  return Array.from({ length: n }, (_, i) => [at(x, i), at(y, i)]);
}

/** Per reduced group of `x` over `axes`, its values (to look for ties of the extremum). */
function reductionGroups(x: ArrayValue, axes: readonly number[]): number[][] {
  const groups = new Map<string, number[]>();
  const strides = x.shape.map((_, a) => x.shape.slice(a + 1).reduce((p, d) => p * d, 1));
  for (let i = 0; i < x.data.length; i++) {
    const key = x.shape.map((d, a) => (axes.includes(a) ? "*" : Math.floor(i / strides[a]!) % d)).join();
    const g = groups.get(key) ?? [];
    g.push(x.data[i]!);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** The extremum of each group is at least MARGIN from the runner-up: no tie for a perturbation to break. */
function noTies(x: ArrayValue, axes: readonly number[]): boolean {
  return reductionGroups(x, axes).every((g) => {
    if (g.length < 2) return true;
    const s = [...g].sort((a, b) => a - b);
    return s[s.length - 1]! - s[s.length - 2]! > MARGIN && s[1]! - s[0]! > MARGIN;
  });
}

/** Whether each primitive is smooth at a case's inputs (beyond every value being finite). */
const SMOOTH_AT: Partial<Record<string, (ins: ArrayValue[], c: PrimitiveCase) => boolean>> = {
  log: ([x]) => floats(x!).every((v) => v > MARGIN),
  sqrt: ([x]) => floats(x!).every((v) => v > MARGIN),
  rsqrt: ([x]) => floats(x!).every((v) => v > MARGIN),
  log1p: ([x]) => floats(x!).every((v) => v > -1 + MARGIN),
  abs: ([x]) => floats(x!).every((v) => Math.abs(v) > MARGIN),
  sign: ([x]) => floats(x!).every((v) => Math.abs(v) > MARGIN),
  floor: ([x]) => floats(x!).every((v) => distToInteger(v) > MARGIN),
  ceil: ([x]) => floats(x!).every((v) => distToInteger(v) > MARGIN),
  round: ([x]) => floats(x!).every((v) => distToInteger(v + 0.5) > MARGIN),
  div: ([x, y]) => pairs(x!, y!).every(([, b]) => Math.abs(b) > 0.1),
  rem: ([x, y]) => pairs(x!, y!).every(([a, b]) => Math.abs(b) > 0.1 && distToInteger(a / b) > MARGIN),
  pow: ([x]) => floats(x!).every((v) => v > MARGIN),
  max: ([x, y]) => pairs(x!, y!).every(([a, b]) => Math.abs(a - b) > MARGIN),
  min: ([x, y]) => pairs(x!, y!).every(([a, b]) => Math.abs(a - b) > MARGIN),
  // Comparisons jump where the operands cross.
  ...Object.fromEntries(["lt", "le", "gt", "ge", "eq", "ne"].map((p) => [p, ([x, y]: ArrayValue[]) => pairs(x!, y!).every(([a, b]) => Math.abs(a - b) > MARGIN)])),
  reduce_max: ([x], c) => noTies(x!, (c.params as { axes: number[] }).axes),
  reduce_min: ([x], c) => noTies(x!, (c.params as { axes: number[] }).axes),
  argmax: ([x], c) => noTies(x!, (c.params as { axes: number[] }).axes),
};

/** The case's inputs when the primitive is differentiable there (and has a float operand), else null. */
export function smoothInputs(c: PrimitiveCase): ArrayValue[] | null {
  const ins = c.inputs.map(decodeArray);
  const outs = c.outputs.map(decodeArray);
  if (!ins.some((v) => v.dtype === "float32")) return null;
  if (![...ins, ...outs].every((v) => floats(v).every(Number.isFinite))) return null;
  const smooth = SMOOTH_AT[c.prim];
  return smooth === undefined || smooth(ins, c) ? ins : null;
}
