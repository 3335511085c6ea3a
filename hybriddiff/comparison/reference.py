"""The 50-digit reference every method is measured against.

First choice: trace f at x, build the derivative graph, evaluate it with mpmath at 50 digits (exact
rules, only the final rounding). When f cannot be traced but accepts mpmath numbers, mpmath's own
high-precision numerical differentiation; the note says which was used.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..graph.facade import trace

DIGITS = 50


def _mp_point(x: Any) -> Any:
    import mpmath
    if isinstance(x, np.ndarray):
        cells = np.empty(len(x), dtype=object)
        cells[:] = [mpmath.mpf(float(v)) for v in x]
        return cells
    return mpmath.mpf(float(x))


def by_graph(f: Callable[..., Any], x: Any, order: int = 1) -> Any:
    """d^n f/dx^n (or the gradient) from the traced derivative graph, in mpmath at 50 digits."""
    import mpmath
    graph = trace(f, x)
    for _ in range(order):
        graph = graph.grad() if order == 1 else graph.derivative()
    with mpmath.workdps(DIGITS):
        return graph(_mp_point(x))


def by_mpmath(f: Callable[..., Any], x: Any, order: int = 1) -> Any:
    """mpmath's own high-precision differentiation of f on mpmath numbers (f: R -> R or R^n -> R)."""
    import mpmath
    with mpmath.workdps(DIGITS):
        probe = f(_mp_point(x))
        if not isinstance(probe, (mpmath.mpf, mpmath.mpc)):  # e.g. math.exp: back to 16 digits
            raise TypeError(f"f returned a {type(probe).__name__} for mpmath input, not an mpmath number")
        if not isinstance(x, np.ndarray):
            return mpmath.diff(lambda t: f(t), mpmath.mpf(float(x)), order)
        point = [mpmath.mpf(float(v)) for v in x]

        def along(k: int) -> Any:
            def g(t: Any) -> Any:
                moved = np.empty(len(point), dtype=object)
                moved[:] = point
                moved[k] = t
                return f(moved)
            return mpmath.diff(g, point[k])
        return np.array([along(k) for k in range(len(point))], dtype=object)


def reference(f: Callable[..., Any], x: Any, order: int = 1) -> tuple[Any, str]:
    """(the reference derivative as mpmath numbers, a note saying how it was obtained).

    >>> import hybriddiff as hd, mpmath
    >>> value, note = reference(lambda x: hd.exp(x * x - x) / x, 2.0)
    >>> mpmath.nstr(value, 21), note.split(":")[0]
    ('9.23632012366331278861', 'traced derivative graph')
    """
    if order != 1 and isinstance(x, np.ndarray):
        raise ValueError("reference: higher orders are for f: R -> R")
    try:
        return by_graph(f, x, order), f"traced derivative graph: exact rules evaluated in mpmath at {DIGITS} digits"
    except Exception as graph_error:  # untraceable f: fall back, and say so
        try:
            return by_mpmath(f, x, order), (f"mpmath.diff at {DIGITS} digits (f could not be traced: "
                                            f"{type(graph_error).__name__}: {graph_error})")
        except Exception as mp_error:
            raise ValueError(f"no reference: f could not be traced ({graph_error}) nor evaluated on "
                             f"mpmath numbers ({mp_error})") from mp_error
