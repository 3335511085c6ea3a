"""The float fast paths of + - * / ** are the same rules as the generic dispatch through bind."""
import pytest
from hypothesis import given, strategies as st

import hybriddiff as hd
from hybriddiff.core import primitives as P
from hybriddiff.core.dispatch import bind

finite = st.floats(-50, 50, allow_nan=False).filter(lambda v: abs(v) > 1e-3)
OPS = [(P.add, lambda a, b: a + b), (P.sub, lambda a, b: a - b), (P.mul, lambda a, b: a * b),
       (P.div, lambda a, b: a / b), (P.pow, lambda a, b: abs(a) ** b if isinstance(a, float) else a ** b)]


def _pow_safe(prim, x):
    return abs(x) if prim is P.pow else x


@pytest.mark.parametrize("prim, op", OPS, ids=[p.name for p, _ in OPS])
@given(x=finite, y=st.floats(-3, 3, allow_nan=False).filter(lambda v: abs(v) > 1e-3))
def test_dual_fast_path_equals_bind(prim, op, x, y):
    x = _pow_safe(prim, x)
    a, b = hd.Dual(x, 0.3), hd.Dual(y, -1.7)
    for fast, slow in ((a.__class__.__dict__[f"__{_dunder(prim)}__"](a, b), bind(prim, a, b)),
                       (a.__class__.__dict__[f"__{_dunder(prim)}__"](a, y), bind(prim, a, y)),
                       (a.__class__.__dict__[f"__r{_dunder(prim)}__"](b, x), bind(prim, x, b))):
        assert fast.value == slow.value and fast.tangent == pytest.approx(slow.tangent, rel=1e-15)


@pytest.mark.parametrize("prim, op", OPS, ids=[p.name for p, _ in OPS])
@given(x=finite, y=st.floats(-3, 3, allow_nan=False).filter(lambda v: abs(v) > 1e-3))
def test_variable_fast_path_equals_bind(prim, op, x, y):
    x = _pow_safe(prim, x)
    results = []
    for use_fast in (True, False):
        a, b = hd.Variable(x), hd.Variable(y)
        out = getattr(a, f"__{_dunder(prim)}__")(b) if use_fast else bind(prim, a, b)
        out.backward()
        results.append((out.value, a.grad, b.grad))
    assert results[0] == pytest.approx(results[1], rel=1e-15)


def _dunder(prim):
    return {"div": "truediv"}.get(prim.name, prim.name)


@pytest.mark.parametrize("name", sorted(hd.PRIMITIVES))
def test_generated_fast_paths_equal_the_generic_rule(name):
    """Every primitive's generated float path (Dual and Variable) matches ``_hd_apply``."""
    from conftest import sample_points
    prim = hd.PRIMITIVES[name]
    for point in sample_points(prim):
        duals = [hd.Dual(p, 0.5 + k) for k, p in enumerate(point)]
        fast = prim.fast[hd.Dual](*duals)
        slow = duals[0]._hd_apply(prim, tuple(duals))
        if prim.piecewise_constant:  # a constant result in both paths
            assert fast == slow and type(fast) is float
            continue
        assert fast.value == slow.value and fast.tangent == pytest.approx(slow.tangent, rel=1e-15)
        grads = []
        for use_fast in (True, False):
            xs = [hd.Variable(p) for p in point]
            out = prim.fast[hd.Variable](*xs) if use_fast else xs[0]._hd_apply(prim, tuple(xs))
            out.backward()
            grads.append([x.grad for x in xs])
        assert grads[0] == pytest.approx(grads[1], rel=1e-15)


def test_generated_source_is_readable():
    doc = hd.primitives.sin.fast[hd.Dual].source   # the generated code (help() shows a one-liner)
    assert "math.sin(x)" in doc and "math.cos(x) * self.tangent" in doc
