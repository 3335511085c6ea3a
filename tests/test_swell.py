"""Expression swell: Baydin et al. 2018 Table 1 and its count_ops growth, and the swell study."""
from __future__ import annotations

import importlib.util
import json

import pytest
import sympy

import hybriddiff as hd
from hybriddiff.studies.swell import (PAPER_TABLE1, SKIPPED, TIMED_OUT, SwellStudy, baydin_table1, logistic_map,
                              swell_study)
from hybriddiff.graph.symbolic.bridge import input_symbols, to_sympy_expr

X = sympy.Symbol("x")


def hand_built(n):
    """l_n exactly as Baydin et al. build it: l_{k+1} = 4*l*(1 - l), nested."""
    l = X
    for _ in range(n - 1):
        l = 4 * l * (1 - l)
    return l


def traced(n):
    g = hd.trace(logistic_map(n), 0.3)
    return to_sympy_expr(g), input_symbols(g)[0]


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_table1_reproduced(n):
    expr, x = traced(n)
    paper = [sympy.sympify(text, locals={"x": x}) for text in PAPER_TABLE1[n]]
    derivative = sympy.diff(expr, x)
    assert sympy.expand(expr - paper[0]) == 0
    assert sympy.expand(derivative - paper[1]) == 0           # the product-rule form
    assert sympy.expand(derivative) == sympy.expand(paper[2])  # the simplified polynomial
    row = baydin_table1(4)[n - 1]
    assert sympy.sympify(row[3], locals={"x": X}) == sympy.sympify(PAPER_TABLE1[n][2], locals={"x": X})
    assert sympy.expand(sympy.sympify(row[2], locals={"x": X}) - sympy.sympify(PAPER_TABLE1[n][1],
                                                                               locals={"x": X})) == 0


def test_l4_derivative_at_three_tenths_is_exact():
    expr, x = traced(4)
    assert sympy.diff(expr, x).subs(x, sympy.Rational(3, 10)) == sympy.Rational(102272, 78125)
    for method in ("symbolic", "hybrid", "forward", "reverse"):
        assert hd.derivative(logistic_map(4), 0.3, method=method) == pytest.approx(102272 / 78125, rel=1e-14)


def test_count_ops_growth_matches_baydin_and_the_hand_built_expression():
    counts = [int(sympy.count_ops(sympy.diff(traced(n)[0], traced(n)[1]))) for n in range(2, 8)]
    assert counts == [2, 21, 82, 264, 768, 2096]
    assert counts == [int(sympy.count_ops(sympy.diff(hand_built(n), X))) for n in range(2, 8)]
    assert all(traced(n)[0] == hand_built(n).subs(X, traced(n)[1]) for n in range(1, 8))


def test_swell_study_small_n():
    study = swell_study(logistic_map, range(1, 8), timeout=30.0)
    assert isinstance(study, SwellStudy)
    assert [r.cells["diff"].ops for r in study.rows] == [0, 2, 21, 82, 264, 768, 2096]
    assert all(r.cells[k].status == "ok" and r.cells[k].seconds is not None for r in study.rows for k in r.cells)
    cse = [r.cells["cse"].ops for r in study.rows]
    assert all(c < d for c, d in zip(cse[3:], [r.cells["diff"].ops for r in study.rows][3:]))
    hybrid = [r.hybrid_ops for r in study.rows]
    steps = {b - a for a, b in zip(hybrid[1:], hybrid[2:])}
    assert len(steps) == 1  # linear growth: the same number of operations per step of the map
    assert [r.f_count_ops for r in study.rows][:3] == [0, 3, 8]


def test_swell_study_times_out_per_cell_and_renders():
    study = swell_study(logistic_map, [3, 22, 23], timeout=0.5)
    big, bigger = study.rows[1], study.rows[2]
    assert big.cells["diff"].ops is None and big.cells["diff"].status.endswith(TIMED_OUT)
    assert bigger.cells["diff"].status == SKIPPED and bigger.cells["expand"].status == SKIPPED
    assert bigger.hybrid_ops > big.hybrid_ops > 0
    markdown, text, html = study.to_markdown(), study.to_text(), study.to_html()
    assert "| n |" in markdown and "timed out" in markdown and "hybrid graph ops" in text
    assert html.startswith("<") and "<table" in html and study._repr_html_() == html
    data = json.loads(json.dumps(study.to_dict()))
    assert data["rows"][0]["cells"]["diff"]["ops"] == 21


def test_plot_needs_matplotlib():
    study = swell_study(logistic_map, [2, 3], timeout=10.0)
    if importlib.util.find_spec("matplotlib") is None:
        with pytest.raises(ImportError, match=r"pip install 'hybriddiff\[plot\]'"):
            study.plot()
    else:  # pragma: no cover - depends on the environment
        import matplotlib
        matplotlib.use("Agg")
        from matplotlib.figure import Figure
        assert isinstance(study.plot(), Figure)


def built_study(timeout=10.0):
    """A swell study from rows built by hand (no SymPy workers)."""
    from hybriddiff.studies.swell import Cell, SwellRow
    rows = [SwellRow(n, 2 * n, 3 * n, {k: Cell(10 * n, 0.01) for k in ("diff", "expand", "cse")},
                     hybrid_ops=7 * n, hybrid_nodes=8 * n, hybrid_count_ops=9 * n, hybrid_seconds=0.001)
            for n in (2, 3)]
    return SwellStudy("logistic_map", [2, 3], timeout, 0.3, rows)


def test_title_and_footnote_are_read_only_strings_shared_by_every_view():
    """The study's own words (what every result shares is in test_results_api.py)."""
    study = built_study()
    assert study.title == "Expression swell: d/dx logistic_map(n), traced at x = 0.3"
    assert "10 s per cell" in study.footnote and "no limit" in built_study(None).footnote


def test_hybrid_derivative_of_the_logistic_map_stays_linear_up_to_100():
    sizes = [hd.trace(logistic_map(n), 0.3).grad().n_ops for n in (25, 50, 100)]
    assert sizes[2] - sizes[1] == 2 * (sizes[1] - sizes[0])
    assert sizes[2] < 10 * 100
