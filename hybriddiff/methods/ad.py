"""The two AD methods of the registry: ``forward`` (dual numbers) and ``reverse`` (a recorded graph).

First derivatives (and gradients, in the comparison) go through the eager modes; order n traces
once and differentiates the graph n times (hash-consing keeps it small), then evaluates.
"""
from __future__ import annotations

import dataclasses

from typing import Any, Callable

import numpy as np

from ..ad.operators import first_derivative, grad, jacobian, jvp
from ..display.format import ordinal
from ..graph.facade import Graph, trace
from .record import Method, Prepared, output_size


def _by_graph(f: Callable[[Any], Any], x: Any, order: int, mode: str) -> Any:
    """Order n: trace once, differentiate the graph n times (hash-consing keeps it small), evaluate."""
    graph = trace(f, x)
    for _ in range(order):
        graph = graph.derivative() if mode == "forward" else graph.grad()
    return graph(x)


def run_forward(f: Callable[[Any], Any], x: Any, order: int) -> Any:
    """``hd.derivative(f, x, method="forward", order=order)``."""
    return first_derivative(f, x, "forward") if order == 1 else _by_graph(f, x, order, "forward")


def run_reverse(f: Callable[[Any], Any], x: Any, order: int) -> Any:
    """``hd.derivative(f, x, method="reverse", order=order)``."""
    return first_derivative(f, x, "reverse") if order == 1 else _by_graph(f, x, order, "reverse")


def _traced(f: Callable[..., Any], x: Any) -> Graph | None:
    """f's graph for counting operations (None when f cannot be traced: then no count)."""
    try:
        return trace(f, x)
    except Exception:
        return None


def prepare_by_graph(f: Callable[..., Any], x: Any, order: int, mode: str) -> Prepared:
    """Order n as ``hd.derivative`` runs it: each call traces f, differentiates the graph n times
    and evaluates it (the count is of the last step: the n-th derivative graph's operations)."""
    g = _traced(f, x)
    ops = None
    if g is not None:
        for _ in range(order):
            g = g.derivative() if mode == "forward" else g.grad()
        ops = g.n_ops
    run = run_forward if mode == "forward" else run_reverse
    return Prepared(lambda: run(f, x, order), passes=2, ops=ops,
                    note=f"the {ordinal(order)} derivative graph ({mode} mode): hd.derivative's route")


def prepare_forward(f: Callable[..., Any], x: Any, order: int = 1) -> Prepared:
    """Textbook forward mode: one pass per input direction (``hd.grad(mode="forward")`` would push
    all directions through one pass as vector tangents, which hides the n in the cost). A vector
    f gives its Jacobian as ``hd.jacobian`` does: one row per output, one column per direction."""
    if order > 1:
        return prepare_by_graph(f, x, order, "forward")
    g = _traced(f, x)
    n = int(np.size(x))
    ops = g.jvp().n_ops * n if g is not None else None
    if not isinstance(x, np.ndarray):
        if output_size(f, x, g) is None:   # what hd.derivative(f, x, method="forward") runs
            return Prepared(lambda: run_forward(f, x, 1), passes=1, ops=ops,
                            note="timed as hd.derivative(method='forward') runs it")
        return Prepared(lambda: jvp(f, (x,), (1.0,))[1], passes=1, ops=ops)
    basis = list(np.eye(n))

    def columns() -> np.ndarray:
        return np.stack([np.asarray(jvp(f, (x,), (e,))[1], dtype=float) for e in basis], axis=-1)
    return Prepared(columns, passes=n, ops=ops, note=f"{n} pass{'es' if n != 1 else ''}, one per input direction")


def _sweeps_ops(g: Any) -> int:
    """The operations of one reverse sweep per output: each output's gradient graph (f's part that
    output needs included), as ``hd.jacobian(mode="reverse")`` sweeps them one by one."""
    total = 0
    for o in g.outputs:
        one = dataclasses.replace(g, outputs=[o], out_sizes=[None], out_container="scalar", _intern=None)
        total += one.prune().grad().n_ops
    return total


def prepare_reverse(f: Callable[..., Any], x: Any, order: int = 1) -> Prepared:
    """One recording pass and one backward sweep (per output, for a vector f: ``hd.jacobian``)."""
    if order > 1:
        return prepare_by_graph(f, x, order, "reverse")
    g = _traced(f, x)
    m = output_size(f, x, g)
    if m is None:
        ops = g.grad().n_ops if g is not None else None
        if not isinstance(x, np.ndarray):   # what hd.derivative(f, x, method="reverse") runs
            return Prepared(lambda: run_reverse(f, x, 1), passes=2, ops=ops,
                            note="one recording pass and one backward sweep, timed as hd.derivative runs it")
        return Prepared(lambda: grad(f, mode="reverse")(x), passes=2, ops=ops,
                        note="one recording pass and one backward sweep (hd.grad)")
    ops = _sweeps_ops(g) if g is not None else None
    jac = jacobian(f, mode="reverse")
    return Prepared(lambda: jac(x), passes=1 + m, ops=ops,
                    note=f"one recording pass and {m} backward sweeps, one per output")


FORWARD = Method("forward", run_forward, prepare_forward, family="AD",
                 summary="dual numbers: value and tangent together, one pass per direction")
REVERSE = Method("reverse", run_reverse, prepare_reverse, family="AD",
                 summary="a recorded graph swept backwards from dy/dy = 1: the gradient in one sweep")

__all__ = ["FORWARD", "REVERSE", "run_forward", "run_reverse", "prepare_forward", "prepare_reverse"]
