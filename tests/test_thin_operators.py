"""The operators' thin path (one Python float, default argnums: no argument analysis) gives exactly
what the general path gives: values, gradients, nan where f is undefined, nested operators, and the
same errors for bad input (issue 15). Nothing here is timed: the speed is in ``benchmarks/``.

The general path is reached with the same point spelled another way: ``argnums=(0,)`` (a tuple of
gradients) or a NumPy float64 (not a Python float).
"""
from __future__ import annotations

import gc
import math
import warnings

import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.errors import DifferentiationError, OutputTypeError

FUNCTIONS = {
    "seed": lambda x: hd.exp(x * x - x) / x,
    "numpy ufuncs": lambda x: np.sin(x) * np.exp(-x * x),
    "python branch": lambda x: x * x if x > 1 else -x,
    "kink": lambda x: hd.abs(x - 1.0),
    "constant": lambda x: 3.0,
    "an int": lambda x: 3,
    "piecewise constant": lambda x: hd.floor(x),
    "log (nan below 0)": lambda x: hd.log(x),
    "power at zero": lambda x: x ** 2.0,
}
POINTS = [2.0, 1.0, 0.0, -0.5, 1e-300, 1e6]


def same(a, b) -> bool:
    return (a == b and type(a) is type(b)) or (isinstance(a, float) and isinstance(b, float)
                                             and math.isnan(a) and math.isnan(b))


def quietly(fn, *args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_the_thin_path_gives_what_the_general_path_gives(name, mode):
    f = FUNCTIONS[name]
    for x in POINTS:
        thin_value, thin_grad = quietly(hd.value_and_grad(f, mode=mode), x)
        value, (grad,) = quietly(hd.value_and_grad(f, argnums=(0,), mode=mode), x)
        assert same(thin_value, value) and same(thin_grad, grad), (name, x, thin_grad, grad)
        assert same(quietly(hd.grad(f, mode=mode), x), grad), (name, x)
        assert same(quietly(hd.derivative, f, x, mode), grad), (name, x)
        as_numpy = quietly(hd.grad(f, mode=mode), np.float64(x))   # the general path, another spelling
        assert same(float(as_numpy), float(grad)), (name, x, as_numpy, grad)


@pytest.mark.parametrize("outer, inner", [("forward", "reverse"), ("reverse", "forward"),
                                          ("reverse", "reverse"), ("forward", "forward")])
def test_nested_operators_take_the_general_path_inside(outer, inner):
    f = FUNCTIONS["seed"]
    second = hd.grad(hd.grad(f, mode=inner), mode=outer)(2.0)
    assert second == pytest.approx(hd.trace(f, 2.0).grad().grad()(2.0), rel=1e-14)
    third = hd.derivative(f, 2.0, method=outer, order=3)
    assert third == pytest.approx(hd.grad(hd.grad(hd.grad(f, mode=inner)), mode=outer)(2.0), rel=1e-12)


def test_jacobian_and_hessian_of_a_gradient():
    g = lambda v: hd.log(v[0]) + v[0] * v[1] - hd.sin(v[1])  # noqa: E731
    point = np.array([2.0, 5.0])
    hessian = hd.jacobian(hd.grad(g))(point)
    assert np.allclose(hessian, hd.hessian(g)(point), rtol=1e-14)
    assert np.allclose(hessian, [[-0.25, 1.0], [1.0, math.sin(5.0)]], rtol=1e-12)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_bad_input_fails_the_same_way_on_both_paths(mode):
    def raises(x):
        raise ZeroDivisionError("inside f")

    def two_values(x):
        return [x, x]
    for general in (hd.value_and_grad(raises, argnums=(0,), mode=mode),):
        with pytest.raises(DifferentiationError, match="raises raised ZeroDivisionError: inside f"):
            general(2.0)
    with pytest.raises(DifferentiationError, match="raises raised ZeroDivisionError: inside f"):
        hd.grad(raises, mode=mode)(2.0)
    with pytest.raises(OutputTypeError, match="returned 2 values"):
        hd.grad(two_values, mode=mode)(2.0)
    with pytest.raises(OutputTypeError, match="returned 2 values"):
        hd.grad(two_values, argnums=(0,), mode=mode)(2.0)
    with pytest.raises(TypeError, match="expected a function to differentiate"):
        hd.grad(3.0, mode=mode)(2.0)
    with pytest.raises(TypeError, match="expected a function"):
        hd.derivative(3.0, 2.0, method=mode)
    with pytest.raises(ValueError, match="argnums"):
        hd.grad(FUNCTIONS["seed"], argnums=1, mode=mode)(2.0)


def test_the_collector_pauses_only_for_large_graphs_and_comes_back():
    before = gc.isenabled()
    assert before, "the test needs the collector on"
    inside = {}

    def small(x):
        inside["small"] = gc.isenabled()
        return hd.exp(x * x - x) / x

    def chain(x):
        for _ in range(20_000):
            x = hd.sin(x) * 1.0
        inside["large"] = gc.isenabled()
        return x
    for mode in ("forward", "reverse"):
        hd.grad(small, mode=mode)(2.0)
        assert inside["small"] and gc.isenabled()        # a small function never touches it
    hd.grad(chain)(0.5)
    assert inside["large"] is False and gc.isenabled()   # paused while the tape grew, back after
