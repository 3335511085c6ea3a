"""Textbook trace tables: Baydin et al. (2018) Tables 2 and 3 row by row, the seed tutorial's
examples, every rendering of the generic Table, and a long chain built without recursion."""
from __future__ import annotations

import json
import math
import sys
import unicodedata
from html.parser import HTMLParser

import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.core import primitives as P
from hybriddiff.errors import TraceGuardError
from hybriddiff.display.format import (byte_size, format_value, formatted, full_value, jsonable, scientific,
                                       seconds, short_value)
from hybriddiff.display.table import Table, display_width
from hybriddiff.graph.trace_tables import barred, dotted, forward_table, primal_table, reverse_table

from conftest import sample_points

D, B = "\u0307", "\u0304"      # combining dot and bar


def baydin(x1, x2):
    return hd.log(x1) + x1 * x2 - hd.sin(x2)


def seed23(x1, x2):
    return x1 * hd.exp(x2) - x1


def seed1(x):
    return hd.exp(x ** 2 - x) / x


def close(a, b, tol=1e-12):
    return abs(a - b) <= tol * max(1.0, abs(b))


# ---------------------------------------------------------------- Baydin et al. 2018, Table 2
def test_dotted_and_barred_names():
    assert dotted("v-1") == "v" + D + "-1" and dotted("x1") == "x" + D + "1"
    assert barred("y") == "y" + B and barred("x[0]") == "x" + B + "[0]"
    assert display_width(dotted("v-1")) == 3


def test_baydin_primal_trace():
    g = hd.trace(baydin, 2.0, 5.0)
    t = primal_table(g, 2.0, 5.0)
    assert t.columns == ("variable", "expression", "value")
    expected = [("v-1", "x1", 2.0), ("v0", "x2", 5.0), ("v1", "ln v-1", math.log(2)),
                ("v2", "v-1 × v0", 10.0), ("v3", "v1 + v2", math.log(2) + 10),
                ("v4", "sin v0", math.sin(5)), ("v5", "v3 - v4", 11.652071455223084),
                ("y", "v5", 11.652071455223084)]
    assert len(t) == len(expected)
    for row, (name, expression, value) in zip(t.rows, expected):
        assert row[:2] == (name, expression)
        assert close(row[2], value)
    shown = [line.split()[-1] for line in t.to_text().splitlines()[3:]]
    assert shown == ["2", "5", "0.693", "10", "10.693", "-0.959", "11.652", "11.652"]


def test_baydin_forward_tangent_trace():
    t = forward_table(baydin, (2, 5), (1, 0))
    assert t.columns == ("variable", "primal expression", "primal value", "tangent",
                         "tangent rule", "tangent value")
    expected = [
        ("v" + D + "-1", "x" + D + "1", 1.0),
        ("v" + D + "0", "x" + D + "2", 0.0),
        ("v" + D + "1", "v" + D + "-1 / v-1", 0.5),
        ("v" + D + "2", "v" + D + "-1 × v0 + v" + D + "0 × v-1", 5.0),
        ("v" + D + "3", "v" + D + "1 + v" + D + "2", 5.5),
        ("v" + D + "4", "v" + D + "0 × cos v0", 0.0),
        ("v" + D + "5", "v" + D + "3 - v" + D + "4", 5.5),
        ("y" + D, "v" + D + "5", 5.5),
    ]
    assert len(t) == len(expected)
    for row, (tangent, rule, value) in zip(t.rows, expected):
        assert row[3:5] == (tangent, rule)
        assert close(row[5], value)
    primal = primal_table(hd.trace(baydin, 2.0, 5.0), 2.0, 5.0)
    assert [row[:3] for row in t.rows] == primal.rows    # the left half is the primal trace
    assert t.rows[-1][2] == 11.652071455223084


def test_forward_default_seed_is_the_first_input():
    assert forward_table(baydin, (2.0, 5.0)).rows == forward_table(baydin, (2.0, 5.0), (1.0, 0.0)).rows
    t = forward_table(baydin, (2.0, 5.0), (0.0, 1.0))
    assert close(t.rows[-1][5], 2 + -math.cos(5.0) * -1 * -1)   # x1 - cos(x2) = 1.716...
    assert close(t.rows[-1][5], 1.7163378145367738)


