"""How the comparison prepares the ``symbolic`` and ``hybrid`` methods (``compare_methods`` hooks).

Set-up, timed once by the comparison: tracing, SymPy (time-boxed: a ``MethodTimeoutError`` here
becomes a "timeout" row) and compiling. The timed call evaluates the finished derivative: SymPy's
lambdified expression for ``symbolic``, the generated source for ``hybrid``. ``ops`` is the size of
what one call executes: ``count_ops`` of the symbolic derivative, operations of the hybrid graph.
The SymPy time limit is ``cas_methods.DEFAULT_TIMEOUT`` (read at each call).
"""
from __future__ import annotations

from typing import Any, Callable

from .compare_methods import Prepared, register_preparer


def _extra(info: Any) -> dict[str, Any]:
    return {"source": info.source, "sizes": dict(info.sizes), "timings": dict(info.timings),
            "notes": list(info.notes), "report": str(info.report) if info.report is not None else None}


@register_preparer("symbolic")
def prepare_symbolic(f: Callable[..., Any], x: Any) -> Prepared:
    """sympy.diff of one nested expression and lambdify, then calls of the lambdified derivative.

    >>> import hybriddiff as hd
    >>> round(prepare_symbolic(lambda x: hd.sin(x) * x, 1.0).call(), 12)
    1.381773290676
    """
    from . import cas_methods
    value, info = cas_methods.symbolic_derivative(f, x, timeout=cas_methods.DEFAULT_TIMEOUT)
    call = (lambda: info.function(x)) if info.function is not None else (lambda: value)
    note = "sympy.diff of the nested expression, lambdify (NumPy)"
    if info.function is None:
        note += "; the lambdified code could not be rebuilt here: the call returns the value"
    ops = info.sizes.get("derivative count_ops")
    huge = ops is not None and ops > 20_000  # tracemalloc slows a huge lambdified expression 10,000x
    if huge:
        note += "; memory not measured (expression too large for tracemalloc)"
    return Prepared(call, passes=1, ops=ops, note=note, extra=_extra(info), measure_memory=not huge)


@register_preparer("hybrid")
def prepare_hybrid(f: Callable[..., Any], x: Any) -> Prepared:
    """Derivative graph, simplified through SymPy (time-boxed), compiled; then calls of that code.

    >>> import hybriddiff as hd
    >>> prepared = prepare_hybrid(lambda x: hd.sin(x) * x, 1.0)
    >>> round(prepared.call(), 12), prepared.ops
    (1.381773290676, 4)
    """
    from . import cas_methods
    _, info = cas_methods.hybrid_derivative(f, x, timeout=cas_methods.DEFAULT_TIMEOUT)
    fn, winner = info.function, info.report.winner if info.report is not None else "none"
    note = ("derivative graph (SymPy found nothing smaller), compiled" if winner.startswith("none") else
            f"derivative graph, simplified ({winner}: {info.sizes['derivative graph ops']} -> "
            f"{info.sizes['simplified graph ops']} ops), compiled")
    if info.report is not None and info.report.timed_out:
        note += " (simplification timed out: kept the best result in time)"
    return Prepared(lambda: fn(x), passes=1, ops=info.sizes.get("simplified graph ops"), note=note,
                    extra=_extra(info))


__all__ = ["prepare_symbolic", "prepare_hybrid"]
