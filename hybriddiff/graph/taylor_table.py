"""The Taylor-mode trace table: every Wengert variable's Taylor coefficients c_0 .. c_n, one row each.

The inputs become truncated series x + t * direction and the graph is evaluated on them by the shared
primal sweep (``evaluate.node_values``): every operation goes through ``bind``, so each node's value
is the series Taylor mode itself computes for it, and a new primitive needs no code here. The rows
then read each node's coefficients in one loop over ``graph.nodes``, named and laid out as
``forward_table``'s (``v-1``, ``v0``, ..., constants inline, then one row per output).

The series type is given by the caller (``series``: ``hd.Taylor``): graph/ and ad/ are independent
rooms (ARCHITECTURE.md), so ``hd.taylor_table`` (``tables/taylor.py``, a room above both) binds it.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

import numpy as np

from ..core.dispatch import new_level
from ..display.format import format_value
from ..display.table import Table
from .evaluate import node_values
from .ir import INPUT, OP, GraphIR
from .textbook import dotted, output_names, rules_for, table_names
from .trace_tables import _flat, _prepare, _shown

MAX_ORDER = 12   # columns c0 .. c12: a table beyond that is no longer read (hd.taylor has no limit)


def check_order(order: Any) -> int:
    """``order`` as an int from 0 to ``MAX_ORDER``, else a ValueError saying what is allowed.

    >>> check_order(3), check_order(np.int64(0))
    (3, 0)
    """
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 0:
        raise ValueError(f"taylor_table: order must be a whole number from 0 to {MAX_ORDER}, got {order!r}")
    if order > MAX_ORDER:
        raise ValueError(f"taylor_table: order {order} would give {order + 1} coefficient columns; a table "
                         f"shows at most order {MAX_ORDER} (hd.taylor(f, x, {order}) gives every "
                         f"coefficient without a table)")
    return int(order)


def _direction(graph: GraphIR, direction: Any) -> list[Any]:
    """One slope per graph input: given as the point is (``forward_table``'s tangent), or 1 for a
    function of one number; several inputs need it given."""
    if direction is not None:
        return _flat(graph, direction, "taylor_table: the direction")
    names = graph.input_names()
    if len(names) == 1:
        return [1.0]
    scalars = all(size is None for size in graph.arg_sizes)
    example = tuple([1.0] + [0.0] * (len(names) - 1)) if scalars else None
    raise ValueError(f"taylor_table: {graph.name} has {len(names)} inputs ({', '.join(names)}); give "
                     f"direction= (shaped as the point{f', e.g. {example}' if example else ''}): the "
                     f"table follows t -> {graph.name}(x + t * direction)")


def _coefficients(value: Any, kind: type, order: int) -> list[Any]:
    """A node's c_0 .. c_n: a series' own, or a constant's value followed by zeros."""
    coefficients = value.coefficients if type(value) is kind else [value] + [0.0] * order
    return [c.item() if isinstance(c, np.generic) else float(c) if type(c) in (int, Fraction) else c
            for c in coefficients]


def taylor_table(f: Callable[..., Any] | GraphIR, x: Any, order: int = 3, direction: Any = None,
                 digits: int | None = 3, *, series: Callable[[list, int], Any]) -> Table:
    """The Taylor-mode trace of ``f`` at ``x`` along ``direction``: ``hd.taylor_table`` with the
    series type given (``series(coefficients, level)`` builds an input's series, its values have
    ``.coefficients``). The arguments are ``hd.taylor_table``'s, whose docstring has an example."""
    order = check_order(order)
    graph, values, where = _prepare(f, x, "taylor_table")
    slopes = _direction(graph, direction)
    level = new_level()
    leaves = [series([v, d] + [0.0] * (order - 1) if order else [v], level) for v, d in zip(values, slopes)]
    env = node_values(graph, leaves)   # each operation on series through bind: Taylor mode itself
    kind = type(leaves[0]) if leaves else type(None)
    names, nodes, cache = table_names(graph), graph.nodes, {}
    rows = []
    append, name_of = rows.append, names.__getitem__
    for i, node in enumerate(nodes):
        if node.kind == INPUT:
            append((names[i], node.name, *_coefficients(env[i], kind, order)))
        elif node.kind == OP:
            rules = cache.get(node.prim) or rules_for(cache, node.prim)
            expression = rules.expression.format(*map(name_of, node.args), names[i])
            append((names[i], expression, *_coefficients(env[i], kind, order)))
    for out_name, o in zip(output_names(graph), graph.outputs):
        rows.append((out_name, names[o], *_coefficients(env[o], kind, order)))
    seed_text = ", ".join(f"{dotted(nodes[i].name)} = {format_value(d)}" for i, d in zip(graph.inputs, slopes))
    columns = [f"c{k}" for k in range(order + 1)]
    footnote = (f"ck = v^(k)(0)/k!: the k-th Taylor coefficient of the row's variable v(t), with the "
                f"inputs at x + t·direction (Taylor mode); the derivatives along the direction are "
                f"k!·ck (c1 is forward mode's tangent); {_shown(digits)}.")
    return Table(("variable", "expression", *columns), rows, digits=digits, footnote=footnote,
                 title=f"Taylor-mode trace of {where}, order {order}; direction {seed_text}",
                 droppable=columns[:1:-1])   # a narrow terminal leaves out the highest orders first


__all__ = ["taylor_table", "check_order", "MAX_ORDER"]
