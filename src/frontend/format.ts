// How arrays print: numpy's `str` (`[1. 2. 3.]`, what `toString()` and
// template strings give) and JAX's `repr` (`Array([1., 2., 3.], dtype=float32)`,
// what `console.log` / `util.inspect` show). Both follow numpy's array2string
// with its default options, checked against numpy's own output
// (scripts/gen_repr_fixtures.py):
//
//   - floats use the shortest digits that read back as the same float32, at
//     most 8 after the point (rounded half to even), aligned on the point;
//     scientific notation when the largest magnitude is >= 1e6 (numpy 2 picks
//     the cutoff from float32's 6 significant digits), the smallest is < 1e-4,
//     or their ratio is above 1000;
//   - rows wrap at 75 columns;
//   - arrays of more than 1000 elements are summarised with `...`, keeping 3
//     items at each end of every axis;
//   - rank 0 prints like a numpy scalar in `str` (`2.0`, `1e-05`) and like an
//     element in `repr` (`Array(2., dtype=float32)`).

import type { ArrayValue } from "../ir/core.js";
import { stridesOf } from "../ir/dtype.js";

/**
 * Node's hook for `console.log` / `util.inspect`: a method under this key
 * returns the text to show. A registered symbol, so no Node import (the core
 * runs in browsers, where it is just an unused method).
 */
export const inspectCustom: unique symbol = Symbol.for("nodejs.util.inspect.custom");

const LINE_WIDTH = 75;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
/** numpy's default `precision`: at most this many digits after the point in positional notation. */
const PRECISION = 8;
/** numpy 2 switches float32 arrays to scientific notation at 10**6 (float32 has 6 reliable digits). */
const EXP_CUTOFF_MAX = 1e6;
const SUMMARY = "...";

// ---------------------------------------------------------------- digits of one float32

/** The shortest decimal `digits` × 10^(exp - digits.length + 1) that reads back as the float32 `v` (> 0), the closest one on ties. */
function shortestDigits(v: number): { digits: string; exp: number } {
  for (let p = 1; p <= 9; p++) {
    const [mant, e] = v.toExponential(p - 1).split("e") as [string, string];
    const m = BigInt(mant.replace(".", ""));
    const exp = Number(e);
    // The correctly rounded p-digit decimal may miss v's rounding interval
    // where the interval is lopsided (v a power of two) while its neighbour
    // hits; try both, nearest first.
    for (const c of [m, m + 1n, m - 1n]) {
      if (c <= 0n) continue;
      const digitsC = c.toString();
      const expC = exp + digitsC.length - p;
      if (Math.fround(Number(`${digitsC}e${exp - p + 1}`)) === v) return { digits: digitsC.replace(/0+$/, "") || "0", exp: expC };
    }
  }
  const [mant, e] = v.toExponential(8).split("e") as [string, string];
  return { digits: mant.replace(".", "").replace(/0+$/, ""), exp: Number(e) };
}

const f64 = new Float64Array(1);
const bits = new BigUint64Array(f64.buffer);

/** `v` (finite, >= 0) rounded half to even to `frac` digits after the point, exactly: [integer part, fraction]. */
function roundFixed(v: number, frac: number): [string, string] {
  f64[0] = v;
  const b = bits[0]!;
  const biased = Number((b >> 52n) & 0x7ffn);
  const fraction = b & ((1n << 52n) - 1n);
  // v = m * 2^e exactly.
  const m = biased === 0 ? fraction : fraction | (1n << 52n);
  const e = biased === 0 ? -1074 : biased - 1075;
  let num = m * 10n ** BigInt(frac);
  let den = 1n;
  if (e >= 0) num <<= BigInt(e);
  else den <<= BigInt(-e);
  let q = num / den;
  const twice = 2n * (num % den);
  if (twice > den || (twice === den && (q & 1n) === 1n)) q += 1n;
  const s = q.toString().padStart(frac + 1, "0");
  return [s.slice(0, s.length - frac), s.slice(s.length - frac)];
}

/** Positional text of a finite float32 as [sign and integer part, fraction without trailing zeros]. */
function positional(v: number): [string, string] {
  const sign = v < 0 || Object.is(v, -0) ? "-" : "";
  const a = Math.abs(v);
  if (a === 0) return [`${sign}0`, ""];
  const { digits, exp } = shortestDigits(a);
  let intPart: string, frac: string;
  if (exp >= 0) {
    intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    frac = digits.slice(exp + 1);
  } else {
    intPart = "0";
    frac = "0".repeat(-exp - 1) + digits;
  }
  if (frac.length > PRECISION) {
    [intPart, frac] = roundFixed(a, PRECISION);
    frac = frac.replace(/0+$/, "");
  }
  return [sign + intPart, frac];
}

