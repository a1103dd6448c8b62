// fast-check generators of random well-typed single-equation jaxprs, one
// family per non-control primitive (control flow uses templates.ts). The
// oracle property that runs them is in runs.ts.
//
// Shapes have rank 0–3 and dims 0–3 (mostly 1–3) so every case evaluates in
// microseconds.

import { acceptedDtypes } from "../../helpers/acceptedDtypes.js";
import fc from "fast-check";
import { type Atom, type Jaxpr, type Literal, lit, makeEqn, newVar } from "../../../src/ir/core.js";
import { type Aval, type DType, castScalar } from "../../../src/ir/dtype.js";
import { printJaxpr } from "../../../src/ir/printer.js";
import {
  type BinaryPrim,
  type ComparePrim,
  type Params,
  type Prim,
  type ReducePrim,
  type UnaryPrim,
  abstractEval,
} from "../../../src/ir/primitives.js";
import { type ValueGen, fillValue, intsIn } from "./arrays.js";

export interface GenCase {
  readonly jaxpr: Jaxpr;
  /** Per invar value generators (default values otherwise). */
  readonly gens?: readonly (ValueGen | undefined)[];
}

/** Attaches a printer so fast-check reports counterexamples as IR text, not JSON. */
export function genCase(jaxpr: Jaxpr, gens?: readonly (ValueGen | undefined)[]): GenCase {
  return { jaxpr, gens, [fc.toStringMethod]: () => printJaxpr(jaxpr) } as GenCase;
}

/** An operand of the generated equation: a fresh invar of this aval, or a literal. */
type Operand = Aval | Literal;
const isLiteral = (o: Operand): o is Literal => "kind" in o && o.kind === "lit";

/** `{ lambda ; invars. let outs = prim[params] operands in (outs) }` with one invar per non-literal operand. */
export function singleEqn<P extends Prim>(prim: P, params: Params[P], operands: readonly Operand[], gens?: readonly (ValueGen | undefined)[]): GenCase {
  const invars = operands.filter((o) => !isLiteral(o)).map((a) => newVar(a as Aval));
  let k = 0;
  const inputs: Atom[] = operands.map((o) => (isLiteral(o) ? o : invars[k++]!));
  const outputs = abstractEval(prim, params, inputs.map((a) => a.aval)).map((a) => newVar(a));
  return genCase({ constvars: [], invars, eqns: [makeEqn(prim, params, inputs, outputs)], outvars: outputs }, gens);
}

// ---------------------------------------------------------------------------
// Building blocks

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const positiveDim = fc.integer({ min: 1, max: 3 });
/** Mostly 1–3, sometimes 0 (empty arrays go through every rule too). */
const dimSize = fc.oneof({ arbitrary: positiveDim, weight: 8 }, { arbitrary: fc.constant(0), weight: 1 });
export const shapeArb = (minRank = 0, maxRank = 3): fc.Arbitrary<number[]> => fc.array(dimSize, { minLength: minRank, maxLength: maxRank });
const positiveShapeArb = (minRank = 0, maxRank = 3): fc.Arbitrary<number[]> => fc.array(positiveDim, { minLength: minRank, maxLength: maxRank });
/** A permutation of 0..n-1. */
const permutation = (n: number): fc.Arbitrary<number[]> => fc.shuffledSubarray(range(n), { minLength: n, maxLength: n });
/** A subset of 0..n-1 in random order. */
const axesSubset = (n: number, min = 0, max = n): fc.Arbitrary<number[]> => fc.shuffledSubarray(range(n), { minLength: min, maxLength: max });

type DTypeClass = "float" | "numeric" | "int_or_bool" | "any";
const DTYPES_OF: { readonly [C in DTypeClass]: readonly DType[] } = {
  float: ["float32"],
  numeric: ["float32", "int32"],
  int_or_bool: ["int32", "bool"],
  any: ["float32", "int32", "bool"],
};
const dtypeArb = (c: DTypeClass): fc.Arbitrary<DType> => fc.constantFrom(...DTYPES_OF[c]);

