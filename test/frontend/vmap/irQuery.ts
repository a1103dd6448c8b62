// Structural questions about a batched jaxpr ("which type does the cond's
// index have?"), answered on the IR objects rather than by regex over text.
// Tests still print every jaxpr through printChecked; these helpers only look.
import { ir } from "../../../src/index.js";

/** Every equation of `prim`, in `j` and (depth-first) in its sub-jaxprs. */
export function eqnsOf<P extends ir.Prim>(j: ir.Jaxpr | ir.ClosedJaxpr, prim: P): ir.Eqn<P>[] {
  const jaxpr = "jaxpr" in j ? j.jaxpr : j;
  const out: ir.Eqn<P>[] = [];
  for (const e of jaxpr.eqns) {
    if (e.prim === prim) out.push(e as ir.Eqn<P>);
    for (const sub of ir.subJaxprs(e)) out.push(...eqnsOf(sub, prim));
  }
  return out;
}

/** The type of an equation operand, as printed (`i32[2]`). */
export const typeOf = (a: ir.Atom): string => ir.avalStr(a.aval);

/** Every primitive name used anywhere in `j`. */
export function primsIn(j: ir.Jaxpr | ir.ClosedJaxpr): Set<string> {
  const jaxpr = "jaxpr" in j ? j.jaxpr : j;
  const out = new Set<string>();
  for (const e of jaxpr.eqns) {
    out.add(e.prim);
    for (const sub of ir.subJaxprs(e)) for (const p of primsIn(sub)) out.add(p);
  }
  return out;
}