# ---------------------------------------------------------------- Baydin et al. 2018, Table 3
def test_baydin_reverse_adjoint_trace():
    t = reverse_table(baydin, (2.0, 5.0))
    assert t.columns == ("variable", "rule", "value")
    assert [label for _, label in t.sections] == ["forward primal trace", "reverse adjoint trace"]
    start = t.sections[1][0]
    assert start == 8 and t.rows[:start] == primal_table(hd.trace(baydin, 2.0, 5.0), 2.0, 5.0).rows
    v = lambda k: "v" + B + str(k)       # noqa: E731
    cos5 = math.cos(5.0)
    expected = [
        (v(5), "y" + B, 1.0),
        (v(4), f"{v(5)} ∂v5/∂v4 = {v(5)} × (-1)", -1.0),
        (v(3), f"{v(5)} ∂v5/∂v3 = {v(5)} × 1", 1.0),
        (v(0), f"{v(4)} ∂v4/∂v0 = {v(4)} × cos v0", -cos5),
        (v(2), f"{v(3)} ∂v3/∂v2 = {v(3)} × 1", 1.0),
        (v(1), f"{v(3)} ∂v3/∂v1 = {v(3)} × 1", 1.0),
        (v(0), f"{v(0)} + {v(2)} ∂v2/∂v0 = {v(0)} + {v(2)} × v-1", 2.0 - cos5),
        (v(-1), f"{v(2)} ∂v2/∂v-1 = {v(2)} × v0", 5.0),
        (v(-1), f"{v(-1)} + {v(1)} ∂v1/∂v-1 = {v(-1)} + {v(1)} / v-1", 5.5),
        ("x" + B + "1", v(-1), 5.5),
        ("x" + B + "2", v(0), 1.7163378145367738),
    ]
    adjoint = t.rows[start:]
    assert len(adjoint) == len(expected)
    for row, (name, rule, value) in zip(adjoint, expected):
        assert row[:2] == (name, rule)
        assert close(row[2], value)
    assert t.rows[-2][2] == 5.5 and close(t.rows[-1][2], 1.7163378145367738, 1e-15)


def test_reverse_matches_forward_for_both_seeds():
    rev = reverse_table(baydin, (2.0, 5.0))
    for k, seed in enumerate(((1.0, 0.0), (0.0, 1.0))):
        fwd = forward_table(baydin, (2.0, 5.0), seed)
        assert close(fwd.rows[-1][5], rev.rows[-2 + k][2])


# ---------------------------------------------------------------- the seed tutorial's examples
def test_seed_examples_2_and_3_forward():
    x1, x2 = 1.5, 0.5
    t1 = forward_table(seed23, (x1, x2), (1.0, 0.0))
    t2 = forward_table(seed23, (x1, x2), (0.0, 1.0))
    assert close(t1.rows[-1][5], math.exp(x2) - 1)
    assert close(t2.rows[-1][5], x1 * math.exp(x2))
    assert [row[1] for row in t1.rows] == ["x1", "x2", "exp v0", "v-1 × v1", "v2 - v-1", "v3"]
    assert [row[4] for row in t1.rows[2:5]] == [
        "v" + D + "0 × v1", "v" + D + "-1 × v1 + v" + D + "1 × v-1", "v" + D + "2 - v" + D + "-1"]


def test_seed_examples_2_and_3_reverse():
    x1, x2 = 1.5, 0.5
    t = reverse_table(seed23, [x1, x2])
    assert t.rows[-2][0] == "x" + B + "1" and t.rows[-1][0] == "x" + B + "2"
    assert close(t.rows[-2][2], math.exp(x2) - 1)
    assert close(t.rows[-1][2], x1 * math.exp(x2))
    fan_in = [row for row in t.rows if row[0] == "v" + B + "-1"]
    assert len(fan_in) == 2 and fan_in[1][1].startswith("v" + B + "-1 + ")


