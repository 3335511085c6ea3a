"""Drawing graphs: the SVG (layout computed in Python) and the Graphviz DOT text."""
from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import hybriddiff as hd
from hybriddiff.core import primitives as P
from hybriddiff.display.format import short_value
from hybriddiff.graph.draw import SVG, draw, to_dot
from hybriddiff.errors import TraceGuardError
from hybriddiff.graph.facade import Graph
from hybriddiff.graph.layout import crossings, layered_layout

SVG_NS = "{http://www.w3.org/2000/svg}"


def baydin(x1, x2):
    return hd.log(x1) + x1 * x2 - hd.sin(x2)


def many(x1, x2, x3):
    a = x1 * x2
    b = hd.exp(a) - x3
    c = hd.sin(b) * x1
    d = hd.sqrt(c * c + x2)
    e = d / a + hd.cos(x3)
    return e * b - c


def chain(n):
    def f(x):
        for i in range(n):
            x = hd.sin(x) if i % 2 else x * 1.01
        return x
    return f


@pytest.fixture(scope="module")
def g():
    return hd.trace(baydin, 2.0, 5.0)


def parse(svg):
    return ET.fromstring(str(svg))


def classes(el):
    return (el.get("class") or "").split()


def node_groups(root):
    return [el for el in root.iter(SVG_NS + "g") if "node" in classes(el)]


def edge_paths(root):
    return [el for el in root.iter(SVG_NS + "path") if "edge" in classes(el)]


def node_text(group):
    return "\n".join(t.text or "" for t in group.iter(SVG_NS + "text") if t.get("text-anchor") == "middle")


def by_name(root):
    return {el.get("data-name"): el for el in node_groups(root)}


def boxes(root):
    out = {}
    for el in node_groups(root):
        rect = el.find(SVG_NS + "rect")
        out[el.get("data-name")] = tuple(float(rect.get(k)) for k in ("x", "y", "width", "height"))
    return out


def argument_references(graph):
    """Arguments that are inputs or operations (constants are folded into their consumer's label)."""
    return sum(1 for node in graph.nodes if node.kind == "op" for a in node.args
               if graph.nodes[a].kind != "const")


# ------------------------------------------------------------------ structure and labels
def test_svg_parses_with_one_node_per_input_and_op_and_one_edge_per_argument(g):
    root = parse(draw(g))
    assert root.tag == SVG_NS + "svg"
    assert len(node_groups(root)) == len(g.inputs) + g.n_ops == 7
    assert len(edge_paths(root)) == argument_references(g) == 8
    assert all(p.get("marker-end", "").startswith("url(#") for p in edge_paths(root))
    marker_ids = {m.get("id") for m in root.iter(SVG_NS + "marker")}
    assert {p.get("marker-end")[5:-1] for p in edge_paths(root)} <= marker_ids


def test_labels_show_wengert_names_operations_and_input_names(g):
    root = parse(draw(g))
    nodes = by_name(root)
    assert set(nodes) == set(g.wengert_names().values()) == {"v-1", "v0", "v1", "v2", "v3", "v4", "v5"}
    for name, group in nodes.items():
        assert node_text(group).startswith(name + " = ")
    assert "v-1 = x1" in node_text(nodes["v-1"]) and "v0 = x2" in node_text(nodes["v0"])
    assert "ln v-1" in node_text(nodes["v1"]) and "sin v0" in node_text(nodes["v4"])   # as the tables write them
    ops = {name: group.get("data-op") for name, group in nodes.items()}
    assert ops == {"v-1": "input", "v0": "input", "v1": "log", "v2": "mul", "v3": "add", "v4": "sin",
                   "v5": "sub"}
    assert "(mul)" in nodes["v2"].find(SVG_NS + "title").text


def test_output_is_highlighted_and_named_y(g):
    root = parse(draw(g))
    nodes = by_name(root)
    assert "output" in classes(nodes["v5"]) and sum("output" in classes(n) for n in nodes.values()) == 1
    strokes = {name: n.find(SVG_NS + "rect").get("stroke") for name, n in nodes.items()}
    assert all(strokes["v5"] != s for name, s in strokes.items() if name != "v5")
    assert "y" in [t.text for t in nodes["v5"].iter(SVG_NS + "text")]


def test_without_a_point_there_are_no_values(g):
    svg = draw(g)
    assert "= 11.652" not in svg and "\u2202" not in svg


