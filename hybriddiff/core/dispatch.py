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

import gc
import itertools
import threading
from numbers import Number
from typing import Any, Callable, Protocol, Sequence

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


class _LargeGraphs:
    """``gc_paused()``: the cyclic garbage collector pauses while a large graph is built, and only then.

    Building a million nodes allocates millions of tracked objects, and every full collection walks
    all of them: with the collector on, building takes about twice as long (1.9 s against 0.9 s for
    a million-node reverse tape). Nothing here creates cycles, so pausing is safe. But a small
    function should not pay for it, nor switch off a process-wide setting: an operator only marks
    itself active (a counter), and the first collection that *starts* while one is active (Python
    runs one per ~700 net allocations: so only once a graph grows) switches the collector off until
    the last active operator, in any thread, finishes.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active: list[None] = []  # one entry per running operator (append and pop are atomic)
        self.paused = False           # whether this switched the collector off (and must restore it)
        gc.callbacks.append(self._on_collection)

    def _on_collection(self, phase: str, info: dict) -> None:
        if phase == "start" and self.active and not self.paused and gc.isenabled():
            with self.lock:
                if self.active and not self.paused:
                    gc.disable()
                    self.paused = True

    def __enter__(self) -> None:
        self.active.append(None)

    def __exit__(self, *exc: Any) -> None:
        self.active.pop()
        if self.paused:
            self.resume()

    def resume(self) -> None:
        """Switch the collector back on if this paused it and no operator is active any more."""
        if not self.active:
            with self.lock:
                if self.paused and not self.active:
                    self.paused = False
                    gc.enable()


_LARGE_GRAPHS = _LargeGraphs()


def gc_paused() -> _LargeGraphs:
    """A context manager: the collector pauses if the graph built inside it grows large (see
    ``_LargeGraphs``); for a small function it costs a counter and never touches the collector.

    >>> import gc
    >>> with gc_paused():
    ...     small = [object() for _ in range(10)]
    ...     still_on = gc.isenabled()
    >>> still_on
    True
    """
    return _LARGE_GRAPHS


def level_of(x: Any) -> int:
    """The nesting level of a value: -1 for anything that is not a box."""
    return x._level if isinstance(x, Box) else -1


def bind(prim: Primitive, *args: Any) -> Any:
    """Apply ``prim`` to ``args``: the box of highest level interprets it, else compute a number.

    Arrays meeting boxes (``x * A`` for a float array ``A``, or object arrays of boxes) are taken
    element by element, as ``A * x`` is: the result is a ``BoxArray``, never one box holding an array.

    >>> from hybriddiff.core import primitives as P
    >>> bind(P.mul, 3.0, 4.0)
    12.0
    """
    top = None
    top_level = -1
    array = False
    for a in args:
        if type(a) is float:   # the common plain value: neither a box nor an array
            continue
        if isinstance(a, Box):
            lvl = a._level
            if lvl > top_level:
                top, top_level = a, lvl
            elif lvl == top_level and type(a) is not type(top):
                raise LevelMixError(
                    f"hd.{prim.name}: a {type(top).__name__} and a {type(a).__name__} were built at "
                    f"the same nesting level; wrap one in the other (e.g. hd.Variable(hd.Dual(...))) "
                    f"or use the operators hd.grad / hd.jvp, which nest correctly")
        elif isinstance(a, np.ndarray):
            if a.dtype == object:
                return _bind_elementwise(prim, args)
            array = True
    if top is None:
        return compute(prim, args)
    if array:
        return _bind_elementwise(prim, args)
    return top._hd_apply(prim, args)


_FLOATS = (float, int)


def _bind_elementwise(prim: Primitive, args: Sequence[Any]) -> Any:
    """Arrays with boxes apply ``prim`` element by element, as NumPy's object loops do."""
    if all(not isinstance(a, np.ndarray) or a.ndim == 0 for a in args):
        return bind(prim, *[a.item() if isinstance(a, np.ndarray) else a for a in args])
    return elementwise(lambda *xs: bind(prim, *xs), args)