/** A rank-0 literal of `dtype` on the same value grid as `defaultGen`. */
const literalArb = (dtype: DType): fc.Arbitrary<Literal> => {
  const raw = { float32: fc.integer({ min: -12, max: 12 }).map((v) => v / 4), int32: fc.integer({ min: -4, max: 6 }), bool: fc.integer({ min: 0, max: 1 }) }[dtype];
  return raw.map((v) => lit(castScalar(dtype, v), { dtype, shape: [] }));
};

const av = (dtype: DType, shape: readonly number[]): Aval => ({ dtype, shape: [...shape] });

// ---------------------------------------------------------------------------
// Elementwise

export function unaryArb(prim: UnaryPrim): fc.Arbitrary<GenCase> {
  return fc.record({ dtype: fc.constantFrom(...acceptedDtypes(prim, 1)), shape: shapeArb(), rm: fc.constantFrom(0, 1) }).map(({ dtype, shape, rm }) =>
    prim === "round" ? singleEqn("round", { rounding_method: rm }, [av(dtype, shape)]) : singleEqn(prim, {} as Params[typeof prim], [av(dtype, shape)]),
  );
}

export const stopGradientArb: fc.Arbitrary<GenCase> = fc
  .record({ dtype: dtypeArb("any"), shape: shapeArb() })
  .map(({ dtype, shape }) => singleEqn("stop_gradient", {}, [av(dtype, shape)]));

export const convertArb: fc.Arbitrary<GenCase> = fc
  .record({ from: dtypeArb("any"), to: dtypeArb("any"), shape: shapeArb() })
  .map(({ from, to, shape }) => singleEqn("convert_element_type", { new_dtype: to }, [av(from, shape)]));


/**
 * How the two operands relate: equal shapes, one a rank-0 variable, or one a
 * literal (always unbatched).
 */
export type BinaryForm = "same" | "lhs_scalar" | "rhs_scalar" | "lhs_literal" | "rhs_literal";
export const VAR_FORMS: readonly BinaryForm[] = ["same", "lhs_scalar", "rhs_scalar"];
export const LITERAL_FORMS: readonly BinaryForm[] = ["lhs_literal", "rhs_literal"];

export function binaryArb(prim: BinaryPrim | ComparePrim, forms: readonly BinaryForm[]): fc.Arbitrary<GenCase> {
  return fc
    .record({ dtype: fc.constantFrom(...acceptedDtypes(prim, 2)), shape: shapeArb(), form: fc.constantFrom(...forms) })
    .chain(({ dtype, shape, form }) =>
      literalArb(dtype).map((l) => {
        const full = av(dtype, shape), scalar = av(dtype, []);
        const ops: { readonly [F in BinaryForm]: Operand[] } = {
          same: [full, full],
          lhs_scalar: [scalar, full],
          rhs_scalar: [full, scalar],
          lhs_literal: [l, full],
          rhs_literal: [full, l],
        };
        return singleEqn(prim, {} as Params[typeof prim], ops[form]);
      }),
    );
}

export type SelectorKind = "bool" | "int";
/**
 * select_n(which, *cases): a bool selector picks between 1–2 cases, an int
 * one between 1–4 (values mostly in range, sometimes not: clamped). The
 * selector is a scalar (possibly a literal) or has the cases' shape.
 */
export function selectArb(opts: { kind?: SelectorKind; scalar?: boolean; ncases?: number; literal?: boolean } = {}): fc.Arbitrary<GenCase> {
  return fc
    .record({
      kind: opts.kind === undefined ? fc.constantFrom<SelectorKind>("bool", "int") : fc.constant(opts.kind),
      scalar: opts.scalar === undefined ? fc.boolean() : fc.constant(opts.scalar),
      literal: fc.constant(opts.literal ?? false),
      dtype: dtypeArb("any"),
      shape: shapeArb(),
      n: fc.integer({ min: 1, max: 4 }),
      litIndex: fc.integer({ min: -1, max: 4 }),
    })
    .map(({ kind, scalar, literal, dtype, shape, n, litIndex }) => {
      const ncases = opts.ncases ?? (kind === "bool" ? Math.min(n, 2) : n);
      const selDtype: DType = kind === "bool" ? "bool" : "int32";
      const selShape = scalar ? [] : shape;
      const selector: Operand = literal && scalar ? lit(castScalar(selDtype, litIndex), av(selDtype, [])) : av(selDtype, selShape);
      const cases = Array.from({ length: ncases }, () => av(dtype, shape));
      const selGen = kind === "int" ? intsIn(-1, ncases) : undefined;
      return singleEqn("select_n", {}, [selector, ...cases], isLiteral(selector) ? [] : [selGen]);
    });
}

