"""Finite differences: exact stencils, convergence orders, accuracy, domain edges, gradients,
Jacobians, hd.derivative's fd methods and the errors bad input gets."""
from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.errors import DifferentiationError, UnsupportedOperationError
from hybriddiff.finite.difference import FDResult, finite_difference, finite_jacobian
from hybriddiff.finite.schemes import SCHEMES, scheme_stencil
from hybriddiff.finite.stencils import default_step, one_sided, stencil_weights


def mp_diff(f, x, order=1):
    with mpmath.workdps(50):
        return float(mpmath.diff(f, mpmath.mpf(x), order))


def rel(a, b):
    return abs(a - b) / abs(b)


# ----------------------------------------------------------------------------- stencils

def test_exact_stencil_weights():
    assert stencil_weights([-1, 0, 1]) == [Fraction(-1, 2), 0, Fraction(1, 2)]
    assert stencil_weights([-2, -1, 0, 1, 2]) == [Fraction(1, 12), Fraction(-2, 3), 0, Fraction(2, 3),
                                                  Fraction(-1, 12)]
    assert stencil_weights([-1, 0, 1], order=2) == [1, -2, 1]
    assert stencil_weights([0, 1, 2]) == [Fraction(-3, 2), 2, Fraction(-1, 2)]
    assert all(isinstance(w, Fraction) for w in stencil_weights([-3, -1, 2, 5], 2))


def test_accuracy_orders_and_stencils_per_scheme():
    schemes = ("forward", "backward", "central", "five-point")
    assert [scheme_stencil(s).accuracy for s in schemes] == [1, 1, 2, 4]
    assert scheme_stencil("central", 3).offsets == (-2, -1, 0, 1, 2)
    assert scheme_stencil("five-point", 2).weights == (Fraction(-1, 12), Fraction(4, 3), Fraction(-5, 2),
                                                      Fraction(4, 3), Fraction(-1, 12))
    assert one_sided(-1, 2, 1).offsets == (-2, -1, 0) and one_sided(-1, 2, 1).accuracy == 2


@pytest.mark.parametrize("offsets, order, match", [
    ([-1, 0, 1], 3, "at most 2"), ([0, 0, 1], 1, "distinct"), ([], 1, "empty"), ([0, 1], -1, "non-negative"),
])
def test_stencil_weights_refuse_what_the_stencil_cannot_give(offsets, order, match):
    with pytest.raises(ValueError, match=match):
        stencil_weights(offsets, order)


def test_order_beyond_the_stencil_is_a_clear_error():
    with pytest.raises(ValueError, match="five-point stencil gives derivatives of order 1 to 4"):
        finite_difference(hd.exp, 1.0, scheme="five-point", order=5)
    with pytest.raises(ValueError, match="first derivatives only"):
        finite_difference(hd.exp, 1.0, scheme="complex-step", order=2)


@pytest.mark.parametrize("x", [0.1, 3.7, -2.3, 1e5, 0.0])
@pytest.mark.parametrize("scheme", ["forward", "backward", "central", "five-point"])
def test_automatic_steps_are_exact_and_classical(x, scheme):
    r = finite_difference(hd.sin, x, scheme=scheme, full_output=True)
    assert (x + r.h) - x == r.h
    p = scheme_stencil(scheme).accuracy
    assert r.h == pytest.approx(np.finfo(float).eps ** (1 / (p + 1)) * max(1.0, abs(x)), rel=1e-6)
    assert default_step(x, 2, 2) == pytest.approx(np.finfo(float).eps ** 0.25 * max(1.0, abs(x)), rel=1e-6)


# ----------------------------------------------------------------------------- convergence

@pytest.mark.parametrize("scheme, order, expected, hs", [
    ("forward", 1, 1, np.logspace(-4, -2, 5)),
    ("backward", 1, 1, np.logspace(-4, -2, 5)),
    ("central", 1, 2, np.logspace(-3, -1, 5)),
    ("five-point", 1, 4, np.logspace(-2, -0.7, 5)),
    ("central", 2, 2, np.logspace(-2.5, -1, 5)),
    ("five-point", 2, 4, np.logspace(-1.5, -0.7, 5)),
])
def test_convergence_order_is_the_slope_of_log_error(scheme, order, expected, hs):
    f, x = (lambda t: hd.exp(hd.sin(t))), 0.7
    exact = mp_diff(f, x, order)
    errors = [abs(finite_difference(f, x, scheme=scheme, h=h, order=order) - exact) for h in hs]
    slope = np.polyfit(np.log(hs), np.log(errors), 1)[0]
    assert abs(slope - expected) < 0.25, (slope, errors)


