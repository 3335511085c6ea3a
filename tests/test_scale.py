"""Scale: million-node chains and 100,000-input gradients through every interpreter.

The full sizes run with HYBRIDDIFF_SLOW=1 (minutes); the default suite runs a tenth of them.
"""
import gc
import math
import os
import sys
import tracemalloc
import weakref

import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.studies.families import sine_chain

SLOW = bool(os.environ.get("HYBRIDDIFF_SLOW"))
NODES = 1_000_000 if SLOW else 100_000





@pytest.fixture(scope="module")
def deep():
    f = sine_chain(NODES // 3)
    return f, hd.trace(f, 0.5)


def test_every_interpreter_on_a_deep_sine_chain(deep):
    f, g = deep
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)   # nothing below may recurse
    try:
        assert len(g.nodes) >= NODES
        value = g(0.5)
        G = g.grad()
        d = G(0.5)
        x = hd.Variable(0.5)
        y = f(x)
        y.backward()
        # the chain rule by hand on floats: y <- 0.999 sin(y) + 0.001, y' <- 0.999 cos(y) y'
        exact_value, exact_d = 0.5, 1.0
        for _ in range(NODES // 3):
            exact_value, exact_d = math.sin(exact_value) * 0.999 + 0.001, exact_d * 0.999 * math.cos(exact_value)
        assert value == pytest.approx(exact_value, rel=1e-15) and y.value == pytest.approx(exact_value, rel=1e-15)
        # the routes multiply the same partials in different orders: rounding grows like sqrt(n) ulps
        assert d == pytest.approx(exact_d, rel=1e-12) and x.grad == pytest.approx(exact_d, rel=1e-12)
        assert f(hd.Dual(0.5, 1.0)).tangent == pytest.approx(exact_d, rel=1e-12)
        text = str(g)
        assert "more lines" in text
        assert len(G.source().splitlines()) > NODES
        table = g.primal_table()
        assert len(table.rows) > NODES // 3
    finally:
        sys.setrecursionlimit(limit)


@pytest.mark.skipif(not SLOW, reason="compiling a million-node graph takes minutes; HYBRIDDIFF_SLOW=1")
def test_compile_a_deep_sine_chain(deep):
    f, g = deep
    assert g.grad().compile()(0.5) == pytest.approx(hd.grad(f)(0.5), rel=1e-9)


def test_graph_memory_per_node_is_bounded():
    gc.collect()
    tracemalloc.start()
    g = hd.trace(sine_chain(20_000), 0.5)
    per_node = tracemalloc.get_traced_memory()[0] / len(g.nodes)
    tracemalloc.stop()
    assert per_node < 600, per_node   # about 300 bytes a node (see benchmarks/README.md)


def test_wide_gradient():
    n = 100_000 if SLOW else 20_000
    x = np.linspace(0.1, 1.0, n)
    f = lambda v: np.sum(v * v)  # noqa: E731
    np.testing.assert_array_equal(hd.grad(f)(x), 2 * x)          # 2 v is exact in floats
    np.testing.assert_array_equal(hd.trace(f, x).grad()(x), 2 * x)


def test_reverse_tape_is_freed_after_backward():
    x = hd.Variable(0.5)
    y = sine_chain(1000)(x)
    probes = [weakref.ref(y)]
    node = y
    for _ in range(5):  # a few interior nodes
        node = node._parents[0]
        probes.append(weakref.ref(node))
    y.backward()
    del y, node
    gc.collect()
    assert all(p() is None for p in probes)


def test_graphs_have_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        g = hd.trace(sine_chain(100), 0.5)
        G = g.grad()
        probe = weakref.ref(G)
        del G, g
        assert probe() is None   # freed by reference counting alone
    finally:
        gc.enable()


# ---------------------------------------------------------------- the scaling study's result object
def built_scaling(interrupted=False):
    """A scaling study from rows built by hand (nothing timed)."""
    from hybriddiff.studies.scaling import ScalingStudy
    rows = [{"n": n, "method": m, "seconds": t * n, "ratio": 2.0 * n, "passes": p, "memory": 100 * n,
             "note": ""} for n in (2, 8) for m, t, p in (("forward", 1e-5, n), ("reverse", 2e-5, 2))]
    return ScalingStudy("rosenbrock", rows, interrupted)


def test_scaling_title_and_footnote_are_read_only_strings_shared_by_every_view():
    """The study's own words (what every result shares is in test_results_api.py)."""
    study = built_scaling()
    assert study.title == "Gradient cost against dimension: rosenbrock"
    assert "interrupted" in built_scaling(interrupted=True).title
    assert study.footnote.startswith("gradient / f:")


def test_f_is_timed_on_the_faster_of_its_input_forms(monkeypatch):
    """The ratio gradient / f: f on the array (NumPy scalars) and on Python floats (what compiled
    code computes on), the faster counts; an f that only accepts arrays is timed on the array."""
    from hybriddiff.studies import scaling
    timed = []

    def fake(call, budget, rounds=3):
        timed.append(call)
        return (2.0 if len(timed) == 1 else 1.0), None
    monkeypatch.setattr(scaling, "seconds_per_call", fake)
    f, x = scaling.rosenbrock_family(4)
    assert scaling.f_seconds(f, x, 0.01) == 1.0 and len(timed) == 2
    timed.clear()
    assert scaling.f_seconds(lambda v: float(np.sum(v * v)), x, 0.01) == 2.0 and len(timed) == 1   # list * list fails
