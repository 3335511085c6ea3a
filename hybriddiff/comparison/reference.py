"""The 50-digit reference every method is measured against, and what it says about the point.

First choice: trace f at x, build the derivative graph, evaluate it with mpmath at 50 digits (exact
rules, only the final rounding). When f cannot be traced but accepts mpmath numbers, mpmath's own
high-precision numerical differentiation; the note says which was used.

``examine`` goes further (``Reference``): whether f is defined at x, whether the derivative is
finite, infinite, or does not exist (a kink, tie or jump whose one-sided derivatives differ:
``kinks.py``), which conventions the rules used, and how accurately float64 can compute it at all
(``conditioning.py``). The comparison's statuses are judged from this evidence (``judge.py``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..display.format import full_value
from ..graph.facade import Graph, trace
from ..graph.arguments import assemble
from .conditioning import MAX_OPS, attainable
from .crosscheck import check_first_derivative
from .kinks import MAX_ENTRIES, Sides, active, input_values, node_values, one_sided
from .precision import DIGITS, precision

def _mp_point(x: Any) -> Any:
    import mpmath
    if isinstance(x, np.ndarray):
        cells = np.empty(len(x), dtype=object)
        cells[:] = [mpmath.mpf(float(v)) for v in x]
        return cells
    return mpmath.mpf(float(x))


def derivative_graph(graph: Graph, order: int = 1) -> Graph:
    """The derivative of a traced graph: the gradient (one output) or the Jacobian (several: rows
    are outputs, as in ``hd.jacobian``); order n differentiates n times."""
    for _ in range(order):
        graph = graph.grad() if order == 1 and graph.out_container == "scalar" else graph.derivative()
    return graph


def by_graph(f: Callable[..., Any], x: Any, order: int = 1) -> Any:
    """d^n f/dx^n (the gradient, the Jacobian) from the traced derivative graph, in mpmath at 50 digits."""
    graph = derivative_graph(trace(f, x), order)
    with precision(DIGITS):
        return graph(_mp_point(x))


def by_mpmath(f: Callable[..., Any], x: Any, order: int = 1) -> Any:
    """mpmath's own high-precision differentiation of f on mpmath numbers (f: R -> R or R^n -> R)."""
    import mpmath
    with precision(DIGITS):
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


FINITE, INFINITE, NONEXISTENT, UNDEFINED, NONE = "finite", "infinite", "no derivative", "f undefined", "none"


@dataclass
class Reference:
    """The reference and what it says about the point (``examine``).

    ``state``: "finite", "infinite" (some entry is +-inf), "no derivative" (a kink, tie or jump
    whose one-sided derivatives differ: ``value`` is then what the rules give, the convention),
    "f undefined" (f is nan, infinite or complex at x: ``value`` is None) or "none" (no reference:
    the note says why). ``kind`` is "derivative", "gradient" or "Jacobian" and ``shape`` that of
    ``hd.jacobian`` (rows = outputs). ``attainable``: the relative error a float64 evaluation of the
    derivative reaches at best here (``conditioning.attainable``; None: not measured).
    """

    value: Any
    note: str
    state: str = FINITE
    kind: str = "derivative"
    shape: tuple = ()
    conventions: list[str] = field(default_factory=list)
    sides: Sides | None = None
    attainable: float | None = None
    f_value: Any = None

    def take(self, check: tuple[bool, str]) -> None:
        """An independent check's verdict (``crosscheck.py``): agreeing, its note is appended; not,
        the reference is withdrawn (state "none") and the note says why."""
        agrees, note = check
        if agrees:
            self.note += note
        else:
            self.state, self.value, self.note = NONE, None, note

    def floats(self) -> np.ndarray:
        """The value as a float array (nan where there is none)."""
        if self.value is None:
            return np.full(self.shape, np.nan)
        return np.array([float(v) for v in np.ravel(np.asarray(self.value, dtype=object))]).reshape(self.shape)


def _kind(x: Any, outputs: Any) -> str:
    if np.ndim(outputs):
        return "Jacobian"
    return "gradient" if np.ndim(x) else "derivative"


def examine(f: Callable[..., Any], x: Any) -> Reference:
    """The reference derivative of f at x and the evidence around it (see ``Reference``).

    >>> import hybriddiff as hd
    >>> r = examine(hd.abs, 0.0)
    >>> r.state, float(r.value), r.sides.describe()
    ('no derivative', 0.0, 'left -1.0, right 1.0')
    >>> examine(hd.log, -1.0).state, examine(hd.sqrt, 0.0).state, examine(hd.sin, 1.0).state
    ('f undefined', 'infinite', 'finite')
    """
    with np.errstate(all="ignore"):   # nan and inf met here are the evidence, not warnings
        return _examine(f, x)