# ----------------------------------------------------------------------------- accuracy

FUNCTIONS = [  # (name, f, the same function on mpmath numbers for the reference)
    ("exp", hd.exp, hd.exp), ("sin", hd.sin, hd.sin), ("log", hd.log, hd.log), ("sqrt", hd.sqrt, hd.sqrt),
    ("arctan", hd.arctan, hd.arctan), ("cosh", hd.cosh, hd.cosh), ("np.exp", np.exp, mpmath.exp),
    ("np.tanh", np.tanh, mpmath.tanh), ("seed", lambda x: hd.exp(x * x - x) / x, None),
    ("rational", lambda x: 1 / (1 + x * x), None), ("exp(sin)", lambda x: hd.exp(hd.sin(x)), None),
    ("np.log1p(x^2)", lambda x: np.log1p(x * x), lambda x: mpmath.log1p(x * x)),
]
POINTS = [0.5, 1.3, 2.0]
TOLERANCE = {"central": 1e-8, "five-point": 1e-10, "richardson": 1e-11, "complex-step": 1e-13}


@pytest.mark.parametrize("name, f, mp_f", FUNCTIONS, ids=[n for n, _, _ in FUNCTIONS])
def test_accuracy_at_ordinary_points(name, f, mp_f):
    for x in POINTS:
        exact = mp_diff(mp_f or f, x)
        for scheme, tol in TOLERANCE.items():
            r = finite_difference(f, x, scheme=scheme, full_output=True)
            assert rel(r.value, exact) < tol, (scheme, x, r)
            assert r.note == ""
        assert finite_difference(f, x, scheme="richardson", full_output=True).evaluations <= 20


@pytest.mark.parametrize("scheme, order, tol", [
    ("central", 2, 1e-6), ("five-point", 2, 1e-8), ("richardson", 2, 1e-9), ("richardson", 3, 1e-7),
    ("central", 3, 1e-3), ("five-point", 4, 1e-2), ("forward", 2, 1e-3),
])
def test_higher_orders(scheme, order, tol):
    assert rel(finite_difference(hd.exp, 0.5, scheme=scheme, order=order), math.exp(0.5)) < tol


def test_seed_derivative_by_every_scheme():
    f = lambda x: hd.exp(x * x - x) / x  # noqa: E731
    for scheme in ("richardson", "complex-step"):
        assert finite_difference(f, 2.0, scheme=scheme) == pytest.approx(9.236320123663313, rel=1e-13)


# ----------------------------------------------------------------------------- estimates

def logistic(n):
    def l_n(x):
        value = x
        for _ in range(n - 1):
            value = 4 * value * (1 - value)
        return value
    return l_n


def test_full_output_fields():
    r = finite_difference(hd.exp, 1.0, full_output=True)
    assert isinstance(r, FDResult) and r.scheme == "central" and r.note == ""
    # the same stencil at h/2 and h/4 (4 points), and f(x) for the kink check
    assert r.evaluations == 2 and r.estimate_evaluations == 5
    assert abs(r.value - math.e) <= r.error_estimate < 1e-8


@pytest.mark.parametrize("scheme", ["forward", "backward", "central", "five-point", "richardson"])
def test_ill_conditioned_logistic_map_gets_a_large_estimate(scheme):
    f = logistic(40)
    exact = mp_diff(f, 0.2)
    r = finite_difference(f, 0.2, scheme=scheme, full_output=True)
    assert rel(r.value, exact) > 0.5  # hopeless at this step ...
    assert r.error_estimate >= abs(r.value - exact)  # ... and the estimate says so
    assert r.error_estimate == math.inf and "no error bound" in r.note


def test_complex_step_estimate_grows_with_conditioning():
    f = logistic(40)
    exact = mp_diff(f, 0.2)
    r = finite_difference(f, 0.2, scheme="complex-step", full_output=True)
    assert abs(r.value - exact) <= r.error_estimate
    assert r.error_estimate > 1e-6 * abs(exact)


# ----------------------------------------------------------------------------- domain edges

@pytest.mark.parametrize("f, exact", [(hd.sqrt, 0.5 / math.sqrt(1e-3)), (hd.log, 1e3), (np.log, 1e3),
                                      (math.log, 1e3)], ids=["hd.sqrt", "hd.log", "np.log", "math.log"])
def test_near_the_left_edge_of_the_domain(f, exact):
    r = finite_difference(f, 1e-3, scheme="five-point", full_output=True)
    assert rel(r.value, exact) < 1e-9 and "one-sided forward" in r.note
    assert abs(r.value - exact) <= r.error_estimate
    r = finite_difference(f, 1e-3, scheme="richardson", full_output=True)
    assert rel(r.value, exact) < 1e-11 and "domain" in r.note and r.evaluations <= 20
    assert rel(finite_difference(f, 1e-3), exact) < 1e-4  # central: inside the domain as it is


