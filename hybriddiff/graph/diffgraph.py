"""Derivatives as graphs: the forward and reverse interpreters, emitting nodes instead of numbers.

Both copy the primal into a new graph node by node, then apply the table's partials. The partials
are compiled once per primitive into "emitters" (``printer`` style "emit": code appending the rule's
nodes to a graph), so building a derivative graph works on node indices only. The result is a
``Graph`` like any other: evaluate it, print it, compile it, or differentiate it again.
"""
from __future__ import annotations

import functools
from fractions import Fraction
from typing import Any, Callable, Sequence

from ..core import primitives as P
from ..core.dispatch import gc_paused
from ..core.printer import partial_texts
from ..core.record import Primitive
from ..errors import DifferentiationError
from .ir import CONST, INPUT, OP, GraphIR, Guard


_NAMES = ("x", "y", "z", "w")


@functools.lru_cache(maxsize=None)
def emitters(prim: Primitive) -> tuple[Callable[..., int], ...]:
    """For each argument: ``emit(E, C, *arg_nodes, out_node) -> node of d out / d arg``."""
    names = list(_NAMES[:prim.arity])
    made = []
    for k, text in enumerate(partial_texts(prim, names, "out", "emit")):
        code = f"def partial_{k}(E, C, {', '.join(names)}, out):\n    return {text}\n"
        namespace: dict[str, Any] = {"P": P, "Fraction": Fraction}
        exec(compile(code, f"<hybriddiff emitter: {prim.name}>", "exec"), namespace)  # our own table
        made.append(namespace[f"partial_{k}"])
    return tuple(made)


def _paused(build: Callable[..., Any]) -> Callable[..., Any]:
    """Build with the garbage collector paused (see ``core.dispatch.gc_paused``)."""
    @functools.wraps(build)
    def run(*args: Any, **kwargs: Any) -> Any:
        with gc_paused():
            return build(*args, **kwargs)
    return run


def _copy_primal(graph: GraphIR, new: GraphIR) -> tuple[list[int], list[bool]]:
    """Each node re-emitted in ``new`` (env: its new index) and whether it depends on an input."""
    env: list[int] = [0] * len(graph.nodes)
    live: list[bool] = [False] * len(graph.nodes)
    emit = new.emit
    for i, node in enumerate(graph.nodes):
        if node.kind == INPUT:
            env[i], live[i] = new.add_input(node.name), True
        elif node.kind == CONST:
            env[i] = new.const(node.const)
        else:
            env[i] = emit(node.prim, [env[a] for a in node.args])
            live[i] = any(live[a] for a in node.args)
    return env, live


def _finish(graph: GraphIR, new: GraphIR, env: list[int], outputs: list[int], name: str) -> GraphIR:
    """Guards carry over; f's outputs (and f's own domain) become the derivative's domain: where f
    is nan, f has no derivative, whatever a simplified formula would give there."""
    new.guards = [Guard(env[g.lhs], g.op, env[g.rhs], g.outcome) for g in graph.guards]
    # f's own outputs, through every order of derivative; not needed where f is made of total
    # primitives only (a polynomial, sin, exp...): f is then defined wherever its arguments are
    partial = any(node.kind == OP and not node.prim.total for node in graph.nodes)
    primal = graph.domains or (graph.outputs if partial else [])
    new.domains = list(dict.fromkeys(env[i] for i in primal if graph.nodes[i].kind != CONST))
    new.outputs = outputs
    new.name = name
    return new.prune()


def _wrt_inputs(graph: GraphIR, wrt: int | Sequence[int] | None) -> tuple[list[int], list[int | None], bool]:
    """The argument numbers asked for, their sizes, and whether one was asked for (not a tuple)."""
    n = len(graph.arg_sizes)
    single = (wrt is None and n == 1) or isinstance(wrt, int)
    nums = list(range(n)) if wrt is None else ([wrt] if isinstance(wrt, int) else list(wrt))
    for a in nums:
        if not isinstance(a, int) or not -n <= a < n:
            raise ValueError(f"wrt={wrt!r}: {graph.name} has {n} argument(s) ({', '.join(graph.arg_names)})")
    return [a % n for a in nums], [graph.arg_sizes[a % n] for a in nums], single


def _input_groups(graph: GraphIR) -> list[list[int]]:
    """The input node indices of each argument."""
    groups, k = [], 0
    for size in graph.arg_sizes:
        count = 1 if size is None else size
        groups.append(graph.inputs[k:k + count])
        k += count
    return groups


