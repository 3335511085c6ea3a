"""What a user hands to ``hd.report`` (a name, a function or expression text, a point), as one record
that keeps the variables' names: ``x1 = 2, x2 = 5`` in titles, trace tables and drawings alike.

The point may be a number, a sequence or 1-D array, or a dict by name; the function an expression
in hybriddiff's language, or any Python function of one or several arguments (each a number, or one
array argument). ``flat_function`` is how the comparison sees several arguments: one flat array.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from ..display.format import full_value
from ..parse import parse_expression


@dataclass
class Entry:
    """One function of a report: its label, its variables' names, f with one argument per name,
    the point (one value per name: a float or a 1-D float array) and f's formula as text."""

    label: str
    names: list[str]
    function: Callable[..., Any]
    values: list[Any]
    formula: str = ""

    def point_text(self) -> str:
        """``x1 = 2.0, x2 = 5.0``."""
        return point_text(self.names, self.values)

    def table_point(self) -> Any:
        """The point as the trace tables take it (one value, or a tuple with one per argument)."""
        return self.values[0] if len(self.values) == 1 else tuple(self.values)

    def compare_input(self) -> tuple[Callable[..., Any], Any]:
        """(f, x) for ``hd.compare``: f itself for one argument, else f of one flat 1-D array."""
        return flat_function(self.function, self.values)

    def title(self, kind: str | None = None) -> str:
        """A comparison's title, the variables named: "gradient of baydin with respect to (x1, x2) at
        x1 = 2.0, x2 = 5.0"; ``kind`` as the comparison found it."""
        return title(kind, self.label, self.names, self.values)


def point_text(names: Sequence[str], values: Sequence[Any]) -> str:
    """``x1 = 2.0, x2 = 5.0``.

    >>> point_text(["x1", "x2"], [2.0, np.array([1.0, 2.0])])
    'x1 = 2.0, x2 = [1.0, 2.0]'
    >>> point_text(["x"], [np.linspace(-1.2, 1.0, 10)])
    'x = [-1.2, -0.955556, ..., 1] (10 values)'
    """
    return ", ".join(f"{n} = {_shown(v)}" for n, v in zip(names, values))


def _shown(value: Any) -> str:
    """A value in full; a long array by its first two and last entries and its length."""
    if np.ndim(value) == 1 and len(value) > 4:
        return f"[{value[0]:.6g}, {value[1]:.6g}, ..., {value[-1]:.6g}] ({len(value)} values)"
    return full_value(value)


def title(kind: str | None, label: str, names: Sequence[str], values: Sequence[Any]) -> str:
    """What a comparison of ``label`` at the point is called (shared with the command line).

    >>> title(None, "f", ["x"], [2.0]), title("gradient", "g", ["a", "b"], [1.0, 2.0])
    ('derivative of f at x = 2.0', 'gradient of g with respect to (a, b) at a = 1.0, b = 2.0')
    """
    if len(values) == 1:
        kind = kind or ("gradient" if np.ndim(values[0]) else "derivative")
        return f"{kind} of {label} at {point_text(names, values)}"
    kind = kind if kind not in (None, "derivative") else "gradient"
    return f"{kind} of {label} with respect to ({', '.join(names)}) at {point_text(names, values)}"


def flat_function(f: Callable[..., Any], values: Sequence[Any]) -> tuple[Callable[..., Any], Any]:
    """(f, x) for ``hd.compare``: f itself for one argument, else f of one flat 1-D array whose
    pieces are the arguments (numbers, or 1-D arrays of their length).

    >>> g, x = flat_function(lambda a, b: a * b.sum(), [2.0, np.array([1.0, 3.0])])
    >>> x.tolist(), float(g(x))
    ([2.0, 1.0, 3.0], 8.0)
    """
    if len(values) == 1:
        return f, values[0]
    sizes = [None if np.ndim(v) == 0 else len(v) for v in values]

    def flat(v: Any) -> Any:
        args, k = [], 0
        for size in sizes:
            args.append(v[k] if size is None else v[k:k + size])
            k += 1 if size is None else size
        return f(*args)

    flat.__name__ = flat.__qualname__ = getattr(f, "__name__", "f")
    return flat, np.concatenate([np.atleast_1d(np.asarray(v, dtype=float)) for v in values])


