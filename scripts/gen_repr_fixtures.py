#!/usr/bin/env python3
"""How numpy and JAX print arrays, for tsjax's printing tests.

Writes test/fixtures/repr.json (run `npm run fixtures`). Each case is an
array (dtype, shape, row-major data) with
- "str":  numpy's str(a), which is also JAX's str(Array) and tsjax's toString();
- "repr": JAX's repr(Array), which is tsjax's util.inspect / console.log form.

JAX's repr is numpy's array2string with the prefix "Array(", separator ", "
and suffix ",", followed by "dtype=...)"; an empty array prints as
"[], shape=(...)". Where the dtype does not fit on the last line, JAX pads with
spaces on the same line (past the line width); we follow numpy's repr and
start a new line aligned after "Array(" instead.

numpy's default print options apply: line width 75, precision 8 (maxprec),
arrays of more than 1000 elements summarised with 3 edge items per axis.
Float data in JSON uses "nan", "inf", "-inf" strings; bool data true/false.
"""

import json
import pathlib

import numpy as np

from gen_fixtures import enc_float  # the shared JSON encoding of nan/inf

OUT = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "repr.json"
LINE_WIDTH = 75
DTYPE_NAMES = {np.dtype(np.float32): "float32", np.dtype(np.int32): "int32", np.dtype(np.bool_): "bool"}

f32, i32, b = np.float32, np.int32, np.bool_
NAN, INF = np.nan, np.inf


def jax_repr(a):
    prefix = "Array("
    dtype_str = f"dtype={a.dtype.name})"
    if a.size == 0:
        body = f"[], shape={a.shape}"
    else:
        body = np.array2string(a, prefix=prefix, suffix=",", separator=", ", max_line_width=LINE_WIDTH)
    text = prefix + body + ","
    last_line_len = len(text) - (text.rfind("\n") + 1)
    spacer = " " if last_line_len + 1 + len(dtype_str) <= LINE_WIDTH else "\n" + " " * len(prefix)
    return text + spacer + dtype_str


def enc_value(v, dtype):
    if dtype == "bool":
        return bool(v)
    if dtype == "int32":
        return int(v)
    return enc_float(v)


CASES = []


def case(name, a):
    a = np.asarray(a)
    dtype = DTYPE_NAMES[a.dtype]
    CASES.append(
        {
            "name": name,
            "dtype": dtype,
            "shape": list(a.shape),
            "data": [enc_value(v, dtype) for v in a.reshape(-1)],
            "str": str(a),
            "repr": jax_repr(a),
        }
    )


def arr(values, dtype):
    return np.array(values, dtype=dtype)


# ---------------------------------------------------------------- small arrays of each dtype

case("f32 vector", arr([1, 2, 3], f32))
case("f32 mixed fractions", arr([1.5, 2, -3], f32))
case("f32 matrix", arr([[1, 2], [3, 4]], f32))
case("f32 all zeros", np.zeros(3, f32))
case("f32 negative zero", arr([-0.0, 1.0], f32))
case("f32 rank 3", np.arange(24, dtype=f32).reshape(2, 3, 4) / 4)
case("i32 vector", arr([1, 2, 3], i32))
case("i32 mixed widths", arr([[1, -20], [300, 4]], i32))
case("i32 extremes", arr([-(2**31), 2**31 - 1, 0], i32))
case("i32 rank 4", np.arange(16, dtype=i32).reshape(2, 2, 2, 2))
case("bool vector", arr([True, False], b))
case("bool matrix", arr([[True], [False]], b))
case("bool all false", arr([False, False, False], b))

# ---------------------------------------------------------------- rank 0

