"""Printing a graph as one nested infix expression, in the expression language's own spelling.

``expression_text(graph)`` is the text ``hybriddiff.parse.parse_expression`` reads back to the
same graph: ``exp(x**2 - x)/x``, with the fewest parentheses that keep the tree (the rules are the
printer's style "language", ``core/printer.py``). Constants print exactly: ints as ints, floats by
``repr``, fractions as ``1/3`` (parenthesised where the tree needs it), named constants by name.
A shared node prints once per use.

One loop over the nodes in order gives each node its text as a template over its arguments' texts
(pieces of text and argument nodes); the result is spelled out at the end with an explicit stack.
Nothing recurses, and a long chain (``x + x + ... + x``) costs its length, not its length squared.
"""
from __future__ import annotations

import re

from ..core.printer import ATOM, Printed, as_printed, render
from .ir import CONST, INPUT, GraphIR

_SLOT = re.compile("\x00([0-9]+)\x00")   # an argument's place in a rendered template


def expression_text(graph: GraphIR, output: int = 0, limit: int | None = None) -> str:
    """The graph's ``output`` (its number among the outputs) as one expression.

    ``limit``: raise ``ValueError`` instead when the text would be longer (shared nodes print once
    per use, so a small graph can stand for a very long expression).

    >>> import hybriddiff as hd
    >>> expression_text(hd.trace(lambda x: hd.exp(x * x - x) / x, 2.0))
    'exp(x*x - x)/x'
    >>> expression_text(hd.trace(lambda x, y: (x - y) ** 2 / 3 - (x - (y - 1)), 1.0, 2.0))
    '(x - y)**2/3 - (x - (y - 1))'
    """
    parts: list[tuple] = []      # node -> its text: pieces of text (str) and argument nodes (int)
    precedence: list[int] = []
    length: list[int] = []       # the length of each node's whole text (ints: never built)
    for node in graph.nodes:
        if node.kind is INPUT or (node.kind is CONST and node.name):
            printed = Printed(node.name, "language", ATOM)
            pieces: tuple = (printed.text,)
        elif node.kind is CONST:
            printed = as_printed(node.const, "language")
            pieces = (printed.text,)
        else:
            slots = [Printed(f"\x00{k}\x00", "language", precedence[a]) for k, a in enumerate(node.args)]
            printed = render(node.prim, slots, "language")
            split = _SLOT.split(printed.text)   # text, slot, text, slot, ..., text
            pieces = tuple(node.args[int(piece)] if k % 2 else piece
                           for k, piece in enumerate(split) if k % 2 or piece)
        parts.append(pieces)
        precedence.append(printed.precedence)
        length.append(sum(len(p) if type(p) is str else length[p] for p in pieces))
    root = graph.outputs[output]
    if limit is not None and length[root] > limit:
        raise ValueError(f"the expression would be {length[root]} characters long (the limit is {limit})")
    out: list[str] = []
    stack: list = [root]
    while stack:
        item = stack.pop()
        if type(item) is str:
            out.append(item)
        else:
            stack.extend(reversed(parts[item]))
    return "".join(out)


__all__ = ["expression_text"]