def test_seed_example_1():
    t = forward_table(seed1, 2.0)
    assert close(t.rows[-1][2], 3.694528049465325)
    assert abs(t.rows[-1][5] - 9.236320123663312) <= 4 * math.ulp(9.236320123663312)
    assert t.rows[-2][4] == "v" + D + "3 / v0 - v" + D + "0 × v4 / v0"     # the quotient rule
    r = reverse_table(seed1, 2.0)
    assert abs(r.rows[-1][2] - 9.236320123663312) <= 4 * math.ulp(9.236320123663312)


# ---------------------------------------------------------------- every primitive, both modes
@pytest.mark.parametrize("name", sorted(P.PRIMITIVES))
def test_every_primitive_agrees_with_jvp(name):
    prim = P.PRIMITIVES[name]
    point = sample_points(prim)[1]
    f = (lambda x: prim(x)) if prim.arity == 1 else (lambda x, y: prim(x, y))
    for k in range(prim.arity):
        seed = tuple(1.0 if j == k else 0.0 for j in range(prim.arity))
        _, expected = hd.jvp(f, point, seed)
        fwd = forward_table(f, point, seed)
        assert close(fwd.rows[-1][5], expected, 1e-12)
        rev = reverse_table(f, point)
        assert close(rev.rows[-prim.arity + k][2], expected, 1e-12)
        assert all(isinstance(row[4], str) and row[4] for row in fwd.rows)


def test_rule_text_for_some_primitives():
    def rule(f, *x):
        return forward_table(f, x).rows[-2][4]
    d0 = "v" + D + "0"
    assert rule(hd.tan, 0.5) == f"{d0} × (1 + v1 × v1)"
    assert rule(hd.arccos, 0.5) == f"-{d0} / sqrt((1 - v0) × (1 + v0))"   # no cancellation near 1
    assert rule(hd.cos, 0.5) == f"-{d0} × sin v0"
    assert rule(lambda x: 3.0 / x, 2.0) == f"-{d0} × v1 / v0"
    assert rule(lambda x: x / 7, 2.0) == f"{d0} / 7"
    assert rule(hd.floor, 2.5) == "0"                    # zero partials are skipped
    assert reverse_table(hd.cos, 0.5).rows[-2][1] == "v" + B + "1 ∂v1/∂v0 = v" + B + "1 × (-sin v0)"


# ---------------------------------------------------------------- points, graphs, outputs
def test_array_arguments_and_graph_input():
    def f(v, w):
        return v[0] * v[1] + hd.sin(w) * v[1]
    x = (np.array([1.0, 2.0]), 3.0)
    g = hd.trace(f, *x)
    t = forward_table(g, x, (np.array([0.0, 1.0]), 0.0))
    assert [row[1] for row in t.rows[:3]] == ["v[0]", "v[1]", "w"]
    assert t.rows[0][4] == "v" + D + "[0]"
    assert close(t.rows[-1][5], 1.0 + math.sin(3.0))
    r = reverse_table(g, x)
    assert [row[0] for row in r.rows[-3:]] == ["v" + B + "[0]", "v" + B + "[1]", "w" + B]
    assert np.allclose([row[2] for row in r.rows[-3:]], [2.0, 1.0 + math.sin(3.0), 2 * math.cos(3.0)])
    assert "v = [1, 2], w = 3" in r.title


def test_graph_away_from_its_trace_point_checks_guards():
    def f(x):
        return x * x if x > 1 else -x
    g = hd.trace(f, 2.0)
    assert close(primal_table(g, 3.0).rows[-1][2], 9.0)
    with pytest.raises(TraceGuardError):
        primal_table(g, 0.5)
    with pytest.raises(TraceGuardError):
        forward_table(g, 0.5)


def test_bad_points():
    g = hd.trace(baydin, 2.0, 5.0)
    with pytest.raises(TypeError, match="primal_table"):
        primal_table(g, 2.0)
    with pytest.raises(TypeError, match="tangent"):
        forward_table(baydin, (2.0, 5.0), 1.0)
    with pytest.raises(TypeError, match="one point"):
        primal_table(hd.trace(lambda x: x * 2, 1.0), np.array([1.0, 2.0]))


