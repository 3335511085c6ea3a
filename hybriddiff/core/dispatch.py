"""The one dispatch point, ``bind(prim, *args)``: nesting levels, boxes, and plain computation.

Every operation on every kind of value goes through ``bind``. Plain numbers are computed (the math
module for Python floats, NumPy for arrays and complex numbers, mpmath for its numbers, SymPy for
its expressions); differentiable values ("boxes": ``Dual``, ``Variable``, graph tracers) carry a
nesting *level*, and the box with the highest level interprets the operation, treating every other
argument as a constant. That is what keeps ``hd.grad(hd.grad(f))`` free of perturbation confusion.
The records dispatched on are ``Primitive``s (``record.py``, which imports this module); what this
module needs of them is the ``Primitive`` protocol below.
"""
from __future__ import annotations

import contextlib
import gc
import itertools
import threading
from numbers import Number
from typing import Any, Callable, Iterator, Protocol, Sequence

import numpy as np

from ..errors import LevelMixError

# Transform levels: each call of an operator (jvp, grad, trace, ...) takes a fresh, larger number,
# so a box created inside another transform always outranks the boxes of the enclosing one.
# itertools.count is atomic under the GIL: no lock, no other shared state.
_LEVELS = itertools.count(1000)


class Primitive(Protocol):
    """What dispatch reads of a primitive record (``record.Primitive`` is the one implementation)."""

    name: str
    numpy: Callable[..., Any]
    mpmath: Callable[..., Any]
    sympy: Callable[..., Any]
    scalar: Callable[..., Any] | None
    partials: tuple[Callable[..., Any], ...]


def new_level() -> int:
    """A fresh nesting level, higher than every level handed out before."""
    return next(_LEVELS)


class Box:
    """Base of differentiable values. Subclasses set ``_level`` and implement ``_hd_apply``."""

    __slots__ = ()
    _level: int

    def _hd_apply(self, prim: Primitive, args: tuple) -> Any:  # pragma: no cover - abstract
        raise TypeError(f"{type(self).__name__} must define _hd_apply (how it interprets {prim.name})")

    def _hd_compare(self, op: Callable[[Any, Any], bool], other: Any, name: str) -> bool:  # pragma: no cover
        raise TypeError(f"{type(self).__name__} must define _hd_compare (how it compares with {name})")


_GC_LOCK = threading.Lock()
_GC_PAUSES = [0, False]  # how many builders are running; whether the collector was on before


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a big graph is built.

    Building a million nodes allocates millions of tracked objects; each full collection then walks
    all of them, which makes building quadratic. Nothing here creates cycles, so pausing is safe;
    the previous state is restored when the last builder (in any thread) finishes.
    """
    with _GC_LOCK:
        if _GC_PAUSES[0] == 0:
            _GC_PAUSES[1] = gc.isenabled()
            gc.disable()
        _GC_PAUSES[0] += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_PAUSES[0] -= 1
            if _GC_PAUSES[0] == 0 and _GC_PAUSES[1]:
                gc.enable()


def level_of(x: Any) -> int:
    """The nesting level of a value: -1 for anything that is not a box."""
    return x._level if isinstance(x, Box) else -1


def bind(prim: Primitive, *args: Any) -> Any:
    """Apply ``prim`` to ``args``: the box of highest level interprets it, else compute a number.

    >>> from hybriddiff.core import primitives as P
    >>> bind(P.mul, 3.0, 4.0)
    12.0
    """
    top = None
    top_level = -1
    for a in args:
        if type(a) is np.ndarray and a.dtype == object:
            return _bind_elementwise(prim, args)
        if isinstance(a, Box):
            lvl = a._level
            if lvl > top_level:
                top, top_level = a, lvl
            elif lvl == top_level and type(a) is not type(top):
                raise LevelMixError(
                    f"hd.{prim.name}: a {type(top).__name__} and a {type(a).__name__} were built at "
                    f"the same nesting level; wrap one in the other (e.g. hd.Variable(hd.Dual(...))) "
                    f"or use the operators hd.grad / hd.jvp, which nest correctly")
    if top is None:
        return compute(prim, args)
    return top._hd_apply(prim, args)


_FLOATS = (float, int)


def _bind_elementwise(prim: Primitive, args: Sequence[Any]) -> Any:
    """Object arrays (of boxes) apply ``prim`` element by element, as NumPy's object loops do."""
    if all(not isinstance(a, np.ndarray) or a.ndim == 0 for a in args):
        return bind(prim, *[a.item() if isinstance(a, np.ndarray) else a for a in args])
    return elementwise(lambda *xs: bind(prim, *xs), args)


