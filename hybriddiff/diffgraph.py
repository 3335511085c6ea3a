"""Derivatives as graphs: the forward and reverse interpreters, emitting nodes instead of numbers.

Both copy the primal into a new graph by running its nodes on symbolic tracers, then apply the
table's partials, which are themselves written with hybriddiff's functions and so become nodes.
The result is a ``Graph`` like any other: evaluate it, print it, compile it, or differentiate again.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from .core import new_level, partials_at
from .errors import DifferentiationError
from .tracing import Tracer

if TYPE_CHECKING:  # pragma: no cover
    from .graph import Graph


def _copy_node(new: "Graph", node: Any, env: list, level: int) -> Any:
    """The primal node re-emitted in ``new`` (exact constants stay constants)."""
    args = [env[a] for a in node.args]
    if any(type(a) is Tracer for a in args):
        return node.prim(*args)
    return Tracer(new, new.emit(node.prim, [new.const(a) for a in args]), None, level)


def _start(graph: "Graph") -> tuple["Graph", list, int]:
    new = graph.like()
    new.guards = list(graph.guards)  # indices fixed below, once the copies exist
    return new, [None] * len(graph.nodes), new_level()


def _finish(graph: "Graph", new: "Graph", env: list, outputs: list) -> "Graph":
    index = {}
    for i, value in enumerate(env):
        if type(value) is Tracer:
            index[i] = value.index
        elif value is not None:
            index[i] = new.const(value)
    from .graph import Guard
    new.guards = [Guard(index[g.lhs], g.op, index[g.rhs], g.outcome) for g in graph.guards]
    new.outputs = [o.index if type(o) is Tracer else new.const(o) for o in outputs]
    return new.prune()


def _wrt_inputs(graph: "Graph", wrt: int | Sequence[int] | None) -> tuple[list[int], list[int | None], bool]:
    """The argument numbers asked for, their sizes, and whether one was asked for (not a tuple)."""
    n = len(graph.arg_sizes)
    single = wrt is None and n == 1 or isinstance(wrt, int)
    nums = list(range(n)) if wrt is None else ([wrt] if isinstance(wrt, int) else list(wrt))
    for a in nums:
        if not isinstance(a, int) or not -n <= a < n:
            raise ValueError(f"wrt={wrt!r}: {graph.name} has {n} argument(s) ({', '.join(graph.arg_names)})")
    return [a % n for a in nums], [graph.arg_sizes[a % n] for a in nums], single


def _input_groups(graph: "Graph") -> list[list[int]]:
    """The input node indices of each argument."""
    groups, k = [], 0
    for size in graph.arg_sizes:
        count = 1 if size is None else size
        groups.append(graph.inputs[k:k + count])
        k += count
    return groups


def grad_graph(graph: "Graph", wrt: int | Sequence[int] | None = None) -> "Graph":
    """The reverse sweep as a graph: adjoints ``x_bar += partial * out_bar`` from ``y_bar = 1``.

    >>> import hybriddiff as hd
    >>> g = hd.trace(lambda x1, x2: hd.log(x1) + x1 * x2 - hd.sin(x2), 2.0, 5.0).grad()
    >>> [round(v, 12) for v in g(2.0, 5.0)]
    [5.5, 1.716337814537]
    """
    if len(graph.outputs) != 1:
        raise DifferentiationError(f"grad needs a function with one output; {graph.name} has "
                                   f"{len(graph.outputs)} (use derivative() or hd.jacobian)")
    nums, sizes, single = _wrt_inputs(graph, wrt)
    new, env, level = _start(graph)
    for i, node in enumerate(graph.nodes):  # the primal, copied
        if node.kind == "input":
            env[i] = Tracer(new, new.add_input(node.name), None, level)
        elif node.kind == "const":
            env[i] = node.const
        else:
            env[i] = _copy_node(new, node, env, level)
    bars: list[Any] = [None] * len(graph.nodes)
    bars[graph.outputs[0]] = 1
    names = graph.wengert_names()
    labels = {i: graph.nodes[i].name or names[i] for i in range(len(graph.nodes)) if i in names}
    for i in range(len(graph.nodes) - 1, -1, -1):  # the adjoints, from dy/dy = 1
        out_bar, node = bars[i], graph.nodes[i]
        if out_bar is None or node.kind != "op":
            continue
        primals = [env[a] for a in node.args]
        for k, a in enumerate(node.args):
            if type(env[a]) is not Tracer:
                continue
            term = partials_at(node.prim, k, primals, env[i]) * out_bar
            bars[a] = term if bars[a] is None else bars[a] + term
            if type(bars[a]) is Tracer and type(env[a]) is Tracer:
                new.notes[bars[a].index] = ("adjoint", env[a].index, labels[a])
    groups = _input_groups(graph)
    outputs = [bars[i] if bars[i] is not None else 0 for a in nums for i in groups[a]]
    new.out_sizes = sizes
    new.out_container = ("array" if sizes[0] is not None else "scalar") if single else "tuple"
    new.name = f"grad_{graph.name}"
    return _finish(graph, new, env, outputs)


def _primal_inputs(graph: "Graph", new: "Graph", level: int) -> dict[int, Tracer]:
    return {i: Tracer(new, new.add_input(graph.nodes[i].name), None, level) for i in graph.inputs}


def _forward(graph: "Graph", inputs: dict[int, Tracer], seeds: dict[int, Any]) -> tuple[list, list]:
    """One forward loop: primal copies in ``env``, tangents ``out_dot = sum(partial * arg_dot)``."""
    env: list[Any] = [None] * len(graph.nodes)
    dots: list[Any] = [None] * len(graph.nodes)
    for i, node in enumerate(graph.nodes):
        if node.kind == "input":
            env[i], dots[i] = inputs[i], seeds.get(i)
        elif node.kind == "const":
            env[i] = node.const
        else:
            tracer = next(iter(inputs.values()))
            env[i] = _copy_node(tracer.graph, node, env, tracer._level)
            primals = [env[a] for a in node.args]
            for k, a in enumerate(node.args):
                if dots[a] is not None:
                    term = partials_at(node.prim, k, primals, env[i]) * dots[a]
                    dots[i] = term if dots[i] is None else dots[i] + term
    return env, dots


def derivative_graph(graph: "Graph", wrt: int = 0) -> "Graph":
    """d outputs / d argument ``wrt`` (forward mode); for an array argument, one column per entry.

    >>> import hybriddiff as hd
    >>> d4 = hd.trace(hd.sin, 0.5).derivative().derivative().derivative().derivative()
    >>> round(d4(0.5), 12)
    0.479425538604
    """
    nums, sizes, _ = _wrt_inputs(graph, wrt)
    if not graph.inputs:
        raise DifferentiationError(f"{graph.name} has no inputs to differentiate with respect to")
    new, _, level = _start(graph)
    inputs = _primal_inputs(graph, new, level)
    per_column = []
    for column in _input_groups(graph)[nums[0]]:  # one forward pass per entry of the argument
        env, dots = _forward(graph, inputs, {column: 1})
        per_column.append([dots[o] if dots[o] is not None else 0 for o in graph.outputs])
    if sizes[0] is None:
        outputs = per_column[0]
    else:
        outputs = [row[k] for k in range(len(graph.outputs)) for row in per_column]
        new.out_sizes = [len(per_column)] * len(graph.outputs)
        new.out_container = "array" if graph.out_container == "scalar" else "tuple"
    new.name = f"d_{graph.name}"
    return _finish(graph, new, env, outputs)


def jvp_graph(graph: "Graph") -> "Graph":
    """The forward tangent as a graph: inputs ``x..., x_dot...``, outputs the output tangents.

    >>> import hybriddiff as hd
    >>> hd.trace(lambda x1, x2: x1 * x2, 2.0, 3.0).jvp()(2.0, 3.0, 1.0, 0.0)
    3.0
    """
    new, _, level = _start(graph)
    inputs = _primal_inputs(graph, new, level)
    seeds = {i: Tracer(new, new.add_input(f"{graph.nodes[i].name}_dot"), None, level) for i in graph.inputs}
    env, dots = _forward(graph, inputs, seeds)
    new.arg_names = list(graph.arg_names) + [f"{n}_dot" for n in graph.arg_names]
    new.arg_sizes = list(graph.arg_sizes) * 2
    new.name = f"jvp_{graph.name}"
    return _finish(graph, new, env, [dots[o] if dots[o] is not None else 0 for o in graph.outputs])
