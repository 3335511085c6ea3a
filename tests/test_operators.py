"""grad, value_and_grad, jacobian, hessian, jvp, vjp: shapes, argnums, modes and nesting."""
import math

import numpy as np
import pytest

import hybriddiff as hd


def rosenbrock(x):
    total = 0.0
    for i in range(len(x) - 1):
        total = total + 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2
    return total


def rosenbrock_grad(x):
    g = np.zeros_like(x)
    g[:-1] = -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
    g[1:] += 200 * (x[1:] - x[:-1] ** 2)
    return g


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_grad_of_array_function(mode):
    x = np.array([0.3, -1.2, 0.8, 2.0])
    g = hd.grad(rosenbrock, mode=mode)(x)
    assert isinstance(g, np.ndarray) and g.dtype == float
    assert g == pytest.approx(rosenbrock_grad(x), rel=1e-14)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_array_functions_inside(mode):
    f = lambda x: np.sum(np.exp(x[1:]) * x[:-1]) + np.dot(x, x)  # noqa: E731
    x = np.array([0.5, 1.0, -0.25])
    expected = np.array([math.exp(1.0), 0.5 * math.exp(1.0) + math.exp(-0.25), 1.0 * math.exp(-0.25)]) + 2 * x
    assert hd.grad(f, mode=mode)(x) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_argnums(mode):
    f = lambda a, b, c: a * b ** 2 + hd.sin(c)  # noqa: E731
    assert hd.grad(f, argnums=1, mode=mode)(2.0, 3.0, 0.5) == pytest.approx(12.0)
    assert hd.grad(f, argnums=(0, 2), mode=mode)(2.0, 3.0, 0.5) == pytest.approx((9.0, math.cos(0.5)))
    assert hd.grad(f, argnums=-1, mode=mode)(2.0, 3.0, 0.5) == pytest.approx(math.cos(0.5))
    value, grads = hd.value_and_grad(f, argnums=(0, 1), mode=mode)(2.0, 3.0, 0.5)
    assert value == pytest.approx(18 + math.sin(0.5)) and grads == pytest.approx((9.0, 12.0))


def test_int_arguments_become_floats():
    assert hd.grad(lambda x: x ** 3)(2) == 12.0
    assert hd.grad(lambda x: np.sum(x ** 2))([1, 2]) == pytest.approx([2.0, 4.0])


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("kind", [list, tuple, np.array])
def test_jacobian_shapes(mode, kind):
    f = lambda x: kind([x[0] * x[1], hd.sin(x[0]), 3.0])  # noqa: E731
    J = hd.jacobian(f, mode=mode)(np.array([1.0, 2.0]))
    assert J.shape == (3, 2)
    assert J == pytest.approx(np.array([[2.0, 1.0], [math.cos(1.0), 0.0], [0.0, 0.0]]))


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_jacobian_of_scalar_functions(mode):
    assert hd.jacobian(lambda x: [x, x * x], mode=mode)(3.0) == pytest.approx([1.0, 6.0])
    assert hd.jacobian(lambda x: x[0] * x[1], mode=mode)(np.array([2.0, 5.0])) == pytest.approx([5.0, 2.0])
    assert hd.jacobian(hd.sin, mode=mode)(0.0) == pytest.approx(1.0)


def test_jvp_vector_and_vjp_vector():
    f = lambda x, y: [x * y, x + y]  # noqa: E731
    out, tangent = hd.jvp(f, (2.0, 3.0), (1.0, 0.0))
    assert out.tolist() == [6.0, 5.0] and tangent.tolist() == [3.0, 1.0]
    out, f_vjp = hd.vjp(f, 2.0, 3.0)
    assert f_vjp([1.0, 0.0]) == (3.0, 2.0)
    assert f_vjp(np.array([0.0, 1.0])) == (1.0, 1.0)  # vjp_fn can be called again
    out, tangent = hd.jvp(lambda x: np.sum(x * x), (np.array([1.0, 2.0]),), (np.array([1.0, 1.0]),))
    assert (out, tangent) == (5.0, 6.0)


