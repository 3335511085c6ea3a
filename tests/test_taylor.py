"""Taylor mode (hd.taylor): every primitive of the table to order 8 against mpmath, the seed's f to
order 10, exp(sin x) to order 20, long chains, nesting inside other operators, bad input."""
import math

import mpmath
import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.ad.taylor import Taylor

from conftest import along, sample_points

CASES = [(name, point, i) for name, prim in sorted(hd.PRIMITIVES.items())
         for point in sample_points(prim)[:2] for i in range(prim.arity)]


def _reference(fn, x, order, dps=60):
    """Taylor coefficients of fn at x by mpmath's high-precision differentiation."""
    with mpmath.workdps(dps):
        return [float(c) for c in mpmath.taylor(fn, mpmath.mpf(x), order)]


def _agree(got, expected, rel):
    scale = max(1.0, max(abs(c) for c in expected if math.isfinite(c)))
    for k, (g, e) in enumerate(zip(got, expected)):
        assert math.isclose(g, e, rel_tol=rel, abs_tol=rel * scale), (k, got, expected)


@pytest.mark.parametrize("name, point, i", CASES)
def test_every_primitive_to_order_8_matches_mpmath(name, point, i):
    """Generated from the table: a new primitive is checked here with no test of its own."""
    prim = hd.PRIMITIVES[name]
    f, exact = along(prim, point, i), along(prim, point, i, mp=True)
    got = hd.taylor(f, point[i], 8).coefficients
    _agree(got, _reference(exact, point[i], 8), rel=1e-8)


def test_the_seeds_function_to_order_10():
    got = hd.taylor(lambda x: hd.exp(x * x - x) / x, 2.0, 10).derivatives
    with mpmath.workdps(60):
        expected = [float(mpmath.diff(lambda t: mpmath.exp(t * t - t) / t, 2, k)) for k in range(11)]
    assert got[:2] == [3.694528049465325, 9.236320123663312]
    for g, e in zip(got, expected):
        assert math.isclose(g, e, rel_tol=1e-12)


def test_exp_of_sin_to_order_20():
    got = hd.taylor(lambda x: np.exp(np.sin(x)), 0.7, 20).coefficients
    with mpmath.workdps(60):
        expected = [float(c) for c in mpmath.taylor(lambda t: mpmath.exp(mpmath.sin(t)), mpmath.mpf(0.7), 20)]
    for k, (g, e) in enumerate(zip(got, expected)):
        assert math.isclose(g, e, rel_tol=1e-10), k


def test_agrees_with_nested_forward_mode_and_the_derivative_graph():
    f = lambda x: hd.log(1 + x * x) * hd.cos(x) / (2 + hd.sinh(x))
    got = hd.taylor(f, 0.4, 4).derivatives
    assert math.isclose(got[1], hd.derivative(f, 0.4, method="forward"), rel_tol=1e-14)
    for n in (2, 3, 4):
        assert math.isclose(got[n], hd.derivative(f, 0.4, method="forward", order=n), rel_tol=1e-11)


def test_directional_derivatives_of_several_inputs():
    r = hd.taylor(lambda v: v[0] * v[1], np.array([1.0, 2.0]), 3, direction=[1.0, 1.0])
    assert r.coefficients == [2.0, 3.0, 1.0, 0.0]            # (1 + t)(2 + t)
    r = hd.taylor(lambda v: hd.exp(v[0]) * v[1], np.array([0.0, 1.0]), 2, direction=[1.0, 0.0])
    assert r.coefficients == [1.0, 1.0, 0.5]


def test_vector_outputs_and_the_registry_method():
    r = hd.taylor(lambda x: [hd.exp(x), x * x, 2.0], 0.0, 3)
    assert r.coefficients.tolist() == [[1.0, 1.0, 0.5, 1 / 6], [0.0, 0.0, 1.0, 0.0], [2.0, 0.0, 0.0, 0.0]]
    assert r.derivatives[0].tolist() == [1.0, 1.0, 1.0, 1.0]
    assert hd.derivative(lambda x: hd.exp(x * x - x) / x, 2.0, method="taylor", order=10) == pytest.approx(
        10478301.305363959, rel=1e-13)
    J = hd.compare(lambda v: [v[0] * v[1], hd.sin(v[0])], np.array([1.0, 2.0]), methods=["taylor"],
                   budget=0.001)["taylor"]
    assert J.status == "exact" and np.allclose(J.value, [[2.0, 1.0], [math.cos(1.0), 0.0]], rtol=1e-15)


