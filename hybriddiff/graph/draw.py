"""Drawing a graph: an SVG computed in plain Python (no Graphviz needed), or Graphviz DOT text.

Inputs and operations are boxes labelled with their Wengert line (``v2 = v-1 * v0``); constants are
folded into the line of the operation that uses them. At a point, each box also shows its value
(``= 10``); in forward mode its tangent (``v̇2 = 5``) for a seed direction, in reverse mode its
adjoint (``v̄2 = 1``, by a reversed loop over the nodes). Outputs have a red border and an arrow to
``y``. The layout (``layout.py``) is layered, left to right, as in the textbook figures.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from ..core.dispatch import partials_at
from .arguments import flatten_args
from .evaluate import evaluate, node_values
from .ir import CONST, INPUT, OP, GraphIR
from .layout import layered_layout
from .listing import const_text, note_text, operand_names


__all__ = ["SVG", "Annotation", "annotate", "draw", "fmt", "to_dot"]

LINE, PAD_X, PAD_Y, CHAR = 16.0, 9.0, 6.0, 7.3  # line height, padding, monospace glyph width (12px)
FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"
INK = {"head": "#111111", "value": "#333333", "tangent": "#1b6e3a", "adjoint": "#a3421b", "note": "#777777"}
STYLE = {"input": ("#e8f1fb", "#2f6ea5"), "op": ("#ffffff", "#555555"), "const": ("#f3f3f3", "#888888")}
OUT_STROKE, OUT_FILL, EDGE = "#c0392b", "#fff4f2", "#6b6b6b"
BOLD, ITALIC = ' font-weight="bold"', ' font-style="italic"'


class SVG(str):
    """SVG text that Jupyter displays inline; ``save(path)`` writes it to a file."""

    def _repr_svg_(self) -> str:
        return str(self)

    def save(self, path: str | Path) -> Path:
        """Write the drawing to ``path`` (UTF-8) and return the path."""
        path = Path(path)
        path.write_text(str(self), encoding="utf-8")
        return path

    def __repr__(self) -> str:
        return f"<SVG drawing, {len(self)} characters: display it in Jupyter or .save('graph.svg')>"


@dataclass
class Annotation:
    """What the picture shows about each node: its text lines, and the caption."""

    lines: dict[int, list[tuple[str, str]]] = field(default_factory=dict)   # node -> [(text, role)]
    caption: list[str] = field(default_factory=list)
    partials: dict[tuple[int, int], Any] = field(default_factory=dict)       # (node, arg position) -> d


def fmt(value: Any) -> str:
    """A short number: 5 significant digits for floats, exact text for ints and fractions.

    >>> fmt(11.652071455223084), fmt(10.0), fmt(3), fmt(1 + 2j)
    ('11.652', '10', '3', '1+2j')
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        return str([fmt(v) for v in value.ravel()]).replace("'", "") if value.size <= 3 else f"array{value.shape}"
    if isinstance(value, float):
        return f"{value:.5g}"
    if isinstance(value, complex):
        return f"{value.real:.4g}{value.imag:+.4g}j"
    if type(value).__module__.startswith("mpmath"):
        return fmt(complex(value) if "mpc" in type(value).__name__ else float(value))
    text = const_text(value) if hasattr(value, "numerator") else str(value)
    return text if len(text) <= 24 else text[:23] + "…"


def _tuple(values: list[Any]) -> str:
    return fmt(values[0]) if len(values) == 1 else f"({', '.join(fmt(v) for v in values)})"


def _width(text: str) -> float:
    return CHAR * sum(1 for ch in text if not 0x300 <= ord(ch) < 0x370)  # combining marks: no width