def test_vector_tangent_gives_jacobian_columns():
    x = hd.Dual(2.0, np.array([1.0, 0.0]))
    y = hd.Dual(3.0, np.array([0.0, 1.0]))
    z = x * y + hd.sin(x)
    assert z.tangent == pytest.approx([3.0 + math.cos(2.0), 2.0])


def test_hessian():
    f = lambda x: x[0] ** 2 * x[1] + hd.exp(x[1])  # noqa: E731
    H = hd.hessian(f)(np.array([1.0, 2.0]))
    assert H == pytest.approx(np.array([[4.0, 2.0], [2.0, math.exp(2.0)]]))
    assert hd.hessian(hd.sin)(0.5) == pytest.approx(-math.sin(0.5))


@pytest.mark.parametrize("outer", ["forward", "reverse"])
@pytest.mark.parametrize("inner", ["forward", "reverse"])
def test_no_perturbation_confusion(outer, inner):
    """d/dx [x * d/dy (x + y)] = 1 (a naive untagged dual gives 2)."""
    f = lambda x: x * hd.grad(lambda y: x + y, mode=inner)(3.0)  # noqa: E731
    assert hd.grad(f, mode=outer)(2.0) == 1.0
    g = lambda x: x * hd.derivative(lambda y: x * y, 3.0, method=inner)  # noqa: E731
    assert hd.derivative(g, 2.0, method=outer) == 4.0


@pytest.mark.parametrize("modes", [("forward", "forward", "forward"), ("reverse", "reverse", "reverse"),
                                   ("forward", "reverse", "forward"), ("reverse", "forward", "reverse")])
def test_nested_to_depth_three(modes):
    g = hd.exp
    for mode in modes:
        g = hd.grad(g, mode=mode)
    assert g(0.7) == pytest.approx(math.exp(0.7), rel=1e-15)
    h = lambda x: x ** 5  # noqa: E731
    for mode in modes:
        h = hd.grad(h, mode=mode)
    assert h(2.0) == pytest.approx(60 * 4.0)


def test_jacobian_of_grad():
    f = lambda x: hd.log(x[0]) + x[0] * x[1] - hd.sin(x[1])  # noqa: E731
    for mode in ("forward", "reverse"):
        H = hd.jacobian(hd.grad(f, mode=mode), mode="reverse")(np.array([2.0, 5.0]))
        assert H == pytest.approx(np.array([[-0.25, 1.0], [1.0, -0.95892427466313847]]), rel=1e-14)


@pytest.mark.parametrize("method", ["forward", "reverse"])
def test_higher_order_derivative(method):
    assert hd.derivative(hd.sin, 0.5, method=method, order=4) == pytest.approx(math.sin(0.5), rel=1e-14)
    assert hd.derivative(lambda x: x ** 3, 2.0, method=method, order=3) == 6.0


def test_constant_function_has_zero_derivative():
    for mode in ("forward", "reverse"):
        assert hd.grad(lambda x: 3.0, mode=mode)(1.0) == 0.0
        assert hd.grad(lambda x: np.sum(x[:1]), mode=mode)(np.array([1.0, 2.0])).tolist() == [1.0, 0.0]


def test_complex_points_in_forward_mode():
    y = hd.exp(hd.Dual(1j, 1.0))
    assert y.tangent == pytest.approx(complex(math.cos(1), math.sin(1)))


def test_threads_do_not_share_state():
    from concurrent.futures import ThreadPoolExecutor
    f = lambda x: np.sum(hd.sin(x) * x)  # noqa: E731

    def work(k):
        x = np.linspace(0.1, 1.0, 20) + k
        return np.allclose(hd.grad(f)(x), np.cos(x) * x + np.sin(x), rtol=1e-14)
    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(work, range(16)))
