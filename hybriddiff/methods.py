"""The registry of differentiation methods that ``hd.derivative`` and the comparison can run.

A method is a function ``run(f, x, order) -> value`` for f: R -> R; each module that provides one
registers it here, so the list of names is always what is really available.
"""
from __future__ import annotations

from typing import Any, Callable

from .inputs import as_point, call_function, scalar_output
from .operators import derivative_nested

# DESIGN section 2's order; a name appears in hd.METHODS once a module has registered it.
ORDER = ("forward", "reverse", "symbolic", "hybrid", "fd-forward", "fd-central", "fd-five-point",
         "complex-step", "richardson")
_RUNNERS: dict[str, Callable[[Callable[[Any], Any], Any, int], Any]] = {}


def register_method(name: str) -> Callable[[Callable], Callable]:
    """Decorator: make ``run(f, x, order)`` available as ``hd.derivative(..., method=name)``."""
    def decorate(run: Callable) -> Callable:
        _RUNNERS[name] = run
        return run
    return decorate


def available_methods() -> tuple[str, ...]:
    """The registered method names, in DESIGN order (then any others)."""
    known = [m for m in ORDER if m in _RUNNERS]
    return tuple(known + sorted(set(_RUNNERS) - set(ORDER)))


def _by_graph(f: Callable[[Any], Any], x: Any, order: int, mode: str) -> Any:
    """Order n: trace once, differentiate the graph n times (hash-consing keeps it small), evaluate."""
    from .tracing import trace
    graph = trace(f, x)
    for _ in range(order):
        graph = graph.derivative() if mode == "forward" else graph.grad()
    return graph(x)


@register_method("forward")
def _forward(f: Callable[[Any], Any], x: Any, order: int) -> Any:
    return derivative_nested(f, x, 1, "forward") if order == 1 else _by_graph(f, x, order, "forward")


@register_method("reverse")
def _reverse(f: Callable[[Any], Any], x: Any, order: int) -> Any:
    return derivative_nested(f, x, 1, "reverse") if order == 1 else _by_graph(f, x, order, "reverse")


def derivative(f: Callable[[Any], Any], x: Any, method: str = "reverse", order: int = 1) -> Any:
    """The ``order``-th derivative of f: R -> R at x, computed by ``method`` (see ``hd.METHODS``).

    >>> import hybriddiff as hd
    >>> round(hd.derivative(lambda x: hd.exp(x * x - x) / x, 2.0), 12)
    9.236320123663
    >>> round(hd.derivative(hd.sin, 0.5, method="forward", order=2), 12)
    -0.479425538604
    """
    if not callable(f):
        raise TypeError(f"hd.derivative: expected a function, got {type(f).__name__}")
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"hd.derivative: order must be a positive int, got {order!r}")
    run = _RUNNERS.get(method) if isinstance(method, str) else None
    if run is None:
        raise ValueError(f"hd.derivative: unknown method {method!r}; available methods: "
                         f"{', '.join(available_methods())}")
    x = as_point(x, "x", "hd.derivative")
    if not isinstance(x, (int, float, complex)) and getattr(x, "ndim", 0):
        raise TypeError("hd.derivative is for f: R -> R; use hd.grad or hd.jacobian for array inputs")
    return run(f, x, order)


__all__ = ["derivative", "register_method", "available_methods", "call_function", "scalar_output"]
