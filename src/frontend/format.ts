// numpy-style text for concrete arrays: `[1. 2. 3.]`, `[[1 2]\n [3 4]]`,
// `[ True False]`, `1.5` for rank 0. Floats use the shortest digits that
// read back as the same float32, aligned on the decimal point like numpy;
// scientific notation when numpy would use it (max >= 1e8, min < 1e-4, or a
// max/min ratio above 1000).

import type { ArrayValue } from "../ir/core.js";

const LINE_WIDTH = 75;

/** Shortest decimal digits and exponent that round-trip as float32: 1.5 → { digits: "15", exp: 0 }. */
function shortestF32(v: number): { digits: string; exp: number } {
  for (let p = 1; p <= 9; p++) {
    const s = v.toExponential(p - 1);
    if (Math.fround(Number(s)) === v || p === 9) {
      const [mant, e] = s.split("e") as [string, string];
      return { digits: mant.replace("-", "").replace(".", "").replace(/0+$/, "") || "0", exp: Number(e) };
    }
  }
  return { digits: "0", exp: 0 };
}

/** Positional text with integer and fraction parts, e.g. 1.5 → ["1", "5"], 2 → ["2", ""]. */
function positional(v: number): [string, string] {
  const sign = v < 0 || Object.is(v, -0) ? "-" : "";
  const { digits, exp } = shortestF32(Math.abs(v));
  if (digits === "0") return [`${sign}0`, ""];
  let intPart: string, frac: string;
  if (exp >= 0) {
    intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    frac = digits.slice(exp + 1);
  } else {
    intPart = "0";
    frac = "0".repeat(-exp - 1) + digits;
  }
  return [sign + intPart, frac];
}

function scientific(v: number): [string, string, string] {
  const sign = v < 0 ? "-" : "";
  const { digits, exp } = shortestF32(Math.abs(v));
  const e = exp < 0 ? `-${String(-exp).padStart(2, "0")}` : `+${String(exp).padStart(2, "0")}`;
  return [sign + digits[0]!, digits.slice(1), e];
}

function floatFormatter(values: ArrayLike<number>): (v: number) => string {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    if (Number.isFinite(a) && a !== 0) finite.push(a);
  }
  const maxV = finite.length ? Math.max(...finite) : 0;
  const minV = finite.length ? Math.min(...finite) : 0;
  const useSci = finite.length > 0 && (maxV >= 1e8 || minV < 1e-4 || maxV / minV > 1e3);
  const special = (v: number) => (Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf");
  if (useSci) {
    let fracW = 0;
    for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) fracW = Math.max(fracW, scientific(values[i]!)[1].length);
    return (v) => {
      if (!Number.isFinite(v)) return special(v);
      const [m, f, e] = scientific(v);
      return `${m}.${f.padEnd(fracW, "0")}e${e}`;
    };
  }
  let intW = 0, fracW = 0, specialW = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      specialW = Math.max(specialW, special(v).length);
      continue;
    }
    const [ip, fp] = positional(v);
    intW = Math.max(intW, ip.length);
    fracW = Math.max(fracW, fp.length);
  }
  // nan/inf take the full width; finite values are padded on the left to match.
  intW = Math.max(intW, specialW - fracW - 1);
  return (v) => {
    if (!Number.isFinite(v)) return special(v).padStart(intW + 1 + fracW);
    const [ip, fp] = positional(v);
    return `${ip.padStart(intW)}.${fp.padEnd(fracW)}`;
  };
}

/** The numpy `str()` of an array value. */
export function formatArrayValue(v: ArrayValue): string {
  const { data, shape, dtype } = v;
  if (shape.length === 0) {
    const x = data[0]!;
    if (dtype === "bool") return x ? "True" : "False";
    if (dtype === "int32") return String(x);
    if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
    const [ip, fp] = positional(x);
    return `${ip}.${fp || "0"}`;
  }
  let fmt: (x: number) => string;
  if (dtype === "bool") fmt = (x) => (x ? " True" : "False");
  else if (dtype === "int32") {
    let w = 0;
    for (let i = 0; i < data.length; i++) w = Math.max(w, String(data[i]!).length);
    fmt = (x) => String(x).padStart(w);
  } else fmt = floatFormatter(data);

  const render = (axis: number, offset: number, indent: string): string => {
    const n = shape[axis]!;
    if (axis === shape.length - 1) {
      // One row: wrap at the line width, continuation lines aligned after the bracket.
      const items: string[] = [];
      for (let i = 0; i < n; i++) items.push(fmt(data[offset + i]!));
      const lines: string[] = [];
      let line = "";
      for (const it of items) {
        if (line && indent.length + 1 + line.length + 1 + it.length + 1 > LINE_WIDTH) {
          lines.push(line);
          line = it;
        } else line = line ? `${line} ${it}` : it;
      }
      lines.push(line);
      return `[${lines.join(`\n${indent} `)}]`;
    }
    const stride = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(render(axis + 1, offset + i * stride, `${indent} `));
    const sep = `\n${"\n".repeat(shape.length - axis - 2)}${indent} `;
    return `[${parts.join(sep)}]`;
  };
  return render(0, 0, "");
}
