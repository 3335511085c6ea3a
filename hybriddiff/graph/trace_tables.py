"""Textbook trace tables: the primal, forward (tangent) and reverse (adjoint) traces of a graph.

The layout is that of Baydin, Pearlmutter, Radul and Siskind (2018), "Automatic differentiation in
machine learning: a survey", Tables 2 and 3: one row per Wengert variable (``v1 = ln v-1 = 0.693``),
constants shown inline. Every rule printed here is the primitive table's own partials, printed on
named placeholders (``printer``), so the tables show exactly the rules the library runs; the values
come from the same partials, evaluated with ``core.partials_at``.

Like every interpreter this module walks ``graph.nodes`` in one flat loop (forward) or one reversed
loop (adjoints), so a graph of a million nodes builds its table without recursion.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

import numpy as np

from ..core.dispatch import partials_at
from ..core.record import Primitive
from ..display.format import format_value
from ..display.table import Table
from .arguments import flatten_args
from .evaluate import evaluate, node_values
from .ir import CONST, INPUT, OP, GraphIR
from .textbook import (PARTIAL, Rules, barred, dotted, join_terms, output_names, rules_for,
                       table_names, tidy)
from .tracing import record


__all__ = ["primal_table", "forward_table", "reverse_table", "dotted", "barred", "Table"]


# ---------------------------------------------------------------- points and values
def _number(value: Any, what: str) -> Any:
    if isinstance(value, (np.ndarray, np.generic)):
        if np.ndim(value) != 0:
            raise TypeError(f"{what}: a trace table is for one point; got an array of shape "
                            f"{np.shape(value)} where a number was expected")
        value = value.item()
    if isinstance(value, bool) or not (isinstance(value, (int, float, complex, Fraction))
                                       or (type(value).__module__ or "").startswith("mpmath")):
        raise TypeError(f"{what}: expected a number, got a {type(value).__name__}")
    return float(value) if isinstance(value, (int, Fraction)) else value


def _flat(graph: GraphIR, x: Any, what: str) -> list[Any]:
    """One number per graph input from a point given as for ``forward_table`` (arrays spread out)."""
    args = tuple(x) if isinstance(x, (tuple, list)) else (x,)
    try:
        flat = flatten_args(graph, args)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{what}: {exc}") from None
    return [_number(v, what) for v in flat]   # (its messages start with ``what`` already)


def _prepare(f: Any, x: Any, where: str) -> tuple[GraphIR, list[Any], str]:
    """The graph (traced here unless ``f`` is one), its input values and a title's "f(x) at x = 2"."""
    args = tuple(x) if isinstance(x, (tuple, list)) else (x,)
    graph = f if isinstance(f, GraphIR) else record(f, args)
    values = _flat(graph, args, where)
    if graph.guards and graph is f:   # away from its trace point: TraceGuardError where
        evaluate(graph, args)         # a recorded branch would go the other way
    point, k = [], 0
    for name, size in zip(graph.arg_names, graph.arg_sizes):
        if size is None:
            point.append(f"{name} = {format_value(values[k])}")
        else:
            point.append(f"{name} = [{', '.join(format_value(v) for v in values[k:k + size])}]")
        k += 1 if size is None else size
    return graph, values, f"{graph.name}({', '.join(graph.arg_names)}) at {', '.join(point)}"


def _primal_rows(graph: GraphIR, names: list[str], env: list[Any],
                 cache: dict[Primitive, Rules]) -> list[tuple[str, str, Any]]:
    rows: list[tuple[str, str, Any]] = []
    rows_append, name_of = rows.append, names.__getitem__
    expressions: dict[Primitive, str] = {}
    for i, node in enumerate(graph.nodes):
        kind = node.kind
        if kind == OP:
            fmt = expressions.get(node.prim)
            if fmt is None:
                fmt = expressions[node.prim] = rules_for(cache, node.prim).expression
            rows_append((names[i], fmt.format(*map(name_of, node.args)), env[i]))
        elif kind == INPUT:
            rows_append((names[i], node.name, env[i]))
    for out_name, o in zip(output_names(graph), graph.outputs):
        rows.append((out_name, names[o], env[o]))
    return rows