def annotate(graph: GraphIR, args: Sequence[Any] = (), mode: str | None = None,
             tangent: Any = None) -> Annotation:
    """The label lines of every drawn node and the caption (the text of ``draw`` and ``to_dot``).

    >>> import hybriddiff as hd
    >>> g = hd.trace(lambda x: hd.exp(x) * x, 1.0)
    >>> [text for text, role in annotate(g, (0.0,), mode="forward").lines[2]]
    ['v2 = v1 * v0', '= 0', 'v\u03072 = 1']
    """
    if mode is None and tangent is not None:
        mode = "forward"
    if mode not in (None, "forward", "reverse"):
        raise ValueError(f"mode must be None, 'forward' or 'reverse', got {mode!r}")
    if mode and not args:
        raise ValueError(f"mode={mode!r} needs a point, e.g. draw(graph, 2.0, 5.0, mode={mode!r})")
    names, nodes = operand_names(graph), graph.nodes
    ann = Annotation()
    for i, node in enumerate(nodes):
        if node.kind == INPUT:
            ann.lines[i] = [(f"{names[i]} = {node.name}", "head")]
        elif node.kind == OP:
            ann.lines[i] = [(f"{names[i]} = {node.prim.pretty.format(*[names[a] for a in node.args])}", "head")]
        elif i in graph.outputs:
            ann.lines[i] = [(names[i], "head")]
    ann.caption.append(f"{graph.name}({', '.join(graph.input_names())})")
    columns: list[tuple[str, list[Any], str]] = []   # (symbol, one entry per node, role)
    if args:
        evaluate(graph, args)  # checks the arguments and the branches recorded at trace time
        values = _values(graph, args, ann)
        ann.caption[0] += " at " + ", ".join(f"{nodes[i].name} = {fmt(values[i])}" for i in graph.inputs)
        columns.append(("", values, "value"))
    if mode == "forward":
        dots = _tangents(graph, tangent, ann)
        ann.caption.append("forward mode: tangents v\u0307 along the input direction "
                           + _tuple([dots[i] for i in graph.inputs]))
        columns.append(("v\u0307", dots, "tangent"))
    elif mode == "reverse":
        bars, seeds = _adjoints(graph, tangent, ann)
        ann.caption.append(f"reverse mode: adjoints v\u0304 = \u2202y/\u2202v for the output adjoint "
                           f"y\u0304 = {_tuple(seeds)}")
        columns.append(("v\u0304", bars, "adjoint"))
    ann.caption += [f"guard: {names[g.lhs]} {g.op} {names[g.rhs]} is {g.outcome}" for g in graph.guards]
    for i, rows in ann.lines.items():
        if nodes[i].kind != CONST:
            rows += [(f"{mark}{names[i][1:]} = {fmt(col[i])}" if mark else f"= {fmt(col[i])}", role)
                     for mark, col, role in columns]
        note = note_text(graph, i, names)
        if note:
            rows.append((note, "note"))
    return ann


def _values(graph: GraphIR, args: Sequence[Any], ann: Annotation) -> list[Any]:
    """Primal values (one loop over the nodes) and each operation's local partials."""
    env = node_values(graph, flatten_args(graph, args))
    for i, node in enumerate(graph.nodes):
        if node.kind == OP:
            primals = [env[a] for a in node.args]
            for k, a in enumerate(node.args):
                if graph.nodes[a].kind != CONST:
                    ann.partials[i, k] = partials_at(node.prim, k, primals, env[i])
    return env


def _tangents(graph: GraphIR, tangent: Any, ann: Annotation) -> list[Any]:
    """Forward mode: v̇_i = sum_k (d v_i / d arg_k) v̇_arg_k, one loop over the nodes.

    ``tangent`` is shaped like the arguments; by default the first input's direction."""
    if tangent is None:
        seed: list[Any] = [1.0] + [0.0] * (len(graph.inputs) - 1)
    else:
        seed = flatten_args(graph, (tangent,) if len(graph.arg_sizes) == 1 else tuple(tangent))
    dots: list[Any] = [0] * len(graph.nodes)
    for k, i in enumerate(graph.inputs):
        dots[i] = seed[k]
    for i, node in enumerate(graph.nodes):
        if node.kind == OP:
            dots[i] = sum((ann.partials[i, k] * dots[a] for k, a in enumerate(node.args)
                           if (i, k) in ann.partials), start=0)
    return dots


def _adjoints(graph: GraphIR, seed: Any, ann: Annotation) -> tuple[list[Any], list[Any]]:
    """Reverse mode: v̄_arg += (d v_i / d arg) v̄_i, one loop over the nodes in reverse order.

    ``seed``: the outputs' adjoints; by default 1 for the first output, 0 for the others."""
    n_out = len(graph.outputs)
    seeds = [1.0] + [0.0] * (n_out - 1) if seed is None else list(np.ravel(np.asarray(seed, dtype=object)))
    if len(seeds) != n_out:
        raise ValueError(f"reverse mode: give one adjoint per output ({n_out}), got {len(seeds)}")
    bars: list[Any] = [0] * len(graph.nodes)
    for o, s in zip(graph.outputs, seeds):
        bars[o] = bars[o] + s
    for i in range(len(graph.nodes) - 1, -1, -1):
        for k, a in enumerate(graph.nodes[i].args):
            if (i, k) in ann.partials:
                bars[a] = bars[a] + ann.partials[i, k] * bars[i]
    return bars, seeds


