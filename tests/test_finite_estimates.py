"""Honest error estimates: over generated smooth functions and points, every scheme's true error is
at most its ``error_estimate`` (or negligible)."""
from __future__ import annotations

import mpmath
from hypothesis import given, settings
from hypothesis import strategies as st

import hybriddiff as hd
from hybriddiff.finite.difference import finite_difference

PIECES = {
    "exp": hd.exp, "sin": hd.sin, "cos": hd.cos, "tanh": hd.tanh, "arctan": hd.arctan,
    "sinh": hd.sinh, "cosh": hd.cosh, "log1p(t^2)": lambda t: hd.log1p(t * t),
    "sqrt(1+t^2)": lambda t: hd.sqrt(1 + t * t), "1/(1+t^2)": lambda t: 1 / (1 + t * t),
    "t^3-t": lambda t: t * t * t - t, "4t(1-t)": lambda t: 4 * t * (1 - t),
    "exp(-t^2)": lambda t: hd.exp(-t * t),
}
names = st.sampled_from(sorted(PIECES))
coefficient = st.floats(-2.0, 2.0, allow_nan=False)
points = st.one_of(st.floats(-2.0, 2.0, allow_nan=False), st.sampled_from([0.0, 0.5, 1.0, -1.5]))
SCHEMES = ("forward", "backward", "central", "five-point", "richardson", "complex-step")


def smooth(u, v, w, a, b, c):
    pu, pv, pw = PIECES[u], PIECES[v], PIECES[w]
    return lambda t: a * pu(b * t + c) + pv(pw(t))


@settings(max_examples=40, deadline=None, derandomize=True)
@given(names, names, names, coefficient, coefficient, coefficient, points)
def test_true_error_is_within_the_estimate(u, v, w, a, b, c, x):
    f = smooth(u, v, w, a, b, c)
    with mpmath.workdps(50):
        exact = float(mpmath.diff(f, mpmath.mpf(x)))
    for scheme in SCHEMES:
        r = finite_difference(f, x, scheme=scheme, full_output=True)
        error = abs(r.value - exact)
        assert error <= r.error_estimate or error <= 1e-15 * max(1.0, abs(exact)), (scheme, r, exact)


@settings(max_examples=15, deadline=None, derandomize=True)
@given(names, coefficient, st.floats(0.3, 2.5))
def test_estimates_are_honest_for_second_derivatives(u, b, x):
    f = lambda t: PIECES[u](b * t) + t * t * t  # noqa: E731
    with mpmath.workdps(50):
        exact = float(mpmath.diff(f, mpmath.mpf(x), 2))
    for scheme in ("forward", "central", "five-point", "richardson"):
        r = finite_difference(f, x, scheme=scheme, order=2, full_output=True)
        error = abs(r.value - exact)
        assert error <= r.error_estimate or error <= 1e-13 * max(1.0, abs(exact)), (scheme, r, exact)
