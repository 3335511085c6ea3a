"""The SymPy bridge: to/from SymPy, time boxes, simplification, LaTeX, the symbolic and hybrid methods."""
from __future__ import annotations

import glob
import math
import multiprocessing
import os
import pickle
import time
import warnings
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import hybriddiff as hd
from hybriddiff.methods import cas as cm_settings, hybrid as cm_hybrid, symbolic as cm_symbolic
from hybriddiff.comparison.statuses import ACCURATE, EXACT, TIMEOUT
from hybriddiff.core import timebox
from hybriddiff.errors import DifferentiationError, MethodTimeoutError, TraceGuardError
from hybriddiff.graph.symbolic.simplify import SimplifyReport, simplify
from hybriddiff.studies.swell import logistic_map, newton_sqrt
from hybriddiff.graph.symbolic.bridge import input_symbols, latex, repr_latex, to_sympy, to_sympy_expr

from conftest import sample_points
from expressions import as_function, expressions, finite_value

from_sympy = hd.Graph.from_sympy   # the facade: graphs it builds evaluate when called

x_, y_ = sympy.symbols("x y", real=True)


def seed(x):
    return hd.exp(x**2 - x) / x


def close(a, b, rel=1e-9):
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12) or (math.isnan(a) and math.isnan(b))


def ops(graph):
    return [n.prim.name for n in graph.nodes if n.kind == "op"]


# ---------------------------------------------------------------------------- to_sympy / from_sympy
def test_flat_form_is_one_assignment_per_operation_with_exact_constants():
    g = hd.trace(lambda x: 2 * x + Fraction(1, 3) * hd.sin(x) + 0.5, 1.0)
    assignments, outputs = to_sympy(g)
    assert len(assignments) == g.n_ops
    assert all(isinstance(s, sympy.Symbol) for s, _ in assignments)
    assert [str(s) for s, _ in assignments] == [f"v{k + 1}" for k in range(g.n_ops)]
    assert to_sympy_expr(g) == 2 * x_ + sympy.sin(x_) / 3 + sympy.Float(0.5, 17)
    assert "2*x" in str(to_sympy_expr(g)) and "2.0" not in str(to_sympy_expr(g))
    assert outputs == [assignments[-1][0]]


def test_nested_form_is_the_expression_itself_like_sympy():
    g = hd.trace(seed, 2.0)
    assert g.to_sympy(nested=True) == to_sympy(g, nested=True) == sympy.exp(x_**2 - x_) / x_
    assert isinstance(g.to_sympy(nested=True), sympy.Expr)
    assert sympy.simplify(g.grad().to_sympy(nested=True) - sympy.diff(sympy.exp(x_**2 - x_) / x_, x_)) == 0
    pair = hd.trace(lambda x, y: (x * y, x + y), 1.0, 2.0)
    assert pair.to_sympy(nested=True) == [x_ * y_, x_ + y_]          # a list for several outputs
    one = hd.trace(lambda x: (2 * x,), 1.0)
    assert one.to_sympy(nested=True) == [2 * x_]                      # a tuple of one stays a list
    back = from_sympy(one.to_sympy(nested=True), input_symbols(one))
    assert back.out_container == "tuple" and back(3.0) == (6.0,)
    assignments, outputs = g.to_sympy()                                 # flat stays a pair
    assert len(assignments) == g.n_ops and outputs == [assignments[-1][0]]
    with pytest.raises(DifferentiationError, match="flat form"):
        hd.trace(lambda x: sum_of_sines(x, 300), 0.5).to_sympy(nested=True)


def sum_of_sines(x, depth):
    for _ in range(depth):
        x = hd.sin(x)
    return x


def test_array_inputs_become_x_i_symbols_and_round_trip_with_a_template():
    g = hd.trace(lambda v: v[0] * hd.exp(v[1]) - v[0], np.array([1.5, 0.5]))
    assert [s.name for s in input_symbols(g)] == ["v_0", "v_1"]  # the input v[0] is the Symbol v_0
    back = from_sympy(to_sympy(g), input_symbols(g), template=g)
    assert back.arg_sizes == g.arg_sizes and back.input_names() == g.input_names()
    assert close(back(np.array([0.7, -0.2])), g(np.array([0.7, -0.2])))