def _drawn(graph: GraphIR) -> list[int]:
    return [i for i, node in enumerate(graph.nodes) if node.kind != CONST or i in graph.outputs]


def _edges(graph: GraphIR, drawn: Sequence[int]) -> list[tuple[int, int, int]]:
    """(source, target, argument position) for every argument that is drawn (not a constant)."""
    keep = set(drawn)
    return [(a, i, k) for i in drawn if graph.nodes[i].kind == OP
            for k, a in enumerate(graph.nodes[i].args) if a in keep]


def draw(graph: GraphIR, *args: Any, mode: str | None = None, tangent: Any = None,
         max_nodes: int = 300) -> SVG:
    """An SVG drawing of ``graph``; at a point ``args`` with values, tangents or adjoints.

    ``mode="forward"``: also the tangents for ``tangent`` (shaped like ``args``; default: the
    first input's direction). ``mode="reverse"``: also the adjoints; ``tangent`` then gives the
    outputs' adjoints (default 1 for the first output). Graphs with more than ``max_nodes``
    inputs and operations raise ValueError (see ``to_dot`` and ``Graph.prune``).

    >>> import hybriddiff as hd
    >>> g = hd.trace(lambda x1, x2: hd.log(x1) + x1 * x2 - hd.sin(x2), 2.0, 5.0)
    >>> svg = draw(g, 2.0, 5.0, mode="reverse")
    >>> svg.startswith("<svg"), svg.count('<g class="node'), "= 11.652" in svg, "v\u0304-1 = 5.5" in svg
    (True, 7, True, True)
    """
    drawn = _drawn(graph)
    if len(drawn) > max_nodes:
        raise ValueError(
            f"draw: the graph has {len(drawn)} inputs and operations, more than max_nodes={max_nodes}; "
            f"a picture that size is unreadable (and slow). Draw a pruned or smaller graph "
            f"(graph.prune() drops unused nodes), raise max_nodes, or use graph.to_dot() with Graphviz "
            f"(dot -Tsvg graph.dot > graph.svg)")
    ann = annotate(graph, args, mode, tangent)
    keep = {i: j for j, i in enumerate(drawn)}
    edges = _edges(graph, drawn)
    sizes = [(max(_width(t) for t, _ in ann.lines[i]) + 2 * PAD_X, len(ann.lines[i]) * LINE + 2 * PAD_Y)
             for i in drawn]
    lay = layered_layout(sizes, [(keep[s], keep[t]) for s, t, _ in edges])
    top = len(ann.caption) * LINE + 10.0
    width, height = lay.width + 40.0, lay.height + top
    names = graph.wengert_names()
    out: list[str] = []
    for (s, t, k), route in zip(edges, lay.routes):
        tip = f"{names[s]} \u2192 {names[t]} (argument {k + 1} of {graph.nodes[t].prim.name})"
        if (t, k) in ann.partials:
            tip += f"; \u2202{names[t]}/\u2202{names[s]} = {fmt(ann.partials[t, k])}"
        out.append(f'<path class="edge" d="{_path(route, top)}" fill="none" stroke="{EDGE}" '
                   f'stroke-width="1.3" marker-end="url(#@ID@-arrow)"><title>{escape(tip)}</title></path>')
    for j, i in enumerate(drawn):
        out.append(_node(graph, i, ann.lines[i], lay.centres[j], lay.sizes[j], top, names))
    body = "\n".join(out)
    uid = f"hd{zlib.crc32(body.encode()):08x}"
    caption = "".join(f'<text x="12" y="{16 + r * LINE:.1f}" fill="#444444"{BOLD if r == 0 else ""}>'
                      f"{escape(line)}</text>" for r, line in enumerate(ann.caption))
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.1f} {height:.1f}" font-family={quoteattr(FONT)} font-size="12">\n'
            f'<defs><marker id="{uid}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
            f'markerHeight="8" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" '
            f'fill="{EDGE}"/></marker></defs>\n<rect width="100%" height="100%" fill="white"/>\n'
            f'<g class="caption">{caption}</g>\n')
    return SVG(head + body.replace("@ID@", uid) + "\n</svg>\n")


