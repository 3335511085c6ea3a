"""Operator overloading and NumPy ufunc support shared by every box type, all through ``bind``.

``Operators`` gives ``Dual``, ``Variable`` and graph tracers the same ``+ - * / ** % //``, ``abs``,
comparisons (on the primal value), ``__array_ufunc__`` (so ``np.exp(x)`` means ``hd.exp(x)``) and the
ufunc-named methods NumPy calls on object arrays. Which operator and which ufunc reach which
function is read from the records (``functions.py``): nothing here names a primitive.
"""
from __future__ import annotations

import operator
from typing import Any, Callable

import numpy as np

from ..errors import UnsupportedOperationError
from .dispatch import Box, BoxArray, elementwise, nan_to_num
from .functions import REBUILT, dunder_table, ufunc_table

_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "less": operator.lt, "less_equal": operator.le, "greater": operator.gt,
    "greater_equal": operator.ge, "equal": operator.eq, "not_equal": operator.ne,
}


def _object(a: Any) -> Any:
    """A value as NumPy's object loops take it: a box as a 0-d object array, arrays as plain arrays."""
    if isinstance(a, Box):
        cell = np.empty((), dtype=object)
        cell[()] = a
        return cell
    return a.view(np.ndarray) if isinstance(a, BoxArray) else a


def _apply_ufunc(ufunc: np.ufunc, fn: Callable[..., Any], inputs: tuple) -> Any:
    """Scalars go straight to ``fn``; arrays apply it elementwise, as NumPy does on object arrays."""
    inputs = tuple(a.item() if isinstance(a, np.ndarray) and a.ndim == 0 else a for a in inputs)
    if not any(isinstance(a, np.ndarray) for a in inputs):
        return fn(*inputs)
    return elementwise(fn, inputs)


_LOOP_NAMES: set[str] = set()   # the methods NumPy's object loops call (x.exp()): kept out of dir()


class _QuietLoops(type):
    """The boxes' metaclass: ``dir()`` (and so ``help()``) leaves out the ufunc-named methods that
    NumPy's object-dtype loops call (``x.exp()``, ``x.arctan2(y)``: one per supported ufunc).

    They are real methods rather than a ``__getattr__``: a class with ``__getattr__`` makes CPython
    3.11 give up specialising every attribute access on its instances, which cost the float fast
    paths about 40% (``benchmarks/RESULTS.md``, issue 15).
    """

    def __dir__(cls) -> list[str]:
        return sorted(name for name in super().__dir__() if name not in _LOOP_NAMES)


class Operators(metaclass=_QuietLoops):
    """Python operators and NumPy protocols for box types; each one is a call of ``bind``."""

    __slots__ = ()
    __array_priority__ = 1000.0  # NumPy defers binary operators with arrays to us
    # What NumPy code asks of an element it took out of an object array (np.sinc reads x.dtype).
    dtype = np.dtype(object)
    ndim = 0
    shape = ()

    def __pos__(self): return self

    # hybriddiff values are real numbers (the complex step's Analytic refuses these): what NumPy's
    # var, std, real, imag and conj ask of an element
    @property
    def real(self): return self

    @property
    def imag(self): return 0.0

    def conjugate(self): return self

    conj = conjugate

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

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        """NumPy functions given a hybriddiff value run as they would on an object array, except
        ``np.nan_to_num``, which decides on the primal value (NumPy's would do nothing)."""
        if func is np.nan_to_num:
            return nan_to_num(*args, **kwargs)
        return func._implementation(*args, **kwargs)

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        name = ufunc.__name__
        if method != "__call__" or kwargs:
            # reductions (np.sum of one value), out=, where=: NumPy's object loops, which call the
            # values' own operators
            plain = [_object(a) for a in inputs]
            if "out" in kwargs:
                kwargs["out"] = tuple(_object(o) for o in kwargs["out"])
            result = getattr(ufunc, method)(*plain, **kwargs)
            if isinstance(result, np.ndarray) and result.dtype == object:
                return result[()] if result.ndim == 0 else result.view(BoxArray)
            return result
        if name in _COMPARISONS:
            return _apply_ufunc(ufunc, _COMPARISONS[name], inputs)
        fn = ufunc_table().get(name)
        if fn is None:
            raise UnsupportedOperationError(
                f"NumPy's {name!r} has no differentiation rule in hybriddiff; supported ufuncs: "
                f"{', '.join(sorted(ufunc_table()))}")
        return _apply_ufunc(ufunc, fn, inputs)


def _method(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    def method(self, *others):
        return fn(self, *others)
    method.__name__ = name
    return method


def _binary(fn: Callable[..., Any], stem: str, reflected: bool) -> Callable[..., Any]:
    if reflected:
        def method(self, other):
            return fn(other, self)
    else:
        def method(self, other, *modulo):
            if modulo:  # pow(x, y, m): Python's three-argument power
                raise UnsupportedOperationError(f"{stem}(x, y, modulo) has no derivative rule")
            return fn(self, other)
    method.__name__ = f"__{'r' if reflected else ''}{stem}__"
    return method


def _install() -> None:
    """Python's operators from the records' ``dunder`` fields (``fastpath`` then replaces them on Dual
    and Variable with generated float paths)."""
    for stem, (fn, arity) in dunder_table().items():
        if arity == 1:
            method = _method(fn, f"__{stem}__")
            method.__doc__ = f"{stem}(x) through hybriddiff's {getattr(fn, 'name', stem)}."
            setattr(Operators, f"__{stem}__", method)
        else:
            setattr(Operators, f"__{stem}__", _binary(fn, stem, False))
            setattr(Operators, f"__r{stem}__", _binary(fn, stem, True))


_install()


def install_loop_methods(table: dict[str, Callable[..., Any]]) -> None:
    """Every supported ufunc as a method of its name, for NumPy's object loops (again whenever the
    table grows: ``functions.ufunc_table`` calls this with each new table)."""
    for name, fn in table.items():
        if name not in Operators.__dict__ or name in _LOOP_NAMES:
            setattr(Operators, name, _method(fn, name))
            _LOOP_NAMES.add(name)


REBUILT.append(install_loop_methods)
install_loop_methods(ufunc_table())


def is_box(x: Any) -> bool:
    """True for hybriddiff's differentiable values (Dual, Variable, traced values)."""
    return isinstance(x, Box)


__all__ = ["Operators", "is_box"]