// ---------------------------------------------------------------------------
// Shape manipulation

export const broadcastArb: fc.Arbitrary<GenCase> = fc
  .record({ dtype: dtypeArb("any"), shape: shapeArb() })
  .chain(({ dtype, shape }) =>
    fc.subarray(range(shape.length)).chain((bd) =>
      fc.tuple(...bd.map((d) => fc.constantFrom(1, shape[d]!))).map((opShape) =>
        singleEqn("broadcast_in_dim", { shape, broadcast_dimensions: bd }, [av(dtype, opShape)]),
      ),
    ),
  );

function insertZero(xs: readonly number[], at: number): number[] {
  const out = [...xs];
  out.splice(at % (xs.length + 1), 0, 0);
  return out;
}

function primeFactors(n: number): number[] {
  const out: number[] = [];
  for (let p = 2; n > 1; p++) while (n % p === 0) { out.push(p); n /= p; }
  return out;
}

/**
 * A reshape to a random regrouping of the operand's prime factors (plus
 * size-1 axes); an empty operand reshapes to any shape with a 0.
 */
export const reshapeArb: fc.Arbitrary<GenCase> = fc
  .record({ dtype: dtypeArb("any"), shape: shapeArb() })
  .chain(({ dtype, shape }) => {
    const total = shape.reduce((a, b) => a * b, 1);
    if (total === 0) {
      return fc
        .tuple(positiveShapeArb(0, 2), fc.nat())
        .map(([rest, at]) => singleEqn("reshape", { new_sizes: insertZero(rest, at) }, [av(dtype, shape)]));
    }
    const primes = primeFactors(total);
    return fc
      .record({ rank: fc.integer({ min: primes.length ? 1 : 0, max: 3 }), slots: fc.array(fc.nat(), { minLength: primes.length, maxLength: primes.length }) })
      .map(({ rank, slots }) => {
        const newSizes = Array<number>(rank).fill(1);
        primes.forEach((p, i) => (newSizes[slots[i]! % rank]! *= p));
        return singleEqn("reshape", { new_sizes: newSizes }, [av(dtype, shape)]);
      });
  });

export const transposeArb: fc.Arbitrary<GenCase> = fc
  .record({ dtype: dtypeArb("any"), shape: shapeArb() })
  .chain(({ dtype, shape }) => permutation(shape.length).map((p) => singleEqn("transpose", { permutation: p }, [av(dtype, shape)])));

export const squeezeArb: fc.Arbitrary<GenCase> = fc
  .record({ dtype: dtypeArb("any"), shape: fc.array(fc.constantFrom(1, 1, 2, 3), { maxLength: 3 }) })
  .chain(({ dtype, shape }) => {
    const ones = range(shape.length).filter((i) => shape[i] === 1);
    return fc.shuffledSubarray(ones).map((dims) => singleEqn("squeeze", { dimensions: dims }, [av(dtype, shape)]));
  });

export const expandDimsArb: fc.Arbitrary<GenCase> = fc
  .record({ dtype: dtypeArb("any"), shape: shapeArb(0, 2), k: fc.integer({ min: 1, max: 2 }) })
  .chain(({ dtype, shape, k }) =>
    axesSubset(shape.length + k, k, k).map((dims) => singleEqn("expand_dims", { dimensions: dims }, [av(dtype, shape)])),
  );

// ---------------------------------------------------------------------------
// Reductions, dot

export function reduceArb(prim: ReducePrim): fc.Arbitrary<GenCase> {
  return fc
    .record({ dtype: dtypeArb(prim === "reduce_sum" ? "numeric" : "any"), shape: shapeArb() })
    .chain(({ dtype, shape }) => axesSubset(shape.length).map((axes) => singleEqn(prim, { axes }, [av(dtype, shape)])));
}

