"""Tracing to graphs: structure, evaluation on every number type, guards, derivative graphs, code."""
import math
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import hybriddiff as hd
from hybriddiff.core import primitives as P

from expressions import as_function, expressions, finite_value


def baydin(x1, x2):
    return hd.log(x1) + x1 * x2 - hd.sin(x2)


def seed_f(x):
    return np.exp(x ** 2 - x) / x


def test_wengert_listing_of_baydin():
    g = hd.trace(baydin, 2.0, 5.0)
    assert str(g).splitlines() == [
        "Graph baydin(x1, x2): 5 operations", "v-1 = x1", "v0 = x2", "v1 = log(v-1)",
        "v2 = v-1 * v0", "v3 = v1 + v2", "v4 = sin(v0)", "v5 = v3 - v4", "return v5"]
    assert g.input_names() == ["x1", "x2"] and g.n_ops == 5


def test_hash_consing_and_folding():
    g = hd.trace(lambda x: hd.sin(x) * hd.sin(x) + (x * 1 + 0) * (2 - 1) - x * 0, 1.0)
    ops = [n.prim.name for n in g.nodes if n.kind == "op"]
    assert ops.count("sin") == 1            # equal subexpressions are one node
    assert "sub" not in ops                 # x*0 is a structural zero, x - 0 = x
    assert g(1.0) == pytest.approx(math.sin(1.0) ** 2 + 1.0)
    h = hd.trace(lambda x, y: x * y + y * x, 1.0, 2.0)
    assert sum(1 for n in h.nodes if n.kind == "op" and n.prim is P.mul) == 1  # commutative


def test_constants_stay_exact():
    g = hd.trace(lambda x: x ** 2, 3.0).grad()
    consts = [n.const for n in g.nodes if n.kind == "const"]
    assert consts and all(type(c) is int for c in consts)
    assert g(3.0) == 6.0 and type(g(3.0)) is float


def test_prune_drops_unused_nodes():
    def f(x):
        unused = hd.exp(x) * 3  # noqa: F841
        return x * x
    g = hd.trace(f, 1.0)
    assert g.n_ops == 3 and g.prune().n_ops == 1 and g.prune()(3.0) == 9.0