def test_near_the_right_edge_and_very_close_to_it():
    r = finite_difference(lambda x: hd.sqrt(1 - x), 1 - 1e-3, scheme="five-point", full_output=True)
    assert "one-sided backward" in r.note and rel(r.value, -0.5 / math.sqrt(1e-3)) < 1e-8
    r = finite_difference(hd.log, 1e-8, scheme="central", full_output=True)
    assert "one-sided forward" in r.note and rel(r.value, 1e8) < 1e-6
    assert abs(r.value - 1e8) <= r.error_estimate


def test_exceptions_at_stencil_points_count_as_outside():
    r = finite_difference(lambda x: 1 / x, 1e-3, h=1e-3, full_output=True)  # 1/0.0 raises
    assert "ZeroDivisionError" in r.note and "one-sided forward stencil (accuracy h^2)" in r.note
    assert r.h == 1e-3  # the user's h is kept
    # exactly the one-sided stencil (-3 f(x) + 4 f(x+h) - f(x+2h)) / 2h at that h: -666,667 ...
    h = 1e-3
    assert r.value == pytest.approx((-3 / 1e-3 + 4 / 2e-3 - 1 / 3e-3) / (2 * h), rel=1e-13)
    # ... a third off the derivative -1e6 at a step as large as x: no error bound, and it says so
    assert rel(r.value, -1e6) > 0.3 and r.error_estimate == math.inf and "no error bound" in r.note
    # at a step the function resolves, the same fallback is accurate and bounded
    r = finite_difference(lambda x: 1 / x, 1e-3, h=1e-6, full_output=True)
    assert "one-sided" not in r.note and rel(r.value, -1e6) < 1e-5
    assert abs(r.value + 1e6) <= r.error_estimate < 1e-4 * 1e6


def test_f_not_finite_at_x_is_an_error():
    with pytest.raises(DifferentiationError, match="not finite at x itself"):
        finite_difference(hd.log, -1.0)
    with pytest.raises(DifferentiationError, match="both sides"):
        finite_difference(lambda x: hd.sqrt(1e-12 - (x - 1) ** 2), 1.0, h=1e-3)


def test_on_the_edge_a_smooth_one_sided_function_is_fine():
    f = lambda x: hd.sqrt(x) ** 4 + x  # noqa: E731  (x**2 + x, nan for x < 0)
    r = finite_difference(f, 0.0, scheme="central", full_output=True)
    assert "one-sided forward" in r.note and abs(r.value - 1.0) < 1e-8


# ----------------------------------------------------------------------------- complex step

def test_complex_step_refuses_functions_that_are_not_complex_analytic():
    with pytest.raises(UnsupportedOperationError, match="does not accept complex") as info:
        finite_difference(math.exp, 1.0, scheme="complex-step")
    assert isinstance(info.value, TypeError) and "'central'" in str(info.value)
    with pytest.raises(DifferentiationError, match="abs is not analytic"):
        finite_difference(hd.abs, 1.0, scheme="complex-step")
    with pytest.raises(DifferentiationError, match="abs is not analytic"):   # Python's abs() too
        finite_difference(lambda x: abs(x) * x, 1.5, scheme="complex-step")
    with pytest.raises(DifferentiationError, match="maximum is not analytic"):
        finite_difference(lambda x: np.maximum(x, 0.5) * x, 1.5, scheme="complex-step")
    # comparisons branch on the real part, as the real f does
    assert finite_difference(lambda x: x * x if x > 0 else -x, 1.5, scheme="complex-step") == 3.0
    with pytest.raises(DifferentiationError, match="complex"):
        finite_difference(hd.floor, 1.5, scheme="complex-step")


def test_complex_step_with_constant_outputs_and_outside_the_real_domain():
    r = finite_jacobian(lambda x: [x * x, 1.0], 3.0, scheme="complex-step", full_output=True)
    assert np.allclose(r.value, [[6.0], [0.0]]) and "do not depend on this coordinate" in r.note
    with pytest.raises(DifferentiationError, match="not finite at the real x|not differentiable at"):
        finite_difference(hd.log, -1.0, scheme="complex-step", full_output=True)


# ----------------------------------------------------------------------------- arrays

def f3(v):
    return v[0] ** 2 * v[1] + hd.sin(v[2])


@pytest.mark.parametrize("scheme, calls", [("forward", 4), ("backward", 4), ("central", 6),
                                           ("five-point", 12), ("complex-step", 3)])
