"""How the comparison runs each method: set-up once (timed apart), then a call to time.

``prepare(method, f, x)`` returns a ``Prepared``: the call that computes one derivative (or
gradient), and what one call costs in passes (sweeps or evaluations of f) and operations.
Every method of ``hd.METHODS`` has an entry; a new method registers one with ``register_preparer``.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .graph import Graph
from .operators import grad, jvp
from .tracing import trace


@dataclass
class Prepared:
    """A method made ready: ``call()`` gives the derivative; the rest describes one call."""

    call: Callable[[], Any]
    passes: int | None = None       # sweeps through f (AD) or evaluations of f (FD)
    ops: int | None = None          # arithmetic operations one call executes (estimated from graphs)
    setup: float | None = None      # seconds spent once (tracing, SymPy, compiling); None: measured
    note: str = ""
    extra: dict = field(default_factory=dict)   # e.g. generated source, symbolic sizes
    measure_memory: bool = True     # tracemalloc makes some calls (huge lambdified expressions) crawl


_PREPARERS: dict[str, Callable[[Callable[..., Any], Any], Prepared]] = {}


def register_preparer(name: str) -> Callable[[Callable], Callable]:
    """Decorator: how the comparison prepares method ``name`` for a function and a point."""
    def decorate(fn: Callable) -> Callable:
        _PREPARERS[name] = fn
        return fn
    return decorate


def prepare(method: str, f: Callable[..., Any], x: Any) -> Prepared:
    if method not in _PREPARERS:
        raise ValueError(f"the comparison knows no method {method!r}; known: {', '.join(_PREPARERS)}")
    started = time.perf_counter()
    prepared = _PREPARERS[method](f, x)
    if prepared.setup is None:
        prepared.setup = time.perf_counter() - started
    return prepared


def _size(x: Any) -> int:
    return int(np.size(x))


def _graph_ops(f: Callable[..., Any], x: Any) -> tuple[Graph | None, int | None]:
    try:
        g = trace(f, x)
        return g, g.n_ops
    except Exception:
        return None, None


@register_preparer("forward")
def _forward(f: Callable[..., Any], x: Any) -> Prepared:
    """Textbook forward mode: one pass per input direction (``hd.grad(mode="forward")`` would push
    all directions through one pass as vector tangents, which hides the n in the cost)."""
    g, _ = _graph_ops(f, x)
    n = _size(x)
    ops = g.jvp().n_ops * n if g is not None else None
    if not isinstance(x, np.ndarray):
        return Prepared(lambda: grad(f, mode="forward")(x), passes=1, ops=ops)
    basis = list(np.eye(n))
    return Prepared(lambda: np.array([jvp(f, (x,), (e,))[1] for e in basis], dtype=float),
                    passes=n, ops=ops, note=f"{n} pass{'es' if n != 1 else ''}, one per input direction")


@register_preparer("reverse")
def _reverse(f: Callable[..., Any], x: Any) -> Prepared:
    g, _ = _graph_ops(f, x)
    ops = g.grad().n_ops if g is not None else None
    return Prepared(lambda: grad(f, mode="reverse")(x), passes=2, ops=ops,
                    note="one recording pass and one backward sweep")


def _fd(scheme: str) -> Callable[[Callable[..., Any], Any], Prepared]:
    def prepare_fd(f: Callable[..., Any], x: Any) -> Prepared:
        from .finite import finite_difference
        result = finite_difference(f, x, scheme=scheme, full_output=True)
        _, n_ops = _graph_ops(f, x)
        ops = n_ops * result.evaluations if n_ops is not None else None
        note = result.note or (f"error estimate {float(np.max(result.error_estimate)):.1e}"
                               if np.all(np.isfinite(result.error_estimate)) else "no error bound")
        return Prepared(lambda: finite_difference(f, x, scheme=scheme), passes=result.evaluations,
                        ops=ops, note=note, setup=0.0)
    return prepare_fd


def _register_fd() -> None:
    from .finite import FD_METHODS
    for name, scheme in FD_METHODS.items():
        register_preparer(name)(_fd(scheme))


_register_fd()
