"""The Taylor-mode trace table (hd.taylor_table): the seed's f row by row against mpmath's Taylor
coefficients of each intermediate, its last row against hd.taylor and mpmath.diff, two inputs along a
direction, every primitive of the table (generated), bad orders and directions, the command line."""
import json
import math

import mpmath
import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.errors import TraceGuardError
from hybriddiff.graph.evaluate import node_values
from hybriddiff.graph.ir import OP
from hybriddiff.tables.taylor import MAX_ORDER, taylor_table

from conftest import along, sample_points
from test_cli import fails, run

D = "\u0307"      # combining dot (the direction's ẋ)
SEED = "exp(x**2 - x)/x"
BAYDIN = "ln(x1) + x1*x2 - sin(x2)"


def seed(x):
    return hd.exp(x ** 2 - x) / x


def baydin(x1, x2):
    return hd.log(x1) + x1 * x2 - hd.sin(x2)


def mp_taylor(fn, x, order, dps=50):
    """c_0 .. c_order of fn at x by mpmath's high-precision differentiation."""
    with mpmath.workdps(dps):
        return [float(c) for c in mpmath.taylor(fn, mpmath.mpf(x), order)]


def agree(got, expected, rel=1e-13):
    """Coefficient by coefficient, relative to the row's largest (a zero coefficient is then exact
    to rel times that scale: mpmath's numerical 0 is ~1e-50, not 0.0)."""
    assert len(got) == len(expected), (got, expected)
    scale = max(abs(c) for c in expected) or 1.0
    for k, (g, e) in enumerate(zip(got, expected)):
        assert math.isclose(g, e, rel_tol=rel, abs_tol=rel * scale), (k, got, expected)


def coefficients(row):
    return list(row[2:])


# ---------------------------------------------------------------- the seed's f, row by row
def test_the_seeds_last_row_gives_hd_taylors_and_mpmaths_derivatives():
    t = taylor_table(seed, 2.0, order=3)
    assert t.columns == ("variable", "expression", "c0", "c1", "c2", "c3")
    derivatives = [c * math.factorial(k) for k, c in enumerate(coefficients(t.rows[-1]))]
    assert [round(d, 10) for d in derivatives] == [3.6945280495, 9.2363201237, 31.4034884205, 119.1485295953]
    agree(derivatives, hd.taylor(seed, 2.0, 3).derivatives, rel=1e-15)
    with mpmath.workdps(50):
        exact = [float(mpmath.diff(lambda x: mpmath.exp(x ** 2 - x) / x, 2, k)) for k in range(4)]
    for d, e in zip(derivatives, exact):
        assert math.isclose(d, e, rel_tol=1e-13), (derivatives, exact)


def test_every_row_of_the_seed_is_its_intermediates_taylor_series():
    t = taylor_table(seed, 2.0, order=3)
    subexpressions = [("v0", "x", lambda x: x),
                      ("v1", "v0 ** 2", lambda x: x ** 2),
                      ("v2", "v1 - v0", lambda x: x ** 2 - x),
                      ("v3", "exp v2", lambda x: mpmath.exp(x ** 2 - x)),
                      ("v4", "v3 / v0", lambda x: mpmath.exp(x ** 2 - x) / x),
                      ("y", "v4", lambda x: mpmath.exp(x ** 2 - x) / x)]
    assert len(t) == len(subexpressions)
    for row, (name, expression, fn) in zip(t.rows, subexpressions):
        assert row[:2] == (name, expression)
        agree(coefficients(row), mp_taylor(fn, 2.0, 3))
    assert t.rows[0][2:] == (2.0, 1.0, 0.0, 0.0)                 # the input: x + t
    assert t.rows[1][2:] == (4.0, 4.0, 1.0, 0.0)                 # (2 + t)^2, exactly
    assert "direction x" + D + " = 1" in t.title and "order 3" in t.title


def test_the_seed_to_the_largest_order_a_table_shows():
    t = taylor_table(seed, 2.0, order=MAX_ORDER)
    assert t.columns[-1] == f"c{MAX_ORDER}" and len(t.columns) == MAX_ORDER + 3
    agree(coefficients(t.rows[-1]), mp_taylor(lambda x: mpmath.exp(x ** 2 - x) / x, 2.0, MAX_ORDER), rel=1e-12)
    agree(coefficients(t.rows[-1]), hd.taylor(seed, 2.0, MAX_ORDER).coefficients, rel=1e-14)