def test_gradient_and_its_cost(scheme, calls):
    x = np.array([1.0, 2.0, 3.0])
    r = finite_difference(f3, x, scheme=scheme, full_output=True)
    assert r.evaluations == calls
    assert r.value.shape == r.error_estimate.shape == r.h.shape == (3,)
    assert np.allclose(r.value, [4.0, 1.0, math.cos(3.0)], rtol=1e-6)
    assert np.all(np.abs(r.value - [4.0, 1.0, math.cos(3.0)]) <= r.error_estimate + 1e-15)


def test_gradient_by_richardson_and_with_a_list_and_per_coordinate_steps():
    r = finite_difference(f3, [1.0, 2.0, 3.0], scheme="richardson", full_output=True)
    assert np.allclose(r.value, [4.0, 1.0, math.cos(3.0)], rtol=1e-12, atol=1e-13)
    g = finite_difference(f3, [1.0, 2.0, 3.0], scheme="forward", h=[1e-6, 1e-7, 1e-5])
    assert np.allclose(g, [4.0, 1.0, math.cos(3.0)], rtol=1e-4)


@pytest.mark.parametrize("out", [tuple, list, np.array])
def test_jacobian_shape(out):
    f = lambda v: out([v[0] * v[1], hd.exp(v[0]), v[1] ** 3])  # noqa: E731
    for scheme in ("forward", "central", "richardson", "complex-step"):
        J = finite_jacobian(f, [1.0, 2.0], scheme=scheme)
        assert J.shape == (3, 2)
        assert np.allclose(J, [[2.0, 1.0], [math.e, 0.0], [0.0, 12.0]], rtol=1e-6, atol=1e-8)
    assert finite_jacobian(lambda t: [t, t * t], 3.0).shape == (2, 1)
    r = finite_jacobian(f, [1.0, 2.0], full_output=True)
    assert r.value.shape == r.error_estimate.shape == (3, 2) and r.evaluations == 4


# ----------------------------------------------------------------------------- hd.derivative

@pytest.mark.parametrize("method", ["fd-forward", "fd-central", "fd-five-point", "complex-step",
                                    "richardson"])
def test_registered_methods(method):
    assert method in hd.METHODS
    assert hd.derivative(hd.sin, 0.5, method=method) == pytest.approx(math.cos(0.5), rel=1e-7)
    if method != "complex-step":
        assert hd.derivative(hd.sin, 0.5, method=method, order=2) == pytest.approx(-math.sin(0.5), rel=1e-3)


# ----------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("kwargs, error, match", [
    (dict(scheme="backwards"), ValueError, "known schemes: forward, backward, central, five-point"),
    (dict(f=3.0), TypeError, "expected a function"),
    (dict(x="1.0"), TypeError, "x is a str"),
    (dict(x=1 + 2j), TypeError, "real x"),
    (dict(h=0.0), ValueError, "h must be positive"),
    (dict(h=-1e-3), ValueError, "h must be positive"),
    (dict(h=float("nan")), ValueError, "h must be positive"),
    (dict(h="small"), TypeError, "h must be a positive number"),
    (dict(order=0), ValueError, "order must be a positive int"),
    (dict(order=1.5), ValueError, "order must be a positive int"),
    (dict(x=[[1.0]]), TypeError, "1-D array"),
    (dict(x=[1.0, 2.0], h=[1e-3]), ValueError, "h has 1 entries"),
])
def test_bad_input_is_named(kwargs, error, match):
    args = dict(f=hd.exp, x=1.0)
    args.update(kwargs)
    if isinstance(args["x"], list) and args["x"] and not isinstance(args["x"][0], list):
        args["f"] = lambda v: v[0] * v[1]
    with pytest.raises(error, match=match):
        finite_difference(args.pop("f"), args.pop("x"), **args)


def test_functions_returning_non_numbers_or_failing():
    with pytest.raises(DifferentiationError, match="str"):
        finite_difference(lambda x: "abc", 1.0)
    with pytest.raises(DifferentiationError, match="use hd.jacobian"):
        finite_difference(lambda x: [x, x], 1.0)
    with pytest.raises(DifferentiationError, match="NameError"):
        finite_difference(lambda x: undefined_name, 1.0)  # noqa: F821
    with pytest.raises(DifferentiationError, match="expected a number"):
        finite_jacobian(lambda x: [x, "b"], 1.0)
    with pytest.raises(TypeError, match="plain numbers"):
        finite_difference(hd.sin, hd.Dual(1.0, 1.0))


def test_schemes_constant():
    assert SCHEMES == ("forward", "backward", "central", "five-point", "complex-step", "richardson")