def _examine(f: Callable[..., Any], x: Any) -> Reference:
    import mpmath
    try:
        graph = trace(f, x)
    except Exception:   # untraceable: mpmath.diff on f itself (or a ValueError saying why not)
        value, note = reference(f, x)
        f_value = f(x)
        return Reference(value, note, _state(np.asarray(value, dtype=object)), _kind(x, f_value),
                         np.shape(value), f_value=f_value)
    with precision(DIGITS):
        env = node_values(graph, input_values(graph, x))   # f's primal sweep, for f(x) and the kinks
        f_value = np.asarray(assemble(graph, [env[o] for o in graph.outputs]), dtype=object)
        if not all(isinstance(env[d], mpmath.mpf) and mpmath.isfinite(env[d]) for d in graph.domains):
            f_value = np.full(f_value.shape, mpmath.mpf("nan"), dtype=object)   # 0 * log(-1): nan
        kind = _kind(x, f_value)
        if not all(isinstance(v, mpmath.mpf) and mpmath.isfinite(v) for v in np.ravel(f_value)):
            shown = full_value(np.array([complex(v) if isinstance(v, mpmath.mpc) else float(v)
                                         for v in np.ravel(f_value)]).reshape(f_value.shape), limit=6)
            return Reference(None, f"f = {shown} here: f is undefined (not a finite real number), so there "
                             f"is no derivative to be right about", UNDEFINED, kind, np.shape(f_value) + np.shape(x),
                             f_value=f_value)
        d = derivative_graph(graph)
        value = np.asarray(d(_mp_point(x)), dtype=object)
        conventions = active(graph, env)
    ref = Reference(value if value.ndim else value[()], f"traced derivative graph: exact rules evaluated in mpmath at "
                    f"{DIGITS} digits", _state(value), kind, value.shape, conventions, f_value=f_value)
    if conventions or ref.state == NONE:
        settle_sides(ref, graph, f, x)
    if ref.state == FINITE:
        ref.take(check_first_derivative(ref.value, lambda point: _values(graph, f, point), x))
    if ref.state == FINITE:
        # how closely float64 runs of the rules reach the rules' own value: measured against the
        # reference instead, a convention that differs from it (a branch on ``x == 0``) would pass
        # as rounding
        rules = np.array([float(v) for v in np.ravel(value)])
        ref.attainable = attainable(d, x, rules)
        if ref.attainable is None and d.n_ops > MAX_OPS:
            ref.note += (f"; what float64 attains here is not measured (the derivative graph has {d.n_ops:,} "
                         f"operations, past {MAX_OPS:,}): rows are judged by their methods' promises alone")
    return ref


def _values(graph: Graph, f: Callable[..., Any], point: Any) -> Any:
    """f at a point near x, in mpmath: its graph, or f itself past a branch the graph recorded."""
    try:
        return graph(point)
    except Exception:   # TraceGuardError: this point takes another branch
        return f(point)


def _state(value: np.ndarray) -> str:
    floats = np.array([float(v) for v in np.ravel(value)])
    if np.any(np.isnan(floats)):
        return NONE
    return INFINITE if np.any(np.isinf(floats)) else FINITE


def settle_sides(ref: Reference, graph: Graph, f: Callable[..., Any], x: Any, order: int = 1) -> None:
    """At a kink or where the rules give nan: the one-sided derivatives decide whether the derivative
    exists (both sides agree), is one-sided (f undefined on the other side) or does not exist. For
    ``order`` n every order up to n is examined: the n-th derivative exists only where they all do."""
    import mpmath
    at = "; ".join(ref.conventions) or "the rules give nan here"
    for k in range(1, order + 1):
        with precision(DIGITS):
            sides = one_sided(graph, f, x, ref.shape, k)
        if sides is None:
            ref.note += f"; {at}: one-sided derivatives not examined (more than {MAX_ENTRIES} entries)"
            return
        agree = sides.agree()
        edge = ~agree & (np.isnan(sides.left) != np.isnan(sides.right))
        if k < order and not np.all(agree | edge):
            ref.state = NONEXISTENT
            why = f" ({'; '.join(ref.conventions)})" if ref.conventions else ""
            ref.note = (f"no derivative of order {order} here: the one-sided derivatives of order {k} differ "
                        f"({sides.describe()}); the rules give {full_value(_scalar(ref.floats()), limit=6)}{why}")
            return
    ref.sides = sides
    rules = ref.floats()
    edge &= np.isnan(rules)
    if not np.all(agree | edge):
        ref.state = NONEXISTENT
        why = f" ({'; '.join(ref.conventions)})" if ref.conventions else ""
        ref.note = (f"no derivative here: one-sided derivatives {sides.describe()}; the rules give "
                    f"{full_value(_scalar(rules), limit=6)}{why}")
        return
    exists = sides.limit()
    if np.all(Sides(exists, rules).agree() | (exists == rules)):
        ref.note += f"; {at}, but both one-sided derivatives agree with the rules: the derivative exists"
        return
    with precision(DIGITS):
        value = np.array([mpmath.mpf(v) for v in np.ravel(exists)], dtype=object).reshape(ref.shape)
    ref.value, ref.state = (value if value.ndim else value[()]), _state(value)
    which = ("f is undefined on one side: the one-sided derivative" if np.any(edge) else
             "the one-sided derivatives agree: the derivative")
    why = f" ({'; '.join(ref.conventions)})" if ref.conventions else ""
    ref.note = (f"one-sided derivatives at {DIGITS} digits (mpmath.diff): the rules give "
                f"{full_value(rules, limit=6)}{why}; {which} is {full_value(_scalar(exists), limit=6)}")


def _scalar(a: np.ndarray) -> Any:
    return float(a) if a.ndim == 0 else a


__all__ = ["DIGITS", "Reference", "examine", "settle_sides", "FINITE", "INFINITE", "NONEXISTENT", "UNDEFINED", "NONE", "reference", "by_graph", "by_mpmath", "derivative_graph"]
