// The IR: immutable plain data, modelled on JAX's jaxpr.
//
// Grammar of the text form (see docs/ir.md for the full version):
//
//   Jaxpr   ::= '{' 'lambda' Binder* ';' Binder* '.' 'let' Eqn* 'in' '(' Atoms ')' '}'
//   Binder  ::= Name ':' Aval            (constvars before ';', invars after)
//   Eqn     ::= OutBinder+ '=' Prim ( '[' Param* ']' )? Atom*
//   OutBinder ::= Binder | '_' ':' Aval  ('_' = result nobody reads)
//   Param   ::= Name '=' Value           (sorted by name)
//   Value   ::= Int | 'True' | 'False' | 'None' | Ident | '(' Value,* ')' | Jaxpr
//   Atom    ::= Name | Literal
//   Literal ::= Number ':' Aval          (always rank 0: `1.0:f32[]`, `True:bool[]`)
//   Aval    ::= ('f32' | 'i32' | 'bool') '[' (Int (',' Int)*)? ']'
//
// Variables are identified by `id` (unique across everything built in this
// process, so passes never have to rename); names `a b c …` are assigned only
// when printing. Sub-jaxprs (while/cond/scan/pjit bodies) are closed: they see
// nothing from the enclosing jaxpr except their explicit inputs.

import type { Aval, DType, Storage } from "./dtype.js";
import type { Prim, Params } from "./primitives.js";

export interface Var {
  readonly kind: "var";
  readonly id: number;
  readonly aval: Aval;
}

export interface Literal {
  readonly kind: "lit";
  /** The value, already rounded to the dtype (bool literals are 0/1). */
  readonly value: number;
  readonly aval: Aval;
}

export type Atom = Var | Literal;

/** An equation of one primitive: its params are that primitive's. */
export interface EqnOf<P extends Prim> {
  readonly prim: P;
  readonly params: Params[P];
  readonly inputs: readonly Atom[];
  readonly outputs: readonly Var[];
}

/**
 * An equation. `Eqn` (any primitive) is a union discriminated by `prim`, so
 * `e.prim === "while"` narrows `e.params` to the while's params; `Eqn<"scan">`
 * is one member.
 */
export type Eqn<P extends Prim = Prim> = { [K in P]: EqnOf<K> }[P];

export interface Jaxpr {
  readonly constvars: readonly Var[];
  readonly invars: readonly Var[];
  readonly eqns: readonly Eqn[];
  readonly outvars: readonly Atom[];
}

/** A dense array value: what consts are and what backends compute with. Row-major. */
export interface ArrayValue {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: Storage;
  /** A tape value (aval `tape(…)`, dtype.ts): its depth; `data` is then empty and `slots` holds the values. */
  readonly tape?: number;
  /** A tape value's recorded values, oldest first (slot t = iteration t). */
  readonly slots?: readonly ArrayValue[];
}

/** A jaxpr together with the values of its constvars. */
export interface ClosedJaxpr {
  readonly jaxpr: Jaxpr;
  readonly consts: readonly ArrayValue[];
}

// The counter lives on globalThis so that two copies of tsjax in one process
// (e.g. the CLI and a user file bundled with its own copy) never hand out the
// same id.
const ID_KEY = Symbol.for("tsjax.nextVarId");
const idCounter: { n: number } = ((globalThis as Record<symbol, unknown>)[ID_KEY] ??= { n: 1 }) as { n: number };

/** A fresh variable; ids are process-unique so passes never clash. */
export function newVar(aval: Aval): Var {
  return { kind: "var", id: idCounter.n++, aval };
}

export function lit(value: number | boolean, aval: Aval): Literal {
  return { kind: "lit", value: typeof value === "boolean" ? (value ? 1 : 0) : value, aval };
}

export function isVar(a: Atom): a is Var {
  return a.kind === "var";
}

export function makeEqn<P extends Prim>(
  prim: P,
  params: Params[P],
  inputs: readonly Atom[],
  outputs: readonly Var[],
): Eqn<P> & Eqn {
  // `& Eqn`: for a generic P, TypeScript cannot see that Eqn<P> is a member of the union; the signature ties params to prim.
  return { prim, params, inputs, outputs } as EqnOf<P> as Eqn<P> & Eqn;
}

/** An IR constructor (distinct from the tracing `makeJaxpr`): fills in empty constvars. */
export function newJaxpr(parts: {
  constvars?: readonly Var[];
  invars: readonly Var[];
  eqns: readonly Eqn[];
  outvars: readonly Atom[];
}): Jaxpr {
  return {
    constvars: parts.constvars ?? [],
    invars: parts.invars,
    eqns: parts.eqns,
    outvars: parts.outvars,
  };
}

export function inAvals(j: Jaxpr): Aval[] {
  return [...j.constvars, ...j.invars].map((v) => v.aval);
}

export function outAvals(j: Jaxpr): Aval[] {
  return j.outvars.map((v) => v.aval);
}

/** Narrow an equation to one primitive (typed params). */
export function isEqnOf<P extends Prim>(e: Eqn, prim: P): e is Eqn<P> & Eqn {
  return e.prim === prim;
}
