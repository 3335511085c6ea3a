"""Tests that kill the planted bugs the rest of the suite let through (issue 21, the mutation check).

Each test states a property a user relies on; the planted bug of ``tests/mutation/mutants.py`` it kills
is named in its docstring (``python tests/mutation/run.py --only ID`` plants it and runs the test).

| planted bug (id in tests/mutation/mutants.py) | killed by |
|---|---|
| ``table-tanh-cancels``: tanh' = 1 - tanh^2 (0.0 past x = 19) | ``test_tiny_derivatives_keep_their_relative_accuracy`` |
| ``fwd-level-ignored``: forward mode ignores a second argument's nesting level | ``test_nested_derivatives_keep_the_variables_apart_on_either_side_of_an_operator`` |
| ``ir-commutes-everything``: graphs share ``x - y`` and ``y - x`` | ``test_graphs_keep_the_order_of_arguments`` |
| ``codelines-float-mask-dropped``: compiled float path drops the domain mask | ``test_compiled_derivatives_are_nan_where_f_is_for_floats_and_arrays_alike`` |
| ``eval-mp-constants-float``: exact constants enter the 50-digit reference as floats | ``test_the_reference_keeps_exact_rational_constants_to_fifty_digits`` |
| ``timebox-daemon-children``: the time box starts a child inside a daemonic process | ``test_time_boxed_methods_work_inside_a_pool_worker`` |
"""
from __future__ import annotations

import math
import multiprocessing
import warnings
from fractions import Fraction

import mpmath
import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.comparison.reference import reference
from hybriddiff.parse import parse_expression

RULE_METHODS = ("forward", "reverse", "taylor", "hybrid")   # the table's rules, whatever the route


def exactly_close(a: float, b: float, rel: float = 1e-14) -> bool:
    """Relative closeness with no absolute floor (pytest.approx's default 1e-12 floor accepts 0.0
    for any derivative below 1e-12)."""
    return math.isclose(a, b, rel_tol=rel, abs_tol=0.0)


# ------------------------------------------------------------------ table-tanh-cancels
@pytest.mark.parametrize("method", RULE_METHODS)
def test_tiny_derivatives_keep_their_relative_accuracy(method):
    """tanh'(x) = 1/cosh(x)^2 is 1.7e-17 at x = 20 and 7e-35 at 40: every rule-following method
    gives it to a few ulp, not 0.0 (which 1 - tanh(x)^2 gives past x = 19) and not a value with
    half its digits gone (1 - tanh(10)^2 keeps 8). Kills ``table-tanh-cancels``."""
    for x in (10.0, -10.0, 20.0, 40.0):
        got = hd.derivative(hd.tanh, x, method=method)
        assert exactly_close(got, 1 / math.cosh(x) ** 2), (method, x, got)


# ------------------------------------------------------------------ fwd-level-ignored
INNER_RESULTS = {   # d/dx [x * d/dy g(x, y)] at x = 2, y = 3, with g written both ways round
    "y + x": (lambda x, y: y + x, 1.0), "x + y": (lambda x, y: x + y, 1.0),
    "y - x": (lambda x, y: y - x, 1.0), "x - y": (lambda x, y: x - y, -1.0),
    "y * x": (lambda x, y: y * x, 4.0), "x * y": (lambda x, y: x * y, 4.0),
    "y / x": (lambda x, y: y / x, 0.0), "x / y": (lambda x, y: x / y, -4.0 / 9.0),
}


@pytest.mark.parametrize("inner", ["forward", "reverse"])
@pytest.mark.parametrize("outer", ["forward", "reverse"])
@pytest.mark.parametrize("case", list(INNER_RESULTS))
def test_nested_derivatives_keep_the_variables_apart_on_either_side_of_an_operator(case, outer, inner):
    """No perturbation confusion whichever side of an operator the outer variable stands on
    (``y + x`` as well as ``x + y``): d/dx [x * d/dy (y + x)] = 1, not 2. Kills ``fwd-level-ignored``."""
    g, expected = INNER_RESULTS[case]
    f = lambda x: x * hd.derivative(lambda y: g(x, y), 3.0, method=inner)  # noqa: E731
    got = hd.derivative(f, 2.0, method=outer)
    assert got == expected or exactly_close(got, expected, 1e-15), (case, outer, inner, got)


# ------------------------------------------------------------------ ir-commutes-everything
BINARY = [p for p in sorted(hd.PRIMITIVES.values(), key=lambda p: p.name) if p.arity == 2]


def _both_ways_point(prim):
    """Two distinct points inside both arguments' domains (so either order is defined)."""
    lo = max(prim.domain[0][0], prim.domain[1][0])
    hi = min(prim.domain[0][1], prim.domain[1][1])
    return lo + 0.37 * (hi - lo), lo + 0.71 * (hi - lo)


