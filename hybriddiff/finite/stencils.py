"""Exact finite-difference stencils, and the step sizes that suit them.

A stencil is a list of integer offsets ``o_i`` and weights ``w_i`` with
``f^(k)(x) ~= sum_i w_i f(x + o_i h) / h**k``. The weights solve the Vandermonde system
``sum_i w_i o_i**j = k! [j == k]`` (j = 0..n-1) exactly, in ``fractions.Fraction``; the accuracy
order ``p`` (error ~ h**p) is read off the first moment that does not vanish.
"""
from __future__ import annotations

import functools
import math
import sys
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

EPS = sys.float_info.epsilon


def _fraction(value: object, label: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        raise TypeError(f"stencil_weights: {label} must be an int, float or Fraction, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"stencil_weights: {label} must be finite, got {value!r}")
    return Fraction(value)


def _check_order(order: object, n: int) -> int:
    if isinstance(order, bool) or not isinstance(order, int) or order < 0:
        raise ValueError(f"derivative order must be a non-negative int, got {order!r}")
    if order >= n:
        raise ValueError(f"a stencil of {n} point(s) gives derivatives of order at most {n - 1}; "
                         f"order {order} needs at least {order + 1} points")
    return order


def _solve(matrix: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction]:
    """Gaussian elimination in exact arithmetic (the matrix is a small, invertible Vandermonde)."""
    n = len(rhs)
    rows = [row[:] + [b] for row, b in zip(matrix, rhs)]
    for col in range(n):
        pivot = next(r for r in range(col, n) if rows[r][col] != 0)
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(n):
            if r != col and rows[r][col] != 0:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col])]
    return [rows[i][n] / rows[i][i] for i in range(n)]


def stencil_weights(offsets: Sequence[int | float | Fraction], order: int = 1) -> list[Fraction]:
    """Exact weights of the ``order``-th derivative on the given offsets (in units of h).

    >>> stencil_weights([-1, 0, 1])
    [Fraction(-1, 2), Fraction(0, 1), Fraction(1, 2)]
    >>> [str(w) for w in stencil_weights([-2, -1, 0, 1, 2])]
    ['1/12', '-2/3', '0', '2/3', '-1/12']
    >>> [int(w) for w in stencil_weights([-1, 0, 1], order=2)]
    [1, -2, 1]
    """
    points = [_fraction(o, f"offset {i}") for i, o in enumerate(offsets)]
    if not points:
        raise ValueError("stencil_weights: offsets is empty")
    if len(set(points)) != len(points):
        raise ValueError(f"stencil_weights: offsets must be distinct, got {list(offsets)!r}")
    k = _check_order(order, len(points))
    n = len(points)
    matrix = [[o ** j for o in points] for j in range(n)]
    rhs = [Fraction(math.factorial(k)) if j == k else Fraction(0) for j in range(n)]
    return _solve(matrix, rhs)


def accuracy_order(offsets: Sequence[int | Fraction], weights: Sequence[Fraction], order: int) -> int:
    """The p in error ~ h**p: the first non-vanishing moment ``sum w_i o_i**j`` (j > order) minus order.

    >>> accuracy_order([-1, 0, 1], stencil_weights([-1, 0, 1]), 1)
    2
    """
    points = [Fraction(o) for o in offsets]
    for j in range(order + 1, len(points) + 4):
        if sum(w * o ** j for w, o in zip(weights, points)) != 0:
            return j - order
    return len(points) + 4 - order  # pragma: no cover - only for degenerate stencils


@dataclass(frozen=True)
class Stencil:
    """Offsets (units of h), exact weights, derivative order and accuracy order of one formula."""
    offsets: tuple[int, ...]
    weights: tuple[Fraction, ...]
    order: int
    accuracy: int

    @classmethod
    def on(cls, offsets: Sequence[int], order: int) -> "Stencil":
        weights = stencil_weights(offsets, order)
        return cls(tuple(offsets), tuple(weights), order, accuracy_order(offsets, weights, order))

    @functools.cached_property
    def sum_abs(self) -> float:
        """sum |w_i|: how much the rounding errors of the f values are amplified."""
        return float(sum(abs(w) for w in self.weights))

    def used(self) -> list[tuple[int, float]]:
        """(offset, weight) pairs with a non-zero weight (the points that must be evaluated)."""
        return self._used

    @functools.cached_property
    def _used(self) -> list[tuple[int, float]]:
        return [(o, float(w)) for o, w in zip(self.offsets, self.weights) if w != 0]


@functools.lru_cache(maxsize=None)
def central(order: int = 1) -> Stencil:
    """The smallest symmetric stencil for the ``order``-th derivative (accuracy 2).

    >>> central(3).offsets, central(1).accuracy
    ((-2, -1, 0, 1, 2), 2)
    """
    m = (order + 1) // 2
    return Stencil.on(range(-m, m + 1), order)


@functools.lru_cache(maxsize=None)
def one_sided(direction: int, accuracy: int, order: int) -> Stencil:
    """accuracy + order points on one side of x (direction +1: x, x+h, ...; -1: x, x-h, ...).

    >>> [str(w) for w in one_sided(+1, 2, 1).weights]
    ['-3/2', '2', '-1/2']
    """
    offsets = [direction * j for j in range(accuracy + order)]
    if direction < 0:
        offsets.reverse()
    return Stencil.on(offsets, order)


def exact_step(x: float, h: float) -> float:
    """h nudged so that (x + h) - x == h exactly (temp = x + h; h = temp - x).

    >>> h = exact_step(0.1, 1e-5)
    >>> (0.1 + h) - 0.1 == h
    True
    """
    if not (math.isfinite(h) and h > 0):
        raise ValueError(f"step h must be a positive finite number, got {h!r}")
    stepped = (x + h) - x
    if not math.isfinite(stepped):
        raise ValueError(f"step h={h:g} at x={x:g}: x + h overflows")
    if stepped <= 0:
        raise ValueError(f"step h={h:g} is below the spacing of floats at x={x:g}: x + h == x")
    return stepped


def default_step(x: float, accuracy: int, order: int = 1) -> float:
    """The classical optimum eps**(1/(p+k)) * max(1, |x|), made exact for x.

    >>> f"{default_step(1.0, 2):.3g}"   # central: cube root of eps
    '6.06e-06'
    """
    return exact_step(x, EPS ** (1.0 / (accuracy + order)) * max(1.0, abs(x)))


def complex_step_size(x: float) -> float:
    """The complex step's h: no cancellation, so tiny (1e-20 * max(1, |x|)).

    >>> complex_step_size(3.0)
    3e-20
    """
    return 1e-20 * max(1.0, abs(x))


__all__ = ["EPS", "Stencil", "stencil_weights", "accuracy_order", "central", "one_sided", "exact_step",
           "default_step", "complex_step_size"]