# ------------------------------------------------------------------ values, tangents, adjoints
def test_values_at_a_point(g):
    root = parse(draw(g, 2.0, 5.0))
    texts = {name: node_text(n) for name, n in by_name(root).items()}
    assert "= 2" in texts["v-1"] and "= 5" in texts["v0"]
    for name, value in {"v1": "0.69315", "v2": "10", "v3": "10.693", "v4": "-0.95892", "v5": "11.652"}.items():
        assert f"= {value}" in texts[name].splitlines()
    caption = [t.text for t in root.find(SVG_NS + "g").iter(SVG_NS + "text")]
    assert caption[0] == "baydin(x1, x2) at x1 = 2, x2 = 5"


def test_reverse_mode_shows_the_adjoints(g):
    texts = {name: node_text(n) for name, n in by_name(parse(draw(g, 2.0, 5.0, mode="reverse"))).items()}
    assert "v\u0304-1 = 5.5" in texts["v-1"]
    assert "v\u03040 = 1.7163" in texts["v0"]           # 1.7163378145367738
    assert "v\u03045 = 1" in texts["v5"] and "v\u03044 = -1" in texts["v4"]
    assert "v\u0307" not in "".join(texts.values())


@pytest.mark.parametrize("seed, expected", [
    ((1.0, 0.0), {"v-1": "1", "v0": "0", "v1": "0.5", "v2": "5", "v3": "5.5", "v4": "0", "v5": "5.5"}),
    ((0.0, 1.0), {"v-1": "0", "v0": "1", "v2": "2", "v4": "0.28366", "v5": "1.7163"}),
])
def test_forward_mode_shows_the_tangents(g, seed, expected):
    texts = {name: node_text(n) for name, n in by_name(parse(draw(g, 2.0, 5.0, mode="forward",
                                                                 tangent=seed))).items()}
    for name, value in expected.items():
        assert f"v\u0307{name[1:]} = {value}" in texts[name].splitlines()


def test_forward_mode_defaults_to_the_first_input_and_tangent_implies_forward(g):
    assert draw(g, 2.0, 5.0, mode="forward") == draw(g, 2.0, 5.0, tangent=(1.0, 0.0))
    assert "v\u03075 = 5.5" in draw(g, 2.0, 5.0, mode="forward")


def test_edges_carry_the_local_partials_at_a_point(g):
    titles = [p.find(SVG_NS + "title").text for p in edge_paths(parse(draw(g, 2.0, 5.0)))]
    assert "v-1 \u2192 v2 (argument 1 of mul); \u2202v2/\u2202v-1 = 5" in titles
    assert any(t.endswith("\u2202v5/\u2202v4 = -1") for t in titles)


def test_several_outputs_and_output_adjoints():
    g2 = hd.trace(lambda x, y: (x * y, x + y), 1.0, 2.0)
    root = parse(draw(g2, 1.0, 2.0, mode="reverse", tangent=(0, 1)))
    texts = {name: node_text(n) for name, n in by_name(root).items()}
    assert "v\u0304-1 = 1" in texts["v-1"] and "v\u03040 = 1" in texts["v0"]
    assert sum("output" in classes(n) for n in node_groups(root)) == 2
    default = {name: node_text(n) for name, n in by_name(parse(draw(g2, 1.0, 2.0, mode="reverse"))).items()}
    assert "v\u0304-1 = 2" in default["v-1"]              # d(x*y)/dx at (1, 2)
    with pytest.raises(ValueError, match="one adjoint per output"):
        draw(g2, 1.0, 2.0, mode="reverse", tangent=(1, 0, 0))


def test_array_arguments_and_tangents():
    g2 = hd.trace(lambda v: v[0] * v[1] + 2 * v[0] ** 2, np.array([1.0, 2.0]))
    texts = {name: node_text(n) for name, n in by_name(parse(
        draw(g2, np.array([1.0, 2.0]), tangent=np.array([0.0, 1.0])))).items()}
    assert "v-1 = v[0]" in texts["v-1"] and "v\u03074 = 1" in texts["v4"]
    assert "v2 = v-1 ** 2" in texts["v2"] and "v3 = 2 × v2" in texts["v3"]


