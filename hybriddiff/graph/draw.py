"""Drawing a graph: an SVG computed in plain Python (no Graphviz needed), or Graphviz DOT text.

Inputs and operations are boxes labelled with their Wengert line (``v2 = v-1 * v0``); constants are
folded into the line of the operation that uses them. At a point, each box also shows its value
(``= 10``); in forward mode its tangent (``v̇2 = 5``) for a seed direction, in reverse mode its
adjoint (``v̄2 = 1``, by a reversed loop over the nodes; the text of each box: ``annotate.py``).
Outputs have a red border and an arrow to ``y``. The layout (``layout.py``) is layered, left to
right, as in the textbook figures.
"""
from __future__ import annotations

import html
import zlib
from pathlib import Path
from typing import Any, Sequence

from ..display.format import short_value
from .annotate import Annotation, annotate
from .ir import CONST, INPUT, OP, GraphIR
from .layout import layered_layout

__all__ = ["SVG", "Annotation", "annotate", "draw", "to_dot"]


def escape(text: str) -> str:
    """Text for an SVG element (html's escape: xml.sax would import urllib at ``import hybriddiff``)."""
    return html.escape(text, quote=False)


def quoteattr(text: str) -> str:
    """A quoted SVG attribute value."""
    return '"' + html.escape(text, quote=True) + '"'


LINE, PAD_X, PAD_Y, CHAR = 16.0, 9.0, 6.0, 7.3  # line height, padding, monospace glyph width (12px)
FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"
INK = {"head": "#111111", "value": "#333333", "tangent": "#1b6e3a", "adjoint": "#a3421b", "note": "#777777"}
STYLE = {INPUT: ("#e8f1fb", "#2f6ea5"), OP: ("#ffffff", "#555555"), CONST: ("#f3f3f3", "#888888")}
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


def _width(text: str) -> float:
    return CHAR * sum(1 for ch in text if not 0x300 <= ord(ch) < 0x370)  # combining marks: no width


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
    # wide enough for the caption too: a small graph must not clip "... for the output adjoint"
    width = max(lay.width + 40.0, max((_width(line) for line in ann.caption), default=0.0) + 24.0)
    height = lay.height + top
    names = graph.wengert_names()
    out: list[str] = []
    for (s, t, k), route in zip(edges, lay.routes):
        tip = f"{names[s]} \u2192 {names[t]} (argument {k + 1} of {graph.nodes[t].prim.name})"
        if (t, k) in ann.partials:
            tip += f"; \u2202{names[t]}/\u2202{names[s]} = {short_value(ann.partials[t, k])}"
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
      n1 [label="v1 = sin v0", fillcolor="#ffffff", color="#555555", penwidth=1.2];
      n2 [label="v2 = v1 × v0", fillcolor="#fff4f2", color="#c0392b", penwidth=2.4];
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