@pytest.mark.parametrize("prim", BINARY, ids=lambda p: p.name)
def test_graphs_keep_the_order_of_arguments(prim):
    """A traced graph computes what f computes, with p(x, y) and p(y, x) in the same f, and so does
    its gradient graph; a parsed (x - y) / (y - x) is -1. Kills ``ir-commutes-everything``."""
    x, y = _both_ways_point(prim)
    f = lambda a, b: prim(a, b) + 2 * prim(b, a)  # noqa: E731
    g = hd.trace(f, x, y)
    assert exactly_close(g(x, y), f(x, y), 1e-15), (prim.name, g(x, y), f(x, y))
    graph = g.grad()(x, y)
    forward = hd.grad(f, argnums=(0, 1), mode="forward")(x, y)
    for got, want in zip(graph, forward):
        assert exactly_close(got, want, 1e-12) or abs(got - want) < 1e-15, (prim.name, graph, forward)
    assert parse_expression("(x - y) / (y - x)")(2.0, 3.0) == -1.0
    assert parse_expression("x / y - y / x")(2.0, 4.0) == -1.5


# ------------------------------------------------------------------ codelines-float-mask-dropped
def test_compiled_derivatives_are_nan_where_f_is_for_floats_and_arrays_alike():
    """Where f is nan there is no derivative: the compiled derivative gives nan for a Python float
    exactly as for an array entry (d/dx x/2 is 0.5 wherever x/2 is a number, nan at x = nan; d(x/y)
    at x = y = inf, where x/y is nan). Kills ``codelines-float-mask-dropped``."""
    half = hd.trace(lambda x: x / 2, 1.0).grad()
    ratio = hd.trace(lambda x, y: x / y, 1.0, 1.0).grad()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for backend in ("numpy", "math"):
            d = half.compile(backend=backend)
            assert d(1.0) == 0.5
            assert math.isnan(d(math.nan)), backend
            if backend == "numpy":
                assert np.isnan(d(np.array([math.nan, 1.0]))[0]) and d(np.array([math.nan, 1.0]))[1] == 0.5
            both = ratio.compile(backend=backend)(math.inf, math.inf)
            assert all(math.isnan(v) for v in both), (backend, both)
        assert math.isnan(half(math.nan)) and all(math.isnan(v) for v in ratio(math.inf, math.inf))


# ------------------------------------------------------------------ eval-mp-constants-float
def test_the_reference_keeps_exact_rational_constants_to_fifty_digits():
    """``x*(1/3)`` typed as an expression keeps 1/3 exact: the reference is 1/3 + 8/7 to 50 digits
    (not float(1/3)'s 17), so the float answer's own rounding shows as a relative error of about
    1e-16 instead of 0. Kills ``eval-mp-constants-float``."""
    f = parse_expression("x*(1/3) + x*x*(2/7)")
    value, note = reference(f, 2.0)
    assert note.startswith("traced derivative graph"), note
    with mpmath.workdps(50):
        exact = mpmath.mpf(1) / 3 + mpmath.mpf(8) / 7
        assert abs(value - exact) < mpmath.mpf(10) ** -45, mpmath.nstr(value - exact, 5)
    row = hd.compare(f, 2.0, methods=["forward"]).rows[0]
    float_error = float(abs(Fraction(row.value) - (Fraction(1, 3) + Fraction(8, 7))) / (Fraction(1, 3) + Fraction(8, 7)))
    assert row.rel_error == pytest.approx(float_error, rel=1e-6) and row.rel_error > 0, (row.rel_error, float_error)


# ------------------------------------------------------------------ timebox-daemon-children
def _symbolic_and_hybrid(x: float) -> list[float]:
    f = lambda t: hd.exp(t * t - t) / t  # noqa: E731
    return [hd.derivative(f, x, method=m) for m in ("symbolic", "hybrid")]


def test_time_boxed_methods_work_inside_a_pool_worker():
    """A pool worker is a daemonic process, which may not start children: the SymPy methods run
    their time-boxed work in-process there instead of failing (parallel comparisons and studies
    run in pools). Kills ``timebox-daemon-children``."""
    # spawn: a fresh interpreter (a fork of this multithreaded test process could deadlock)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        got = pool.apply_async(_symbolic_and_hybrid, (2.0,)).get(timeout=120)   # a guard of its own
    expected = 9.236320123663313   # exp(2) * 5/4
    assert all(exactly_close(v, expected, 1e-14) for v in got), got


# ------------------------------------------------------------------ a real bug found by the audit, fixed
# (an expression with a rational power, x**(1/2) parsed to an exact Fraction exponent, failed in forward,
# reverse, taylor and hybrid mode: np.result_type(float, Fraction) in core/primitives._np_pow)
def test_a_parsed_rational_power_differentiates_like_its_float_spelling():
    f = parse_expression("x**(1/2)")
    for method in ("forward", "reverse", "taylor", "hybrid"):
        assert hd.derivative(f, 2.0, method=method) == pytest.approx(0.5 / math.sqrt(2.0), rel=1e-15), method
    g = parse_expression("x**(1/3)")
    assert hd.derivative(g, 2.0, method="forward") == pytest.approx(2.0 ** (-2 / 3) / 3, rel=1e-15)
    statuses = hd.compare(g, 2.0, methods=["forward", "taylor"], budget=0.001).statuses
    assert set(statuses.values()) <= {"exact", "accurate"}, statuses   # rows judged, not failed
