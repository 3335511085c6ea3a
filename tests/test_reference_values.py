"""The seed tutorial's worked examples and the published reference values (Baydin et al. 2018, the
logistic map): the numbers every implementation must reproduce."""
import math

import numpy as np
import pytest

import hybriddiff as hd

SEED_VALUE = 3.694528049465325
SEED_DERIVATIVE_PRINTED = 9.236320123663312
SEED_DERIVATIVE_EXACT = 1.25 * math.e ** 2


def seed_f(x):
    return hd.exp(x**2 - x) / x


def ulps_apart(a, b):
    return abs(a - b) / math.ulp(b)


def test_seed_example_1_forward():
    y = seed_f(hd.Dual(2.0, 1.0))
    assert y.value == SEED_VALUE
    assert ulps_apart(y.tangent, SEED_DERIVATIVE_PRINTED) <= 4
    assert ulps_apart(y.tangent, SEED_DERIVATIVE_EXACT) <= 4


def test_seed_example_1_reverse():
    x = hd.Variable(2.0)
    y = seed_f(x)
    y.backward()
    assert y.value == SEED_VALUE
    assert ulps_apart(x.grad, SEED_DERIVATIVE_EXACT) <= 4


def test_seed_example_1_written_with_numpy():
    f = lambda x: np.exp(x * x - x) / x  # noqa: E731
    for method in ("forward", "reverse"):
        assert ulps_apart(hd.derivative(f, 2.0, method=method), SEED_DERIVATIVE_EXACT) <= 4


def test_seed_rtruediv_is_right():
    """The seed's __rtruediv__ forgot the sign and the chain rule: d(c/x) = -c x' / x**2."""
    y = 3.0 / hd.Dual(2.0, 5.0)
    assert y.value == 1.5 and y.tangent == -3.0 * 5.0 / 4.0
    x = hd.Variable(2.0)
    (3.0 / x).backward()
    assert x.grad == -0.75


@pytest.mark.parametrize("x1, x2", [(1.5, 0.5), (2.0, -1.0), (-0.3, 2.2)])
def test_seed_examples_2_and_3(x1, x2):
    g = lambda a, b: a * hd.exp(b) - a  # noqa: E731
    exact = (math.exp(x2) - 1, x1 * math.exp(x2))
    forward = (g(hd.Dual(x1, 1.0), hd.Dual(x2, 0.0)).tangent, g(hd.Dual(x1, 0.0), hd.Dual(x2, 1.0)).tangent)
    a, b = hd.Variable(x1), hd.Variable(x2)
    g(a, b).backward()
    for got in (forward, (a.grad, b.grad), hd.grad(g, argnums=(0, 1), mode="forward")(x1, x2)):
        assert got == pytest.approx(exact, rel=1e-15)


def baydin(x1, x2):
    return hd.log(x1) + x1 * x2 - hd.sin(x2)


def test_baydin_primal_and_tangent_trace():
    y = baydin(hd.Dual(2.0, 1.0), hd.Dual(5.0, 0.0))
    assert y.value == pytest.approx(11.652071455223084, rel=1e-15)
    assert y.tangent == pytest.approx(5.5, rel=1e-15)
    out, tangent = hd.jvp(baydin, (2.0, 5.0), (1.0, 0.0))
    assert (out, tangent) == pytest.approx((11.652071455223084, 5.5), rel=1e-15)


def test_baydin_adjoints():
    x1, x2 = hd.Variable(2.0), hd.Variable(5.0)
    baydin(x1, x2).backward()
    assert x1.grad == pytest.approx(5.5, rel=1e-15)
    assert x2.grad == pytest.approx(1.7163378145367738, rel=1e-15)
    _, f_vjp = hd.vjp(baydin, 2.0, 5.0)
    assert f_vjp(1.0) == pytest.approx((5.5, 1.7163378145367738), rel=1e-15)


def test_baydin_hessian():
    H = hd.hessian(lambda x: baydin(x[0], x[1]))(np.array([2.0, 5.0]))
    assert H == pytest.approx(np.array([[-0.25, 1.0], [1.0, -0.95892427466313847]]), rel=1e-14)


def test_logistic_map_derivative():
    def l4(x):
        value = x
        for _ in range(3):
            value = 4 * value * (1 - value)
        return value
    for method in ("forward", "reverse"):
        assert hd.derivative(l4, 0.3, method=method) == pytest.approx(102272 / 78125, rel=1e-14)