/** Scientific text of a finite float32 as [sign and leading digit, other digits, exponent]. */
function scientific(v: number): [string, string, number] {
  const sign = v < 0 || Object.is(v, -0) ? "-" : "";
  const a = Math.abs(v);
  if (a === 0) return [`${sign}0`, "", 0];
  const { digits, exp } = shortestDigits(a);
  return [sign + digits[0]!, digits.slice(1), exp];
}

function exponentText(exp: number, width: number): string {
  return `${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(width, "0")}`;
}

function nonFiniteText(v: number): string {
  return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
}

// ---------------------------------------------------------------- element formatters

type ElementFormat = (x: number) => string;

/** numpy's FloatingFormat: one layout (positional or scientific, paddings) chosen from all the displayed values. */
function floatFormat(values: readonly number[]): ElementFormat {
  const finite = values.filter(Number.isFinite);
  const nonZero = finite.map(Math.abs).filter((a) => a !== 0);
  const maxV = nonZero.length ? Math.max(...nonZero) : 0;
  const minV = nonZero.length ? Math.min(...nonZero) : 0;
  // numpy compares in float32 (the data's type): float32(1e-4) itself stays positional.
  const expFormat = nonZero.length > 0 && (maxV >= EXP_CUTOFF_MAX || minV < Math.fround(1e-4) || Math.fround(maxV / minV) > 1e3);
  let padLeft = 0, padRight = 0, precision = 0, expSize = 0;
  if (expFormat) {
    for (const v of finite) {
      const [ip, fp, exp] = scientific(v);
      padLeft = Math.max(padLeft, ip.length);
      precision = Math.max(precision, fp.length);
      expSize = Math.max(expSize, String(Math.abs(exp)).length, 2);
    }
    padRight = expSize + 2 + precision;
  } else {
    for (const v of finite) {
      const [ip, fp] = positional(v);
      padLeft = Math.max(padLeft, ip.length);
      padRight = Math.max(padRight, fp.length);
    }
  }
  if (finite.length !== values.length) {
    // nan/inf fill the whole field; widen the integer part if they need it.
    const negInf = values.some((v) => v === -Infinity) ? 1 : 0;
    padLeft = Math.max(padLeft, 3 - (padRight + 1), 3 + negInf - (padRight + 1));
  }
  return (v) => {
    if (!Number.isFinite(v)) return nonFiniteText(v).padStart(padLeft + padRight + 1);
    if (expFormat) {
      const [ip, fp, exp] = scientific(v);
      return `${ip.padStart(padLeft)}.${fp.padEnd(precision, "0")}e${exponentText(exp, expSize)}`;
    }
    const [ip, fp] = positional(v);
    return `${ip.padStart(padLeft)}.${fp.padEnd(padRight)}`;
  };
}

function intFormat(values: readonly number[]): ElementFormat {
  const width = values.reduce((w, v) => Math.max(w, String(v).length), 0);
  return (v) => String(v).padStart(width);
}

function elementFormat(v: ArrayValue, values: readonly number[]): ElementFormat {
  switch (v.dtype) {
    case "bool":
      // " True" lines up with "False", except in a rank-0 array.
      return v.shape.length === 0 ? (x) => (x ? "True" : "False") : (x) => (x ? " True" : "False");
    case "int32":
      return intFormat(values);
    case "float32":
      return floatFormat(values);
  }
}

/** numpy's str of a float32 scalar: positional in [1e-4, 1e6) (`2.0`), else scientific (`1e-05`, `1.234567e+06`). */
function floatScalarStr(v: number): string {
  if (!Number.isFinite(v)) return nonFiniteText(v);
  const a = Math.abs(v);
  if (a === 0 || (a >= 1e-4 && a < EXP_CUTOFF_MAX)) {
    const [ip, fp] = positional(v);
    return `${ip}.${fp || "0"}`;
  }
  const [ip, fp, exp] = scientific(v);
  return `${ip}${fp ? `.${fp}` : ""}e${exponentText(exp, 2)}`;
}

// ---------------------------------------------------------------- layout (numpy's _formatArray)

