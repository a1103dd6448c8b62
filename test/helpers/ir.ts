// Every jaxpr a test prints goes through here: printed, parsed back, printed
// again (must be identical) and verified. Use `printChecked` instead of
// `printJaxpr`/`toString()` in tests so the round-trip property is checked
// for every jaxpr in the suite.
import { expect } from "vitest";
import { type ClosedJaxpr, type Jaxpr, parse, printJaxpr, verify } from "../../src/ir/index.js";
import { boundVars, subJaxprs } from "../../src/ir/traverse.js";

export function printChecked(j: Jaxpr | ClosedJaxpr | string): string {
  const jaxpr = typeof j === "string" ? parse(j) : "jaxpr" in j ? j.jaxpr : j;
  verify(jaxpr);
  const text = printJaxpr(jaxpr);
  const reparsed = parse(text);
  verify(reparsed);
  expect(printJaxpr(reparsed)).toBe(text);
  if (typeof j === "string") expect(text).toBe(j);
  return text;
}

/** Every primitive a jaxpr uses, sub-jaxprs included. */
export function primsOf(j: Jaxpr): Set<string> {
  const out = new Set<string>();
  const walk = (x: Jaxpr): void => {
    for (const e of x.eqns) {
      out.add(e.prim);
      subJaxprs(e).forEach(walk);
    }
  };
  walk(j);
  return out;
}

/** Every variable type anywhere in a jaxpr, sub-jaxprs included, as `float32[5,8,16]` strings. */
export function allAvals(j: Jaxpr): string[] {
  const out: string[] = [];
  const walk = (x: Jaxpr): void => {
    for (const v of boundVars(x)) out.push(`${v.aval.dtype}[${v.aval.shape.join(",")}]`);
    for (const e of x.eqns) for (const s of subJaxprs(e)) walk(s);
  };
  walk(j);
  return out;
}