for name, v, dt in [
    ("f32 scalar 1", 1.0, f32),
    ("f32 scalar 2.5", 2.5, f32),
    ("f32 scalar -0", -0.0, f32),
    ("f32 scalar nan", NAN, f32),
    ("f32 scalar -inf", -INF, f32),
    ("f32 scalar 1e16", 1e16, f32),
    ("f32 scalar 1e-5", 1e-5, f32),
    ("f32 scalar 0.0001", 1e-4, f32),
    ("f32 scalar 999999", 999999.0, f32),
    ("f32 scalar 1234567", 1234567.0, f32),
    ("f32 scalar 123456789", 123456789.0, f32),
    ("f32 scalar 1/3", 1 / 3, f32),
    ("i32 scalar", 7, i32),
    ("i32 scalar negative", -42, i32),
    ("bool scalar true", True, b),
    ("bool scalar false", False, b),
]:
    case(name, arr(v, dt))

# ---------------------------------------------------------------- float formatting choices

case("sci: small and large", arr([0.001, 10], f32))
case("sci: 1e9 and 1.5", arr([1e9, 1.5], f32))
case("sci: at the float32 cutoff 1e6", arr([1e6, 1], f32))
case("positional: just below 1e6", arr([999999, 1000], f32))
case("sci: below 1e-4", arr([1e-5, 1], f32))
case("sci: ratio above 1000", arr([0.0009765625, 1], f32))
case("sci: negative exponents", arr([-1.5e-7, 2.25e-5], f32))
case("sci: three exponent digits", arr([1e-38, 1e38], f32))
case("precision capped at 8 digits", arr([0.001234567, 1], f32))
case("precision: tie rounds half to even", arr([0.001953125, 0.005859375, 1], f32))
case("precision: rounding leaves trailing zeros", arr([0.0010000001, 1], f32))
case("shortest round-trip digits", arr([1 / 3, 2 / 3, 0.1, 0.7], f32))
case("powers of two", arr([2.0**-10, 2.0**-3, 2.0**20], f32))
case("large integers in float32", arr([16777216, 16777217, 1], f32))
case("nan inf mix", arr([NAN, 1.5, -INF], f32))
case("nan and inf only", arr([NAN, INF], f32))
case("inf alone", arr([INF], f32))
case("negative inf with integers", arr([-INF, 1, 2], f32))
case("all nan", arr([NAN, NAN], f32))
case("sci with nan", arr([1e-7, NAN, -INF], f32))

# ---------------------------------------------------------------- line wrapping and the dtype's line

case("f32 row wraps", np.arange(30, dtype=f32))
case("i32 row wraps", np.arange(40, dtype=i32))
case("bool row wraps", np.arange(20) % 3 == 0)
case("f32 matrix rows wrap", (np.arange(50, dtype=f32).reshape(5, 10) - 20) / 7)
for n in range(10, 22):
    case(f"f32 arange {n} (dtype line)", np.arange(n, dtype=f32))
for n in range(20, 26):
    case(f"i32 arange {n} (dtype line)", np.arange(n, dtype=i32) * 10)

# ---------------------------------------------------------------- summarised (more than 1000 elements)

case("i32 summarised vector", np.arange(2000, dtype=i32))
case("i32 summarised matrix", np.arange(2000, dtype=i32).reshape(40, 50))
case("i32 summarised outer axis only", np.arange(1010, dtype=i32).reshape(505, 2))
case("i32 summarised rank 3", np.arange(1210, dtype=i32).reshape(10, 11, 11))
case("f32 summarised", np.arange(1001, dtype=f32) / 3)
case("f32 summarised with nan", np.concatenate([arr([NAN], f32), np.arange(1500, dtype=f32)]))
case("bool summarised", np.arange(1200) % 2 == 0)
case("exactly 1000 elements", np.arange(1000, dtype=i32).reshape(100, 10))

# ---------------------------------------------------------------- empty

case("empty f32", np.zeros((0,), f32))
case("empty with zero axis inside", np.zeros((2, 0, 3), f32))
case("empty i32 matrix", np.zeros((0, 5), i32))
case("empty bool", np.zeros((3, 0), b))


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    lines = ",\n".join(json.dumps(c, allow_nan=False, separators=(",", ":")) for c in CASES)
    OUT.write_text(f'{{"numpy":"{np.__version__}","cases":[\n{lines}\n]}}\n')
    print(f"wrote {len(CASES)} cases to {OUT}")
