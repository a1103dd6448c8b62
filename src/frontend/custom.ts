// customJvp(f, jvpRule) and customVjp(f, fwd, bwd): functions with a
// derivative rule of the user's (JAX's custom_jvp / custom_vjp).
//
// Each call traces `f` and the rule(s) on the arguments' types and binds one
// custom_jvp_call / custom_vjp_call equation carrying all of them
// (ir/prims/ad.ts). Evaluating, jit and vmap run `f` (the call's jaxpr);
// the jvp pass uses the rule instead (passes/ad/custom.ts). So the rule is
// in the IR, and a custom function composes with jit, vmap and grad in any
// order; grad of grad differentiates a customJvp rule like any other code.
//
// Non-differentiable parameters are closed over (JAX's nondiff_argnums):
// `(lo, hi) => customVjp(x => …, …)`. What the functions close over become
// leading operands of the equation; differentiating with respect to such a
// value is an error (the rule cannot see its tangent): pass it as an argument.

import type { Aval } from "../ir/dtype.js";
import { aval, avalStr, avalsEqual } from "../ir/dtype.js";
import { Array } from "./array.js";
import { bind } from "./bind.js";
import { type Carry, carryOf, describeLeaf } from "./control/common.js";
import { unionCaptures } from "./control/cond.js";
import { PytreeError, type TreeDef, flatten, showPath, treeMismatch, unflatten } from "./pytree.js";
import { TypedScalar } from "./scalar.js";
import { type FlatOut, type FlatTrace, traceFlat } from "./tracing.js";

export interface CustomOptions {
  /** Names the function in the IR (`name=` of the equation) and in errors; default: the function's name. */
  readonly name?: string;
}

/** What a rule may return where the function returns `avals` with structure `def`. */
interface Expected {
  readonly def: TreeDef;
  readonly avals: readonly Aval[];
  readonly paths: readonly string[];
}

/** Flattens `out` (what a rule returned), checking its structure and leaf types against `want`; JS numbers take the expected scalar type. */
function conform(what: string, out: unknown, want: Expected, root: string): FlatOut[] {
  const [leaves, def] = flatten(out, root);
  const m = treeMismatch(want.def, def, root);
  if (m) throw new PytreeError(`${what} ${showPath(m.path)}: expected ${m.expected}, got ${m.got}`);
  return leaves.map((l, i) => {
    const a = want.avals[i]!;
    const path = showPath(want.paths[i]!);
    if ((typeof l === "number" || typeof l === "boolean") && a.shape.length === 0) return new TypedScalar(l, a.dtype, { op: what, what: path });
    if (l instanceof Array && avalsEqual(l.aval, a)) return l;
    if (l instanceof TypedScalar && avalsEqual(aval(l.dtype, []), a)) return l;
    throw new TypeError(`${what} ${path}: expected ${avalStr(a)} (what the function gives there), got ${describeLeaf(l)}`);
  });
}

/** The leaves of a function's output, each an array or a JS number. */
function outputLeaves(what: string, out: unknown, root: string): [FlatOut[], TreeDef] {
  const [leaves, def] = flatten(out, root);
  const paths = def.leafPaths(root);
  return [
    leaves.map((l, i): FlatOut => {
      if (l instanceof Array || l instanceof TypedScalar || typeof l === "number" || typeof l === "boolean") return l;
      throw new TypeError(`${what} ${showPath(paths[i]!)}: must be an array or a number, got ${describeLeaf(l)}`);
    }),
    def,
  ];
}

/** How a rule's result reads in an error (an array of tracers cannot be turned into a string). */
const describeResult = (r: unknown): string => (globalThis.Array.isArray(r) ? `an array of length ${r.length}` : describeLeaf(r));

/** A pair `[a, b]` from a rule, or a TypeError saying what the rule must return. */
function pair(what: string, shape: string, r: unknown): [unknown, unknown] {
  if (!globalThis.Array.isArray(r) || r.length !== 2) throw new TypeError(`${what} must return ${shape}, got ${describeResult(r)}`);
  return [r[0], r[1]];
}

/** Traces `f` on the arguments' types: its trace, output structure and output types. */
export function traceFunction(label: string, f: (...args: never[]) => unknown, args: Carry): { trace: FlatTrace; out: Expected } {
  let def: TreeDef | undefined;
  const trace = traceFlat(
    (ins) => {
      const [leaves, d] = outputLeaves(`${label}: output`, f(...(unflatten(args.def, ins) as never[])), "output");
      def = d;
      return leaves;
    },
    args.avals,
    label,
  );
  return { trace, out: { def: def!, avals: trace.jaxpr.outvars.map((v) => v.aval), paths: def!.leafPaths("output") } };
}

/** How deeply a customJvp rule's calls of its own function carry the rule (see `customJvp`). */
const MAX_RULE_REENTRY = 4;

const nameOf = (f: { name: string }, options: CustomOptions, kind: string): string => options.name ?? (f.name || `${kind} function`);

/**
 * `f` with the derivative rule `jvpRule(primals, tangents) → [primalOut, tangentOut]`
 * (jax.custom_jvp). `primals` and `tangents` are the argument lists; the rule
 * returns the output and its tangent, both with the output's structure and
 * types, and must be linear in the tangents (reverse mode transposes it).
 */