def entry(label: str, f: Callable[..., Any] | str, point: Any) -> Entry:
    """The record of one report entry; a clear error (naming the entry) for a point that does not fit.

    >>> e = entry("baydin", "ln(x1) + x1*x2 - sin(x2)", {"x1": 2, "x2": 5})
    >>> e.names, e.point_text(), e.formula
    (['x1', 'x2'], 'x1 = 2.0, x2 = 5.0', 'ln(x1) + x1*x2 - sin(x2)')
    >>> entry("rosenbrock", lambda x: x[0] ** 2, [1.0, 2.0]).point_text()
    'x = [1.0, 2.0]'
    """
    if not isinstance(label, str):
        raise TypeError(f"hd.report: each entry is (name, function, point); got the name {label!r}")
    if isinstance(f, str):
        expression = parse_expression(f, sort_variables=True)
        names = list(expression.variables)
        values = _values(label, names, point, arrays=False)
        return Entry(label, names, expression.as_function(name="f"), values, " ".join(f.split()))
    if not callable(f):
        raise TypeError(f"hd.report: entry {label!r}: expected a function or an expression, got a "
                        f"{type(f).__name__}")
    names = _parameters(f)
    if isinstance(point, dict):
        unknown = [n for n in point if names is not None and n not in names]
        if unknown:
            raise ValueError(f"hd.report: entry {label!r}: {', '.join(map(repr, unknown))} is not a "
                             f"parameter of {getattr(f, '__name__', 'the function')} ({', '.join(names or [])})")
        order = list(point) if names is None else names   # the function's own order
        values = _values(label, order, point, arrays=True)
        return Entry(label, order, f if order == names else _by_name(f, order), values)
    several = names is not None and len(names) > 1
    if several:
        return Entry(label, names, f, _values(label, names, point, arrays=True))
    name = names[0] if names else "x"
    return Entry(label, [name], f, [_number_or_array(label, name, point)])


def _parameters(f: Callable[..., Any]) -> list[str] | None:
    """The names of f's positional parameters without defaults (None if Python cannot tell)."""
    try:
        signature = inspect.signature(f)
    except (TypeError, ValueError):
        return None
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in signature.parameters.values() if p.kind in kinds and p.default is p.empty]


def _by_name(f: Callable[..., Any], names: list[str]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        return f(**dict(zip(names, args)))
    call.__name__ = call.__qualname__ = getattr(f, "__name__", "f")
    call.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])
    return call


def _values(label: str, names: list[str], point: Any, arrays: bool) -> list[Any]:
    """One value per name from a number, a sequence or a dict; an error naming what is missing."""
    if isinstance(point, dict):
        missing = [n for n in names if n not in point]
        extra = [n for n in point if n not in names]
        if missing or extra:
            raise ValueError(f"hd.report: entry {label!r}: the point names {', '.join(map(str, point))}, "
                             f"the variables are {', '.join(names)}")
        return [_number_or_array(label, n, point[n]) if arrays else _number(label, n, point[n]) for n in names]
    items = [point] if np.ndim(point) == 0 else list(point)
    if len(items) != len(names):
        raise ValueError(f"hd.report: entry {label!r} has {len(names)} variable(s) ({', '.join(names)}) "
                         f"but the point has {len(items)} value(s); give one per variable, or a dict")
    return [_number_or_array(label, n, v) if arrays else _number(label, n, v) for n, v in zip(names, items)]


def _number(label: str, name: str, value: Any) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"hd.report: entry {label!r}: {name} = {value!r:.40} is not a real number")
    return float(value)


def _number_or_array(label: str, name: str, value: Any) -> Any:
    if np.ndim(value) == 0:
        return _number(label, name, value)
    array = np.asarray(value)
    if array.ndim != 1 or array.dtype.kind not in "iuf":
        raise TypeError(f"hd.report: entry {label!r}: {name} must be a number or a 1-D array of numbers")
    return array.astype(float)


__all__ = ["Entry", "entry", "flat_function", "point_text", "title"]