def test_from_sympy_mappings():
    x = x_
    g = from_sympy(1 / x, [x])
    assert ops(g) == ["div"] and g.nodes[g.nodes[-1].args[0]].const == 1
    assert ops(from_sympy(sympy.sqrt(x), [x])) == ["sqrt"]
    assert ops(from_sympy(sympy.exp(x) - 1, [x])) == ["exp", "sub"]          # not expm1
    assert ops(from_sympy(x**2, [x])) == ["mul"]
    assert ops(from_sympy(1 - 2 * x, [x])) == ["mul", "sub"]
    assert ops(from_sympy(sympy.sign(x) * sympy.Abs(x) ** sympy.Rational(1, 3), [x])) == ["cbrt"]
    consts = {n.const for n in from_sympy(sympy.Rational(2, 3) * x + 5 + sympy.pi * x, [x]).nodes
              if n.kind == "const"}
    assert consts == {Fraction(2, 3), 5, math.pi}
    assert [type(c) for c in sorted(consts, key=float)] == [Fraction, float, int]
    assert from_sympy(sympy.Max(x, y_, 2), [x, "y"])(1.0, 3.0) == 3.0
    assert close(from_sympy(sympy.cot(x) + sympy.sech(x), [x])(0.7), 1 / math.tan(0.7) + 1 / math.cosh(0.7))
    pair = sympy.cse([sympy.exp(x * y_) + sympy.sin(x * y_), sympy.exp(x * y_)])
    both = from_sympy(pair, [x, y_])
    assert both.out_container == "tuple" and close(both(0.3, 2.0)[0], math.exp(0.6) + math.sin(0.6))


@pytest.mark.parametrize("expr, name", [
    (sympy.besselj(0, x_), "besselj"), (sympy.gamma(x_), "gamma"),
    (sympy.Integral(x_, x_), "Integral"), (sympy.Derivative(sympy.Function("f")(x_), x_), "Derivative"),
    (sympy.Piecewise((x_, x_ > 0), (0, True)), "Piecewise"), (x_ + sympy.zoo, "zoo"),
    (sympy.Function("f")(x_), "f"), (sympy.nan * x_, "NaN"),
])
def test_from_sympy_names_what_it_cannot_map(expr, name):
    with pytest.raises(DifferentiationError, match=name):
        from_sympy(expr, [x_])


def test_from_sympy_unknown_symbol():
    with pytest.raises(DifferentiationError, match="'y' is not among the inputs"):
        from_sympy(x_ + y_, [x_])


def well_conditioned(expr, point, value):
    """Nearby points give nearby values (relative change below 1e-5 for steps of 1e-8)."""
    for k in range(2):
        moved = list(point)
        moved[k] += 1e-8 * max(1.0, abs(moved[k]))
        near = finite_value(expr, *moved)
        if near is None or abs(near - value) > 1e-5 * max(1.0, abs(value)):
            return False
    return True


@settings(max_examples=400 if os.environ.get("HYBRIDDIFF_SLOW") else 40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, st.lists(st.tuples(st.floats(-2.5, 2.5), st.floats(-2.5, 2.5)), min_size=1, max_size=3))
def test_round_trip_evaluates_equal(expr, points):
    f = as_function(expr)
    wanted = [(p, finite_value(expr, *p)) for p in points]
    wanted = [(p, v) for p, v in wanted if v is not None]
    assume(wanted)
    g = hd.trace(f, *wanted[0][0])
    try:
        flat = from_sympy(to_sympy(g), input_symbols(g), template=g)
        nested = from_sympy(to_sympy(g, nested=True), input_symbols(g), template=g)
    except DifferentiationError as exc:  # e.g. 1/0 folded by SymPy into zoo inside a dead branch
        assume("zoo" not in str(exc) and "NaN" not in str(exc))
        raise
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for p, value in wanted:
            assert close(float(np.real(flat(*p))), value), (p, value)
            if not well_conditioned(expr, p, value):
                continue  # SymPy's rewrites (tan(acos(x)) = sqrt(1 - x**2)/x) differ at singularities
            got = complex(nested(*p))
            assert close(got.real, value, rel=1e-7) and abs(got.imag) <= 1e-9 * (1 + abs(value)), (p, value, got)


@pytest.mark.parametrize("f, point", [
    (seed, (2.0,)), (lambda x: hd.sin(x) * x, (1.0,)), (lambda x1, x2: x1 * hd.exp(x2) - x1, (1.5, 0.5)),
    (lambda x1, x2: hd.log(x1) + x1 * x2 - hd.sin(x2), (2.0, 5.0)), (lambda x: hd.arctan(x) ** 3, (0.4,)),
])
def test_sympy_diff_equals_the_gradient_graph(f, point):
    g = hd.trace(f, *point)
    expr, symbols = to_sympy_expr(g), input_symbols(g)
    grads = to_sympy_expr(g.grad())
    grads = grads if isinstance(grads, list) else [grads]
    for s, d in zip(symbols, grads):
        assert sympy.simplify(sympy.diff(expr, s) - d) == 0