/** The indices shown along an axis of length n: all, or the edge items when summarising. */
function shownIndices(n: number, summarise: boolean): { lead: number[]; trail: number[] } {
  const all = Array.from({ length: n }, (_, i) => i);
  if (!summarise || n <= 2 * EDGE_ITEMS) return { lead: [], trail: all };
  return { lead: all.slice(0, EDGE_ITEMS), trail: all.slice(n - EDGE_ITEMS) };
}

/** Appends `word` to the current line, starting a new one (after `indent`) when it would pass `width`. */
function extendLine(out: { s: string; line: string }, word: string, width: number, indent: string): void {
  // A line holding only its indent takes the word anyway: wrapping would not help.
  if (out.line.length + word.length > width && out.line.length > indent.length) {
    out.s += `${out.line.trimEnd()}\n`;
    out.line = indent;
  }
  out.line += word;
}

interface Layout {
  readonly separator: string;
  /** Text before the opening bracket on the first line (`Array(`), which continuation lines align after. */
  readonly prefix: string;
  /** Text after the closing bracket on the last line (`,` before the dtype), kept inside the line width. */
  readonly suffix: string;
}

/** numpy's array2string for a non-empty array. */
function array2string(v: ArrayValue, { separator, prefix, suffix }: Layout): string {
  const { shape, data } = v;
  const strides = stridesOf(shape);
  const summarise = data.length > THRESHOLD;

  // The element format is chosen from the displayed elements only.
  const shown: number[] = [];
  const collect = (axis: number, offset: number): void => {
    if (axis === shape.length) {
      shown.push(data[offset]!);
      return;
    }
    const { lead, trail } = shownIndices(shape[axis]!, summarise);
    for (const i of [...lead, ...trail]) collect(axis + 1, offset + i * strides[axis]!);
  };
  collect(0, 0);
  const fmt = elementFormat(v, shown);

  const render = (axis: number, offset: number, indent: string, width: number): string => {
    if (axis === shape.length) return fmt(data[offset]!);
    const { lead, trail } = shownIndices(shape[axis]!, summarise);
    const child = (i: number) => render(axis + 1, offset + i * strides[axis]!, `${indent} `, width - 1);
    const axesLeft = shape.length - axis;
    let s: string;
    if (axesLeft === 1) {
      const elemWidth = width - Math.max(separator.trimEnd().length, 1);
      const out = { s: "", line: indent };
      const words = [...lead.map(child), ...(lead.length ? [SUMMARY] : []), ...trail.map(child)];
      words.forEach((w, k) => {
        extendLine(out, w, elemWidth, indent);
        if (k < words.length - 1) out.line += separator;
      });
      s = out.s + out.line;
    } else {
      const lineSep = separator.trimEnd() + "\n".repeat(axesLeft - 1);
      const rows = [...lead.map(child), ...(lead.length ? [SUMMARY] : []), ...trail.map(child)];
      s = rows.map((r) => indent + r).join(lineSep);
    }
    return `[${s.slice(indent.length)}]`;
  };
  return render(0, 0, " ".repeat(prefix.length + 1), LINE_WIDTH - suffix.length);
}

/** `(2, 0, 3)`, `(4,)`: a shape as Python prints a tuple. */
function tupleText(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

// ---------------------------------------------------------------- str and repr

/** numpy's `str` of an array value: `[1. 2. 3.]`, `[[1 2]\n [3 4]]`, `[ True False]`, `2.5` for rank 0. */
export function arrayStr(v: ArrayValue): string {
  if (v.shape.length === 0) {
    const x = v.data[0]!;
    if (v.dtype === "bool") return x ? "True" : "False";
    return v.dtype === "int32" ? String(x) : floatScalarStr(x);
  }
  if (v.data.length === 0) return "[]";
  return array2string(v, { separator: " ", prefix: "", suffix: "" });
}

/** JAX's `repr` of an array value: `Array([1., 2., 3.], dtype=float32)`, `Array([], shape=(2, 0, 3), dtype=float32)`. */
export function arrayRepr(v: ArrayValue): string {
  const prefix = "Array(";
  const dtypeText = `dtype=${v.dtype})`;
  const body = v.data.length === 0 ? `[], shape=${tupleText(v.shape)}` : array2string(v, { separator: ", ", prefix, suffix: "," });
  const text = `${prefix}${body},`;
  // The dtype goes on a line of its own, aligned after "Array(", when it does not fit on the last one.
  const lastLine = text.length - (text.lastIndexOf("\n") + 1);
  return text + (lastLine + 1 + dtypeText.length <= LINE_WIDTH ? " " : `\n${" ".repeat(prefix.length)}`) + dtypeText;
}
