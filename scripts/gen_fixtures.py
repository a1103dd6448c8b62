#!/usr/bin/env python3
"""Reference results for every tsjax primitive, computed with numpy.

Writes test/fixtures/primitives.json (run `npm run fixtures`). Each case is
one primitive applied to concrete inputs with concrete params, and the output
numpy gives. Every backend's tests replay these cases.

Also writes test/fixtures/np_functions.json: numpy functions that tsjax's `np`
builds from several primitives (floor_divide, remainder, power), replayed
eagerly and through jit on every backend by test/frontend/numerics.test.ts.

Conventions, matching tsjax's semantics (JAX/XLA on CPU):
- float32 elementwise math is computed in float64 from the float32 inputs and
  rounded to float32 once (so transcendentals are correctly rounded), and so
  are sums and dot products (float64 accumulation, one rounding);
- int32 wraps; integer division truncates toward zero, the remainder has the
  dividend's sign, x / 0 = -1, x % 0 = x, INT_MIN / -1 = INT_MIN (XLA);
- float -> int32 conversion truncates, saturates and maps NaN to 0.

JSON has no NaN/inf: float data holds the strings "nan", "inf", "-inf" there.
Bool data is true/false.
"""

import json
import math
import pathlib
import string

import numpy as np

RNG = np.random.default_rng(20240611)
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures"
OUT = FIXTURES / "primitives.json"
NP_OUT = FIXTURES / "np_functions.json"

CASES = []
NP_CASES = []

# ---------------------------------------------------------------- encoding

DTYPE_NAMES = {np.dtype(np.float32): "float32", np.dtype(np.int32): "int32", np.dtype(np.bool_): "bool"}


def enc_float(v):
    v = float(v)
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def enc(a):
    a = np.asarray(a)
    dtype = DTYPE_NAMES[a.dtype]
    flat = a.reshape(-1)
    if dtype == "float32":
        data = [enc_float(v) for v in flat]
    elif dtype == "int32":
        data = [int(v) for v in flat]
    else:
        data = [bool(v) for v in flat]
    return {"dtype": dtype, "shape": list(a.shape), "data": data}


def case(prim, name, inputs, outputs, params=None):
    CASES.append(
        {
            "prim": prim,
            "name": name,
            "params": params or {},
            "inputs": [enc(x) for x in inputs],
            "outputs": [enc(y) for y in outputs],
        }
    )


def np_case(fn, name, inputs, output, ulp=0):
    """A tsjax function on concrete inputs, and numpy's result. `fn` is its
    path in numpy's spelling: "floor_divide" is np.floorDivide,
    "scipy.special.erf" is scipy.special.erf. `ulp`: how many float32 ulps the
    result may differ from numpy's correctly rounded one (0: bit for bit)."""
    NP_CASES.append({"fn": fn, "name": name, "inputs": [enc(x) for x in inputs], "output": enc(output), "ulp": ulp})


# ---------------------------------------------------------------- helpers


def f32(x):
    return np.asarray(x, dtype=np.float32)


def i32(x):
    return np.asarray(x, dtype=np.int32)


def b(x):
    return np.asarray(x, dtype=np.bool_)


def randn(*shape, scale=1.0):
    return f32(RNG.standard_normal(shape) * scale)


def randi(*shape, lo=-10, hi=10):
    return i32(RNG.integers(lo, hi, size=shape))


def via64(fn, *xs):
    """fn on the float32 inputs in float64, rounded to float32 once."""
    with np.errstate(all="ignore"):
        return f32(fn(*[np.asarray(x, dtype=np.float64) for x in xs]))


def wrap32(x):
    """int64 -> int32 modulo 2^32 (what int32 hardware arithmetic gives)."""
    return np.asarray(x, dtype=np.int64).astype(np.int32)


NAN = np.nan
INF = np.inf

# ---------------------------------------------------------------- unary