def test_a_long_chain_does_not_recurse_along_the_chain():
    def f(x):
        for _ in range(20_000):
            x = hd.sin(x) * 0.999 + 0.001
        return x
    r = hd.taylor(f, 0.5, 3)
    assert all(math.isfinite(c) for c in r.coefficients)
    assert math.isclose(r.derivatives[1], hd.derivative(f, 0.5, method="forward"), rel_tol=1e-12)


def test_inside_other_operators_and_by_hand():
    # d/dx of the second derivative is the third: reverse mode over Taylor mode
    third = hd.grad(lambda x: hd.taylor(hd.sin, x, 2).derivatives[2])(0.3)
    assert math.isclose(third, -math.cos(0.3), rel_tol=1e-14)
    t = hd.exp(Taylor([0.0, 1.0, 0.0, 0.0]))
    assert t.coefficients == [1.0, 1.0, 0.5, 1 / 6] and t.value == 1.0
    assert hd.floor(Taylor([2.5, 1.0])) == 2.0             # piecewise constant: a constant
    assert (Taylor([1.0, 1.0]) < 2.0) is True               # comparisons on the value


def test_constant_functions_and_order_zero():
    assert hd.taylor(lambda x: 3.0, 1.0, 3).coefficients == [3.0, 0.0, 0.0, 0.0]
    assert hd.taylor(hd.exp, 0.0, 0).coefficients == [1.0]


def test_bad_input():
    for order in (-1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="order must be"):
            hd.taylor(hd.sin, 1.0, order)
    with pytest.raises(TypeError, match="expected a function"):
        hd.taylor(3.0, 1.0, 2)
    with pytest.raises(ValueError, match="direction has shape"):
        hd.taylor(lambda v: v[0], np.array([1.0, 2.0]), 2, direction=[1.0])
    with pytest.raises(hd.OutputTypeError):
        hd.taylor(lambda x: "text", 1.0, 2)
    with pytest.raises(ValueError, match="at least one coefficient"):
        Taylor([])


def test_high_orders_against_a_closed_form_and_in_bounded_work(monkeypatch):
    """1/(1 + x^2) = Im(1/(x - i)): c_k = (-1)^k Im((a - i)^-(k+1)), an independent reference to order
    150 (coefficients down to 1e-30 and up to 1e+0). And the work per order stays bounded: a quotient
    whose partial -u/y made a new quotient for every order took 2^n steps."""
    a = 1.3
    got = hd.taylor(lambda x: 1 / (1 + x * x), a, 150).coefficients
    with mpmath.workdps(80):
        expected = [float((-1) ** k * mpmath.im(1 / (mpmath.mpc(a, -1)) ** (k + 1))) for k in range(151)]
    for k, (g, e) in enumerate(zip(got, expected)):
        assert math.isclose(g, e, rel_tol=1e-11, abs_tol=1e-300), k
    calls = []
    original = Taylor._next
    monkeypatch.setattr(Taylor, "_next", lambda self, k: calls.append(k) or original(self, k))
    hd.taylor(lambda x: hd.tan(x) / (1 + x * x) + hd.sin(x) * hd.cos(x), 0.4, 12)
    assert len(calls) < 400, len(calls)          # a few series of 13 coefficients each, not 2^12


def test_derivatives_past_the_float_factorial_are_right_or_nan():
    r = hd.taylor(lambda x: hd.exp(x), 0.0, 200)
    assert math.isclose(r.derivatives[160], 1.0, rel_tol=1e-13)
    # c_200 = 1/200! underflows to 0 (and c_171.. are subnormal): nan, not the wrong 0.0
    assert math.isnan(r.derivatives[200]) and math.isnan(r.derivatives[172])
    assert hd.taylor(lambda x: 1 / (1 - x), 0.0, 200).derivatives[200] == math.inf   # 200! itself
    scaled = hd.taylor(lambda x: hd.exp(x), 0.0, 200, direction=10.0)     # c_k = 10^k / k!: in range
    assert math.isclose(scaled.coefficients[200], float(mpmath.mpf(10) ** 200 / mpmath.factorial(200)),
                        rel_tol=1e-12)