def test_constants_are_folded_into_their_consumers():
    g2 = hd.trace(lambda x: hd.exp(x ** 2 - x) / x, 2.0)
    root = parse(draw(g2, 2.0))
    assert len(node_groups(root)) == 1 + g2.n_ops
    assert len(edge_paths(root)) == argument_references(g2)
    assert "v1 = v0 ** 2" in node_text(by_name(root)["v1"])
    assert "= 3.6945" in node_text(by_name(root)["v4"])


def test_degenerate_graphs_draw():
    for f in (lambda x: x, lambda x: 3.0, lambda x: x * x):
        g2 = hd.trace(f, 1.5)
        for mode in (None, "forward", "reverse"):
            root = parse(draw(g2, 1.5, mode=mode))
            assert len(edge_paths(root)) == argument_references(g2)
            assert any("output" in classes(n) for n in node_groups(root))


def test_notes_of_derivative_graphs_are_shown(g):
    svg = draw(g.grad(), 2.0, 5.0)
    assert "adjoint of v-1 (x1)" in svg and "adjoint of v0 (x2)" in svg


def test_bad_modes_and_guards(g):
    with pytest.raises(ValueError, match="needs a point"):
        draw(g, mode="reverse")
    with pytest.raises(ValueError, match="mode must be"):
        draw(g, 2.0, 5.0, mode="sideways")
    branchy = hd.trace(lambda x: hd.exp(x) if x > 0 else x, 1.0)
    assert "guard: v0 &gt; 0 is True" in draw(branchy, 1.0)
    with pytest.raises(TraceGuardError):
        draw(branchy, -1.0)


def test_all_text_is_escaped():
    odd = Graph(name='we"ird<&>')
    x = odd.add_input("a<b&\"c'")
    odd.outputs = [odd.emit(P.sin, [x])]
    odd.arg_names, odd.arg_sizes = ["a"], [None]
    root = parse(draw(odd, 0.5))
    assert "a<b&\"c'" in node_text(by_name(root)["v0"])
    dot = to_dot(odd, 0.5)
    assert dot.startswith('digraph "we\\"ird<&>" {')
    assert 'label="v0 = a<b&\\"c\'\\n= 0.5"' in dot
    assert _balanced_outside_strings(dot)


def test_svg_object(g, tmp_path):
    svg = draw(g)
    assert isinstance(svg, SVG) and isinstance(svg, str)
    assert svg._repr_svg_() == str(svg) == svg and type(str(svg)) is str
    assert str(svg).startswith("<svg") and str(svg).rstrip().endswith("</svg>")
    assert len(repr(svg)) < 100
    path = svg.save(tmp_path / "g.svg")
    assert path.read_text(encoding="utf-8") == svg
    assert draw(g) == svg          # deterministic


def test_short_value():
    assert (short_value(11.652071455223084), short_value(1.7163378145367738), short_value(-0.0),
            short_value(float("nan"))) == ("11.652", "1.7163", "-0", "nan")
    assert short_value(np.float64(0.5)) == "0.5" and short_value(np.array([1.0, 2.5])) == "[1, 2.5]"
    assert short_value(np.zeros((4, 4))) == "array(4, 4)"


# ------------------------------------------------------------------ DOT
def _balanced_outside_strings(text):
    depth = 0
    for ch in re.sub(r'"(?:[^"\\]|\\.)*"', '""', text):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("kwargs", [{}, {"mode": "forward"}, {"mode": "reverse"}])
def test_dot_has_one_line_per_node_and_edge(g, kwargs):
    args = (2.0, 5.0) if kwargs else ()
    dot = to_dot(g, *args, **kwargs)
    lines = dot.splitlines()
    assert lines[0] == 'digraph "baydin" {' and lines[-1] == "}"
    node_lines = [line for line in lines if re.match(r'\s*n\d+ \[label="', line)]
    edge_lines = [line for line in lines if re.fullmatch(r"\s*n\d+ -> n\d+;", line)]
    assert len(node_lines) == 7 and len(edge_lines) == 8
    assert _balanced_outside_strings(dot)
    assert all(line.endswith("];") for line in node_lines)
    if kwargs.get("mode") == "reverse":
        assert "v\u0304-1 = 5.5" in dot and "v\u03040 = 1.7163" in dot
    if kwargs.get("mode") == "forward":
        assert "v\u03075 = 5.5" in dot


