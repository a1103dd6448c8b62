// Central finite differences, the reference derivatives for autodiff tests
// (as JAX's check_grads: (f(x + εt) − f(x − εt)) / 2ε). Functions are
// evaluated eagerly in float32, so ε is 1e-3 and comparisons need a
// tolerance of about 1e-3 relative. Inputs are plain JS values (numbers or
// nested arrays of numbers); outputs are flattened to one list of numbers.
import { flatten, np } from "../../src/index.js";

type Nested = number | Nested[];

function flat(x: Nested): number[] {
  return typeof x === "number" ? [x] : x.flatMap(flat);
}

/** `x` with its elements replaced, in row-major order, by `values`. */
function refill(x: Nested, values: number[], at = { i: 0 }): Nested {
  return typeof x === "number" ? values[at.i++]! : x.map((y) => refill(y, values, at));
}

/** Every number of f's output (any pytree of arrays and numbers), in leaf order. */
export function outputNumbers(out: unknown): number[] {
  const [leaves] = flatten(out, "output");
  return leaves.flatMap((l) => {
    const v = typeof l === "number" ? l : (l as { toArray(): unknown }).toArray();
    return flat(v as Nested);
  });
}

const asArrays = (args: readonly Nested[]) => args.map((a) => np.array(a as never));

/** The directional derivative of f at `args` along `tangents` (one per arg, same shapes), every output number flattened. */
export function numericalJvp(f: (...args: never[]) => unknown, args: readonly Nested[], tangents: readonly Nested[], eps = 1e-3): number[] {
  const shifted = (sign: number) =>
    args.map((a, k) => {
      const t = flat(tangents[k]!);
      return refill(a, flat(a).map((v, i) => v + sign * eps * t[i]!));
    });
  const g = f as unknown as (...a: unknown[]) => unknown;
  const plus = outputNumbers(g(...asArrays(shifted(1))));
  const minus = outputNumbers(g(...asArrays(shifted(-1))));
  return plus.map((p, i) => (p - minus[i]!) / (2 * eps));
}

/** The gradient of a scalar f with respect to argument `argnum`, flattened (row-major). */
export function numericalGrad(f: (...args: never[]) => unknown, args: readonly Nested[], argnum = 0, eps = 1e-3): number[] {
  const n = flat(args[argnum]!).length;
  return Array.from({ length: n }, (_, i) => {
    const tangents = args.map((a, k) => refill(a, flat(a).map((_, j) => (k === argnum && j === i ? 1 : 0))));
    return numericalJvp(f, args, tangents, eps)[0]!;
  });
}
