"""Checking what users hand to the operators, and what their functions hand back.

Bad input gets an error that says what was wrong and where (which argument, which function), not
a traceback from deep inside an interpreter.
"""
from __future__ import annotations

import numbers
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import DifferentiationError, OutputTypeError
from .dispatch import Box, BoxArray

MODES = ("forward", "reverse")
_FLOAT = np.dtype(float)


def check_mode(mode: str) -> None:
    """A clear error for anything but 'forward' or 'reverse' (a point passed where the mode goes too)."""
    if not isinstance(mode, str):
        raise TypeError(f"mode must be 'forward' or 'reverse', got a {type(mode).__name__}: hd.grad(f) and "
                        f"hd.jacobian(f) return functions; call them at the point, e.g. hd.jacobian(f)(x)")
    if mode not in MODES:
        raise ValueError(f"mode must be 'forward' or 'reverse', got {mode!r}")


def is_scalar(x: Any) -> bool:
    """A number hybriddiff can differentiate at: int, float, complex, NumPy/mpmath number, or a box."""
    if isinstance(x, Box):
        return True
    if isinstance(x, (bool, np.bool_)):
        return False
    if isinstance(x, (numbers.Number, np.number)):
        return True
    return (type(x).__module__ or "").startswith("mpmath")


def _describe(x: Any) -> str:
    text = repr(x)
    return f"{type(x).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def name_of(f: Callable[..., Any]) -> str:
    return getattr(f, "__name__", None) or type(f).__name__


def as_point(x: Any, label: str, where: str) -> Any:
    """A float, complex, box or 1-D array (float, or object for nested boxes); else a clear error."""
    if type(x) is float or (type(x) is np.ndarray and x.dtype == _FLOAT and x.ndim == 1):
        return x   # the common case, checked first
    if is_scalar(x):
        return float(x) if isinstance(x, (int, np.integer)) else x
    if isinstance(x, (list, tuple, np.ndarray)):
        try:
            arr = np.asarray(x) if not isinstance(x, np.ndarray) else x
        except ValueError as exc:  # ragged lists
            raise TypeError(f"{where}: {label} is not a rectangular array: {exc}") from None
        if arr.ndim != 1:
            raise TypeError(f"{where}: {label} must be a number or a 1-D array, got an array of "
                            f"shape {arr.shape}")
        if arr.dtype == object or arr.dtype.kind not in "iufc":
            bad = [(i, v) for i, v in enumerate(arr.tolist() if arr.dtype != object else arr) if not is_scalar(v)]
            if bad:
                i, v = bad[0]
                raise TypeError(f"{where}: {label}[{i}] is a {_describe(v)}; expected a number")
            if arr.dtype != object:
                return arr.astype(float)
            return arr
        return arr.astype(float) if arr.dtype.kind in "iub" else arr
    raise TypeError(f"{where}: {label} is a {_describe(x)}; hybriddiff differentiates with respect "
                    f"to numbers or 1-D arrays of numbers")


class Args:
    """The positional arguments of one operator call, with the differentiated ones checked."""

    def __init__(self, f: Callable[..., Any], where: str, values: Sequence[Any],
                 argnums: int | Sequence[int] | None = None):
        if not callable(f):
            raise TypeError(f"{where}: expected a function to differentiate, got a {_describe(f)}")
        self.f, self.where = f, where
        values = list(values)
        self.single = argnums is None or isinstance(argnums, (int, np.integer))
        if argnums == 0 and type(argnums) is int and values:
            nums = [0]   # the default, always valid
        else:
            nums = range(len(values)) if argnums is None else _argnums(argnums, len(values), where, name_of(f))
        self.argnums = list(nums)
        for i in self.argnums:
            values[i] = as_point(values[i], f"argument {i} of {name_of(f)}", where)
        self.values = values
        self.plain = all(_plain(values[i]) for i in self.argnums)


def _plain(x: Any) -> bool:
    if isinstance(x, np.ndarray):
        return x.dtype != object
    return not isinstance(x, Box)


def _argnums(argnums: Any, n: int, where: str, fname: str) -> list[int]:
    items = [argnums] if isinstance(argnums, (int, np.integer)) else argnums
    if not isinstance(items, (list, tuple)) or not items or not all(
            isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in items):
        raise TypeError(f"{where}: argnums must be an int or a non-empty tuple of ints, got {argnums!r}")
    out = []
    for i in items:
        if not -n <= i < n:
            raise ValueError(f"{where}: argnums={argnums!r} but {fname} was called with {n} positional "
                             f"argument(s) (valid argnums: 0..{n - 1})")
        out.append(int(i) % n)
    if len(set(out)) != len(out):
        raise ValueError(f"{where}: argnums={argnums!r} repeats an argument")
    return out


def lift(x: Any, make: Callable[[Any, Any], Any], tangent: Any, label: str = "tangent",
         where: str = "") -> Any:
    """Wrap a point in boxes: a scalar becomes ``make(x, t)``, an array an object array of them."""
    if not isinstance(x, np.ndarray):
        return make(x, tangent)
    if tangent is None:
        tangents = [None] * len(x)
    else:
        tangents = np.broadcast_to(np.asarray(tangent, dtype=object if isinstance(tangent, np.ndarray)
                                              and tangent.dtype == object else None), x.shape)
        if np.shape(tangent) not in ((), x.shape):
            raise ValueError(f"{where}: {label} has shape {np.shape(tangent)}, its primal {x.shape}")
    out = np.empty(len(x), dtype=object).view(BoxArray)
    for i, (v, t) in enumerate(zip(x, tangents)):
        out[i] = make(v.item() if isinstance(v, np.generic) else v, t)
    return out


def call_function(f: Callable[..., Any], args: Sequence[Any], where: str) -> Any:
    """Call the user's f; an exception from inside it says so (and from where it was called)."""
    try:
        return f(*args)
    except DifferentiationError:
        raise
    except Exception as exc:
        raise function_raised(f, exc, where) from exc


def function_raised(f: Callable[..., Any], exc: Exception, where: str) -> DifferentiationError:
    """The error for an exception raised inside the user's f (``call_function``'s, for inlined calls)."""
    return DifferentiationError(f"{where}: {name_of(f)} raised {type(exc).__name__}: {exc}")


def _count(n: int) -> str:
    return "1 value (in a sequence)" if n == 1 else f"{n} values"


def scalar_output(out: Any, where: str) -> Any:
    """The one number a function returned (0-d arrays unwrapped); anything else is an error."""
    if isinstance(out, np.ndarray) and out.ndim == 0:
        out = out.item()
    if is_scalar(out):
        return out
    if isinstance(out, (list, tuple, np.ndarray)):
        raise OutputTypeError(
            f"{where}: the function returned {_count(len(out))}; it must return one number here "
            f"(use hd.jacobian for functions with several outputs, or index a one-element result)")
    raise OutputTypeError(f"{where}: the function returned a {_describe(out)}; a derivative "
                               f"needs a number")


def vector_outputs(out: Any, where: str) -> list:
    """The numbers of a list, tuple or 1-D array output."""
    if isinstance(out, np.ndarray) and out.ndim != 1:
        raise OutputTypeError(f"{where}: the function returned an array of shape {out.shape}; "
                                   f"expected a number or a 1-D sequence of numbers")
    items = list(out)
    for i, item in enumerate(items):
        if isinstance(item, np.ndarray) and item.ndim == 0:
            items[i] = item = item.item()
        if not is_scalar(item):
            raise OutputTypeError(f"{where}: output {i} of the function is a {_describe(item)}; "
                                       f"expected a number")
    return items