def _partials_by_argument(node: Any, args: list[int], out: int, live: list[bool],
                          E: Callable, C: Callable) -> list[tuple[int, int]]:
    """(argument, node of d out / d argument) for each live argument; an argument used twice
    (``x * x``) gets the sum of its partials, so its adjoint needs one product, not two."""
    found: dict[int, int] = {}
    for a, partial in zip(node.args, emitters(node.prim)):
        if live[a]:
            d = partial(E, C, *args, out)
            found[a] = E(P.add, (found[a], d)) if a in found else d
    return list(found.items())


@_paused
def grad_graph(graph: GraphIR, wrt: int | Sequence[int] | None = None) -> GraphIR:
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
    new = graph.like()
    env, live = _copy_primal(graph, new)
    E, C = new.emit, new.const
    mul, add = P.mul, P.add
    labels = {i: graph.nodes[i].name for i in graph.inputs}
    bars: list[int | None] = [None] * len(graph.nodes)
    bars[graph.outputs[0]] = C(1)
    for i in range(len(graph.nodes) - 1, -1, -1):  # from dy/dy = 1, each node once
        out_bar, node = bars[i], graph.nodes[i]
        if out_bar is None or node.kind != OP:
            continue
        args = [env[a] for a in node.args]
        for a, d in _partials_by_argument(node, args, env[i], live, E, C):
            before = len(new.nodes)
            term = E(mul, (d, out_bar))
            bars[a] = term if bars[a] is None else E(add, (bars[a], term))
            if bars[a] >= before:  # a new node (not a primal one it happens to equal)
                new.notes[bars[a]] = ("adjoint", env[a], labels.get(a, f"v{a}"))
    groups = _input_groups(graph)
    outputs = [bars[i] if bars[i] is not None else C(0) for a in nums for i in groups[a]]
    new.out_sizes = sizes
    new.out_container = ("array" if sizes[0] is not None else "scalar") if single else "tuple"
    return _finish(graph, new, env, outputs, f"grad_{graph.name}")


def _tangents(graph: GraphIR, new: GraphIR, env: list[int], live: list[bool],
              seeds: dict[int, int]) -> list[int | None]:
    """One forward loop: ``out_dot = sum(partial * arg_dot)`` (None: a zero tangent)."""
    E, C = new.emit, new.const
    dots: list[int | None] = [None] * len(graph.nodes)
    for i, node in enumerate(graph.nodes):
        if node.kind == INPUT:
            dots[i] = seeds.get(i)
        elif node.kind == OP and live[i]:
            args = [env[a] for a in node.args]
            for a, partial in zip(node.args, emitters(node.prim)):
                if dots[a] is not None:
                    term = E(P.mul, (partial(E, C, *args, env[i]), dots[a]))
                    dots[i] = term if dots[i] is None else E(P.add, (dots[i], term))
    return dots


@_paused
def derivative_graph(graph: GraphIR, wrt: int = 0) -> GraphIR:
    """d outputs / d argument ``wrt`` (forward mode); for an array argument, one column per entry.

    >>> import hybriddiff as hd
    >>> d4 = hd.trace(hd.sin, 0.5).derivative().derivative().derivative().derivative()
    >>> round(d4(0.5), 12)
    0.479425538604
    """
    nums, sizes, _ = _wrt_inputs(graph, wrt)
    new = graph.like()
    env, live = _copy_primal(graph, new)
    one, zero = new.const(1), new.const(0)
    per_column = []
    for column in _input_groups(graph)[nums[0]]:  # one forward pass per entry of the argument
        dots = _tangents(graph, new, env, live, {column: one})
        per_column.append([dots[o] if dots[o] is not None else zero for o in graph.outputs])
    if sizes[0] is None:
        outputs = per_column[0]
    else:
        outputs = [row[k] for k in range(len(graph.outputs)) for row in per_column]
        new.out_sizes = [len(per_column)] * len(graph.outputs)
        new.out_container = "array" if graph.out_container == "scalar" else "tuple"
    return _finish(graph, new, env, outputs, f"d_{graph.name}")


@_paused
def jvp_graph(graph: GraphIR) -> GraphIR:
    """The forward tangent as a graph: inputs ``x..., x_dot...``, outputs the output tangents.

    >>> import hybriddiff as hd
    >>> hd.trace(lambda x1, x2: x1 * x2, 2.0, 3.0).jvp()(2.0, 3.0, 1.0, 0.0)
    3.0
    """
    new = graph.like()
    env, live = _copy_primal(graph, new)
    seeds = {i: new.add_input(f"{graph.nodes[i].name}_dot") for i in graph.inputs}
    dots = _tangents(graph, new, env, live, seeds)
    new.arg_names = list(graph.arg_names) + [f"{n}_dot" for n in graph.arg_names]
    new.arg_sizes = list(graph.arg_sizes) * 2
    outputs = [dots[o] if dots[o] is not None else new.const(0) for o in graph.outputs]
    return _finish(graph, new, env, outputs, f"jvp_{graph.name}")