def elementwise(fn: Callable[..., Any], args: Sequence[Any]) -> np.ndarray:
    """``fn`` on each element, broadcasting as NumPy does; the result is an object array."""
    wrapped = []
    for a in args:
        if isinstance(a, np.ndarray):
            wrapped.append(a)
        else:  # a 0-d object array, so NumPy does not hand the box back to __array_ufunc__
            cell = np.empty((), dtype=object)
            cell[()] = a
            wrapped.append(cell)
    return np.frompyfunc(fn, len(args), 1)(*wrapped)


def compute(prim: Primitive, args: Sequence[Any]) -> Any:
    """``prim`` on plain values (no boxes): Python numbers, NumPy, mpmath or SymPy."""
    for a in args:
        if type(a) is not float and type(a) is not int:
            break
    else:
        if prim.scalar is not None:
            try:
                return prim.scalar(*args)
            except (ArithmeticError, ValueError):
                pass  # outside the math module's domain: NumPy gives nan/inf and a warning
        return _to_python(prim.numpy(*[np.float64(a) for a in args]))
    kind = _kind(prim, args)
    if kind == "numpy":
        return prim.numpy(*args)
    if kind == "mpmath":
        return prim.mpmath(*args)
    return prim.sympy(*args)


def _to_python(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    return x


def _kind(prim: Primitive, args: Sequence[Any]) -> str:
    kind = "numpy"
    for i, a in enumerate(args):
        module = type(a).__module__ or ""
        if module.startswith("mpmath"):  # (mpmath registers its numbers as numbers.Number)
            kind = "mpmath" if kind != "sympy" else kind
        elif module.startswith("sympy"):
            kind = "sympy"
        elif not isinstance(a, (Number, np.ndarray, np.generic)):
            raise TypeError(
                f"hd.{prim.name}: argument {i + 1} is a {type(a).__name__} ({_short(a)}); "
                f"expected a number, a NumPy array, an mpmath or SymPy number, or a hybriddiff value")
    if kind == "mpmath":
        # mpmath functions accept Python numbers too; keep NumPy arrays out of them.
        for a in args:
            if isinstance(a, np.ndarray):
                raise TypeError(f"hd.{prim.name}: cannot mix mpmath numbers with NumPy arrays")
    return kind


def _short(a: Any) -> str:
    text = repr(a)
    return text if len(text) <= 40 else text[:37] + "..."


def partials_at(prim: Primitive, i: int, primals: Sequence[Any], out: Any) -> Any:
    """d out / d arg_i at plain or boxed primals; float arithmetic errors follow NumPy (inf/nan)."""
    try:
        return prim.partials[i](*primals, out)
    except (ArithmeticError, ValueError):
        # Python floats raise on 1/0.0 and overflow where NumPy returns inf/nan with a warning;
        # redo the rule in NumPy scalars so every mode gives the same documented values.
        if not all(isinstance(p, _FLOATS) for p in (*primals, out)):
            raise
        np_args = [np.float64(p) for p in (*primals, out)]
        return _to_python(prim.partials[i](*np_args))


__all__ = ["Box", "bind", "compute", "elementwise", "gc_paused", "new_level", "level_of", "partials_at"]
