"""Operator overloading and NumPy ufunc support shared by every box type, all through ``bind``.

``Operators`` gives ``Dual``, ``Variable`` and graph tracers the same ``+ - * / ** %``, ``abs``,
comparisons (on the primal value), ``__array_ufunc__`` (so ``np.exp(x)`` means ``hd.exp(x)``) and the
ufunc-named methods NumPy calls on object arrays. Functions NumPy has that are not primitives are
composed here from primitives, only where composing costs no accuracy.
"""
from __future__ import annotations

import math
import operator
from typing import Any, Callable

import numpy as np

from . import primitives as P
from .core import Box, bind, elementwise
from .errors import UnsupportedOperationError

_LN2 = math.log(2)


# ---------------------------------------------------------------- composed functions
def exp2(x: Any) -> Any:
    """2**x. >>> import hybriddiff as hd; hd.exp2(3.0) -> 8.0"""
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


def fmod(x: Any, y: Any) -> Any:
    """C-style remainder (sign of x): sign(x) * (|x| mod |y|), exact in floating point."""
    return P.mul(P.sign(x), P.mod(P.abs(x), P.abs(y)))


def logaddexp(x: Any, y: Any) -> Any:
    """log(exp(x) + exp(y)) without overflow: max(x, y) + log1p(exp(-|x - y|))."""
    return P.add(P.maximum(x, y), P.log1p(P.exp(P.neg(P.abs(P.sub(x, y))))))


def logaddexp2(x: Any, y: Any) -> Any:
    """log2(2**x + 2**y) without overflow."""
    return P.add(P.maximum(x, y), P.div(P.log1p(exp2(P.neg(P.abs(P.sub(x, y))))), P.log(2)))


def float_power(x: Any, y: Any) -> Any:
    """x**y in floating point."""
    return P.pow(x, y)


def fabs(x: Any) -> Any:
    """|x| for real x."""
    return P.abs(x)


# NumPy ufunc name -> hybriddiff function. Comparisons answer on the primal value.
UFUNCS: dict[str, Callable[..., Any]] = {
    "add": P.add, "subtract": P.sub, "multiply": P.mul, "divide": P.div, "true_divide": P.div,
    "negative": P.neg, "positive": positive, "power": P.pow, "float_power": float_power,
    "mod": P.mod, "remainder": P.mod, "fmod": fmod,
    "exp": P.exp, "exp2": exp2, "expm1": P.expm1, "log": P.log, "log2": P.log2, "log10": P.log10,
    "log1p": P.log1p, "logaddexp": logaddexp, "logaddexp2": logaddexp2,
    "sqrt": P.sqrt, "cbrt": P.cbrt, "square": square, "reciprocal": reciprocal,
    "sin": P.sin, "cos": P.cos, "tan": P.tan, "arcsin": P.arcsin, "arccos": P.arccos,
    "arctan": P.arctan, "arctan2": P.arctan2, "sinh": P.sinh, "cosh": P.cosh, "tanh": P.tanh,
    "arcsinh": P.arcsinh, "arccosh": P.arccosh, "arctanh": P.arctanh,
    "absolute": P.abs, "fabs": fabs, "hypot": P.hypot, "maximum": P.maximum, "minimum": P.minimum,
    "fmax": P.maximum, "fmin": P.minimum, "sign": P.sign, "heaviside": None,
    "floor": P.floor, "ceil": P.ceil, "trunc": trunc, "deg2rad": deg2rad, "radians": deg2rad,
    "rad2deg": rad2deg, "degrees": rad2deg,
}
_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "less": operator.lt, "less_equal": operator.le, "greater": operator.gt,
    "greater_equal": operator.ge, "equal": operator.eq, "not_equal": operator.ne,
}


def _heaviside_ufunc(x: Any, h0: Any) -> Any:
    if h0 != 0.5:
        raise UnsupportedOperationError(
            f"np.heaviside(x, {h0!r}): only h0 = 0.5 is supported (hybriddiff's tie convention)")
    return P.heaviside(x)


UFUNCS["heaviside"] = _heaviside_ufunc