// The reduced axis must be non-empty (argmax of nothing has no answer).
export const argmaxArb: fc.Arbitrary<GenCase> = fc
  .record({ dtype: dtypeArb("any"), shape: positiveShapeArb(1, 3) })
  .chain(({ dtype, shape }) =>
    fc.integer({ min: 0, max: shape.length - 1 }).map((a) => singleEqn("argmax", { axes: [a], index_dtype: "int32" }, [av(dtype, shape)])),
  );

/**
 * dot_general with 0–1 batch, 0–2 contracting and 0–1 free dims per side
 * (rank ≤ 3 each), every group placed at random axes of each operand.
 */
export const dotGeneralArb: fc.Arbitrary<GenCase> = fc
  .record({
    dtype: dtypeArb("numeric"),
    nb: fc.integer({ min: 0, max: 1 }),
    nc: fc.integer({ min: 0, max: 2 }),
    lf: fc.integer({ min: 0, max: 1 }),
    rf: fc.integer({ min: 0, max: 1 }),
  })
  .filter(({ nb, nc, lf, rf }) => nb + nc + Math.max(lf, rf) <= 3)
  .chain(({ dtype, nb, nc, lf, rf }) =>
    fc
      .record({
        batch: fc.array(dimSize, { minLength: nb, maxLength: nb }),
        contract: fc.array(dimSize, { minLength: nc, maxLength: nc }),
        lfree: fc.array(dimSize, { minLength: lf, maxLength: lf }),
        rfree: fc.array(dimSize, { minLength: rf, maxLength: rf }),
        lperm: permutation(nb + nc + lf),
        rperm: permutation(nb + nc + rf),
      })
      .map(({ batch, contract, lfree, rfree, lperm, rperm }) => {
        // Logical axis g of a side (batch…, contract…, free…) sits at perm[g].
        const place = (sizes: number[], perm: number[]) => {
          const shape = Array<number>(sizes.length);
          sizes.forEach((s, g) => (shape[perm[g]!] = s));
          return shape;
        };
        const lshape = place([...batch, ...contract, ...lfree], lperm);
        const rshape = place([...batch, ...contract, ...rfree], rperm);
        const lb = range(nb).map((g) => lperm[g]!), rb = range(nb).map((g) => rperm[g]!);
        const lc = range(nc).map((g) => lperm[nb + g]!), rc = range(nc).map((g) => rperm[nb + g]!);
        return singleEqn("dot_general", { dimension_numbers: [[lc, rc], [lb, rb]] }, [av(dtype, lshape), av(dtype, rshape)]);
      }),
  );

// ---------------------------------------------------------------------------
// Creation and indexing

/**
 * iota has no operands, so it is never batched: alone (the oracle broadcasts
 * its unbatched output) or added to a batched input of its shape.
 */
export const iotaArb: fc.Arbitrary<GenCase> = fc
  .record({ dtype: fc.constantFrom<DType>("float32", "int32"), shape: shapeArb(1, 3), withInput: fc.boolean() })
  .chain(({ dtype, shape, withInput }) =>
    fc.integer({ min: 0, max: shape.length - 1 }).map((dimension) => {
      const alone = singleEqn("iota", { dtype, shape, dimension }, []);
      if (!withInput) return alone;
      const x = newVar(av(dtype, shape));
      const iota = alone.jaxpr.outvars[0]! as ReturnType<typeof newVar>;
      const sum = newVar(av(dtype, shape));
      const jaxpr: Jaxpr = {
        constvars: [],
        invars: [x],
        eqns: [...alone.jaxpr.eqns, { prim: "add", params: {}, inputs: [x, iota], outputs: [sum] }],
        outvars: [sum],
      };
      return genCase(jaxpr);
    }),
  );

export const concatenateArb: fc.Arbitrary<GenCase> = fc
  .record({ dtype: dtypeArb("any"), shape: shapeArb(1, 3), n: fc.integer({ min: 1, max: 3 }) })
  .chain(({ dtype, shape, n }) =>
    fc
      .record({ d: fc.integer({ min: 0, max: shape.length - 1 }), sizes: fc.array(dimSize, { minLength: n, maxLength: n }) })
      .map(({ d, sizes }) =>
        singleEqn("concatenate", { dimension: d }, sizes.map((s) => av(dtype, shape.map((x, i) => (i === d ? s : x))))),
      ),
  );

