"""Finite differences: forward, backward, central, five-point, complex step and Richardson.

``finite_difference`` differentiates f: R -> R (any order the stencil allows) or takes the gradient of
f: R^n -> R; ``finite_jacobian`` handles vector-valued f. With ``h=None`` each scheme uses its
classical optimal step relative to max(1, |x|), rounded so that (x + h) - x == h. With
``full_output=True`` the result is an ``FDResult`` whose ``error_estimate`` adds truncation (from the
same stencil at h/2 and h/4) and rounding error, and is inf when f is not resolved at the step, or
has a kink or a jump at x (the one-sided difference quotients disagree: ``kink.py``; the note gives
both one-sided derivatives). Near a domain edge (f nan, inf or raising at a stencil point) the
formulas go one-sided, and ``note`` says so. A scheme answers to its name and to its name in
``hd.METHODS`` ('central' or 'fd-central').

The schemes are records (``schemes.py``). Exact stencils and steps: ``stencils.py``; evaluating f
safely: ``probe.py``; fixed stencils and estimates: ``fixed.py``; domain edges: ``edge.py``;
``complexstep.py``; ``richardson.py``. The step-size study is in ``hybriddiff/studies``.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np

from ..core.checks import as_point
from ..core.dispatch import Box
from .fixed import Estimate
from .probe import Calls, Line
from .schemes import Scheme, scheme_named


@dataclass
class FDResult:
    """A finite-difference derivative with what it cost and how far off it may be.

    ``value``, ``error_estimate`` and ``h`` are floats for f: R -> R, arrays (one per coordinate, or
    (m, n) for a Jacobian) otherwise; ``evaluations`` counts the calls of f the value needed (what
    ``full_output=False`` costs: n + 1 for a forward gradient, 2n central), ``estimate_evaluations``
    the further calls made only for the error estimate (the same stencil at h/2 and h/4; for the
    complex step, f at the real x; and the kink check's one-sided quotients); ``note`` is empty unless something special happened (a
    one-sided fallback near a domain edge, a kink or jump at x, no error bound). ``scheme`` is the
    scheme's name ('central', also when asked for as 'fd-central').

    It unpacks like numdifftools' ``full_output``: ``value, info = hd.finite_difference(f, x,
    full_output=True)``, where ``info`` is the result itself (``info.error_estimate``, ``info.h``).

    >>> import hybriddiff as hd
    >>> value, info = hd.finite_difference(hd.exp, 0.0, scheme="fd-central", full_output=True)
    >>> round(value, 9), info.scheme, info.error_estimate < 1e-8, info.evaluations
    (1.0, 'central', True, 2)
    """
    value: Any
    error_estimate: Any
    h: Any
    evaluations: int
    scheme: str
    note: str = field(default="")
    estimate_evaluations: int = 0

    def __iter__(self) -> Iterator[Any]:
        """``value, info = result``: the value, and the result itself for the rest."""
        return iter((self.value, self))


def _check(f: Any, x: Any, name: Any, h: Any, order: Any, where: str) -> tuple[Scheme, Any, Any]:
    if not callable(f):
        raise TypeError(f"{where}: expected a function to differentiate, got {type(f).__name__} {f!r:.40}")
    scheme = scheme_named(name, where)
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"{where}: order must be a positive int, got {order!r}")
    scheme.check_order(order, where)
    point = as_point(x, "x", where)
    if isinstance(point, Box) or (isinstance(point, np.ndarray) and point.dtype == object):
        raise TypeError(f"{where}: finite differences work at plain numbers; x is a "
                        f"{type(point).__name__} (use forward or reverse mode to nest derivatives)")
    if np.iscomplexobj(point) or isinstance(point, complex):
        raise TypeError(f"{where}: finite differences need a real x, got {x!r}")
    point = float(point) if not isinstance(point, np.ndarray) else point.astype(float)
    if h is not None:
        steps = np.asarray(h, dtype=object)
        items = steps.ravel().tolist()
        if steps.ndim > 1 or not all(isinstance(v, (numbers.Real, np.floating, np.integer))
                                     and not isinstance(v, bool) for v in items):
            raise TypeError(f"{where}: h must be a positive number (or one per coordinate), got {h!r}")
        if not all(math.isfinite(v) and v > 0 for v in items):
            raise ValueError(f"{where}: h must be positive and finite, got {h!r}")
        if steps.ndim == 1 and (not isinstance(point, np.ndarray) or len(items) != len(point)):
            raise ValueError(f"{where}: h has {len(items)} entries but x has "
                             f"{len(point) if isinstance(point, np.ndarray) else 1} coordinate(s)")
    return scheme, point, h


def _coordinates(f: Callable[[Any], Any], x: Any, scheme: Scheme, h: Any, order: int, full: bool,
                 vector: bool, where: str) -> tuple[list[Estimate], int, bool]:
    """Each coordinate's derivative(s) by the scheme, sharing f(x) and the count of calls; and
    whether f returned one number."""
    calls = Calls()
    if not isinstance(x, np.ndarray):
        step = None if h is None else float(h)
        return [scheme.differentiate(Line(f, x, None, vector, where, calls), order, step, full)], calls.n, \
            calls.one_output
    steps = np.broadcast_to(np.asarray(h if h is not None else np.nan, dtype=float), x.shape)
    out = []
    for i in range(len(x)):
        hi = None if h is None else float(steps[i])
        out.append(scheme.differentiate(Line(f, x, i, vector, where, calls), order, hi, full))
    return out, calls.n, calls.one_output


def _notes(estimates: list[Estimate], array: bool) -> str:
    if not array:
        return estimates[0].note
    return "; ".join(f"x[{i}]: {e.note}" for i, e in enumerate(estimates) if e.note)


def _item(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def finite_difference(f: Callable[[Any], Any], x: Any, scheme: str = "central", h: Any = None,
                      full_output: bool = False, order: int = 1) -> Any:
    """The ``order``-th derivative of f: R -> R at x by finite differences (the gradient for 1-D x).

    Schemes: forward, backward, central, five-point, complex-step (f must accept complex input),
    richardson (extrapolated central differences, at most 20 evaluations). ``full_output=True``
    returns an ``FDResult`` with an error estimate that includes truncation and rounding.

    >>> import hybriddiff as hd
    >>> round(finite_difference(hd.sin, 0.5), 8)      # cos(0.5)
    0.87758256
    >>> r = finite_difference(hd.exp, 1.0, scheme="richardson", full_output=True)
    >>> abs(r.value - 2.718281828459045) < 1e-12, r.evaluations <= 20, r.error_estimate < 1e-10
    (True, True, True)
    >>> finite_difference(lambda v: v[0] * v[1], [2.0, 3.0], scheme="complex-step")
    array([3., 2.])
    """
    where = "hd.finite_difference"
    record, x, h = _check(f, x, scheme, h, order, where)
    estimates, calls, _ = _coordinates(f, x, record, h, order, full_output, False, where)
    array = isinstance(x, np.ndarray)
    values = [_item(e.value[0]) for e in estimates]
    value = np.array(values) if array else values[0]
    if not full_output:
        return value
    errors = [float(e.error[0]) for e in estimates]
    steps = [e.h for e in estimates]
    extra = sum(e.extra for e in estimates)
    return FDResult(value, np.array(errors) if array else errors[0], np.array(steps) if array else steps[0],
                    calls - extra, record.name, _notes(estimates, array), extra)


def finite_jacobian(f: Callable[[Any], Any], x: Any, scheme: str = "central", h: Any = None,
                    full_output: bool = False) -> Any:
    """The Jacobian (m, n) of f: R^n -> R^m (outputs a list, tuple or 1-D array) by finite differences.

    >>> import numpy as np
    >>> J = finite_jacobian(lambda v: [v[0] * v[1], np.sin(v[0])], [1.0, 2.0], scheme="complex-step")
    >>> J.shape, np.allclose(J, [[2.0, 1.0], [np.cos(1.0), 0.0]])
    ((2, 2), True)
    >>> finite_jacobian(lambda v: v[0] * v[1], [1.0, 2.0], scheme="complex-step").tolist()   # a gradient
    [2.0, 1.0]
    """
    where = "hd.finite_jacobian"
    record, x, h = _check(f, x, scheme, h, 1, where)
    estimates, calls, one = _coordinates(f, x, record, h, 1, full_output, True, where)
    value = _jacobian_shape(np.stack([e.value for e in estimates], axis=1), one, x)
    if not full_output:
        return value
    error = _jacobian_shape(np.stack([e.error for e in estimates], axis=1), one, x)
    steps = np.array([e.h for e in estimates])
    extra = sum(e.extra for e in estimates)
    return FDResult(value, error, steps, calls - extra, record.name,
                    _notes(estimates, isinstance(x, np.ndarray)), extra)


def _jacobian_shape(matrix: np.ndarray, one_output: bool, x: Any) -> Any:
    """(m, n) for m outputs; f that returns one number gives its gradient (n,), as hd.jacobian does."""
    if not one_output:
        return matrix
    row = matrix[0]
    return _item(row[0]) if not isinstance(x, np.ndarray) else row


__all__ = ["FDResult", "finite_difference", "finite_jacobian"]
