"""Every function users can reach by name: the primitives, and a few composed from them.

NumPy has functions that are not primitives (``exp2``, ``square``, ``trunc``, ``deg2rad``, ...);
they are composed here from primitives, only where composing costs no accuracy. Each has a small
``Composed`` record like the primitives' own: its NumPy ufunc names, its names in the expression
language, and the Python operator it serves. The two name tables that the rooms above read (NumPy
ufunc name -> function, expression-language name -> function) are built from the records, never
written by hand.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..errors import UnsupportedOperationError
from . import primitives as P
from .dispatch import Box
from .record import PRIMITIVES


# ---------------------------------------------------------------- composed functions
def exp2(x: Any) -> Any:
    """2**x.

    >>> import hybriddiff as hd
    >>> hd.exp2(3.0)
    8.0
    """
    return P.pow(2, x)


def square(x: Any) -> Any:
    """x*x (one multiplication: exact, and its derivative is 2x by the product rule)."""
    return P.mul(x, x)


def reciprocal(x: Any) -> Any:
    """1/x."""
    return P.div(1, x)


def deg2rad(x: Any) -> Any:
    """Degrees to radians: x * pi/180."""
    return P.mul(x, math.pi / 180)


def rad2deg(x: Any) -> Any:
    """Radians to degrees: x * 180/pi."""
    return P.mul(x, 180 / math.pi)


def positive(x: Any) -> Any:
    """+x: the value itself."""
    return x


def trunc(x: Any) -> Any:
    """Round toward zero: sign(x) * floor(|x|), exact in floating point."""
    return P.mul(P.sign(x), P.floor(P.abs(x)))


def floor_divide(x: Any, y: Any) -> Any:
    """x // y = floor(x / y) (Python's ``//`` on hybriddiff values)."""
    return P.floor(P.div(x, y))


def conjugate(x: Any) -> Any:
    """The complex conjugate: hybriddiff values are real, so x itself (NumPy's var and std ask)."""
    return x.conjugate() if isinstance(x, Box) else np.conjugate(x)


def float_power(x: Any, y: Any) -> Any:
    """x**y in floating point."""
    return P.pow(x, y)


def heaviside_ufunc(x: Any, h0: Any) -> Any:
    """``np.heaviside(x, h0)``: only h0 = 1/2, the table's tie convention, has a derivative rule here."""
    if h0 != 0.5:
        raise UnsupportedOperationError(
            f"np.heaviside(x, {h0!r}): only h0 = 0.5 is supported (hybriddiff's tie convention)")
    return P.heaviside(x)


@dataclass(frozen=True)
class Composed:
    """A function composed from primitives, with the names it is reached by."""

    fn: Callable[..., Any]
    arity: int
    names: tuple[str, ...] = ()     # names in the expression language
    ufuncs: tuple[str, ...] = ()    # NumPy ufuncs it implements
    dunder: str | None = None       # Python operator it serves ("floordiv" -> __floordiv__)

    @property
    def name(self) -> str:
        return self.fn.__name__


COMPOSED: tuple[Composed, ...] = (
    Composed(exp2, 1, names=("exp2",), ufuncs=("exp2",)),
    Composed(square, 1, names=("square",), ufuncs=("square",)),
    Composed(reciprocal, 1, names=("reciprocal",), ufuncs=("reciprocal",)),
    Composed(deg2rad, 1, names=("deg2rad", "radians"), ufuncs=("deg2rad", "radians")),
    Composed(rad2deg, 1, names=("rad2deg", "degrees"), ufuncs=("rad2deg", "degrees")),
    Composed(positive, 1, ufuncs=("positive",)),
    Composed(trunc, 1, names=("trunc",), ufuncs=("trunc",), dunder="trunc"),
    Composed(conjugate, 1, ufuncs=("conjugate",)),
    Composed(floor_divide, 2, ufuncs=("floor_divide",), dunder="floordiv"),
    Composed(float_power, 2, ufuncs=("float_power",)),
    Composed(heaviside_ufunc, 2, ufuncs=("heaviside",)),
)


@functools.lru_cache(maxsize=None)
def _ufuncs(count: int) -> dict[str, Callable[..., Any]]:
    table: dict[str, Callable[..., Any]] = {}
    for entry in (*PRIMITIVES.values(), *COMPOSED):
        for name in entry.ufuncs:
            if name in table:
                raise ValueError(f"NumPy's {name!r} is claimed by two records")
            table[name] = entry if isinstance(entry, P.Primitive) else entry.fn
    return table


REBUILT: list[Callable[[dict[str, Callable[..., Any]]], None]] = []   # told when the ufunc table grows
_LAST: list[Any] = [None]


def ufunc_table() -> dict[str, Callable[..., Any]]:
    """NumPy ufunc name -> hybriddiff function, from the records (follows the table as it grows;
    the functions in ``REBUILT`` hear of each new table: the boxes' ufunc-named methods).

    >>> ufunc_table()["true_divide"], ufunc_table()["exp2"].__name__
    (<primitive div>, 'exp2')
    """
    table = _ufuncs(len(PRIMITIVES))
    if table is not _LAST[0]:
        _LAST[0] = table
        for hook in REBUILT:
            hook(table)
    return table


@functools.lru_cache(maxsize=None)
def _language(count: int) -> dict[str, tuple[str, int, Callable[..., Any]]]:
    table: dict[str, tuple[str, int, Callable[..., Any]]] = {}
    entries = [(p.name, p.arity, p, p.names) for p in PRIMITIVES.values()]
    entries += [(c.name, c.arity, c.fn, c.names) for c in COMPOSED]
    for canonical, arity, fn, names in entries:
        for name in names:
            if name in table:
                raise ValueError(f"the expression language's name {name!r} is claimed by two records")
            table[name] = (canonical if canonical in names else names[0], arity, fn)
    return table


def language_table() -> dict[str, tuple[str, int, Callable[..., Any]]]:
    """Expression-language name -> (canonical name, arity, function), from the records.

    >>> language_table()["ln"][:2], language_table()["max"][:2], language_table()["radians"][:2]
    (('log', 1), ('maximum', 2), ('deg2rad', 1))
    """
    return _language(len(PRIMITIVES))


def dunder_table() -> dict[str, tuple[Callable[..., Any], int]]:
    """Python operator stem ("add", "truediv", "neg", "floor", ...) -> (function, arity).

    >>> sorted(dunder_table())
    ['abs', 'add', 'ceil', 'floor', 'floordiv', 'mod', 'mul', 'neg', 'pow', 'sub', 'truediv', 'trunc']
    """
    table = {p.dunder: (p, p.arity) for p in PRIMITIVES.values() if p.dunder}
    table.update({c.dunder: (c.fn, c.arity) for c in COMPOSED if c.dunder})
    return table


__all__ = ["Composed", "COMPOSED", "ufunc_table", "language_table", "dunder_table", "exp2", "square",
           "reciprocal", "deg2rad", "rad2deg", "positive", "trunc", "conjugate", "floor_divide",
           "float_power", "heaviside_ufunc"]