def test_order_zero_is_the_primal_trace():
    t = taylor_table(seed, 2.0, order=0)
    assert t.columns == ("variable", "expression", "c0")
    assert [row[2] for row in t.rows] == [row[2] for row in hd.trace(seed, 2.0).primal_table().rows]


# ---------------------------------------------------------------- directions and inputs
def _along_the_graph(graph, point, direction, node):
    """Node ``node`` of the graph as a function of t, the inputs at point + t * direction, evaluated by
    the graph's own mpmath implementations (every intermediate, with no hand-written expression)."""
    def fn(t):
        return node_values(graph, [mpmath.mpf(p) + t * mpmath.mpf(d) for p, d in zip(point, direction)])[node]
    return fn


def test_two_inputs_along_a_direction():
    t = taylor_table(baydin, (2.0, 5.0), order=4, direction=(1.0, 0.5))
    assert "x" + D + "1 = 1, x" + D + "2 = 0.5" in t.title
    graph = hd.trace(baydin, 2.0, 5.0)
    rows = iter(t.rows)
    for i, node in enumerate(graph.nodes):
        if node.kind == OP or i in graph.inputs:
            row = next(rows)
            with mpmath.workdps(50):
                expected = [float(c) for c in mpmath.taylor(_along_the_graph(graph, (2, 5), (1, 0.5), i), 0, 4)]
            agree(coefficients(row), expected)
    y = next(rows)
    assert y[:2] == ("y", "v5") and next(rows, None) is None
    along_line = hd.taylor(lambda v: baydin(v[0], v[1]), np.array([2.0, 5.0]), 4, direction=np.array([1.0, 0.5]))
    agree(coefficients(y), along_line.coefficients, rel=1e-15)
    # c1 is forward mode's tangent, row by row
    forward = hd.forward_table(baydin, (2.0, 5.0), (1.0, 0.5))
    assert [row[3] for row in t.rows] == pytest.approx([row[5] for row in forward.rows], rel=1e-15)


def test_array_arguments_a_graph_and_the_default_direction():
    def f(v, w):
        return v[0] * v[1] + hd.sin(w) * v[1]
    x = (np.array([1.0, 2.0]), 3.0)
    g = hd.trace(f, *x)
    t = taylor_table(g, x, order=2, direction=(np.array([0.0, 1.0]), 1.0))
    assert [row[1] for row in t.rows[:3]] == ["v[0]", "v[1]", "w"]
    # f(1, 2 + t, 3 + t) = (2 + t) (1 + sin(3 + t))
    agree(coefficients(t.rows[-1]), mp_taylor(lambda s: (2 + s) * (1 + mpmath.sin(3 + s)), 0, 2))
    assert taylor_table(seed, 2.0).rows == taylor_table(seed, 2.0, direction=1.0).rows
    assert taylor_table(hd.trace(seed, 2.0), 2.0).rows == taylor_table(seed, 2.0).rows
    scaled = taylor_table(seed, 2.0, direction=2.0)            # c_k grows by 2^k
    agree(coefficients(scaled.rows[-1]), [c * 2 ** k for k, c in enumerate(coefficients(taylor_table(seed, 2.0).rows[-1]))],
          rel=1e-15)


def test_several_outputs_and_constants():
    t = taylor_table(lambda x: [x * 2 + 1, 3.0, x * x], 2.0, order=2)
    assert [row[0] for row in t.rows[-3:]] == ["y1", "y2", "y3"]
    assert [row[2:] for row in t.rows[-3:]] == [(5.0, 2.0, 0.0), (3.0, 0.0, 0.0), (4.0, 4.0, 1.0)]
    assert t.rows[1][1] == "v0 × 2" and t.rows[2][1] == "v1 + 1"   # constants inline, not rows


@pytest.mark.parametrize("name", sorted(hd.PRIMITIVES))
def test_every_primitive_of_the_table(name):
    """Generated from the table: a new primitive gets its Taylor table with no code of its own."""
    prim = hd.PRIMITIVES[name]
    point = sample_points(prim)[0]
    for i in range(prim.arity):
        f = along(prim, point, i)
        t = taylor_table(f, point[i], order=4)
        agree(coefficients(t.rows[-1]), hd.taylor(f, point[i], 4).coefficients, rel=1e-12)


