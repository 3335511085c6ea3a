"""Graphs compiled to JAX (issue 19): Graph.to_jax, Graph.compile(backend="jax"), the hybrid method
on JAX, and JAX as one more independent reference: jax.grad of the emitted jax.numpy code against
hybriddiff's own derivative graphs, over the whole primitive table and random expressions.
"""
from __future__ import annotations

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import assume, given

import hybriddiff as hd
from conftest import close, sample_points
from expressions import as_function, away_from_zero, expressions, finite_value

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

PRIMS = sorted(hd.PRIMITIVES.values(), key=lambda p: p.name)


def seed(x):
    return hd.exp(x * x - x) / x


def _grad_on_jax(fn, args, i):
    with jax.enable_x64(True):
        return float(jax.grad(fn, argnums=i)(*[jnp.asarray(a, dtype="float64") for a in args]))


# ------------------------------------------------------------------ JAX as an independent reference
@pytest.mark.parametrize("prim", PRIMS, ids=[p.name for p in PRIMS])
def test_jax_grad_of_every_primitive_agrees_with_the_derivative_graph(prim):
    for point in sample_points(prim):
        graph = hd.trace(lambda *a: prim(*a), *point)
        emitted = graph.to_jax()
        with jax.enable_x64(True):
            assert close(float(emitted(*point)), float(prim(*point)), rel=4e-15), (prim.name, point)   # XLA: a few ulp
        for i in range(prim.arity):
            ours = graph.derivative(i)(*point)
            theirs = _grad_on_jax(emitted, point, i)
            assert close(float(ours), theirs, rel=1e-13), (prim.name, point, i, ours, theirs)


@pytest.mark.parametrize("prim", PRIMS, ids=[p.name for p in PRIMS])
def test_every_primitive_has_its_jax_counterpart_in_its_record(prim):
    assert prim.jax_source and "np." not in prim.jax_source.replace("jnp.", "")
    args = [f"a{i}" for i in range(prim.arity)]
    code = prim.jax_source.format(*args)
    point = sample_points(prim)[1]
    with jax.enable_x64(True):
        value = eval(code, {"jnp": jnp}, dict(zip(args, map(jnp.asarray, point))))  # our own template
    assert close(float(value), float(prim.numpy(*point)), rel=1e-15), (prim.name, code)


points = away_from_zero


