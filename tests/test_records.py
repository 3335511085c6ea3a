"""Generated from the records: every per-primitive fact (and every scheme and method record) is
checked against what it claims, so a new record with a wrong or missing fact fails here."""
import inspect
import math
import operator

import numpy as np
import pytest
import sympy

import hybriddiff as hd
from hybriddiff.core.functions import COMPOSED, dunder_table, language_table, ufunc_table
from hybriddiff.finite.schemes import SCHEMES_LIST
from hybriddiff.graph.ir import OP
from hybriddiff.methods.registry import METHOD_LIST
from hybriddiff.parse import parse_expression

from conftest import close, sample_points

PRIMS = sorted(hd.PRIMITIVES)
BINARY = [n for n in PRIMS if hd.PRIMITIVES[n].arity == 2]


def _points(prim):
    """Sample points with the arguments swapped too, where both orders lie in the domain, and the
    awkward pairs (0, inf), (0, nan) where a strong zero shows."""
    return [p for p in sample_points(prim)
            if all(lo <= v <= hi for v, (lo, hi) in zip(reversed(p), prim.domain))] + [
        (0.0, math.inf), (0.0, math.nan)]


def test_records_are_frozen():
    with pytest.raises(Exception):
        hd.sin.smooth = False
    with pytest.raises(ValueError, match="defined twice"):
        type(hd.sin)(**{f: getattr(hd.sin, f) for f in ("name", "arity", "numpy", "mpmath", "partials",
                                                         "sympy", "source", "latex", "pretty", "domain")})


@pytest.mark.parametrize("name", BINARY)
def test_commutative_flag_matches_the_numbers(name):
    """A commutative record commutes at every sample point; one that is not flagged does not at
    some point (so a new commutative primitive without the flag fails here)."""
    prim = hd.PRIMITIVES[name]
    points = _points(prim) or sample_points(prim)
    with np.errstate(all="ignore"):
        commutes = [close(prim(*p), prim(*reversed(p)), rel=1e-15) for p in points]
    assert all(commutes) if prim.commutative else not all(commutes)


@pytest.mark.parametrize("name", [n for n in BINARY if hd.PRIMITIVES[n].commutative])
def test_commutative_records_share_one_graph_node(name):
    prim = hd.PRIMITIVES[name]
    g = hd.trace(lambda x, y: prim(x, y) - prim(y, x), 0.3, 0.7)
    assert [node.prim.name for node in g.nodes if node.kind == OP].count(name) == 1


@pytest.mark.parametrize("name", PRIMS)
def test_smooth_and_piecewise_constant_flags(name):
    """Piecewise-constant records have zero partials and are not smooth; a smooth record's
    derivative is continuous at the sample points (left and right quotients agree)."""
    prim = hd.PRIMITIVES[name]
    point = sample_points(prim)[1]
    if prim.piecewise_constant:
        assert not prim.smooth
        assert all(hd.derivative(lambda t: prim(*point[:i], t, *point[i + 1:]), point[i]) == 0.0
                   for i in range(prim.arity))
    assert prim.takes_complex is (prim.smooth and name not in ("cbrt", "arctan2", "hypot", "logaddexp",
                                                              "logaddexp2"))


@pytest.mark.parametrize("name", PRIMS)
def test_ufunc_names_reach_the_record(name):
    prim = hd.PRIMITIVES[name]
    point = sample_points(prim)[1]
    for ufunc_name in prim.ufuncs:
        ufunc = getattr(np, ufunc_name)
        assert isinstance(ufunc, np.ufunc) and ufunc.nin == prim.arity
        assert ufunc_table()[ufunc_name] is prim
        dual = ufunc(hd.Dual(point[0], 1.0), *point[1:])
        if prim.piecewise_constant:   # a constant in the eager modes (no 0 * inf)
            assert dual == float(ufunc(*point))
            continue
        assert close(dual.value, float(ufunc(*point)), rel=1e-15)
        assert close(dual.tangent, hd.derivative(lambda t: prim(t, *point[1:]), point[0]), rel=1e-14)


@pytest.mark.parametrize("composed", COMPOSED, ids=lambda c: c.name)
def test_composed_functions_agree_with_numpy(composed):
    args = (0.7, 2.0)[:composed.arity] if composed.name != "heaviside_ufunc" else (0.7, 0.5)
    for ufunc_name in composed.ufuncs:
        assert close(float(composed.fn(*args)), float(getattr(np, ufunc_name)(*args)), rel=1e-15)
    for name in composed.names:
        assert language_table()[name][2] is composed.fn