export const sliceArb: fc.Arbitrary<GenCase> = fc
  .record({ dtype: dtypeArb("any"), shape: shapeArb(), strided: fc.boolean() })
  .chain(({ dtype, shape, strided }) =>
    fc
      .tuple(
        ...shape.map((n) =>
          fc.integer({ min: 0, max: n }).chain((s) => fc.record({ s: fc.constant(s), l: fc.integer({ min: s, max: n }), st: fc.integer({ min: 1, max: 3 }) })),
        ),
      )
      .map((axes) =>
        singleEqn(
          "slice",
          { start_indices: axes.map((a) => a.s), limit_indices: axes.map((a) => a.l), strides: strided ? axes.map((a) => a.st) : null },
          [av(dtype, shape)],
        ),
      ),
  );

const I32: Aval = av("int32", []);
/** A start index: an i32[] input (values in [-4, 6], so often clamped) or a literal in [-2, size+1]. */
const startIndex = (size: number): fc.Arbitrary<Operand> =>
  fc.oneof(fc.constant<Operand>(I32), fc.integer({ min: -2, max: size + 1 }).map((v): Operand => lit(v, I32)));

export const dynamicSliceArb: fc.Arbitrary<GenCase> = fc
  .record({ dtype: dtypeArb("any"), shape: shapeArb() })
  .chain(({ dtype, shape }) =>
    fc
      .record({
        sizes: fc.tuple(...shape.map((n) => fc.integer({ min: 0, max: n }))),
        starts: fc.tuple(...shape.map(startIndex)),
      })
      .map(({ sizes, starts }) => singleEqn("dynamic_slice", { slice_sizes: sizes }, [av(dtype, shape), ...starts])),
  );

export const dynamicUpdateSliceArb: fc.Arbitrary<GenCase> = fc
  .record({ dtype: dtypeArb("any"), shape: shapeArb() })
  .chain(({ dtype, shape }) =>
    fc
      .record({
        update: fc.tuple(...shape.map((n) => fc.integer({ min: 0, max: n }))),
        starts: fc.tuple(...shape.map(startIndex)),
      })
      .map(({ update, starts }) => singleEqn("dynamic_update_slice", {}, [av(dtype, shape), av(dtype, update), ...starts])),
  );

// ---------------------------------------------------------------------------
// Whole-jaxpr variations

/** The same case with its first `k` invars turned into constvars (batchJaxpr takes dims for both). */
export function withConstvars(c: GenCase, k: number): GenCase {
  const { jaxpr } = c;
  const n = Math.min(k, jaxpr.invars.length);
  return genCase({ ...jaxpr, constvars: jaxpr.invars.slice(0, n), invars: jaxpr.invars.slice(n) }, c.gens);
}

/** No equations: each output is one of the inputs or a literal. */
export const forwardingArb: fc.Arbitrary<GenCase> = fc
  .array(fc.record({ dtype: dtypeArb("any"), shape: shapeArb() }), { minLength: 1, maxLength: 3 })
  .chain((ins) => {
    const invars = ins.map(({ dtype, shape }) => newVar(av(dtype, shape)));
    const out = fc.oneof(
      fc.constantFrom<Atom>(...invars),
      dtypeArb("any").chain((d) => literalArb(d)),
    );
    return fc.array(out, { minLength: 1, maxLength: 3 }).map((outvars) => genCase({ constvars: [], invars, eqns: [], outvars }));
  });

/** check with a predicate that holds nowhere (the values pass through) and one or two values of any types. */
export const checkArb: fc.Arbitrary<GenCase> = fc
  .record({ predShape: shapeArb(), dtypes: fc.array(dtypeArb("any"), { minLength: 1, maxLength: 2 }), shape: shapeArb() })
  .map(({ predShape, dtypes, shape }) =>
    singleEqn("check", { message: "never fails here" }, [av("bool", predShape), ...dtypes.map((d) => av(d, shape))], [(aval) => fillValue(aval, () => 0)]),
  );
