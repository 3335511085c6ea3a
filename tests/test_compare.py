"""The comparison layer and the scaling study."""
import html.parser
import json
import math

import mpmath
import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.studies.families import rosenbrock_family, seed_f


@pytest.fixture(scope="module")
def seed_comparison():
    return hd.compare(seed_f, 2.0, budget=0.01)


def test_seed_rows(seed_comparison):
    r = seed_comparison
    assert float(r.reference) == pytest.approx(1.25 * math.e ** 2, rel=1e-16)
    for method in ("forward", "reverse", "complex-step") + tuple(m for m in ("symbolic", "hybrid") if m in hd.METHODS):
        assert r.row(method).rel_error < 1e-13, method
    assert 1e-12 < r.row("fd-central").rel_error < 1e-8
    for row in r.rows:
        assert row.status in ("exact", "accurate"), (row.method, row.status, row.note)
        assert row.time > 0 and row.passes >= 1 and row.ops >= 1 and row.memory is not None, row


def test_renderings(seed_comparison):
    r = seed_comparison
    text = r.to_text()
    assert "fd-central" in text and "digits" in text
    md = r.to_markdown()
    lines = md.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("|"))
    assert lines[header].startswith("| method | value | abs error | rel error | digits |"), lines[header]
    columns = lines[header].count("|")
    assert set(lines[header + 1]) <= set("|-: ") and lines[header + 1].count("|") == columns
    body = lines[header + 2:header + 2 + len(r.rows)]
    assert [line.split("|")[1].strip() for line in body] == [row.method for row in r.rows]
    assert all(line.count("|") == columns for line in body)
    data = json.loads(r.to_json())
    assert data["rows"][0]["method"] == "forward" and isinstance(data["rows"][0]["time"], float)

    class Parser(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack, self.rows = [], 0

        def handle_starttag(self, tag, attrs):
            self.stack.append(tag)
            self.rows += tag == "tr"

        def handle_endtag(self, tag):
            assert self.stack.pop() == tag
    p = Parser()
    p.feed(r._repr_html_())
    assert not p.stack and p.rows == len(r.rows) + 2   # header, rows, footnote


def test_one_column_list_builds_every_view(seed_comparison):
    from hybriddiff.comparison.columns import COLUMNS, Column, Row
    r = seed_comparison
    headers = ["method", "value", "abs error", "rel error", "digits", "time/call", "spread", "setup", "passes",
               "ops", "memory", "status", "note"]
    assert [c.header for c in COLUMNS] == headers
    assert list(r.to_table().columns) == headers == list(r.to_table(full=True).columns)
    assert r.to_table(full=True).column("time/call")[0] == r.rows[0].time      # raw numbers in full
    assert r.footnote.startswith(f"reference {float(r.reference)!r} ({r.reference_note}). method: a name of hd.METHODS")
    assert all(f"{c.header}: " in r.footnote for c in COLUMNS)     # every column explained
    for fact in ("median of 5 auto-ranged rounds", "setup: once", "passes: sweeps", "ops: operations",
                 "memory: peak bytes of one call", "Statuses: ", "accurate: within what the method promises"):
        assert fact in r.footnote
    # a column computed from a row is one entry in COLUMNS: the tables and the footnote follow
    per_pass = Column("ops/pass", lambda row: row.ops / row.passes, "{:.1f}".format, "operations per pass")
    COLUMNS.append(per_pass)
    try:
        table = r.to_table()
        first = r.rows[0]
        assert table.columns[-1] == "ops/pass" and table.column("ops/pass")[0] == f"{first.ops / first.passes:.1f}"
        assert "; ops/pass: operations per pass. Statuses:" in r.footnote and "ops/pass" in r.to_markdown()
    finally:
        COLUMNS.remove(per_pass)
    assert Column("value", lambda row: row.value, str, shown=lambda row: False).cell(Row("m", 1.0)) == ""

def test_dataframe_and_plot(seed_comparison):
    pd = pytest.importorskip("pandas")
    df = seed_comparison.to_dataframe()
    assert isinstance(df, pd.DataFrame) and list(df["method"])[:2] == ["forward", "reverse"]
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    figure = seed_comparison.plot()
    assert isinstance(figure, matplotlib.figure.Figure) and len(figure.axes) == 2
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    assert seed_comparison.plot(ax=ax) is fig and ax.get_xscale() == "log"   # one Axes: the errors
    fig2, pair = plt.subplots(1, 2)
    assert seed_comparison.plot(ax=pair) is fig2 and pair[1].get_xlabel() == "seconds per call"
    plt.close("all")


def test_gradient_comparison_uses_max_relative_error():
    r = hd.compare(hd.families.baydin, np.array([2.0, 5.0]), methods=["reverse", "fd-forward"], budget=0.01)
    assert r.row("reverse").rel_error < 1e-15
    ref = np.array([float(v) for v in r.reference])
    fd = r.row("fd-forward").value
    expected = max(abs(fd - ref) / abs(ref))
    assert r.row("fd-forward").rel_error == pytest.approx(expected, rel=1e-6)


def test_failures_become_rows():
    r = hd.compare(lambda x: abs(x) * x, 1.5, methods=["reverse", "complex-step"], budget=0.01)
    assert r.row("reverse").status == "exact" and r["reverse"] is r.row("reverse")
    row = r.row("complex-step")
    assert row.status == "failed" and "abs is not analytic" in row.note and row.value is None


def test_non_finite_values_are_marked():
    r = hd.compare(hd.sqrt, 0.0, methods=["forward", "reverse"], budget=0.01)
    for row in r.rows:
        assert row.status == "infinite" and row.value == math.inf and row.digits is None
    assert r.examined.state == "infinite"


def test_untraceable_function_uses_mpmath_reference():
    def f(x):
        return x ** 3 if int(x) > 0 else x   # int() cannot be traced
    r = hd.compare(f, 2.0, methods=["fd-central"], budget=0.01)
    assert "mpmath.diff" in r.reference_note
    assert float(r.reference) == pytest.approx(12.0, rel=1e-12)


def test_bad_input():
    with pytest.raises(ValueError, match="unknown method"):
        hd.compare(seed_f, 2.0, methods=["telepathy"])
    with pytest.raises(TypeError, match="expected a function"):
        hd.compare(3.0, 2.0)
    with pytest.raises(TypeError, match="x is a str"):
        hd.compare(seed_f, "2")


def test_reference_is_fifty_digits():
    from hybriddiff.comparison.reference import reference
    value, note = reference(seed_f, 2.0)
    with mpmath.workdps(50):
        exact = mpmath.mpf(5) / 4 * mpmath.e ** 2
        # the point 2.0 is exact, so the graph's mpmath evaluation is the exact derivative to 50 digits
        assert abs(value - exact) < mpmath.mpf(10) ** -45


def test_scaling_study_shows_the_crossover():
    s = hd.scaling_study(ns=(1, 16), methods=("forward", "reverse", "fd-central"), budget=0.005,
                         progress=False)
    assert len(s.rows) == 6 and not s.interrupted
    by = {(r["n"], r["method"]): r for r in s.rows}
    assert by[16, "forward"]["passes"] == 16 and by[16, "reverse"]["passes"] == 2
    assert by[16, "fd-central"]["passes"] == 32
    assert by[16, "forward"]["seconds"] > by[16, "reverse"]["seconds"]
    assert by[16, "reverse"]["memory"] > by[1, "reverse"]["memory"]   # the tape grows with the operations
    assert s.crossover() is not None and s.crossover() <= 16
    assert "gradient / f" in s.to_markdown() and json.dumps(s.to_dict())


def test_scaling_study_keeps_rows_on_ctrl_c():
    def family(n):
        if n > 2:
            raise KeyboardInterrupt
        return rosenbrock_family(n)
    s = hd.scaling_study(family, ns=(2, 4, 8), methods=("reverse",), budget=0.005, progress=False)
    assert s.interrupted and [r["n"] for r in s.rows] == [2]
    assert "interrupted" in s.to_text()