def _apply_ufunc(ufunc: np.ufunc, fn: Callable[..., Any], inputs: tuple) -> Any:
    """Scalars go straight to ``fn``; arrays apply it elementwise, as NumPy does on object arrays."""
    inputs = tuple(a.item() if isinstance(a, np.ndarray) and a.ndim == 0 else a for a in inputs)
    if not any(isinstance(a, np.ndarray) for a in inputs):
        return fn(*inputs)
    return elementwise(fn, inputs)


class Operators:
    """Python operators and NumPy protocols for box types; each one is a call of ``bind``."""

    __slots__ = ()
    __array_priority__ = 1000.0  # NumPy defers binary operators with arrays to us
    # What NumPy code asks of an element it took out of an object array (np.sinc reads x.dtype).
    dtype = np.dtype(object)
    ndim = 0
    shape = ()

    def __add__(self, other): return bind(P.add, self, other)
    def __radd__(self, other): return bind(P.add, other, self)
    def __sub__(self, other): return bind(P.sub, self, other)
    def __rsub__(self, other): return bind(P.sub, other, self)
    def __mul__(self, other): return bind(P.mul, self, other)
    def __rmul__(self, other): return bind(P.mul, other, self)
    def __truediv__(self, other): return bind(P.div, self, other)
    def __rtruediv__(self, other): return bind(P.div, other, self)
    def __pow__(self, other, modulo=None):
        if modulo is not None:
            raise UnsupportedOperationError("pow(x, y, modulo) has no derivative rule")
        return bind(P.pow, self, other)
    def __rpow__(self, other): return bind(P.pow, other, self)
    def __mod__(self, other): return bind(P.mod, self, other)
    def __rmod__(self, other): return bind(P.mod, other, self)
    def __floordiv__(self, other): return bind(P.floor, bind(P.div, self, other))
    def __rfloordiv__(self, other): return bind(P.floor, bind(P.div, other, self))
    def __neg__(self): return bind(P.neg, self)
    def __pos__(self): return self
    def __abs__(self): return bind(P.abs, self)

    def __lt__(self, other): return self._hd_compare(operator.lt, other, "<")
    def __le__(self, other): return self._hd_compare(operator.le, other, "<=")
    def __gt__(self, other): return self._hd_compare(operator.gt, other, ">")
    def __ge__(self, other): return self._hd_compare(operator.ge, other, ">=")
    def __eq__(self, other): return self._hd_compare(operator.eq, other, "==")
    def __ne__(self, other): return self._hd_compare(operator.ne, other, "!=")
    def __bool__(self): return self._hd_compare(operator.ne, 0, "!=")
    __hash__ = object.__hash__

    def __float__(self):
        raise UnsupportedOperationError(
            f"float() of a hybriddiff value ({type(self).__name__}) would drop what it carries; use "
            f"hd.exp, hd.sin, ... (or np.exp, ...) instead of math.exp, math.sin, ..., or read "
            f".value explicitly")
    __int__ = __index__ = __complex__ = __float__

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        name = ufunc.__name__
        if method != "__call__" or kwargs.get("out") is not None or kwargs.get("where") is not None:
            raise UnsupportedOperationError(
                f"np.{name}.{method} (or out=/where=) is not supported on hybriddiff values; "
                f"call np.{name}(...) plainly")
        if name in _COMPARISONS:
            return _apply_ufunc(ufunc, _COMPARISONS[name], inputs)
        fn = UFUNCS.get(name)
        if fn is None:
            raise UnsupportedOperationError(
                f"NumPy's {name!r} has no differentiation rule in hybriddiff; supported ufuncs: "
                f"{', '.join(sorted(UFUNCS))}")
        return _apply_ufunc(ufunc, fn, inputs)


def _method(fn: Callable[..., Any]) -> Callable[..., Any]:
    def method(self, *others):
        return fn(self, *others)
    method.__name__ = fn.__name__
    method.__doc__ = f"NumPy calls this on object arrays: np.{fn.__name__}(x)."
    return method


# NumPy's object-dtype loops call x.exp(), x.arctan2(y), ...: give them every supported ufunc.
for _name, _fn in UFUNCS.items():
    if _fn is not None and not hasattr(Operators, _name):
        setattr(Operators, _name, _method(_fn))
del _name, _fn


def is_box(x: Any) -> bool:
    """True for hybriddiff's differentiable values (Dual, Variable, traced values)."""
    return isinstance(x, Box)