def test_array_arguments_and_outputs():
    g = hd.trace(lambda x: [x[0] * x[1], np.sum(x)], np.array([1.0, 2.0, 3.0]))
    assert g.input_names() == ["x[0]", "x[1]", "x[2]"]
    assert g(np.array([2.0, 3.0, 4.0])) == [6.0, 9.0]
    batch = g(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    assert batch[0].tolist() == [3.0, 8.0] and batch[1].tolist() == [9.0, 12.0]
    t = hd.trace(lambda a, b: (a + b, np.array([a, b])), 1.0, 2.0)
    out = t(3.0, 4.0)
    assert isinstance(out, tuple) and out[0] == 7.0 and out[1].tolist() == [3.0, 4.0]


def test_evaluation_on_every_number_type():
    g = hd.trace(baydin, 2.0, 5.0)
    assert g(2.0, 5.0) == 11.652071455223084
    assert g(np.array([2.0, 3.0]), 5.0) == pytest.approx([11.652071455223084, math.log(3) + 15 - math.sin(5)])
    z = g(2.0 + 1e-20j, 5.0)
    assert z.imag / 1e-20 == pytest.approx(5.5)
    with mpmath.workdps(50):
        ref = g(mpmath.mpf(2), mpmath.mpf(5))
        assert abs(ref - (mpmath.log(2) + 10 - mpmath.sin(5))) < mpmath.mpf(10) ** -45
    d = g(hd.Dual(2.0, 1.0), 5.0)
    assert d.tangent == pytest.approx(5.5)


def test_batch_evaluation_broadcasts():
    g = hd.trace(lambda x, y: x * y + 1, 1.0, 2.0)
    out = g(np.array([1.0, 2.0])[:, None], np.array([1.0, 2.0, 3.0])[None, :])
    assert out.shape == (2, 3) and out[1, 2] == 7.0
    const = hd.trace(lambda x: 5.0, 1.0)
    assert const(np.zeros(4)).tolist() == [5.0] * 4


def test_guards():
    def f(x):
        if x > 1:
            return x * x
        return -x
    g = hd.trace(f, 2.0)
    assert g(3.0) == 9.0
    with pytest.raises(hd.TraceGuardError, match=r"v0 > 1.*True.*0.5 > 1"):
        g(0.5)
    with pytest.raises(hd.TraceGuardError):
        g(np.array([3.0, 0.5]))
    assert g.grad()(3.0) == 6.0
    with pytest.raises(hd.TraceGuardError):
        g.grad()(0.5)
    with pytest.raises(hd.TraceGuardError):
        g.compile()(0.5)
    with pytest.raises(hd.TraceGuardError):
        g.grad().compile()(np.array([0.5, 2.0]))


def test_while_loops_unroll_with_guards():
    def newton_sqrt(a):
        x = a
        while abs(x * x - a) > 1e-12:
            x = (x + a / x) / 2
        return x
    g = hd.trace(newton_sqrt, 2.0)
    assert g(2.0) == pytest.approx(math.sqrt(2))
    assert g.grad()(2.0) == pytest.approx(0.5 / math.sqrt(2), rel=1e-9)


def test_gradient_graph_of_baydin():
    G = hd.trace(baydin, 2.0, 5.0).grad()
    assert G(2.0, 5.0) == pytest.approx((5.5, 1.7163378145367738), rel=1e-15)
    assert hd.trace(baydin, 2.0, 5.0).grad(wrt=1)(2.0, 5.0) == pytest.approx(1.7163378145367738)
    assert "adjoint of" in str(G)


@pytest.mark.parametrize("second", ["derivative", "grad"])
def test_hessian_of_baydin_by_graphs(second):
    G = hd.trace(baydin, 2.0, 5.0).grad()
    rows = [G.derivative(0)(2.0, 5.0), G.derivative(1)(2.0, 5.0)]
    assert np.array(rows) == pytest.approx(np.array([[-0.25, 1.0], [1.0, -0.9589242746631385]]), rel=1e-15)
    f = lambda x: baydin(x[0], x[1])  # noqa: E731
    H = hd.trace(f, np.array([2.0, 5.0])).grad().derivative()(np.array([2.0, 5.0]))
    assert H == pytest.approx(np.array([[-0.25, 1.0], [1.0, -0.9589242746631385]]), rel=1e-15)


def test_fourth_derivative_of_sin():
    for method in ("forward", "reverse"):
        assert hd.derivative(hd.sin, 0.7, method=method, order=4) == pytest.approx(math.sin(0.7), rel=1e-15)
    d = hd.trace(np.sin, 0.7)
    for _ in range(4):
        d = d.derivative()
    assert d.n_ops <= 3 and d(0.7) == pytest.approx(math.sin(0.7), rel=1e-15)


def test_high_order_stays_small():
    """Hash-consing keeps d^n/dx^n of exp(sin(x)) polynomial in n, where nested duals grow 2^n."""
    g = hd.trace(lambda x: hd.exp(hd.sin(x)), 0.3)
    sizes = []
    for _ in range(8):
        g = g.derivative()
        sizes.append(g.n_ops)
    assert sizes[-1] < 400
    mpmath.mp.dps = 30
    expected = mpmath.diff(lambda t: mpmath.exp(mpmath.sin(t)), 0.3, 8)
    mpmath.mp.dps = 15
    assert g(0.3) == pytest.approx(float(expected), rel=1e-10)


def test_jvp_graph():
    J = hd.trace(baydin, 2.0, 5.0).jvp()
    assert J.input_names() == ["x1", "x2", "x1_dot", "x2_dot"]
    assert J(2.0, 5.0, 1.0, 0.0) == pytest.approx(5.5) and J(2.0, 5.0, 0.0, 1.0) == pytest.approx(1.7163378145367738)


def test_derivative_graph_of_vector_function():
    D = hd.trace(lambda x: [x[0] * x[1], hd.sin(x[0])], np.array([1.0, 2.0])).derivative()
    out = D(np.array([1.0, 2.0]))
    assert out[0].tolist() == [2.0, 1.0] and out[1] == pytest.approx([math.cos(1.0), 0.0])


def test_operators_compose_through_graphs_and_modes():
    f = lambda x: x * hd.grad(lambda y: x + y)(3.0)  # noqa: E731
    g = hd.trace(f, 2.0)
    assert g.grad()(2.0) == 1.0     # no perturbation confusion inside a trace either
    assert hd.grad(hd.grad(np.sin), mode="forward")(0.5) == pytest.approx(-math.sin(0.5))
    assert hd.jacobian(hd.grad(lambda x: np.sum(x ** 3)), mode="reverse")(np.array([1.0, 2.0])) == pytest.approx(
        np.diag([6.0, 12.0]))


def test_source_is_readable_and_compiles():
    G = hd.trace(seed_f, 2.0).grad()
    src = G.source()
    assert src.startswith("def grad_seed_f(x):") and "np.exp" in src and "# adjoint of" in src
    lines = [ln for ln in src.splitlines()[1:-1]]
    assert len(lines) == G.n_ops   # one assignment per node
    assert "math.exp" in G.source(backend="math")
    df = G.compile()
    assert df(2.0) == pytest.approx(1.25 * math.e ** 2, rel=1e-15) and type(df(2.0)) is float
    xs = np.linspace(0.5, 3.0, 7)
    assert df(xs) == pytest.approx(G(xs), rel=1e-15)
    with pytest.warns(RuntimeWarning):
        assert math.isnan(df(0.0)) or math.isinf(df(0.0))   # NumPy's values, not an exception
    assert G.compile(backend="math")(2.0) == df(2.0)


def test_compile_arrays_tuples_and_big_graphs(monkeypatch):
    import hybriddiff.graph.chunked as chunked
    f = lambda x: np.sum(x ** 3) + x[0] * x[1]  # noqa: E731
    G = hd.trace(f, np.array([1.0, 2.0, 3.0])).grad()
    assert G.compile()(np.array([1.0, 2.0, 3.0])) == pytest.approx([5.0, 13.0, 27.0])
    B = hd.trace(baydin, 2.0, 5.0).grad()
    monkeypatch.setattr(chunked, "CHUNK", 3)        # force the chunked path on a small graph
    chunked = B.compile()
    assert chunked(2.0, 5.0) == pytest.approx((5.5, 1.7163378145367738))
    assert chunked(np.array([2.0, 3.0]), 5.0)[0] == pytest.approx([5.5, 5.0 + 1 / 3])


@given(expr=expressions, x=st.floats(0.1, 2.0), y=st.floats(-2.0, 2.0))
def test_graph_agrees_with_eager_modes_and_compiled_code(expr, x, y):
    assume(finite_value(expr, x, y) is not None)
    f = as_function(expr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        g = hd.trace(f, x, y)
        value = g(x, y)
        assert value == finite_value(expr, x, y) or math.isclose(value, finite_value(expr, x, y), rel_tol=1e-15)
        assert g.compile()(x, y) == pytest.approx(value, rel=1e-15, nan_ok=True)
        reverse = hd.grad(f, argnums=(0, 1))(x, y)
        graph = g.grad()(x, y)
        compiled = g.grad().compile()(x, y)
    assume(all(math.isfinite(v) for v in reverse))
    assert graph == pytest.approx(reverse, rel=1e-12, abs=1e-12)
    assert compiled == pytest.approx(graph, rel=1e-15, abs=1e-300)


def test_deep_chain_without_recursion():
    n = 10_000
    def chain(x):
        for _ in range(n):
            x = hd.sin(x) * 0.999 + 0.001
        return x
    g = hd.trace(chain, 0.5)
    assert len(g.nodes) > 3 * n
    G = g.grad()
    expected = hd.grad(chain)(0.5)
    assert G(0.5) == pytest.approx(expected, rel=1e-12)
    assert "v1 = sin(v0)" in str(g)
    assert len(G.source().splitlines()) > n
    assert G.compile()(0.5) == pytest.approx(expected, rel=1e-12)


def test_wide_gradient_with_ten_thousand_inputs():
    n = 10_000
    x = np.linspace(0.1, 1.0, n)
    f = lambda v: np.sum(v * v) + v[0] * v[-1]  # noqa: E731
    g = hd.trace(f, x).grad()
    out = g(x)
    expected = 2 * x
    expected[0] += x[-1]
    expected[-1] += x[0]
    assert out == pytest.approx(expected)
    assert hd.grad(f)(x) == pytest.approx(expected)


def test_bad_input_to_graphs():
    g = hd.trace(baydin, 2.0, 5.0)
    with pytest.raises(TypeError, match="takes 2 argument"):
        g(1.0)
    with pytest.raises(TypeError, match="argument 'x1' is a str"):
        g("a", 1.0)
    with pytest.raises(hd.DifferentiationError, match="returned a str"):
        hd.trace(lambda x: "no", 1.0)
    with pytest.raises(TypeError, match="give a point"):
        hd.trace(baydin)
    with pytest.raises(ValueError, match="wrt="):
        g.grad(wrt=5)
    with pytest.raises(hd.DifferentiationError, match="one output"):
        hd.trace(lambda x: [x, x], 1.0).grad()


def test_inplace_body_equals_allocating_body():
    """Batches of float arrays run a body that reuses buffers; it must equal plain evaluation."""
    def f(x, y):
        a = hd.maximum(x, y) ** 2.5 + hd.heaviside(x - 1) * hd.exp(-x * y)
        return [a * hd.sin(a) - hd.log1p(y * y), x ** 3 / (1 + y), (x + 1) * 2]
    g = hd.trace(f, 1.5, 0.5)
    G = hd.trace(lambda x, y: f(x, y)[0], 1.5, 0.5).grad()
    x = np.linspace(1.1, 2.0, 9)
    y = np.linspace(0.1, 0.9, 9)
    x_copy, y_copy = x.copy(), y.copy()
    for graph in (g, G):
        fast = graph.compile()
        assert "np.multiply(" in fast.source or "out=" in fast.source
        for got, want in zip(fast(x, y), graph(x, y)):
            assert np.allclose(got, want, rtol=1e-15, atol=0)
        assert (x == x_copy).all() and (y == y_copy).all()      # never writes into the caller's arrays
        mixed = fast(x, 0.5)                                     # not one shape: the plain body
        for got, want in zip(mixed, graph(x, 0.5)):
            assert np.allclose(got, want, rtol=1e-15)