def unary_cases():
    edge = f32([0.0, -0.0, 1.0, -1.0, 0.5, NAN, INF, -INF])
    specs = {
        "exp": (np.exp, [randn(2, 3), f32([0.0, 1.0, -1.0, 88.0, 89.0, -100.0, -104.0, NAN, INF, -INF])]),
        "log": (np.log, [f32(np.abs(randn(2, 3)) + 0.01), f32([0.0, -0.0, -1.0, 1.0, 1e-30, 3e38, NAN, INF])]),
        "sin": (np.sin, [randn(2, 3, scale=5), f32([0.0, np.pi, -np.pi / 2, 1e6, NAN, INF])]),
        "cos": (np.cos, [randn(2, 3, scale=5), f32([0.0, np.pi, -np.pi / 2, 1e6, NAN, -INF])]),
        "tanh": (np.tanh, [randn(2, 3, scale=2), f32([0.0, 20.0, -20.0, 1e-8, NAN, INF, -INF])]),
        "logistic": (lambda x: 1.0 / (1.0 + np.exp(-x)), [randn(2, 3, scale=3), f32([0.0, 100.0, -100.0, 20.0, NAN, INF, -INF])]),
        "sqrt": (np.sqrt, [f32(np.abs(randn(2, 3))), f32([0.0, -0.0, -1.0, 2.0, 1e-40, NAN, INF])]),
        "rsqrt": (lambda x: 1.0 / np.sqrt(x), [f32(np.abs(randn(2, 3)) + 0.01), f32([0.0, 4.0, -1.0, 0.25, NAN, INF])]),
        "floor": (np.floor, [randn(2, 3, scale=3), f32([-1.5, -0.5, 0.5, 1.5, 2.0, -0.0, 8388607.5, NAN, INF, -INF])]),
        "ceil": (np.ceil, [randn(2, 3, scale=3), f32([-1.5, -0.5, 0.5, 1.5, 2.0, -0.0, 8388607.5, NAN, INF, -INF])]),
        "log1p": (np.log1p, [f32(np.abs(randn(2, 3)) - 0.5), f32([0.0, -0.0, 1e-8, -1e-8, 1e-30, -0.5, -1.0, -2.0, 3e38, NAN, INF, -INF])]),
        "expm1": (np.expm1, [randn(2, 3, scale=2), f32([0.0, -0.0, 1e-8, -1e-8, 1e-30, 0.5, -20.0, -100.0, 88.0, 89.0, NAN, INF, -INF])]),
        "erf": (np.vectorize(math.erf, otypes=[np.float64]), [randn(2, 3, scale=1.5), f32([0.0, -0.0, 1e-30, -1e-8, 0.5, 1.0, -2.0, 3.9, -4.0, 6.0, NAN, INF, -INF])]),
    }
    for prim, (fn, inputs) in specs.items():
        for k, x in enumerate(inputs):
            case(prim, ["random f32", "edge values"][k], [x], [via64(fn, x)])
        case(prim, "scalar", [f32(0.75)], [via64(fn, f32(0.75))])

    # The user-facing functions of the newer unary primitives: float32 results
    # within 2 ulp (the wasm backend's vector math), ints converted to float32
    # first (JAX's promotion; numpy would compute int32 inputs in float64).
    for path, prim in (("log1p", "log1p"), ("expm1", "expm1"), ("scipy.special.erf", "erf")):
        fn, (x, edge) = specs[prim]
        np_case(path, "random f32", [x], via64(fn, x), ulp=2)
        np_case(path, "edge values", [edge], via64(fn, edge), ulp=2)
        ints = i32([-3, 0, 1, 5])
        np_case(path, "int32 operand promotes to float32", [ints], via64(fn, f32(ints)), ulp=2)

    # neg / abs / sign: float and int (int wraps: -INT_MIN == INT_MIN)
    ints = i32([INT_MIN, INT_MIN + 1, -5, -1, 0, 1, 7, INT_MAX])
    for prim, fn in (("neg", np.negative), ("abs", np.abs), ("sign", np.sign)):
        x = randn(3, 2)
        case(prim, "random f32", [x], [via64(fn, x)])
        case(prim, "edge values", [edge], [via64(fn, edge)])
        with np.errstate(all="ignore"):
            case(prim, "int32 (wrapping)", [ints], [wrap32(fn(ints.astype(np.int64)))])

    # round: 0 = half away from zero, 1 = half to even
    xs = f32([-2.5, -1.5, -0.5, -0.3, 0.3, 0.5, 1.5, 2.5, 3.5, 0.49999997, -0.49999997, 4194304.5, 1e10, -0.0, NAN, INF, -INF])
    away = via64(lambda x: np.trunc(x + np.copysign(0.5, x)), xs)
    even = via64(np.rint, xs)
    case("round", "half away from zero", [xs], [away], {"rounding_method": 0})
    case("round", "half to even", [xs], [even], {"rounding_method": 1})
    x = randn(2, 3, scale=4)
    case("round", "random f32 half to even", [x], [via64(np.rint, x)], {"rounding_method": 1})

    # stop_gradient: the identity on every dtype
    for k, x in enumerate([randn(2, 3), i32([1, -2, INT_MAX]), b([True, False])]):
        case("stop_gradient", ["f32", "int32", "bool"][k], [x], [x])

    # not: bitwise on int32, logical on bool
    case("not", "int32 bitwise", [i32([0, -1, 5, INT_MAX, INT_MIN])], [np.invert(i32([0, -1, 5, INT_MAX, INT_MIN]))])
    case("not", "bool", [b([[True, False], [False, True]])], [b([[False, True], [True, False]])])
    case("not", "scalar bool", [b(True)], [b(False)])


# ---------------------------------------------------------------- binary