# ---------------------------------------------------------------- the tables
def primal_table(graph: GraphIR, *args: Any) -> Table:
    """The forward primal trace of ``graph`` at ``args`` (Baydin et al. 2018, Table 2, left).

    One row per input and operation (``v1 = ln v-1 = 0.693``), then one per output (``y = v5``);
    constants appear inline in the expressions.

    >>> import hybriddiff as hd
    >>> g = hd.trace(lambda x1, x2: hd.log(x1) + x1 * x2 - hd.sin(x2), 2.0, 5.0)
    >>> print(primal_table(g, 2.0, 5.0))
    Forward primal trace of f(x1, x2) at x1 = 2, x2 = 5
    variable  expression  value
    --------  ----------  ------
    v-1       x1          2
    v0        x2          5
    v1        ln v-1      0.693
    v2        v-1 × v0    10
    v3        v1 + v2     10.693
    v4        sin v0      -0.959
    v5        v3 - v4     11.652
    y         v5          11.652
    """
    graph, values, where = _prepare(graph, args, "primal_table")
    rows = _primal_rows(graph, table_names(graph), node_values(graph, values), {})
    return Table(("variable", "expression", "value"), rows, title=f"Forward primal trace of {where}")


def forward_table(f: Callable[..., Any] | GraphIR, x: Any, tangent: Any = None, digits: int | None = 3) -> Table:
    """The forward-mode trace of ``f`` at ``x`` along ``tangent`` (Baydin et al. 2018, Table 2).

    ``x`` is a number, or a tuple/list with one entry per argument (numbers or 1-D arrays);
    ``tangent`` has the same shape (default: 1 for the first input, 0 for the others). ``f`` may
    be a traced ``Graph``. Each row shows a variable, its primal expression and value, then its
    tangent, the tangent rule (the primitive's partials times the operands' tangents) and value.
    ``digits``: significant digits shown (None: full precision; the table's data is always full).

    >>> import hybriddiff as hd
    >>> t = forward_table(lambda x1, x2: hd.log(x1) + x1 * x2 - hd.sin(x2), (2.0, 5.0), (1.0, 0.0))
    >>> for variable, expression, value, tangent, rule, tangent_value in t.rows[2:7]:
    ...     print(f"{tangent} = {rule} = {tangent_value}")
    v̇1 = v̇-1 / v-1 = 0.5
    v̇2 = v̇-1 × v0 + v̇0 × v-1 = 5.0
    v̇3 = v̇1 + v̇2 = 5.5
    v̇4 = v̇0 × cos v0 = 0.0
    v̇5 = v̇3 - v̇4 = 5.5
    >>> t.rows[-1][3:]
    ('ẏ', 'v̇5', 5.5)
    """
    graph, values, where = _prepare(f, x, "forward_table")
    # default seed: d/d(first input), as Baydin's ẋ1 = 1, ẋ2 = 0
    seed = ([1.0] + [0.0] * (len(values) - 1) if tangent is None
            else _flat(graph, tangent, "forward_table: the tangent"))
    env = node_values(graph, values)
    names, nodes, cache = table_names(graph), graph.nodes, {}
    dot = [dotted(n) for n in names]
    tan: list[Any] = [None] * len(nodes)
    rows = []
    position = {index: k for k, index in enumerate(graph.inputs)}
    append, name_of, env_of = rows.append, names.__getitem__, env.__getitem__
    for i, node in enumerate(nodes):
        kind = node.kind
        if kind == INPUT:
            tan[i] = seed[position[i]]
            append((names[i], node.name, env[i], dot[i], dotted(node.name), tan[i]))
        elif kind == OP:
            prim, args, out = node.prim, node.args, env[i]
            rules = cache.get(prim) or rules_for(cache, prim)
            operands = [*map(name_of, args), names[i]]
            primals = [*map(env_of, args)]
            terms, total = [], None
            for k, a in enumerate(args):
                fmt = rules.forward[k]
                if fmt is None or tan[a] is None:       # a zero partial, or a constant operand
                    continue
                terms.append(tidy(fmt.format(*operands, dot[a])))
                term = partials_at(prim, k, primals, out) * tan[a]
                total = term if total is None else total + term
            tan[i] = 0.0 if total is None else total
            rule = terms[0] if len(terms) == 1 else join_terms(terms)
            append((names[i], rules.expression.format(*operands), out, dot[i], rule, tan[i]))
    for out_name, o in zip(output_names(graph), graph.outputs):
        is_const = nodes[o].kind == CONST
        rows.append((out_name, names[o], env[o], dotted(out_name), "0" if is_const else dot[o],
                     0.0 if is_const else tan[o]))
    seed_text = ", ".join(f"{dotted(nodes[i].name)} = {format_value(t)}"
                          for i, t in zip(graph.inputs, seed))
    return Table(("variable", "primal expression", "primal value", "tangent", "tangent rule",
                  "tangent value"), rows, title=f"Forward-mode trace of {where}; tangent {seed_text}",
                 footnote=_footnote(2, digits), digits=digits)


