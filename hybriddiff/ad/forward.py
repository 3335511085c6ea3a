"""Forward mode: dual numbers carry a value and its tangent (``x_dot``) through every operation.

The rule for every primitive is the same line: ``out_dot = sum(partial_i * arg_i_dot)`` with the
partials of the primitive table. A tangent may be a NumPy vector: one pass then pushes several
directions at once (the columns of a Jacobian).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..core import fastpath
from ..core.dispatch import Box, bind, constant_result, partials_at
from ..core.overloads import Operators
from ..core.record import Primitive

EAGER_LEVEL = 1  # level of a Dual built by hand from plain numbers


class Dual(Operators, Box):
    """A dual number ``value + tangent * eps`` (eps**2 = 0): the seed's ``Var`` done properly.

    >>> import hybriddiff as hd
    >>> x = hd.Dual(2.0, 1.0)
    >>> y = hd.exp(x * x - x) / x
    >>> round(y.value, 12), round(y.tangent, 12)
    (3.694528049465, 9.236320123663)
    """

    __slots__ = ("value", "tangent", "_level")

    def __init__(self, value: Any, tangent: Any = 1.0, level: int | None = None):
        if type(value) is float and level is None and type(tangent) is float:
            self.value, self.tangent, self._level = value, tangent, EAGER_LEVEL
            return
        if type(value) is np.float64:  # NumPy's scalars from iterating an array: the float fast paths
            value = float(value)
        if isinstance(value, str) or isinstance(tangent, str):
            raise TypeError(f"hd.Dual needs numbers, got value={value!r}, tangent={tangent!r}")
        self.value = value
        self.tangent = tangent
        if level is None:
            inner = max(getattr(value, "_level", -1), getattr(tangent, "_level", -1))
            level = max(EAGER_LEVEL, inner + 1)
        self._level = level

    def _hd_apply(self, prim: Primitive, args: tuple) -> "Dual":
        # out_dot = sum(partial_i * arg_i_dot) over the arguments of this level; the arity-1 and
        # arity-2 branches are the same rule unrolled (this is the hot path of forward mode).
        level = self._level
        if prim.piecewise_constant or prim.strong_zero:   # maybe a constant (derivative 0 for sure)
            constant = constant_result(prim, args, self.value)
            if constant is not None:
                return constant
        if len(args) == 1:
            x = self.value
            out = prim(x)
            try:
                out_dot = prim.partials[0](x, out) * self.tangent
            except (ArithmeticError, ValueError):
                out_dot = partials_at(prim, 0, (x,), out) * self.tangent
            return make_dual(out, out_dot, level)
        if len(args) == 2:
            a, b = args
            a_in = type(a) is Dual and a._level == level
            b_in = type(b) is Dual and b._level == level
            x = a.value if a_in else a
            y = b.value if b_in else b
            out = prim(x, y)
            primals = (x, y)
            try:
                if a_in:
                    out_dot = prim.partials[0](x, y, out) * a.tangent
                    if b_in:
                        out_dot = out_dot + prim.partials[1](x, y, out) * b.tangent
                else:
                    out_dot = prim.partials[1](x, y, out) * b.tangent
            except (ArithmeticError, ValueError):
                out_dot = _tangent(prim, (a, b), primals, out, level)
            return make_dual(out, out_dot, level)
        primals = [a.value if type(a) is Dual and a._level == level else a for a in args]
        out = bind(prim, *primals)
        return make_dual(out, _tangent(prim, args, primals, out, level), level)

    def _hd_compare(self, op: Callable[[Any, Any], bool], other: Any, name: str) -> bool:
        if type(other) is Dual and other._level == self._level:
            other = other.value
        return op(self.value, other)

    def __repr__(self) -> str:
        return f"Dual(value={self.value!r}, tangent={self.tangent!r})"

    __str__ = __repr__


def make_dual(value: Any, tangent: Any, level: int) -> Dual:
    """A Dual at a given level, without the constructor's checks (the operators' and fast paths' own)."""
    dual = _new(Dual)
    dual.value, dual.tangent, dual._level = value, tangent, level
    return dual


_new = object.__new__


def _tangent(prim: Primitive, args: tuple, primals: Any, out: Any, level: int) -> Any:
    out_dot = None
    for i, a in enumerate(args):
        if type(a) is Dual and a._level == level:
            term = partials_at(prim, i, primals, out) * a.tangent
            out_dot = term if out_dot is None else out_dot + term
    return out_dot


def primal_and_tangent(out: Any, level: int, zero: Any = 0.0) -> tuple[Any, Any]:
    """Split an output of a forward pass at ``level``; anything else has tangent ``zero``."""
    if type(out) is Dual and out._level == level:
        return out.value, out.tangent
    return out, zero


__all__ = ["Dual", "primal_and_tangent", "make_dual"]


fastpath.install(Dual, "dual", {"Box_": Dual, "_make": make_dual})
