// What fast-check generates and shrinks: a *recipe*, plain data made of small
// numbers that the builder (build.ts) interprets relative to what the program
// has so far ("the 2nd most recent int value", "axis 3 mod rank"). Every
// recipe builds a well-typed program, so shrinking (dropping steps, moving
// numbers toward 0) always yields another valid, smaller program.

import fc from "fast-check";

export const SIMPLE_KINDS = ["unary", "binary", "literal", "convert", "reduce", "shape", "select", "dot", "dynamic"] as const;
export const CONTROL_KINDS = ["pjit", "cond", "while", "scan"] as const;
export type StepKind = (typeof SIMPLE_KINDS)[number] | (typeof CONTROL_KINDS)[number];

/** A step as the builder sees it: control flow holds its sub-programs. */
export interface Step {
  readonly kind: StepKind;
  /** Choices the step's builder reads in order (see `Choices`). */
  readonly r: readonly number[];
  /** Sub-programs: a loop body, cond branches, a pjit body. */
  readonly subs: readonly (readonly Step[])[];
}

/**
 * A step as fast-check generates it: a flat list of tokens, where a control
 * token's `lens` say how many of the following tokens form each of its
 * sub-programs. Flat on purpose: shrinking a length to 0 hoists that body's
 * steps out to the enclosing program, so a failure found deep inside a loop
 * shrinks to the few top-level equations that cause it.
 */
export interface Token {
  readonly kind: StepKind;
  readonly r: readonly number[];
  /** Sub-program lengths (control tokens; one per branch). */
  readonly lens: readonly number[];
}

const isControl = (k: StepKind): boolean => (CONTROL_KINDS as readonly string[]).includes(k);

/** The step tree of a token list; below `maxDepth`, control tokens get empty sub-programs. */
export function parseTokens(tokens: readonly Token[], maxDepth: number): Step[] {
  let pos = 0;
  const block = (count: number, depth: number): Step[] => {
    const out: Step[] = [];
    while (out.length < count && pos < tokens.length) {
      const t = tokens[pos++]!;
      if (!isControl(t.kind)) {
        out.push({ kind: t.kind, r: t.r, subs: [] });
        continue;
      }
      const lens = t.lens.length ? t.lens : [0];
      out.push({ kind: t.kind, r: t.r, subs: lens.map((n) => (depth < maxDepth ? block(n, depth + 1) : [])) });
    }
    return out;
  };
  return block(Infinity, 0);
}

export interface InputSpec {
  readonly dtype: number;
  readonly shape: readonly number[];
}

/** One vmap level: per input a choice of batch axis (0 = unbatched), and the lane count. */
export interface VmapSpec {
  readonly dims: readonly number[];
  readonly size: number;
}

export interface Recipe {
  readonly inputs: readonly InputSpec[];
  /** The program's steps, flat (see Token). */
  readonly tokens: readonly Token[];
  /** Which pool values become outputs (picks from the newest). */
  readonly outs: readonly number[];
  readonly vmaps: readonly VmapSpec[];
  /** Seeds the input values. */
  readonly seed: number;
}

/** Reads a step's choices in order; past the end every choice is 0 (the simplest). */
export class Choices {
  private i = 0;
  constructor(private readonly r: readonly number[]) {}
  /** A choice in [0, n). */
  next(n: number): number {
    const v = this.r[this.i++] ?? 0;
    return n <= 1 ? 0 : v % n;
  }
  /** True with probability about 1/n (false when shrunk). */
  oneIn(n: number): boolean {
    return this.next(n) === n - 1;
  }
}

const CHOICES = 10;
const choices = fc.array(fc.nat(999), { minLength: CHOICES, maxLength: CHOICES });

export interface RecipeLimits {
  /** Tokens in the whole program (sub-programs included). */
  readonly maxTokens: number;
  /** Nesting depth of control flow. */
  readonly maxDepth: number;
  /** vmap levels applied to the whole program. */
  readonly maxVmaps: number;
}

export const DEFAULT_LIMITS: RecipeLimits = { maxTokens: 14, maxDepth: 2, maxVmaps: 2 };

/** Elementwise ops weigh more: chains of them are what fusing backends get wrong. */
const SIMPLE_WEIGHTED: readonly StepKind[] = [...SIMPLE_KINDS, "binary", "binary", "unary"];

const tokenArb: fc.Arbitrary<Token> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constantFrom(...SIMPLE_WEIGHTED), r: choices, lens: fc.constant([] as number[]) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constantFrom(...CONTROL_KINDS), r: choices, lens: fc.array(fc.nat(4), { minLength: 1, maxLength: 3 }) }), weight: 1 },
);

const dimArb = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 3 }), weight: 12 }, { arbitrary: fc.constant(0), weight: 1 });

const inputArb: fc.Arbitrary<InputSpec> = fc.record({
  dtype: fc.nat(9),
  shape: fc.array(dimArb, { maxLength: 3 }),
});

export function recipeArb(limits: RecipeLimits = DEFAULT_LIMITS): fc.Arbitrary<Recipe> {
  return fc.record({
    inputs: fc.array(inputArb, { minLength: 1, maxLength: 3 }),
    tokens: fc.array(tokenArb, { minLength: 1, maxLength: limits.maxTokens }),
    outs: fc.array(fc.nat(7), { minLength: 1, maxLength: 3 }),
    vmaps: fc.array(fc.record({ dims: fc.array(fc.nat(4), { maxLength: 8 }), size: fc.integer({ min: 1, max: 3 }) }), {
      maxLength: limits.maxVmaps,
    }),
    seed: fc.nat(),
  });
}