@given(expr=expressions, x=points, y=points)
def test_jax_grad_agrees_with_our_gradient_graph_on_random_expressions(expr, x, y):
    assume(finite_value(expr, x, y) is not None)
    f = as_function(expr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        graph = hd.trace(f, x, y)
        ours = graph.grad()(x, y)
    ours = [float(v) for v in np.ravel(ours)]
    assume(all(math.isfinite(g) and abs(g) < 1e8 for g in ours))
    theirs = [_grad_on_jax(graph.to_jax(), (x, y), i) for i in range(2)]
    for a, b in zip(ours, theirs):
        assert math.isclose(a, b, rel_tol=1e-11, abs_tol=1e-11 * max(1.0, abs(a))), (ours, theirs)


# ------------------------------------------------------------------ to_jax and compile(backend="jax")
def test_to_jax_is_pure_jax_numpy_in_the_graphs_own_order():
    graph = hd.trace(seed, 2.0)
    fn = graph.to_jax()
    assert fn.source.splitlines()[1:5] == ["    v1 = x * x", "    v2 = v1 - x", "    v3 = jnp.exp(v2)",
                                           "    v4 = v3 / x"]
    with jax.enable_x64(True):
        assert float(jax.jit(jax.grad(fn))(2.0)) == pytest.approx(9.236320123663313, rel=1e-15)
        batch = jax.jit(jax.vmap(jax.grad(fn)))(jnp.linspace(0.5, 3.0, 7))
    reference = hd.trace(seed, 2.0).grad().compile()(np.linspace(0.5, 3.0, 7))
    np.testing.assert_allclose(np.asarray(batch), reference, rtol=1e-14)


def test_the_compiled_function_takes_any_batch_shape_in_float64_without_touching_global_settings():
    before = jax.config.jax_enable_x64
    df = hd.trace(seed, 2.0).grad().compile(backend="jax")
    numpy_df = hd.trace(seed, 2.0).grad().compile()
    assert float(df(2.0)) == pytest.approx(9.236320123663313, rel=1e-15)
    for shape in [(), (5,), (3, 4), (2, 1, 3)]:
        x = np.full(shape, 1.7) + np.arange(int(np.prod(shape))).reshape(shape) * 0.01
        out = df(x)
        assert out.shape == shape and out.dtype == np.float64
        np.testing.assert_allclose(np.asarray(out), numpy_df(x), rtol=1e-14)
    assert jax.config.jax_enable_x64 == before
    low = hd.trace(seed, 2.0).grad().compile(backend="jax", dtype="float32")
    assert low(2.0).dtype == np.float32 and float(low(2.0)) == pytest.approx(9.236320123663313, rel=1e-6)
    with pytest.raises(ValueError, match="dtype must be one of"):
        hd.trace(seed, 2.0).compile(backend="jax", dtype="float16")
    with pytest.raises(ValueError, match="dtype='float32' is for backend='jax'"):
        hd.trace(seed, 2.0).compile(dtype="float32")
    with pytest.raises(TypeError, match="takes 1 argument"):
        df(1.0, 2.0)


def test_array_arguments_and_several_outputs():
    g = hd.trace(lambda v: [v[0] * v[1], hd.sin(v[0])], np.array([1.0, 2.0]))
    jac = g.derivative().compile(backend="jax")(np.array([1.0, 2.0]))
    np.testing.assert_allclose(np.ravel(np.asarray(jac)), np.ravel(hd.jacobian(lambda v: [v[0] * v[1], hd.sin(v[0])])(
        np.array([1.0, 2.0]))), rtol=1e-15)


def test_no_derivative_where_f_is_undefined():
    dlog = hd.trace(hd.log, 2.0).grad().compile(backend="jax")
    assert math.isnan(float(dlog(-1.0)))
    np.testing.assert_array_equal(np.isnan(np.asarray(dlog(np.array([-1.0, 2.0])))), [True, False])


def _branchy(x):
    return x * x if x > 0 else -x


def test_a_guard_fails_clearly_never_silently():
    graph = hd.trace(_branchy, 1.0)
    compiled = graph.compile(backend="jax")
    assert float(compiled(3.0)) == 9.0
    with pytest.raises(hd.TraceGuardError, match="guard 0: >"):
        compiled(-1.0)
    with pytest.raises(hd.TraceGuardError):
        compiled(np.array([1.0, -1.0]))      # one element on the other branch is enough
    with pytest.raises(Exception, match="checkify"):
        jax.jit(graph.to_jax())(1.0)         # staged without checkify: JAX refuses, no wrong value


# ------------------------------------------------------------------ the hybrid method on JAX
def test_hybrid_on_jax_through_derivative_and_the_comparison():
    assert "hybrid-jax" in hd.METHODS
    assert hd.derivative(seed, 2.0, method="hybrid", backend="jax") == pytest.approx(9.236320123663313, rel=1e-15)
    assert hd.derivative(seed, 2.0, method="hybrid-jax", order=3) == pytest.approx(119.14852959525672, rel=1e-14)
    with pytest.raises(ValueError, match="backend='jax' is for method='hybrid'"):
        hd.derivative(seed, 2.0, method="forward", backend="jax")
    with pytest.raises(ValueError, match="backend must be 'numpy' or 'jax'"):
        hd.derivative(seed, 2.0, method="hybrid", backend="torch")
    assert "hybrid-jax" not in [r.method for r in hd.compare(hd.sin, 1.0, methods=None, budget=0.001).rows]
    row = hd.compare(seed, 2.0, methods=["hybrid-jax"], budget=0.005)["hybrid-jax"]
    assert row.status in ("exact", "accurate") and "compiled by JAX" in row.note and row.setup > 0


# ------------------------------------------------------------------ JAX stays optional
def test_import_hybriddiff_never_imports_jax():
    code = "import sys, hybriddiff as hd; hd.derivative(hd.sin, 1.0); print('jax' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr


def test_without_jax_the_error_names_the_extra(monkeypatch):
    from hybriddiff.graph import jaxcode
    monkeypatch.setitem(sys.modules, "jax", None)   # import jax now raises ImportError
    with pytest.raises(ImportError, match=r'pip install "hybriddiff\[jax\]"'):
        jaxcode.require_jax()
    with pytest.raises(ImportError, match="hybriddiff\\[jax\\]"):
        hd.trace(seed, 2.0).to_jax()