def int_div(x, y):
    x, y = np.asarray(x, np.int64), np.asarray(y, np.int64)
    safe = np.where(y == 0, 1, y)
    q = np.sign(x) * np.sign(safe) * (np.abs(x) // np.abs(safe))
    return wrap32(np.where(y == 0, -1, q))


def int_rem(x, y):
    x, y = np.asarray(x, np.int64), np.asarray(y, np.int64)
    safe = np.where(y == 0, 1, y)
    return wrap32(np.where(y == 0, x, np.fmod(x, safe)))


def binary_cases():
    a, c = randn(2, 3), randn(2, 3)
    int_a = i32([7, -7, 7, -7, 0, 5, INT_MIN, INT_MIN, 9, -9, INT_MAX, 1])
    int_b = i32([2, 2, -2, -2, 3, 0, -1, 1, 4, 0, -1, INT_MIN])

    def f64op(fn):
        return lambda x, y: via64(fn, x, y)

    for prim, fn, iop in (
        ("add", np.add, lambda x, y: wrap32(np.add(x.astype(np.int64), y.astype(np.int64)))),
        ("sub", np.subtract, lambda x, y: wrap32(np.subtract(x.astype(np.int64), y.astype(np.int64)))),
        ("mul", np.multiply, lambda x, y: wrap32(np.multiply(x.astype(np.int64), y.astype(np.int64)))),
    ):
        case(prim, "random f32", [a, c], [f64op(fn)(a, c)])
        case(prim, "scalar lhs", [f32(1.5), c], [f64op(fn)(f32(1.5), c)])
        case(prim, "scalar rhs", [a, f32(-2.25)], [f64op(fn)(a, f32(-2.25))])
        ex = f32([INF, INF, -INF, NAN, 3e38, 1e-30])
        ey = f32([-INF, 1.0, -INF, 1.0, 3e38, 1e-30])
        case(prim, "inf/nan/overflow", [ex, ey], [f64op(fn)(ex, ey)])
        x, y = i32([INT_MAX, INT_MIN, 65536, 123456789, -3, 40000]), i32([1, -1, 65536, 987654321, 4, 40000])
        case(prim, "int32 wrapping", [x, y], [iop(x, y)])
        ri, rj = randi(3, 4), randi(3, 4)
        case(prim, "random int32", [ri, rj], [iop(ri, rj)])

    fx = f32([7.0, -7.0, 7.0, -7.0, 1.0, -1.0, 0.0, 5.5, INF, 3.0, NAN])
    fy = f32([2.0, 2.0, -2.0, -2.0, 0.0, 0.0, 0.0, 0.0, 2.0, INF, 1.0])
    case("div", "f32 signs, division by zero", [fx, fy], [via64(np.divide, fx, fy)])
    case("div", "random f32", [a, c], [via64(np.divide, a, c)])
    case("div", "int32 truncation, x/0, INT_MIN/-1", [int_a, int_b], [int_div(int_a, int_b)])
    case("div", "int32 scalar divisor", [i32([-7, -6, 6, 7]), i32(-3)], [int_div([-7, -6, 6, 7], -3)])
    fx2 = f32([7.0, -7.0, 7.0, -7.0, 5.5, -5.5, 1.0, INF, 3.0, -0.0, 1e10])
    fy2 = f32([2.0, 2.0, -2.0, -2.0, 2.0, 2.0, 0.0, 2.0, INF, 1.0, 3.0])
    case("rem", "f32 fmod signs", [fx2, fy2], [via64(np.fmod, fx2, fy2)])
    case("rem", "int32 sign of dividend, x%0, INT_MIN%-1", [int_a, int_b], [int_rem(int_a, int_b)])
    ri = randi(2, 3, lo=-20, hi=20)
    case("rem", "random int32 by scalar", [ri, i32(-3)], [int_rem(ri, -3)])

    px = f32([2.0, 2.0, -8.0, 0.0, 1.0, NAN, -2.0, 2.0, -1.0, 0.5, 10.0])
    py = f32([3.0, -0.5, 1.0 / 3.0, -1.0, NAN, 0.0, 3.0, -INF, INF, 2.5, 40.0])
    case("pow", "C pow edge cases", [px, py], [via64(np.power, px, py)])
    pa = f32(np.abs(randn(2, 3)) + 0.1)
    case("pow", "random positive base", [pa, c], [via64(np.power, pa, c)])
    case("pow", "scalar exponent", [pa, f32(2.0)], [via64(np.power, pa, f32(2.0))])
    int_pow_cases()

    mx = f32([1.0, NAN, 3.0, -INF, INF, -1.0, NAN])
    my = f32([2.0, 1.0, NAN, 5.0, 5.0, -2.0, NAN])
    for prim, fn in (("max", np.maximum), ("min", np.minimum)):
        case(prim, "f32 NaN propagates", [mx, my], [fn(mx, my)])
        case(prim, "random f32", [a, c], [fn(a, c)])
        case(prim, "scalar rhs", [a, f32(0.0)], [fn(a, f32(0.0))])
        x, y = i32([INT_MIN, 3, -4, INT_MAX]), i32([0, 3, -5, -1])
        case(prim, "int32", [x, y], [fn(x, y)])
        bx, by = b([True, True, False, False]), b([True, False, True, False])
        case(prim, "bool (or/and)", [bx, by], [fn(bx, by)])

    ix, iy = i32([12, -1, INT_MIN, 0x0F0F, -6]), i32([10, 5, -1, 0x00FF, 3])
    bx, by = b([True, True, False, False]), b([True, False, True, False])
    case("and", "int32 bitwise", [ix, iy], [np.bitwise_and(ix, iy)])
    case("and", "bool", [bx, by], [np.logical_and(bx, by)])
    case("and", "bool scalar", [bx, b(True)], [np.logical_and(bx, True)])
    case("or", "int32 bitwise", [ix, iy], [np.bitwise_or(ix, iy)])
    case("or", "bool", [bx, by], [np.logical_or(bx, by)])
    case("or", "int32 scalar", [ix, i32(1)], [np.bitwise_or(ix, 1)])

    cx = f32([1.0, 2.0, 3.0, NAN, NAN, INF, -INF, -0.0])
    cy = f32([2.0, 2.0, 2.0, 1.0, NAN, INF, 1.0, 0.0])
    cix, ciy = i32([1, 2, 3, INT_MIN]), i32([2, 2, 2, INT_MAX])
    for prim, fn in (
        ("lt", np.less), ("le", np.less_equal), ("gt", np.greater),
        ("ge", np.greater_equal), ("eq", np.equal), ("ne", np.not_equal),
    ):
        case(prim, "f32 with NaN/inf/-0", [cx, cy], [fn(cx, cy)])
        case(prim, "int32", [cix, ciy], [fn(cix, ciy)])
        case(prim, "bool", [bx, by], [fn(bx, by)])
        case(prim, "scalar rhs", [a, f32(0.0)], [fn(a, f32(0.0))])


def int_pow(x, y):
    """numpy's int32 power, checked against Python's exact integers reduced mod 2^32."""
    x, y = np.broadcast_arrays(i32(x), i32(y))
    assert (y >= 0).all(), "numpy raises on negative integer exponents"
    with np.errstate(all="ignore"):
        got = np.power(x, y)
    exact = [pow(int(a), int(e), 2**32) for a, e in zip(x.reshape(-1), y.reshape(-1))]
    assert [int(v) for v in got.reshape(-1)] == [int(v) for v in wrap32(exact)], "numpy int32 power does not wrap"
    return got


def int_pow_cases():
    """int32 pow: exact, wrapping like numpy. Own RNG, so the other cases' random data is unchanged."""
    rng = np.random.default_rng(31)
    x = i32([7, 3, 0, 0, 1, 1, -1, -1, 5, -3, -3, 2, 2, 2, -2, 3, 3, 65536, INT_MIN, INT_MIN, INT_MAX, 123456])
    y = i32([9, 19, 0, 5, 0, INT_MAX, 7, 8, 0, 3, 4, 30, 31, 32, 31, 40, INT_MAX, 2, 1, 2, 2, 3])
    case("pow", "int32 exact, wrapping, 0**0 and +-1 bases", [x, y], [int_pow(x, y)])
    rx, ry = i32(rng.integers(-50, 50, size=(3, 4))), i32(rng.integers(0, 40, size=(3, 4)))
    case("pow", "random int32", [rx, ry], [int_pow(rx, ry)])
    case("pow", "int32 scalar exponent", [rx, i32(3)], [int_pow(rx, 3)])
    case("pow", "int32 scalar base", [i32(-3), ry], [int_pow(-3, ry)])
    # numpy raises for negative integer exponents; a traced program cannot, so
    # pow follows XLA there: 1 for x = 1, +-1 by parity for x = -1, else 0.
    nx = i32([1, 1, -1, -1, -1, 0, 2, -2, 5, INT_MIN, INT_MAX, 1])
    ny = i32([-1, INT_MIN, -1, -2, INT_MIN, -1, -1, -3, -2, -1, -1, -7])
    xla = np.where(nx == 1, 1, np.where(nx == -1, np.where(ny % 2 == 0, 1, -1), 0))
    case("pow", "int32 negative exponent (XLA)", [nx, ny], [i32(xla)])


# ---------------------------------------------------------------- select, convert


def select_convert_cases():
    x0, x1, x2 = randn(2, 3), randn(2, 3), randn(2, 3)
    w = b([[True, False, True], [False, False, True]])
    case("select_n", "bool which", [w, x0, x1], [np.where(w, x1, x0)])
    wi = i32([[0, 1, 2], [5, -1, 1]])
    case("select_n", "int32 which, clamped", [wi, x0, x1, x2], [np.choose(wi, [x0, x1, x2], mode="clip")])
    case("select_n", "scalar bool which", [b(True), x0, x1], [x1])
    case("select_n", "scalar int32 which", [i32(0), x0, x1, x2], [x0])
    case("select_n", "scalar int32 which, clamped", [i32(7), x0, x1, x2], [x2])
    ii0, ii1 = randi(4), randi(4)
    wb = b([False, True, True, False])
    case("select_n", "int32 cases", [wb, ii0, ii1], [np.where(wb, ii1, ii0)])
    case("select_n", "one case", [i32([3, 0]), f32([1.0, 2.0])], [f32([1.0, 2.0])])

    def to_int(x):
        x = np.asarray(x, np.float64)
        with np.errstate(all="ignore"):
            t = np.clip(np.trunc(np.where(np.isnan(x), 0.0, x)), INT_MIN, INT_MAX)
        return t.astype(np.int64).astype(np.int32)

    fx = f32([2.7, -2.7, 0.5, -0.5, 1e10, -1e10, 2147483520.0, 2147483648.0, -2147483648.0, NAN, INF, -INF, -0.0])
    case("convert_element_type", "f32 -> i32 truncates, saturates, NaN -> 0", [fx], [to_int(fx)], {"new_dtype": "int32"})
    ix = i32([0, 1, -1, 16777217, 16777219, INT_MAX, INT_MIN, 123456789])
    case("convert_element_type", "i32 -> f32 rounds to nearest", [ix], [ix.astype(np.float32)], {"new_dtype": "float32"})
    bf = f32([0.0, -0.0, NAN, 0.5, -INF, 1e-45])
    case("convert_element_type", "f32 -> bool is x != 0", [bf], [bf != 0], {"new_dtype": "bool"})
    bi = i32([0, 1, -1, INT_MIN])
    case("convert_element_type", "i32 -> bool", [bi], [bi != 0], {"new_dtype": "bool"})
    bb = b([[True, False], [False, True]])
    case("convert_element_type", "bool -> f32", [bb], [bb.astype(np.float32)], {"new_dtype": "float32"})
    case("convert_element_type", "bool -> i32", [bb], [bb.astype(np.int32)], {"new_dtype": "int32"})
    x = randn(2, 2)
    case("convert_element_type", "f32 -> f32", [x], [x], {"new_dtype": "float32"})
    case("convert_element_type", "i32 -> i32", [ix], [ix], {"new_dtype": "int32"})


# ---------------------------------------------------------------- shape ops


def broadcast_ref(x, shape, dims):
    expanded = [1] * len(shape)
    for i, d in enumerate(dims):
        expanded[d] = x.shape[i]
    return np.broadcast_to(x.reshape(expanded), shape).copy()


def shape_cases():
    for name, x, shape, dims in (
        ("scalar to [2,3]", f32(1.5), (2, 3), ()),
        ("[3] along axis 1 of [2,3]", randn(3), (2, 3), (1,)),
        ("[2] along axis 0 of [2,3]", randn(2), (2, 3), (0,)),
        ("size-1 axis expands", randn(2, 1), (2, 4), (0, 1)),
        ("[3,1] into [2,3,4]", randn(3, 1), (2, 3, 4), (1, 2)),
        ("int32 [2,3] to [2,4,3]", randi(2, 3), (2, 4, 3), (0, 2)),
        ("bool [2] to [2,2]", b([True, False]), (2, 2), (0,)),
        ("identity", randn(2, 2), (2, 2), (0, 1)),
    ):
        case("broadcast_in_dim", name, [x], [broadcast_ref(x, shape, dims)], {"shape": list(shape), "broadcast_dimensions": list(dims)})

    x = randn(2, 3, 4)
    for name, src, new in (
        ("[2,3,4] -> [4,6]", x, (4, 6)),
        ("[2,3,4] -> [24]", x, (24,)),
        ("[2,3,4] -> [3,2,2,2]", x, (3, 2, 2, 2)),
        ("scalar -> [1,1]", f32(3.0), (1, 1)),
        ("int32 [6] -> [2,3]", randi(6), (2, 3)),
    ):
        case("reshape", name, [src], [src.reshape(new)], {"new_sizes": list(new)})

    for name, src, perm in (
        ("matrix", randn(2, 3), (1, 0)),
        ("rank 3 (2,0,1)", x, (2, 0, 1)),
        ("rank 3 (1,0,2)", x, (1, 0, 2)),
        ("identity", x, (0, 1, 2)),
        ("int32 rank 4", randi(2, 1, 3, 2), (3, 1, 0, 2)),
    ):
        case("transpose", name, [src], [np.transpose(src, perm)], {"permutation": list(perm)})

    y = randn(1, 3, 1)
    case("squeeze", "axes 0 and 2", [y], [np.squeeze(y, (0, 2))], {"dimensions": [0, 2]})
    case("squeeze", "axis 2", [y], [np.squeeze(y, 2)], {"dimensions": [2]})
    case("squeeze", "to scalar", [f32([4.5])], [f32(4.5)], {"dimensions": [0]})
    z = randn(2, 3)
    v = randn(3)
    case("expand_dims", "leading", [v], [np.expand_dims(v, 0)], {"dimensions": [0]})
    case("expand_dims", "axes 0 and 3", [z], [np.expand_dims(z, (0, 3))], {"dimensions": [0, 3]})
    case("expand_dims", "scalar", [i32(5)], [i32([5])], {"dimensions": [0]})

    for name, dtype, shape, dim in (
        ("int32 [5]", "int32", (5,), 0),
        ("f32 [2,3] along 1", "float32", (2, 3), 1),
        ("int32 [2,3] along 0", "int32", (2, 3), 0),
        ("int32 [2,3,2] along 1", "int32", (2, 3, 2), 1),
    ):
        npdt = np.float32 if dtype == "float32" else np.int32
        shp = [1] * len(shape)
        shp[dim] = shape[dim]
        ref = np.broadcast_to(np.arange(shape[dim]).reshape(shp), shape).astype(npdt)
        case("iota", name, [], [ref], {"dtype": dtype, "shape": list(shape), "dimension": dim})

    p, q, r = randn(2, 3), randn(1, 3), randn(3, 3)
    case("concatenate", "axis 0, three operands", [p, q, r], [np.concatenate([p, q, r], 0)], {"dimension": 0})
    s, t = randn(2, 1), randn(2, 3)
    case("concatenate", "axis 1", [s, t, s], [np.concatenate([s, t, s], 1)], {"dimension": 1})
    u, w = randi(2, 2, 3), randi(2, 1, 3)
    case("concatenate", "int32 rank 3 axis 1", [u, w], [np.concatenate([u, w], 1)], {"dimension": 1})
    case("concatenate", "bool", [b([True]), b([False, True])], [b([True, False, True])], {"dimension": 0})
    case("concatenate", "one operand", [p], [p], {"dimension": 1})


# ---------------------------------------------------------------- reductions, dot


def reduce_cases():
    x = randn(3, 4, 5)
    xi = i32(RNG.integers(-1000, 1000, size=(3, 4)))
    with_nan = f32([[1.0, NAN, 3.0], [4.0, -INF, 2.0]])
    for prim, fn, empty_f, empty_i in (
        ("reduce_sum", np.sum, 0.0, 0),
        ("reduce_max", np.max, -INF, INT_MIN),
        ("reduce_min", np.min, INF, INT_MAX),
    ):
        for axes in ((0, 2), (1,), (0, 1, 2), (2, 0)):
            ref = f32(fn(x.astype(np.float64), axis=tuple(axes)))
            case(prim, f"f32 axes {axes}", [x], [ref], {"axes": list(axes)})
        case(prim, "no axes", [x], [x], {"axes": []})
        case(prim, "int32 axis 1", [xi], [wrap32(fn(xi.astype(np.int64), axis=1))], {"axes": [1]})
        case(prim, "f32 with NaN and -inf", [with_nan], [f32(fn(with_nan.astype(np.float64), axis=1))], {"axes": [1]})
        case(prim, "empty f32 axis", [np.zeros((0, 3), np.float32)], [f32([empty_f] * 3)], {"axes": [0]})
        case(prim, "empty int32 axis", [np.zeros((2, 0), np.int32)], [i32([empty_i] * 2)], {"axes": [1]})
        if prim != "reduce_sum":
            bb = b([[True, False, False], [False, False, False]])
            case(prim, "bool (any/all)", [bb], [fn(bb, axis=1)], {"axes": [1]})
            case(prim, "empty bool axis", [np.zeros((0, 2), np.bool_)], [b([prim == "reduce_min"] * 2)], {"axes": [0]})
    big = i32([INT_MAX, 1, 5])
    case("reduce_sum", "int32 wraps", [big], [wrap32(np.sum(big.astype(np.int64)))], {"axes": [0]})

    def argmax(x, axis):
        # numpy's argmax: first occurrence of the maximum, a NaN counts as the maximum.
        return i32(np.argmax(x, axis=axis))

    ties = f32([[1.0, 3.0, 3.0, 2.0], [5.0, 5.0, 5.0, 5.0], [-1.0, -2.0, -1.0, -3.0]])
    params = lambda ax: {"axes": [ax], "index_dtype": "int32"}  # noqa: E731
    case("argmax", "ties axis 1", [ties], [argmax(ties, 1)], params(1))
    case("argmax", "ties axis 0", [ties], [argmax(ties, 0)], params(0))
    nan = f32([[1.0, NAN, 7.0, NAN], [-INF, -INF, -INF, -INF], [2.0, INF, NAN, 3.0]])
    case("argmax", "NaN is the maximum", [nan], [argmax(nan, 1)], params(1))
    r3 = randn(2, 3, 4)
    case("argmax", "rank 3 axis 1", [r3], [argmax(r3, 1)], params(1))
    ri = randi(3, 5, lo=0, hi=4)
    case("argmax", "int32", [ri], [argmax(ri, 1)], params(1))
    bb = b([[False, True, True], [False, False, False]])
    case("argmax", "bool", [bb], [argmax(bb, 1)], params(1))
    case("argmax", "vector", [f32([0.5, 2.0, -1.0])], [i32(1)], params(0))


def einsum_ref(x, y, dn):
    """dot_general via np.einsum: batch dims, lhs free dims, rhs free dims."""
    (lc, rc), (lb, rb) = dn
    letters = iter(string.ascii_letters)
    lhs = [next(letters) for _ in range(x.ndim)]
    rhs = [None] * y.ndim
    for l_ax, r_ax in zip(lc, rc):
        rhs[r_ax] = lhs[l_ax]
    for l_ax, r_ax in zip(lb, rb):
        rhs[r_ax] = lhs[l_ax]
    rhs = [s if s is not None else next(letters) for s in rhs]
    out = [lhs[a] for a in lb]
    out += [lhs[a] for a in range(x.ndim) if a not in lc and a not in lb]
    out += [rhs[a] for a in range(y.ndim) if a not in rc and a not in rb]
    spec = f"{''.join(lhs)},{''.join(rhs)}->{''.join(out)}"
    if x.dtype == np.int32:
        return wrap32(np.einsum(spec, x.astype(np.int64), y.astype(np.int64)))
    return f32(np.einsum(spec, x.astype(np.float64), y.astype(np.float64)))


def dot_cases():
    for name, xs, ys, dn in (
        ("matmul", (3, 4), (4, 5), (([1], [0]), ([], []))),
        ("matrix-vector", (3, 4), (4,), (([1], [0]), ([], []))),
        ("vector-vector", (4,), (4,), (([0], [0]), ([], []))),
        ("outer product", (3,), (2,), (([], []), ([], []))),
        ("lhs-transposed matmul", (4, 3), (4, 5), (([0], [0]), ([], []))),
        ("batched matmul", (2, 3, 4), (2, 4, 5), (([2], [1]), ([0], [0]))),
        ("batch dims not leading", (3, 2, 4), (4, 5, 2), (([2], [0]), ([1], [2]))),
        ("two contracting dims, reordered", (2, 3, 4), (3, 2, 5), (([0, 1], [1, 0]), ([], []))),
        ("two batch dims", (2, 3, 4, 2), (3, 2, 2, 5), (([3], [2]), ([0, 1], [1, 0]))),
        ("batch only (elementwise product)", (2, 3), (2, 3), (([], []), ([0, 1], [0, 1]))),
        ("zero-size contraction", (2, 0), (0, 3), (([1], [0]), ([], []))),
    ):
        x, y = randn(*xs), randn(*ys)
        case("dot_general", name, [x, y], [einsum_ref(x, y, dn)], {"dimension_numbers": [list(map(list, dn[0])), list(map(list, dn[1]))]})
    xi, yi = randi(3, 4, lo=-50, hi=50), randi(4, 2, lo=-50, hi=50)
    dn = (([1], [0]), ([], []))
    case("dot_general", "int32 matmul", [xi, yi], [einsum_ref(xi, yi, dn)], {"dimension_numbers": [[[1], [0]], [[], []]]})
    xw, yw = i32([[65536, 65536]]), i32([[65536], [3]])
    case("dot_general", "int32 wraps", [xw, yw], [einsum_ref(xw, yw, dn)], {"dimension_numbers": [[[1], [0]], [[], []]]})
    # Long and cancelling float sums: where float32 accumulation (the wasm
    # backend's) differs from this double-accumulated reference. Own RNG, so
    # adding them left every other case's random data unchanged.
    long_rng = np.random.default_rng(7)
    xl, yl = f32(long_rng.standard_normal((3, 300))), f32(long_rng.standard_normal((300, 10)))
    case("dot_general", "long contraction (k=300)", [xl, yl], [einsum_ref(xl, yl, dn)], {"dimension_numbers": [[[1], [0]], [[], []]]})
    xc, yc = f32([[1e8, 1, -1e8], [3, 1e-3, -3]]), f32([[1], [1], [1]])
    case("dot_general", "cancelling sums", [xc, yc], [einsum_ref(xc, yc, dn)], {"dimension_numbers": [[[1], [0]], [[], []]]})


# ---------------------------------------------------------------- indexing


def index_cases():
    x = randn(5, 6)
    for name, start, limit, strides in (
        ("rows 1:4", (1, 0), (4, 6), None),
        ("strides (2,3)", (0, 1), (5, 6), (2, 3)),
        ("strides (3,1) from 1", (1, 2), (5, 5), (3, 1)),
        ("empty", (2, 2), (2, 6), None),
    ):
        idx = tuple(slice(s, l, (strides[i] if strides else 1)) for i, (s, l) in enumerate(zip(start, limit)))
        case("slice", name, [x], [x[idx]], {"start_indices": list(start), "limit_indices": list(limit), "strides": list(strides) if strides else None})
    v = randi(10)
    case("slice", "int32 vector stride 4", [v], [v[1:10:4]], {"start_indices": [1], "limit_indices": [10], "strides": [4]})

    def dyn_ref(x, starts, sizes):
        clamped = [min(max(s, 0), d - n) for s, d, n in zip(starts, x.shape, sizes)]
        return x[tuple(slice(c, c + n) for c, n in zip(clamped, sizes))]

    for name, starts, sizes in (
        ("in bounds", (1, 2), (3, 2)),
        ("start past the end is clamped", (4, 5), (3, 2)),
        ("negative start is clamped to 0", (-2, 1), (2, 4)),
        ("full size", (3, 3), (5, 6)),
    ):
        case("dynamic_slice", name, [x, i32(starts[0]), i32(starts[1])], [dyn_ref(x, starts, sizes)], {"slice_sizes": list(sizes)})
    vi = randi(8)
    case("dynamic_slice", "int32 vector", [vi, i32(6)], [dyn_ref(vi, (6,), (3,))], {"slice_sizes": [3]})

    def dus_ref(x, u, starts):
        clamped = [min(max(s, 0), d - n) for s, d, n in zip(starts, x.shape, u.shape)]
        out = x.copy()
        out[tuple(slice(c, c + n) for c, n in zip(clamped, u.shape))] = u
        return out

    u = randn(2, 3)
    for name, starts in (("in bounds", (1, 2)), ("clamped past the end", (9, 9)), ("negative clamped", (-1, -5))):
        case("dynamic_update_slice", name, [x, u, i32(starts[0]), i32(starts[1])], [dus_ref(x, u, starts)])
    ub = b([True, True])
    xb = b([False] * 5)
    case("dynamic_update_slice", "bool vector", [xb, ub, i32(2)], [dus_ref(xb, ub, (2,))])


# ---------------------------------------------------------------- np functions


def np_function_cases():
    """floor_divide/remainder on float32 (numpy's divmod, bit for bit: signs of
    zero included) and integer power. Own RNG, like every later addition."""
    rng = np.random.default_rng(4)

    def divmod_case(name, a, b):
        a, b = f32(a), f32(b)
        with np.errstate(all="ignore"):
            q, r = np.divmod(a, b)
            assert np.array_equal(q, np.floor_divide(a, b), equal_nan=True)
            assert np.array_equal(r, np.remainder(a, b), equal_nan=True)
        np_case("floor_divide", name, [a, b], q)
        np_case("remainder", name, [a, b], r)

    divmod_case("1 / 0.1 and its sign flips", [1, -1, 1, -1, 0.3, 2], [0.1, 0.1, -0.1, -0.1, 0.1, 0.2])
    divmod_case(
        "signs, and -0.0 results",
        [7.5, -7.5, 7.5, -7.5, 0, -0.0, 0, -0.0, 6, -6, 6, -6, 1e-30, -1e-30, 2, -2],
        [2, 2, -2, -2, 3, 3, -3, -3, 3, 3, -3, -3, 1e30, 1e30, 3, -3],
    )
    divmod_case("zero divisor: inf and nan", [1, -1, 0, -0.0, NAN, INF, 1, -1], [0, 0, 0, 0, 0, 0, -0.0, -0.0])
    divmod_case(
        "inf and nan operands",
        [INF, -INF, 1, -1, 1, -1, NAN, 1, INF, 0],
        [2, 2, INF, INF, -INF, -INF, 1, NAN, INF, -INF],
    )
    divmod_case(
        "large quotients",
        [1e30, -1e30, 3e38, 16777217, 1e10, 16777215, 7, 3e38],
        [1e-30, 3, 1e-10, 3, 7, 0.5, 1e-38, -3e-38],
    )
    ra = f32(rng.standard_normal((3, 4)) * 10.0 ** rng.integers(-3, 4, (3, 4)))
    rb = f32(rng.standard_normal((3, 4)) * 10.0 ** rng.integers(-3, 4, (3, 4)))
    divmod_case("random", ra, rb)
    divmod_case("scalar divisor", f32([1, 2.5, -3, 0.7, -0.0]), f32(0.1))

    x, y = i32([7, 3]), i32([9, 19])
    np_case("power", "int32 array exponent is exact ([7, 3] ** [9, 19])", [x, y], int_pow(x, y))
    x = i32([0, 1, -1, -1, 2, -2, 3, 65536, INT_MIN, 123456])
    y = i32([0, INT_MAX, 7, 8, 31, 31, INT_MAX, 2, 2, 3])
    np_case("power", "int32 wrapping, 0**0, +-1 bases", [x, y], int_pow(x, y))
    np_case("power", "int32 scalar exponent", [x, i32(5)], int_pow(x, 5))


def write(path, description, key, cases):
    doc = {"description": description, "numpy_version": np.__version__, key: cases}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=None, allow_nan=False, separators=(",", ":")).replace('{"prim"', '\n{"prim"').replace('{"fn"', '\n{"fn"') + "\n")
    print(f"wrote {len(cases)} cases to {path}")


def main():
    unary_cases()
    binary_cases()
    select_convert_cases()
    shape_cases()
    reduce_cases()
    dot_cases()
    index_cases()
    for c in CASES:
        assert c["outputs"], f"case without expected output: {c['prim']} {c['name']}"
    write(OUT, "Reference results for tsjax primitives, generated by scripts/gen_fixtures.py with numpy. Do not edit by hand.", "cases", CASES)
    np_function_cases()
    write(NP_OUT, "Reference results for numpy functions tsjax composes from primitives, generated by scripts/gen_fixtures.py with numpy. Do not edit by hand.", "cases", NP_CASES)


if __name__ == "__main__":
    main()