def _shown(digits: int | None) -> str:
    return ("values in full" if digits is None else
            f"values rounded to {digits} significant digits for display (digits=None shows them in full)")


def _footnote(table: int, digits: int | None) -> str:
    return f"Layout of Baydin et al. (2018), Table {table}; {_shown(digits)}."


def _cotangents(graph: GraphIR, cotangent: Any) -> list[Any]:
    m = len(graph.outputs)
    if cotangent is None and m != 1:
        raise ValueError(f"reverse_table: {graph.name} has {m} outputs; give cotangent= "
                         f"(one weight per output, e.g. {tuple([1.0] + [0.0] * (m - 1))})")
    flat = [1.0] if cotangent is None else [_number(c, "reverse_table cotangent")
                                            for c in np.ravel(np.asarray(cotangent))]
    if len(flat) != m:
        raise ValueError(f"reverse_table: the cotangent has {len(flat)} entries, {graph.name} has "
                         f"{m} outputs")
    return flat


def reverse_table(f: Callable[..., Any] | GraphIR, x: Any, cotangent: Any = None,
                  digits: int | None = 3) -> Table:
    """The reverse-mode trace of ``f`` at ``x`` (Baydin et al. 2018, Table 3).

    First the forward primal trace, then the adjoint trace in reverse: ``v̄5 = ȳ = 1``, one row per
    (operation, argument) pair, ``v̄4 = v̄5 ∂v5/∂v4 = v̄5 × (-1)``, a later contribution to the same
    adjoint as ``v̄0 = v̄0 + v̄2 ∂v2/∂v0 = ...``, and last the gradient rows ``x̄1 = v̄-1``.
    ``x`` is as for ``forward_table``; ``cotangent`` weighs several outputs (default: ȳ = 1).
    Operations no output depends on get no adjoint rows.

    >>> import hybriddiff as hd
    >>> t = reverse_table(lambda x1, x2: hd.log(x1) + x1 * x2 - hd.sin(x2), (2.0, 5.0))
    >>> t.rows[-2:]
    [('x̄1', 'v̄-1', 5.5), ('x̄2', 'v̄0', 1.7163378145367738)]
    >>> t.rows[9][1]
    'v̄5 ∂v5/∂v4 = v̄5 × (-1)'
    """
    graph, values, where = _prepare(f, x, "reverse_table")
    cot = _cotangents(graph, cotangent)
    env = node_values(graph, values)
    names, nodes, cache = table_names(graph), graph.nodes, {}
    rows: list[tuple[str, str, Any]] = _primal_rows(graph, names, env, cache)
    start = len(rows)
    bar = [None if node.kind == CONST else barred(name) for node, name in zip(nodes, names)]
    adj: list[Any] = [None] * len(nodes)
    for out_name, o, c in zip(output_names(graph), graph.outputs, cot):
        if nodes[o].kind == CONST:
            continue
        if adj[o] is None:
            adj[o], rule = c, barred(out_name)
        else:
            adj[o], rule = adj[o] + c, f"{bar[o]} + {barred(out_name)}"
        rows.append((bar[o], rule, adj[o]))
    append, name_of, env_of = rows.append, names.__getitem__, env.__getitem__
    for i in reversed(range(len(nodes))):
        node = nodes[i]
        if adj[i] is None or node.kind != OP:
            continue
        prim, args, out, bar_i = node.prim, node.args, env[i], bar[i]
        rules = cache.get(prim) or rules_for(cache, prim)
        operands = [*map(name_of, args), names[i], bar_i]
        primals = [*map(env_of, args)]
        for k in range(len(args) - 1, -1, -1):
            a = args[k]
            fmt = rules.reverse[k]
            if fmt is None or bar[a] is None:           # a zero partial, or a constant operand
                continue
            step = adj[i] * partials_at(prim, k, primals, out)
            symbolic = f"{bar_i} {PARTIAL}{names[i]}/{PARTIAL}{names[a]}"
            if adj[a] is None:
                adj[a], rule = step, f"{symbolic} = {tidy(fmt.format(*operands))}"
            else:
                adj[a] = adj[a] + step
                rule = f"{bar[a]} + {symbolic} = {bar[a]} + {tidy(fmt.format(*operands))}"
            append((bar[a], rule, adj[a]))
    for i in graph.inputs:
        rows.append((barred(nodes[i].name), bar[i] if adj[i] is not None else "0",
                     adj[i] if adj[i] is not None else 0.0))
    return Table(("variable", "rule", "value"), rows, title=f"Reverse-mode trace of {where}",
                 sections=[(0, "forward primal trace"), (start, "reverse adjoint trace")],
                 footnote=_footnote(3, digits), digits=digits)