def test_several_outputs_and_constants():
    def f(x):
        return [x * 2 + 1, 3.0, x]
    t = forward_table(f, 2.0)
    assert [row[0] for row in t.rows[-3:]] == ["y1", "y2", "y3"]
    assert [row[5] for row in t.rows[-3:]] == [2.0, 0.0, 1.0]
    assert t.rows[1][1] == "v0 × 2" and t.rows[2][1] == "v1 + 1"   # constants inline, not rows
    with pytest.raises(ValueError, match="cotangent"):
        reverse_table(f, 2.0)
    r = reverse_table(f, 2.0, cotangent=(1.0, 5.0, 1.0))
    assert r.rows[-1] == ("x" + B, "v" + B + "0", 3.0)
    start = r.sections[1][0]
    assert r.rows[start:start + 2] == [("v" + B + "2", "y" + B + "1", 1.0),
                                       ("v" + B + "0", "y" + B + "3", 1.0)]
    r = reverse_table(lambda x: (x * 3, x * 3), 2.0, cotangent=[1.0, 2.0])   # one node, two outputs
    assert r.rows[r.sections[1][0] + 1] == ("v" + B + "1", "v" + B + "1 + y" + B + "2", 3.0)
    assert r.rows[-1][2] == 9.0


def test_reverse_skips_what_no_output_needs():
    def f(x):
        hd.sin(x) * 2              # traced, but no output depends on it
        return x * x
    r = reverse_table(f, 2.0)
    adjoint = r.rows[r.sections[1][0]:]
    assert [row[0] for row in adjoint] == ["v" + B + "3", "v" + B + "0", "v" + B + "0", "x" + B]
    assert adjoint[-1][2] == 4.0


# ---------------------------------------------------------------- the generic Table
def _stripped(line):
    return "".join(ch for ch in line if not unicodedata.combining(ch))


def _check_aligned(table):
    lines = [_stripped(line) for line in table.to_text().splitlines()]
    k = 1 if table.title else 0
    dashes = lines[k + 1]
    starts = [i for i, ch in enumerate(dashes) if ch == "-" and (i == 0 or dashes[i - 1] == " ")]
    assert len(starts) == len(table.columns)
    body = [line for line in lines[k + 2:k + 2 + len(table) + len(table.sections)]
            if not line.startswith("-- ")]
    assert len(body) == len(table)
    for line, row in zip(body, table.rows):
        bounds = starts + [None]
        cells = [line[a:b].strip() for a, b in zip(bounds, bounds[1:])]
        assert cells == [_stripped(format_value(v, table.digits)) for v in row]
        for s in starts[1:]:
            assert line[s - 2:s] == "  " and line[s] != " "


@pytest.mark.parametrize("make", [
    lambda: primal_table(hd.trace(baydin, 2.0, 5.0), 2.0, 5.0),
    lambda: forward_table(baydin, (2.0, 5.0)),
    lambda: reverse_table(baydin, (2.0, 5.0)),
    lambda: forward_table(seed1, 2.0),
])
def test_text_is_aligned(make):
    table = make()
    _check_aligned(table)
    assert str(table) == table.to_text() == repr(table)
    table.digits = None
    _check_aligned(table)
    assert "0.6931471805599453" in table.to_text() or "7.38905609893065" in table.to_text()


def test_markdown():
    t = reverse_table(baydin, (2.0, 5.0))
    md = t.to_markdown().splitlines()
    assert md[0] == f"**{t.title}**" and md[1] == ""
    assert md[2] == "| variable | rule | value |"
    assert md[3] == "|---|---|---:|"
    table_lines = [line for line in md if line.startswith("|")]
    assert len(table_lines) == 2 + len(t) + len(t.sections)
    odd = Table(("a", "b"), [("x|y", "v0 ** 2")]).to_markdown()
    assert "x\\|y" in odd and "v0 \\*\\* 2" in odd