def test_away_from_its_trace_point_a_graph_checks_its_guards():
    g = hd.trace(lambda x: x * x if x > 1 else -x, 2.0)
    assert taylor_table(g, 3.0, order=2).rows[-1][2:] == (9.0, 6.0, 1.0)
    with pytest.raises(TraceGuardError):
        taylor_table(g, 0.5)


def test_text_markdown_and_full_digits():
    t = taylor_table(seed, 2.0)
    text = t.to_text()
    assert text.splitlines()[1].split() == ["variable", "expression", "c0", "c1", "c2", "c3"]
    assert "55.418" in text and "ck = v^(k)(0)/k!" in text and "k!·ck" in text
    assert "| c3 |" in t.to_markdown()
    full = taylor_table(seed, 2.0, digits=None)
    assert "(digits=None" not in full.footnote and repr(full.rows[-1][3]) in full.to_text()
    narrow = taylor_table(seed, 2.0, order=8).to_text(width=60)
    assert all(len(line) <= 60 for line in narrow.splitlines()[1:])     # the title may be longer
    assert "not shown at this width: c5, c6, c7, c8" in narrow.replace("\n", " ")


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("order, message", [
    (-1, "order must be a whole number from 0 to 12, got -1"),
    (True, "got True"),
    (2.0, "got 2.0"),
    ("3", "got '3'"),
    (None, "got None"),
    (13, r"order 13 would give 14 coefficient columns; a table shows at most order 12 \(hd.taylor"),
])
def test_bad_orders(order, message):
    with pytest.raises(ValueError, match=message):
        taylor_table(seed, 2.0, order=order)


def test_bad_directions():
    with pytest.raises(ValueError, match=r"^taylor_table: baydin has 2 inputs \(x1, x2\); give direction= .*e.g. \(1.0, 0.0\)"):
        taylor_table(baydin, (2.0, 5.0))
    with pytest.raises(TypeError, match="taylor_table: the direction: .*takes 2 argument"):
        taylor_table(baydin, (2.0, 5.0), direction=1.0)
    with pytest.raises(ValueError, match="taylor_table: the direction: .*length 2"):
        taylor_table(lambda v: v[0] * v[1], (np.array([1.0, 2.0]),), direction=(np.array([1.0, 0.0, 0.0]),))
    with pytest.raises(ValueError, match=r"has 2 inputs \(v\[0\], v\[1\]\); give direction="):
        taylor_table(lambda v: v[0] * v[1], (np.array([1.0, 2.0]),))
    with pytest.raises(TypeError, match="^taylor_table: the direction: seed\\(\\): argument 'x' is a str"):
        taylor_table(seed, 2.0, direction="1")


def test_public_api():
    assert hd.taylor_table is taylor_table and "taylor_table" in dir(hd)


# ---------------------------------------------------------------- the command line
def test_trace_taylor_text_and_json():
    out = run("trace", SEED, "--at", "x=2", "--mode", "taylor", "--order", "4")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "Taylor-mode trace of f(x) at x = 2, order 4; direction x" + D + " = 1"
    assert lines[1].split() == ["variable", "expression", "c0", "c1", "c2", "c3", "c4"]
    y = next(line for line in lines if line.startswith("y "))
    assert y.split() == ["y", "v4", "3.695", "9.236", "15.702", "19.858", "21.013"]
    assert "ck = v^(k)(0)/k!" in out.stdout
    out = run("trace", BAYDIN, "--at", "x1=2", "x2=5", "--mode", "taylor", "--tangent", "x2=1", "--format", "json")
    assert out.returncode == 0, out.stderr
    table = json.loads(out.stdout)
    assert table["columns"] == ["variable", "expression", "c0", "c1", "c2", "c3"]
    assert table["rows"][-1][:4] == ["y", "v5", 11.652071455223084, 1.7163378145367738]


@pytest.mark.parametrize("argv, expected", [
    (["--mode", "taylor"], "--mode taylor with several inputs needs --tangent"),
    (["--order", "2"], "--order is for --mode taylor"),
    (["--mode", "reverse", "--order", "2"], "--order is for --mode taylor"),
    (["--mode", "taylor", "--order", "13", "--tangent", "x1=1"], "expected a whole number from 0 to 12, got '13'"),
    (["--mode", "taylor", "--order", "-1", "--tangent", "x1=1"], "expected a whole number from 0 to 12"),
])
def test_trace_taylor_usage_errors(argv, expected):
    assert expected in fails(run("trace", BAYDIN, "--at", "x1=2", "x2=5", *argv))
