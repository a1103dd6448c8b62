#!/usr/bin/env python3
"""Reference values of erf in float64, from Python's math.erf.

Writes test/fixtures/erf.json (run `python3 scripts/gen_erf_fixtures.py`),
which test/ir/erf.test.ts replays against src/ir/prims/erf.ts, the float64
erf that tsjax's interpreter and js backend use (JavaScript has no Math.erf).
math.erf is the C library's erf, accurate to within 1 ulp.

Points: dense over [-6, 6] (beyond, erf rounds to ±1), log-spaced tiny
magnitudes down to the smallest normal, subnormals, a few ulps either side
of each switch between the implementation's methods (2^-28, 1/2, 3, 6) and
between its Taylor expansions (halfway between centres j/8), and the special
values. JSON has no NaN/inf: those are the strings "nan", "inf",
"-inf".
"""

import json
import math
import pathlib
import random

OUT = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "erf.json"
RNG = random.Random(20261207)


def enc(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def ulps_around(c, k):
    """c and the k floats on either side of it."""
    xs = [c]
    up = down = c
    for _ in range(k):
        up = math.nextafter(up, math.inf)
        down = math.nextafter(down, -math.inf)
        xs += [up, down]
    return xs


def points():
    xs = []
    xs += [-6 + 12 * i / 2000 for i in range(2001)]  # a grid over [-6, 6]
    xs += [RNG.uniform(-6, 6) for _ in range(2000)]
    xs += [RNG.uniform(0.4, 3.2) for _ in range(500)]  # the Taylor expansions and their neighbours
    # magnitudes log-uniform from the smallest normal to 1, both signs
    xs += [RNG.choice([-1, 1]) * 10 ** RNG.uniform(-307.6, 0) for _ in range(500)]
    # subnormals, including the smallest
    xs += [RNG.choice([-1, 1]) * 2**-1074 * RNG.randrange(1, 2**52) for _ in range(50)]
    xs += [5e-324, -5e-324, 2**-1022, -(2**-1022)]
    for switch in [2**-28, 0.5, 3.0, 6.0]:
        for c in [switch, -switch]:
            xs += ulps_around(c, 4)
    for j in range(4, 24):
        xs += ulps_around(j / 8 + 1 / 16, 2)
    xs += [0.0, -0.0, math.inf, -math.inf, math.nan, 5.9, 6.5, 27.0, 1e300, -1e300, 1.7976931348623157e308]
    return xs


def main():
    cases = [[enc(x), enc(math.erf(x))] for x in points()]
    OUT.write_text(json.dumps({"description": "[x, math.erf(x)] in float64", "cases": cases}) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
