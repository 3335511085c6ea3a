"""NumPy ufuncs on hybriddiff values mean the same as hybriddiff's functions."""
import math

import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.core.functions import ufunc_table

UFUNCS = ufunc_table()

UNARY_POINT = 0.6
BINARY_POINT = (0.6, 1.7)


def _call(ufunc, args):
    return ufunc(*args) if ufunc.__name__ != "heaviside" else ufunc(args[0], 0.5)


@pytest.mark.parametrize("name", sorted(UFUNCS))
@pytest.mark.parametrize("box", ["forward", "reverse"])
def test_ufunc_value_and_derivative(name, box):
    ufunc = getattr(np, name)
    nin = 1 if name == "heaviside" else ufunc.nin
    point = (UNARY_POINT,) if nin == 1 else BINARY_POINT
    if name in ("arccosh",):
        point = (1.6,)
    for i in range(nin):
        f = lambda t: _call(ufunc, [t if k == i else p for k, p in enumerate(point)])  # noqa: E731
        got = hd.derivative(f, point[i], method=box)
        h = 1e-6
        central = (float(f(point[i] + h)) - float(f(point[i] - h))) / (2 * h)
        assert got == pytest.approx(central, rel=1e-6, abs=1e-7), name
        if box == "forward":
            out = f(hd.Dual(point[i], 1.0))
            value = getattr(out, "value", out)   # piecewise-constant ufuncs give a plain constant
            assert value == pytest.approx(float(f(point[i])), rel=1e-15)


def test_numpy_and_hybriddiff_agree():
    d = hd.Dual(0.7, 1.0)
    assert (np.exp(d).value, np.exp(d).tangent) == (hd.exp(d).value, hd.exp(d).tangent)
    x = hd.Variable(0.7)
    y = np.hypot(x, 2.0) + np.maximum(x, 0.1)
    y.backward()
    assert x.grad == pytest.approx(0.7 / math.hypot(0.7, 2.0) + 1.0)


def test_sinc_is_built_from_ufuncs():
    expected = (math.cos(math.pi * 0.5) * math.pi * 0.5 - math.sin(math.pi * 0.5)) / (math.pi * 0.5 ** 2)
    for method in ("forward", "reverse"):
        assert hd.derivative(np.sinc, 0.5, method=method) == pytest.approx(expected, rel=1e-14)


def test_object_arrays_call_methods():
    x = np.array([hd.Dual(0.1, 1.0), hd.Dual(0.2, 1.0)])
    y = np.exp(x)
    assert [v.tangent for v in y] == pytest.approx([math.exp(0.1), math.exp(0.2)])
    z = np.arctan2(x, 2.0)
    assert z[0].tangent == pytest.approx(2.0 / (4.0 + 0.01))


def test_array_times_box_is_elementwise():
    d = hd.Dual(2.0, 1.0)
    out = np.array([1.0, 3.0]) * d
    assert out.dtype == object and [v.tangent for v in out] == [1.0, 3.0]


def test_unsupported_ufunc_names_itself():
    with pytest.raises(hd.UnsupportedOperationError, match="'bitwise_and'"):
        np.bitwise_and(hd.Dual(1.0, 1.0), 1)
    # reductions and out= run NumPy's object loops, which call the values' operators (issue 13)
    assert np.add.reduce(hd.Dual(1.0, 1.0)).tangent == 1.0


def test_comparisons_use_the_value():
    d = hd.Dual(2.0, 1.0)
    assert d > 1 and d >= 2 and d == 2.0 and not d < 1 and np.greater(d, 1)
    f = lambda x: x * x if x > 0 else -x  # noqa: E731
    assert hd.derivative(f, 3.0) == 6.0 and hd.derivative(f, -3.0, method="forward") == -1.0


def test_math_module_refuses_to_drop_the_derivative():
    with pytest.raises(hd.UnsupportedOperationError, match="would drop what it carries"):
        math.exp(hd.Dual(1.0, 1.0))
    with pytest.raises(hd.DifferentiationError, match="math.exp"):
        hd.derivative(lambda x: math.exp(x), 1.0)


@pytest.mark.parametrize("op", ["%", "//", "**", "abs", "neg", "pos"])
def test_python_operators(op):
    f = {"%": lambda x: x % 0.7, "//": lambda x: x // 0.7 + x, "**": lambda x: 2 ** x + x ** x,
         "abs": lambda x: abs(x), "neg": lambda x: -x, "pos": lambda x: +x}[op]
    h = 1e-7
    central = (f(1.3 + h) - f(1.3 - h)) / (2 * h)
    for method in ("forward", "reverse"):
        assert hd.derivative(f, 1.3, method=method) == pytest.approx(central, rel=1e-6)
