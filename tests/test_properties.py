"""Property tests over random expressions built from the whole primitive table."""
import math
import warnings

import pytest
from hypothesis import assume, given

import hybriddiff as hd

from expressions import as_function, away_from_zero, expressions, finite_value

points = away_from_zero


def _close(a, b, rel=1e-12):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12 * max(1.0, abs(a), abs(b)))


@given(expr=expressions, x=points, y=points)
def test_forward_equals_reverse(expr, x, y):
    assume(finite_value(expr, x, y) is not None)
    f = as_function(expr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        forward = hd.grad(f, argnums=(0, 1), mode="forward")(x, y)
        reverse = hd.grad(f, argnums=(0, 1), mode="reverse")(x, y)
    assume(all(math.isfinite(g) and abs(g) < 1e8 for g in forward))
    assert all(_close(a, b) for a, b in zip(forward, reverse)), (forward, reverse)


@given(expr=expressions, x=points, y=points)
def test_value_is_the_plain_value(expr, x, y):
    value = finite_value(expr, x, y)
    assume(value is not None)
    f = as_function(expr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        dual = f(hd.Dual(x, 1.0), hd.Dual(y, 0.0))
        var = f(hd.Variable(x), hd.Variable(y))
    for out in (dual, var):
        got = out.value if hasattr(out, "value") else out
        assert got == value or _close(got, value, rel=1e-15)


@given(expr=expressions, x=points, y=points)
def test_second_derivatives_agree_across_mode_mixes(expr, x, y):
    assume(finite_value(expr, x, y) is not None)
    f = as_function(expr)
    fx = lambda t: f(t, y)  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ff = hd.derivative(lambda t: hd.derivative(fx, t, method="forward"), x, method="forward")
        rr = hd.derivative(lambda t: hd.derivative(fx, t, method="reverse"), x, method="reverse")
    assume(math.isfinite(ff) and abs(ff) < 1e8)
    # Second derivatives sum terms that may cancel: allow rounding relative to 1e-7 absolute.
    assert _close(ff, rr, rel=1e-10) or abs(ff - rr) < 1e-7, (ff, rr)