def test_dot_labels_match_the_svg(g):
    dot, svg = to_dot(g, 2.0, 5.0, mode="reverse"), draw(g, 2.0, 5.0, mode="reverse")
    for name, group in by_name(parse(svg)).items():
        assert node_text(group).replace("\n", "\\n") in dot


# ------------------------------------------------------------------ size, speed, geometry
def test_too_large_graphs_raise_quickly():
    big = hd.trace(chain(400), 0.5)
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"max_nodes=300.*to_dot"):
        draw(big)
    assert time.perf_counter() - start < 0.5
    with pytest.raises(ValueError, match="prune"):
        draw(hd.trace(baydin, 2.0, 5.0), max_nodes=5)
    assert to_dot(big).count("->") == 400


def test_a_300_node_chain_draws_fast():
    g2 = hd.trace(chain(299), 0.5)
    assert len(g2.inputs) + g2.n_ops == 300
    start = time.perf_counter()
    svg = draw(g2, 0.5, mode="reverse")
    assert time.perf_counter() - start < 1.0
    root = parse(svg)
    assert len(node_groups(root)) == 300 and len(edge_paths(root)) == 299


@pytest.mark.parametrize("f, args", [
    (many, (1.0, 2.0, 0.5)),
    (lambda x: sum(hd.sin(x * k) * x ** k for k in range(1, 12)), (0.7,)),
])
def test_boxes_do_not_overlap_and_edges_go_left_to_right(f, args):
    graph = hd.trace(f, *args).grad()
    assert 30 <= len(graph.inputs) + graph.n_ops <= 300
    root = parse(draw(graph, *args, mode="reverse"))
    rects = list(boxes(root).values())
    for i, (x, y, w, h) in enumerate(rects):
        for x2, y2, w2, h2 in rects[i + 1:]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y
    width, height = float(root.get("width")), float(root.get("height"))
    assert all(0 <= x and x + w <= width and 0 <= y and y + h <= height for x, y, w, h in rects)
    lefts = {round(x, 1) for x, _, _, _ in rects}
    for path in edge_paths(root):
        numbers = [float(v) for v in re.findall(r"-?\d+\.?\d*", path.get("d"))]
        (x0, _), (x1, y1) = numbers[:2], numbers[-2:]
        assert x0 < x1 and round(x1, 1) in lefts          # ends on the left side of a box
        assert any(abs(bx - x1) < 0.06 and by <= y1 <= by + bh for bx, by, _, bh in rects)


def test_texts_fit_in_their_boxes(g):
    root = parse(draw(g, 2.0, 5.0, mode="reverse"))
    for group in node_groups(root):
        rect = group.find(SVG_NS + "rect")
        width = float(rect.get("width"))
        for t in group.iter(SVG_NS + "text"):
            if t.get("text-anchor") == "middle":
                assert len(t.text) * 7.0 < width


def test_layout_reduces_crossings_and_is_iterative():
    # 0 -> 3 and 1 -> 2: in index order the two edges cross; the sweep uncrosses them
    out = layered_layout([(30, 20)] * 4, [(0, 3), (1, 2)])
    assert out.layers == [0, 0, 1, 1] and out.centres[3][1] < out.centres[2][1]
    rows, down = [[0, 1], [2, 3]], [[3], [2], [], []]
    assert crossings(rows, down, [0, 0, 1, 1]) == 1
    n = 5000                                                # far deeper than any recursion limit
    start = time.perf_counter()
    deep = layered_layout([(40, 20)] * n, [(i, i + 1) for i in range(n - 1)] + [(0, n - 1)])
    assert deep.layers[-1] == n - 1 and time.perf_counter() - start < 5
    with pytest.raises(ValueError, match="topological"):
        layered_layout([(1, 1)] * 2, [(1, 0)])


def test_a_small_drawing_is_wide_enough_for_its_caption():
    import re
    svg = str(hd.trace(lambda x: hd.sin(x), 1.0).draw(1.0, mode="reverse"))
    width = float(re.search(r'<svg[^>]* width="([0-9.]+)"', svg).group(1))
    captions = re.findall(r'<g class="caption">(.*?)</g>', svg, re.S)[0]
    longest = max(len(t) for t in re.findall(r">([^<]+)</text>", captions))
    assert "for the output adjoint" in captions and width >= 7 * longest   # (~7 px a character at 12 px)
