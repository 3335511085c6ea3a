"""The finite-difference schemes: one ``Scheme`` record each, read top to bottom.

A record says how the scheme differentiates f along one coordinate (``run``: automatic step when
``h`` is None, with an error estimate when asked) and what it gives at exactly a step h (``at_step``:
the step study's curves), which derivative orders it can give, its name in ``hd.METHODS``, and the
relative accuracy its automatic step promises on a smooth, well-conditioned f (``promise``; the
comparison calls a row accurate only within it, or within what f's conditioning allows).
``hd.finite_difference``, ``hd.derivative``, the comparison and the step study all read these
records, so a new scheme is one record here (ARCHITECTURE.md, "Adding a finite-difference scheme").

Every estimate (``full``) also goes through the kink check of ``kink.py``, here in one place: where
f has a kink or a jump at x the estimate is inf and the note gives the one-sided derivatives.

The promises were measured (``tests/test_fd_honesty.py`` keeps them): the largest relative error of
the automatic step over exp (x in [-5, 20]), sin ([-10, 10]), log ([0.5, 1000]) and the seed's
exp(x^2 - x)/x (|x| in [0.5, 3]) was 4.1e-7 forward and backward, 2.8e-9 central, 2.4e-9 five-point
(its typical error is 6e-12, but its step is ~100 times central's, so steep f cost it as much),
8e-16 complex-step and 1.3e-13 richardson; each promise leaves a margin of at least 2. Higher
orders (``promises``, orders 2, 3, ...) were measured on the same functions: central 6.1e-7,
7.2e-5, 5.7e-4, 6.7e-3, 1.9e-2; forward 1.3e-4, 1.0e-2; five-point 1.1e-7, then central's stencil;
richardson 2.4e-12, 2.2e-8, 2.3e-6, 4.7e-5, 3.6e-3, 9.5e-3. A scheme promises nothing at an order
past its list (there its automatic step kept less than one digit: richardson 0.98 at order 8).

A scheme answers to its name and to its name in ``hd.METHODS`` alike:

>>> [s.name for s in SCHEMES_LIST]
['forward', 'backward', 'central', 'five-point', 'complex-step', 'richardson']
>>> scheme_named("five-point").method, scheme_named("backward").method, scheme_named("fd-central").name
('fd-five-point', None, 'central')
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Callable

from .complexstep import complex_step
from .fixed import Estimate, apply_stencil, fixed
from .kink import shape
from .probe import Line
from .richardson import richardson
from .stencils import Stencil, central, complex_step_size, default_step, exact_step

Run = Callable[[Line, int, "float | None", bool], Estimate]   # (line, order, h or None, full)
UNMEASURED = 1e-6     # a new scheme promises what a forward difference does, until measured
AtStep = Callable[[Line, int, float], float]                    # (line, order, h) -> value or nan


@dataclass(frozen=True)
class Scheme:
    """One way of differentiating by finite differences."""

    name: str
    method: str | None                      # its name in hd.METHODS (None: not offered there)
    run: Run                                # the derivative along a line (estimate if asked)
    at_step: AtStep                         # the value at exactly step h (nan outside f's domain)
    promise: float = UNMEASURED             # relative error of the automatic step on smooth, tame f
    max_order: int | None = None            # the highest derivative order it gives (None: any)
    stencil: Callable[[int], Stencil] | None = None   # order -> the stencil it evaluates
    summary: str = ""
    promises: tuple[float, ...] = ()        # the promise at orders 2, 3, ... (measured; none past it)

    def promise_at(self, order: int) -> float | None:
        """The relative error the automatic step promises for the ``order``-th derivative (None:
        no promise, the scheme was not seen to keep a digit at that order).

        >>> scheme_named("central").promise_at(2), scheme_named("forward").promise_at(9)
        (2e-06, None)
        """
        if order == 1:
            return self.promise
        return self.promises[order - 2] if order - 2 < len(self.promises) else None

    def differentiate(self, line: Line, order: int, h: float | None, full: bool) -> Estimate:
        """``run``, and with ``full`` the kink check (``kink.py``) at the step the estimate names."""
        result = self.run(line, order, h, full)
        if full and result.probe is not None:
            before = line.calls.n
            found = shape(line, order, result.probe, len(result.value))
            result.error, result.note = found.apply(result.error, result.note, result.h)
            result.extra += line.calls.n - before
        return result

    @property
    def names(self) -> tuple[str, ...]:
        """The spellings it answers to: its name, and its name in hd.METHODS if that differs."""
        return tuple(dict.fromkeys(n for n in (self.name, self.method) if n))

    def check_order(self, order: int, where: str, methods: bool = False) -> None:
        """A clear error when this scheme cannot give the ``order``-th derivative, suggesting the
        schemes that can (by their names in hd.METHODS if ``methods``: what hd.derivative takes)."""
        if self.max_order is None or order <= self.max_order:
            return
        able = ", ".join(repr(s.method if methods else s.name) for s in SCHEMES_LIST
                         if (s.max_order is None or s.max_order >= order) and (s.method or not methods))
        gives = "first derivatives only (order=1)" if self.max_order == 1 else \
            f"derivatives of order 1 to {self.max_order}"
        kind = "stencil" if self.stencil is not None else "scheme"
        raise ValueError(f"{where}: the {self.name} {kind} gives {gives}, not order {order}; "
                         f"{'methods' if methods else 'schemes'} for order {order}: {able}")


def _stencil_scheme(name: str, method: str | None, stencil: Callable[[int], Stencil],
                    promise: float = UNMEASURED, max_order: int | None = None, summary: str = "",
                    promises: tuple[float, ...] = ()) -> Scheme:
    """A fixed stencil at its classical optimal step (one-sided at domain edges)."""
    cached = functools.lru_cache(maxsize=None)(stencil)

    def run(line: Line, order: int, h: float | None, full: bool) -> Estimate:
        st = cached(order)
        step = default_step(line.x0, st.accuracy, order) if h is None else exact_step(line.x0, h)
        return fixed(line, st, step, h is not None, full)

    def at_step(line: Line, order: int, h: float) -> float:
        value, failed, _ = apply_stencil(line, cached(order), exact_step(line.x0, h))
        return math.nan if failed else float(value[0])

    return Scheme(name, method, run, at_step, promise, max_order, cached, summary, promises)


def _complex_run(line: Line, order: int, h: float | None, full: bool) -> Estimate:
    return complex_step(line, complex_step_size(line.x0) if h is None else h, full)


def _richardson_run(line: Line, order: int, h: float | None, full: bool) -> Estimate:
    return richardson(line, order, h)


SCHEMES_LIST: tuple[Scheme, ...] = (
    _stencil_scheme("forward", "fd-forward", lambda k: Stencil.on(range(0, k + 1), k), 1e-6,
                    summary="f(x + h) - f(x) over h: order+1 points on one side, error ~ h",
                    promises=(5e-4, 5e-2)),
    _stencil_scheme("backward", None, lambda k: Stencil.on(range(-k, 1), k), 1e-6,
                    summary="the forward scheme mirrored: error ~ h", promises=(5e-4, 5e-2)),
    _stencil_scheme("central", "fd-central", central, 1e-8,
                    summary="the smallest symmetric stencil: error ~ h^2",
                    promises=(2e-6, 2e-4, 2e-3, 2e-2, 5e-2)),
    _stencil_scheme("five-point", "fd-five-point", lambda k: Stencil.on(range(-2, 3), k), 1e-8, max_order=4,
                    summary="offsets -2..2: error ~ h^4 for first derivatives", promises=(5e-7, 2e-4, 2e-3)),
    Scheme("complex-step", "complex-step", _complex_run,
           lambda line, order, h: float(complex_step(line, h, False).value[0]), 1e-13, max_order=1,
           summary="Im f(x + ih) / h: no subtraction, so no cancellation (f must be analytic)"),
    Scheme("richardson", "richardson", _richardson_run,
           lambda line, order, h: float(richardson(line, order, h).value[0]), 1e-11, stencil=central,
           summary="central differences extrapolated over halving steps (h: the first step)",
           promises=(1e-11, 5e-8, 5e-6, 1e-4, 1e-2, 5e-2)),
)
SCHEMES: tuple[str, ...] = tuple(s.name for s in SCHEMES_LIST)


def scheme_named(name: object, where: str = "hd.finite_difference") -> Scheme:
    """The record of scheme ``name`` (its name, or its name in hd.METHODS: 'central' or
    'fd-central'), or a ValueError listing the schemes."""
    for scheme in SCHEMES_LIST:
        if isinstance(name, str) and name in scheme.names:
            return scheme
    raise ValueError(f"{where}: unknown scheme {name!r}; known schemes: {', '.join(SCHEMES)} "
                     f"(or their names in hd.METHODS: "
                     f"{', '.join(s.method for s in SCHEMES_LIST if s.method and s.method != s.name)})")


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
