"""What a drawing shows on each node: its Wengert line and, at a point, its value and its tangent
(forward mode, for a seed direction) or adjoint (reverse mode, by a reversed loop over the nodes).

``draw.py`` lays the lines out as SVG or DOT; the numbers come from the table's partials
(``core.dispatch.partials_at``) on the primal values of ``evaluate.node_values``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..core.dispatch import partials_at
from ..display.format import short_value
from .arguments import flatten_args
from .evaluate import evaluate, node_values
from .ir import CONST, INPUT, OP, GraphIR
from .listing import note_text, operand_names
from .notation import expression


@dataclass
class Annotation:
    """What the picture shows about each node: its text lines, and the caption."""

    lines: dict[int, list[tuple[str, str]]] = field(default_factory=dict)   # node -> [(text, role)]
    caption: list[str] = field(default_factory=list)
    partials: dict[tuple[int, int], Any] = field(default_factory=dict)       # (node, arg position) -> d


def _tuple(values: list[Any]) -> str:
    return short_value(values[0]) if len(values) == 1 else f"({', '.join(short_value(v) for v in values)})"


def annotate(graph: GraphIR, args: Sequence[Any] = (), mode: str | None = None,
             tangent: Any = None) -> Annotation:
    """The label lines of every drawn node and the caption (the text of ``draw`` and ``to_dot``).

    >>> import hybriddiff as hd
    >>> g = hd.trace(lambda x: hd.exp(x) * x, 1.0)
    >>> [text for text, role in annotate(g, (0.0,), mode="forward").lines[2]]
    ['v2 = v1 × v0', '= 0', 'v\u03072 = 1']
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
            ann.lines[i] = [(f"{names[i]} = {expression(node.prim).format(*[names[a] for a in node.args])}", "head")]
        elif i in graph.outputs:
            ann.lines[i] = [(names[i], "head")]
    ann.caption.append(f"{graph.name}({', '.join(graph.input_names())})")
    columns: list[tuple[str, list[Any], str]] = []   # (symbol, one entry per node, role)
    if args:
        evaluate(graph, args)  # checks the arguments and the branches recorded at trace time
        values = _values(graph, args, ann)
        ann.caption[0] += " at " + ", ".join(f"{nodes[i].name} = {short_value(values[i])}" for i in graph.inputs)
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
            rows += [(f"{mark}{names[i][1:]} = {short_value(col[i])}" if mark else f"= {short_value(col[i])}", role)
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


__all__ = ["Annotation", "annotate"]
