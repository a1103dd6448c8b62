// nn.state / nn.update: a model's parameters as a nested plain object of
// arrays (paths like `layers.0.w`, `p.scale`), and writing such an object back.
// Parameters are found as the pytree flattening finds them (module.ts): arrays
// anywhere in a module's fields, lists and plain objects; the rest is static.

import { Array } from "../array.js";
import { avalStr, shapesEqual } from "../../ir/dtype.js";
import { type Module, childAt, paramKeys } from "./module.js";

export type State = { [key: string]: State | Array };

function toState(v: unknown): State | Array {
  if (v instanceof Array) return v;
  return Object.fromEntries(paramKeys(v as object).map((k) => [k, toState(childAt(v as object, k))]));
}

/** The model's parameters: `{ layers: { "0": { b, w }, … } }`. */
export function state(model: Module): State {
  return toState(model) as State;
}

/** Writes `s` (shaped like `state(model)`) into the model's fields (and the lists and objects holding them), in place. */
export function update(model: Module, s: State): void {
  const walk = (target: object, src: State, path: string): void => {
    const keys = paramKeys(target);
    const extra = Object.keys(src).filter((k) => !keys.includes(k));
    if (extra.length) throw new TypeError(`nn.update: the model has no parameter ${path ? `${path}.` : ""}${extra[0]}`);
    for (const k of keys) {
      const p = path ? `${path}.${k}` : k;
      const cur = childAt(target, k);
      const nv = src[k];
      if (nv === undefined) throw new TypeError(`nn.update: state is missing ${p}`);
      if (cur instanceof Array) {
        if (!(nv instanceof Array)) throw new TypeError(`nn.update: ${p} must be an array`);
        if (nv.dtype !== cur.dtype || !shapesEqual(nv.shape, cur.shape)) {
          throw new TypeError(`nn.update: ${p} is ${avalStr(cur.aval)} in the model but ${avalStr(nv.aval)} in the state`);
        }
        if (globalThis.Array.isArray(target)) target[Number(k)] = nv;
        else (target as Record<string, unknown>)[k] = nv;
      } else {
        if (nv instanceof Array) throw new TypeError(`nn.update: ${p} is a module or container in the model, not an array`);
        walk(cur as object, nv, p);
      }
    }
  };
  walk(model, s, "");
}