def elementwise(fn: Callable[..., Any], args: Sequence[Any]) -> Any:
    """``fn`` on each element, broadcasting as NumPy does; an array result is a ``BoxArray``."""
    wrapped = []
    for a in args:
        if isinstance(a, np.ndarray):
            wrapped.append(a.view(np.ndarray) if type(a) is not np.ndarray else a)
        else:  # a 0-d object array, so NumPy does not hand the box back to __array_ufunc__
            cell = np.empty((), dtype=object)
            cell[()] = a
            wrapped.append(cell)
    out = np.frompyfunc(fn, len(args), 1)(*wrapped)
    return out.view(BoxArray) if isinstance(out, np.ndarray) else out


class BoxArray(np.ndarray):
    """An object array of hybriddiff values: what array arguments of f become, and what operations
    mixing boxes with arrays return. NumPy's ufuncs on it apply element by element, so each element
    interprets them as it does alone (``np.floor(v)``, ``np.arctan2(1.5, v)``, ``np.logaddexp(v, w)``);
    reductions (``np.sum``) and the rest run NumPy's object loops, which call the elements' operators.

    >>> import numpy as np, hybriddiff as hd
    >>> v = np.array([hd.Dual(0.3, 1.0), hd.Dual(0.7, 0.0)], dtype=object).view(BoxArray)
    >>> [d.tangent for d in np.arctan2(1.5, v)]
    [-0.641025641025641, -0.0]
    """

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        plain = [a.view(np.ndarray) if isinstance(a, BoxArray) else a for a in inputs]
        out = kwargs.pop("out", None)
        if ufunc is np.matmul and method == "__call__" and out is None:
            # not elementwise: NumPy's object loop of matmul sums the elements' own products
            result = np.matmul(*[np.asarray(a, dtype=object) for a in plain], **kwargs)
            return result.view(BoxArray) if isinstance(result, np.ndarray) and result.ndim else result
        if method != "__call__" or kwargs or ufunc.nout != 1:
            if out is not None:
                kwargs["out"] = tuple(o.view(np.ndarray) if isinstance(o, BoxArray) else o for o in out)
            result = getattr(ufunc, method)(*plain, **kwargs)
            return result.view(BoxArray) if type(result) is np.ndarray and result.dtype == object else result
        result = elementwise(ufunc, plain)
        if isinstance(result, np.ndarray) and result.size and all(
                isinstance(r, (bool, np.bool_)) for r in result.flat):
            result = result.view(np.ndarray).astype(bool)   # comparisons answer with booleans
        if out is not None:
            out[0][...] = result
            return out[0]
        return result

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if func is np.nan_to_num:
            return nan_to_num(*args, **kwargs)
        return super().__array_function__(func, types, args, kwargs)


def nan_to_num(x: Any, copy: bool = True, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Any:
    """``np.nan_to_num`` on hybriddiff values, decided on the primal value: a replaced value is a
    constant (derivative 0), a kept one keeps its derivative. (NumPy's own leaves object arrays
    unchanged.) Traced values record the decision as a guard.

    >>> import hybriddiff as hd
    >>> hd.grad(lambda x: np.nan_to_num(x * np.inf) * 2)(3.0), hd.grad(lambda x: np.nan_to_num(x) * 2)(3.0)
    (0.0, 2.0)
    """
    big = float(np.finfo(float).max)
    high = big if posinf is None else float(posinf)
    low = -big if neginf is None else float(neginf)

    def one(e: Any) -> Any:
        if e != e:
            return float(nan)
        if e == np.inf:
            return high
        if e == -np.inf:
            return low
        return e
    return elementwise(one, [x]) if isinstance(x, np.ndarray) else one(x)

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


def constant_result(prim: Primitive, args: Sequence[Any], primal: Any) -> Any:
    """The result as a plain constant where its derivative is 0 for sure, else None: a
    piecewise-constant primitive at ``primal`` (so 0 * inf never makes a locally constant f nan),
    or a strong zero's plain first argument 0 (``xmul(0, y)`` is exactly 0 whatever y does). The
    eager modes return it instead of a box.

    >>> from hybriddiff.core import primitives as P
    >>> constant_result(P.floor, (None,), 2.5), constant_result(P.xmul, (0, None), None), constant_result(P.sin, (None,), 1.0)
    (2.0, 0.0, None)
    """
    if prim.piecewise_constant:
        return prim(primal)
    if prim.strong_zero and type(args[0]) in (int, float) and args[0] == 0:
        return 0.0
    return None


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


__all__ = ["Box", "BoxArray", "nan_to_num", "bind", "compute", "constant_result", "elementwise", "gc_paused", "new_level", "level_of",
           "partials_at"]
