"""Printing a graph as its Wengert listing (``v3 = sin(v0)``): short, exact, one line per node."""
from __future__ import annotations

from typing import Any

from ..display.format import count
from .ir import CONST, INPUT, GraphIR


HEAD, TAIL = 40, 10  # a long listing shows its first and last lines


def const_text(value: Any) -> str:
    """Constants print exactly: ints and fractions as such, floats by repr."""
    return repr(value) if not hasattr(value, "numerator") or type(value) in (int, bool) else str(value)


def operand_names(graph: GraphIR) -> dict[int, str]:
    """Wengert names for inputs and operations, the exact text for constants."""
    names = graph.wengert_names()
    for i, node in enumerate(graph.nodes):
        if node.kind == CONST:
            text = const_text(node.const)
            names[i] = f"({text})" if text.startswith("-") else text
    return names


def node_line(graph: GraphIR, i: int, names: dict[int, str]) -> str:
    node = graph.nodes[i]
    if node.kind == INPUT:
        return f"{names[i]} = {node.name}"
    line = f"{names[i]} = {node.prim.pretty.format(*[names[a] for a in node.args])}"
    note = note_text(graph, i, names)
    return f"{line}    # {note}" if note else line


def note_text(graph: GraphIR, i: int, names: dict[int, str]) -> str:
    """What a derivative node computes, e.g. "adjoint of v2 (x2)" (empty for plain nodes)."""
    if i not in graph.notes:
        return ""
    kind, ref, text = graph.notes[i]
    if ref is None:
        return f"{kind} of {text}"
    node = graph.nodes[ref]
    return f"{kind} of {names[ref]}" + (f" ({node.name})" if node.kind == INPUT else "")


def listing(graph: GraphIR) -> str:
    """The whole graph as text: a header, one line per input and operation, the outputs and guards.

    >>> import hybriddiff as hd
    >>> print(hd.trace(lambda x1, x2: hd.log(x1) + x1 * x2 - hd.sin(x2), 2.0, 5.0))
    Graph f(x1, x2): 5 operations
    v-1 = x1
    v0 = x2
    v1 = log(v-1)
    v2 = v-1 * v0
    v3 = v1 + v2
    v4 = sin(v0)
    v5 = v3 - v4
    return v5
    """
    names = operand_names(graph)
    rows = [i for i, node in enumerate(graph.nodes) if node.kind != CONST]
    lines = [f"Graph {graph.name}({', '.join(graph.input_names())}): {count(graph.n_ops, 'operation')}"]
    if len(rows) > HEAD + TAIL:
        lines += [node_line(graph, i, names) for i in rows[:HEAD]]
        lines.append(f"... {len(rows) - HEAD - TAIL} more lines ...")
        lines += [node_line(graph, i, names) for i in rows[-TAIL:]]
    else:
        lines += [node_line(graph, i, names) for i in rows]
    outs = ", ".join(names[o] for o in graph.outputs)
    lines.append(f"return {outs}" if graph.outputs else "return ()")
    for guard in graph.guards:
        lines.append(f"guard {names[guard.lhs]} {guard.op} {names[guard.rhs]} is {guard.outcome}")
    if graph.domains:
        lines.append(f"defined where {', '.join(names[d] for d in graph.domains)} "
                     f"{'is' if len(graph.domains) == 1 else 'are'} not nan")
    return "\n".join(lines)
