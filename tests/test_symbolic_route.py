"""The symbolic method is never silently wrong (issue 13, part A).

- A complex value of SymPy's lambdified derivative (``log(-2)`` in d/dx (-2)**x) is nan in the real
  domain, as in every other mode, never its real part; for scalars, gradients and the comparison.
- What SymPy leaves unevaluated (a Derivative of Mod at any order, Subs, DiracDelta, the derivatives
  of floor, ceiling, sign and Heaviside) is settled by the table's conventions whenever the
  derivative holds such pieces (SymPy brings in Abs and sign itself, e.g. for (x**2)**1.5), and
  what cannot be settled is a DifferentiationError saying "SymPy cannot ...".
- A fuzz over the table's functions: the symbolic method agrees with forward mode (order 1) and with
  the graph derivative (orders 1-3), or both are nan, or it says SymPy cannot; never a different
  finite number, never a raw NameError, RecursionError or printer error.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import sympy

import hybriddiff as hd
from hybriddiff.methods import symbolic as cm_symbolic, sympy_conventions

x_ = sympy.Symbol("x", real=True)


def quietly(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)


def symbolic(f, x, order=1, timeout=None):
    """The symbolic route in-process (timeout None: no worker) or time-boxed."""
    return quietly(cm_symbolic.symbolic_derivative, f, x, order, timeout)[0]


def graph_derivative(f, x, order):
    g = quietly(hd.trace, f, x)
    for _ in range(order):
        g = g.derivative()
    return float(quietly(g, x))


# ---------------------------------------------------------------------------- A1. complex values
def test_symbolic_pow_of_negative_base_is_nan_not_the_real_part():
    f = lambda x: hd.pow(-2.0, x)  # noqa: E731
    for method in ("forward", "reverse", "hybrid", "symbolic"):
        assert math.isnan(quietly(hd.derivative, f, 2.0, method=method)), method
    value, info = quietly(cm_symbolic.symbolic_derivative, f, 2.0)
    assert math.isnan(value)
    assert math.isnan(quietly(info.function, 2.0))      # the rebuilt function the comparison times
    row = quietly(hd.compare, f, 2.0, methods=["symbolic"], budget=0.001).row("symbolic")
    # f is real at integers only: no derivative (both one-sided quotients leave the reals)
    assert row.status == "no derivative" and math.isnan(row.value) and "not real on both sides" in row.note


def test_symbolic_gradient_with_a_complex_component_is_nan_there_only():
    f = lambda v: hd.pow(-2.0, v[0]) * v[1]  # noqa: E731
    value, info = quietly(cm_symbolic.symbolic_gradient, f, np.array([2.0, 3.0]))
    assert math.isnan(value[0]) and value[1] == 4.0
    again = quietly(info.function, np.array([2.0, 3.0]))
    assert math.isnan(again[0]) and again[1] == 4.0


def test_real_value_keeps_zero_imaginary_parts_and_refuses_the_others():
    assert cm_symbolic.real_value(3.0 + 0j, False) == 3.0
    assert math.isnan(cm_symbolic.real_value(3.0 + 1e-300j, False))
    assert cm_symbolic.real_value(np.array([1 + 0j, 2 + 0j]), True).tolist() == [1.0, 2.0]
    assert type(cm_symbolic.real_value(np.float64(2.0), False)) is float


# ---------------------------------------------------------------------------- A2. valid input
def test_symbolic_mod_by_a_float_at_order_2_does_not_hit_the_recursion_limit():
    assert symbolic(lambda x: x % 3.0, 1.3, 2, timeout=30.0) == 0.0


def test_symbolic_mod_by_an_int_at_order_2_is_printable():
    assert symbolic(lambda x: x % 3, 1.3, 2, timeout=30.0) == 0.0


def test_symbolic_mod_of_an_affine_argument_by_a_negative_float_at_order_1():
    assert symbolic(lambda x: (2 * x + 0.5) % -1.0, 1.3, 1, timeout=30.0) == 2.0


def test_symbolic_second_derivative_of_abs_power_settles_dirac_delta():
    """(x**2)**1.5 is |x|**3 to SymPy: its second derivative holds DiracDelta(x) (0 by the table's
    conventions) although the graph has no primitive that needs settling."""
    got = symbolic(lambda x: (x ** 2) ** 1.5, -1.3, 2, timeout=30.0)
    assert got == pytest.approx(7.8, rel=1e-14)
    forward = hd.derivative(lambda x: (x ** 2) ** 1.5, -1.3, method="forward", order=2)
    assert got == pytest.approx(forward, rel=1e-13)


@pytest.mark.parametrize("expr, order, expected", [
    (sympy.Mod(2 * x_, 3), 3, 0),
    (sympy.Mod(x_ ** 2, sympy.Float(0.3)), 2, 2),
    (sympy.Abs(x_) ** 3, 3, 6 * sympy.sign(x_)),
    (sympy.floor(x_) * x_, 2, 0),
    (sympy.Heaviside(x_, sympy.S.Half) * x_ ** 2, 2, 2 * sympy.Heaviside(x_, sympy.S.Half)),
    (sympy.Max(x_, 1), 2, 0),
    (sympy.sign(sympy.sin(x_)) * x_, 1, sympy.sign(sympy.sin(x_))),
])
def test_settle_turns_sympys_leftovers_into_the_table_conventions(expr, order, expected):
    once_at_a_time = expr
    for _ in range(order):
        once_at_a_time = cm_symbolic.settle(sympy.diff(once_at_a_time, x_))
    assert not cm_symbolic.has_unevaluated(once_at_a_time)
    assert sympy.simplify(once_at_a_time - expected) == 0


def test_settle_handles_subs_of_a_derivative_over_sympys_complex_dummies():
    d = sympy.diff(sympy.Mod(sympy.Float(2.0) * x_ + sympy.Float(0.5), sympy.Float(-1.0)), x_)
    assert d.has(sympy.Subs)
    assert float(cm_symbolic.settle(d)) == 2.0


def test_what_cannot_be_settled_is_a_clear_differentiation_error(monkeypatch):
    monkeypatch.setattr(sympy_conventions, "SETTLE_PASSES", 0)   # settle gives up at once
    with pytest.raises(hd.DifferentiationError, match="SymPy cannot evaluate its derivative: it leaves"):
        symbolic(lambda x: x % 3, 1.3, 1)


def test_zoo_is_a_clear_differentiation_error():
    with pytest.raises(hd.DifferentiationError, match="SymPy cannot"):
        symbolic(lambda x: x / 0.0, 1.0, 1, timeout=30.0)


# ---------------------------------------------------------------------------- the fuzz
FUZZ = {
    "x % 3.0": lambda x: x % 3.0,
    "x % 3": lambda x: x % 3,
    "(2x + 0.5) % -1.0": lambda x: (2 * x + 0.5) % -1.0,
    "3.0 % x": lambda x: 3.0 % x,
    "(x*x) % 0.3": lambda x: (x * x) % 0.3,
    "sin(x) % x": lambda x: hd.sin(x) % x,
    "exp(x) % (x*x + 1)": lambda x: hd.exp(x) % (x * x + 1),
    "mod(x, 2) * x": lambda x: hd.mod(x, 2.0) * x,
    "sin(x % 2)": lambda x: hd.sin(x % 2.0),
    "mod(mod(x, 2), 0.3)": lambda x: hd.mod(hd.mod(x, 2.0), 0.3),
    "mod(x, cbrt(x))": lambda x: hd.mod(x, hd.cbrt(x)),
    "abs(x % 1.5 - 0.7)": lambda x: abs(x % 1.5 - 0.7),
    "exp(abs(x) % 1.5)": lambda x: hd.exp(abs(x) % 1.5),
    "abs(x)": lambda x: abs(x),
    "abs(x)**3": lambda x: abs(x) ** 3,
    "abs(sin(x))": lambda x: abs(hd.sin(x)),
    "x * abs(x)": lambda x: x * abs(x),
    "abs(x*x - 1)": lambda x: abs(x * x - 1.0),
    "floor(x) * x": lambda x: hd.floor(x) * x,
    "floor(x*x)": lambda x: hd.floor(x * x),
    "ceil(x) * sin(x)": lambda x: hd.ceil(x) * hd.sin(x),
    "floor(x) * mod(x, 0.7)": lambda x: hd.floor(x) * hd.mod(x, 0.7),
    "sign(x) * x * x": lambda x: hd.sign(x) * x * x,
    "sign(sin(x))": lambda x: hd.sign(hd.sin(x)),
    "heaviside(x) * x**3": lambda x: hd.heaviside(x) * x ** 3,
    "maximum(x, 1)": lambda x: hd.maximum(x, 1.0),
    "maximum(x*x, x)": lambda x: hd.maximum(x * x, x),
    "minimum(sin(x), cos(x))": lambda x: hd.minimum(hd.sin(x), hd.cos(x)),
    "maximum(x, 0)**2": lambda x: hd.maximum(x, 0.0) ** 2,
    "cbrt(x)": lambda x: hd.cbrt(x),
    "cbrt(x) * x": lambda x: hd.cbrt(x) * x,
    "cbrt(x*x - 4)": lambda x: hd.cbrt(x * x - 4.0),
    "(x**2)**1.5": lambda x: (x ** 2) ** 1.5,
    "(x**2)**0.25": lambda x: (x ** 2) ** 0.25,
    "sqrt(x*x)": lambda x: hd.sqrt(x * x),
    "pow(-2, x)": lambda x: hd.pow(-2.0, x),
    "x**1.5": lambda x: x ** 1.5,
    "x**x": lambda x: x ** x,
    "log(x)": lambda x: hd.log(x),
    "arcsin(x/2)": lambda x: hd.arcsin(x / 2),
    "atan2(x, 1) * hypot(x, 2)": lambda x: hd.arctan2(x, 1.0) * hd.hypot(x, 2.0),
    "exp(-x*x) * tanh(x)": lambda x: hd.exp(-x * x) * hd.tanh(x),
    "log(abs(x))": lambda x: hd.log(abs(x)),
}


def _agrees(got, expected):
    if math.isnan(expected) or math.isnan(got):
        return math.isnan(expected) and math.isnan(got)
    return got == expected or math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12)


POINTS = {"pow(-2, x)": (2.0, 3.0)}   # f is real at an integer x, its derivative (log(-2)) is not


@pytest.mark.parametrize("name", sorted(FUZZ))
def test_symbolic_agrees_with_the_graph_or_says_sympy_cannot(name):
    """At points where f itself is finite (outside a domain the conventions are the rule's formula,
    which tests/test_special_points.py checks)."""
    f = FUZZ[name]
    for x in POINTS.get(name, (1.3, -0.7)):
        value = quietly(f, x)
        if isinstance(value, complex) or not math.isfinite(value):   # Python's (-0.7)**1.5 is complex
            continue
        for order in (1, 2, 3):
            expected = graph_derivative(f, x, order)
            if order == 1:
                forward = quietly(hd.derivative, f, x, method="forward")
                assert _agrees(forward, expected), (name, x, forward, expected)
            try:
                got = symbolic(f, x, order)
            except hd.DifferentiationError as exc:
                assert "SymPy cannot" in str(exc), (name, x, order, exc)
                continue
            assert _agrees(got, expected), (name, x, order, got, expected)


def test_the_time_boxed_route_agrees_too():
    """The same answers through the worker process (the default route of hd.derivative)."""
    for name in ("x % 3.0", "(x**2)**1.5", "sign(sin(x))", "mod(x, cbrt(x))"):
        f = FUZZ[name]
        for order in (1, 2):
            got = quietly(hd.derivative, f, 1.3, method="symbolic", order=order)
            assert _agrees(got, graph_derivative(f, 1.3, order)), (name, order, got)