export function customJvp<F extends (...args: never[]) => unknown>(
  f: F,
  jvpRule: (primals: Parameters<F>, tangents: Parameters<F>) => readonly [unknown, unknown],
  options: CustomOptions = {},
): F {
  const name = nameOf(f, options, "customJvp");
  const label = `customJvp function '${name}'`;
  let tracingRule = 0;
  const call = (...rawArgs: unknown[]): unknown => {
    // A rule may call its own function (JAX's log1pexp returns `log1pexp(x)`). JAX traces rules only
    // when differentiating; here the rule is traced with the call, so a call from inside its own rule
    // gets a rule traced one level deeper, down to MAX_RULE_REENTRY levels, below which it runs `f`
    // itself (only a derivative of order five and up of that primal output comes from `f`).
    if (tracingRule >= MAX_RULE_REENTRY) return (f as unknown as (...a: unknown[]) => unknown)(...rawArgs);
    const args = carryOf(label, rawArgs, "args");
    const n = args.avals.length;
    const { trace, out } = traceFunction(label, f, args);
    const ruleWhat = `${label}: the jvp rule`;
    const rule = traceFlat(
      (ins) => {
        const primals = unflatten(args.def, ins.slice(0, n)) as Parameters<F>;
        const tangents = unflatten(args.def, ins.slice(n)) as Parameters<F>;
        let result: readonly [unknown, unknown];
        tracingRule++;
        try {
          result = jvpRule(primals, tangents);
        } finally {
          tracingRule--;
        }
        const [p, t] = pair(ruleWhat, "[primalOut, tangentOut]", result);
        return [...conform(`${ruleWhat}'s primal output`, p, out, "output"), ...conform(`${ruleWhat}'s tangent output`, t, out, "output")];
      },
      [...args.avals, ...args.avals],
      `${label} jvp rule`,
    );
    const { values, branchJaxprs } = unionCaptures([trace, rule], [trace.jaxpr, rule.jaxpr]);
    const outs = bind("custom_jvp_call", { call_jaxpr: branchJaxprs[0]!, jvp_jaxpr: branchJaxprs[1]!, num_consts: values.length, name }, [...values, ...args.inputs]);
    return unflatten(out.def, outs);
  };
  return call as unknown as F;
}

/**
 * `f` with a reverse-mode rule (jax.custom_vjp): `fwd(...args) → [out, residuals]`
 * computes the output and what `bwd` needs (any pytree), and
 * `bwd(residuals, outCotangent) → [argCotangent, …]` returns one cotangent per
 * argument, each with its argument's structure and types. Forward mode
 * (jvp, linearize, jacfwd) through it is an error, as in JAX.
 */
export function customVjp<F extends (...args: never[]) => unknown>(
  f: F,
  fwd: (...args: Parameters<F>) => readonly [unknown, unknown],
  bwd: (residuals: never, cotangent: never) => readonly unknown[],
  options: CustomOptions = {},
): F {
  const name = nameOf(f, options, "customVjp");
  const label = `customVjp function '${name}'`;
  let tracingRule = 0;
  const inRule = <T>(fn: () => T): T => {
    tracingRule++;
    try {
      return fn();
    } finally {
      tracingRule--;
    }
  };
  const call = (...rawArgs: unknown[]): unknown => {
    // fwd may call the function itself (JAX's `return f(x), cos(x)`): as for customJvp, to MAX_RULE_REENTRY levels.
    if (tracingRule >= MAX_RULE_REENTRY) return (f as unknown as (...a: unknown[]) => unknown)(...rawArgs);
    const args = carryOf(label, rawArgs, "args");
    const { trace, out } = traceFunction(label, f, args);
    let resDef: TreeDef | undefined;
    const fwdWhat = `${label}: fwd`;
    const fwdTrace = traceFlat(
      (ins) => {
        const [o, res] = pair(fwdWhat, "[output, residuals]", inRule(() => fwd(...(unflatten(args.def, ins) as Parameters<F>))));
        const [resLeaves, d] = outputLeaves(`${fwdWhat}'s residuals`, res, "residuals");
        resDef = d;
        return [...conform(`${fwdWhat}'s output`, o, out, "output"), ...resLeaves];
      },
      args.avals,
      `${label} fwd`,
    );
    const resAvals = fwdTrace.jaxpr.outvars.slice(out.avals.length).map((v) => v.aval);
    const bwdWhat = `${label}: bwd`;
    const argsExpected: Expected = { def: args.def, avals: args.avals, paths: args.paths };
    const bwdTrace = traceFlat(
      (ins) => {
        const res = unflatten(resDef!, ins.slice(0, resAvals.length));
        const ct = unflatten(out.def, ins.slice(resAvals.length));
        const cts = inRule(() => bwd(res as never, ct as never));
        if (!globalThis.Array.isArray(cts) || cts.length !== rawArgs.length) {
          throw new TypeError(`${bwdWhat} must return an array with one cotangent per argument (${rawArgs.length}), got ${describeResult(cts)}`);
        }
        return conform(`${bwdWhat}'s cotangent for`, [...cts], argsExpected, "args");
      },
      [...resAvals, ...out.avals],
      `${label} bwd`,
    );
    const { values, branchJaxprs } = unionCaptures([trace, fwdTrace, bwdTrace], [trace.jaxpr, fwdTrace.jaxpr, bwdTrace.jaxpr]);
    const nc = values.length;
    // Each jaxpr takes every capture, then its own inputs: bwd's are the residuals and the cotangents.
    const params = { call_jaxpr: branchJaxprs[0]!, fwd_jaxpr: branchJaxprs[1]!, bwd_jaxpr: branchJaxprs[2]!, num_consts: nc, name };
    const outs = bind("custom_vjp_call", params, [...values, ...args.inputs]);
    return unflatten(out.def, outs);
  };
  return call as unknown as F;
}
