"""The Taylor-mode method of the registry (``ad/taylor.py``): truncated Taylor series, all n
derivatives of f: R -> R in one pass, O(n^2) an operation; first derivatives (the comparison) are one
pass of two coefficients per input direction, the cost of forward mode.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..ad.taylor import taylor
from .ad import _traced
from .record import Method, Prepared


def run_taylor(f: Callable[[Any], Any], x: Any, order: int) -> Any:
    """``hd.derivative(f, x, method="taylor", order=order)``: one pass of order + 1 coefficients."""
    derivatives = taylor(f, x, order).derivatives
    return derivatives[..., order] if isinstance(derivatives, np.ndarray) else derivatives[order]


def prepare_taylor(f: Callable[..., Any], x: Any, order: int = 1) -> Prepared:
    """One pass of two coefficients (value and slope) per input direction; a vector f gives its
    Jacobian, one row per output, as the other methods do. Order n: one pass of n + 1
    coefficients, its operations counted by tracing the pass itself."""
    if order > 1:
        traced = _traced(lambda t: run_taylor(f, t, order), x)   # counted as the tracer is asked for them:
        return Prepared(lambda: run_taylor(f, x, order), passes=1,  # before sharing repeats (n_ops)
                        ops=traced.emitted if traced is not None else None,
                        note=f"one pass of {order + 1} Taylor coefficients, O(n^2) an operation")
    g = _traced(f, x)
    n = int(np.size(x))
    ops = g.jvp().n_ops * n if g is not None else None
    if not isinstance(x, np.ndarray):
        return Prepared(lambda: run_taylor(f, x, 1), passes=1, ops=ops,
                        note="one pass of two Taylor coefficients (value, slope)")
    basis = list(np.eye(n))

    def columns() -> np.ndarray:
        return np.stack([np.asarray(_slope(f, x, e), dtype=float) for e in basis], axis=-1)
    return Prepared(columns, passes=n, ops=ops, note=f"{n} pass{'es' if n != 1 else ''}, one per input direction")


def _slope(f: Callable[..., Any], x: Any, direction: Any) -> Any:
    derivatives = taylor(f, x, 1, direction=direction).derivatives
    return derivatives[..., 1] if isinstance(derivatives, np.ndarray) else derivatives[1]


TAYLOR = Method("taylor", run_taylor, prepare_taylor, family="AD",
                summary="truncated Taylor series: n derivatives in one pass, O(n^2) an operation")

__all__ = ["TAYLOR", "run_taylor", "prepare_taylor"]