@pytest.mark.parametrize("name", PRIMS)
def test_language_names_parse_to_the_record(name):
    prim = hd.PRIMITIVES[name]
    point = sample_points(prim)[1]
    for spelling in prim.names:
        expr = parse_expression(f"{spelling}({', '.join(repr(v) for v in point)})")
        assert close(expr(), prim(*point), rel=1e-15)
        assert language_table()[spelling][2] is prim
    if prim.infix and prim.arity == 2:   # the operator parses to the record too
        a, b = sample_points(prim)[1]
        assert close(parse_expression(f"({a!r}) {prim.infix} ({b!r})")(), prim(a, b), rel=1e-15)


@pytest.mark.parametrize("stem", sorted(dunder_table()))
def test_python_operators_reach_the_record(stem):
    fn, arity = dunder_table()[stem]
    args = (0.7, 1.3)[:arity]
    python = {"floordiv": lambda x, y: x // y, "floor": math.floor, "ceil": math.ceil, "trunc": math.trunc}
    expected = (python.get(stem) or getattr(operator, stem))(*args)
    for box in (hd.Dual(args[0], 1.0), hd.Variable(args[0])):
        got = getattr(box, f"__{stem}__")(*args[1:])
        assert close(got.value if hasattr(got, "value") else got, expected, rel=1e-15)
        assert close(float(fn(*args)), expected, rel=1e-15)


@pytest.mark.parametrize("name", PRIMS)
def test_sympy_spellings_map_back_to_the_record(name):
    """The record's SymPy form converts back to a graph that computes the same values, through its
    ``sympy_heads`` (and ``1/x`` of its reciprocal spellings)."""
    prim = hd.PRIMITIVES[name]
    symbols = sympy.symbols(f"a0:{prim.arity}", real=True)
    point = sample_points(prim)[1]
    graph = hd.Graph.from_sympy(prim.sympy(*symbols), [str(s) for s in symbols])
    assert close(graph(*point), prim(*point), rel=1e-14)
    for head in prim.sympy_heads:
        assert hasattr(sympy, head) or head in ("expm1", "log1p", "log2", "log10", "hypot", "cbrt")
    for reciprocal in prim.sympy_reciprocals:
        g = hd.Graph.from_sympy(getattr(sympy, reciprocal)(symbols[0]), [str(symbols[0])])
        assert close(g(point[0]), 1 / prim(point[0]), rel=1e-14)


@pytest.mark.parametrize("name", PRIMS)
def test_code_templates_compute_the_record(name):
    """Compiled graphs run every template of the record: ``scalar_source`` (floats), ``out_source``
    (equal float arrays: the in-place body), ``source`` (other arrays), ``source_int`` (an exact int
    last argument)."""
    prim = hd.PRIMITIVES[name]
    point = sample_points(prim)[1]
    expected = prim(*point)
    g = hd.trace(lambda *a: prim(*[v + 0.0 for v in a]), *point)   # + 0.0: buffers to reuse
    fn = g.compile()
    assert close(fn(*point), expected, rel=1e-15)
    same = fn(*[np.full(3, v) for v in point])
    assert np.allclose(same, expected, rtol=1e-15, atol=0)
    mixed = fn(*[np.full(3 if k == 0 else 1, v) for k, v in enumerate(point)]) if prim.arity > 1 \
        else fn(np.array(point[0]))
    assert np.allclose(mixed, expected, rtol=1e-15, atol=0)
    if prim.source_int:
        h = hd.trace(lambda *a: prim(*a[:-1], 2), *point)
        assert f"{prim.source_int.format('a0', 2).split('a0')[1]}" in h.source().replace("x1", "a0")
        assert close(h.compile()(*point), prim(*point[:-1], 2), rel=1e-15)
        assert np.allclose(h.compile()(np.full(3, point[0]), np.full(1, point[1])), prim(point[0], 2))


def test_scheme_records():
    names = [s.name for s in SCHEMES_LIST]
    assert len(set(names)) == len(names)
    assert [s.method for s in SCHEMES_LIST if s.method] == [m for m in hd.METHODS if m in
                                                            {s.method for s in SCHEMES_LIST}]
    for scheme in SCHEMES_LIST:
        order = 1 if scheme.max_order is None else scheme.max_order
        value = hd.finite_difference(hd.exp, 0.5, scheme=scheme.name, order=order)
        assert close(value, math.exp(0.5), rel=1e-5)
        if scheme.stencil is not None:
            assert scheme.stencil(1).order == 1


def test_method_records():
    assert hd.METHODS == tuple(m.name for m in METHOD_LIST)
    for method in METHOD_LIST:
        assert callable(method.run) and callable(method.prepare) and method.family
        assert len(inspect.signature(method.run).parameters) == 3
        assert close(hd.derivative(hd.exp, 0.5, method=method.name), math.exp(0.5), rel=1e-7)
