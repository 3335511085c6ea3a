"""Evaluating the user's f for finite differences: along one coordinate, counted, cached and safe.

A point where f returns nan or inf, or raises a domain-type error (ValueError, ZeroDivisionError,
ArithmeticError), is *outside*: the difference formulas step around it. NumPy's RuntimeWarnings are
silenced while probing (hybriddiff's functions follow NumPy: nan and a warning outside a domain).
Anything else f raises, or an output that is not a number, is an error that says so.
"""
from __future__ import annotations

import contextlib
import warnings
from typing import Any, Callable, Iterator

import numpy as np

from ..core.checks import name_of, scalar_output, vector_outputs
from ..core.dispatch import Box
from ..errors import DifferentiationError, OutputTypeError

OUTSIDE_ERRORS = (ValueError, ZeroDivisionError, ArithmeticError)


class Outside(Exception):
    """f has no finite value at a point (nan, inf, or a domain error); ``reason`` says which."""

    def __init__(self, t: float, reason: str):
        super().__init__(reason)
        self.t, self.reason = t, reason


class Calls:
    """How many times f was called (shared by the coordinates of one gradient or Jacobian)."""

    def __init__(self) -> None:
        self.n = 0
        self.center: np.ndarray | Outside | None = None  # f(x) itself, shared by every coordinate
        self.one_output = False   # f returned one number (not a sequence): a Jacobian is a gradient


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence NumPy's domain and overflow warnings while probing f."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _number(v: Any, where: str) -> float | complex:
    if isinstance(v, Box):
        raise OutputTypeError(f"{where}: the function returned a {type(v).__name__}; finite "
                                   f"differences need it to return plain numbers at plain points")
    if isinstance(v, (complex, np.complexfloating)) or type(v).__name__ == "mpc":
        return complex(v)
    return float(v)


def to_numbers(out: Any, vector: bool, where: str) -> np.ndarray:
    """The output of f as a 1-D float (or complex) array: one entry, or one per output (a
    Jacobian's f may return one number: one entry)."""
    many = vector and (isinstance(out, (list, tuple)) or (isinstance(out, np.ndarray) and out.ndim > 0))
    items = vector_outputs(out, where) if many else [scalar_output(out, where)]
    return np.array([_number(v, where) for v in items])


class Line:
    """f along coordinate ``index`` of x (or along x itself when x is a number)."""

    def __init__(self, f: Callable[[Any], Any], x: Any, index: int | None, vector: bool, where: str,
                 calls: Calls | None = None):
        self.f, self.x, self.index, self.vector, self.where = f, x, index, vector, where
        self.x0 = float(x if index is None else x[index])
        self.calls = calls or Calls()
        self.cache: dict[float, np.ndarray | Outside] = {}

    @property
    def evaluations(self) -> int:
        return self.calls.n

    def point(self, t: Any) -> Any:
        if self.index is None:
            return t
        kind = object if isinstance(t, Box) else (complex if isinstance(t, complex) else float)
        p = self.x.astype(kind)
        p[self.index] = t
        return p

    def call(self, t: Any) -> Any:
        """f at the point with coordinate t, raw; a domain-type error becomes ``Outside``."""
        self.calls.n += 1
        with quiet():
            try:
                return self.f(self.point(t))
            except DifferentiationError as exc:
                if isinstance(exc, ValueError):
                    raise Outside(t, f"{type(exc).__name__}: {exc}") from exc
                raise
            except OUTSIDE_ERRORS as exc:
                raise Outside(t, f"{type(exc).__name__}: {exc}") from exc
            except Exception as exc:
                raise DifferentiationError(f"{self.where}: {name_of(self.f)} raised "
                                           f"{type(exc).__name__}: {exc}") from exc

    def __call__(self, t: float) -> np.ndarray:
        """f's value(s) at coordinate t as a float array; raises ``Outside`` where not finite."""
        t = float(t)
        shared = t == self.x0
        known = self.calls.center if shared else self.cache.get(t)
        if known is None:
            try:
                raw = self.call(t)
                self.calls.one_output = not isinstance(raw, (list, tuple)) and np.ndim(raw) == 0
                known = to_numbers(raw, self.vector, self.where)
                if np.iscomplexobj(known):  # Python's ** on a negative float: outside the real domain
                    known = Outside(t, f"f is complex here ({known[0] if len(known) == 1 else known})")
                elif not np.all(np.isfinite(known)):
                    known = Outside(t, f"f = {known[0] if len(known) == 1 else known}")
            except Outside as exc:
                known = exc
            if shared:
                self.calls.center = known
            else:
                self.cache[t] = known
        if isinstance(known, Outside):
            raise known
        return known


__all__ = ["Outside", "Calls", "Line", "quiet", "to_numbers", "OUTSIDE_ERRORS"]
