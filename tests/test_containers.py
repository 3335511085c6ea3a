"""Every NumPy ufunc and Python operator of the table, with the differentiated value in every argument
position and every container, next to every kind of plain value NumPy users pass (issue 13).

Generated from the records: the differentiated argument is a scalar box or an array of boxes; the
other arguments are a Python float, NumPy scalars of each float and int dtype, a float array and a
0-d array. The derivative of ``np.sum(f(...))`` is checked against Richardson extrapolation of the
same computation on plain floats, which shares no rule with AD.
"""
import math
import operator
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hybriddiff as hd
from hybriddiff.core.functions import COMPOSED, dunder_table, ufunc_table

N = 3   # entries of array arguments

OTHERS = {  # kind -> a plain value (or array) of that kind, from a number
    "float": float, "float64": np.float64, "float32": np.float32, "int64": lambda v: np.int64(round(v)),
    "array": lambda v: np.full(N, v), "0-d": lambda v: np.array(v),
}


def _domains(name: str, fn) -> list[tuple[float, float]]:
    """Where each argument is sampled: the record's domain, or one where the composed function is
    smooth; every value is at least 0.5 away from an integer for the piecewise-constant ones."""
    prim = hd.PRIMITIVES.get(getattr(fn, "name", None))
    if prim is not None:
        return [(lo + 0.1 * (hi - lo), hi - 0.1 * (hi - lo)) for lo, hi in prim.domain]
    return {"reciprocal": [(0.5, 2.0)], "float_power": [(0.5, 2.0), (0.5, 2.0)],
            "heaviside": [(0.2, 0.8), (0.5, 0.5)]}.get(name, [(0.2, 0.8)] * 2)


def _cases():
    cases = []
    for name, fn in sorted(ufunc_table().items()):
        ufunc = getattr(np, name)
        for position in range(ufunc.nin):
            if name == "heaviside" and position == 1:
                continue   # the value at 0: a constant, not differentiable
            for other in OTHERS if ufunc.nin > 1 else ["float"]:
                if name == "heaviside" and other == "int64":
                    continue   # h0 = 0: refused (only the table's tie convention 1/2), tested elsewhere
                cases.append((name, position, other))
    return cases


def _point(name: str, fn, k: int) -> list[float]:
    """A sample value per argument; piecewise functions get points away from their jumps."""
    points = [lo + (0.37 + 0.21 * i) % 1.0 * (hi - lo) for i, (lo, hi) in enumerate(_domains(name, fn))]
    return points[:k]


@pytest.mark.parametrize("container", ["scalar", "array"])
@pytest.mark.parametrize("name, position, other", _cases())
def test_every_ufunc_in_every_position(name, position, other, container):
    ufunc = getattr(np, name)
    fn = ufunc_table()[name]
    point = _point(name, fn, ufunc.nin)
    if other == "int64" and name in ("float_power", "arctan2", "hypot", "fmod", "mod", "remainder",
                                     "logaddexp", "logaddexp2", "power"):
        point = [round(v) + 0.3 if i == position else max(round(v), 1) for i, v in enumerate(point)]

    def args_with(x):
        args = [OTHERS[other](v) for v in point]
        args[position] = x
        return args

    def f(x):
        return np.sum(ufunc(*args_with(x)))

    x0 = point[position] if container == "scalar" else np.linspace(point[position] - 0.05,
                                                                    point[position] + 0.05, N)
    def reference(t):   # the same computation in float64 (a float32 constant keeps its exact value)
        args = [float(OTHERS[other](v)) if other != "array" else np.full(N, float(v)) for v in point]
        args[position] = t
        return float(np.sum(ufunc(*args)))

    rel = 1e-5 if other == "float32" else 1e-7   # NumPy computes with a float32 in float32
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        expected = hd.finite_difference(reference, x0, scheme="richardson")
        for mode in ("forward", "reverse"):
            got = hd.grad(f, mode=mode)(x0)
            assert np.allclose(got, expected, rtol=rel, atol=1e-9), (mode, got, expected)


@pytest.mark.parametrize("stem", sorted(dunder_table()))
@pytest.mark.parametrize("other", sorted(OTHERS))
@pytest.mark.parametrize("reflected", [False, True], ids=["box first", "box second"])
def test_every_operator_in_both_positions(stem, other, reflected):
    fn, arity = dunder_table()[stem]
    if arity == 1 and (reflected or other != "float"):
        pytest.skip("a unary operator has one position")
    python = {"floordiv": operator.floordiv, "floor": math.floor, "ceil": math.ceil, "trunc": math.trunc}
    op = python.get(stem) or getattr(operator, stem)
    a, b = 1.3, 0.7
    plain = OTHERS[other](b)
    rel = 1e-5 if other == "float32" else 1e-7   # NumPy computes with a float32 in float32

    def f(x):
        if arity == 1:
            return op(x)
        out = op(plain, x) if reflected else op(x, plain)
        return np.sum(out)

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        expected = hd.finite_difference(lambda t: float(np.sum(f(t))), a, scheme="richardson")
        for mode in ("forward", "reverse"):
            assert hd.grad(f, mode=mode)(a) == pytest.approx(expected, rel=rel, abs=1e-9)


def test_composed_records_reach_numpy():
    for composed in COMPOSED:
        for name in composed.ufuncs:
            assert ufunc_table()[name] is composed.fn


# ---------------------------------------------------------------- hypothesis: mixed expressions
PLAIN = st.sampled_from(sorted(set(OTHERS) - {"float32"}))   # float32 (float32 arithmetic): above
SAFE = st.sampled_from(["add", "subtract", "multiply", "sin", "exp", "tanh", "arctan", "logaddexp",
                        "hypot", "maximum"])


@st.composite
def mixed_expressions(draw):
    """A chain of ufuncs where each step mixes the running value with a plain value of any kind."""
    steps = draw(st.lists(st.tuples(SAFE, PLAIN, st.floats(0.2, 1.5), st.booleans()), min_size=1, max_size=6))
    return steps


def _run(steps, x):
    for name, kind, value, first in steps:
        ufunc = getattr(np, name)
        if ufunc.nin == 1:
            x = ufunc(x)
        else:
            plain = OTHERS[kind](value)
            x = ufunc(x, plain) if first else ufunc(plain, x)
    return np.sum(x)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=mixed_expressions(), x0=st.floats(0.2, 0.9), array=st.booleans())
def test_boxes_mixed_with_numpy_scalars_and_arrays(steps, x0, array):
    x = np.linspace(x0, x0 + 0.1, N) if array else x0
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        expected = hd.finite_difference(lambda t: float(_run(steps, t)), x, scheme="richardson")
        forward = hd.grad(lambda t: _run(steps, t), mode="forward")(x)
        reverse = hd.grad(lambda t: _run(steps, t), mode="reverse")(x)
    assert np.allclose(forward, reverse, rtol=1e-12, atol=1e-14)
    assert np.allclose(forward, expected, rtol=1e-6, atol=1e-8), (steps, forward, expected)
