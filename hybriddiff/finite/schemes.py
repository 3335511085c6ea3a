"""The finite-difference schemes: one ``Scheme`` record each, read top to bottom.

A record says how the scheme differentiates f along one coordinate (``run``: automatic step when
``h`` is None, with an error estimate when asked) and what it gives at exactly a step h (``at_step``:
the step study's curves), which derivative orders it can give, and its name in ``hd.METHODS``.
``hd.finite_difference``, ``hd.derivative``, the comparison and the step study all read these
records, so a new scheme is one record here (ARCHITECTURE.md, "Adding a finite-difference scheme").

>>> [s.name for s in SCHEMES_LIST]
['forward', 'backward', 'central', 'five-point', 'complex-step', 'richardson']
>>> scheme_named("five-point").method, scheme_named("backward").method
('fd-five-point', None)
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Callable

from .complexstep import complex_step
from .fixed import Estimate, apply_stencil, fixed
from .probe import Line
from .richardson import richardson
from .stencils import Stencil, central, complex_step_size, default_step, exact_step

Run = Callable[[Line, int, "float | None", bool], Estimate]   # (line, order, h or None, full)
AtStep = Callable[[Line, int, float], float]                    # (line, order, h) -> value or nan


@dataclass(frozen=True)
class Scheme:
    """One way of differentiating by finite differences."""

    name: str
    method: str | None                      # its name in hd.METHODS (None: not offered there)
    run: Run                                # the derivative along a line (estimate if asked)
    at_step: AtStep                         # the value at exactly step h (nan outside f's domain)
    max_order: int | None = None            # the highest derivative order it gives (None: any)
    stencil: Callable[[int], Stencil] | None = None   # order -> the stencil it evaluates
    summary: str = ""

    def check_order(self, order: int, where: str) -> None:
        """A clear error when this scheme cannot give the ``order``-th derivative."""
        if self.max_order is None or order <= self.max_order:
            return
        able = ", ".join(repr(s.name) for s in SCHEMES_LIST if s.max_order is None or s.max_order >= order)
        gives = "first derivatives only (order=1)" if self.max_order == 1 else \
            f"derivatives of order 1 to {self.max_order}"
        kind = "stencil" if self.stencil is not None else "scheme"
        raise ValueError(f"{where}: the {self.name} {kind} gives {gives}, not order {order}; "
                         f"schemes for order {order}: {able}")


def _stencil_scheme(name: str, method: str | None, stencil: Callable[[int], Stencil],
                    max_order: int | None = None, summary: str = "") -> Scheme:
    """A fixed stencil at its classical optimal step (one-sided at domain edges)."""
    cached = functools.lru_cache(maxsize=None)(stencil)

    def run(line: Line, order: int, h: float | None, full: bool) -> Estimate:
        st = cached(order)
        step = default_step(line.x0, st.accuracy, order) if h is None else exact_step(line.x0, h)
        return fixed(line, st, step, h is not None, full)

    def at_step(line: Line, order: int, h: float) -> float:
        value, failed, _ = apply_stencil(line, cached(order), exact_step(line.x0, h))
        return math.nan if failed else float(value[0])

    return Scheme(name, method, run, at_step, max_order, cached, summary)


def _complex_run(line: Line, order: int, h: float | None, full: bool) -> Estimate:
    return complex_step(line, complex_step_size(line.x0) if h is None else h, full)


def _richardson_run(line: Line, order: int, h: float | None, full: bool) -> Estimate:
    return richardson(line, order, h)


SCHEMES_LIST: tuple[Scheme, ...] = (
    _stencil_scheme("forward", "fd-forward", lambda k: Stencil.on(range(0, k + 1), k),
                    summary="f(x + h) - f(x) over h: order+1 points on one side, error ~ h"),
    _stencil_scheme("backward", None, lambda k: Stencil.on(range(-k, 1), k),
                    summary="the forward scheme mirrored: error ~ h"),
    _stencil_scheme("central", "fd-central", central,
                    summary="the smallest symmetric stencil: error ~ h^2"),
    _stencil_scheme("five-point", "fd-five-point", lambda k: Stencil.on(range(-2, 3), k), max_order=4,
                    summary="offsets -2..2: error ~ h^4 for first derivatives"),
    Scheme("complex-step", "complex-step", _complex_run,
           lambda line, order, h: float(complex_step(line, h, False).value[0]), max_order=1,
           summary="Im f(x + ih) / h: no subtraction, so no cancellation (f must be analytic)"),
    Scheme("richardson", "richardson", _richardson_run,
           lambda line, order, h: float(richardson(line, order, h).value[0]), stencil=central,
           summary="central differences extrapolated over halving steps (h: the first step)"),
)
SCHEMES: tuple[str, ...] = tuple(s.name for s in SCHEMES_LIST)
_BY_NAME = {s.name: s for s in SCHEMES_LIST}


def scheme_named(name: object, where: str = "hd.finite_difference") -> Scheme:
    """The record of scheme ``name``, or a ValueError listing the schemes."""
    scheme = _BY_NAME.get(name) if isinstance(name, str) else None
    if scheme is None:
        raise ValueError(f"{where}: unknown scheme {name!r}; known schemes: {', '.join(SCHEMES)}")
    return scheme


def scheme_stencil(name: str, order: int = 1) -> Stencil:
    """The stencil scheme ``name`` evaluates for the ``order``-th derivative.

    >>> scheme_stencil("five-point").accuracy, scheme_stencil("forward", 2).offsets
    (4, (0, 1, 2))
    """
    scheme = scheme_named(name, "scheme_stencil")
    if scheme.stencil is None:
        raise ValueError(f"scheme_stencil: the {name} scheme has no stencil")
    scheme.check_order(order, "scheme_stencil")
    return scheme.stencil(order)


__all__ = ["Scheme", "SCHEMES", "SCHEMES_LIST", "scheme_named", "scheme_stencil"]