def _deep(x):
    for _ in range(10_000):
        x = hd.sin(x)
    return x


def test_ten_thousand_deep_graph_to_sympy_and_back():
    g = hd.trace(_deep, 0.5)
    assignments, outputs = to_sympy(g)
    assert len(assignments) == 10_000
    back = from_sympy((assignments, outputs), input_symbols(g))
    assert back.n_ops == 10_000 and back(0.5) == g(0.5)
    with pytest.raises(DifferentiationError, match="flat form"):
        to_sympy_expr(g)


# ---------------------------------------------------------------------------- LaTeX
def test_latex_of_the_seed_function():
    g = hd.trace(seed, 2.0)
    text = latex(g)
    assert "e^{x^{2} - x}" in text and r"\frac" in text
    assert repr_latex(g) == f"$${text}$$"
    assert latex(g, nested=False).startswith(r"\begin{aligned}")
    assert repr_latex(hd.trace(_deep, 0.5)) is None


def test_latex_of_a_large_graph_is_the_assignment_list():
    g = hd.trace(logistic_map(30), 0.3)
    text = latex(g)
    assert text.startswith(r"\begin{aligned}") and text.count("&=") == g.n_ops + 1


# ---------------------------------------------------------------------------- time boxes
def _slow_simplify():
    x = sympy.Symbol("x")
    l = x
    for _ in range(7):
        l = 4 * l * (1 - l)
    return sympy.simplify(sympy.diff(l, x))


@pytest.mark.parametrize("job, args", [(time.sleep, (30,)), (_slow_simplify, ())])
def test_timebox_really_stops_the_work(job, args):
    start = time.perf_counter()
    with pytest.raises(MethodTimeoutError, match=r"timed out after 0\.5 s"):
        timebox.run(job, *args, timeout=0.5, what="a slow job")
    assert time.perf_counter() - start < 1.5
    assert multiprocessing.active_children() == [] and zombies() == []


def zombies():
    """Zombie children of this process (Linux /proc; empty elsewhere)."""
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = open(stat).read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] == "Z" and int(fields[1]) == os.getpid():
            found.append(stat)
    return found


def test_timebox_results_errors_and_in_process_mode():
    g = hd.trace(seed, 2.0)
    assert timebox.run(lambda graph: graph.grad(), g, timeout=10.0)(2.0) == g.grad()(2.0)
    assert pickle.loads(pickle.dumps(g.grad()))(2.0) == g.grad()(2.0)
    with pytest.raises(ZeroDivisionError):
        timebox.run(lambda: 1 / 0, timeout=10.0)
    out = timebox.stream(lambda emit: [emit(1), time.sleep(30)], timeout=0.3)
    assert out.items == [1] and out.timed_out and not out.finished
    assert timebox.run(sum, [1, 2], timeout=None) == 3


# ---------------------------------------------------------------------------- simplify
def test_simplify_shrinks_and_reports():
    d = hd.trace(lambda x: x * x * x - x * x + 0 * x, 2.0).grad()
    small, report = simplify(d, timeout=20.0)
    assert isinstance(report, SimplifyReport) and not report.timed_out
    assert small.n_ops < d.n_ops and report.n_ops_after == small.n_ops and report.winner != "none"
    assert report.count_ops_before is not None and report.seconds > 0 and "won" in str(report)
    assert small(1.7) == pytest.approx(d(1.7), rel=1e-13)


def test_simplify_timeout_falls_back_and_large_graphs_get_cse_only():
    d = hd.trace(logistic_map(6), 0.3).grad()
    same, report = simplify(d, timeout=0.0)
    assert report.timed_out and report.winner == "none" and same.n_ops == d.n_ops
    big = hd.trace(logistic_map(120), 0.3).grad()
    small, report = simplify(big, timeout=20.0)
    assert "CSE only" in " ".join(report.notes) and set(report.tried) <= {"cse"}
    assert small(0.3) == pytest.approx(big(0.3), rel=1e-9)


def test_simplify_keeps_guards():
    def f(x):
        return x * x if x > 1 else hd.sin(x)
    small, _ = simplify(hd.trace(f, 2.0).grad(), timeout=20.0)
    assert small(3.0) == 6.0
    with pytest.raises(TraceGuardError):
        small(0.5)


