// nn.state / nn.update: a model's parameters as a nested plain object of
// arrays (paths like `layers.0.w`), and writing such an object back.

import { Array } from "../array.js";
import { avalStr, shapesEqual } from "../../ir/dtype.js";
import { Module, isParamTree } from "./module.js";

export type State = { [key: string]: State | Array };

function paramEntries(m: object): [string, unknown][] {
  return Object.keys(m).sort().flatMap((k) => {
    const v = (m as Record<string, unknown>)[k];
    return isParamTree(v) ? [[k, v] as [string, unknown]] : [];
  });
}

function toState(v: unknown): State | Array {
  if (v instanceof Array) return v;
  const entries = v instanceof Module ? paramEntries(v) : Object.entries(v as object);
  return Object.fromEntries(entries.map(([k, c]) => [k, toState(c)]));
}

/** The model's parameters: `{ layers: { "0": { b, w }, … } }`. */
export function state(model: Module): State {
  return toState(model) as State;
}

/** Writes `s` (shaped like `state(model)`) into the model's fields, in place. */
export function update(model: Module, s: State): void {
  const walk = (target: Record<string, unknown> | unknown[], src: State, path: string): void => {
    const keys = globalThis.Array.isArray(target) ? target.map((_, i) => String(i)) : paramEntries(target).map(([k]) => k);
    const extra = Object.keys(src).filter((k) => !keys.includes(k));
    if (extra.length) throw new TypeError(`nn.update: the model has no parameter ${path ? `${path}.` : ""}${extra[0]}`);
    for (const k of keys) {
      const p = path ? `${path}.${k}` : k;
      const cur = (target as Record<string, unknown>)[k];
      const nv = src[k];
      if (nv === undefined) throw new TypeError(`nn.update: state is missing ${p}`);
      if (cur instanceof Array) {
        if (!(nv instanceof Array)) throw new TypeError(`nn.update: ${p} must be an array`);
        if (nv.dtype !== cur.dtype || !shapesEqual(nv.shape, cur.shape)) {
          throw new TypeError(`nn.update: ${p} is ${avalStr(cur.aval)} in the model but ${avalStr(nv.aval)} in the state`);
        }
        (target as Record<string, unknown>)[k] = nv;
      } else {
        if (nv instanceof Array) throw new TypeError(`nn.update: ${p} is a module or container in the model, not an array`);
        walk(cur as Record<string, unknown>, nv, p);
      }
    }
  };
  walk(model as unknown as Record<string, unknown>, s, "");
}