def _path(route: list[tuple[float, float]], top: float) -> str:
    """Cubic Bézier pieces with horizontal tangents through the route's points."""
    (x0, y0), parts = route[0], [f"M{route[0][0]:.1f},{route[0][1] + top:.1f}"]
    for x1, y1 in route[1:]:
        if y1 == y0:
            parts.append(f"L{x1:.1f},{y1 + top:.1f}")
        else:
            mid = (x0 + x1) / 2
            parts.append(f"C{mid:.1f},{y0 + top:.1f} {mid:.1f},{y1 + top:.1f} {x1:.1f},{y1 + top:.1f}")
        x0, y0 = x1, y1
    return " ".join(parts)


def _node(graph: GraphIR, i: int, lines: list[tuple[str, str]], centre: tuple[float, float],
          size: tuple[float, float], top: float, names: dict[int, str]) -> str:
    node = graph.nodes[i]
    (cx, cy), (w, h) = centre, size
    x, y = cx - w / 2, cy - h / 2 + top
    fill, stroke, stroke_width = _style(graph, i)
    classes, extra = f"node {node.kind}", ""
    if i in graph.outputs:
        classes += " output"
        ys = [k for k, o in enumerate(graph.outputs) if o == i]
        label = ", ".join("y" if len(graph.outputs) == 1 else f"y{k + 1}" for k in ys)
        extra = (f'<path d="M{x + w:.1f},{cy + top:.1f} h22" stroke="{OUT_STROKE}" stroke-width="1.6" '
                 f'marker-end="url(#@ID@-arrow)"/><text x="{x + w + 26:.1f}" y="{cy + top + 4:.1f}" '
                 f'fill="{OUT_STROKE}" font-weight="bold">{escape(label)}</text>')
    op = node.prim.name if node.kind == OP else node.kind
    tip = "\n".join(t for t, _ in lines) + (f"\n({op})" if node.kind == OP else "")
    rx = min(14.0, h / 2) if node.kind == INPUT else 5.0
    text = "".join(
        f'<text x="{cx:.1f}" y="{y + PAD_Y + 12 + r * LINE:.1f}" text-anchor="middle" fill="{INK[role]}"'
        f'{BOLD if role == "head" else ""}{ITALIC if role == "note" else ""}>'
        f"{escape(t)}</text>" for r, (t, role) in enumerate(lines))
    return (f'<g class={quoteattr(classes)} id="@ID@-n{i}" data-name={quoteattr(names.get(i, op))} '
            f'data-op={quoteattr(op)}><title>{escape(tip)}</title>'
            f'<rect class="box" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{rx:.1f}" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{stroke_width}"/>{text}{extra}</g>')


def _style(graph: GraphIR, i: int) -> tuple[str, str, float]:
    """(fill, border colour, border width): outputs red and thick, inputs blue."""
    return (OUT_FILL, OUT_STROKE, 2.4) if i in graph.outputs else (*STYLE[graph.nodes[i].kind], 1.2)


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(graph: GraphIR, *args: Any, mode: str | None = None, tangent: Any = None) -> str:
    """Graphviz DOT text with the same labels as ``draw`` (render with ``dot -Tsvg``).

    >>> import hybriddiff as hd
    >>> print(to_dot(hd.trace(lambda x: hd.sin(x) * x, 1.0)))
    digraph "f" {
      rankdir=LR; labelloc=t; label="f(x)";
      node [shape=box, style="rounded,filled", fontname="Courier", fontsize=11];
      n0 [label="v0 = x", fillcolor="#e8f1fb", color="#2f6ea5", penwidth=1.2];
      n1 [label="v1 = sin(v0)", fillcolor="#ffffff", color="#555555", penwidth=1.2];
      n2 [label="v2 = v1 * v0", fillcolor="#fff4f2", color="#c0392b", penwidth=2.4];
      n0 -> n1;
      n1 -> n2;
      n0 -> n2;
    }
    """
    ann = annotate(graph, args, mode, tangent)
    drawn = _drawn(graph)
    lines = [f"digraph {_dot_string(graph.name)} {{",
             f"  rankdir=LR; labelloc=t; label={_dot_string(chr(10).join(ann.caption))};",
             '  node [shape=box, style="rounded,filled", fontname="Courier", fontsize=11];']
    for i in drawn:
        label = "\n".join(t for t, _ in ann.lines[i])
        fill, stroke, width = _style(graph, i)
        lines.append(f'  n{i} [label={_dot_string(label)}, fillcolor="{fill}", color="{stroke}", penwidth={width}];')
    lines += [f"  n{s} -> n{t};" for s, t, _ in _edges(graph, drawn)]
    lines.append("}")
    return "\n".join(lines)