# ---------------------------------------------------------------------------- the methods
def test_methods_are_registered_and_match_the_seed():
    assert {"symbolic", "hybrid"} <= set(hd.METHODS)
    for method in ("symbolic", "hybrid"):
        assert hd.derivative(seed, 2.0, method=method) == pytest.approx(9.236320123663313, rel=1e-14)
    value, info = cm_symbolic.symbolic_derivative(seed, 2.0, order=2)
    assert value == pytest.approx(hd.derivative(seed, 2.0, method="forward", order=2), rel=1e-12)
    assert {"diff", "lambdify", "call", "trace"} <= set(info.timings) and info.sizes["derivative count_ops"] > 0
    value, info = cm_hybrid.hybrid_derivative(seed, 2.0, order=2)
    assert value == pytest.approx(hd.derivative(seed, 2.0, method="forward", order=2), rel=1e-12)
    assert info.source.startswith("def") and info.function(2.5) == pytest.approx(
        hd.derivative(seed, 2.5, method="reverse", order=2), rel=1e-12)
    assert cm_hybrid.hybrid_function(seed, 2.0)(2.0) == pytest.approx(9.236320123663313, rel=1e-14)


def test_gradients():
    f = lambda v: hd.log(v[0]) + v[0] * v[1] - hd.sin(v[1])  # noqa: E731
    for method in (cm_symbolic.symbolic_gradient, cm_hybrid.hybrid_gradient):
        value, _ = method(f, np.array([2.0, 5.0]))
        assert np.allclose(value, [5.5, 1.7163378145367738], rtol=1e-14, atol=0)


@pytest.mark.parametrize("name", sorted(hd.PRIMITIVES))
def test_symbolic_and_hybrid_agree_with_forward_and_reverse(name):
    prim = hd.PRIMITIVES[name]
    points = [np.array(p) for p in sample_points(prim)]
    if prim.arity == 1:
        f, points = (lambda x: prim(x)), [p[0] for p in points]
        reference = lambda x: [hd.derivative(f, x, method=m) for m in ("forward", "reverse")]  # noqa: E731
        symbolic = lambda x: cm_symbolic.symbolic_derivative(f, x)[0]  # noqa: E731
    else:
        f = lambda v: prim(v[0], v[1])  # noqa: E731
        reference = lambda v: [hd.grad(f, mode=m)(v) for m in ("forward", "reverse")]  # noqa: E731
        symbolic = lambda v: cm_symbolic.symbolic_gradient(f, v)[0]  # noqa: E731
    compiled = cm_hybrid.hybrid_derivative(f, points[0])[1].function
    for k, p in enumerate(points):
        forward, reverse = reference(p)
        assert np.allclose(forward, reverse, rtol=1e-13, atol=1e-15)
        assert np.allclose(compiled(p), forward, rtol=1e-12, atol=1e-14), (p, compiled(p), forward)
        if k < 2:
            assert np.allclose(symbolic(p), forward, rtol=1e-12, atol=1e-14), (p, symbolic(p), forward)


@pytest.mark.parametrize("family, n, x", [(logistic_map, 24, 0.3), (newton_sqrt, 14, 2.0)])
def test_symbolic_times_out_on_swell_while_hybrid_succeeds(family, n, x):
    f = family(n)
    start = time.perf_counter()
    with pytest.raises(MethodTimeoutError, match="symbolic.*timed out after 1 s"):
        cm_symbolic.symbolic_derivative(f, x, timeout=1.0)
    assert time.perf_counter() - start < 3.0
    value, info = cm_hybrid.hybrid_derivative(f, x, timeout=5.0)
    assert value == pytest.approx(hd.derivative(f, x, method="forward"), rel=1e-9)
    assert info.sizes["derivative graph ops"] < 10 * info.sizes["f graph ops"]


def test_symbolic_refuses_too_deep_expressions_clearly():
    with pytest.raises(DifferentiationError, match="too big for one nested SymPy expression"):
        cm_symbolic.symbolic_derivative(_deep, 0.5)
    assert cm_hybrid.hybrid_derivative(_deep, 0.5, timeout=5.0)[0] == pytest.approx(
        hd.derivative(_deep, 0.5), rel=1e-12)


def test_the_comparison_runs_both_methods_and_reports_the_timeout(monkeypatch):
    monkeypatch.setattr(cm_settings, "DEFAULT_TIMEOUT", 1.0)
    r = hd.compare(seed, 2.0, methods=["symbolic", "hybrid"])
    for method in ("symbolic", "hybrid"):
        assert r.row(method).status in (EXACT, ACCURATE) and r.row(method).digits >= 15
    r = hd.compare(logistic_map(24), 0.3, methods=["symbolic", "hybrid"])
    assert r.row("symbolic").status == TIMEOUT and "timed out after 1 s" in r.row("symbolic").note
    assert r.row("hybrid").status in (EXACT, ACCURATE) and r.row("hybrid").digits >= 9