class _Counter(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = {}, []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1

    def handle_data(self, data):
        self.text.append(data)


def test_html():
    t = reverse_table(baydin, (2.0, 5.0))
    page = t.to_html()
    assert page.startswith("<table") and page.rstrip().endswith("</table>")
    assert t._repr_html_() == page
    parser = _Counter()
    parser.feed(page)
    # header + rows + one per section + the footnote
    assert parser.tags["tr"] == 1 + len(t) + len(t.sections) + 1
    assert parser.tags["caption"] == 1 and parser.tags["table"] == 1
    assert "v" + B + "5 ∂v5/∂v4 = v" + B + "5 × (-1)" in parser.text
    evil = Table(("<b>", "x"), [("<script>alert(1)</script>", "a & b")], title="<i>t</i>",
                 footnote="1 < 2")
    parser = _Counter()
    parser.feed(evil.to_html())
    assert "script" not in parser.tags and "i" not in parser.tags and "b" not in parser.tags
    assert "<script>alert(1)</script>" in parser.text and "a & b" in parser.text


def test_to_dict_is_json():
    t = reverse_table(baydin, (2.0, 5.0))
    d = json.loads(json.dumps(t.to_dict(), allow_nan=False))
    assert d["title"] == t.title and d["columns"] == list(t.columns)
    assert len(d["rows"]) == len(t) and d["rows"][-1][2] == 1.7163378145367738
    assert d["sections"][1] == {"row": 8, "label": "reverse adjoint trace"}
    odd = Table(("a",), [(float("nan"),), (np.float64(2.5),), (1 + 2j,), (None,)]).to_dict()
    assert json.loads(json.dumps(odd, allow_nan=False))["rows"] == [["nan"], [2.5], ["(1+2j)"], [None]]


def test_to_dataframe():
    pd = pytest.importorskip("pandas")
    t = reverse_table(baydin, (2.0, 5.0))
    frame = t.to_dataframe()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["section", "variable", "rule", "value"]
    assert len(frame) == len(t) and frame["value"].iloc[-1] == 1.7163378145367738
    assert set(frame["section"]) == {"forward primal trace", "reverse adjoint trace"}
    plain = forward_table(baydin, (2.0, 5.0)).to_dataframe()
    assert list(plain.columns) == list(forward_table(baydin, (2.0, 5.0)).columns)


def test_to_dataframe_without_pandas(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install 'hybriddiff\[tables\]'"):
        Table(("a",), [(1.0,)]).to_dataframe()


def test_table_basics():
    t = Table(("name", "value"), [("a", 1.0), ["b", 0.25]], title="t", footnote="note")
    assert len(t) == 2 and t[1] == ("b", 0.25) and list(t) == t.rows
    assert t.column("value") == [1.0, 0.25]
    with pytest.raises(KeyError):
        t.column("nope")
    with pytest.raises(ValueError, match="row 0"):
        Table(("a", "b"), [("only one",)])
    assert t.to_text().splitlines()[-1] == "note"


def test_format_value():
    assert format_value(2.0) == "2" and format_value(-1.0) == "-1" and format_value(0.0) == "0"
    assert format_value(0.5) == "0.5" and format_value(5.5) == "5.5"
    assert format_value(math.log(2)) == "0.693" and format_value(-math.sin(5.0)) == "0.959"
    assert format_value(11.652071455223084) == "11.652"
    assert format_value(0.99999999) == "1.000"           # rounded values do not look exact
    assert format_value(1.00000001) == "1.000" and format_value(0.0123456) == "0.0123"
    assert format_value(math.log(2), digits=6) == "0.693147"
    assert format_value(math.log(2), digits=None) == repr(math.log(2))
    assert format_value(float("inf")) == "inf" and format_value(float("nan")) == "nan"
    assert format_value(3) == "3" and format_value("text") == "text" and format_value(None) == ""
    assert format_value(np.float64(0.25)) == "0.25" and format_value(1.5e-9) == "1.5e-09"



def test_the_other_number_formats():
    assert full_value(9.236320123663313) == "9.236320123663313" and full_value(np.float64(2.5)) == "2.5"
    assert full_value(np.array([1.0, 2.5])) == "[1.0, 2.5]" and full_value((1.5, np.array([2.0]))) == "(1.5, [2.0])"
    assert full_value(np.arange(8.0), limit=6) == "[0.0, 1.0, 2.0, ..., 5.0, 6.0, 7.0]"
    assert full_value(np.arange(8.0)).count(",") == 7            # no limit: every entry
    assert short_value(11.652071455223084) == "11.652" and short_value(np.zeros((4, 4))) == "array(4, 4)"
    assert scientific(1.234e-16) == "1.2e-16" and scientific(0.0) == "0" and scientific(None) == ""
    assert scientific(float("nan"), missing="-") == "-" == scientific(float("inf"), missing="-")
    assert (seconds(1.32e-5), seconds(0.5), seconds(2.3e-10), seconds(None)) == ("13.2 us", "500 ms", "0.23 ns", "")
    # never an exponent, whatever the value (issue 16: '1e+03 us', '1.02e+03 kB')
    assert (seconds(9.996e-4), seconds(999.4e-6), seconds(5000.0)) == ("1 ms", "999 us", "5000 s")
    assert (byte_size(1023 * 1024 + 1000), byte_size(1024), byte_size(0)) == ("1 MB", "1 kB", "0 B")
    assert (byte_size(2390), byte_size(120), byte_size(3 << 20), byte_size(None)) == ("2.33 kB", "120 B", "3 MB", "")
    assert formatted(".1f")(15.93) == "15.9" and formatted(".0%")(0.36) == "36%" and formatted("")(None) == ""


def test_jsonable_is_strict_json_with_one_convention_for_nan():
    from fractions import Fraction
    import mpmath
    data = jsonable({"a": [math.nan, math.inf, -math.inf], "b": np.array([1.5, np.nan]), "c": np.float32(0.5),
                     "d": np.int64(7), "e": mpmath.mpf(1) / 4, "f": Fraction(3, 4), "g": 1 + 2j, "h": (None, True),
                     3: "int key"})
    assert json.loads(json.dumps(data, allow_nan=False)) == {
        "a": ["nan", "inf", "-inf"], "b": [1.5, "nan"], "c": 0.5, "d": 7, "e": 0.25, "f": 0.75, "g": "(1+2j)",
        "h": [None, True], "3": "int key"}
    assert type(data["d"]) is int and jsonable(mpmath.mpf("inf")) == "inf"

# ---------------------------------------------------------------- long graphs
def test_long_table_shows_head_and_tail_but_keeps_every_row():
    rows = [(f"v{k}", float(k)) for k in range(1000)]
    t = Table(("variable", "value"), rows, title="long")
    text = t.to_text().splitlines()
    assert len(text) < 40 and any(line.startswith("...") for line in text)
    assert text[3].startswith("v0 ") and text[-2].startswith("v999 ")
    assert "1,000 rows" in text[-1]
    parser = _Counter()
    parser.feed(t.to_html())
    assert parser.tags["tr"] == 1 + 30 + 1 + 1          # header, 30 rows, ellipsis, note
    assert len(t.to_markdown().splitlines()) < 40
    assert len(t.to_dict()["rows"]) == 1000
    assert len(Table(("v",), [(k,) for k in range(1000)], max_rows=None).to_text().splitlines()) == 1002


def test_chain_of_100000_nodes_builds_without_recursion():
    n = 100_000

    def chain(x):
        for _ in range(n):
            x = hd.sin(x)
        return x

    g = hd.trace(chain, 0.5)
    assert len(g.nodes) == n + 1
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)             # any recursion over the nodes would fail at once
    try:
        primal = primal_table(g, 0.5)
        fwd = forward_table(g, 0.5)
        rev = reverse_table(g, 0.5)
        texts = [t.to_text() for t in (primal, fwd, rev)] + [rev.to_html(), rev.to_markdown()]
    finally:
        sys.setrecursionlimit(limit)
    assert len(primal) == n + 2 and len(fwd) == n + 2 and len(rev) == 2 * (n + 2)
    assert close(primal.rows[-1][2], g(0.5))
    assert close(fwd.rows[-1][5], rev.rows[-1][2])
    assert all(len(text.splitlines()) < 120 for text in texts)
    assert len(rev.to_dict()["rows"]) == len(rev)
