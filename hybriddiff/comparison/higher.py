"""The reference for an ``order``-th derivative (``hd.compare(f, x, order=n)``), and its evidence.

The value: Taylor mode (``ad/taylor.py``) on mpmath numbers at 50 digits, c_n n! with n! exact: the
table's rules, O(n^2) an operation at any order (the n-th derivative graph grows like 2^n). It is
checked against an independent route, ``mpmath.diff`` of f's own values at 50 digits (no derivative
rule involved): where they disagree the point is not analytic (or a rule is wrong) and there is no
reference. At a kink, tie or jump the one-sided derivatives of every order up to n decide whether
the n-th derivative exists (``reference.settle_sides``). What float64 attains is measured on the
Taylor pass itself, traced (``conditioning.attainable``).

>>> import hybriddiff as hd, mpmath
>>> r = examine_order(lambda x: hd.exp(x * x - x) / x, 2.0, 10)
>>> mpmath.nstr(r.value, 20), r.state
('10478301.305363959831', 'finite')
>>> examine_order(lambda x: x * hd.abs(x), 0.0, 2).state
'no derivative'
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..ad.taylor import taylor
from ..graph.facade import Graph, trace
from .conditioning import MAX_OPS, attainable
from .crosscheck import cross_check
from .kinks import active, input_values, node_values
from .precision import DIGITS, precision
from .reference import NONE, UNDEFINED, Reference, settle_sides

def check_order(order: Any, where: str) -> int:
    """``order`` as a derivative order (a positive int), or a clear ValueError."""
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
        raise ValueError(f"{where}: order must be a positive whole number (1 for first derivatives), "
                         f"got {order!r}")
    return int(order)


def examine_order(f: Callable[..., Any], x: Any, order: int) -> Reference:
    """The ``order``-th derivative of f: R -> R at x to 50 digits, and the evidence around it."""
    if np.ndim(x):
        raise ValueError(f"hd.compare: derivatives of order {order} are for f: R -> R; x is an array "
                         f"(compare the gradient with order=1, or one input at a time)")
    with np.errstate(all="ignore"):
        return _examine(f, float(x), order)


def _examine(f: Callable[..., Any], x: float, order: int) -> Reference:
    import mpmath
    try:
        graph: Graph | None = trace(f, x)
    except Exception:   # untraceable: Taylor mode and mpmath.diff still run f on mpmath numbers
        graph = None
    with precision(DIGITS):
        if graph is not None and graph.out_container != "scalar":
            raise ValueError(f"hd.compare: derivatives of order {order} are for f: R -> R; f has "
                             f"{sum(s or 1 for s in graph.out_sizes)} outputs")
        env = node_values(graph, input_values(graph, x)) if graph is not None else None
        f_value = env[graph.outputs[0]] if graph is not None else f(mpmath.mpf(x))
        if not (isinstance(f_value, mpmath.mpf) and mpmath.isfinite(f_value)):
            return Reference(None, f"f = {f_value} here: f is undefined (not a finite real number), so there "
                             f"is no derivative to be right about", UNDEFINED, f_value=f_value)
        coefficient = _coefficient(taylor(f, mpmath.mpf(x), order).coefficients[order])
        value = coefficient * mpmath.factorial(order)
        conventions = active(graph, env) if graph is not None else []
    ref = Reference(value, f"Taylor mode: the table's rules in mpmath at {DIGITS} digits", _state(value),
                    conventions=conventions, f_value=f_value)
    if conventions or ref.state == NONE:
        if graph is not None:
            settle_sides(ref, graph, f, x, order)
        return ref
    g = graph if graph is not None else f
    if isinstance(ref.value, mpmath.mpf) and mpmath.isfinite(ref.value):
        ref.take(cross_check(lambda t: g(x + t), ref.value, ref.value, order, what="Taylor mode gives"))
    if ref.state == "finite" and graph is not None:
        ref.attainable = _attainable(f, x, order, coefficient)
    return ref


def _coefficient(c: Any) -> Any:
    import mpmath
    return c if isinstance(c, (mpmath.mpf, mpmath.mpc)) else mpmath.mpf(float(c))


def _state(value: Any) -> str:
    import mpmath
    if isinstance(value, mpmath.mpc) or mpmath.isnan(value):
        return NONE
    return "infinite" if mpmath.isinf(value) else "finite"


def _attainable(f: Callable[..., Any], x: float, order: int, coefficient: Any) -> float | None:
    """Randomly rounded float64 runs of the Taylor pass (traced): what float64 attains here."""
    try:
        pass_graph = trace(lambda t: taylor(f, t, order).coefficients[order], x)
    except Exception:
        return None
    if pass_graph.n_ops > MAX_OPS or pass_graph.out_container != "scalar":
        return None
    return attainable(pass_graph, x, [coefficient])


__all__ = ["examine_order", "check_order"]
